"""Transactional outbox: events are written with the state change, then relayed to Kafka."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from prometheus_client import Counter
from sqlalchemy import Connection, Engine, Table, func, insert, select, update
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from libs.db import is_postgres
from libs.events import CONTENT_TYPE, CloudEvent, EventData, new_event
from libs.messaging.kafka import make_producer, topic_name
from libs.settings import PlatformSettings

log = logging.getLogger("bayanat.outbox")

EVENTS_RELAYED = Counter(
    "bayanat_outbox_events_relayed_total", "Events the outbox relay published", ["service"]
)

_WRITTEN_FLAG = "bayanat.outbox.written"
_wakers: list[Callable[[], None]] = []
_wakers_lock = threading.Lock()


@sa_event.listens_for(Session, "after_commit")
def _wake_relays(session: Session) -> None:
    # A committed outbox row wakes the relays of this process at once instead of at next poll.
    if session.info.pop(_WRITTEN_FLAG, False):
        with _wakers_lock:
            wakers = list(_wakers)
        for wake in wakers:
            wake()


@sa_event.listens_for(Session, "after_rollback")
def _forget_written(session: Session) -> None:
    session.info.pop(_WRITTEN_FLAG, None)


class Outbox:
    """Writes events into a service's outbox table, inside the caller's transaction."""

    def __init__(self, table: Table, service_name: str) -> None:
        self.table = table
        self.service_name = service_name

    def publish(self, session: Session, data: EventData) -> CloudEvent:
        event = new_event(self.service_name, data)
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
        session.info[_WRITTEN_FLAG] = True


def advisory_lock_key(service_name: str) -> int:
    digest = hashlib.sha256(f"bayanat-outbox-relay:{service_name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class OutboxRelay:
    """Publishes pending outbox rows in id order with an idempotent producer, marks them sent.

    While Kafka is down it retries with backoff and the rows simply wait. On PostgreSQL a
    session advisory lock keeps a single active relay per service, so that several replicas
    never publish one subject's events out of order.
    """

    def __init__(
        self,
        *,
        engine: Engine,
        table: Table,
        platform: PlatformSettings,
        service_name: str,
        batch_size: int = 500,
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
        self._wake: asyncio.Event | None = None

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        wake = self._wake

        def waker() -> None:
            loop.call_soon_threadsafe(wake.set)

        with _wakers_lock:
            _wakers.append(waker)
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
            with _wakers_lock:
                _wakers.remove(waker)

    async def _run_connected(self) -> None:
        connection = await asyncio.to_thread(self.engine.connect)
        producer: AIOKafkaProducer | None = None
        try:
            await self._acquire_lock(connection)
            producer = make_producer(self.platform)
            await producer.start()
            self.connected = True
            while True:
                sent = await self._relay_batch(connection, producer)
                if sent < self.batch_size:
                    await self._wait_for_work()
        finally:
            self.connected = False
            self.holds_lock = False
            if producer is not None:
                try:
                    await asyncio.wait_for(producer.stop(), 10)
                except Exception:
                    log.debug("producer stop failed", exc_info=True)
            # Closing the connection also releases the session advisory lock.
            await asyncio.to_thread(connection.close)

    async def _acquire_lock(self, connection: Connection) -> None:
        if not is_postgres(self.engine):
            return
        key = advisory_lock_key(self.service_name)

        def try_lock() -> bool:
            acquired = connection.execute(select(func.pg_try_advisory_lock(key))).scalar()
            connection.commit()
            return bool(acquired)

        while not await asyncio.to_thread(try_lock):
            await asyncio.sleep(self.poll_seconds)  # another replica's relay is active
        self.holds_lock = True

    async def _wait_for_work(self) -> None:
        assert self._wake is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), self.poll_seconds)
        self._wake.clear()

    async def _relay_batch(self, connection: Connection, producer: AIOKafkaProducer) -> int:
        rows = await asyncio.to_thread(self._pending, connection)
        if not rows:
            return 0
        futures = []
        for row in rows:
            futures.append(
                await producer.send(
                    topic_name(self.platform, row.topic),
                    value=row.payload.encode(),
                    key=row.key.encode(),
                    headers=[("content-type", CONTENT_TYPE.encode())],
                )
            )
        results = await asyncio.gather(*futures, return_exceptions=True)
        delivered: list[int] = []
        failures: list[tuple[int, BaseException]] = []
        for row, result in zip(rows, results, strict=True):
            if isinstance(result, BaseException):
                failures.append((row.id, result))
            else:
                delivered.append(row.id)
        await asyncio.to_thread(self._mark, connection, delivered, failures)
        EVENTS_RELAYED.labels(self.service_name).inc(len(delivered))
        if failures:
            raise RuntimeError(f"{len(failures)} events not acknowledged: {failures[0][1]!r}")
        return len(rows)

    def _pending(self, connection: Connection) -> list:  # type: ignore[type-arg]
        table = self.table
        rows = connection.execute(
            select(table.c.id, table.c.topic, table.c.key, table.c.payload)
            .where(table.c.sent_at.is_(None))
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
                update(table).where(table.c.id.in_(delivered)).values(sent_at=datetime.now(UTC))
            )
        for row_id, error in failures:
            connection.execute(
                update(table)
                .where(table.c.id == row_id)
                .values(attempts=table.c.attempts + 1, last_error=repr(error)[:2000])
            )
        connection.commit()
