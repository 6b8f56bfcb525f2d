"""Fixtures and helpers for the governance service's tests (real PostgreSQL and Kafka).

- :func:`running_governance`: a governance app (lifespan and all) on a fresh PostgreSQL
  database with its own Kafka topic prefix and consumer group, the URL checker allowed to
  reach 127.0.0.1 (the tests' own HTTP server) and fast polling.
- ``governance`` (module scope): one such app shared by a module's tests.
- ``file_server`` (module scope): a local HTTP server (http.server in a thread) serving the
  test's files: :class:`FileServer`.
- Data helpers that go through the domain (accounts, institutions) and builders of the
  catalog's events; :func:`produce_event` sends one with a real producer and
  :func:`topic_events` reads a topic.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session, select

from libs.auth import Principal, Role, RoleGrant, TokenCodec
from libs.events import CloudEvent, EventData, Topic, dead_letter_topic, new_event
from libs.events.schemas import DatasetSubmitted
from libs.fields import Localized
from libs.messaging.kafka import ensure_topics, make_producer, topic_name
from libs.messaging.outbox import Outbox
from libs.settings import PlatformSettings
from libs.uow import UnitOfWorkFactory
from services.governance.app import create_app
from services.governance.domain import accounts, institutions
from services.governance.domain.audit import Actor
from services.governance.handlers import handlers
from services.governance.models import Account, Institution, InstitutionRole, Review, messaging
from services.governance.settings import GovernanceSettings
from tests.support.apps import isolated_platform as _isolated_platform
from tests.support.apps import wait_connected, with_platform
from tests.support.file_server import FileServer as FileServer
from tests.support.file_server import Served as Served
from tests.support.governance_data import submitted as submitted
from tests.support.infra import PostgresDatabases, events_of, read_topic

PASSWORD = "a long enough passphrase"
TEST_ACTOR = Actor(name="tests")


# --- the app ----------------------------------------------------------------------------------


@dataclass
class GovernanceHarness:
    app: FastAPI
    client: TestClient
    settings: GovernanceSettings
    platform: PlatformSettings
    engine: Engine
    codec: TokenCodec

    def session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    @property
    def units(self) -> UnitOfWorkFactory:
        return self.app.state.unit_of_work

    def review_of(self, dataset_id: uuid.UUID) -> Review | None:
        with self.session() as session:
            return session.exec(select(Review).where(Review.dataset_id == dataset_id)).first()

    def submit(self, data: DatasetSubmitted) -> None:
        """Applies the submission as its handler does (the review opens; the checks runner is
        woken once it is committed), without going through Kafka."""
        on_submitted = handlers(self.app.state.checks_runner)[DatasetSubmitted.event_type]
        with self.units() as uow:
            on_submitted(uow, new_event("catalog", data), data)
            uow.commit()


def isolated_platform(platform: PlatformSettings, label: str = "gov") -> PlatformSettings:
    return _isolated_platform(platform, label)


def governance_settings(
    database_url: str, platform: PlatformSettings, **overrides: Any
) -> GovernanceSettings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "outbox_poll_seconds": 0.2,
        "checks_poll_seconds": 0.2,
        "quality_url_allowlist": ["127.0.0.1"],
        "quality_http_timeout_seconds": 3.0,
        "overdue_worker_enabled": False,
    }
    values.update(overrides)
    return with_platform(GovernanceSettings(**values), platform)


def create_topics(platform: PlatformSettings) -> None:
    topics = [t.value for t in Topic] + [dead_letter_topic("governance")]
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, ensure_topics(platform, topics)).result()


@contextlib.contextmanager
def running_governance(
    database_url: str, platform: PlatformSettings, **overrides: Any
) -> Iterator[GovernanceHarness]:
    settings = governance_settings(database_url, platform, **overrides)
    app = create_app(settings)
    with TestClient(app) as client:
        wait_connected(app)
        yield GovernanceHarness(
            app=app,
            client=client,
            settings=settings,
            platform=platform,
            engine=app.state.engine,
            codec=TokenCodec(platform),
        )


@pytest.fixture(scope="module")
def governance(
    kafka: PlatformSettings, postgres_databases: PostgresDatabases
) -> Iterator[GovernanceHarness]:
    with running_governance(
        postgres_databases.create("governance"), isolated_platform(kafka)
    ) as harness:
        yield harness


# --- a local HTTP server ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def file_server() -> Iterator[FileServer]:
    server = FileServer().start()
    yield server
    server.stop()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


GOOD_CSV = (
    "region,annee,population\n"
    + "".join(f"region-{i},{2000 + i},{1000 * i + 7}\n" for i in range(1, 40))
).encode()

BROKEN_CSV = (
    "region,annee,population,population\n"  # a duplicate label
    + "".join(f"region-{i},{2000 + i},{1000 * i},{i}\n" for i in range(1, 30))
    + ",,,\n"  # a blank row
    + "region-x,2031,beaucoup,1\n"  # a type error (integer column)
    + "region-y,2032,5,1,extra\n"  # an extra cell
).encode()


# --- data -------------------------------------------------------------------------------------


def units_of(engine: Engine) -> UnitOfWorkFactory:
    """Units of work on a governance database; their events wait for the app's relay."""
    return UnitOfWorkFactory(engine, Outbox(messaging.outbox, "governance"))


