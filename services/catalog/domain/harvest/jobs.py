"""A job's life: claimed with a lease on its source, its progress, its end.

At most one job runs per source. The runner claims a source that is due (its ``next_run_at``
has come) or has a queued job, in a unit of its own: the candidate row is read ``FOR UPDATE
SKIP LOCKED`` (PostgreSQL: several processes share the sources without waiting on each
other), and the lease is taken with a compare-and-set (``UPDATE … WHERE the lease is free``,
which only one writer wins, on SQLite too). The lease lasts ``lease`` seconds and the runner
renews it while the job runs; when it has passed, the process is presumed dead: the next claim
marks its job failed ("interrupted") and starts again, from the last successful job's mark.

A job ends succeeded (its counts, its per-record errors; the source's high-water mark moves
to the latest modification it read) or failed (the source could not be read: its error; the
mark does not move, withdrawals are not made, and what was written before the failure stays,
each dataset whole: the next job compares it and writes nothing twice).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement
from sqlmodel import col, exists, or_, select, update

from libs.http.problems import Conflict
from libs.uow import UnitOfWork
from services.catalog.domain.harvest.sources import SourceConfig, get_source, next_run
from services.catalog.models import (
    HarvestJob,
    HarvestJobError,
    HarvestJobStatus,
    HarvestSource,
)

INTERRUPTED = "interrupted: the process running it stopped before it ended (its lease expired)"
ERROR_MESSAGE_MAX = 2000


@dataclass(frozen=True)
class Claim:
    """A job held by this process: its source as it was when claimed, and what to read."""

    job_id: uuid.UUID
    source: SourceConfig
    since: datetime | None  # ask only for what changed since then; None: everything
    full: bool


@dataclass
class Counts:
    seen: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    withdrawn: int = 0
    failed: int = 0

    def add(self, other: Counts) -> None:
        for item in fields(self):
            setattr(self, item.name, getattr(self, item.name) + getattr(other, item.name))


@dataclass(frozen=True)
class RecordError:
    message: str
    original_id: str | None = None
    original_uri: str | None = None


def _queued_job(uow: UnitOfWork, source_id: uuid.UUID) -> HarvestJob | None:
    return uow.session.exec(
        select(HarvestJob)
        .where(
            col(HarvestJob.source_id) == source_id,
            col(HarvestJob.status) == HarvestJobStatus.QUEUED,
        )
        .order_by(col(HarvestJob.requested_at))
    ).first()


def _lease_free(now: datetime) -> ColumnElement[bool]:
    return or_(
        col(HarvestSource.lease_expires_at).is_(None), col(HarvestSource.lease_expires_at) < now
    )


def _take_lease(
    uow: UnitOfWork, source: HarvestSource, job: HarvestJob, lease: float, now: datetime
) -> bool:
    """The compare-and-set: True when this unit took the source's lease for ``job``."""
    interrupted = source.lease_job_id
    taken = uow.session.exec(
        update(HarvestSource)
        .where(col(HarvestSource.id) == source.id, _lease_free(now))
        .values(lease_job_id=job.id, lease_expires_at=now + timedelta(seconds=lease))
    )
    if taken.rowcount != 1:
        return False
    uow.session.refresh(source)
    if interrupted is not None and interrupted != job.id:
        stale = uow.session.get(HarvestJob, interrupted)
        if stale is not None and stale.status == HarvestJobStatus.RUNNING:
            stale.status = HarvestJobStatus.FAILED
            stale.error = INTERRUPTED
            stale.finished_at = now
    job.status = HarvestJobStatus.RUNNING
    job.started_at = now
    uow.session.add(job)
    uow.session.flush()
    return True


def _claim(source: HarvestSource, job: HarvestJob) -> Claim:
    return Claim(
        job_id=job.id,
        source=SourceConfig.of(source),
        since=None if job.full else source.high_water_mark,
        full=job.full,
    )


