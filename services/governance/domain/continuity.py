"""Update continuity: each dataset's expected frequency and last data update, and overdue alerts.

Governance learns about datasets only from the catalog's events: submitted (a review opens),
published and updated (the schedule to keep), withdrawn (no schedule any more). A dataset is
overdue when its last data update (or its publication, before any update) plus its frequency's
period plus the grace setting is past. One ``DatasetOverdue`` is published per missed period:
once when it first falls due, again if another whole period passes without an update.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import col, select

from libs.db import utcnow
from libs.events.schemas import (
    DatasetOverdue,
    DatasetPublished,
    DatasetSubmitted,
    DatasetUpdated,
    DatasetWithdrawn,
)
from libs.uow import UnitOfWork
from libs.vocabularies import FREQUENCIES
from services.governance.domain import audit
from services.governance.domain.audit import SYSTEM, Actor
from services.governance.models import TrackedDataset

CatalogEvent = DatasetSubmitted | DatasetPublished | DatasetUpdated | DatasetWithdrawn


def _tracked(uow: UnitOfWork, data: CatalogEvent, state: str) -> TrackedDataset:
    """The dataset's row, locked and marked modified; created in ``state`` when first heard of."""
    row = uow.session.get(TrackedDataset, data.dataset_id, with_for_update=True)
    if row is None:
        row = TrackedDataset(
            dataset_id=data.dataset_id,
            institution_id=data.institution_id,
            slug=data.slug,
            state=state,
        )
        uow.session.add(row)
    row.modified_at = utcnow()
    return row


def _describe(row: TrackedDataset, data: DatasetSubmitted | DatasetPublished) -> None:
    """Submission and publication carry the dataset's description: the latest one wins."""
    row.institution_id, row.slug = data.institution_id, data.slug
    row.title = data.title.model_dump(exclude_none=True)


# The appliers of the catalog's events: applying one twice leaves the state it left once.


def apply_submission(uow: UnitOfWork, data: DatasetSubmitted) -> None:
    row = _tracked(uow, data, "submitted")
    _describe(row, data)
    # A published dataset submitted again (new version) keeps its schedule meanwhile.
    row.state = "submitted"
    row.frequency = data.frequency or row.frequency


def note_changes_requested(uow: UnitOfWork, dataset_id: uuid.UUID) -> None:
    """The dataset went back to its steward: a draft again, or still published (new version)."""
    row = uow.session.get(TrackedDataset, dataset_id)
    if row is not None and row.state == "submitted":
        row.state = "published" if row.tracking else "draft"
        row.modified_at = utcnow()


def apply_publication(uow: UnitOfWork, data: DatasetPublished) -> None:
    row = _tracked(uow, data, "published")
    _describe(row, data)
    row.state = "published"
    row.frequency = data.frequency
    row.published_at = data.published_at
    _set_last_update(row, data.last_data_update or data.published_at)
    row.tracking = True


def apply_update(uow: UnitOfWork, data: DatasetUpdated) -> None:
    row = _tracked(uow, data, "published")
    row.frequency = data.frequency
    _set_last_update(row, data.last_data_update)
    if row.state != "withdrawn":
        row.tracking = True
        if row.state != "submitted":
            row.state = "published"


def apply_withdrawal(uow: UnitOfWork, data: DatasetWithdrawn) -> None:
    row = _tracked(uow, data, "withdrawn")
    row.state = "withdrawn"
    row.tracking = False
    row.overdue_since = None
    row.overdue_alerted_due_at = None


def _set_last_update(row: TrackedDataset, moment: datetime) -> None:
    previous = row.last_data_update
    if previous is None or moment > previous:
        row.last_data_update = moment
        # A new update starts a new schedule: earlier alerts no longer apply.
        row.overdue_since = None
        row.overdue_alerted_due_at = None


@dataclass(frozen=True)
class Schedule:
    period: timedelta
    first_due: datetime  # last update + period + grace

    def due_at(self, now: datetime) -> datetime:
        """The due date of the latest missed period (the first one before any is missed)."""
        if now <= self.first_due:
            return self.first_due
        missed = (now - self.first_due) // self.period
        return self.first_due + missed * self.period

    def overdue_at(self, now: datetime) -> bool:
        """The first period is missed: its due date, grace included, is past."""
        return self.first_due < now


def schedule_of(row: TrackedDataset, grace: timedelta) -> Schedule | None:
    frequency = FREQUENCIES.get(row.frequency or "")
    base = row.last_data_update or row.published_at
    if frequency is None or frequency.period is None or base is None:
        return None  # irregular, never, unknown: nothing to keep
    return Schedule(frequency.period, base + frequency.period + grace)


def check_overdue(
    uow: UnitOfWork, actor: Actor, *, grace: timedelta, now: datetime | None = None
) -> list[DatasetOverdue]:
    """Flags the overdue datasets: one DatasetOverdue per missed period."""
    now = now or utcnow()
    # Row locks (PostgreSQL) keep two replicas running the check at once from alerting twice.
    rows = uow.session.exec(
        select(TrackedDataset)
        .where(col(TrackedDataset.tracking))
        .order_by(col(TrackedDataset.dataset_id))
        .with_for_update(skip_locked=True)
    ).all()
    alerts: list[DatasetOverdue] = []
    for row in rows:
        schedule = schedule_of(row, grace)
        if schedule is None or not schedule.overdue_at(now):
            row.overdue_since = None
            continue
        due = schedule.due_at(now)
        alerted = row.overdue_alerted_due_at
        if alerted is not None and due <= alerted:
            continue  # this period (or a later one) was already announced
        alert = DatasetOverdue(
            dataset_id=row.dataset_id,
            institution_id=row.institution_id,
            frequency=row.frequency or "",
            last_data_update=row.last_data_update,
            due_at=due,
            detected_at=now,
        )
        uow.publish(alert)
        row.overdue_alerted_due_at = due
        row.overdue_since = row.overdue_since or schedule.first_due
        row.modified_at = now
        alerts.append(alert)
    # A scheduled run that flags nothing leaves no trace; a requested one always does.
    if alerts or actor is not SYSTEM:
        flagged = [
            {"dataset_id": str(a.dataset_id), "due_at": a.due_at.isoformat()} for a in alerts
        ]
        audit.record_action(
            uow, actor, action="schedule.check", target_type="schedule", after={"flagged": flagged}
        )
    return alerts
