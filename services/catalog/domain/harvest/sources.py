"""Harvest sources, managed by national admins, and the jobs asked of them.

A source belongs to an enrolled institution: its datasets are that institution's, written by
the source acting as one of its stewards (``source_actor``: the source's id is the subject, so
that a dataset's ``created_by`` and a submission's ``submitted_by`` name the source). It runs on
a schedule (every N minutes, or every day at HH:MM UTC) and on demand (a queued job). Changing
what decides how records are read or mapped (its kind, URL, filters, mappings) forgets the
high-water mark: the next job reads everything again, and still writes only what changed.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import and_, delete
from sqlmodel import Session, col, func, select

from libs.auth import Principal, Role, RoleGrant
from libs.db import utcnow
from libs.events.schemas import HarvestOrigin
from libs.fields import HttpUrl, Line, ShortLine, Slug
from libs.http.pagination import Page, PageParams, paginate
from libs.http.problems import Conflict, InvalidInput, NotFound
from libs.uow import UnitOfWork
from libs.vocabularies import FORMATS, normalise_format
from services.catalog.domain.access import ensure_can_manage_harvest
from services.catalog.domain.harvest.mapping import Mappings
from services.catalog.domain.institutions import require_enrolled_for_new_dataset
from services.catalog.models import (
    Dataset,
    DatasetState,
    HarvestJob,
    HarvestJobError,
    HarvestJobStatus,
    HarvestKind,
    HarvestRecord,
    HarvestSource,
    License,
    ReviewPolicy,
    Theme,
)

FILTER_VALUES_MAX = 20
MAPPING_ENTRIES_MAX = 200
EVERY_MINUTES_MIN = 5
EVERY_MINUTES_MAX = 30 * 24 * 60
RATE_LIMIT_MAX = 100.0
DAILY_AT = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)$")

# --- inputs ---------------------------------------------------------------------------------


class Schedule(BaseModel):
    """Every ``every_minutes`` minutes, or every day at ``daily_at`` (HH:MM, UTC)."""

    model_config = ConfigDict(extra="forbid")

    every_minutes: int | None = Field(default=None, ge=EVERY_MINUTES_MIN, le=EVERY_MINUTES_MAX)
    daily_at: str | None = Field(default=None, pattern=DAILY_AT.pattern, examples=["03:30"])

    @model_validator(mode="after")
    def _exactly_one(self) -> Self:
        if (self.every_minutes is None) == (self.daily_at is None):
            raise ValueError("give either every_minutes or daily_at")
        return self


FilterValues = Annotated[list[ShortLine], Field(max_length=FILTER_VALUES_MAX)]
MappingKey = Annotated[Line, Field(min_length=1)]
MappingTable = Annotated[dict[MappingKey, ShortLine], Field(max_length=MAPPING_ENTRIES_MAX)]


class Filters(BaseModel):
    """Which records of a CKAN source to read: every filter given must hold, any of its values
    (names, as CKAN gives them)."""

    model_config = ConfigDict(extra="forbid")

    organizations: FilterValues = Field(default_factory=list)
    groups: FilterValues = Field(default_factory=list)
    tags: FilterValues = Field(default_factory=list)


class MappingsInput(BaseModel):
    """The source's words → the catalog's: licence ids or URLs → licence ids, themes (CKAN
    group names, DCAT theme IRIs or their last segment) → theme names, formats → formats."""

    model_config = ConfigDict(extra="forbid")

    licenses: MappingTable = Field(default_factory=dict)
    themes: MappingTable = Field(default_factory=dict)
    formats: MappingTable = Field(default_factory=dict)


class _SourceFields(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Line | None = None
    url: HttpUrl | None = Field(
        default=None,
        description="CKAN: the site (or its /api/3/action); DCAT: the catalogue's first page",
    )
    schedule: Schedule | None = Field(default=None, description="None: on demand only")
    filters: Filters | None = None
    mappings: MappingsInput | None = None
    review_policy: ReviewPolicy | None = None
    rate_limit: float | None = Field(
        default=None, gt=0, le=RATE_LIMIT_MAX, description="Requests a second to the source"
    )
    enabled: bool | None = None


class SourceCreate(_SourceFields):
    slug: Slug
    name: Line
    institution_id: uuid.UUID
    kind: HarvestKind
    url: HttpUrl
    review_policy: ReviewPolicy = ReviewPolicy.REVIEW
    rate_limit: float = Field(default=2.0, gt=0, le=RATE_LIMIT_MAX)
    enabled: bool = True


class SourceChanges(_SourceFields):
    """The fields sent change (a PATCH); ``schedule: null`` makes it on demand only."""


# --- what a job knows of its source ---------------------------------------------------------


def source_actor(source_id: uuid.UUID, slug: str, institution_id: uuid.UUID) -> Principal:
    """The source as the catalog's commands see it: a steward of its institution."""
    return Principal(
        subject=source_id,
        kind="harvest-source",
        name=f"harvest source {slug}",
        grants=[RoleGrant(role=Role.STEWARD, institution_id=institution_id)],
    )


