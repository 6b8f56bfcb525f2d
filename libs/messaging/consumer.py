"""The consumer runner: idempotent handlers, manual offset commits, a dead-letter topic."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRebalanceListener, TopicPartition
from aiokafka.errors import IllegalStateError
from aiokafka.structs import ConsumerRecord
from prometheus_client import Counter
from pydantic_core import to_json
from sqlalchemy import Table, insert, text
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session, select

from libs.events import CloudEvent, EventData, EventParseError, dead_letter_topic, payload_model
from libs.logs import event_id_var
from libs.messaging.kafka import make_producer, topic_name
from libs.messaging.merge import TimestampMerge
from libs.settings import PlatformSettings
from libs.uow import UnitOfWork

log = logging.getLogger("bayanat.consumer")

Handler = Callable[[UnitOfWork, CloudEvent, Any], None]
"""``on_<event>(uow, event, data)``: applies the event in the runner's unit of work, which the
runner commits together with the event's id (a handler never commits)."""

# A record, its event, the event's payload and the handler that applies it.
_Parsed = tuple[ConsumerRecord, CloudEvent, EventData, Handler]

EVENTS_CONSUMED = Counter(
    "bayanat_events_consumed_total",
    "Events taken from Kafka by outcome (applied, duplicate, ignored, dead_lettered)",
    ["service", "outcome"],
)


# The merge of partitions (batch_size > 1) holds up to this many batches of records while it
# waits for partitions behind: a consumer catching up fetches a stretch of one partition at a
# time. How long it waits, at most, when no batch is being applied: ``merge_wait_seconds``.
MERGE_BATCHES = 4

# How long, at most, between two tries of an event while its database is away.
DATABASE_RETRY_CAP_SECONDS = 5.0


def database_unavailable(error: BaseException) -> bool:
    """The database could not be reached, dropped the connection or refused for now (restart,
    failover, lock timeout, no pooled connection): the event is not at fault."""
    return isinstance(error, OperationalError | InterfaceError | PoolTimeout)


class _CommitOnRevoke(ConsumerRebalanceListener):
    def __init__(self, runner: EventConsumer) -> None:
        self.runner = runner

    async def on_partitions_revoked(self, revoked: list[TopicPartition]) -> None:
        await self.runner.revoked(set(revoked))

    async def on_partitions_assigned(self, assigned: list[TopicPartition]) -> None:
        self.runner.assigned = set(assigned)


