"""Which job runs when: a source's schedule and its queued jobs, one job at a time per source
(its lease), a job whose process died taken up again once its lease has passed."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from libs.http.problems import Conflict
from services.catalog.domain.harvest import jobs
from services.catalog.domain.harvest.jobs import Claim, Counts
from services.catalog.domain.harvest.sources import (
    Schedule,
    SourceChanges,
    SourceCreate,
    create_source,
    next_run,
    request_job,
    update_source,
)
from services.catalog.models import HarvestJob, HarvestJobStatus, HarvestKind, HarvestSource
from tests.unit.catalog.conftest import Catalog, admin, enrol

LEASE = 60.0


def add_source(catalog: Catalog, schedule: Schedule | None, slug: str = "communes") -> uuid.UUID:
    data = SourceCreate(
        slug=slug,
        name="Portail des communes",
        institution_id=enrol(catalog, slug=f"inst-{slug}"),
        kind=HarvestKind.CKAN,
        url="https://ckan.example.org",
        schedule=schedule,
    )
    with catalog.unit() as uow:
        source = create_source(uow, admin(), data=data)
        uow.commit()
        return source.id


def claim(catalog: Catalog, now: datetime) -> Claim | None:
    with catalog.unit() as uow:
        claimed = jobs.claim_next(uow, lease=LEASE, now=now)
        uow.commit()
    return claimed


def source(catalog: Catalog, source_id: uuid.UUID) -> HarvestSource:
    with catalog.unit() as uow:
        found = uow.session.get_one(HarvestSource, source_id)
        uow.session.expunge(found)
    return found


def finish(catalog: Catalog, held: Claim, now: datetime) -> None:
    with catalog.unit() as uow:
        jobs.finish_job(uow, held, Counts(), now=now, high_water_mark=now)
        uow.commit()


def test_a_source_on_demand_runs_only_when_a_job_is_asked_for(catalog: Catalog) -> None:
    source_id = add_source(catalog, None)
    now = datetime.now(UTC)
    assert claim(catalog, now) is None
    with catalog.unit() as uow:
        queued = request_job(uow, admin(), ref=source_id)
        again = request_job(uow, admin(), ref="communes", full=True)  # the same job, now full
        uow.commit()
    assert again.id == queued.id
    held = claim(catalog, now)
    assert held is not None and (held.job_id, held.full, held.since) == (queued.id, True, None)
    finish(catalog, held, now)
    assert claim(catalog, now + timedelta(days=1)) is None


def test_an_interval_runs_at_once_then_every_interval_after_the_last_job(
    catalog: Catalog,
) -> None:
    source_id = add_source(catalog, Schedule(every_minutes=60))
    now = datetime.now(UTC)
    held = claim(catalog, now)
    assert held is not None and held.source.id == source_id
    with catalog.unit() as uow:
        assert uow.session.get_one(HarvestJob, held.job_id).trigger == "schedule"
    finish(catalog, held, now)
    assert claim(catalog, now + timedelta(minutes=59)) is None
    later = claim(catalog, now + timedelta(minutes=61))
    assert later is not None and later.since == now  # what changed since the last job


def test_a_daily_time_waits_for_its_hour() -> None:
    at_noon = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
    assert next_run(None, "03:30", at_noon) == datetime(2026, 3, 3, 3, 30, tzinfo=UTC)
    early = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    assert next_run(None, "03:30", early) == datetime(2026, 3, 2, 3, 30, tzinfo=UTC)
    assert next_run(None, None, early) is None


def test_one_job_at_a_time_and_a_dead_process_s_job_taken_up_after_its_lease(
    catalog: Catalog,
) -> None:
    source_id = add_source(catalog, Schedule(every_minutes=60))
    now = datetime.now(UTC)
    first = claim(catalog, now)
    assert first is not None
    with catalog.unit() as uow, pytest.raises(Conflict):  # the command line waits its turn too
        jobs.claim_source(uow, source_id, trigger="cli", full=False, lease=LEASE, now=now)
    with catalog.unit() as uow:
        assert jobs.renew_lease(uow, first, lease=LEASE, now=now + timedelta(seconds=30))
        uow.commit()
    assert claim(catalog, now + timedelta(seconds=80)) is None, "renewed: still held"
    second = claim(catalog, now + timedelta(seconds=100))  # the first process died
    assert second is not None and second.job_id != first.job_id
    with catalog.unit() as uow:
        stale = uow.session.get_one(HarvestJob, first.job_id)
        assert (stale.status, stale.error) == (HarvestJobStatus.FAILED, jobs.INTERRUPTED)
        assert not jobs.renew_lease(uow, first, lease=LEASE, now=now + timedelta(seconds=101))
    assert source(catalog, source_id).lease_job_id == second.job_id


def test_a_disabled_source_is_not_run_and_a_job_cannot_be_asked_of_it(catalog: Catalog) -> None:
    source_id = add_source(catalog, Schedule(every_minutes=60))
    with catalog.unit() as uow:
        update_source(uow, admin(), ref=source_id, changes=SourceChanges(enabled=False))
        uow.commit()
    assert claim(catalog, datetime.now(UTC) + timedelta(hours=2)) is None
    with catalog.unit() as uow, pytest.raises(Conflict):
        request_job(uow, admin(), ref=source_id)
