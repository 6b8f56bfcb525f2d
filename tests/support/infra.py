"""Access to the real Kafka broker and PostgreSQL server the tests run against.

Both are required: when one is missing the tests that need it fail (never skip), naming the
command that starts it.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from aiokafka import AIOKafkaConsumer
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


def _admin_connect() -> psycopg.Connection:
    try:
        return psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:
        raise AssertionError(
            f"PostgreSQL is not reachable at {make_url(POSTGRES_ADMIN_URL).render_as_string()}: "
            f"start it with 'make db-up' ({exc})"
        ) from exc


def require_postgres() -> None:
    _admin_connect().close()


class PostgresDatabases:
    """Creates throw-away databases for one test session and drops them at its end."""

    def __init__(self) -> None:
        self.created: list[str] = []

    def create(self, label: str) -> str:
        name = f"t_{label}_{uuid.uuid4().hex[:10]}"
        with _admin_connect() as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        url = make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql+psycopg", database=name)
        return url.render_as_string(hide_password=False)

    def drop_all(self) -> None:
        with _admin_connect() as connection:
            for name in self.created:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.created.clear()


async def read_topic(
    platform: PlatformSettings,
    topic: str,
    *,
    until: int,
    timeout: float = 30.0,
) -> list:
    """Every record of ``topic`` (prefix applied) from the start, once ``until`` are there."""
    consumer = AIOKafkaConsumer(
        f"{platform.kafka_topic_prefix}{topic}",
        bootstrap_servers=platform.kafka_bootstrap_servers,
        group_id=None,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    records: list = []
    try:
        deadline = asyncio.get_running_loop().time() + timeout
        while len(records) < until and asyncio.get_running_loop().time() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            for batch in batches.values():
                records.extend(batch)
    finally:
        await consumer.stop()
    return records


def events_of(records: list) -> list[CloudEvent]:
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
