"""Claims on the automatic checks are leases: renewed while the checks run, taken up by another
process once they expire (its holder died), with a controllable clock."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from libs.events.schemas import DatasetSubmitted, ReviewOpened
from services.governance.domain import quality, reviews
from services.governance.domain.quality import Probe
from services.governance.models import ChecksStatus, Review
from services.governance.settings import GovernanceSettings
from services.governance.workers import ChecksRunner
from tests.support.units import SqliteUnits
from tests.unit.governance.conftest import submission
from tests.unit.governance.test_reviews import REVIEWER, opened

LEASE = 15.0
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def pending_review(units: SqliteUnits) -> Review:
    with units() as uow:
        review = reviews.apply_submission(uow, submission(uuid.uuid4(), uuid.uuid4()))
        uow.commit()
    assert review is not None
    return review


def claim(units: SqliteUnits, seconds: float) -> reviews.Claim | None:
    with units() as uow:
        claimed = reviews.claim_checks(uow, lease=LEASE, now=at(seconds))
        uow.commit()
    return claimed


def renew(units: SqliteUnits, held: reviews.Claim, seconds: float) -> bool:
    with units() as uow:
        renewed = reviews.renew_checks_lease(uow, held, lease=LEASE, now=at(seconds))
        uow.commit()
    return renewed


def test_a_claim_not_renewed_is_taken_up_again_once_its_lease_has_passed(
    units: SqliteUnits,
) -> None:
    review = pending_review(units)
    first = claim(units, 0)  # then its process dies
    assert first is not None and first.review_id == review.id
    assert claim(units, LEASE - 1) is None, "the lease still holds"
    again = claim(units, LEASE + 1)
    assert again is not None and again.review_id == review.id
    assert again.generation > first.generation
    # The first holder, were it only stalled, can neither renew nor store its result.
    assert renew(units, first, LEASE + 2) is False
    with units() as uow:
        assert reviews.record_checks(uow, claim=first, report={"score": 1}) is None


def test_a_renewed_claim_is_not_taken(units: SqliteUnits) -> None:
    pending_review(units)
    held = claim(units, 0)
    assert held is not None
    assert renew(units, held, 10) is True  # the lease now ends at 25
    assert claim(units, LEASE + 1) is None
    assert renew(units, held, 20) is True  # at 35
    assert claim(units, 30) is None
    assert claim(units, 36) is not None


def test_a_finished_run_is_neither_renewed_nor_taken(units: SqliteUnits) -> None:
    pending_review(units)
    held = claim(units, 0)
    assert held is not None
    with units() as uow:
        stored = reviews.record_checks(uow, claim=held, report=None, error="boom")
        uow.commit()
    assert stored is not None and stored.checks_lease_expires_at is None
    assert renew(units, held, 5) is False
    assert claim(units, 1000) is None


def test_a_run_asked_for_by_a_reviewer_is_leased_too(units: SqliteUnits) -> None:
    review = opened(units)
    with units() as uow:
        held = reviews.request_checks(uow, REVIEWER, review_id=review.id, lease=LEASE)
        uow.commit()
    with units() as uow:
        stored = uow.session.get(Review, review.id)
        assert stored is not None and stored.checks_lease_expires_at is not None
        expires = stored.checks_lease_expires_at
    started = expires - timedelta(seconds=LEASE)
    now = started + timedelta(seconds=LEASE + 1)
    with units() as uow:
        taken = reviews.claim_checks(uow, lease=LEASE, now=now)
    assert taken is not None and taken.generation > held.generation


# --- the runner -----------------------------------------------------------------------------------


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


async def test_the_runner_takes_up_a_run_whose_process_died(
    units: SqliteUnits, settings: GovernanceSettings
) -> None:
    settings.checks_lease_seconds = LEASE
    clock = Clock()

    async def check(snapshot: dict[str, Any], config: GovernanceSettings) -> dict[str, Any]:
        data = DatasetSubmitted.model_validate(snapshot)
        return quality.evaluate(data, [Probe(True, status=200)], config)

    dead = ChecksRunner(settings, check=check, clock=clock)
    survivor = ChecksRunner(settings, check=check, clock=clock)
    review = await asyncio.to_thread(pending_review, units)
    assert await asyncio.to_thread(dead.claim_next, units.factory) is not None  # then killed

    clock.now = at(LEASE - 1)
    assert await survivor.run_pending(units.factory) == 0
    clock.now = at(LEASE + 1)
    assert await survivor.run_pending(units.factory) == 1
    with units() as uow:
        stored = uow.session.get(Review, review.id)
        assert stored is not None and stored.checks_status == ChecksStatus.DONE
    assert len(units.published(ReviewOpened.event_type)) == 1


async def test_the_runner_renews_its_lease_while_the_checks_run(
    units: SqliteUnits, settings: GovernanceSettings
) -> None:
    # A real clock and a lease of 0.3 s, renewed every 0.1 s, for checks that outlast it.
    settings.checks_lease_seconds = 0.3
    started = asyncio.Event()
    finish = asyncio.Event()

    async def slow_check(snapshot: dict[str, Any], config: GovernanceSettings) -> dict[str, Any]:
        started.set()
        await finish.wait()
        data = DatasetSubmitted.model_validate(snapshot)
        return quality.evaluate(data, [Probe(True, status=200)], config)

    holder = ChecksRunner(settings, check=slow_check)
    other = ChecksRunner(settings)
    await asyncio.to_thread(pending_review, units)
    running = asyncio.create_task(holder.run_pending(units.factory))
    await started.wait()
    for _ in range(6):  # 0.6 s: two leases
        await asyncio.sleep(0.1)
        assert await asyncio.to_thread(other.claim_next, units.factory) is None
    finish.set()
    assert await running == 1
    assert len(units.published(ReviewOpened.event_type)) == 1


async def test_a_runner_that_lost_its_claim_stops_renewing_and_its_result_is_dropped(
    units: SqliteUnits, settings: GovernanceSettings
) -> None:
    settings.checks_lease_seconds = 0.3
    renewals: list[bool] = []

    class Observed(ChecksRunner):
        def renew(self, units: Any, claim: reviews.Claim) -> bool:
            renewed = super().renew(units, claim)
            renewals.append(renewed)
            return renewed

    async def check(snapshot: dict[str, Any], config: GovernanceSettings) -> dict[str, Any]:
        # Meanwhile another process takes the run over (as if this one had stalled).
        with units() as uow:
            taken = uow.session.get(Review, review.id)
            assert taken is not None
            taken.checks_generation += 1
            uow.commit()
        await asyncio.sleep(0.2)  # long enough for a renewal (every 0.1 s)
        return {"score": 1, "passed": True, "blocking_failures": []}

    review = await asyncio.to_thread(pending_review, units)
    runner = Observed(settings, check=check)
    claimed = await asyncio.to_thread(runner.claim_next, units.factory)
    assert claimed is not None
    assert await runner.execute(units.factory, claimed) is None
    assert renewals == [False], "one failed renewal, then no more"
    assert units.published(ReviewOpened.event_type) == []
