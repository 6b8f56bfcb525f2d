"""Institutions as the figures see them: those taking part, and one institution's page — its
published datasets, their openness and freshness, their quality, and the reuses of its data."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import or_
from sqlmodel import col, func, select

from libs.db import utcnow
from libs.http.pagination import Page, PageParams, paginate
from libs.http.problems import NotFound
from libs.uow import UnitOfWork
from services.metrics.domain.facts import Aggregate
from services.metrics.domain.reports import OpennessItem, Text
from services.metrics.domain.series import end_of_day, share
from services.metrics.models import Entity, Span


class InstitutionSummary(BaseModel):
    id: str
    slug: str | None
    name: Text
    acronym: str | None
    kind: str | None
    status: str
    enrolled_at: datetime | None
    datasets_published: int


class Shares(BaseModel):
    """The audit's findings over a set of published datasets (percentages)."""

    open_licence: float | None
    machine_readable: float | None
    bulk_download: float | None
    up_to_date: float | None


class InstitutionPage(BaseModel):
    institution: InstitutionSummary
    as_of: date
    findings: Shares
    overdue: int = Field(description="Published datasets flagged overdue and not updated since")
    openness: list[OpennessItem]
    average_quality_score: float | None = Field(
        description="Mean of the published datasets' last review quality scores (0–100)"
    )
    reuses_verified: int
    reuses_declared: int = Field(description="Declared, not verified yet")


class DatasetSummary(BaseModel):
    id: str
    slug: str | None
    title: Text
    status: str
    themes: list[str]
    formats: list[str]
    licence_open: bool | None
    stars: int | None
    machine_readable: bool | None
    bulk: bool | None
    up_to_date: bool | None
    quality_score: int | None
    published_at: datetime | None
    last_data_update: datetime | None
    reuses: int = Field(description="Reuses citing it (verified or declared)")


def _active(at: datetime) -> list[Any]:
    return [col(Span.valid_from) <= at, or_(col(Span.valid_to).is_(None), col(Span.valid_to) > at)]


