"""Runs the automatic checks outside any database transaction.

Why a background runner: the checks fetch every resource over the network (seconds, sometimes
until a timeout), while the consumer's handler runs inside the transaction that records the
event as processed. Holding that transaction (and its row locks) across network I/O would
stall the consumer and the database, and a slow server would make the event's handling fail
and be retried. So the handler only opens the review with a *pending* report, in its
transaction; this runner claims pending reviews (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so
several replicas share the work), runs the checks with no transaction open, and stores the
report in a short transaction of its own, which also publishes ``ReviewOpened`` with the
score. A run is tagged with the review's ``checks_generation``: when the dataset is submitted
again meanwhile, the outdated result is dropped and the new snapshot is checked.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from sqlalchemy import Engine, event, or_
from sqlmodel import Session, col, select

from services.governance.domain import reviews
from services.governance.domain.audit import utcnow
from services.governance.domain.quality import run_checks
from services.governance.models import ChecksStatus, Review
from services.governance.settings import GovernanceSettings

log = logging.getLogger("bayanat.governance.checks")

_wakers: list[Callable[[], None]] = []
_wakers_lock = threading.Lock()


@event.listens_for(Session, "after_commit")
def _wake_runners(session: Session) -> None:
    if session.info.pop(reviews.CHECKS_REQUESTED_FLAG, False):
        with _wakers_lock:
            wakers = list(_wakers)
        for wake in wakers:
            wake()


@event.listens_for(Session, "after_rollback")
def _forget_request(session: Session) -> None:
    session.info.pop(reviews.CHECKS_REQUESTED_FLAG, None)


@dataclass(frozen=True)
class Claim:
    review_id: uuid.UUID
    generation: int
    snapshot: dict[str, Any]


def claim_next(engine: Engine, settings: GovernanceSettings) -> Claim | None:
    now = utcnow()
    stale = now - timedelta(seconds=settings.checks_stale_seconds)
    with Session(engine) as session:
        review = session.exec(
            select(Review)
            .where(
                or_(
                    Review.checks_status == ChecksStatus.PENDING,
                    (Review.checks_status == ChecksStatus.RUNNING)
                    & (col(Review.checks_started_at) < stale),
                )
            )
            .order_by(col(Review.checks_requested_at))
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if review is None:
            return None
        review.checks_status = ChecksStatus.RUNNING
        review.checks_started_at = now
        claim = Claim(review.id, review.checks_generation, dict(review.snapshot))
        session.commit()
        return claim


async def execute(engine: Engine, settings: GovernanceSettings, claim: Claim) -> Review | None:
    """Runs the checks of a claim (no transaction open meanwhile) and stores the outcome."""
    report: dict[str, Any] | None = None
    error: str | None = None
    try:
        report = await run_checks(claim.snapshot, settings)
    except Exception as exc:  # the review must still open, with the failure recorded
        log.exception("automatic checks failed", extra={"review_id": str(claim.review_id)})
        error = f"{type(exc).__name__}: {exc}"

    def store() -> Review | None:
        with Session(engine, expire_on_commit=False) as session:
            review = reviews.record_checks(
                session, claim.review_id, claim.generation, report, error
            )
            session.commit()
            return review

    return await asyncio.to_thread(store)


async def run_pending(engine: Engine, settings: GovernanceSettings) -> int:
    """Runs every pending check; returns how many runs were made."""
    count = 0
    while (claim := await asyncio.to_thread(claim_next, engine, settings)) is not None:
        await execute(engine, settings, claim)
        count += 1
    return count


async def checks_worker(app: FastAPI) -> None:
    """Background task of the governance app (``ServiceSpec.background``)."""
    settings: GovernanceSettings = app.state.settings
    if not settings.checks_worker_enabled:
        return
    engine: Engine = app.state.engine
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()

    def waker() -> None:
        loop.call_soon_threadsafe(wake.set)

    with _wakers_lock:
        _wakers.append(waker)
    try:
        while True:
            try:
                await run_pending(engine, settings)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("checks runner interrupted; retrying")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), settings.checks_poll_seconds)
            wake.clear()
    finally:
        with _wakers_lock:
            _wakers.remove(waker)
