"""The governance service's background workers: the checks runner and the overdue check.

Each opens its own units of work (``app.state.unit_of_work``) and commits each step.

The checks runner: the checks fetch every resource over the network (seconds, sometimes until
a timeout), while the consumer's handler runs inside the transaction that records the event as
processed. Holding that transaction (and its row locks) across network I/O would stall the
consumer and the database, and a slow server would make the event's handling fail and be
retried. So the handler only opens the review with a *pending* report, in its unit of work,
and registers the runner's ``wake`` to run once that unit has committed; the runner claims
pending reviews in a short unit of its own (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
several replicas share the work), runs the checks with no transaction open, and stores the
report in another short unit, which also publishes ``ReviewOpened`` with the score. A run is
tagged with the review's ``checks_generation``: when the dataset is submitted again meanwhile,
the outdated result is dropped and the new snapshot is checked.

A claim is a lease (``GOVERNANCE_CHECKS_LEASE_SECONDS``, 15 by default) that the runner renews
every third of it, in a small unit of its own, while the checks run: a run whose process died
(killed, its machine lost) is taken up by another process within seconds of its last renewal,
and a process that lost its claim (taken over after it stalled) stops renewing and its late
result is dropped.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from fastapi import FastAPI

from libs.background import ClaimRunner, keep_renewed
from libs.db import utcnow
from libs.uow import UnitOfWorkFactory
from services.governance.domain import quality, reviews
from services.governance.domain.audit import SYSTEM
from services.governance.domain.continuity import check_overdue
from services.governance.domain.reviews import Claim
from services.governance.models import Review
from services.governance.settings import GovernanceSettings

log = logging.getLogger("bayanat.governance.workers")

# --- the checks runner --------------------------------------------------------------------------


CheckRun = Callable[[dict[str, Any], GovernanceSettings], Awaitable[dict[str, Any]]]
Clock = Callable[[], datetime]


class ChecksRunner(ClaimRunner[Claim]):
    """Claims the reviews waiting for their checks, runs them and stores the reports.

    One per app (``app.state.checks_runner``); ``wake()`` may be called from any thread (an
    after-commit callback runs in the thread that committed).
    """

    what = "checks runner"

    def __init__(
        self,
        settings: GovernanceSettings,
        check: CheckRun = quality.run_checks,
        clock: Clock = utcnow,
    ) -> None:
        self.settings = settings
        self.check = check
        self.clock = clock
        super().__init__()

    @property
    def poll_seconds(self) -> float:
        return self.settings.checks_poll_seconds

    @property
    def lease(self) -> float:
        return self.settings.checks_lease_seconds

    def claim_next(self, units: UnitOfWorkFactory) -> Claim | None:
        with units() as uow:
            claim = reviews.claim_checks(uow, lease=self.lease, now=self.clock())
            uow.commit()
        return claim

    def renew(self, units: UnitOfWorkFactory, claim: Claim) -> bool:
        """Renews the claim's lease in a unit of its own; False once the claim is lost."""
        with units() as uow:
            renewed = reviews.renew_checks_lease(uow, claim, lease=self.lease, now=self.clock())
            uow.commit()
        return renewed

    async def keep_claim(self, units: UnitOfWorkFactory, claim: Claim) -> None:
        """Renews the claim every third of its lease until cancelled, or until it is lost."""
        await keep_renewed(
            partial(self.renew, units, claim), every=self.lease / 3, what="the checks' lease"
        )
        log.warning(
            "the checks' claim was taken over; its result will be dropped",
            extra={"review_id": str(claim.review_id)},
        )

    async def execute(self, units: UnitOfWorkFactory, claim: Claim) -> Review | None:
        """Runs the checks of a claim (no transaction open meanwhile, its lease renewed) and
        stores the outcome; the review as stored, or None when the run is no longer the
        claim's (superseded, or taken over by another process)."""
        report: dict[str, Any] | None = None
        error: str | None = None
        heartbeat = asyncio.create_task(self.keep_claim(units, claim), name="checks-lease")
        try:
            report = await self.check(claim.snapshot, self.settings)
        except Exception as exc:  # the review must still open, with the failure recorded
            log.exception("automatic checks failed", extra={"review_id": str(claim.review_id)})
            error = f"{type(exc).__name__}: {exc}"
        finally:
            heartbeat.cancel()
            await asyncio.wait([heartbeat])  # its end, without swallowing our own cancellation

        def store() -> Review | None:
            with units() as uow:
                review = reviews.record_checks(uow, claim=claim, report=report, error=error)
                uow.commit()
            return review

        return await asyncio.to_thread(store)


async def checks_worker(app: FastAPI) -> None:
    """Background task of the governance app (``ServiceSpec.background``)."""
    settings: GovernanceSettings = app.state.settings
    if not settings.checks_worker_enabled:
        return
    runner: ChecksRunner = app.state.checks_runner
    await runner.run(app.state.unit_of_work)


# --- the overdue check --------------------------------------------------------------------------


def check_overdue_once(units: UnitOfWorkFactory, settings: GovernanceSettings) -> int:
    """One overdue check in a unit of its own; how many datasets it flagged."""
    with units() as uow:
        alerts = check_overdue(uow, SYSTEM, grace=timedelta(days=settings.overdue_grace_days))
        uow.commit()
    if alerts:
        log.info("overdue datasets flagged", extra={"count": len(alerts)})
    return len(alerts)


async def check_overdue_periodically(
    units: UnitOfWorkFactory, settings: GovernanceSettings
) -> None:
    """The overdue check every ``overdue_check_interval_seconds``, until cancelled."""
    while True:
        try:
            await asyncio.to_thread(check_overdue_once, units, settings)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("overdue check failed; retrying at the next interval")
        await asyncio.sleep(settings.overdue_check_interval_seconds)


async def overdue_worker(app: FastAPI) -> None:
    """Background task of the governance app (``ServiceSpec.background``)."""
    settings: GovernanceSettings = app.state.settings
    if settings.overdue_worker_enabled:
        await check_overdue_periodically(app.state.unit_of_work, settings)
