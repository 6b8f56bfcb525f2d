"""Reusable fixtures and helpers for the catalog's tests (real PostgreSQL and Kafka).

Fixtures
- ``catalog`` (module scope): a running catalog app (:class:`CatalogHarness`) on a fresh
  PostgreSQL database, with its own upload directory and its own Kafka topic prefix and
  consumer group (``catalog.platform``), so that it never sees another app's events. Its
  lifespan has run: migrations applied, outbox relay and consumer connected.
- ``tokens`` (session scope): a :class:`TokenFactory` minting the platform's JWTs for a
  steward, reviewer or national admin of a given institution.

Helpers (plain functions, usable from any test module)
- :func:`running_catalog`: the context manager behind ``catalog`` (for a test that needs an
  app of its own, e.g. another size limit).
- :func:`enrol_organization`: inserts an organisation through the domain function the
  ``institution enrolled`` handler uses.
- :func:`create_draft_dataset` / :func:`create_published_dataset`: a dataset with resources
  through the domain (create → resources → submit → the approved-review publication).

The helpers write through the app's units of work (``catalog.units``), so that what they
change clears the app's read caches as any write of the service does.
- :func:`produce_event`: sends an event to its topic through a real Kafka producer.
- :func:`catalog_events`: the CloudEvents on the catalog's datasets topic.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from libs.auth import Principal, Role, RoleGrant, TokenCodec
from libs.events import CloudEvent, EventData, Topic, new_event
from libs.events.schemas import InstitutionEnrolled, LocalizedText
from libs.messaging.kafka import make_producer, topic_name
from libs.settings import PlatformSettings
from libs.uow import UnitOfWorkFactory
from services.catalog.app import create_app
from services.catalog.domain.bounds import Title
from services.catalog.domain.datasets import DatasetCreate, create_dataset, submit_dataset
from services.catalog.domain.datasets import publish_submitted as _publish_submitted
from services.catalog.domain.institutions import apply_enrolment
from services.catalog.domain.resources import ResourceFields, add_resource
from services.catalog.domain.signing import DownloadSigner
from services.catalog.domain.storage import FileStore
from services.catalog.models import Dataset, Institution
from services.catalog.settings import CatalogSettings
from tests.support.apps import isolated_platform as _isolated_platform
from tests.support.apps import wait_connected, with_platform
from tests.support.infra import PostgresDatabases, events_of, read_topic

TEST_BASE_URL = "http://testserver"
# The key of the signed download URLs of the apps started here (CATALOG_SIGNING_KEY).
TEST_SIGNING_KEY = "catalog-test-signing-key"


# --- the app ----------------------------------------------------------------------------------


@dataclass
class CatalogHarness:
    """A running catalog app and handles on everything a test inspects."""

    app: FastAPI
    client: TestClient
    settings: CatalogSettings
    platform: PlatformSettings  # this app's Kafka settings: read and produce with these
    engine: Engine
    units: UnitOfWorkFactory  # the app's units of work (its outbox, relay and caches)
    store: FileStore
    upload_dir: Path

    def session(self) -> Session:
        """A new session on the app's database (use ``with catalog.session() as s:``)."""
        return Session(self.engine, expire_on_commit=False)


def isolated_platform(platform: PlatformSettings) -> PlatformSettings:
    """The same broker with a topic prefix (and so consumer group) of its own."""
    return _isolated_platform(platform, "cat")


def catalog_settings(
    database_url: str,
    upload_dir: Path,
    platform: PlatformSettings,
    **overrides: Any,
) -> CatalogSettings:
    # Its public URL is the test client's, so that the URLs it emits can be followed.
    defaults: dict[str, Any] = {
        "outbox_poll_seconds": 0.2,
        "signing_key": TEST_SIGNING_KEY,
        "public_url": TEST_BASE_URL,
    }
    settings = CatalogSettings(
        database_url=database_url,
        upload_dir=str(upload_dir),
        **(defaults | overrides),
    )
    return with_platform(settings, platform)


@contextlib.contextmanager
def running_catalog(
    database_url: str,
    upload_dir: Path,
    platform: PlatformSettings,
    **overrides: Any,
) -> Iterator[CatalogHarness]:
    """Start a catalog app (lifespan and all) and stop it on exit.

    ``platform`` should be an isolated one (:func:`isolated_platform`) unless the test means
    to share topics with other services' apps.
    """
    settings = catalog_settings(database_url, upload_dir, platform, **overrides)
    app = create_app(settings)
    with TestClient(app, base_url=TEST_BASE_URL) as client:
        wait_connected(app)
        yield CatalogHarness(
            app=app,
            client=client,
            settings=settings,
            platform=platform,
            engine=app.state.engine,
            units=app.state.unit_of_work,
            store=app.state.file_store,
            upload_dir=settings.upload_path,
        )


