"""Event delivery against the real broker and PostgreSQL: outbox relay and consumer runner."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import uuid
from collections import defaultdict
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from aiokafka import AIOKafkaProducer
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from sqlalchemy import Engine, func, select
from sqlmodel import Session

from libs.db import make_engine
from libs.events import CloudEvent, Topic, dead_letter_topic, new_event
from libs.events.schemas import InstitutionEnrolled, InstitutionWithdrawn, LocalizedText
from libs.messaging.kafka import ensure_topics
from libs.messaging.outbox import Outbox, OutboxRelay
from libs.settings import PlatformSettings
from services.metrics.app import create_app as create_metrics_app
from services.metrics.settings import MetricsSettings
from tests.support import probe
from tests.support.asyncio_helpers import background, wait_until
from tests.support.brokers import DisposableKafka, free_port
from tests.support.infra import environment, read_topic

REPO = Path(__file__).resolve().parents[2]
TOPIC = Topic.GOVERNANCE_INSTITUTIONS


def isolated(platform: PlatformSettings, **changes: object) -> PlatformSettings:
    """The same broker, with topics and consumer groups of this test's own."""
    prefix = f"{platform.kafka_topic_prefix}{uuid.uuid4().hex[:6]}."
    return platform.model_copy(update={"kafka_topic_prefix": prefix, **changes})


@pytest.fixture
def probe_engine(postgres_url) -> Iterator[Engine]:
    engine = make_engine(postgres_url("probe"))
    probe.metadata.create_all(engine)
    yield engine
    engine.dispose()


def pending_count(engine: Engine) -> int:
    outbox = probe.tables.outbox
    with engine.connect() as connection:
        return int(
            connection.execute(
                select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))
            ).scalar_one()
        )


def make_relay(engine: Engine, platform: PlatformSettings) -> OutboxRelay:
    return OutboxRelay(
        engine=engine,
        table=probe.tables.outbox,
        platform=platform,
        service_name="probe",
        poll_seconds=0.2,
        max_backoff_seconds=2.0,
    )


def consumed(outcome: str) -> float:
    value = REGISTRY.get_sample_value(
        "bayanat_events_consumed_total", {"service": "probe", "outcome": outcome}
    )
    return value or 0.0


def enrolled_event(institution_id: uuid.UUID) -> CloudEvent:
    return new_event(
        "probe",
        InstitutionEnrolled(
            institution_id=institution_id,
            slug="x",
            name=LocalizedText(fr="X"),
            enrolled_on=datetime.now().date(),
        ),
    )


async def produce(
    platform: PlatformSettings, topic: str, values: list[tuple[bytes, bytes]]
) -> None:
    producer = AIOKafkaProducer(
        bootstrap_servers=platform.kafka_bootstrap_servers, enable_idempotence=True
    )
    await producer.start()
    try:
        for key, value in values:
            await producer.send_and_wait(f"{platform.kafka_topic_prefix}{topic}", value, key=key)
    finally:
        await producer.stop()


async def test_state_change_and_event_reach_the_topic_as_a_cloudevent(kafka, probe_engine):
    platform = isolated(kafka)
    await ensure_topics(platform, [TOPIC])
    institution_id = uuid.uuid4()
    written = probe.write_note_with_event(probe_engine, institution_id)

    async with background(make_relay(probe_engine, platform).run()):
        records = await read_topic(platform, TOPIC, until=1)
        await wait_until(lambda: pending_count(probe_engine) == 0, what="outbox row marked sent")

    assert len(records) == 1
    record = records[0]
    assert record.key == str(institution_id).encode()
    assert dict(record.headers)["content-type"] == b"application/cloudevents+json"
    envelope = json.loads(record.value)
    assert envelope["specversion"] == "1.0"
    assert envelope["id"] == str(written.id)
    assert envelope["source"] == "/bayanat/probe"
    assert envelope["type"] == "ma.gov.data.institution.enrolled.v1"
    assert envelope["subject"] == str(institution_id)
    assert envelope["datacontenttype"] == "application/json"
    assert datetime.fromisoformat(envelope["time"]).tzinfo is not None
    payload = CloudEvent.from_bytes(record.value).payload()
    assert isinstance(payload, InstitutionEnrolled)
    assert payload.institution_id == institution_id
    assert payload.name.ar == "مؤسسة 0"


