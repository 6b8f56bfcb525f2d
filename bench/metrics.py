"""Metrics benchmark: the consumer's throughput next to raw consumption, the rebuild, and the
latency from a producer's outbox to the indicator API.

1. A synthetic programme of N events (default 100,000) is produced to the real topics in the
   order things happen: institutions enrolled (a few withdrawn), datasets submitted,
   reviewed, published, updated, some flagged overdue, some withdrawn; reuses declared,
   verified, updated, removed.
2. (a) Raw consumption: a bare aiokafka consumer reads the N records (assigned partitions,
   from the beginning, 500 records per fetch), nothing else done with them; measured before
   and after (b), the median taken.
   (b) The metrics consumer (libs' consumer runner with the metrics handlers, batch size from
   the settings, the garbage collector tuned as the service tunes it) applies them to a fresh
   PostgreSQL database: parsed, deduplicated through the inbox, folded into the projections,
   committed. Both timed from the moment their
   partitions are assigned. Target: (b)/(a) ≥ 0.3.
   (c) A second reference: raw consumption and each record parsed as a CloudEvent, its
   envelope and payload validated — the least any consumer of these events does. The
   results give the cost of fetching an event and of validating it: a consumer that only
   validated would reach (c)/(a), the ceiling of the ratio.
   (d) Two floors of durability, validation left out (it is (c)): a consumer that parses
   each record's JSON and keeps it in PostgreSQL, deduplicated by its id (COPY into a
   staging table, then INSERT … ON CONFLICT DO NOTHING into a table keyed by the id, one
   commit per fetch, the next fetch read while one is written) — first the ids only (an
   inbox and nothing else), then the ids with the events' type, subject, time and data (what
   a projection needs). A consumer that validates the events and applies them exactly once
   through a PostgreSQL inbox does the work of (c) and of (d) and is slower than either.
3. The rebuild of those N events (``bayanat metrics rebuild``'s code: replay into new tables,
   swap) on the same database.
4. Latency: the metrics service runs as a uvicorn process on that database; a producer
   commits an ``institution enrolled`` event to its outbox (the relay publishes it) and the
   time until ``GET /api/v1/indicators/institutions_taking_part`` shows it is measured, one
   event at a time (p50, p95).

Results: JSON at the output path and a Markdown table next to it. ``python -m bench --only
metrics [--events 10000]`` or ``python -m bench.metrics --events 10000``.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import json
import random
import statistics
import time
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
from aiokafka import AIOKafkaConsumer, TopicPartition
from pydantic_core import from_json, to_json
from sqlalchemy import MetaData

from bench.processes import (
    drop_database,
    free_port,
    percentile,
    scratch_database,
    sqlalchemy_url,
    uvicorn_process,
)
from libs.db import make_engine, upgrade
from libs.events import CONTENT_TYPE, CloudEvent, EventData, new_event, payload_model
from libs.events.schemas import (
    DatasetOverdue,
    DatasetPublished,
    DatasetSubmitted,
    DatasetUpdated,
    DatasetWithdrawn,
    InstitutionEnrolled,
    InstitutionWithdrawn,
    LocalizedText,
    ResourceSummary,
    ReuseDeclared,
    ReuseRemoved,
    ReuseUpdated,
    ReuseVerified,
    ReviewDecided,
    ReviewOpened,
)
from libs.messaging.consumer import EVENTS_CONSUMED, EventConsumer
from libs.messaging.kafka import ensure_topics, make_producer, topic_name
from libs.messaging.outbox import Outbox, OutboxRelay
from libs.messaging.tables import messaging_tables
from libs.service import tune_garbage_collector
from libs.settings import PlatformSettings, var_dir
from libs.uow import UnitOfWorkFactory
from services.metrics.app import MIGRATIONS_DIR
from services.metrics.handlers import HANDLERS
from services.metrics.models import messaging
from services.metrics.rebuild import Rebuild, consumed_topics
from services.metrics.settings import MetricsSettings

TARGET_RATIO = 0.3
START = datetime(2019, 1, 1, tzinfo=UTC)
THEMES = ["sante", "education", "transport", "environnement", "economie-finances", "emploi"]
FORMATS = [["CSV"], ["CSV", "JSON"], ["PDF"], ["XLSX"], ["API"], ["GEOJSON", "SHP"], ["RDF"]]


# --- a synthetic programme --------------------------------------------------------------------


class Programme:
    """Events of a synthetic programme, each with the moment it happened."""

    def __init__(self, seed: int = 7) -> None:
        self.rng = random.Random(seed)
        self.timeline: list[tuple[datetime, CloudEvent]] = []

    def add(self, service: str, data: EventData, moment: datetime) -> None:
        self.timeline.append((moment, new_event(service, data, time=moment)))

    def institutions(self, count: int) -> list[uuid.UUID]:
        ids = [uuid.uuid4() for _ in range(count)]
        for n, institution in enumerate(ids):
            day = (START + timedelta(days=self.rng.randrange(400))).date()
            self.add(
                "governance",
                InstitutionEnrolled(
                    institution_id=institution,
                    slug=f"institution-{n}",
                    name=LocalizedText(fr=f"Institution {n}", ar=f"مؤسسة {n}"),
                    kind=self.rng.choice(["ministry", "public_body", "local_authority"]),
                    enrolled_on=day,
                ),
                _start(day),
            )
            if self.rng.random() < 0.05:
                gone = day + timedelta(days=self.rng.randrange(30, 300))
                self.add(
                    "governance",
                    InstitutionWithdrawn(institution_id=institution, withdrawn_on=gone),
                    _start(gone),
                )
        return ids

    def dataset(self, institution: uuid.UUID, n: int) -> uuid.UUID:
        rng, dataset = self.rng, uuid.uuid4()
        t = START + timedelta(days=rng.randrange(700), minutes=rng.randrange(1440))
        formats = rng.choice(FORMATS)
        themes = rng.sample(THEMES, k=rng.choice([1, 1, 2]))
        common = {"dataset_id": dataset, "slug": f"dataset-{n}", "institution_id": institution}
        self.add(
            "catalog",
            DatasetSubmitted(
                **common,
                submitted_by=uuid.uuid4(),
                submitted_at=t,
                title=LocalizedText(fr=f"Jeu {n}", ar=f"مجموعة {n}"),
                themes=themes,
                license_id="cc-by",
                license_is_open=rng.random() < 0.8,
                spatial=["souss-massa"] if rng.random() < 0.3 else [],
                resources=[
                    ResourceSummary(id=uuid.uuid4(), url=f"https://d.example/{n}", format=f)
                    for f in formats
                ],
            ),
            t,
        )
        review = {"review_id": uuid.uuid4(), "dataset_id": dataset, "institution_id": institution}
        self.add(
            "governance",
            ReviewOpened(
                **review, opened_at=t + timedelta(hours=1), quality_score=rng.randrange(40, 100)
            ),
            t + timedelta(hours=1),
        )
        decided = t + timedelta(hours=5)
        self.add(
            "governance",
            ReviewDecided(
                **review, decision="approved", decided_by=uuid.uuid4(), decided_at=decided
            ),
            decided,
        )
        published = t + timedelta(hours=6)
        self.add(
            "catalog",
            DatasetPublished(
                **common,
                title=LocalizedText(fr=f"Jeu {n}", ar=f"مجموعة {n}"),
                themes=themes,
                license_id="cc-by",
                license_is_open=True,
                formats=formats,
                frequency="MONTHLY",
                published_at=published,
            ),
            published,
        )
        last = published
        for _ in range(rng.choice([0, 1, 1, 2, 3])):
            last = last + timedelta(days=rng.randrange(20, 60))
            self.add(
                "catalog",
                DatasetUpdated(
                    **common,
                    frequency="MONTHLY",
                    formats=formats,
                    last_data_update=last,
                    updated_at=last,
                ),
                last,
            )
        if rng.random() < 0.15:
            due = last + timedelta(days=38)
            self.add(
                "governance",
                DatasetOverdue(
                    dataset_id=dataset,
                    institution_id=institution,
                    frequency="MONTHLY",
                    last_data_update=last,
                    due_at=due,
                    detected_at=due + timedelta(hours=1),
                ),
                due + timedelta(hours=1),
            )
        if rng.random() < 0.05:
            gone = last + timedelta(days=rng.randrange(1, 90))
            self.add("catalog", DatasetWithdrawn(**common, withdrawn_at=gone), gone)
        return dataset

    def reuse(self, datasets: list[uuid.UUID], institutions: list[uuid.UUID]) -> None:
        rng, reuse = self.rng, uuid.uuid4()
        t = START + timedelta(days=rng.randrange(100, 730))
        cited = rng.sample(datasets, k=min(len(datasets), rng.choice([1, 1, 2, 3])))
        described: dict[str, Any] = {
            "reuse_id": reuse,
            "title": LocalizedText(fr="Application", ar="تطبيق"),
            "reuse_type": rng.choice(["application", "visualization", "api", "article"]),
            "url": "https://app.example.ma",
            "dataset_ids": cited,
            "institution_ids": rng.sample(institutions, k=1),
        }
        self.add("reuse", ReuseDeclared(**described, developer_id=uuid.uuid4(), declared_at=t), t)
        if rng.random() < 0.6:
            self.add(
                "reuse",
                ReuseVerified(reuse_id=reuse, verified_at=t + timedelta(days=3)),
                t + timedelta(days=3),
            )
        if rng.random() < 0.2:
            edited = t + timedelta(days=10)
            self.add("reuse", ReuseUpdated(**described, verified=False, updated_at=edited), edited)
        if rng.random() < 0.1:
            gone = t + timedelta(days=60)
            self.add(
                "reuse", ReuseRemoved(reuse_id=reuse, dataset_ids=cited, removed_at=gone), gone
            )

    def events(self, count: int) -> list[CloudEvent]:
        institutions = self.institutions(max(20, count // 500))
        datasets: list[uuid.UUID] = []
        while len(self.timeline) < count:
            datasets.append(self.dataset(self.rng.choice(institutions), len(datasets)))
            if len(datasets) % 5 == 0:
                self.reuse(datasets, institutions)
        self.timeline.sort(key=lambda item: item[0])
        return [event for _, event in self.timeline[:count]]


def _start(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


# --- measurements ---------------------------------------------------------------------------


async def produce(platform: PlatformSettings, events: list[CloudEvent]) -> float:
    producer = make_producer(platform, linger_ms=20)
    await producer.start()
    try:
        started = time.perf_counter()
        futures = []
        for event in events:
            model = payload_model(event.type)
            assert model is not None
            futures.append(
                await producer.send(
                    topic_name(platform, model.topic),
                    value=event.to_bytes(),
                    key=event.subject.encode(),
                    headers=[("content-type", CONTENT_TYPE.encode())],
                )
            )
        await asyncio.gather(*futures)
        return time.perf_counter() - started
    finally:
        await producer.stop()


async def consumer_from_the_start(platform: PlatformSettings) -> AIOKafkaConsumer:
    """A bare consumer, started, assigned every partition of the consumed topics and set at
    their beginning (no group, nothing committed)."""
    consumer = AIOKafkaConsumer(
        bootstrap_servers=platform.kafka_bootstrap_servers,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        isolation_level="read_committed",
        max_partition_fetch_bytes=platform.kafka_max_message_bytes,
    )
    await consumer.start()
    partitions = [
        TopicPartition(topic_name(platform, topic), partition)
        for topic in consumed_topics()
        for partition in range(platform.kafka_topic_partitions)
    ]
    consumer.assign(partitions)
    await consumer.seek_to_beginning(*partitions)
    return consumer


async def raw_consumption_seconds(
    platform: PlatformSettings, count: int, *, parse: bool = False
) -> float:
    """Read ``count`` records with a bare consumer; with ``parse``, also validate each as a
    CloudEvent and its payload (what any consumer of these events must do at least)."""
    consumer = await consumer_from_the_start(platform)
    try:
        read, started = 0, time.perf_counter()
        while read < count:
            batches = await consumer.getmany(timeout_ms=1000, max_records=500)
            for records in batches.values():
                read += len(records)
                if parse:
                    for record in records:
                        CloudEvent.from_bytes(record.value).payload()
        return time.perf_counter() - started
    finally:
        await consumer.stop()


async def durable_floor_seconds(
    platform: PlatformSettings, database_url: str, count: int, *, keep_data: bool
) -> float:
    """Read ``count`` records and keep each in PostgreSQL once (see the module's 2(d)): the
    least a consumer that is idempotent through a PostgreSQL inbox must do besides
    validating."""
    columns = "id, type, subject, at, data" if keep_data else "id"
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute(
            "CREATE UNLOGGED TABLE floor_stage (id uuid, type text, subject text, "
            "at timestamptz, data jsonb)"
        )
        connection.execute(
            "CREATE TABLE floor_event (id uuid PRIMARY KEY, type text, subject text, "
            "at timestamptz, data jsonb)"
        )
    connection = psycopg.connect(database_url)

    def write(csv_text: str) -> None:
        # The rows go as one CSV text, made while the previous batch was written: no
        # per-row Python in the thread that writes, which would hold the interpreter's lock.
        with connection.cursor() as cursor:
            with cursor.copy(f"COPY floor_stage ({columns}) FROM STDIN (FORMAT csv)") as copy:
                copy.write(csv_text)
            cursor.execute(
                f"INSERT INTO floor_event ({columns}) SELECT {columns} FROM floor_stage "
                "ON CONFLICT DO NOTHING"
            )
            cursor.execute("TRUNCATE floor_stage")
        connection.commit()

    consumer = await consumer_from_the_start(platform)
    try:
        read, started = 0, time.perf_counter()
        writing: asyncio.Task[None] | None = None
        while read < count:
            batches = await consumer.getmany(timeout_ms=1000, max_records=5000)
            buffer = io.StringIO()
            rows = csv.writer(buffer)  # one line an event
            for records in batches.values():
                read += len(records)
                for record in records:
                    # Parsed, not validated: (c) measures validation on its own.
                    event = from_json(record.value or b"")
                    rows.writerow(
                        (
                            event["id"],
                            event["type"],
                            event["subject"],
                            event["time"],
                            to_json(event["data"]).decode(),
                        )
                        if keep_data
                        else (event["id"],)
                    )
            if writing is not None:
                await writing  # one batch written at a time, in order
            text = buffer.getvalue()
            writing = asyncio.create_task(asyncio.to_thread(write, text)) if text else None
        if writing is not None:
            await writing
        seconds = time.perf_counter() - started
        kept = connection.execute("SELECT count(*) FROM floor_event").fetchone()
        assert kept is not None and kept[0] == count, kept
        return seconds
    finally:
        await consumer.stop()
        connection.close()
        with psycopg.connect(database_url, autocommit=True) as cleanup:
            cleanup.execute("DROP TABLE floor_stage, floor_event")


def _applied() -> float:
    """Events the metrics consumer has applied so far. Read from the counter itself: the
    registry would collect every metric of the process (its memory, CPU, garbage collector…)
    at each poll, taking the consumer's time."""
    for family in EVENTS_CONSUMED.collect():
        for sample in family.samples:
            if sample.name.endswith("_total") and sample.labels == {
                "service": "metrics",
                "outcome": "applied",
            }:
                return sample.value
    return 0.0


async def metrics_consumer_seconds(
    platform: PlatformSettings, database_url: str, settings: MetricsSettings, count: int
) -> float:
    engine = make_engine(database_url)
    consumer = EventConsumer(
        service_name="metrics",
        unit_of_work=UnitOfWorkFactory(engine, Outbox(messaging.outbox, "metrics")),
        processed_table=messaging.processed_events,
        platform=platform,
        handlers=HANDLERS,
        batch_size=settings.consumer_batch_size,
    )
    before = _applied()
    task = asyncio.create_task(consumer.run())
    try:
        while not consumer.assigned:
            await asyncio.sleep(0.005)
        started = time.perf_counter()
        while _applied() - before < count:
            if task.done():
                task.result()
            await asyncio.sleep(0.005)
        return time.perf_counter() - started
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        engine.dispose()


async def outbox_to_api_latencies(
    platform: PlatformSettings, database_url: str, probe_url: str, samples: int, log: Path
) -> list[float]:
    """A producer commits one ``institution enrolled`` at a time to its outbox; how long until
    the metrics service's API counts it (seconds)."""
    metadata = MetaData()
    tables = messaging_tables(metadata)
    probe = make_engine(probe_url)
    metadata.create_all(probe)
    relay = OutboxRelay(
        engine=probe, table=tables.outbox, platform=platform, service_name="governance"
    )
    units = UnitOfWorkFactory(probe, Outbox(tables.outbox, "governance"), wake_relay=relay.wake)
    relay_task = asyncio.create_task(relay.run())
    port = free_port()
    env = {
        "METRICS_DATABASE_URL": database_url,
        "METRICS_PORT": str(port),
        "METRICS_INDICATOR_CHECK_SECONDS": "0",
        "KAFKA_TOPIC_PREFIX": platform.kafka_topic_prefix,
        "KAFKA_BOOTSTRAP_SERVERS": platform.kafka_bootstrap_servers,
        "LOG_LEVEL": "WARNING",
    }
    url = f"http://127.0.0.1:{port}/api/v1/indicators/institutions_taking_part"
    latencies: list[float] = []
    try:
        with uvicorn_process("services.metrics.app:create_app", port, env, log, "/readyz"):
            async with httpx.AsyncClient(timeout=10) as client:
                value = (await client.get(url)).json()["value"]
                await asyncio.sleep(3)  # the service's consumer joins its group
                while not relay.connected:
                    await asyncio.sleep(0.01)
                for n in range(samples):
                    committed = await asyncio.to_thread(_commit_enrolment, units, n)
                    while (await client.get(url)).json()["value"] < value + 1:
                        await asyncio.sleep(0.002)
                    latencies.append(time.perf_counter() - committed)
                    value += 1
                    await asyncio.sleep(0.05)
    finally:
        relay_task.cancel()
        await asyncio.gather(relay_task, return_exceptions=True)
        probe.dispose()
    return latencies


def _commit_enrolment(units: UnitOfWorkFactory, n: int) -> float:
    with units() as uow:
        uow.publish(
            InstitutionEnrolled(
                institution_id=uuid.uuid4(),
                slug=f"latency-{n}",
                name=LocalizedText(fr=f"Latence {n}"),
                enrolled_on=datetime.now(UTC).date(),
            )
        )
        uow.commit()
    return time.perf_counter()


async def _drop_when_idle(name: str, attempts: int = 60) -> None:
    """Drop a scratch database; autovacuum, busy after a large load, may hold it a while (and
    its worker cannot be terminated by a non-superuser)."""
    for _ in range(attempts):
        try:
            drop_database(name)
            return
        except psycopg.errors.InsufficientPrivilege:
            await asyncio.sleep(1)
    print(f"scratch database {name} left behind: drop it by hand")


async def run(count: int, samples: int, output: Path) -> dict[str, Any]:
    tune_garbage_collector()  # as the service does at start-up: this process consumes alike
    platform = PlatformSettings().model_copy(
        update={"kafka_topic_prefix": f"bench-metrics-{uuid.uuid4().hex[:6]}."}
    )
    settings = MetricsSettings()
    await ensure_topics(platform, consumed_topics())
    events = Programme().events(count)
    mix = Counter(e.type.removeprefix("ma.gov.data.") for e in events)
    produce_seconds = await produce(platform, events)
    name, database_url = scratch_database("metrics")
    probe_name, probe_url = scratch_database("metrics_probe")
    floor_name, floor_url = scratch_database("metrics_floor")
    database_url, probe_url = sqlalchemy_url(database_url), sqlalchemy_url(probe_url)
    try:
        await asyncio.to_thread(upgrade, MIGRATIONS_DIR, database_url)
        raw = [await raw_consumption_seconds(platform, count)]
        applied = await metrics_consumer_seconds(platform, database_url, settings, count)
        raw.append(await raw_consumption_seconds(platform, count))
        parsed = await raw_consumption_seconds(platform, count, parse=True)
        inbox_floor = await durable_floor_seconds(platform, floor_url, count, keep_data=False)
        events_floor = await durable_floor_seconds(platform, floor_url, count, keep_data=True)
        engine = make_engine(database_url)
        try:
            rebuild = await Rebuild(engine, platform, batch_size=settings.rebuild_batch_size).run()
        finally:
            engine.dispose()
        latencies = await outbox_to_api_latencies(
            platform, database_url, probe_url, samples, output.with_suffix(".log")
        )
    finally:
        await _drop_when_idle(name)
        await _drop_when_idle(probe_name)
        await _drop_when_idle(floor_name)
    raw_rate = count / statistics.median(raw)
    metrics_rate = count / applied
    parsed_rate = count / parsed
    return {
        "benchmark": "metrics consumer, rebuild and outbox-to-API latency",
        "when": datetime.now(UTC).isoformat(),
        "database": "postgresql",
        "events": count,
        "event_mix": dict(mix.most_common()),
        "produce_seconds": round(produce_seconds, 2),
        "consumer_batch_size": settings.consumer_batch_size,
        "raw_seconds": [round(s, 3) for s in raw],
        "raw_events_per_second": round(raw_rate),
        "metrics_seconds": round(applied, 3),
        "metrics_events_per_second": round(metrics_rate),
        "ratio": round(metrics_rate / raw_rate, 3),
        "target_ratio": TARGET_RATIO,
        "raw_parsed_events_per_second": round(parsed_rate),
        "ratio_to_raw_parsed": round(metrics_rate / parsed_rate, 3),
        # What bounds the ratio: fetching an event, and validating it (envelope and payload),
        # which every consumer of these events must do; a consumer that did nothing else would
        # reach ceiling_ratio.
        "fetch_us_per_event": round(1e6 / raw_rate, 2),
        "validation_us_per_event": round(1e6 / parsed_rate - 1e6 / raw_rate, 2),
        "metrics_us_per_event": round(1e6 / metrics_rate, 1),
        "ceiling_ratio": round(parsed_rate / raw_rate, 3),
        # Durability's floors: ids kept in a PostgreSQL inbox, and ids with the events.
        "inbox_floor_events_per_second": round(count / inbox_floor),
        "inbox_floor_ratio": round(count / inbox_floor / raw_rate, 3),
        "events_floor_events_per_second": round(count / events_floor),
        "events_floor_ratio": round(count / events_floor / raw_rate, 3),
        "rebuild_seconds": rebuild.seconds,
        "rebuild_events": rebuild.events,
        "rebuild_events_per_second": round(rebuild.events / rebuild.seconds),
        "latency_samples": len(latencies),
        "latency_ms": {
            "p50": round(1000 * percentile(latencies, 0.5), 1),
            "p95": round(1000 * percentile(latencies, 0.95), 1),
            "max": round(1000 * max(latencies), 1),
        },
    }


def markdown(result: dict[str, Any]) -> str:
    latency = result["latency_ms"]
    return "\n".join(
        [
            f"# Metrics benchmark ({result['when'][:10]})",
            "",
            f"{result['events']:,} events produced to the real topics; PostgreSQL; consumer "
            f"batch size {result['consumer_batch_size']}.",
            "",
            "| measure | value |",
            "|---|---|",
            f"| raw aiokafka consumption | {result['raw_events_per_second']:,} events/s |",
            f"| metrics consumer (parsed, deduplicated, projected, committed) | "
            f"{result['metrics_events_per_second']:,} events/s |",
            f"| ratio (target ≥ {result['target_ratio']}) | {result['ratio']} |",
            f"| second reference: raw consumption + CloudEvent parsing (envelope and payload "
            f"validated, the least any consumer of these events does) | "
            f"{result['raw_parsed_events_per_second']:,} events/s (metrics: "
            f"{result['ratio_to_raw_parsed']} of it) |",
            f"| what bounds the ratio: fetching / validating / applying one event | "
            f"{result['fetch_us_per_event']} / {result['validation_us_per_event']} / "
            f"{result['metrics_us_per_event']} µs (a consumer that only validated: ratio "
            f"{result['ceiling_ratio']}) |",
            f"| floors of durability (validation left out): each event's id kept once in a "
            f"PostgreSQL inbox (COPY, "
            f"deduplicated, one commit a fetch, the next fetch read meanwhile) / the ids with "
            f"the events' data | {result['inbox_floor_events_per_second']:,} / "
            f"{result['events_floor_events_per_second']:,} events/s (ratios "
            f"{result['inbox_floor_ratio']} / {result['events_floor_ratio']}) |",
            f"| rebuild of all the events (replay into new tables, swap) | "
            f"{result['rebuild_seconds']} s ({result['rebuild_events_per_second']:,} events/s) |",
            f"| outbox commit → indicator API, p50 / p95 / max ({result['latency_samples']} "
            f"events) | {latency['p50']} / {latency['p95']} / {latency['max']} ms |",
            "",
            "Event mix: "
            + ", ".join(f"{kind} {n:,}" for kind, n in result["event_mix"].items())
            + ".",
            "",
        ]
    )


def main(output: Path, events: int = 100_000, samples: int = 50) -> dict[str, Any]:
    """Entry point of ``python -m bench``: results to ``output`` (JSON) and ``.md`` next to it."""
    output.parent.mkdir(parents=True, exist_ok=True)
    result = asyncio.run(run(events, samples, output))
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    output.with_suffix(".md").write_text(markdown(result))
    print(
        f"metrics: {result['metrics_events_per_second']} ev/s, raw "
        f"{result['raw_events_per_second']} ev/s, ratio {result['ratio']} (target >= "
        f"{TARGET_RATIO}); rebuild {result['rebuild_seconds']} s; latency p50 "
        f"{result['latency_ms']['p50']} ms, p95 {result['latency_ms']['p95']} ms → {output}"
    )
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m bench.metrics", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--output", type=Path, default=var_dir() / "bench" / "metrics.json")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--samples", type=int, default=50, help="latency measurements")
    args = parser.parse_args()
    main(args.output, args.events, args.samples)