@dataclass(frozen=True)
class SourceConfig:
    """A source as a job reads it (a snapshot taken when the job is claimed)."""

    id: uuid.UUID
    slug: str
    name: str
    institution_id: uuid.UUID
    kind: HarvestKind
    url: str
    filters: dict[str, list[str]]
    mappings: Mappings
    review_policy: ReviewPolicy
    rate_limit: float

    @classmethod
    def of(cls, source: HarvestSource) -> SourceConfig:
        return cls(
            id=source.id,
            slug=source.slug,
            name=source.name,
            institution_id=source.institution_id,
            kind=HarvestKind(source.kind),
            url=source.url,
            filters={k: list(v) for k, v in (source.filters or {}).items()},
            mappings=Mappings.of(source.mappings),
            review_policy=ReviewPolicy(source.review_policy),
            rate_limit=source.rate_limit,
        )

    @property
    def trusted(self) -> bool:
        return self.review_policy == ReviewPolicy.TRUSTED

    @property
    def actor(self) -> Principal:
        return source_actor(self.id, self.slug, self.institution_id)

    def origin(self, original_id: str, original_uri: str | None) -> HarvestOrigin:
        return HarvestOrigin(
            source_id=self.id,
            source_name=self.name,
            original_id=original_id,
            original_uri=original_uri,
            trusted=self.trusted,
        )


# --- schedules ------------------------------------------------------------------------------


def next_run(every_minutes: int | None, daily_at: str | None, after: datetime) -> datetime | None:
    """When a schedule (every so many minutes, or daily at HH:MM UTC) runs next, after
    ``after``; None: on demand only."""
    if every_minutes:
        return after + timedelta(minutes=every_minutes)
    if daily_at:
        hour, minute = (int(part) for part in daily_at.split(":"))
        moment = after.replace(hour=hour, minute=minute, second=0, microsecond=0)
        return moment if moment > after else moment + timedelta(days=1)
    return None


def _set_schedule(source: HarvestSource, schedule: Schedule | None, now: datetime) -> None:
    source.schedule_every_minutes = schedule.every_minutes if schedule else None
    source.schedule_daily_at = schedule.daily_at if schedule else None
    # An interval's first run is due at once; a daily time waits for its hour.
    source.next_run_at = (
        now
        if source.schedule_every_minutes
        else next_run(source.schedule_every_minutes, source.schedule_daily_at, now)
    )


# --- validation -----------------------------------------------------------------------------


def _mappings(session: Session, given: MappingsInput) -> dict[str, dict[str, str]]:
    licences = set(session.exec(select(License.id)))
    themes = set(session.exec(select(Theme.name)))
    for key, target in given.licenses.items():
        if target not in licences:
            known = ", ".join(sorted(licences))
            raise InvalidInput(
                f"mappings.licenses.{key}", f"unknown licence {target!r}; known: {known}"
            )
    for key, target in given.themes.items():
        if target not in themes:
            known = ", ".join(sorted(themes))
            raise InvalidInput(
                f"mappings.themes.{key}", f"unknown theme {target!r}; known: {known}"
            )
    formats: dict[str, str] = {}
    for key, target in given.formats.items():
        code = normalise_format(target)
        if code is None:
            known = ", ".join(FORMATS)
            raise InvalidInput(
                f"mappings.formats.{key}", f"unknown format {target!r}; known: {known}"
            )
        formats[key] = code
    return {"licenses": dict(given.licenses), "themes": dict(given.themes), "formats": formats}


