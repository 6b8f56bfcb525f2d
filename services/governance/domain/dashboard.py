"""An institution's dashboard: its datasets per state, pending reviews and their age, overdue
datasets, average quality score."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import col, func, select

from libs.db import utcnow
from libs.uow import UnitOfWork
from services.governance.domain.continuity import schedule_of
from services.governance.models import Review, ReviewState, TrackedDataset

DATASET_STATES = ("draft", "submitted", "published", "withdrawn")
LISTED = 10


def overdue_datasets(
    uow: UnitOfWork, *, institution_id: uuid.UUID, grace: timedelta, now: datetime
) -> list[dict[str, Any]]:
    """The institution's tracked datasets whose first missed period is past, oldest due
    first."""
    rows = uow.session.exec(
        select(TrackedDataset)
        .where(col(TrackedDataset.institution_id) == institution_id, col(TrackedDataset.tracking))
        .order_by(col(TrackedDataset.last_data_update), col(TrackedDataset.dataset_id))
    ).all()
    overdue: list[dict[str, Any]] = []
    for row in rows:
        schedule = schedule_of(row, grace)
        if schedule is None or not schedule.overdue_at(now):
            continue
        overdue.append(
            {
                "dataset_id": row.dataset_id,
                "slug": row.slug,
                "title": row.title,
                "frequency": row.frequency,
                "last_data_update": row.last_data_update,
                "due_at": schedule.first_due,
                "overdue_days": (now - schedule.first_due).days,
                "alerted": row.overdue_alerted_due_at is not None,
            }
        )
    overdue.sort(key=lambda entry: entry["due_at"])
    return overdue


def dashboard(uow: UnitOfWork, *, institution_id: uuid.UUID, grace: timedelta) -> dict[str, Any]:
    session = uow.session
    now = utcnow()
    counts = dict.fromkeys(DATASET_STATES, 0)
    for state, count in session.exec(
        select(TrackedDataset.state, func.count())
        .where(col(TrackedDataset.institution_id) == institution_id)
        .group_by(col(TrackedDataset.state))
    ).all():
        counts[state] = int(count)
    review_counts = dict.fromkeys([s.value for s in ReviewState], 0)
    for review_state, count in session.exec(
        select(Review.state, func.count())
        .where(col(Review.institution_id) == institution_id)
        .group_by(col(Review.state))
    ).all():
        review_counts[str(review_state)] = int(count)
    pending = session.exec(
        select(Review)
        .where(col(Review.institution_id) == institution_id, col(Review.state) == ReviewState.OPEN)
        .order_by(col(Review.opened_at))
        .limit(LISTED)
    ).all()
    average = session.exec(
        select(func.avg(Review.quality_score)).where(
            col(Review.institution_id) == institution_id, col(Review.quality_score).is_not(None)
        )
    ).one()
    overdue = overdue_datasets(uow, institution_id=institution_id, grace=grace, now=now)
    return {
        "institution_id": institution_id,
        "generated_at": now,
        "datasets": {"by_state": counts, "total": sum(counts.values())},
        "reviews": {
            "by_state": review_counts,
            "pending": review_counts[ReviewState.OPEN.value],
            "oldest_pending_age_seconds": int((now - pending[0].opened_at).total_seconds())
            if pending
            else None,
            "oldest_pending": [
                {
                    "review_id": review.id,
                    "dataset_id": review.dataset_id,
                    "title": review.snapshot.get("title"),
                    "opened_at": review.opened_at,
                    "age_seconds": int((now - review.opened_at).total_seconds()),
                    "quality_score": review.quality_score,
                }
                for review in pending
            ],
        },
        "overdue": {"count": len(overdue), "datasets": overdue[:LISTED]},
        "quality": {
            "average_score": round(float(average), 1) if average is not None else None,
        },
    }