async def test_events_wait_while_kafka_is_down_then_arrive_in_order_once(
    postgres_url, tmp_path_factory
):
    broker = DisposableKafka(tmp_path_factory.mktemp("kafka"))
    await asyncio.to_thread(broker.up)
    try:
        platform = isolated(PlatformSettings(kafka_bootstrap_servers=broker.bootstrap))
        await ensure_topics(platform, [TOPIC])
        engine = make_engine(postgres_url("probe"))
        probe.metadata.create_all(engine)
        metrics_db = f"sqlite:///{tmp_path_factory.mktemp('metrics')}/metrics.db"
        with environment(
            KAFKA_BOOTSTRAP_SERVERS=broker.bootstrap,
            KAFKA_TOPIC_PREFIX=platform.kafka_topic_prefix,
        ):
            app = create_metrics_app(MetricsSettings(database_url=metrics_db))
            client = TestClient(app)
            client.__enter__()
        try:
            ready = await asyncio.to_thread(client.get, "/readyz")
            assert ready.status_code == 200, ready.text
            assert ready.json()["checks"] == {"database": "ok", "kafka": "ok"}

            async with background(make_relay(engine, platform).run()):
                first = probe.write_note_with_event(engine, uuid.uuid4())
                await wait_until(lambda: pending_count(engine) == 0, what="first event sent")

                await asyncio.to_thread(broker.down)
                not_ready = await asyncio.to_thread(client.get, "/readyz")
                assert not_ready.status_code == 503
                assert not_ready.headers["content-type"] == "application/problem+json"
                assert not_ready.json()["checks"]["kafka"] == "unreachable"
                assert not_ready.json()["checks"]["database"] == "ok"

                keys = [uuid.uuid4() for _ in range(3)]
                written: dict[str, list[str]] = defaultdict(list)
                for n in range(30):  # every write commits although Kafka is down
                    key = keys[n % 3]
                    event = probe.write_note_with_event(engine, key, n)
                    written[str(key)].append(str(event.id))
                await asyncio.sleep(2)
                assert pending_count(engine) == 30

                await asyncio.to_thread(broker.up)
                await wait_until(
                    lambda: pending_count(engine) == 0, timeout=90, what="outbox drained"
                )
            ready_again = await asyncio.to_thread(client.get, "/readyz")
            assert ready_again.status_code == 200
        finally:
            client.__exit__(None, None, None)
            engine.dispose()

        records = await read_topic(platform, TOPIC, until=31)
        ids = [CloudEvent.from_bytes(r.value).id for r in records]
        assert len(ids) == 31 and len(set(ids)) == 31, "every event delivered exactly once"
        assert str(ids[0]) == str(first.id) or str(first.id) in map(str, ids)
        received: dict[str, list[str]] = defaultdict(list)
        for record in records:
            received[record.key.decode()].append(str(CloudEvent.from_bytes(record.value).id))
        for subject, event_ids in written.items():
            assert received[subject] == event_ids, f"events of {subject} out of order"
    finally:
        await asyncio.to_thread(broker.down)


async def test_a_redelivered_event_has_one_effect(kafka, probe_engine):
    platform = isolated(kafka)
    await ensure_topics(platform, [TOPIC])
    event = enrolled_event(uuid.uuid4())
    duplicates_before = consumed("duplicate")
    await produce(platform, TOPIC, [(event.subject.encode(), event.to_bytes())] * 2)

    async with background(probe.make_consumer(probe_engine, platform).run()):
        await wait_until(lambda: consumed("duplicate") > duplicates_before, what="redelivery")

    assert probe.effect_count(probe_engine, event.subject) == 1


