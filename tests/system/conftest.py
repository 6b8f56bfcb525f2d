"""The platform as one system: the four services as processes (tests/support/platform.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from libs.settings import PlatformSettings
from tests.support.apps import isolated_platform
from tests.support.infra import PostgresDatabases
from tests.support.platform import Platform, running_platform


@pytest.fixture(scope="module")
def system(
    kafka: PlatformSettings,
    postgres_databases: PostgresDatabases,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Platform]:
    with running_platform(
        isolated_platform(kafka, "system"),
        postgres_databases,
        tmp_path_factory.mktemp("system"),
    ) as platform:
        yield platform