def make_institution(
    engine: Engine, *, enrolled: bool = True, slug: str | None = None
) -> Institution:
    slug = slug or f"inst-{uuid.uuid4().hex[:8]}"
    with units_of(engine)() as uow:
        institution = institutions.create_institution(
            uow,
            TEST_ACTOR,
            slug=slug,
            name=Localized(fr=f"Institution {slug}", ar=f"مؤسسة {slug}"),
            kind="public_body",
        )
        if enrolled:
            institutions.enrol_institution(uow, TEST_ACTOR, institution_id=institution.id)
        uow.commit()
    return institution


def make_account(
    engine: Engine,
    *roles: tuple[str, uuid.UUID],
    email: str | None = None,
    is_admin: bool = False,
    password: str = PASSWORD,
) -> Account:
    email = email or f"{uuid.uuid4().hex[:10]}@example.org"
    command = accounts.AccountCreate(  # the API's input, validated as it validates it
        email=email,
        display_name=email.split("@")[0],
        password=password,
        is_admin=is_admin,
        roles=[
            accounts.RoleInput(institution_id=inst, role=InstitutionRole(role))
            for role, inst in roles
        ],
    )
    with units_of(engine)() as uow:
        account = accounts.create_account(
            uow,
            TEST_ACTOR,
            email=command.email,
            display_name=command.display_name,
            password=command.password,
            is_admin=command.is_admin,
            roles=command.roles,
            password_min_length=12,
        )
        uow.commit()
    return account


def login(client: TestClient, email: str, password: str = PASSWORD, **headers: str) -> dict:
    response = client.post(
        "/api/v1/auth/login", json={"email": email, "password": password}, headers=headers
    )
    assert response.status_code == 200, response.text
    return response.json()


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def token_for(
    codec: TokenCodec,
    account: Account | uuid.UUID,
    *grants: tuple[Role, uuid.UUID | None],
    lifetime: timedelta = timedelta(minutes=15),
) -> str:
    subject = account if isinstance(account, uuid.UUID) else account.id
    principal = Principal(
        subject=subject,
        name="test",
        grants=[RoleGrant(role=role, institution_id=inst) for role, inst in grants],
    )
    return codec.encode(principal, lifetime=lifetime)


# --- events -----------------------------------------------------------------------------------


async def produce_event(
    platform: PlatformSettings, data: EventData, *, service: str = "catalog"
) -> CloudEvent:
    """Sends ``data`` as a CloudEvent to its (prefixed) topic with a real producer."""
    event = new_event(service, data)
    producer = make_producer(platform)
    await producer.start()
    try:
        await producer.send_and_wait(
            topic_name(platform, data.topic), value=event.to_bytes(), key=event.subject.encode()
        )
    finally:
        await producer.stop()
    return event


async def topic_events(
    platform: PlatformSettings,
    topic: Topic,
    *,
    until: int = 1,
    where: Callable[[CloudEvent], bool] = lambda event: True,
    timeout: float = 30.0,
) -> list[CloudEvent]:
    """The events of ``topic`` that satisfy ``where``, once ``until`` of them are there."""
    deadline = time.monotonic() + timeout
    while True:
        records = await read_topic(platform, topic, until=10**9, timeout=1.0)
        events = [e for e in events_of(records) if where(e)]
        if len(events) >= until or time.monotonic() > deadline:
            return events


def of_type(data_class: type[EventData], **fields: Any) -> Callable[[CloudEvent], bool]:
    """A predicate: events of this type whose data has these field values."""

    def matches(event: CloudEvent) -> bool:
        return event.type == data_class.event_type and all(
            str(event.data.get(k)) == str(v) for k, v in fields.items()
        )

    return matches


def wait_for(condition: Callable[[], Any], *, timeout: float = 30.0, what: str = "") -> Any:
    """Polls ``condition`` until it returns something truthy; returns it."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or condition}")
        time.sleep(0.1)