class EventConsumer:
    """Consumes the topics of the handled event types as the group ``<service>``.

    Each event's effect and its id are committed in one database transaction (the
    ``processed_events`` table), and the Kafka offset only after that: a redelivered event
    finds its id and has no second effect. A message that is not a valid event, or whose
    handler fails ``max_attempts`` times, goes to the service's dead-letter topic with the
    error, and consumption moves on. While the database is away (:func:`database_unavailable`)
    an event is tried again until it is back, without counting attempts: a restart of the
    database must not set aside the events that arrive meanwhile.

    With ``batch_size`` above 1, events are applied up to that many at a time in one
    unit of work: one statement records their ids and says which are new, one commit, and the
    handlers' ``before_commit`` steps run once for them all (a projection writes in bulk). The
    handlers are the same; if the batch fails, its events are applied again one by one, so that
    a bad one is retried and dead-lettered alone. Batches follow the order in which the events
    were produced across partitions (:class:`~libs.messaging.merge.TimestampMerge`): a
    consumer catching up on several topics does not get one topic's stretch of time, then
    another's. The next batch is fetched and parsed while one is applied; they are applied
    one after the other.
    """

    def __init__(
        self,
        *,
        service_name: str,
        unit_of_work: Callable[[], UnitOfWork],
        processed_table: Table,
        platform: PlatformSettings,
        handlers: Mapping[str, Handler],
        max_attempts: int = 3,
        commit_interval_seconds: float = 0.0,
        retry_delay_seconds: float = 0.2,
        merge_wait_seconds: float = 0.2,
        batch_size: int = 1,
    ) -> None:
        unknown = [t for t in handlers if payload_model(t) is None]
        if unknown:
            raise ValueError(f"handlers for unregistered event types: {unknown}")
        self.service_name = service_name
        self.unit_of_work = unit_of_work
        self.processed = processed_table
        self.platform = platform
        self.handlers = dict(handlers)
        self.max_attempts = max_attempts
        self.commit_interval = commit_interval_seconds
        self.retry_delay = retry_delay_seconds
        self.merge_wait = merge_wait_seconds
        self.batch_size = max(1, batch_size)
        self.topics = sorted({payload_model(t).topic.value for t in handlers})  # type: ignore[union-attr]
        self.group_id = f"{platform.kafka_topic_prefix}{service_name}"
        self.dead_letter_topic = topic_name(platform, dead_letter_topic(service_name))
        self.assigned: set[TopicPartition] = set()
        self.connected = False
        self._consumer: AIOKafkaConsumer | None = None
        self._pending: dict[TopicPartition, int] = {}
        self._applying: asyncio.Task[None] | None = None
        self._merge = TimestampMerge(crowded_at=MERGE_BATCHES * self.batch_size)

    async def run(self) -> None:
        if not self.handlers:
            return
        backoff = 0.25
        while True:
            try:
                await self._run_connected()
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self.connected = False
                log.warning("consumer interrupted, retrying in %.1fs: %r", backoff, exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 10.0)
            else:
                backoff = 0.25

    async def _run_connected(self) -> None:
        consumer = AIOKafkaConsumer(
            bootstrap_servers=self.platform.kafka_bootstrap_servers,
            group_id=self.group_id,
            client_id=f"bayanat-{self.service_name}",
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            isolation_level="read_committed",
            max_partition_fetch_bytes=self.platform.kafka_max_message_bytes,
        )
        producer = make_producer(self.platform)
        self._pending = {}
        self._applying = None
        self._merge = TimestampMerge(crowded_at=MERGE_BATCHES * self.batch_size)
        try:
            await consumer.start()
            self._consumer = consumer
            consumer.subscribe(
                [topic_name(self.platform, t) for t in self.topics],
                listener=_CommitOnRevoke(self),
            )
            await producer.start()
            self.connected = True
            last_commit = time.monotonic()
            while True:
                if self.batch_size > 1:
                    await self._next_batch(consumer, producer)
                else:
                    batches = await consumer.getmany(timeout_ms=500, max_records=500)
                    for partition, records in batches.items():
                        for record in records:
                            await self._handle(record, producer)
                            self._pending[partition] = record.offset + 1
                if self._pending and time.monotonic() - last_commit >= self.commit_interval:
                    await self.commit_pending()
                    last_commit = time.monotonic()
        finally:
            if self._applying is not None:  # let the batch in hand end (its thread would anyway)
                await asyncio.gather(self._applying, return_exceptions=True)
                self._applying = None
            self.connected = False
            self._consumer = None
            for client in (consumer, producer):
                try:
                    await asyncio.wait_for(client.stop(), 10)
                except Exception:
                    log.debug("client stop failed", exc_info=True)

    async def _next_batch(self, consumer: AIOKafkaConsumer, producer: Any) -> None:
        """Fetch the next batch, in the order its events were produced across partitions
        (:class:`TimestampMerge`), and parse it while the previous one is applied (its
        database work leaves this thread free); then apply it in turn. Batches are applied,
        and their offsets committed, one after the other in the order they were taken."""
        merge = self._merge
        busy = self._applying is not None or len(merge) > 0
        merge.add(
            await consumer.getmany(timeout_ms=0 if busy else 500, max_records=self.batch_size)
        )
        lagging = await self._lagging(consumer)
        # A partition fetched beyond where one behind stopped is not fetched from until that
        # one catches up: what it would bring now would only wait.
        assigned = consumer.assignment()
        ahead, paused = merge.ahead(lagging) & assigned, consumer.paused() & assigned
        consumer.pause(*(ahead - paused))
        consumer.resume(*(paused - ahead))
        deadline = time.monotonic() + self.merge_wait
        while not merge.crowded() and (
            dry := [p for p in lagging if not merge.buffered(p) and p not in ahead]
        ):
            # What they have fetched, or bring within a moment (a fetch that brought only
            # other partitions' records ends the wait early: wait again, until the deadline).
            left = deadline - time.monotonic()
            if left <= 0:
                if self._applying is None or self._applying.done():
                    break
                left = 0.05  # the batch in hand is still being applied: waiting costs nothing
            merge.add(
                await consumer.getmany(
                    *dry, timeout_ms=int(left * 1000), max_records=self.batch_size
                )
            )
            lagging = await self._lagging(consumer)
        # Records are held back for a partition behind only while others can be taken; if
        # none can, the partition behind brings nothing for now: take them, and fetch from
        # every partition again.
        records = merge.take(self.batch_size, lagging)
        if not records:
            records = merge.take(self.batch_size)
            consumer.resume(*(consumer.paused() & consumer.assignment()))
        items = await self._parse_all(records, producer)
        await self._applied()
        offsets: dict[TopicPartition, int] = {}
        for record in records:
            offsets[TopicPartition(record.topic, record.partition)] = record.offset + 1
        if items:
            self._applying = asyncio.create_task(self._apply_then_mark(items, offsets, producer))
        else:
            self._pending.update(offsets)

    async def _lagging(self, consumer: AIOKafkaConsumer) -> list[TopicPartition]:
        """The assigned partitions that hold records not fetched yet, or not fetched from yet
        (once they have, their highwater offset is known, even where they are empty)."""
        lagging = []
        for partition in consumer.assignment():
            highwater = consumer.highwater(partition)
            try:
                if highwater is None or highwater > await consumer.position(partition):
                    lagging.append(partition)
            except IllegalStateError:  # revoked meanwhile (a rebalance)
                continue
        return lagging

    async def _applied(self) -> None:
        """Wait for the batch being applied, if any (its offsets are then pending)."""
        applying = self._applying
        if applying is not None:
            await asyncio.shield(applying)
            self._applying = None

    async def _apply_then_mark(
        self, items: list[_Parsed], offsets: dict[TopicPartition, int], producer: Any
    ) -> None:
        await self._handle_batch(items, producer)
        consumer = self._consumer
        # A partition revoked meanwhile is not ours to commit: its next owner reads it again
        # from the offset last committed, and finds these events in its inbox.
        assigned = consumer.assignment() if consumer is not None else set()
        self._pending.update({tp: offset for tp, offset in offsets.items() if tp in assigned})

    async def revoked(self, partitions: set[TopicPartition]) -> None:
        """These partitions are no longer ours: once the batch in hand is applied, commit what
        was applied of them (their next owner reads on from there), and forget what was
        fetched of them and not applied."""
        await self._applied()
        await self.commit_pending(partitions)
        self._merge.drop(partitions)

    async def commit_pending(self, only: set[TopicPartition] | None = None) -> None:
        consumer = self._consumer
        offsets = {tp: offset for tp, offset in self._pending.items() if only is None or tp in only}
        if consumer is None or not offsets:
            return
        await consumer.commit(offsets)
        for tp in offsets:
            self._pending.pop(tp, None)

    async def _parse(
        self, record: ConsumerRecord, producer: Any
    ) -> tuple[CloudEvent, EventData, Handler] | None:
        """The event, its payload and its handler; None when it is ignored or dead-lettered."""
        try:
            event = CloudEvent.from_bytes(record.value)
            handler = self.handlers.get(event.type)
            if handler is None:
                EVENTS_CONSUMED.labels(self.service_name, "ignored").inc()
                return None
            return event, event.payload(), handler
        except EventParseError as exc:
            await self._dead_letter(record, producer, exc)
            return None

    async def _handle(self, record: ConsumerRecord, producer: Any) -> None:
        parsed = await self._parse(record, producer)
        if parsed is not None:
            await self._apply_with_retries(record, *parsed, producer)

    async def _parse_all(self, records: list[ConsumerRecord], producer: Any) -> list[_Parsed]:
        """The records that are events this consumer handles, parsed (the others ignored or
        dead-lettered)."""
        items: list[_Parsed] = []
        for record in records:
            parsed = await self._parse(record, producer)
            if parsed is not None:
                items.append((record, *parsed))
        return items

    async def _handle_batch(self, items: list[_Parsed], producer: Any) -> None:
        try:
            applied = await asyncio.to_thread(self._apply_batch, items)
        except Exception as exc:
            log.warning("batch of %d events failed, applying them one by one: %r", len(items), exc)
            for item in items:
                await self._apply_with_retries(*item, producer)
            return
        EVENTS_CONSUMED.labels(self.service_name, "applied").inc(applied)
        if len(items) > applied:
            EVENTS_CONSUMED.labels(self.service_name, "duplicate").inc(len(items) - applied)
        log.info("events applied", extra={"applied": applied, "received": len(items)})

    def _apply_batch(self, items: list[_Parsed]) -> int:
        """Apply the events not seen yet in one unit of work; how many were applied.

        Their ids are recorded first, in one statement that says which were new: a
        concurrent delivery of one of them waits for this unit, then finds it recorded."""
        now = datetime.now(UTC)
        ids = [str(event.id) for _, event, _, _ in items]
        rows: dict[str, dict[str, Any]] = {}
        for (record, event, _, _), event_id in zip(items, ids, strict=True):
            rows.setdefault(
                event_id, {"event_type": event.type, "topic": record.topic, "processed_at": now}
            )
        with self.unit_of_work() as uow:
            fresh = claim_events(uow.session, self.processed, rows)
            applied = len(fresh)
            for (_, event, data, handler), event_id in zip(items, ids, strict=True):
                if event_id not in fresh:
                    continue
                fresh.discard(event_id)  # a second copy in the same fetch is a duplicate
                token = event_id_var.set(event_id)
                try:
                    handler(uow, event, data)
                finally:
                    event_id_var.reset(token)
            uow.commit()
        return applied

    async def _apply_with_retries(
        self,
        record: ConsumerRecord,
        event: CloudEvent,
        data: EventData,
        handler: Handler,
        producer: Any,
    ) -> None:
        token = event_id_var.set(str(event.id))
        try:
            error: Exception | None = None
            attempt, outage_delay = 1, self.retry_delay
            while attempt <= self.max_attempts:
                try:
                    applied = await asyncio.to_thread(self._apply, record, event, data, handler)
                except Exception as exc:
                    if database_unavailable(exc):
                        log.warning(
                            "database unavailable, trying again in %.1fs: %r",
                            outage_delay,
                            exc,
                            extra={"event_type": event.type},
                        )
                        await asyncio.sleep(outage_delay)
                        outage_delay = min(outage_delay * 2, DATABASE_RETRY_CAP_SECONDS)
                        continue
                    error = exc
                    log.warning(
                        "handler failed (attempt %d of %d): %r",
                        attempt,
                        self.max_attempts,
                        exc,
                        extra={"event_type": event.type},
                    )
                    if attempt < self.max_attempts:
                        await asyncio.sleep(self.retry_delay * attempt)
                    attempt += 1
                    continue
                outcome = "applied" if applied else "duplicate"
                EVENTS_CONSUMED.labels(self.service_name, outcome).inc()
                log.info("event %s", outcome, extra={"event_type": event.type})
                return
            assert error is not None
            await self._dead_letter(record, producer, error)
        finally:
            event_id_var.reset(token)

    def _apply(
        self, record: ConsumerRecord, event: CloudEvent, data: EventData, handler: Handler
    ) -> bool:
        table = self.processed
        event_id = str(event.id)
        seen = select(table.c.event_id).where(table.c.event_id == event_id)
        try:
            with self.unit_of_work() as uow:
                if uow.session.exec(seen).first():
                    return False
                handler(uow, event, data)
                uow.session.exec(
                    insert(table).values(
                        event_id=event_id,
                        event_type=event.type,
                        topic=record.topic,
                        processed_at=datetime.now(UTC),
                    )
                )
                uow.commit()
        except IntegrityError:
            # Another delivery of the same event won the race; it had the effect.
            with self.unit_of_work() as uow:
                if uow.session.exec(seen).first():
                    return False
            raise
        return True

    async def _dead_letter(self, record: ConsumerRecord, producer: Any, error: Exception) -> None:
        headers = [
            ("content-type", b"application/cloudevents+json"),
            ("bayanat-error", repr(error)[:4000].encode()),
            ("bayanat-consumer", self.service_name.encode()),
            ("bayanat-original-topic", record.topic.encode()),
            ("bayanat-original-partition", str(record.partition).encode()),
            ("bayanat-original-offset", str(record.offset).encode()),
        ]
        await producer.send_and_wait(
            self.dead_letter_topic, value=record.value, key=record.key, headers=headers
        )
        EVENTS_CONSUMED.labels(self.service_name, "dead_lettered").inc()
        log.error(
            "event dead-lettered: %r",
            error,
            extra={"topic": record.topic, "offset": record.offset},
        )


