"""The catalogue generation: how every worker and replica learns that public data changed.

Each unit of work that changes what anonymous readers see (a dataset, its institution, the
reuses citing it: domain/renditions.py's ``stale``) bumps the one row of
``catalogue_generation`` in its transaction. Each process follows it
(:func:`follow_generation`, every ``CATALOG_GENERATION_POLL_SECONDS``): when the number moves,
it clears its in-process caches (responses, search counts, search results). A write committed
by any process is thus seen by every other within that delay plus one read of the row; this
process's own writes clear its caches at once, when they commit (``uow.invalidate_caches()``).
Entries kept by value carry the generation they were computed under (:class:`Generation`), so
that a result computed before a change is never reused after it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from sqlalchemy import Connection, Engine, update
from sqlmodel import Session, col, select

from libs.uow import Clearable
from services.catalog.models import CatalogueGeneration

log = logging.getLogger("bayanat.catalog.generation")


def bump(session: Session) -> None:
    """Public data changes in this transaction: the next generation, once it commits."""
    session.connection().execute(
        update(CatalogueGeneration)
        .where(col(CatalogueGeneration.id) == 1)
        .values(value=col(CatalogueGeneration.value) + 1)
    )


def read(connection: Connection) -> int:
    value = connection.execute(
        select(CatalogueGeneration.value).where(col(CatalogueGeneration.id) == 1)
    ).scalar_one_or_none()
    return int(value or 0)


class Generation:
    """The generation this process last saw; its caches are cleared whenever it moves."""

    def __init__(self, caches: Sequence[Clearable]) -> None:
        self.value: int | None = None
        self._caches = caches

    def observe(self, value: int) -> bool:
        """``value`` was read from the database: True (and the caches cleared) if it moved."""
        if value == self.value:
            return False
        if self.value is not None:
            for cache in self._caches:
                cache.clear()
        self.value = value
        return True


async def follow_generation(engine: Engine, generation: Generation, every: float) -> None:
    """Read the generation every ``every`` seconds, for ever."""

    def refresh() -> int:
        with engine.connect() as connection:
            return read(connection)

    while True:
        try:
            generation.observe(await asyncio.to_thread(refresh))
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database may be restarting: try again
            log.warning("cannot read the catalogue generation: %r", exc)
        await asyncio.sleep(every)
