"""The reuse service's migrations, from scratch on PostgreSQL and on SQLite: they build exactly
the models' schema, and go down and up again; 0004 indexes the stems of every reuse."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, create_engine, inspect, text

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


def _uuid(engine: Engine, value: uuid.UUID) -> str:
    # SQLAlchemy's Uuid type stores 32 hex digits on SQLite, a uuid on PostgreSQL.
    return value.hex if engine.dialect.name == "sqlite" else str(value)


def write_at_0003(engine: Engine) -> None:
    """A developer and a reuse as revision 0003 stores them, with the words of 0002."""
    developer, reuse = _uuid(engine, uuid.uuid4()), _uuid(engine, uuid.uuid4())
    at = "2024-01-01 00:00:00+00:00"
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO developer (id, name, email, terms_accepted_at, created_at)"
                " VALUES (:id, 'Dev', 'dev@example.org', :at, :at)"
            ),
            {"id": developer, "at": at},
        )
        connection.execute(
            text(
                "INSERT INTO reuse (id, slug, title, description, reuse_type, url, url_digest,"
                " tags, developer_id, state, declared_at, updated_at) VALUES (:id, 'carte',"
                ' \'{"fr": "Carte des écoles"}\', \'{"ar": "المؤسسات الصحية"}\','
                " 'visualization', 'https://carte.example.org', 'd', '[\"santé\"]', :developer,"
                " 'declared', :at, :at)"
            ),
            {"id": reuse, "developer": developer, "at": at},
        )
        for term in ("carte", "des", "ecoles", "sante", "الموسسات", "الصحيه"):
            connection.execute(
                text("INSERT INTO reuse_term (term, reuse_id, weight) VALUES (:term, :id, 1)"),
                {"term": term, "id": reuse},
            )


def terms(engine: Engine) -> set[str]:
    with engine.connect() as connection:
        return set(connection.execute(text("SELECT term FROM reuse_term")).scalars())


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_0004_indexes_the_stems_of_every_reuse_and_back(
    backend: str, postgres_url: Callable[[str], str], tmp_path: Path
) -> None:
    url = postgres_url("reuse_stems") if backend == "postgresql" else f"sqlite:///{tmp_path}/r.db"
    upgrade(MIGRATIONS_DIR, url, "0003")
    engine = create_engine(url)
    try:
        write_at_0003(engine)
        words = {"carte", "des", "ecoles", "sante", "الموسسات", "الصحيه"}
        upgrade(MIGRATIONS_DIR, url)
        assert terms(engine) == words | {"cart", "de", "ecol", "sant", "موسس", "صحي"}
        command.downgrade(alembic_config(MIGRATIONS_DIR, url), "0003")
        assert terms(engine) == words
    finally:
        engine.dispose()
