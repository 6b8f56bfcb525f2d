"""The metrics service's unit tier: its migrations on a throw-away SQLite copy per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from services.metrics.app import MIGRATIONS_DIR
from services.metrics.models import messaging
from tests.support.units import SqliteUnits


@pytest.fixture
def units(tmp_path: Path) -> Iterator[SqliteUnits]:
    metrics = SqliteUnits("metrics", MIGRATIONS_DIR, messaging, tmp_path)
    yield metrics
    metrics.dispose()
