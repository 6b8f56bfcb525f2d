"""The metrics service against the real broker and PostgreSQL.

Fixtures
- ``metrics`` (module scope): a running metrics app (:class:`MetricsHarness`) on a fresh
  PostgreSQL database, with Kafka topics and consumer groups of its own; its relay and
  consumer connected.
- ``admin_headers``: an ``Authorization`` header of a national admin (a token as governance
  signs it).
- ``databases``: a factory of fresh, migrated metrics databases on PostgreSQL (units of
  work on each), without the app: the projection or a consumer driven directly.

Helpers
- :func:`produce`: sends CloudEvents to their topics with a real (idempotent) producer, each
  keyed by its subject, in the order given.
- :func:`wait_for_facts`: until the service has kept that many facts (events applied).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from libs.auth import Principal, Role, RoleGrant, TokenCodec
from libs.db import make_engine, upgrade
from libs.events import CONTENT_TYPE, CloudEvent, payload_model
from libs.messaging.kafka import make_producer, topic_name
from libs.messaging.outbox import Outbox
from libs.settings import PlatformSettings
from libs.uow import UnitOfWorkFactory
from services.metrics.app import MIGRATIONS_DIR, create_app
from services.metrics.models import messaging
from services.metrics.settings import MetricsSettings
from tests.support.apps import isolated_platform, wait_connected, with_platform
from tests.support.infra import PostgresDatabases


@dataclass
class MetricsHarness:
    app: FastAPI
    client: TestClient
    settings: MetricsSettings
    platform: PlatformSettings  # this app's Kafka settings: produce with these
    engine: Engine
    database_url: str

    def get(self, path: str, **params: Any) -> Any:
        response = self.client.get(path, params=params)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="module")
def metrics(
    kafka: PlatformSettings, postgres_databases: PostgresDatabases
) -> Iterator[MetricsHarness]:
    platform = isolated_platform(kafka, "met")
    url = postgres_databases.create("metrics")
    settings = with_platform(
        MetricsSettings(database_url=url, outbox_poll_seconds=0.2, indicator_check_seconds=0.5),
        platform,
    )
    app = create_app(settings)
    with TestClient(app) as client:
        wait_connected(app)
        yield MetricsHarness(app, client, settings, platform, app.state.engine, url)


Databases = Callable[[], UnitOfWorkFactory]


@pytest.fixture
def databases(postgres_url: Callable[[str], str]) -> Iterator[Databases]:
    """Fresh metrics databases on PostgreSQL, migrated: units of work on each."""
    engines: list[Engine] = []

    def make() -> UnitOfWorkFactory:
        url = postgres_url("metrics_projection")
        upgrade(MIGRATIONS_DIR, url)
        engines.append(engine := make_engine(url))
        return UnitOfWorkFactory(engine, Outbox(messaging.outbox, "metrics"))

    yield make
    for engine in engines:
        engine.dispose()


@pytest.fixture(scope="session")
def admin_headers(platform: PlatformSettings) -> dict[str, str]:
    token = TokenCodec(platform).encode(
        Principal(subject=uuid.uuid4(), grants=[RoleGrant(role=Role.ADMIN)]),
        lifetime=timedelta(hours=1),
    )
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def steward_headers(platform: PlatformSettings) -> dict[str, str]:
    principal = Principal(
        subject=uuid.uuid4(),
        grants=[RoleGrant(role=Role.STEWARD, institution_id=uuid.uuid4())],
    )
    token = TokenCodec(platform).encode(principal, lifetime=timedelta(hours=1))
    return {"Authorization": f"Bearer {token}"}


async def produce(platform: PlatformSettings, events: Iterable[CloudEvent]) -> int:
    """Send each event to its topic, keyed by its subject, in order; how many were sent."""
    producer = make_producer(platform)
    await producer.start()
    sent = 0
    try:
        for event in events:
            model = payload_model(event.type)
            assert model is not None, event.type
            await producer.send_and_wait(
                topic_name(platform, model.topic),
                value=event.to_bytes(),
                key=event.subject.encode(),
                headers=[("content-type", CONTENT_TYPE.encode())],
            )
            sent += 1
    finally:
        await producer.stop()
    return sent


def facts(harness: MetricsHarness) -> int:
    return int(harness.get("/api/v1/projection")["facts"])


def wait_for_facts(harness: MetricsHarness, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while facts(harness) < count:
        if time.monotonic() > deadline:
            raise AssertionError(f"{facts(harness)} facts after {timeout}s, expected {count}")
        time.sleep(0.1)
    assert facts(harness) == count
