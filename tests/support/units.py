"""Units of work on a throw-away SQLite database, for the unit tier (no Kafka, no PostgreSQL).

A service's migrations run once per test session into a template file; each test gets a copy,
so that a domain command runs against the real schema in milliseconds.
"""

from __future__ import annotations

import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from libs.db import make_engine, upgrade
from libs.events import CloudEvent
from libs.messaging.outbox import Outbox
from libs.messaging.tables import MessagingTables
from libs.uow import Clearable, UnitOfWorkFactory


@cache
def _template(migrations_dir: Path) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="bayanat-unit-"))
    path = folder / "template.db"
    upgrade(migrations_dir, f"sqlite:///{path}")
    return path


class SqliteUnits:
    """A service's units of work on its own SQLite copy, and what they published."""

    def __init__(
        self,
        service_name: str,
        migrations_dir: Path,
        tables: MessagingTables,
        folder: Path,
        caches: list[Clearable] | None = None,
    ) -> None:
        path = folder / f"{service_name}.db"
        shutil.copyfile(_template(migrations_dir), path)
        self.engine: Engine = make_engine(f"sqlite:///{path}")
        self.tables = tables
        self.factory = UnitOfWorkFactory(
            self.engine, Outbox(tables.outbox, service_name), caches=caches
        )

    def __call__(self) -> Any:
        return self.factory()

    def published(self, event_type: str | None = None) -> list[CloudEvent]:
        """The events committed to the outbox so far (of one type), oldest first."""
        outbox = self.tables.outbox
        statement = select(outbox.c.payload).order_by(outbox.c.id)
        if event_type is not None:
            statement = statement.where(outbox.c.event_type == event_type)
        with self.engine.connect() as connection:
            payloads = connection.execute(statement).scalars().all()
        return [CloudEvent.model_validate_json(payload) for payload in payloads]

    def dispose(self) -> None:
        self.engine.dispose()
