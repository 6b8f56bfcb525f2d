"""The events the metrics service consumes, as the other services would publish them, with
the moments a test chooses: a scripted world of institutions, datasets and reuses."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from libs.events import CloudEvent, EventData, new_event
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
from libs.uow import UnitOfWork
from services.metrics.handlers import HANDLERS

SOURCES = {"institution": "governance", "review": "governance", "dataset": "catalog"}


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=UTC)


def _event(service: str, data: EventData, moment: datetime) -> CloudEvent:
    return new_event(service, data, time=moment)


def enrolled(
    institution_id: uuid.UUID,
    on: date,
    *,
    slug: str | None = None,
    name: str = "Institution",
    kind: str = "public_body",
) -> CloudEvent:
    return _event(
        "governance",
        InstitutionEnrolled(
            institution_id=institution_id,
            slug=slug or f"institution-{name.lower()}",
            name=LocalizedText(fr=name, ar=f"مؤسسة {name}"),
            kind=kind,
            enrolled_on=on,
        ),
        at(on, 9),
    )


def institution_withdrawn(institution_id: uuid.UUID, on: date) -> CloudEvent:
    return _event(
        "governance",
        InstitutionWithdrawn(institution_id=institution_id, withdrawn_on=on),
        at(on, 10),
    )


def submitted(
    dataset_id: uuid.UUID,
    institution_id: uuid.UUID,
    moment: datetime,
    *,
    formats: Sequence[str] = ("CSV",),
    uploaded: bool = False,
    spatial: Sequence[str] = (),
    themes: Sequence[str] = ("sante",),
    licence_open: bool = True,
) -> CloudEvent:
    return _event(
        "catalog",
        DatasetSubmitted(
            dataset_id=dataset_id,
            slug=f"ds-{dataset_id.hex[-8:]}",
            institution_id=institution_id,
            submitted_by=uuid.uuid4(),
            submitted_at=moment,
            title=LocalizedText(fr="Jeu", ar="بيانات"),
            themes=list(themes),
            license_id="cc-by" if licence_open else "other-closed",
            license_is_open=licence_open,
            spatial=list(spatial),
            resources=[
                ResourceSummary(
                    id=uuid.uuid4(),
                    url=f"https://data.example.ma/{n}",
                    format=f,
                    uploaded=uploaded,
                )
                for n, f in enumerate(formats)
            ],
        ),
        moment,
    )


def published(
    dataset_id: uuid.UUID,
    institution_id: uuid.UUID,
    moment: datetime,
    *,
    formats: Sequence[str] = ("CSV",),
    themes: Sequence[str] = ("sante",),
    licence_open: bool = True,
    frequency: str | None = "MONTHLY",
    title: str = "Jeu de données",
) -> CloudEvent:
    return _event(
        "catalog",
        DatasetPublished(
            dataset_id=dataset_id,
            slug=f"ds-{dataset_id.hex[-8:]}",
            institution_id=institution_id,
            title=LocalizedText(fr=title, ar="مجموعة بيانات"),
            themes=list(themes),
            license_id="cc-by" if licence_open else "other-closed",
            license_is_open=licence_open,
            formats=list(formats),
            frequency=frequency,
            published_at=moment,
        ),
        moment,
    )


def updated(
    dataset_id: uuid.UUID,
    institution_id: uuid.UUID,
    moment: datetime,
    *,
    formats: Sequence[str] = ("CSV",),
) -> CloudEvent:
    return _event(
        "catalog",
        DatasetUpdated(
            dataset_id=dataset_id,
            slug=f"ds-{dataset_id.hex[-8:]}",
            institution_id=institution_id,
            frequency="MONTHLY",
            formats=list(formats),
            last_data_update=moment,
            updated_at=moment,
        ),
        moment,
    )


def dataset_withdrawn(
    dataset_id: uuid.UUID, institution_id: uuid.UUID, moment: datetime
) -> CloudEvent:
    return _event(
        "catalog",
        DatasetWithdrawn(
            dataset_id=dataset_id,
            slug=f"ds-{dataset_id.hex[-8:]}",
            institution_id=institution_id,
            withdrawn_at=moment,
        ),
        moment,
    )


def overdue(
    dataset_id: uuid.UUID,
    institution_id: uuid.UUID,
    due: datetime,
    *,
    basis: datetime | None,
    detected: datetime | None = None,
) -> CloudEvent:
    detected = detected or due + timedelta(hours=1)
    return _event(
        "governance",
        DatasetOverdue(
            dataset_id=dataset_id,
            institution_id=institution_id,
            frequency="MONTHLY",
            last_data_update=basis,
            due_at=due,
            detected_at=detected,
        ),
        detected,
    )


def review_opened(
    dataset_id: uuid.UUID, institution_id: uuid.UUID, moment: datetime, score: int
) -> CloudEvent:
    return _event(
        "governance",
        ReviewOpened(
            review_id=uuid.uuid4(),
            dataset_id=dataset_id,
            institution_id=institution_id,
            opened_at=moment,
            quality_score=score,
        ),
        moment,
    )


def review_decided(
    dataset_id: uuid.UUID, institution_id: uuid.UUID, moment: datetime, decision: str
) -> CloudEvent:
    return _event(
        "governance",
        ReviewDecided(
            review_id=uuid.uuid4(),
            dataset_id=dataset_id,
            institution_id=institution_id,
            decision=decision,
            decided_by=uuid.uuid4(),
            decided_at=moment,
        ),
        moment,
    )


def _reuse(
    reuse_type: str, datasets: Sequence[uuid.UUID], institutions: Sequence[uuid.UUID]
) -> dict[str, Any]:
    return {
        "title": LocalizedText(fr="Application", ar="تطبيق"),
        "reuse_type": reuse_type,
        "url": "https://app.example.ma",
        "dataset_ids": list(datasets),
        "institution_ids": list(institutions),
    }


def reuse_declared(
    reuse_id: uuid.UUID,
    moment: datetime,
    *,
    reuse_type: str = "application",
    datasets: Sequence[uuid.UUID] = (),
    institutions: Sequence[uuid.UUID] = (),
) -> CloudEvent:
    return _event(
        "reuse",
        ReuseDeclared(
            reuse_id=reuse_id,
            developer_id=uuid.uuid4(),
            declared_at=moment,
            **_reuse(reuse_type, datasets, institutions),
        ),
        moment,
    )


def reuse_updated(
    reuse_id: uuid.UUID,
    moment: datetime,
    *,
    verified: bool,
    reuse_type: str = "application",
    datasets: Sequence[uuid.UUID] = (),
    institutions: Sequence[uuid.UUID] = (),
) -> CloudEvent:
    return _event(
        "reuse",
        ReuseUpdated(
            reuse_id=reuse_id,
            verified=verified,
            updated_at=moment,
            **_reuse(reuse_type, datasets, institutions),
        ),
        moment,
    )


def reuse_verified(reuse_id: uuid.UUID, moment: datetime) -> CloudEvent:
    return _event("reuse", ReuseVerified(reuse_id=reuse_id, verified_at=moment), moment)


def reuse_removed(reuse_id: uuid.UUID, moment: datetime, *, cause: str = "deleted") -> CloudEvent:
    return _event(
        "reuse",
        ReuseRemoved(reuse_id=reuse_id, dataset_ids=[], removed_at=moment, cause=cause),
        moment,
    )


def apply(uow: UnitOfWork, events: Iterable[CloudEvent]) -> None:
    """Apply events in one unit of work as the consumer would (its inbox aside)."""
    for event in events:
        HANDLERS[event.type](uow, event, event.payload())
