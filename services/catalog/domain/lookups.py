"""Anonymous reads of the read model on the event loop: one statement, no unit of work.

The most frequent request, an anonymous read of a published dataset, is one indexed lookup of
a stored body (domain/renditions.py). On PostgreSQL it runs here, on a few asynchronous
connections of its own in autocommit (one round trip: no transaction to begin or roll back, no
pool ping, no thread hop; psycopg prepares the statement after a few uses). Anything else (a
body not stored for this public URL, an unknown dataset, a connection lost) answers None, and
the caller takes the ordinary path (a unit of work, which renders a missing body or answers
the 404), so that the answer is the same either way.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from dataclasses import dataclass

import psycopg
from psycopg import sql

from services.catalog.domain.rendering import REPRESENTATIONS, Representation

log = logging.getLogger("bayanat.catalog.lookups")


@dataclass(frozen=True)
class StoredBody:
    dataset_id: uuid.UUID
    body: bytes


def _statements() -> dict[tuple[Representation, bool], str]:
    """The lookup of each representation, by id (True) or by slug (False), as text once
    (psycopg caches what it makes of a query by its text)."""
    statements = {}
    for name in REPRESENTATIONS:
        for by_id in (True, False):
            statement = sql.SQL(
                "SELECT d.id, r.base_url, r.{body} FROM dataset d "
                "JOIN dataset_rendition r ON r.dataset_id = d.id "
                "WHERE d.state = 'published' AND d.{key} = %s"
            ).format(body=sql.Identifier(name), key=sql.Identifier("id" if by_id else "slug"))
            statements[(name, by_id)] = statement.as_string()
    return statements


Cursor = psycopg.AsyncCursor[tuple[object, ...]]


async def _row(cursor: Cursor, statement: str, value: object) -> tuple[object, ...] | None:
    await cursor.execute(statement, (value,), prepare=True)
    return await cursor.fetchone()


class StoredBodies:
    """Up to ``size`` connections to ``conninfo``, opened when first needed, each with the
    cursor its lookups reuse (binary results: the bodies come as they are stored)."""

    def __init__(self, conninfo: str, size: int = 4) -> None:
        self._conninfo = conninfo
        self._idle: list[Cursor] = []
        self._slots = asyncio.Semaphore(size)
        self._statements = _statements()
        self._closed = False

    async def _cursor(self) -> Cursor:
        cursor = self._idle.pop() if self._idle else None
        if cursor is None or cursor.connection.closed:
            connection = await psycopg.AsyncConnection.connect(self._conninfo, autocommit=True)
            cursor = connection.cursor(binary=True)
        return cursor

    async def _row(
        self, cursor: Cursor, statement: str, value: object
    ) -> tuple[object, ...] | None:
        await cursor.execute(statement, (value,), prepare=True)
        return await cursor.fetchone()

    async def find(
        self, ref: str, representation: Representation, base_url: str
    ) -> StoredBody | None:
        """The stored body of the published dataset ``ref`` (an id or a slug) for
        ``base_url``; None when there is none to serve as stored (the ordinary path knows
        why: no such dataset, a body to render, a database unreachable)."""
        try:
            key = uuid.UUID(ref)
        except ValueError:
            key = None
        async with self._slots:
            cursor = None
            try:
                cursor = await self._cursor()
                row = None
                if key is not None:
                    row = await _row(cursor, self._statements[(representation, True)], key)
                if row is None:
                    row = await _row(cursor, self._statements[(representation, False)], ref)
            except BaseException as exc:
                if cursor is not None:  # its state is unknown: never reused
                    await cursor.connection.close()
                if not isinstance(exc, psycopg.Error):
                    raise
                log.warning("stored body lookup failed, read through a unit of work: %r", exc)
                return None
            if self._closed:
                await cursor.connection.close()
            else:
                self._idle.append(cursor)
        if row is None:
            return None
        dataset_id, stored_base, body = row
        if stored_base != base_url or not isinstance(dataset_id, uuid.UUID):
            return None
        if not isinstance(body, bytes | memoryview):
            return None
        return StoredBody(dataset_id, bytes(body))

    async def close(self) -> None:
        self._closed = True
        idle, self._idle = self._idle, []
        for cursor in idle:
            await cursor.connection.close()
