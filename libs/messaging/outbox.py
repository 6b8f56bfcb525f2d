"""Transactional outbox: events are written with the state change, then relayed to Kafka."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import hashlib
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TextIO, TypeVar

from aiokafka import AIOKafkaProducer
from aiokafka.errors import MessageSizeTooLargeError, RecordTooLargeError
from aiokafka.partitioner import DefaultPartitioner
from prometheus_client import Counter
from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Connection,
    Engine,
    Table,
    any_,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from libs.db import is_postgres
from libs.events import CONTENT_TYPE, CloudEvent, EventData, dead_letter_topic, new_event
from libs.messaging.kafka import make_producer, topic_name
from libs.settings import PlatformSettings

log = logging.getLogger("bayanat.outbox")
_T = TypeVar("_T")

EVENTS_RELAYED = Counter(
    "bayanat_outbox_events_relayed_total", "Events the outbox relay published", ["service"]
)
EVENTS_DEAD_LETTERED = Counter(
    "bayanat_outbox_events_dead_lettered_total",
    "Outbox rows the broker refused for good (too large), set aside with their reason",
    ["service"],
)

# The broker will never take these rows as they are: retrying would block every row behind.
PERMANENT_FAILURES: tuple[type[BaseException], ...] = (
    MessageSizeTooLargeError,
    RecordTooLargeError,
)


class Outbox:
    """Writes events into a service's outbox table, inside the caller's transaction (the
    unit of work's: see libs/uow.py)."""

    def __init__(self, table: Table, service_name: str) -> None:
        self.table = table
        self.service_name = service_name

    def event(self, data: EventData) -> CloudEvent:
        return new_event(self.service_name, data)

    def publish(self, session: Session, data: EventData) -> CloudEvent:
        event = self.event(data)
        self.add(session, event, data.topic)
        return event

    def add(self, session: Session, event: CloudEvent, topic: str) -> None:
        session.execute(
            insert(self.table).values(
                event_id=str(event.id),
                topic=str(topic),
                key=event.subject,
                event_type=event.type,
                payload=event.model_dump_json(),
                created_at=datetime.now(UTC),
                attempts=0,
            )
        )


def advisory_lock_key(service_name: str) -> int:
    digest = hashlib.sha256(f"bayanat-outbox-relay:{service_name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


@dataclass(frozen=True)
class Sent:
    """A record batch handed to the producer, and the outbox rows in it."""

    row_ids: list[int]
    future: asyncio.Future[Any]


_PARTITIONER = DefaultPartitioner()
_HEADERS = [("content-type", CONTENT_TYPE.encode())]


class OutboxRelay:
    """Publishes pending outbox rows in id order with an idempotent producer, marks them sent.

    While Kafka is down it retries with backoff and the rows simply wait. One relay per service
    is active at a time, so that several workers or replicas never publish one subject's events
    out of order: a session advisory lock on PostgreSQL, a lock file beside the database file
    on SQLite.
    """

    def __init__(
        self,
        *,
        engine: Engine,
        table: Table,
        platform: PlatformSettings,
        service_name: str,
        batch_size: int = 1000,
        poll_seconds: float = 1.0,
        max_backoff_seconds: float = 10.0,
    ) -> None:
        self.engine = engine
        self.table = table
        self.platform = platform
        self.service_name = service_name
        self.batch_size = batch_size
        self.poll_seconds = poll_seconds
        self.max_backoff_seconds = max_backoff_seconds
        self.connected = False
        self.holds_lock = False
        self._lock_file: TextIO | None = None
        self._wake: asyncio.Event | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._partitions: dict[str, list[int]] = {}
        self._reader_thread = ThreadPoolExecutor(1, thread_name_prefix=f"relay-{service_name}")
        self._marker_thread = ThreadPoolExecutor(1, thread_name_prefix=f"relay-{service_name}")

    def wake(self) -> None:
        """Look for pending rows now rather than at the next poll (from any thread): a unit of
        work that published events calls this once it has committed."""
        loop, wake = self._loop, self._wake
        if loop is None or wake is None or loop.is_closed():
            return
        loop.call_soon_threadsafe(wake.set)

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        backoff = 0.25
        try:
            while True:
                try:
                    await self._run_connected()
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    self.connected = False
                    log.warning(
                        "outbox relay interrupted, retrying in %.1fs: %r",
                        backoff,
                        exc,
                        extra={"service": self.service_name},
                    )
                    await asyncio.sleep(backoff)
                    backoff = min(backoff * 2, self.max_backoff_seconds)
                else:
                    backoff = 0.25
        finally:
            self._loop = None

    async def _db(self, function: Callable[..., _T], *args: object) -> _T:
        # One thread for reading: its connection is never used by two threads at once, not
        # even while a cancelled call is still running.
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._reader_thread, function, *args)

    async def _db_mark(self, function: Callable[..., _T], *args: object) -> _T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._marker_thread, function, *args)

    async def _run_connected(self) -> None:
        reader = await self._db(self.engine.connect)
        marker = await self._db_mark(self.engine.connect)
        producer: AIOKafkaProducer | None = None
        try:
            await self._acquire_lock(reader)
            producer = make_producer(self.platform)
            await producer.start()
            self.connected = True
            await self._relay(reader, marker, producer)
        finally:
            self.connected = False
            if producer is not None:
                try:
                    await asyncio.wait_for(producer.stop(), 10)
                except Exception:
                    log.debug("producer stop failed", exc_info=True)
            await asyncio.shield(self._db(self._release, reader))
            self.holds_lock = False
            await asyncio.shield(self._db_mark(marker.close))

    def _try_file_lock(self) -> bool:
        """SQLite has no advisory locks: the worker processes of one service on one database
        file take turns through a lock file next to it (released when the process dies)."""
        database = self.engine.url.database
        if not database or database == ":memory:":
            return True
        if self._lock_file is None:
            self._lock_file = open(f"{database}.relay.lock", "a+")  # noqa: SIM115 - held open
        try:
            fcntl.flock(self._lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _release(self, reader: Connection) -> None:
        if self._lock_file is not None:
            self._lock_file.close()  # closing the file releases its lock
            self._lock_file = None
        # A pooled connection outlives close(): the session lock must be given back first.
        if self.holds_lock and is_postgres(self.engine):
            try:
                key = advisory_lock_key(self.service_name)
                reader.execute(select(func.pg_advisory_unlock(key)))
                reader.commit()
            except Exception:
                reader.invalidate()  # closing the database session releases its locks
        reader.close()

    async def _relay(
        self, reader: Connection, marker: Connection, producer: AIOKafkaProducer
    ) -> None:
        """A pipeline: while batch n is handed to the producer, batch n+1 is read, batch n-1
        waits for its acknowledgements and is then marked sent on a second connection.

        Rows are excluded by id, not with "id > last read": a transaction that took a lower
        id may commit later, and its rows must still be found.
        """
        in_flight: tuple[list[Any], list[Sent]] | None = None
        marking: asyncio.Future[None] | None = None
        marking_ids: list[int] = []
        next_rows = self._read_ahead(reader, [])
        try:
            while True:
                rows = await next_rows
                if rows:
                    busy = marking_ids + [row.id for row in (in_flight[0] if in_flight else [])]
                    next_rows = self._read_ahead(reader, busy + [row.id for row in rows])
                futures = await self._send(producer, rows)
                if in_flight is not None:
                    delivered, failures = await self._acknowledged(*in_flight)
                    if marking is not None:
                        await marking
                    marking_ids = delivered + [row_id for row_id, _ in failures]
                    marking = asyncio.ensure_future(
                        self._db_mark(self._mark, marker, delivered, failures)
                    )
                    EVENTS_RELAYED.labels(self.service_name).inc(len(delivered))
                    if failures:
                        await marking
                        retried = [f for f in failures if not isinstance(f[1], PERMANENT_FAILURES)]
                        await self._report_dead_letters(
                            producer, [f for f in failures if f not in retried]
                        )
                        # Reconnect: a fresh producer session after a refused batch.
                        raise RuntimeError(
                            f"{len(failures)} events not acknowledged: {failures[0][1]!r}"
                        )
                in_flight = (rows, futures) if rows else None
                if not rows:
                    if marking is not None:
                        await marking
                    marking, marking_ids = None, []
                    await self._wait_for_work()
                    next_rows = self._read_ahead(reader, [])
        finally:
            if not next_rows.done():
                # Still running in the reader thread: its result no longer matters.
                next_rows.add_done_callback(lambda f: f.cancelled() or f.exception())

    async def _report_dead_letters(
        self, producer: AIOKafkaProducer, dead: list[tuple[int, BaseException]]
    ) -> None:
        """Tell operators, on the service's dead-letter topic, which rows were set aside."""
        if not dead:
            return
        EVENTS_DEAD_LETTERED.labels(self.service_name).inc(len(dead))
        topic = topic_name(self.platform, dead_letter_topic(self.service_name))
        for row_id, error in dead:
            log.error(
                "outbox row %d refused for good, set aside: %r",
                row_id,
                error,
                extra={"service": self.service_name},
            )
            headers = [
                ("bayanat-error", repr(error)[:4000].encode()),
                ("bayanat-producer", self.service_name.encode()),
                ("bayanat-outbox-id", str(row_id).encode()),
            ]
            try:
                await asyncio.wait_for(
                    producer.send_and_wait(topic, value=b"", headers=headers), 10
                )
            except Exception:
                log.warning("could not report outbox row %d on %s", row_id, topic, exc_info=True)

    def _read_ahead(self, reader: Connection, exclude: list[int]) -> asyncio.Future[list[Any]]:
        return asyncio.ensure_future(self._db(self._pending, reader, exclude))

    @staticmethod
    async def _acknowledged(
        rows: list[Any], sent: list[Sent]
    ) -> tuple[list[int], list[tuple[int, BaseException]]]:
        results = await asyncio.gather(*(batch.future for batch in sent), return_exceptions=True)
        delivered: list[int] = []
        failures: list[tuple[int, BaseException]] = []
        for batch, result in zip(sent, results, strict=True):
            if isinstance(result, BaseException):
                failures.extend((row_id, result) for row_id in batch.row_ids)
            else:
                delivered.extend(batch.row_ids)
        return delivered, failures

    async def _send(self, producer: AIOKafkaProducer, rows: list[Any]) -> list[Sent]:
        """Hand rows to the producer as record batches, one partition at a time, in order.

        Partitions are chosen as the producer itself would (murmur2 of the key), so that one
        subject's events always share a partition. Whole batches spare the producer its
        per-message bookkeeping, most of a relay's CPU time.
        """
        by_partition: dict[tuple[str, int], list[Any]] = {}
        for row in rows:
            topic = topic_name(self.platform, row.topic)
            partitions = self._partitions.get(topic)
            if partitions is None:
                partitions = sorted(await producer.partitions_for(topic))
                self._partitions[topic] = partitions
            partition = _PARTITIONER(row.key.encode(), partitions, partitions)
            by_partition.setdefault((topic, partition), []).append(row)
        sent: list[Sent] = []
        for (topic, partition), members in by_partition.items():
            batch, ids = producer.create_batch(), list[int]()
            for row in members:
                key, value = row.key.encode(), row.payload.encode()
                # An empty batch takes any record, however large; a full one is handed over.
                while not batch.append(timestamp=None, key=key, value=value, headers=_HEADERS):
                    sent.append(
                        Sent(ids, await producer.send_batch(batch, topic, partition=partition))
                    )
                    batch, ids = producer.create_batch(), []
                ids.append(row.id)
            sent.append(Sent(ids, await producer.send_batch(batch, topic, partition=partition)))
        return sent

    async def _acquire_lock(self, connection: Connection) -> None:
        key = advisory_lock_key(self.service_name)

        def try_lock() -> bool:
            if not is_postgres(self.engine):
                return self._try_file_lock()
            acquired = connection.execute(select(func.pg_try_advisory_lock(key))).scalar()
            connection.commit()
            return bool(acquired)

        while not await self._db(try_lock):
            await asyncio.sleep(self.poll_seconds)  # another replica's relay is active
        self.holds_lock = True

    async def _wait_for_work(self) -> None:
        assert self._wake is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
        self._wake.clear()

    def _id_in(self, connection: Connection, ids: list[int]) -> ColumnElement[bool]:
        if connection.dialect.name == "postgresql":
            # One array parameter instead of hundreds: far cheaper to send and plan.
            return self.table.c.id == any_(bindparam("ids", ids, type_=ARRAY(BigInteger)))
        return self.table.c.id.in_(ids)

    def _pending(self, connection: Connection, exclude: list[int]) -> list[Any]:
        table = self.table
        condition: ColumnElement[bool] = table.c.sent_at.is_(None) & table.c.dead_lettered_at.is_(
            None
        )
        if exclude:
            condition = condition & ~self._id_in(connection, exclude)
        rows = connection.execute(
            select(table.c.id, table.c.topic, table.c.key, table.c.payload)
            .where(condition)
            .order_by(table.c.id)
            .limit(self.batch_size)
        ).all()
        connection.commit()
        return list(rows)

    def _mark(
        self,
        connection: Connection,
        delivered: list[int],
        failures: list[tuple[int, BaseException]],
    ) -> None:
        table = self.table
        if delivered:
            connection.execute(
                update(table)
                .where(self._id_in(connection, delivered))
                .values(sent_at=datetime.now(UTC))
            )
        now = datetime.now(UTC)
        for row_id, error in failures:
            dead = {"dead_lettered_at": now} if isinstance(error, PERMANENT_FAILURES) else {}
            connection.execute(
                update(table)
                .where(table.c.id == row_id)
                .values(attempts=table.c.attempts + 1, last_error=repr(error)[:2000], **dead)
            )
        connection.commit()
