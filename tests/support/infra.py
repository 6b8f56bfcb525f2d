"""Access to the real Kafka broker and PostgreSQL server the tests run against.

Both are required: when one is missing the tests that need it fail (never skip), naming the
command that starts it.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from aiokafka import AIOKafkaConsumer
from aiokafka.structs import ConsumerRecord
from sqlalchemy.engine import make_url

from libs.events import CloudEvent
from libs.messaging.kafka import kafka_reachable
from libs.settings import PlatformSettings

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql://bayanat:bayanat@127.0.0.1:5432/postgres"
)


def require_kafka(platform: PlatformSettings, attempts: int = 10) -> None:
    for _ in range(attempts):
        if asyncio.run(kafka_reachable(platform, timeout=3)):
            return
    raise AssertionError(
        f"Kafka is not reachable at {platform.kafka_bootstrap_servers}: start it with "
        "'make kafka-up' (the tests need the real broker)"
    )


def _admin_connect(admin_url: str = POSTGRES_ADMIN_URL) -> psycopg.Connection:
    try:
        return psycopg.connect(admin_url, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise AssertionError(
            f"PostgreSQL is not reachable at {make_url(admin_url).render_as_string()}: "
            f"start it with 'make db-up' ({exc})"
        ) from exc


def require_postgres() -> None:
    _admin_connect().close()


class PostgresDatabases:
    """Creates throw-away databases for one test session and drops them at its end (on the
    shared server, or on the one ``admin_url`` names: a cluster of a test's own)."""

    def __init__(self, admin_url: str = POSTGRES_ADMIN_URL) -> None:
        self.admin_url = admin_url
        self.created: list[str] = []

    def create(self, label: str) -> str:
        name = f"t_{label}_{uuid.uuid4().hex[:10]}"
        with _admin_connect(self.admin_url) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        url = make_url(self.admin_url).set(drivername="postgresql+psycopg", database=name)
        return url.render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with _admin_connect(self.admin_url) as connection:
            for name in self.created:
                # An autovacuum worker busy on the database cannot be terminated by this role:
                # wait for it to finish.
                for attempt in range(60):
                    try:
                        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                        break
                    except psycopg.errors.InsufficientPrivilege:
                        if attempt == 59:
                            raise
                        time.sleep(1)
        self.created.clear()


async def read_topic(
    platform: PlatformSettings,
    topic: str,
    *,
    until: int,
    timeout: float = 30.0,
) -> list[ConsumerRecord]:
    """Every record of ``topic`` (prefix applied) from the start, once ``until`` are there."""
    consumer = AIOKafkaConsumer(
        f"{platform.kafka_topic_prefix}{topic}",
        bootstrap_servers=platform.kafka_bootstrap_servers,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    records: list[ConsumerRecord] = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(records) < until and asyncio.get_running_loop().time() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            for batch in batches.values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records


async def read_log(
    platform: PlatformSettings, topics: list[str], timeout: float = 60.0
) -> dict[str, list[ConsumerRecord]]:
    """Every record now on each of ``topics`` (prefix applied; a topic that does not exist has
    none), read from the start up to the end offsets found on arrival."""
    names = {f"{platform.kafka_topic_prefix}{topic}": topic for topic in topics}
    consumer = AIOKafkaConsumer(
        bootstrap_servers=platform.kafka_bootstrap_servers,
        group_id=None,
        enable_auto_commit=False,
        auto_offset_reset="earliest",
    )
    await consumer.start()
    records: dict[str, list[ConsumerRecord]] = {topic: [] for topic in topics}
    try:
        # Subscribing to a topic that does not exist would create it.
        existing = sorted(set(names) & await consumer.topics())
        if not existing:
            return records
        consumer.subscribe(existing)  # without a group: every partition, to this consumer
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while {tp.topic for tp in consumer.assignment()} != set(existing):
            if loop.time() > deadline:
                raise AssertionError(f"no partitions of {existing} in {timeout}s")
            await asyncio.sleep(0.1)
        partitions = sorted(consumer.assignment())
        await consumer.seek_to_beginning(*partitions)
        ends = await consumer.end_offsets(partitions)
        while [tp for tp, end in ends.items() if await consumer.position(tp) < end]:
            if loop.time() > deadline:
                raise AssertionError(f"could not read {topics} to their end in {timeout}s")
            batches = await consumer.getmany(timeout_ms=500)
            for partition, batch in batches.items():
                records[names[partition.topic]].extend(batch)
    finally:
        await consumer.stop()
    return records


def events_of(records: list[ConsumerRecord]) -> list[CloudEvent]:
    return [CloudEvent.from_bytes(r.value) for r in records]


@contextmanager
def environment(**values: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
