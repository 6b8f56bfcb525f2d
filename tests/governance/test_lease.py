"""Work claimed by a process that dies resumes within seconds, on PostgreSQL: the checks' claim
is a lease, renewed while they run, taken up by another process once it has passed; and
replicas still share the work with FOR UPDATE SKIP LOCKED."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import Engine

from libs.db import make_engine, upgrade, utcnow
from libs.events.schemas import DatasetSubmitted
from libs.settings import PlatformSettings
from libs.uow import UnitOfWorkFactory
from services.governance.app import MIGRATIONS_DIR
from services.governance.domain import quality, reviews
from services.governance.domain.quality import Probe
from services.governance.models import ChecksStatus, Review
from services.governance.settings import GovernanceSettings
from services.governance.workers import ChecksRunner
from tests.governance.conftest import (
    isolated_platform,
    running_governance,
    submitted,
    units_of,
    wait_for,
)

LEASE = 1.0


@pytest.fixture
def engine(postgres_url: Callable[[str], str]) -> Iterator[Engine]:
    url = GovernanceSettings(database_url=postgres_url("governance")).sqlalchemy_url
    upgrade(MIGRATIONS_DIR, url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


def settings() -> GovernanceSettings:
    return GovernanceSettings(database_url="sqlite://", checks_lease_seconds=LEASE)


def open_review(units: UnitOfWorkFactory) -> Review:
    with units() as uow:
        review = reviews.apply_submission(uow, submitted(uuid.uuid4(), uuid.uuid4(), []))
        uow.commit()
    assert review is not None
    return review


def status_of(units: UnitOfWorkFactory, review: Review) -> str:
    with units() as uow:
        stored = uow.session.get(Review, review.id)
        assert stored is not None
        return str(stored.checks_status)


async def evaluated(snapshot: dict[str, Any], config: GovernanceSettings) -> dict[str, Any]:
    data = DatasetSubmitted.model_validate(snapshot)
    return quality.evaluate(data, [Probe(True, status=200) for _ in data.resources], config)


async def test_a_claim_whose_process_died_is_taken_up_after_its_lease(engine: Engine) -> None:
    dead, survivor = units_of(engine), units_of(engine)  # two processes, one database
    review = open_review(dead)
    runner = ChecksRunner(settings(), check=evaluated)
    assert ChecksRunner(settings()).claim_next(dead) is not None  # then the process is killed

    assert await runner.run_pending(survivor) == 0, "the lease still holds"
    started = time.monotonic()
    while await runner.run_pending(survivor) == 0:
        await asyncio.sleep(0.1)
    assert time.monotonic() - started < LEASE + 0.5
    assert status_of(survivor, review) == ChecksStatus.DONE


async def test_a_claim_renewed_while_the_checks_run_is_not_taken(engine: Engine) -> None:
    holder_units, other_units = units_of(engine), units_of(engine)
    review = open_review(holder_units)
    finish = asyncio.Event()

    async def slow(snapshot: dict[str, Any], config: GovernanceSettings) -> dict[str, Any]:
        await finish.wait()
        return await evaluated(snapshot, config)

    holder = ChecksRunner(settings(), check=slow)
    other = ChecksRunner(settings())
    running = asyncio.create_task(holder.run_pending(holder_units))
    deadline = time.monotonic() + 3 * LEASE
    while time.monotonic() < deadline:
        await asyncio.sleep(0.1)
        assert await asyncio.to_thread(other.claim_next, other_units) is None
    finish.set()
    assert await running == 1
    assert status_of(other_units, review) == ChecksStatus.DONE


def test_replicas_skip_a_run_another_is_claiming(engine: Engine) -> None:
    first, second = units_of(engine), units_of(engine)
    review = open_review(first)
    with first() as claiming:  # its transaction, and the row's lock, still open
        claimed = reviews.claim_checks(claiming, lease=LEASE, now=utcnow())
        assert claimed is not None and claimed.review_id == review.id
        started = time.monotonic()
        assert ChecksRunner(settings()).claim_next(second) is None
        assert time.monotonic() - started < 1, "skipped, not waited for"


def test_the_service_resumes_a_dead_processs_checks_within_seconds(
    kafka: PlatformSettings, postgres_url: Callable[[str], str]
) -> None:
    with running_governance(
        postgres_url("governance"), isolated_platform(kafka), checks_lease_seconds=LEASE
    ) as governance:
        # A process of the service claimed the run in its own unit, and was killed.
        dead = units_of(governance.engine)
        with dead() as uow:
            review = reviews.apply_submission(uow, submitted(uuid.uuid4(), uuid.uuid4(), []))
            assert review is not None
            claim = reviews.claim_checks(uow, lease=LEASE, now=utcnow())
            assert claim is not None
            uow.commit()
        started = time.monotonic()
        wait_for(
            lambda: status_of(governance.units, review) == ChecksStatus.DONE,
            timeout=10,
            what="the checks taken up by the running service",
        )
        # The lease, then the runner's next poll.
        assert time.monotonic() - started < LEASE + governance.settings.checks_poll_seconds + 2