@pytest.fixture(scope="module")
def catalog(
    kafka: PlatformSettings,
    postgres_databases: PostgresDatabases,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[CatalogHarness]:
    """A catalog app shared by the tests of one module (fresh database, topics, uploads)."""
    with running_catalog(
        postgres_databases.create("catalog"),
        tmp_path_factory.mktemp("uploads"),
        isolated_platform(kafka),
    ) as harness:
        yield harness


# --- tokens -----------------------------------------------------------------------------------


class TokenFactory:
    """Mints access tokens as governance would (libs.auth.TokenCodec, the test JWT secret).

    ``steward(inst)``, ``reviewer(inst)`` and ``admin()`` return a token; ``headers(token)``
    (or ``as_steward(inst)`` etc.) the ``Authorization`` header to send with it.
    """

    def __init__(self, platform: PlatformSettings) -> None:
        self.codec = TokenCodec(platform)

    def token(
        self,
        *grants: tuple[Role, uuid.UUID | None],
        subject: uuid.UUID | None = None,
        name: str | None = None,
        lifetime: timedelta = timedelta(hours=1),
    ) -> str:
        principal = Principal(
            subject=subject or uuid.uuid4(),
            name=name,
            grants=[RoleGrant(role=role, institution_id=inst) for role, inst in grants],
        )
        return self.codec.encode(principal, lifetime=lifetime)

    def steward(self, *institutions: uuid.UUID, subject: uuid.UUID | None = None) -> str:
        return self.token(*((Role.STEWARD, i) for i in institutions), subject=subject)

    def reviewer(self, *institutions: uuid.UUID, subject: uuid.UUID | None = None) -> str:
        return self.token(*((Role.REVIEWER, i) for i in institutions), subject=subject)

    def admin(self, subject: uuid.UUID | None = None) -> str:
        return self.token((Role.ADMIN, None), subject=subject)

    @staticmethod
    def headers(token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"}

    def as_steward(self, *institutions: uuid.UUID) -> dict[str, str]:
        return self.headers(self.steward(*institutions))

    def as_reviewer(self, *institutions: uuid.UUID) -> dict[str, str]:
        return self.headers(self.reviewer(*institutions))

    def as_admin(self) -> dict[str, str]:
        return self.headers(self.admin())


@pytest.fixture(scope="session")
def tokens(platform: PlatformSettings) -> TokenFactory:
    return TokenFactory(platform)


def steward_principal(*institutions: uuid.UUID) -> Principal:
    """A steward as the domain functions take it (no token involved)."""
    return Principal(
        subject=uuid.uuid4(),
        grants=[RoleGrant(role=Role.STEWARD, institution_id=i) for i in institutions],
    )


def admin_principal() -> Principal:
    return Principal(subject=uuid.uuid4(), grants=[RoleGrant(role=Role.ADMIN)])


# --- data -------------------------------------------------------------------------------------


def enrol_organization(
    units: UnitOfWorkFactory,
    *,
    institution_id: uuid.UUID | None = None,
    slug: str | None = None,
    name_fr: str = "Haut-Commissariat au Plan",
    name_ar: str | None = "المندوبية السامية للتخطيط",
    acronym: str | None = "HCP",
    kind: str = "public_body",
) -> Institution:
    """An active organisation, inserted as the ``institution enrolled`` handler does."""
    institution_id = institution_id or uuid.uuid4()
    data = InstitutionEnrolled(
        institution_id=institution_id,
        slug=slug or f"org-{institution_id.hex[:8]}",
        name=LocalizedText(fr=name_fr, ar=name_ar),
        acronym=acronym,
        kind=kind,
        enrolled_on=date.today(),
    )
    with units() as uow:
        organization = apply_enrolment(uow, data)
        uow.commit()
        return organization


@dataclass
class ResourceSpec:
    """A resource for the dataset helpers: a link (``url``) or a file (``content``)."""

    url: str | None = None
    content: bytes | None = None
    filename: str | None = None
    format: str | None = None
    title: dict[str, str] | None = None
    media_type: str | None = None


DEFAULT_RESOURCES = (
    ResourceSpec(content=b"region,population\nsouss-massa,2676847\n", filename="population.csv"),
    ResourceSpec(url="https://data.example.ma/api/population.json", format="JSON"),
)


@dataclass
class DatasetFixture:
    """What the helpers return: the dataset row and the ids a test needs."""

    dataset: Dataset
    resource_ids: list[uuid.UUID] = field(default_factory=list)

    @property
    def id(self) -> uuid.UUID:
        return self.dataset.id

    @property
    def slug(self) -> str:
        return self.dataset.slug


def create_draft_dataset(
    units: UnitOfWorkFactory,
    store: FileStore,
    institution_id: uuid.UUID,
    *,
    title: dict[str, str] | None = None,
    resources: Sequence[ResourceSpec] = DEFAULT_RESOURCES,
    actor: Principal | None = None,
    **fields: Any,
) -> DatasetFixture:
    """A draft of ``institution_id`` with ``resources`` (uploads go to ``store``).

    ``fields`` are DatasetCreate fields: slug, description, tags, themes, license_id,
    frequency, temporal_start/end, spatial, contact_point, version.
    """
    actor = actor or steward_principal(institution_id)
    fields.setdefault("license_id", "cc-by")
    fields.setdefault("themes", ["population"])
    fields.setdefault("tags", ["population", "recensement"])
    fields.setdefault("frequency", "ANNUAL")
    data = DatasetCreate(
        institution_id=institution_id,
        title=Title(**(title or {"fr": "Population légale", "ar": "السكان القانونيون"})),
        **fields,
    )
    with units() as uow:
        dataset = create_dataset(uow, actor, data=data)
        uow.commit()
    resource_ids = []
    for spec in resources:
        meta = ResourceFields(
            url=spec.url,
            format=spec.format,
            media_type=spec.media_type,
            title=Title(**spec.title) if spec.title else None,
        )
        upload = None
        if spec.content is not None:
            upload = store.save([spec.content], spec.filename, spec.media_type)
        with units() as uow:
            resource = add_resource(uow, actor, ref=dataset.id, data=meta, upload=upload)
            uow.commit()
        resource_ids.append(resource.id)
    return DatasetFixture(read_dataset(units, dataset.id), resource_ids)


def create_published_dataset(
    units: UnitOfWorkFactory,
    store: FileStore,
    institution_id: uuid.UUID,
    **options: Any,
) -> DatasetFixture:
    """A published dataset, through the domain: draft → submitted → published (as an
    approved review does). Its DatasetSubmitted and DatasetPublished events are in the outbox.
    Takes the options of :func:`create_draft_dataset`."""
    actor = options.get("actor") or steward_principal(institution_id)
    options["actor"] = actor
    created = create_draft_dataset(units, store, institution_id, **options)
    with units() as uow:
        dataset = submit_dataset(uow, actor, ref=created.id, signer=app_signer())
        _publish_submitted(uow, dataset)
        uow.commit()
    return DatasetFixture(read_dataset(units, created.id), created.resource_ids)


def app_signer(base_url: str = TEST_BASE_URL) -> DownloadSigner:
    """The signer of the apps started here (their key), for URLs on ``base_url``."""
    return DownloadSigner(TEST_SIGNING_KEY.encode(), base_url, timedelta(days=7))


def read_dataset(units: UnitOfWorkFactory, dataset_id: uuid.UUID) -> Dataset:
    """The dataset as committed, usable once its unit is closed."""
    with units() as uow:
        dataset = uow.session.get_one(Dataset, dataset_id)
        uow.session.expunge(dataset)  # the unit rolls back on leaving, which would expire it
    return dataset


# --- events -----------------------------------------------------------------------------------


async def produce_event(
    platform: PlatformSettings, data: EventData, *, service: str = "governance", copies: int = 1
) -> CloudEvent:
    """Send ``data`` as a CloudEvent to its (prefixed) topic with a real producer; with
    ``copies``, the same event (same id) several times, as a redelivery does."""
    event = new_event(service, data)
    producer = make_producer(platform)
    await producer.start()
    try:
        for _ in range(copies):
            await producer.send_and_wait(
                topic_name(platform, data.topic),
                value=event.to_bytes(),
                key=event.subject.encode(),
            )
    finally:
        await producer.stop()
    return event


async def catalog_events(
    platform: PlatformSettings,
    *,
    until: int,
    subject: uuid.UUID | str | None = None,
    timeout: float = 30.0,
) -> list[CloudEvent]:
    """Events of the catalog's datasets topic; with ``subject``, those of one dataset, waiting
    until ``until`` of them are there (or ``timeout``)."""
    deadline = time.monotonic() + timeout
    while True:
        events = events_of(
            await read_topic(platform, Topic.CATALOG_DATASETS, until=10**9, timeout=1.0)
        )
        if subject is not None:
            events = [e for e in events if e.subject == str(subject)]
        if len(events) >= until or time.monotonic() > deadline:
            return events


def of_type(events: Sequence[CloudEvent], data_class: type[EventData]) -> list[CloudEvent]:
    return [e for e in events if e.type == data_class.event_type]
