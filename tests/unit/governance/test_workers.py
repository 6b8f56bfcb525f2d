"""The checks runner: woken after the submission's unit commits, each step in a unit of its own."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from libs.events import new_event
from libs.events.schemas import DatasetSubmitted, ReviewOpened
from services.governance.domain import quality
from services.governance.domain.quality import Probe
from services.governance.handlers import handlers
from services.governance.models import ChecksStatus, Review
from services.governance.settings import GovernanceSettings
from services.governance.workers import ChecksRunner
from tests.support.units import SqliteUnits
from tests.unit.governance.conftest import submission


class ObservedRunner(ChecksRunner):
    """Counts its wake-ups instead of acting on them."""

    def __init__(self, settings: GovernanceSettings) -> None:
        super().__init__(settings)
        self.wakes = 0

    def wake(self) -> None:
        self.wakes += 1


def submit(
    units: SqliteUnits, runner: ChecksRunner, data: DatasetSubmitted, *, commit: bool
) -> None:
    on_submitted = handlers(runner)[DatasetSubmitted.event_type]
    with units() as uow:
        on_submitted(uow, new_event("catalog", data), data)
        if commit:
            uow.commit()


def test_the_submission_handler_wakes_the_runner_once_committed_only(
    units: SqliteUnits, settings: GovernanceSettings
) -> None:
    runner = ObservedRunner(settings)
    submit(units, runner, submission(uuid.uuid4(), uuid.uuid4()), commit=False)
    assert runner.wakes == 0, "a rolled back submission wakes nobody"
    submit(units, runner, submission(uuid.uuid4(), uuid.uuid4()), commit=True)
    assert runner.wakes == 1


def test_waking_a_runner_that_is_not_running_is_harmless(settings: GovernanceSettings) -> None:
    ChecksRunner(settings).wake()


async def test_the_runner_claims_checks_and_stores_each_report(
    units: SqliteUnits, settings: GovernanceSettings
) -> None:
    checked: list[str] = []

    async def check(snapshot: dict[str, Any], settings: GovernanceSettings) -> dict[str, Any]:
        checked.append(snapshot["slug"])
        data = DatasetSubmitted.model_validate(snapshot)
        return quality.evaluate(data, [Probe(True, status=200)], settings)

    runner = ChecksRunner(settings, check=check)
    data = submission(uuid.uuid4(), uuid.uuid4())
    await asyncio.to_thread(submit, units, runner, data, commit=True)

    assert await runner.run_pending(units.factory) == 1
    assert checked == [data.slug]
    with units() as uow:
        [opened] = units.published(ReviewOpened.event_type)
        review = uow.session.get(Review, uuid.UUID(opened.data["review_id"]))
        assert review is not None and review.checks_status == ChecksStatus.DONE
    assert await runner.run_pending(units.factory) == 0


async def test_checks_that_raise_are_stored_as_failed(
    units: SqliteUnits, settings: GovernanceSettings
) -> None:
    async def check(snapshot: dict[str, Any], settings: GovernanceSettings) -> dict[str, Any]:
        raise TimeoutError("the server did not answer")

    runner = ChecksRunner(settings, check=check)
    await asyncio.to_thread(
        submit, units, runner, submission(uuid.uuid4(), uuid.uuid4()), commit=True
    )
    await runner.run_pending(units.factory)
    [opened] = units.published(ReviewOpened.event_type)
    with units() as uow:
        review = uow.session.get(Review, uuid.UUID(opened.data["review_id"]))
        assert review is not None and review.checks_status == ChecksStatus.FAILED
        assert review.quality_report == {"error": "TimeoutError: the server did not answer"}
