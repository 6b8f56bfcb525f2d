"""Outbox relay throughput (commit → acknowledged by Kafka) next to a raw aiokafka producer.

Both publish the same 10,000 CloudEvents payloads to the same broker, in the same run; the
figure that matters is the ratio (target: the relay reaches at least 0.5 of raw).
"""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from datetime import UTC, date, datetime
from typing import Any

import psycopg
from prometheus_client import REGISTRY
from sqlalchemy import MetaData
from sqlalchemy.engine import make_url
from sqlmodel import Session

from libs.db import make_engine
from libs.events import Topic, new_event
from libs.events.schemas import InstitutionEnrolled, LocalizedText
from libs.messaging.kafka import ensure_topics, make_producer, topic_name
from libs.messaging.outbox import Outbox, OutboxRelay
from libs.messaging.tables import messaging_tables
from libs.settings import PlatformSettings

TOPIC = Topic.GOVERNANCE_INSTITUTIONS


def _events(count: int) -> list[Any]:
    keys = [uuid.uuid4() for _ in range(100)]
    return [
        new_event(
            "bench",
            InstitutionEnrolled(
                institution_id=keys[n % len(keys)],
                slug=f"institution-{n}",
                name=LocalizedText(fr=f"Institution {n}", ar=f"مؤسسة {n}"),
                enrolled_on=date.today(),
                commitment_reference=f"ref-{n}",
            ),
        )
        for n in range(count)
    ]


async def raw_producer_seconds(platform: PlatformSettings, events: list[Any]) -> float:
    producer = make_producer(platform)
    await producer.start()
    try:
        name = topic_name(platform, TOPIC)
        payloads = [(e.subject.encode(), e.model_dump_json().encode()) for e in events]
        started = time.perf_counter()
        futures = [await producer.send(name, value=v, key=k) for k, v in payloads]
        await asyncio.gather(*futures)
        return time.perf_counter() - started
    finally:
        await producer.stop()


async def relay_seconds(platform: PlatformSettings, database_url: str, events: list[Any]) -> float:
    metadata = MetaData()
    tables = messaging_tables(metadata)
    engine = make_engine(database_url)
    metadata.create_all(engine)
    outbox = Outbox(tables.outbox, "bench")
    relay = OutboxRelay(engine=engine, table=tables.outbox, platform=platform, service_name="bench")
    task = asyncio.create_task(relay.run())
    try:
        while not relay.connected:
            await asyncio.sleep(0.05)

        def commit_all() -> float:
            with Session(engine) as session:
                for event in events:
                    outbox.add(session, event, TOPIC)
                session.commit()
            return time.perf_counter()

        def relayed() -> float:
            return (
                REGISTRY.get_sample_value(
                    "bayanat_outbox_events_relayed_total", {"service": "bench"}
                )
                or 0.0
            )

        before = relayed()
        committed = await asyncio.to_thread(commit_all)
        # Acknowledged by Kafka: the relay counts an event once its acknowledgement is in.
        while relayed() - before < len(events):
            await asyncio.sleep(0.002)
        return time.perf_counter() - committed
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        engine.dispose()


def _scratch_database(admin_url: str) -> tuple[str, str]:
    name = f"bench_relay_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    url = make_url(admin_url).set(drivername="postgresql+psycopg", database=name)
    return name, url.render_as_string(hide_password=False)


def _drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def run(admin_url: str, count: int = 10_000, rounds: int = 3) -> dict[str, Any]:
    platform = PlatformSettings().model_copy(
        update={"kafka_topic_prefix": f"bench-{uuid.uuid4().hex[:6]}."}
    )
    await ensure_topics(platform, [TOPIC])
    raw: list[float] = []
    relayed: list[float] = []
    for _ in range(rounds):
        events = _events(count)
        raw.append(await raw_producer_seconds(platform, events))
        name, url = _scratch_database(admin_url)
        try:
            relayed.append(await relay_seconds(platform, url, _events(count)))
        finally:
            _drop_database(admin_url, name)
    raw_rate = count / statistics.median(raw)
    relay_rate = count / statistics.median(relayed)
    return {
        "benchmark": "outbox relay vs raw producer",
        "when": datetime.now(UTC).isoformat(),
        "events": count,
        "rounds": rounds,
        "raw_events_per_second": round(raw_rate),
        "relay_events_per_second": round(relay_rate),
        "ratio": round(relay_rate / raw_rate, 3),
        "target_ratio": 0.5,
        "raw_seconds": [round(s, 3) for s in raw],
        "relay_seconds": [round(s, 3) for s in relayed],
    }
