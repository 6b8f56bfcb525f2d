"""The reuse service's migrations, from scratch on PostgreSQL and on SQLite: they build exactly
the models' schema, and go down and up again."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from libs.db import alembic_config, upgrade
from services.reuse.app import MIGRATIONS_DIR
from services.reuse.models import metadata

TABLES = {
    "outbox",
    "processed_events",
    "developer",
    "email_link",
    "api_key",
    "dataset_replica",
    "reuse",
    "reuse_dataset",
    "reuse_term",
    "rate_limit",
}


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_from_scratch_down_and_up(
    backend: str, postgres_url: Callable[[str], str], tmp_path: Path
) -> None:
    url = postgres_url("reuse_mig") if backend == "postgresql" else f"sqlite:///{tmp_path}/r.db"
    upgrade(MIGRATIONS_DIR, url)
    engine = create_engine(url)
    try:
        assert set(inspect(engine).get_table_names()) >= TABLES
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, metadata) == [], "models and migrations differ"
        command.downgrade(alembic_config(MIGRATIONS_DIR, url), "base")
        assert set(inspect(engine).get_table_names()) == {"alembic_version"}
        upgrade(MIGRATIONS_DIR, url)
        assert set(inspect(engine).get_table_names()) >= TABLES
    finally:
        engine.dispose()