async def test_a_batch_applies_each_event_once_and_sets_a_failing_one_aside(kafka, probe_engine):
    platform = isolated(kafka)
    dlq = dead_letter_topic("probe")
    await ensure_topics(platform, [TOPIC, dlq])
    events = [enrolled_event(uuid.uuid4()) for _ in range(40)]
    # Every event twice, the second copy often in the same fetch.
    values = [(e.subject.encode(), e.to_bytes()) for e in events]
    await produce(platform, TOPIC, values + values)
    units_of_work: list[int] = []
    original = probe.on_institution_enrolled

    def mark() -> None:
        units_of_work.append(1)

    def counting(uow, event, data):
        uow.before_commit(mark)  # runs once per unit of work, however many events it applies
        original(uow, event, data)

    consumer = probe.make_consumer(probe_engine, platform, batch_size=100)
    consumer.handlers[InstitutionEnrolled.event_type] = counting
    async with background(consumer.run()):
        await wait_until(lambda: probe.effect_count(probe_engine) == 40, what="the events")
        assert [probe.effect_count(probe_engine, e.subject) for e in events] == [1] * 40
        assert len(units_of_work) < 40, "the events of a fetch share one unit of work"

        # A failing event fails its batch: the others are applied one by one, it is set aside.
        doomed = new_event(
            "probe",
            InstitutionWithdrawn(institution_id=uuid.uuid4(), withdrawn_on=datetime.now().date()),
        )
        after = [enrolled_event(uuid.uuid4()) for _ in range(5)]
        await produce(
            platform,
            TOPIC,
            [(doomed.subject.encode(), doomed.to_bytes())]
            + [(e.subject.encode(), e.to_bytes()) for e in after],
        )
        await wait_until(lambda: probe.effect_count(probe_engine) == 45, what="the others")
        records = await read_topic(platform, dlq, until=1)

    assert [r.value for r in records] == [doomed.to_bytes()]
    assert probe.effect_count(probe_engine) == 45


async def test_a_batching_consumer_applies_events_in_the_order_they_were_produced(
    kafka, probe_engine
):
    """Events spread over the topic's partitions, each fetch a stretch of one of them: the
    batches still follow the order of production (the records' timestamps) across them."""
    platform = isolated(kafka)
    await ensure_topics(platform, [TOPIC])
    events = [enrolled_event(uuid.uuid4()) for _ in range(3000)]
    producer = AIOKafkaProducer(
        bootstrap_servers=platform.kafka_bootstrap_servers, enable_idempotence=True
    )
    await producer.start()
    try:
        start = int(datetime.now().timestamp() * 1000)
        sent = [
            await producer.send(
                f"{platform.kafka_topic_prefix}{TOPIC}",
                event.to_bytes(),
                key=event.subject.encode(),
                timestamp_ms=start + n,  # one millisecond apart: no two alike
            )
            for n, event in enumerate(events)
        ]
        await asyncio.gather(*sent)
    finally:
        await producer.stop()
    seen: list[str] = []
    original = probe.on_institution_enrolled

    def recording(uow, event, data):
        seen.append(str(event.id))
        original(uow, event, data)

    # Fetches of up to 1000 records; the merge may hold four times that, all of them here.
    consumer = probe.make_consumer(probe_engine, platform, batch_size=1000)
    consumer.handlers[InstitutionEnrolled.event_type] = recording
    # It waits this long, at most, for a partition behind: long enough for a fetch on a loaded
    # machine (the order is under test, not how long it waits).
    consumer.merge_wait = 5.0
    async with background(consumer.run()):
        await wait_until(lambda: probe.effect_count(probe_engine) == 3000, what="the events")
    assert len(set(seen)) == 3000
    assert seen == [str(event.id) for event in events]


async def test_consumer_killed_before_offset_commit_has_no_second_effect(kafka, probe_engine):
    platform = isolated(kafka)
    await ensure_topics(platform, [TOPIC])
    event = enrolled_event(uuid.uuid4())
    await produce(platform, TOPIC, [(event.subject.encode(), event.to_bytes())])

    # First consumer: commits offsets only every hour, so a kill leaves them uncommitted.
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.support.probe_consumer_process",
            probe_engine.url.render_as_string(hide_password=False),
            "3600",
        ],
        cwd=REPO,
        env={**os.environ, "KAFKA_TOPIC_PREFIX": platform.kafka_topic_prefix},
    )
    try:
        await wait_until(
            lambda: probe.effect_count(probe_engine, event.subject) == 1,
            timeout=60,
            what="the first consumer's effect",
        )
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)

    duplicates_before = consumed("duplicate")
    async with background(probe.make_consumer(probe_engine, platform).run()):
        await wait_until(lambda: consumed("duplicate") > duplicates_before, what="replay")

    assert probe.effect_count(probe_engine, event.subject) == 1


