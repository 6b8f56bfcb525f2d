"""Fixtures and helpers for the reuse service's tests (real PostgreSQL, Kafka and SMTP).

Fixtures
- ``mailbox`` (module scope): a local SMTP server (aiosmtpd) that requires a login and keeps
  every message it accepts (tests/support/mailbox.py).
- ``reuse`` (module scope): a running reuse app (:class:`ReuseHarness`) on a fresh PostgreSQL
  database, sending its mail to ``mailbox``, with Kafka topics and a consumer group of its own
  (``reuse.platform``); its relay and consumer are connected.
- ``admin_headers`` (session scope): the ``Authorization`` header of a national admin's JWT, as
  governance issues it.

Helpers
- :func:`running_reuse`: the context manager behind ``reuse`` (other settings, say).
- :meth:`ReuseHarness.publish_dataset` / ``withdraw_dataset``: the catalog's events, produced to
  the real topic, waited for until the replica applied them.
- :meth:`ReuseHarness.developer_key`: registration → mail → verification → an API key.
- :func:`reuse_events`: the CloudEvents on the reuse topic.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select

from libs.auth import Principal, Role, RoleGrant, TokenCodec
from libs.events import CONTENT_TYPE, CloudEvent, EventData, Topic, new_event
from libs.events.schemas import DatasetPublished, DatasetWithdrawn, LocalizedText
from libs.messaging.kafka import make_producer, topic_name
from libs.settings import PlatformSettings
from services.reuse.app import create_app
from services.reuse.models import metadata
from services.reuse.settings import ReuseSettings
from tests.support.apps import isolated_platform, wait_connected, with_platform
from tests.support.infra import PostgresDatabases, read_topic
from tests.support.mailbox import SMTP_LOGIN, SMTP_PASSWORD, Mailbox, running_mailbox


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    with running_mailbox() as box:
        yield box


# --- the app ----------------------------------------------------------------------------------


@dataclass
class ReuseHarness:
    app: FastAPI
    client: TestClient
    settings: ReuseSettings
    platform: PlatformSettings
    engine: Engine
    mailbox: Mailbox | None
    known: dict[str, DatasetPublished] = field(default_factory=dict)

    # --- the catalog's events

    def produce(self, *payloads: EventData) -> list[CloudEvent]:
        """Send ``payloads`` as the catalog would, to their real (prefixed) topic."""
        events = [new_event("catalog", data) for data in payloads]

        async def send() -> None:
            producer = make_producer(self.platform)
            await producer.start()
            try:
                for data, event in zip(payloads, events, strict=True):
                    await producer.send_and_wait(
                        topic_name(self.platform, data.topic),
                        value=event.to_bytes(),
                        key=event.subject.encode(),
                    )
            finally:
                await producer.stop()

        asyncio.run(send())
        return events

    def replica(self, dataset_id: uuid.UUID) -> dict[str, Any] | None:
        with self.engine.connect() as connection:
            table = metadata.tables["dataset_replica"]
            row = connection.execute(select(table).where(table.c.id == dataset_id)).first()
        return dict(row._mapping) if row else None

    def wait_for_replica(
        self, dataset_id: uuid.UUID, state: str, timeout: float = 30.0
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            row = self.replica(dataset_id)
            if row is not None and row["state"] == state:
                return row
            if time.monotonic() > deadline:
                raise AssertionError(f"dataset {dataset_id} not {state} in the replica: {row}")
            time.sleep(0.1)

    def publish_dataset(
        self,
        slug: str,
        *,
        institution_id: uuid.UUID | None = None,
        title: dict[str, str] | None = None,
    ) -> DatasetPublished:
        data = DatasetPublished(
            dataset_id=uuid.uuid4(),
            slug=slug,
            institution_id=institution_id or uuid.uuid4(),
            title=LocalizedText(**(title or {"fr": f"Données {slug}", "ar": f"بيانات {slug}"})),
            license_id="cc-by",
            license_is_open=True,
            formats=["CSV"],
            published_at=datetime.now(UTC),
        )
        self.produce(data)
        self.wait_for_replica(data.dataset_id, "published")
        self.known[slug] = data
        return data

    def withdraw_dataset(self, published: DatasetPublished) -> DatasetWithdrawn:
        data = DatasetWithdrawn(
            dataset_id=published.dataset_id,
            slug=published.slug,
            institution_id=published.institution_id,
            withdrawn_at=datetime.now(UTC),
            reason="superseded",
        )
        self.produce(data)
        self.wait_for_replica(data.dataset_id, "withdrawn")
        return data

    # --- developers

    def developer_key(self, email_address: str | None = None, name: str = "Salma") -> str:
        """Register, read the mail, follow the link: the API key it issues."""
        assert self.mailbox is not None, "this app sends no mail to the test server"
        address = email_address or f"dev-{uuid.uuid4().hex[:10]}@example.org"
        answer = self.client.post(
            "/api/v1/developers",
            json={"name": name, "email": address, "accept_terms": True},
        )
        assert answer.status_code == 202, answer.text
        token = self.mailbox.last_token(address)
        verified = self.client.post("/api/v1/developers/verification", json={"token": token})
        assert verified.status_code == 201, verified.text
        return str(verified.json()["api_key"]["key"])

    def declare(self, key: str, *datasets: str, **fields: Any) -> dict[str, Any]:
        answer = self.client.post(
            "/api/v1/reuses", headers={"X-API-Key": key}, json=reuse_body(*datasets, **fields)
        )
        assert answer.status_code == 201, answer.text
        return dict(answer.json())

    # --- what is stored

    def counts(self) -> dict[str, int]:
        """Rows of the tables a write touches (to see that a refusal wrote nothing)."""
        names = ("reuse", "reuse_dataset", "reuse_term", "outbox")
        with self.engine.connect() as connection:
            return {
                name: connection.execute(
                    select(func.count()).select_from(metadata.tables[name])
                ).scalar_one()
                for name in names
            }


def reuse_body(*datasets: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": {"fr": "Explorateur du budget", "ar": "مستكشف الميزانية"},
        "description": {"fr": "Les dépenses publiques, région par région."},
        "type": "visualization",
        "topic": "economy",
        "url": f"https://budget-{uuid.uuid4().hex[:8]}.example.org/",
        "tags": ["budget"],
        "datasets": list(datasets),
    }
    body.update(fields)
    return body


def reuse_settings(
    database_url: str, platform: PlatformSettings, mailbox: Mailbox | None, **overrides: Any
) -> ReuseSettings:
    mail: dict[str, Any] = {"mail_sender": "log"}
    if mailbox is not None:
        mail = {
            "mail_sender": "smtp",
            "smtp_host": "127.0.0.1",
            "smtp_port": mailbox.port,
            "smtp_security": "none",
            "smtp_username": SMTP_LOGIN,
            "smtp_password": SMTP_PASSWORD,
        }
    settings = ReuseSettings(
        database_url=database_url,
        public_url="http://testserver",
        outbox_poll_seconds=0.2,
        **{**mail, **overrides},
    )
    return with_platform(settings, platform)


@contextlib.contextmanager
def running_reuse(
    database_url: str,
    platform: PlatformSettings,
    mailbox: Mailbox | None,
    **overrides: Any,
) -> Iterator[ReuseHarness]:
    settings = reuse_settings(database_url, platform, mailbox, **overrides)
    app = create_app(settings)
    with TestClient(app, base_url="http://testserver") as client:
        wait_connected(app)
        yield ReuseHarness(
            app=app,
            client=client,
            settings=settings,
            platform=platform,
            engine=app.state.engine,
            mailbox=mailbox,
        )


@pytest.fixture(scope="module")
def reuse(
    kafka: PlatformSettings, postgres_databases: PostgresDatabases, mailbox: Mailbox
) -> Iterator[ReuseHarness]:
    # The tests register many developers from one address: the limits have their own test.
    with running_reuse(
        postgres_databases.create("reuse"),
        isolated_platform(kafka, "reuse"),
        mailbox,
        registration_limit_per_ip=10_000,
        write_limit_per_ip=10_000,
    ) as harness:
        yield harness


# --- tokens and events ------------------------------------------------------------------------


def jwt_headers(platform: PlatformSettings, *grants: RoleGrant) -> dict[str, str]:
    principal = Principal(subject=uuid.uuid4(), name="Admin", grants=list(grants))
    token = TokenCodec(platform).encode(principal, lifetime=timedelta(hours=1))
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture(scope="session")
def admin_headers(platform: PlatformSettings) -> dict[str, str]:
    return jwt_headers(platform, RoleGrant(role=Role.ADMIN))


def reuse_events(
    platform: PlatformSettings, *, subject: uuid.UUID | str, until: int, timeout: float = 30.0
) -> list[CloudEvent]:
    """The events of one reuse on the reuse topic (once ``until`` of them are there), each
    checked as it travels: a CloudEvents 1.0 envelope from the reuse service, of a known type
    whose data parses, keyed by its subject, with the CloudEvents content type."""
    deadline = time.monotonic() + timeout
    while True:
        records = asyncio.run(read_topic(platform, Topic.REUSE_REUSES, until=10**9, timeout=1.0))
        mine = [r for r in records if r.key == str(subject).encode()]
        if len(mine) >= until or time.monotonic() > deadline:
            break
    events = []
    for record in mine:
        event = CloudEvent.from_bytes(record.value)
        assert event.subject == str(subject) and event.source == "/bayanat/reuse"
        assert dict(record.headers)["content-type"] == CONTENT_TYPE.encode()
        assert event.payload().topic is Topic.REUSE_REUSES
        events.append(event)
    return events