def _filters(kind: HarvestKind, given: Filters | None) -> dict[str, list[str]]:
    filters = given.model_dump() if given else {}
    filters = {
        name: list(dict.fromkeys(v for v in values if v)) for name, values in filters.items()
    }
    if kind != HarvestKind.CKAN and any(filters.values()):
        raise InvalidInput("filters", "filters apply to CKAN sources only")
    return {name: values for name, values in filters.items() if values}


def _slug_conflict(slug: str) -> Conflict:
    return Conflict(
        f"slug: {slug!r} is already the slug of another harvest source",
        code="slug-taken",
        field="slug",
        errors=[{"field": "slug", "message": f"{slug!r} is already taken"}],
    )


# --- commands -------------------------------------------------------------------------------


def find_source(session: Session, ref: str | uuid.UUID) -> HarvestSource | None:
    """A source by id or by slug."""
    if isinstance(ref, uuid.UUID):
        return session.get(HarvestSource, ref)
    try:
        source = session.get(HarvestSource, uuid.UUID(ref))
    except ValueError:
        source = None
    return (
        source or session.exec(select(HarvestSource).where(col(HarvestSource.slug) == ref)).first()
    )


def get_source(session: Session, ref: str | uuid.UUID) -> HarvestSource:
    source = find_source(session, ref)
    if source is None:
        raise NotFound(f"no harvest source {str(ref)!r}", code="harvest-source-not-found")
    return source


def read_source(session: Session, actor: Principal, ref: str | uuid.UUID) -> HarvestSource:
    ensure_can_manage_harvest(actor)
    return get_source(session, ref)


def create_source(uow: UnitOfWork, actor: Principal, *, data: SourceCreate) -> HarvestSource:
    ensure_can_manage_harvest(actor)
    session = uow.session
    require_enrolled_for_new_dataset(session, data.institution_id)
    if session.exec(select(HarvestSource.id).where(col(HarvestSource.slug) == data.slug)).first():
        raise _slug_conflict(data.slug)
    now = utcnow()
    source = HarvestSource(
        id=uuid.uuid4(),
        slug=data.slug,
        name=data.name,
        institution_id=data.institution_id,
        kind=data.kind,
        url=data.url,
        filters=_filters(data.kind, data.filters),
        mappings=_mappings(session, data.mappings or MappingsInput()),
        review_policy=data.review_policy,
        rate_limit=data.rate_limit,
        enabled=data.enabled,
        created_by=actor.subject,
        created_at=now,
        modified_at=now,
    )
    _set_schedule(source, data.schedule, now)
    session.add(source)
    session.flush()
    return source


def update_source(
    uow: UnitOfWork, actor: Principal, *, ref: str | uuid.UUID, changes: SourceChanges
) -> HarvestSource:
    ensure_can_manage_harvest(actor)
    session = uow.session
    source = get_source(session, ref)
    present = changes.model_fields_set
    for required in ("name", "url", "review_policy", "rate_limit", "enabled"):
        if required in present and getattr(changes, required) is None:
            raise InvalidInput(required, "cannot be removed")
    now = utcnow()
    rereads = False
    if changes.name is not None:
        source.name = changes.name
    if changes.url is not None and changes.url != source.url:
        source.url, rereads = changes.url, True
    if "filters" in present:
        filters = _filters(HarvestKind(source.kind), changes.filters)
        rereads |= filters != (source.filters or {})
        source.filters = filters
    if "mappings" in present:
        mappings = _mappings(session, changes.mappings or MappingsInput())
        rereads |= mappings != (source.mappings or {})
        source.mappings = mappings
    if changes.review_policy is not None:
        source.review_policy = changes.review_policy
    if changes.rate_limit is not None:
        source.rate_limit = changes.rate_limit
    if changes.enabled is not None:
        source.enabled = changes.enabled
    if "schedule" in present:
        _set_schedule(source, changes.schedule, now)
    if rereads:
        source.high_water_mark = None
    source.modified_at = now
    session.add(source)
    session.flush()
    return source