def claim_next(uow: UnitOfWork, *, lease: float, now: datetime) -> Claim | None:
    """The next job to run: a queued one, or a scheduled one whose time has come, of an
    enabled source nobody holds; None when there is none (or another process won it)."""
    queued = exists().where(
        col(HarvestJob.source_id) == col(HarvestSource.id),
        col(HarvestJob.status) == HarvestJobStatus.QUEUED,
    )
    source = uow.session.exec(
        select(HarvestSource)
        .where(
            col(HarvestSource.enabled).is_(True),
            _lease_free(now),
            or_(col(HarvestSource.next_run_at) <= now, queued),
        )
        .order_by(col(HarvestSource.next_run_at).asc().nulls_first())
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if source is None:
        return None
    job = _queued_job(uow, source.id) or HarvestJob(
        id=uuid.uuid4(), source_id=source.id, trigger="schedule", requested_at=now
    )
    uow.session.add(job)
    uow.session.flush()
    if not _take_lease(uow, source, job, lease, now):
        return None
    return _claim(source, job)


def claim_source(
    uow: UnitOfWork,
    ref: str | uuid.UUID,
    *,
    trigger: str,
    full: bool,
    lease: float,
    now: datetime,
    requested_by: uuid.UUID | None = None,
) -> Claim:
    """A job of this source for the caller to run now (the command line), or 409 when
    another job holds the source. Its queued job, if any, is the one run."""
    source = get_source(uow.session, ref)
    job = _queued_job(uow, source.id)
    if job is None:
        job = HarvestJob(
            id=uuid.uuid4(),
            source_id=source.id,
            trigger=trigger,
            requested_by=requested_by,
            requested_at=now,
        )
    job.full = job.full or full
    uow.session.add(job)
    uow.session.flush()
    if not _take_lease(uow, source, job, lease, now):
        raise Conflict(
            f"a job of harvest source {source.slug!r} is running (job {source.lease_job_id})",
            code="harvest-job-running",
        )
    return _claim(source, job)


def renew_lease(uow: UnitOfWork, claim: Claim, *, lease: float, now: datetime) -> bool:
    """The claim's holder is alive; False once the source is no longer its (taken over)."""
    renewed = uow.session.exec(
        update(HarvestSource)
        .where(
            col(HarvestSource.id) == claim.source.id,
            col(HarvestSource.lease_job_id) == claim.job_id,
        )
        .values(lease_expires_at=now + timedelta(seconds=lease))
    )
    return renewed.rowcount == 1


def _write_counts(job: HarvestJob, counts: Counts) -> None:
    job.seen_count = counts.seen
    job.new_count = counts.new
    job.updated_count = counts.updated
    job.unchanged_count = counts.unchanged
    job.withdrawn_count = counts.withdrawn
    job.failed_count = counts.failed


def record_progress(
    uow: UnitOfWork, claim: Claim, counts: Counts, errors: list[RecordError], *, now: datetime
) -> None:
    """The counts so far, and the errors since the last call (shown while the job runs)."""
    job = uow.session.get_one(HarvestJob, claim.job_id)
    _write_counts(job, counts)
    uow.session.add(job)
    uow.session.add_all(
        HarvestJobError(
            job_id=claim.job_id,
            original_id=(error.original_id or "")[:1000] or None,
            original_uri=(error.original_uri or "")[:2000] or None,
            message=error.message[:ERROR_MESSAGE_MAX],
            at=now,
        )
        for error in errors
    )


def finish_job(
    uow: UnitOfWork,
    claim: Claim,
    counts: Counts,
    *,
    now: datetime,
    error: str | None = None,
    high_water_mark: datetime | None = None,
) -> HarvestJob:
    """The job's end: succeeded (the source's mark moves) or failed with ``error``. The
    source's lease is released and its next scheduled run set."""
    session = uow.session
    job = session.get_one(HarvestJob, claim.job_id)
    _write_counts(job, counts)
    job.status = HarvestJobStatus.FAILED if error else HarvestJobStatus.SUCCEEDED
    job.error = error[:ERROR_MESSAGE_MAX] if error else None
    job.finished_at = now
    job.high_water_mark = high_water_mark
    session.add(job)
    source = session.get(HarvestSource, claim.source.id, with_for_update=True)
    if source is not None and source.lease_job_id == claim.job_id:
        source.lease_job_id = None
        source.lease_expires_at = None
        source.next_run_at = next_run(source.schedule_every_minutes, source.schedule_daily_at, now)
        # A source changed while the job ran (its mappings, say) keeps the mark it was given.
        unchanged_meanwhile = job.started_at is None or source.modified_at <= job.started_at
        if error is None:
            source.last_success_at = now
            if (
                unchanged_meanwhile
                and high_water_mark is not None
                and (source.high_water_mark is None or high_water_mark > source.high_water_mark)
            ):
                source.high_water_mark = high_water_mark
        session.add(source)
    return job
