"""Fixtures shared by every test: the real Kafka broker and PostgreSQL, isolated per run.

Each test session gets its own topic prefix (so earlier runs' events are never seen) and its
own PostgreSQL databases (dropped at the end).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from libs.settings import PlatformSettings
from tests.support.infra import PostgresDatabases, require_kafka, require_postgres

# Data the tests read (vendored, with its source and licence): never anything outside the repo.
DATA_DIR = Path(__file__).resolve().parent / "data"

# Isolation for this run: set before any settings object is created.
os.environ["KAFKA_TOPIC_PREFIX"] = f"test-{uuid.uuid4().hex[:8]}."
os.environ.setdefault("JWT_SECRET", "test-secret-" + uuid.uuid4().hex)
os.environ.setdefault("LOG_JSON", "false")
os.environ.setdefault("LOG_LEVEL", "WARNING")


@pytest.fixture(scope="session")
def platform() -> PlatformSettings:
    return PlatformSettings()


@pytest.fixture(scope="session")
def kafka(platform: PlatformSettings) -> PlatformSettings:
    require_kafka(platform)
    return platform


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases]:
    require_postgres()
    databases = PostgresDatabases()
    yield databases
    databases.drop_all()


@pytest.fixture
def postgres_url(postgres_databases: PostgresDatabases) -> Callable[[str], str]:
    """A factory of fresh PostgreSQL databases: ``postgres_url("catalog")``."""
    return postgres_databases.create
