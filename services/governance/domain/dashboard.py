"""An institution's dashboard: its datasets per state, pending reviews and their age, overdue
datasets, average quality score."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, col, func, select

from services.governance.domain.audit import utcnow
from services.governance.domain.common import aware
from services.governance.domain.continuity import schedule_of
from services.governance.models import Review, ReviewState, TrackedDataset
from services.governance.settings import GovernanceSettings

DATASET_STATES = ("draft", "submitted", "published", "withdrawn")
LISTED = 10


def overdue_datasets(
    session: Session, settings: GovernanceSettings, institution_id: uuid.UUID, now: datetime
) -> list[dict[str, Any]]:
    grace = timedelta(days=settings.overdue_grace_days)
    rows = session.exec(
        select(TrackedDataset)
        .where(TrackedDataset.institution_id == institution_id, col(TrackedDataset.tracking))
        .order_by(col(TrackedDataset.last_data_update), col(TrackedDataset.dataset_id))
    ).all()
    overdue = []
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
                "last_data_update": aware(row.last_data_update),
                "due_at": schedule.first_due,
                "overdue_days": (now - schedule.first_due).days,
                "alerted": row.overdue_alerted_due_at is not None,
            }
        )
    overdue.sort(key=lambda entry: entry["due_at"])
    return overdue


def dashboard(
    session: Session, settings: GovernanceSettings, institution_id: uuid.UUID
) -> dict[str, Any]:
    now = utcnow()
    counts = dict.fromkeys(DATASET_STATES, 0)
    for state, count in session.exec(
        select(TrackedDataset.state, func.count())
        .where(TrackedDataset.institution_id == institution_id)
        .group_by(TrackedDataset.state)
    ).all():
        counts[state] = int(count)
    review_counts = dict.fromkeys([s.value for s in ReviewState], 0)
    for state, count in session.exec(
        select(Review.state, func.count())
        .where(Review.institution_id == institution_id)
        .group_by(Review.state)
    ).all():
        review_counts[str(state)] = int(count)
    pending = session.exec(
        select(Review)
        .where(Review.institution_id == institution_id, Review.state == ReviewState.OPEN)
        .order_by(col(Review.opened_at))
        .limit(LISTED)
    ).all()
    average = session.exec(
        select(func.avg(Review.quality_score)).where(
            Review.institution_id == institution_id, col(Review.quality_score).is_not(None)
        )
    ).one()
    overdue = overdue_datasets(session, settings, institution_id, now)
    return {
        "institution_id": institution_id,
        "generated_at": now,
        "datasets": {"by_state": counts, "total": sum(counts.values())},
        "reviews": {
            "by_state": review_counts,
            "pending": review_counts[ReviewState.OPEN.value],
            "oldest_pending_age_seconds": int((now - aware(pending[0].opened_at)).total_seconds())  # type: ignore[operator]
            if pending
            else None,
            "oldest_pending": [
                {
                    "review_id": review.id,
                    "dataset_id": review.dataset_id,
                    "title": review.snapshot.get("title"),
                    "opened_at": aware(review.opened_at),
                    "age_seconds": int((now - aware(review.opened_at)).total_seconds()),  # type: ignore[operator]
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