def _moment(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _summaries(uow: UnitOfWork, rows: Sequence[Entity], at: datetime) -> list[InstitutionSummary]:
    ids = [row.entity_id for row in rows]
    statement = (
        select(col(Span.institution_id), func.count())
        .where(
            col(Span.aggregate) == Aggregate.DATASET.value,
            col(Span.state) == "published",
            col(Span.institution_id).in_(ids),
            *_active(at),
        )
        .group_by(col(Span.institution_id))
    )
    counts = {institution: int(n) for institution, n in uow.session.exec(statement)}
    return [
        InstitutionSummary(
            id=row.entity_id,
            slug=row.slug,
            name=row.title,
            acronym=row.properties.get("acronym"),
            kind=row.properties.get("kind"),
            status=row.status,
            enrolled_at=_moment(row.properties.get("enrolled_at")),
            datasets_published=int(counts.get(row.entity_id, 0)),
        )
        for row in rows
    ]


def institutions_page(
    uow: UnitOfWork, params: PageParams, *, taking_part_only: bool = True
) -> Page[InstitutionSummary]:
    statement = select(Entity).where(col(Entity.aggregate) == Aggregate.INSTITUTION.value)
    if taking_part_only:
        statement = statement.where(col(Entity.status) == "taking_part")
    page = paginate(uow.session, statement.order_by(col(Entity.slug)), params)
    return page.with_items(_summaries(uow, page.items, end_of_day(utcnow().date())))


def get_institution(uow: UnitOfWork, slug_or_id: str) -> Entity:
    row = uow.session.exec(
        select(Entity).where(
            col(Entity.aggregate) == Aggregate.INSTITUTION.value,
            or_(col(Entity.slug) == slug_or_id, col(Entity.entity_id) == slug_or_id),
        )
    ).first()
    if row is None:
        raise NotFound(f"no institution {slug_or_id!r}", code="institution-not-found")
    return row


def openness_distribution(stars: Iterable[int | None]) -> list[OpennessItem]:
    """How many datasets have 0 to 5 stars (every level listed, even when empty)."""
    counted = Counter(s for s in stars if s is not None)
    total = sum(counted.values())
    return [
        OpennessItem(
            stars=level, name=None, count=counted[level], share=share(counted[level], total)
        )
        for level in range(6)
    ]


def _reuses_citing(uow: UnitOfWork, at: datetime) -> list[tuple[str, list[str], list[str]]]:
    """(state, institutions, datasets) of every reuse counting at ``at``."""
    rows = uow.session.exec(
        select(col(Span.state), col(Span.institutions), col(Span.datasets)).where(
            col(Span.aggregate) == Aggregate.REUSE.value, *_active(at)
        )
    )
    return [
        (state, list(institutions or []), list(datasets or []))
        for state, institutions, datasets in rows
    ]


def institution_page(uow: UnitOfWork, slug_or_id: str, *, as_of: date) -> InstitutionPage:
    row = get_institution(uow, slug_or_id)
    at = end_of_day(as_of)
    spans = list(
        uow.session.exec(
            select(Span).where(
                col(Span.aggregate) == Aggregate.DATASET.value,
                col(Span.state) == "published",
                col(Span.institution_id) == row.entity_id,
                *_active(at),
            )
        )
    )
    published = len(spans)
    scores = [
        entity.properties.get("quality_score")
        for entity in uow.session.exec(
            select(Entity).where(
                col(Entity.aggregate) == Aggregate.DATASET.value,
                col(Entity.entity_id).in_([s.entity_id for s in spans]),
            )
        )
    ]
    known = [int(s) for s in scores if s is not None]
    reuses = [
        state for state, institutions, _ in _reuses_citing(uow, at) if row.entity_id in institutions
    ]
    return InstitutionPage(
        institution=_summaries(uow, [row], at)[0],
        as_of=as_of,
        findings=Shares(
            open_licence=share(sum(bool(s.licence_open) for s in spans), published),
            machine_readable=share(sum(bool(s.machine_readable) for s in spans), published),
            bulk_download=share(sum(bool(s.bulk) for s in spans), published),
            up_to_date=share(sum(bool(s.up_to_date) for s in spans), published),
        ),
        overdue=sum(s.up_to_date is False for s in spans),
        openness=openness_distribution(s.stars for s in spans),
        average_quality_score=round(sum(known) / len(known), 1) if known else None,
        reuses_verified=reuses.count("verified"),
        reuses_declared=reuses.count("declared"),
    )


def institution_datasets(
    uow: UnitOfWork, slug_or_id: str, params: PageParams
) -> Page[DatasetSummary]:
    """The institution's published datasets, by slug."""
    row = get_institution(uow, slug_or_id)
    statement = (
        select(Entity)
        .where(
            col(Entity.aggregate) == Aggregate.DATASET.value,
            col(Entity.institution_id) == row.entity_id,
            col(Entity.status) == "published",
        )
        .order_by(col(Entity.slug), col(Entity.entity_id))
    )
    page = paginate(uow.session, statement, params)
    cited = Counter(
        dataset
        for _, _, datasets in _reuses_citing(uow, end_of_day(utcnow().date()))
        for dataset in datasets
    )
    return page.map(lambda entity: dataset_summary(entity, cited[entity.entity_id]))


def dataset_summary(entity: Entity, reuses: int) -> DatasetSummary:
    p = entity.properties
    return DatasetSummary(
        id=entity.entity_id,
        slug=entity.slug,
        title=entity.title,
        status=entity.status,
        themes=p.get("themes") or [],
        formats=p.get("formats") or [],
        licence_open=p.get("licence_open"),
        stars=p.get("stars"),
        machine_readable=p.get("machine_readable"),
        bulk=p.get("bulk"),
        up_to_date=p.get("up_to_date"),
        quality_score=p.get("quality_score"),
        published_at=_moment(p.get("published_at")),
        last_data_update=_moment(p.get("last_data_update")),
        reuses=reuses,
    )