def claim_events(session: Session, table: Table, rows: Mapping[str, Mapping[str, Any]]) -> set[str]:
    """Record these events (by id: their type, topic and moment) in the ``processed_events``
    ``table``, in one statement and in id order (two units that claim the same events never
    wait for each other in a cycle); the ids that were not recorded yet."""
    if not rows:
        return set()
    ids = sorted(rows)
    if session.get_bind().dialect.name == "postgresql":
        # The rows as one JSON document: a statement as short as one row's, whatever their
        # number (the driver would build a multi-row VALUES, or arrays, item by item).
        quote = session.get_bind().dialect.identifier_preparer.quote
        statement = text(
            f"INSERT INTO {quote(table.name)} (event_id, event_type, topic, processed_at) "
            "SELECT event_id, event_type, topic, processed_at FROM json_to_recordset("
            "CAST(:rows AS json)) AS r(event_id varchar, event_type varchar, topic varchar, "
            "processed_at timestamptz) ON CONFLICT (event_id) DO NOTHING RETURNING event_id"
        )
        document = to_json([{"event_id": i, **rows[i]} for i in ids]).decode()
        return set(session.execute(statement, {"rows": document}).scalars().all())
    insert_new = (
        sqlite_insert(table)
        .on_conflict_do_nothing(index_elements=["event_id"])
        .returning(table.c.event_id)
    )
    return set(session.execute(insert_new, [{"event_id": i, **rows[i]} for i in ids]).scalars())