async def test_bad_messages_go_to_the_dead_letter_topic_and_consumption_goes_on(
    kafka, probe_engine
):
    platform = isolated(kafka)
    dlq = dead_letter_topic("probe")
    await ensure_topics(platform, [TOPIC, dlq])
    doomed = new_event(
        "probe",
        InstitutionWithdrawn(institution_id=uuid.uuid4(), withdrawn_on=datetime.now().date()),
    )
    good = enrolled_event(uuid.uuid4())
    await produce(
        platform,
        TOPIC,
        [
            (b"k", b"{not json"),
            (doomed.subject.encode(), doomed.to_bytes()),
            (good.subject.encode(), good.to_bytes()),
        ],
    )

    async with background(probe.make_consumer(probe_engine, platform).run()):
        await wait_until(
            lambda: probe.effect_count(probe_engine, good.subject) == 1, what="good event"
        )
        records = await read_topic(platform, dlq, until=2)

    assert len(records) == 2
    by_value = {r.value: dict(r.headers) for r in records}
    malformed = by_value[b"{not json"]
    assert b"not JSON" in malformed["bayanat-error"]
    assert malformed["bayanat-original-topic"] == f"{platform.kafka_topic_prefix}{TOPIC}".encode()
    failing = by_value[doomed.to_bytes()]
    assert b"this handler always fails" in failing["bayanat-error"]
    assert failing["bayanat-consumer"] == b"probe"


async def test_events_wait_while_the_database_is_away_and_none_is_dead_lettered(
    kafka, probe_engine
):
    platform = isolated(kafka)
    await ensure_topics(platform, [TOPIC])
    events = [enrolled_event(uuid.uuid4()) for _ in range(3)]
    # A server that is not there: each try is refused, as while PostgreSQL restarts.
    away = probe.units(make_engine(f"postgresql+psycopg://bayanat:x@127.0.0.1:{free_port()}/x"))
    here = probe.units(probe_engine)
    consumer = probe.make_consumer(probe_engine, platform)
    # Three times the attempts a failing handler is given before it is set aside.
    outage_tries, tries = 3 * consumer.max_attempts, 0

    def unit_of_work():
        nonlocal tries
        tries += 1
        return away() if tries <= outage_tries else here()

    consumer.unit_of_work = unit_of_work
    dead_lettered = consumed("dead_lettered")
    await produce(platform, TOPIC, [(e.subject.encode(), e.to_bytes()) for e in events])
    async with background(consumer.run()):
        await wait_until(lambda: probe.effect_count(probe_engine) == 3, what="the events")

    assert tries > outage_tries
    assert [probe.effect_count(probe_engine, e.subject) for e in events] == [1, 1, 1]
    assert consumed("dead_lettered") == dead_lettered


async def test_one_relay_per_service_holds_the_lock_and_another_takes_over(kafka, probe_engine):
    platform = isolated(kafka)
    await ensure_topics(platform, [TOPIC])
    first, second = make_relay(probe_engine, platform), make_relay(probe_engine, platform)
    async with background(first.run()) as first_task:
        await wait_until(lambda: first.holds_lock, what="the first relay's lock")
        async with background(second.run()):
            await asyncio.sleep(1)
            assert first.holds_lock and not second.holds_lock
            first_task.cancel()
            await wait_until(lambda: second.holds_lock, what="the second relay takes over")
            written = probe.write_note_with_event(probe_engine, uuid.uuid4())
            await wait_until(lambda: pending_count(probe_engine) == 0, what="delivery")
    records = await read_topic(platform, TOPIC, until=1)
    assert [CloudEvent.from_bytes(r.value).id for r in records] == [written.id]


async def test_large_events_and_many_subjects_keep_their_order(kafka, probe_engine):
    platform = isolated(kafka)
    await ensure_topics(platform, [TOPIC])
    keys = [uuid.uuid4() for _ in range(7)]
    written: dict[str, list[str]] = defaultdict(list)
    outbox = Outbox(probe.tables.outbox, "probe")
    with Session(probe_engine) as session:
        for n in range(2500):  # several record batches per partition
            key = keys[n % len(keys)]
            # Every 500th event is larger than a record batch (256 KiB) by itself.
            reference = "x" * 400_000 if n % 500 == 0 else str(n)
            event = outbox.publish(
                session,
                InstitutionEnrolled(
                    institution_id=key,
                    slug=f"i-{n}",
                    name=LocalizedText(fr=f"I {n}"),
                    enrolled_on=datetime.now().date(),
                    commitment_reference=reference,
                ),
            )
            written[str(key)].append(str(event.id))
        session.commit()

    async with background(make_relay(probe_engine, platform).run()):
        await wait_until(lambda: pending_count(probe_engine) == 0, timeout=60, what="drained")
    records = await read_topic(platform, TOPIC, until=2500, timeout=60)
    received: dict[str, list[str]] = defaultdict(list)
    for record in records:
        received[record.key.decode()].append(str(CloudEvent.from_bytes(record.value).id))
    assert received == written
