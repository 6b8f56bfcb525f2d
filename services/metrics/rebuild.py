"""Rebuilding the projections from the topics, without stopping the service.

``bayanat metrics rebuild``:

1. **begins**: creates empty *next* projection tables (``fact_next``, ``entity_next``,
   ``span_next``) and marks the projections ``building`` (with a heartbeat the command keeps
   fresh). From then on the live consumer writes what it consumes to the next tables too
   (projection.live_targets);
2. **replays** every topic the service consumes from offset zero up to the end offsets read at
   the start, as a consumer group of its own (``<prefix>metrics-rebuild-<id>``), through the
   same handlers, into the next facts table; then **folds** every object once from all its
   facts (replayed topics interleave, so folding as they come would fold most objects again
   and again). Events produced after the start are the live consumer's: it writes them to
   both sets and folds them; a fact brought by both is inserted once (projection.py);
3. **swaps** the tables in one transaction: the live ones are dropped and the next ones take
   their names (their indexes too). The control row is locked for it, so that no live unit
   writes in between; the API keeps answering from the live tables until the commit, from the
   new ones after.

A rebuild refuses to start while another one's heartbeat is fresh, and refuses to swap if its
own heartbeat ever lapsed (live consumers may then have stopped writing to its tables): run
it again. A rebuild also refuses a log that has lost events to retention (the figures would
be wrong), unless told to go on.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.structs import ConsumerRecord
from sqlalchemy import Connection, Engine, inspect, text
from sqlmodel import Session

from libs.db import utcnow
from libs.events import CloudEvent, EventParseError, payload_model
from libs.messaging.kafka import topic_name
from libs.messaging.outbox import Outbox
from libs.settings import PlatformSettings
from libs.uow import UnitOfWorkFactory
from services.metrics.domain.projection import (
    LIVE,
    NEXT,
    REBUILD_STALE_AFTER,
    Projector,
    fold_objects,
    objects_with_facts,
)
from services.metrics.handlers import HANDLERS
from services.metrics.models import Projection, messaging

log = logging.getLogger("bayanat.metrics.rebuild")

HEARTBEAT_SECONDS = 2.0
Progress = Callable[[int, int], None]


class RebuildRefused(RuntimeError):
    """The rebuild cannot start or finish; the message says why and what to do."""


@dataclass(frozen=True)
class RebuildResult:
    events: int  # read from the topics
    applied: int  # of the types the service consumes
    skipped: int  # not valid events (the live consumer dead-letters them)
    objects: int  # institutions, datasets and reuses folded
    seconds: float


def consumed_topics() -> list[str]:
    models = [payload_model(event_type) for event_type in HANDLERS]
    return sorted({model.topic.value for model in models if model is not None})


class Rebuild:
    def __init__(
        self,
        engine: Engine,
        platform: PlatformSettings,
        *,
        batch_size: int = 2000,
        progress: Progress | None = None,
        allow_truncated_log: bool = False,
    ) -> None:
        self.engine = engine
        self.platform = platform
        self.batch_size = batch_size
        self.progress = progress or (lambda read, total: None)
        self.allow_truncated_log = allow_truncated_log
        self.rebuild_id = str(uuid.uuid4())
        self.units = UnitOfWorkFactory(engine, Outbox(messaging.outbox, "metrics"))
        self._largest_gap = 0.0

    async def run(self) -> RebuildResult:
        started = time.monotonic()
        await asyncio.to_thread(self.begin)
        heartbeat = asyncio.create_task(self._heartbeat())
        try:
            events, applied, skipped = await self._replay()
            objects = await asyncio.to_thread(self.fold_all)
        except BaseException:
            heartbeat.cancel()
            await asyncio.gather(heartbeat, return_exceptions=True)
            await asyncio.to_thread(self.abandon)
            raise
        heartbeat.cancel()
        await asyncio.gather(heartbeat, return_exceptions=True)
        seconds = time.monotonic() - started
        await asyncio.to_thread(self.swap, events, seconds)
        return RebuildResult(events, applied, skipped, objects, round(seconds, 3))

    # --- the control row and the tables -------------------------------------------------

    def begin(self) -> None:
        with Session(self.engine) as session:
            control = session.get(Projection, 1, with_for_update=True) or Projection(id=1)
            fresh = control.heartbeat_at and control.heartbeat_at > utcnow() - REBUILD_STALE_AFTER
            if control.state == "building" and fresh:
                raise RebuildRefused(
                    f"rebuild {control.rebuild_id} is running (started "
                    f"{control.rebuild_started_at}); wait for it to finish"
                )
            connection = session.connection()
            for table in reversed(NEXT.tables):
                table.drop(connection, checkfirst=True)
            for table in NEXT.tables:
                table.create(connection)
            now = utcnow()
            control.state, control.rebuild_id = "building", self.rebuild_id
            control.rebuild_started_at, control.heartbeat_at = now, now
            session.add(control)
            session.commit()
        log.info("rebuild begun", extra={"rebuild": self.rebuild_id})

    async def _heartbeat(self) -> None:
        last = time.monotonic()
        while True:
            await asyncio.sleep(HEARTBEAT_SECONDS)
            try:
                await asyncio.to_thread(self._beat)
            except Exception as exc:  # counted as a gap; the swap checks it
                log.warning("rebuild heartbeat failed: %r", exc)
                continue
            now = time.monotonic()
            self._largest_gap = max(self._largest_gap, now - last)
            last = now

    def _beat(self) -> None:
        with Session(self.engine) as session:
            control = session.get(Projection, 1)
            if control is None or control.rebuild_id != self.rebuild_id:
                raise RebuildRefused("the projections' control row names another rebuild")
            control.heartbeat_at = utcnow()
            session.add(control)
            session.commit()

    def abandon(self) -> None:
        with Session(self.engine) as session:
            control = session.get(Projection, 1, with_for_update=True)
            if control is not None and control.rebuild_id == self.rebuild_id:
                control.state, control.rebuild_id, control.heartbeat_at = "ready", None, None
                session.add(control)
                connection = session.connection()
                for table in reversed(NEXT.tables):
                    table.drop(connection, checkfirst=True)
            session.commit()

    def swap(self, events: int, seconds: float) -> None:
        if self._largest_gap >= REBUILD_STALE_AFTER.total_seconds():
            self.abandon()
            raise RebuildRefused(
                f"the rebuild's heartbeat lapsed for {self._largest_gap:.0f}s: live consumers "
                "may have stopped writing to its tables; run it again"
            )
        with Session(self.engine) as session:
            control = session.get(Projection, 1, with_for_update=True)
            if control is None or control.rebuild_id != self.rebuild_id:
                raise RebuildRefused("another rebuild took over; its result will be used")
            connection = session.connection()
            for live, following in zip(LIVE.tables, NEXT.tables, strict=True):
                live.drop(connection)
                _rename(connection, following.name, live.name)
            control.state, control.rebuild_id, control.heartbeat_at = "ready", None, None
            control.rebuilt_at, control.rebuilt_events = utcnow(), events
            control.rebuilt_seconds = round(seconds, 3)
            session.add(control)
            session.commit()
        log.info("rebuild swapped in", extra={"events": events, "seconds": round(seconds, 3)})

    # --- reading the topics ------------------------------------------------------------

    async def _partitions(self) -> list[TopicPartition]:
        admin = AIOKafkaAdminClient(bootstrap_servers=self.platform.kafka_bootstrap_servers)
        await admin.start()
        try:
            names = [topic_name(self.platform, t) for t in consumed_topics()]
            described = await admin.describe_topics(names)
        finally:
            await admin.close()
        return sorted(
            TopicPartition(topic["topic"], partition["partition"])
            for topic in described
            if topic["error_code"] == 0
            for partition in topic["partitions"]
        )

    async def _replay(self) -> tuple[int, int, int]:
        partitions = await self._partitions()
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.platform.kafka_bootstrap_servers,
            group_id=f"{self.platform.kafka_topic_prefix}metrics-rebuild-{self.rebuild_id[:8]}",
            client_id="bayanat-metrics-rebuild",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            max_partition_fetch_bytes=self.platform.kafka_max_message_bytes,
        )
        await consumer.start()
        read = applied = skipped = 0
        # A batch is applied (in a thread) while the next one is fetched.
        applying: asyncio.Future[tuple[int, int]] | None = None
        try:
            if not partitions:
                self.progress(0, 0)
                return 0, 0, 0
            consumer.assign(partitions)
            first = await consumer.beginning_offsets(partitions)
            end = await consumer.end_offsets(partitions)
            lost = {str(tp): first[tp] for tp in partitions if first[tp] > 0}
            if lost and not self.allow_truncated_log:
                raise RebuildRefused(
                    f"events were deleted from the log (retention) before offsets {lost}: the "
                    "figures rebuilt from it would be wrong. Set the topics' retention to keep "
                    "every event, or pass --allow-truncated-log to rebuild from what is left"
                )
            total = sum(end[tp] - first[tp] for tp in partitions)
            self.progress(0, total)
            await consumer.seek_to_beginning(*partitions)
            remaining = {tp for tp in partitions if end[tp] > first[tp]}
            size = 0
            while remaining or applying is not None:
                records = []
                if remaining:
                    batches = await consumer.getmany(
                        *remaining, timeout_ms=1000, max_records=self.batch_size
                    )
                    records = [
                        record
                        for tp, batch in batches.items()
                        for record in batch
                        if record.offset < end[tp]
                    ]
                    for tp in list(remaining):
                        if await consumer.position(tp) >= end[tp]:
                            remaining.discard(tp)
                if applying is not None and (records or not remaining):
                    done, invalid = await applying
                    applied, skipped, read = applied + done, skipped + invalid, read + size
                    self.progress(read, total)
                    applying = None
                if records:
                    applying = asyncio.ensure_future(asyncio.to_thread(self.apply_records, records))
                    size = len(records)
            await consumer.commit({tp: end[tp] for tp in partitions})
        finally:
            if applying is not None:  # interrupted: let the batch in hand end first
                await asyncio.gather(applying, return_exceptions=True)
            await consumer.stop()
        return read, applied, skipped

    def apply_records(self, records: list[ConsumerRecord]) -> tuple[int, int]:
        """Apply a batch of records to the next tables: (applied, not valid events)."""
        events, invalid = [], 0
        for record in records:
            try:
                events.append(CloudEvent.from_bytes(record.value))
            except EventParseError:
                invalid += 1
        applied, not_applicable = self.apply_events(events)
        return applied, invalid + not_applicable

    def apply_events(self, events: list[CloudEvent]) -> tuple[int, int]:
        """Keep the facts of these events in the next tables, in one unit of work: (applied,
        with bad data). Objects are folded once all are there (:meth:`fold_all`)."""
        applied = invalid = 0
        with self.units() as uow:
            Projector.of(uow, targets=(NEXT,), folds=False)
            for event in events:
                handler = HANDLERS.get(event.type)
                if handler is None:
                    continue
                try:
                    data = event.payload()
                except EventParseError:
                    invalid += 1
                    continue
                handler(uow, event, data)
                applied += 1
            uow.commit()
        return applied, invalid

    def fold_all(self, chunk: int = 5000) -> int:
        """Fold every object of the next tables from all its facts, ``chunk`` objects per
        transaction; how many."""
        with self.units() as uow:
            keys = objects_with_facts(uow.session, NEXT)
        for start in range(0, len(keys), chunk):
            with self.units() as uow:
                fold_objects(uow.session, NEXT, keys[start : start + chunk])
                uow.commit()
        return len(keys)


def _rename(connection: Connection, old: str, new: str) -> None:
    """``old`` becomes ``new``, its indexes named as ``new``'s (index names are unique per
    database: the next rebuild creates ``old``'s again)."""
    quote = connection.dialect.identifier_preparer.quote
    indexes = inspect(connection).get_indexes(old)
    connection.execute(text(f"ALTER TABLE {quote(old)} RENAME TO {quote(new)}"))
    if connection.dialect.name == "postgresql":
        # The primary key's index, and every other, keep their names: rename them.
        names = connection.execute(
            text("SELECT indexname FROM pg_indexes WHERE tablename = :t"), {"t": new}
        ).scalars()
        for name in names:
            if old in name:
                renamed = name.replace(old, new, 1)
                connection.execute(text(f"ALTER INDEX {quote(name)} RENAME TO {quote(renamed)}"))
        return
    # SQLite renames the primary key's index itself but has no ALTER INDEX: make them anew.
    for index in indexes:
        name = str(index["name"])
        columns = ", ".join(quote(str(c)) for c in index["column_names"])
        connection.execute(text(f"DROP INDEX {quote(name)}"))
        connection.execute(
            text(f"CREATE INDEX {quote(name.replace(old, new, 1))} ON {quote(new)} ({columns})")
        )
