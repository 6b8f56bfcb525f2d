"""The governance migrations: they build exactly the models' schema, and each step undoes."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from libs.db import alembic_config, make_engine, upgrade
from services.governance.app import MIGRATIONS_DIR
from services.governance.models import metadata


def differences(url: str) -> list[object]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def test_the_migrations_build_the_models_schema_and_go_down_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'governance.db'}"
    upgrade(MIGRATIONS_DIR, url)
    assert differences(url) == []

    command.downgrade(alembic_config(MIGRATIONS_DIR, url), "0003")
    assert differences(url), "the comparison sees a schema that lacks the latest migration"
    engine = make_engine(url)
    try:
        assert "token_revocation" not in inspect(engine).get_table_names()
        outbox = {column["name"] for column in inspect(engine).get_columns("outbox")}
        assert "dead_lettered_at" not in outbox
    finally:
        engine.dispose()

    upgrade(MIGRATIONS_DIR, url)
    assert differences(url) == []
