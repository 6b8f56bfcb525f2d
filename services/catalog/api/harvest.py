"""Harvest sources and their jobs: ``/api/v1/harvest/…``, for national admins.

A source is read on its schedule, or now (``POST …/jobs``: 202, the job queued; the harvest
runner takes it as soon as the source is free). A job shows its counts while it runs and its
per-record errors (``GET /harvest/jobs/{id}``, ``…/errors``).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from libs.auth import CurrentPrincipal
from libs.http.openapi import problems
from libs.http.pagination import Page, PageParams, page_params
from libs.uow import UnitOfWorkDep
from services.catalog.domain.harvest import sources as harvest
from services.catalog.domain.harvest.sources import SourceChanges, SourceCreate
from services.catalog.models import (
    HarvestJob,
    HarvestJobError,
    HarvestKind,
    HarvestSource,
    ReviewPolicy,
)
from services.catalog.workers import HarvestRunner

router = APIRouter(prefix="/harvest", tags=["harvesting"])

SourceRef = Annotated[str, Path(max_length=100, description="The source's id or slug")]
ERRORS_SHOWN = 100


class ScheduleOut(BaseModel):
    every_minutes: int | None = None
    daily_at: str | None = Field(default=None, description="HH:MM, UTC")


class CountsOut(BaseModel):
    seen: int = Field(description="Records read")
    new: int
    updated: int
    unchanged: int
    withdrawn: int = Field(description="Datasets withdrawn (or, never published, removed)")
    failed: int = Field(description="Records that could not be brought in (see the errors)")


class JobOut(BaseModel):
    id: uuid.UUID
    source_id: uuid.UUID
    status: str = Field(description="queued, running, succeeded or failed")
    trigger: str = Field(description="schedule, api or cli")
    full: bool = Field(description="Every record compared, not only what changed")
    requested_by: uuid.UUID | None = None
    requested_at: datetime
    started_at: datetime | None = None
    finished_at: datetime | None = None
    counts: CountsOut
    error: str | None = Field(default=None, description="Why the job failed")
    high_water_mark: datetime | None = Field(
        default=None, description="The latest modification at the source it read"
    )

    @classmethod
    def of(cls, job: HarvestJob) -> JobOut:
        return cls(
            id=job.id,
            source_id=job.source_id,
            status=str(job.status),
            trigger=job.trigger,
            full=job.full,
            requested_by=job.requested_by,
            requested_at=job.requested_at,
            started_at=job.started_at,
            finished_at=job.finished_at,
            counts=CountsOut(
                seen=job.seen_count,
                new=job.new_count,
                updated=job.updated_count,
                unchanged=job.unchanged_count,
                withdrawn=job.withdrawn_count,
                failed=job.failed_count,
            ),
            error=job.error,
            high_water_mark=job.high_water_mark,
        )


class JobErrorOut(BaseModel):
    original_id: str | None = Field(default=None, description="The record's id at the source")
    original_uri: str | None = None
    message: str
    at: datetime

    @classmethod
    def of(cls, error: HarvestJobError) -> JobErrorOut:
        return cls.model_validate(error, from_attributes=True)


class JobDetail(JobOut):
    errors: list[JobErrorOut] = Field(
        description=f"The first {ERRORS_SHOWN} per-record errors (all: …/errors)"
    )


class SourceOut(BaseModel):
    id: uuid.UUID
    slug: str
    name: str
    institution_id: uuid.UUID
    kind: HarvestKind
    url: str
    schedule: ScheduleOut | None = Field(description="None: on demand only")
    filters: dict[str, list[str]]
    mappings: dict[str, dict[str, str]]
    review_policy: ReviewPolicy
    rate_limit: float = Field(description="Requests a second to the source")
    enabled: bool
    created_at: datetime
    modified_at: datetime
    next_run_at: datetime | None = None
    high_water_mark: datetime | None = Field(
        default=None, description="The next job asks for what changed since (CKAN)"
    )
    last_success_at: datetime | None = None
    running_job_id: uuid.UUID | None = None
    last_job: JobOut | None = None

    @classmethod
    def of(cls, source: HarvestSource, last_job: HarvestJob | None) -> SourceOut:
        every, daily = source.schedule_every_minutes, source.schedule_daily_at
        now = datetime.now(UTC)
        running = source.lease_expires_at is not None and source.lease_expires_at > now
        return cls(
            id=source.id,
            slug=source.slug,
            name=source.name,
            institution_id=source.institution_id,
            kind=HarvestKind(source.kind),
            url=source.url,
            schedule=ScheduleOut(every_minutes=every, daily_at=daily) if every or daily else None,
            filters=source.filters or {},
            mappings=source.mappings or {},
            review_policy=ReviewPolicy(source.review_policy),
            rate_limit=source.rate_limit,
            enabled=source.enabled,
            created_at=source.created_at,
            modified_at=source.modified_at,
            next_run_at=source.next_run_at if source.enabled else None,
            high_water_mark=source.high_water_mark,
            last_success_at=source.last_success_at,
            running_job_id=source.lease_job_id if running else None,
            last_job=JobOut.of(last_job) if last_job else None,
        )


class JobRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    full: bool = Field(
        default=False,
        description="Compare every record, not only what changed since the last job "
        "(what is unchanged is still not written)",
    )


def _source_out(uow: UnitOfWorkDep, source: HarvestSource) -> SourceOut:
    return SourceOut.of(source, harvest.last_jobs(uow.session, [source.id]).get(source.id))


def _runner(request: Request) -> HarvestRunner:
    runner = request.app.state.harvest_runner
    if not isinstance(runner, HarvestRunner):
        raise TypeError("app.state.harvest_runner is not a HarvestRunner")
    return runner


@router.post(
    "/sources",
    response_model=SourceOut,
    status_code=201,
    summary="Add a harvest source (a CKAN site or a DCAT-AP catalogue) for an institution",
    responses=problems(403, 409),
)
def create_source(
    data: SourceCreate,
    request: Request,
    response: Response,
    uow: UnitOfWorkDep,
    actor: CurrentPrincipal,
) -> SourceOut:
    source = harvest.create_source(uow, actor, data=data)
    out = SourceOut.of(source, None)
    uow.after_commit(_runner(request).wake)  # an interval's first run is due at once
    uow.commit()
    response.headers["Location"] = f"/api/v1/harvest/sources/{source.id}"
    return out


@router.get(
    "/sources",
    response_model=Page[SourceOut],
    summary="The harvest sources, by slug",
    responses=problems(403),
)
def list_sources(
    uow: UnitOfWorkDep,
    actor: CurrentPrincipal,
    params: Annotated[PageParams, Depends(page_params)],
    institution_id: Annotated[uuid.UUID | None, Query()] = None,
    kind: Annotated[HarvestKind | None, Query()] = None,
    enabled: Annotated[bool | None, Query()] = None,
) -> Page[SourceOut]:
    page = harvest.list_sources(
        uow.session, actor, params, institution_id=institution_id, kind=kind, enabled=enabled
    )
    last = harvest.last_jobs(uow.session, [source.id for source in page.items])
    return page.map(lambda source: SourceOut.of(source, last.get(source.id)))


@router.get(
    "/sources/{ref}",
    response_model=SourceOut,
    summary="One harvest source, with its last job",
    responses=problems(403, 404),
)
def read_source(ref: SourceRef, uow: UnitOfWorkDep, actor: CurrentPrincipal) -> SourceOut:
    return _source_out(uow, harvest.read_source(uow.session, actor, ref))


@router.patch(
    "/sources/{ref}",
    response_model=SourceOut,
    summary="Change a harvest source (the fields sent); disable it with enabled: false",
    responses=problems(403, 404),
)
def update_source(
    ref: SourceRef,
    changes: SourceChanges,
    request: Request,
    uow: UnitOfWorkDep,
    actor: CurrentPrincipal,
) -> SourceOut:
    source = harvest.update_source(uow, actor, ref=ref, changes=changes)
    out = _source_out(uow, source)
    uow.after_commit(_runner(request).wake)  # a new schedule may be due now
    uow.commit()
    return out


@router.delete(
    "/sources/{ref}",
    status_code=204,
    summary="Delete a harvest source and its jobs (once it has no dataset left)",
    responses=problems(403, 404, 409),
)
def delete_source(ref: SourceRef, uow: UnitOfWorkDep, actor: CurrentPrincipal) -> Response:
    harvest.delete_source(uow, actor, ref=ref)
    uow.commit()
    return Response(status_code=204)


@router.post(
    "/sources/{ref}/jobs",
    response_model=JobOut,
    status_code=202,
    summary="Run the source now: a job queued, run as soon as the source is free",
    responses=problems(403, 404, 409),
)
def request_job(
    ref: SourceRef,
    request: Request,
    uow: UnitOfWorkDep,
    actor: CurrentPrincipal,
    body: Annotated[JobRequest | None, Body()] = None,
) -> JobOut:
    job = harvest.request_job(uow, actor, ref=ref, full=bool(body and body.full))
    out = JobOut.of(job)
    uow.after_commit(_runner(request).wake)
    uow.commit()
    return out


@router.get(
    "/sources/{ref}/jobs",
    response_model=Page[JobOut],
    summary="A source's jobs, most recent first",
    responses=problems(403, 404),
)
def list_jobs(
    ref: SourceRef,
    uow: UnitOfWorkDep,
    actor: CurrentPrincipal,
    params: Annotated[PageParams, Depends(page_params)],
) -> Page[JobOut]:
    return harvest.list_jobs(uow.session, actor, ref=ref, params=params).map(JobOut.of)


@router.get(
    "/jobs/{job_id}",
    response_model=JobDetail,
    summary="One job: its counts and its first per-record errors",
    responses=problems(403, 404),
)
def read_job(job_id: uuid.UUID, uow: UnitOfWorkDep, actor: CurrentPrincipal) -> JobDetail:
    job = harvest.get_job(uow.session, actor, job_id)
    errors = harvest.job_errors(uow.session, job, PageParams(page=1, page_size=ERRORS_SHOWN))
    values: dict[str, Any] = JobOut.of(job).model_dump()
    return JobDetail(**values, errors=[JobErrorOut.of(e) for e in errors.items])


@router.get(
    "/jobs/{job_id}/errors",
    response_model=Page[JobErrorOut],
    summary="A job's per-record errors, in the order met",
    responses=problems(403, 404),
)
def job_errors(
    job_id: uuid.UUID,
    uow: UnitOfWorkDep,
    actor: CurrentPrincipal,
    params: Annotated[PageParams, Depends(page_params)],
) -> Page[JobErrorOut]:
    job = harvest.get_job(uow.session, actor, job_id)
    return harvest.job_errors(uow.session, job, params).map(JobErrorOut.of)
