"""Database: one synchronous SQLModel/SQLAlchemy style for SQLite and PostgreSQL, and Alembic.

Routers are plain ``def`` functions (FastAPI runs them in its thread pool); async code (the
outbox relay, the consumer) runs its database work with ``asyncio.to_thread``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    Column,
    DateTime,
    Dialect,
    Engine,
    MetaData,
    create_engine,
    make_url,
    pool,
    text,
)
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field


def _sqlite_connector(database: str) -> Callable[[], sqlite3.Connection]:
    """New SQLite connections, each set up as every service needs: write-ahead log (readers
    never wait for the writer), foreign keys enforced, a writer waits for its turn."""

    def connect() -> sqlite3.Connection:
        connection = sqlite3.connect(database, timeout=30, check_same_thread=False)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("PRAGMA busy_timeout=30000")
        return connection

    return connect


def make_engine(url: str, *, echo: bool = False) -> Engine:
    if url.startswith("sqlite"):
        database = make_url(url).database or ":memory:"
        return create_engine(url, echo=echo, creator=_sqlite_connector(database))
    return create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=20)


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


class UtcDateTime(TypeDecorator[datetime]):
    """A moment in time, always timezone-aware UTC in Python, on every database.

    PostgreSQL keeps the offset (``timestamptz``); SQLite keeps text and hands back naive
    values, which this type reads as the UTC they were written in. A naive value written is
    refused: every moment the platform handles carries its offset.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give it an offset (UTC)")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def utc_timestamp(*, nullable: bool = True, index: bool = False) -> Any:
    """A model field of type ``UtcDateTime`` (``created_at: datetime = utc_timestamp(...)``)."""
    return Field(default=None, sa_column=Column(UtcDateTime(), nullable=nullable, index=index))


def utcnow() -> datetime:
    return datetime.now(UTC)


def ping(engine: Engine) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))


# --- Alembic -------------------------------------------------------------------------------


def alembic_config(migrations_dir: Path, url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_dir))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(migrations_dir: Path, url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(migrations_dir, url), revision)


def _managed_by_migrations(obj, name, type_, reflected, compare_to) -> bool:  # type: ignore[no-untyped-def]
    # SQLite FTS5 tables and their shadow tables are created by raw SQL in migrations; they
    # have no model, and autogenerate must not propose to drop them.
    return not (type_ == "table" and reflected and compare_to is None and "_fts" in name)


def run_alembic_env(target_metadata: MetaData) -> None:
    """Body of every service's ``migrations/env.py``.

    Write new revisions (``bayanat revision``) against PostgreSQL, the production database:
    SQLite-only or PostgreSQL-only structures are then branched by hand on the dialect.
    """
    from alembic import context

    config = context.config
    url = config.get_main_option("sqlalchemy.url")
    render_as_batch = bool(url and url.startswith("sqlite"))
    if context.is_offline_mode():
        context.configure(
            url=url,
            target_metadata=target_metadata,
            literal_binds=True,
            render_as_batch=render_as_batch,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    connectable = create_engine(url, poolclass=pool.NullPool)  # type: ignore[arg-type]
    with _migrations_lock(connectable), connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=render_as_batch,
            compare_type=True,
            include_object=_managed_by_migrations,
        )
        with context.begin_transaction():
            context.run_migrations()
    connectable.dispose()


# An advisory lock is the database's own: one key serves every service's database.
MIGRATIONS_LOCK_KEY = 0x6261_7961_6E61_7401  # "bayanat" and 1


@contextmanager
def _migrations_lock(engine: Engine) -> Iterator[None]:
    """On PostgreSQL, one migration run at a time per database: the replicas of a service
    starting together would otherwise race to create the same tables (the first wins, the
    others fail to start); the later ones wait, then find the schema at head. Held on a
    connection of its own, so that it spans the migrations' transactions."""
    if engine.dialect.name != "postgresql":
        yield
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as holder:
        holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATIONS_LOCK_KEY})
        try:
            yield
        finally:
            holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATIONS_LOCK_KEY})