def delete_source(uow: UnitOfWork, actor: Principal, *, ref: str | uuid.UUID) -> None:
    """Delete a source and its jobs. Refused (409) while a job runs, and while the source has
    datasets that are not withdrawn: they would lose their provenance and their updates
    (disable the source instead, ``enabled: false``)."""
    ensure_can_manage_harvest(actor)
    session = uow.session
    source = get_source(session, ref)
    now = utcnow()
    if source.lease_expires_at is not None and source.lease_expires_at > now:
        raise Conflict("a job of this source is running", code="harvest-job-running")
    live = session.exec(
        select(Dataset.id)
        .join(HarvestRecord, col(HarvestRecord.dataset_id) == col(Dataset.id))
        .where(
            col(HarvestRecord.source_id) == source.id,
            col(Dataset.state) != DatasetState.WITHDRAWN,
        )
        .limit(1)
    ).first()
    if live is not None:
        raise Conflict(
            f"harvest source {source.slug!r} still has datasets that are not withdrawn: "
            "disable it (enabled: false) rather than delete it",
            code="harvest-source-has-datasets",
        )
    session.exec(delete(HarvestRecord).where(col(HarvestRecord.source_id) == source.id))
    session.delete(source)
    session.flush()


# --- jobs -----------------------------------------------------------------------------------


def request_job(
    uow: UnitOfWork, actor: Principal, *, ref: str | uuid.UUID, full: bool = False
) -> HarvestJob:
    """A job queued for the source (the runner takes it as soon as the source is free); the
    one already queued, if any (a full job if either asks for it)."""
    ensure_can_manage_harvest(actor)
    session = uow.session
    source = get_source(session, ref)
    if not source.enabled:
        raise Conflict(
            f"harvest source {source.slug!r} is disabled: enable it first",
            code="harvest-source-disabled",
        )
    queued = session.exec(
        select(HarvestJob).where(
            col(HarvestJob.source_id) == source.id,
            col(HarvestJob.status) == HarvestJobStatus.QUEUED,
        )
    ).first()
    if queued is not None:
        queued.full = queued.full or full
        session.add(queued)
        return queued
    job = HarvestJob(
        id=uuid.uuid4(),
        source_id=source.id,
        status=HarvestJobStatus.QUEUED,
        trigger="api",
        full=full,
        requested_by=actor.subject,
        requested_at=utcnow(),
    )
    session.add(job)
    session.flush()
    return job


def list_sources(
    session: Session,
    actor: Principal,
    params: PageParams,
    *,
    institution_id: uuid.UUID | None = None,
    kind: HarvestKind | None = None,
    enabled: bool | None = None,
) -> Page[HarvestSource]:
    ensure_can_manage_harvest(actor)
    statement = select(HarvestSource)
    if institution_id is not None:
        statement = statement.where(col(HarvestSource.institution_id) == institution_id)
    if kind is not None:
        statement = statement.where(col(HarvestSource.kind) == kind)
    if enabled is not None:
        statement = statement.where(col(HarvestSource.enabled).is_(enabled))
    return paginate(session, statement.order_by(col(HarvestSource.slug)), params)


def last_jobs(session: Session, source_ids: list[uuid.UUID]) -> dict[uuid.UUID, HarvestJob]:
    """Each source's most recent job."""
    if not source_ids:
        return {}
    latest = (
        select(col(HarvestJob.source_id), func.max(col(HarvestJob.requested_at)).label("at"))
        .where(col(HarvestJob.source_id).in_(source_ids))
        .group_by(col(HarvestJob.source_id))
        .subquery()
    )
    statement = select(HarvestJob).join(
        latest,
        and_(
            col(HarvestJob.source_id) == latest.c.source_id,
            col(HarvestJob.requested_at) == latest.c.at,
        ),
    )
    return {job.source_id: job for job in session.exec(statement)}


def list_jobs(
    session: Session, actor: Principal, *, ref: str | uuid.UUID, params: PageParams
) -> Page[HarvestJob]:
    ensure_can_manage_harvest(actor)
    source = get_source(session, ref)
    statement = (
        select(HarvestJob)
        .where(col(HarvestJob.source_id) == source.id)
        .order_by(col(HarvestJob.requested_at).desc(), col(HarvestJob.id))
    )
    return paginate(session, statement, params)


def get_job(session: Session, actor: Principal, job_id: uuid.UUID) -> HarvestJob:
    ensure_can_manage_harvest(actor)
    job = session.get(HarvestJob, job_id)
    if job is None:
        raise NotFound(f"no harvest job {job_id}", code="harvest-job-not-found")
    return job


def job_errors(session: Session, job: HarvestJob, params: PageParams) -> Page[HarvestJobError]:
    statement = (
        select(HarvestJobError)
        .where(col(HarvestJobError.job_id) == job.id)
        .order_by(col(HarvestJobError.id))
    )
    return paginate(session, statement, params)
