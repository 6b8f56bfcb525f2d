"""The catalog's domain on a throw-away SQLite database: units of work, an upload store, and
helpers that set up institutions and datasets through the domain's own commands."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest

from libs.auth import Principal, Role, RoleGrant
from libs.events import CloudEvent, EventData
from libs.events.schemas import InstitutionEnrolled, LocalizedText
from libs.uow import UnitOfWork
from services.catalog.app import MIGRATIONS_DIR
from services.catalog.domain.bounds import Title
from services.catalog.domain.datasets import (
    DatasetCreate,
    create_dataset,
    publish_submitted,
    submit_dataset,
)
from services.catalog.domain.institutions import apply_enrolment
from services.catalog.domain.resources import ResourceFields, add_resource
from services.catalog.domain.signing import DownloadSigner
from services.catalog.domain.storage import FileStore
from services.catalog.models import Dataset, Resource, messaging
from tests.support.units import SqliteUnits

BASE_URL = "http://catalog.test"
SIGNER = DownloadSigner(b"unit-test-signing-key", BASE_URL, timedelta(days=7))
E = TypeVar("E", bound=EventData)


class CacheSpy:
    """A read cache that counts how often the units of work clear it."""

    def __init__(self) -> None:
        self.clears = 0

    def clear(self) -> None:
        self.clears += 1


@dataclass
class Catalog:
    units: SqliteUnits
    cache: CacheSpy
    store: FileStore

    def unit(self) -> UnitOfWork:
        unit: UnitOfWork = self.units()
        return unit

    def published(self, event_type: str | None = None) -> list[CloudEvent]:
        return self.units.published(event_type)

    def the_event(self, data_class: type[E]) -> E:
        """The payload of the one event of this type committed so far."""
        [event] = self.published(data_class.event_type)
        data = event.payload()
        assert isinstance(data, data_class)
        return data

    def dataset(self, dataset_id: uuid.UUID) -> Dataset:
        """The dataset as committed, read in a unit of its own."""
        with self.unit() as uow:
            dataset = uow.session.get_one(Dataset, dataset_id)
            uow.session.expunge(dataset)
        return dataset


@pytest.fixture
def catalog(tmp_path: Path) -> Iterator[Catalog]:
    cache = CacheSpy()
    units = SqliteUnits("catalog", MIGRATIONS_DIR, messaging, tmp_path, caches=[cache])
    yield Catalog(units, cache, FileStore(tmp_path / "uploads", max_bytes=1_000_000))
    units.dispose()


def steward(*institutions: uuid.UUID) -> Principal:
    return Principal(
        subject=uuid.uuid4(),
        grants=[RoleGrant(role=Role.STEWARD, institution_id=i) for i in institutions],
    )


def reviewer(*institutions: uuid.UUID) -> Principal:
    return Principal(
        subject=uuid.uuid4(),
        grants=[RoleGrant(role=Role.REVIEWER, institution_id=i) for i in institutions],
    )


def admin() -> Principal:
    return Principal(subject=uuid.uuid4(), grants=[RoleGrant(role=Role.ADMIN)])


def enrolled(institution_id: uuid.UUID | None = None, slug: str = "hcp") -> InstitutionEnrolled:
    return InstitutionEnrolled(
        institution_id=institution_id or uuid.uuid4(),
        slug=slug,
        name=LocalizedText(fr="Haut-Commissariat au Plan", ar="المندوبية السامية للتخطيط"),
        acronym="HCP",
        kind="public_body",
        enrolled_on=date(2019, 12, 10),
    )


def enrol(catalog: Catalog, slug: str = "hcp") -> uuid.UUID:
    event = enrolled(slug=slug)
    with catalog.unit() as uow:
        apply_enrolment(uow, event)
        uow.commit()
    return event.institution_id


def draft(
    catalog: Catalog, institution_id: uuid.UUID, *, resources: int = 1, **fields: Any
) -> uuid.UUID:
    """A draft with ``resources`` linked resources, through the domain."""
    fields.setdefault("title", Title(fr="Population légale", ar="السكان القانونيون"))
    fields.setdefault("license_id", "cc-by")
    fields.setdefault("themes", ["population"])
    fields.setdefault("tags", ["population"])
    actor = steward(institution_id)
    with catalog.unit() as uow:
        dataset = create_dataset(
            uow, actor, data=DatasetCreate(institution_id=institution_id, **fields)
        )
        for n in range(resources):
            link = ResourceFields(url=f"https://data.example.ma/{n}.csv")
            add_resource(uow, actor, ref=dataset.id, data=link)
        uow.commit()
        return dataset.id


def submitted(catalog: Catalog, institution_id: uuid.UUID, **fields: Any) -> uuid.UUID:
    dataset_id = draft(catalog, institution_id, **fields)
    with catalog.unit() as uow:
        submit_dataset(uow, steward(institution_id), ref=dataset_id, signer=SIGNER)
        uow.commit()
    return dataset_id


def published(catalog: Catalog, institution_id: uuid.UUID, **fields: Any) -> uuid.UUID:
    dataset_id = submitted(catalog, institution_id, **fields)
    with catalog.unit() as uow:
        publish_submitted(uow, uow.session.get_one(Dataset, dataset_id))
        uow.commit()
    return dataset_id


def uploaded(
    catalog: Catalog, institution_id: uuid.UUID, dataset_id: uuid.UUID, content: bytes = b"x"
) -> Resource:
    """A file stored and added to a draft, committed."""
    upload = catalog.store.save([content], "serie.csv")
    with catalog.unit() as uow:
        resource = add_resource(
            uow, steward(institution_id), ref=dataset_id, data=ResourceFields(), upload=upload
        )
        uow.commit()
    return resource
