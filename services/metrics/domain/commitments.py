"""Commitments and their activities: data national admins keep, reported with the commitment's
overall progress and each activity's standing against its dates (progress.py)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from uuid import UUID

from sqlmodel import col, select

from libs.auth import Principal
from libs.db import utcnow
from libs.http.problems import Conflict, InvalidInput, NotFound
from libs.uow import UnitOfWork
from services.metrics.domain import access
from services.metrics.domain.progress import (
    ActivityStatus,
    Margins,
    Schedule,
    Weighted,
    elapsed,
    overall_progress,
    schedule,
    status,
)
from services.metrics.domain.reports import ActivityReport, CommitmentReport
from services.metrics.models import Activity, Commitment, IndicatorPeriod

# --- reading ----------------------------------------------------------------------------


def get_commitment(uow: UnitOfWork, code: str) -> Commitment:
    commitment = uow.session.get(Commitment, code)
    if commitment is None:
        raise NotFound(f"no commitment {code!r}", code="commitment-not-found")
    return commitment


def activities_of(uow: UnitOfWork, code: str) -> list[Activity]:
    statement = (
        select(Activity)
        .where(col(Activity.commitment_code) == code)
        .order_by(col(Activity.position), col(Activity.start), col(Activity.id))
    )
    return list(uow.session.exec(statement))


def activity_report(activity: Activity, as_of: date) -> ActivityReport:
    reported = ActivityStatus(activity.status)
    return ActivityReport(
        id=activity.id,
        position=activity.position,
        title=activity.title,
        start=activity.start,
        end=activity.end,
        status=reported,
        progress=activity.progress,
        weight=activity.weight,
        completed_on=activity.completed_on,
        schedule=schedule(reported, activity.start, activity.end, activity.completed_on, as_of),
        expected_progress=round(100 * elapsed(as_of, activity.start, activity.end), 2),
    )


def commitment_report(
    uow: UnitOfWork, code: str, *, as_of: date, margins: Margins
) -> CommitmentReport:
    commitment = get_commitment(uow, code)
    activities = [activity_report(a, as_of) for a in activities_of(uow, code)]
    overall = overall_progress(Weighted(a.progress, a.weight) for a in activities)
    gone = elapsed(as_of, commitment.start, commitment.end)
    indicators = sorted(
        set(
            uow.session.exec(
                select(col(IndicatorPeriod.indicator_code)).where(
                    col(IndicatorPeriod.commitment_code) == code
                )
            )
        )
    )
    return CommitmentReport(
        code=commitment.code,
        title=commitment.title,
        description=commitment.description,
        action_plan=commitment.action_plan,
        lead=commitment.lead,
        start=commitment.start,
        end=commitment.end,
        as_of=as_of,
        overall_progress=overall,
        elapsed=round(gone, 4),
        status=status(overall / 100 if overall is not None else None, gone, margins),
        activities_late=sum(a.schedule in (Schedule.LATE, Schedule.DONE_LATE) for a in activities),
        activities=activities,
        indicators=indicators,
    )


def commitment_reports(uow: UnitOfWork, *, as_of: date, margins: Margins) -> list[CommitmentReport]:
    codes = uow.session.exec(
        select(col(Commitment.code)).order_by(col(Commitment.position), col(Commitment.start))
    )
    return [commitment_report(uow, code, as_of=as_of, margins=margins) for code in codes]


# --- editing (national admins) ----------------------------------------------------------


def _check_dates(start: date, end: date) -> None:
    if end < start:
        raise InvalidInput("end", f"must not be before the start ({start})")


def create_commitment(
    uow: UnitOfWork,
    actor: Principal,
    *,
    code: str,
    title: dict[str, str],
    start: date,
    end: date,
    description: dict[str, str] | None = None,
    action_plan: dict[str, str] | None = None,
    lead: dict[str, str] | None = None,
    position: int = 0,
) -> Commitment:
    access.ensure_can_edit_definitions(actor)
    if uow.session.get(Commitment, code) is not None:
        raise Conflict(f"commitment {code!r} exists already", code="commitment-exists")
    _check_dates(start, end)
    now = utcnow()
    commitment = Commitment(
        code=code,
        title=title,
        description=description,
        action_plan=action_plan,
        lead=lead,
        start=start,
        end=end,
        position=position,
        created_at=now,
        updated_at=now,
    )
    uow.session.add(commitment)
    uow.flush()
    return commitment


def update_commitment(
    uow: UnitOfWork, actor: Principal, *, code: str, changes: Mapping[str, Any]
) -> Commitment:
    access.ensure_can_edit_definitions(actor)
    commitment = get_commitment(uow, code)
    for field, value in changes.items():
        setattr(commitment, field, value)
    _check_dates(commitment.start, commitment.end)
    commitment.updated_at = utcnow()
    uow.session.add(commitment)
    uow.flush()
    return commitment


def _check_activity(activity: Activity) -> None:
    _check_dates(activity.start, activity.end)
    if activity.status == ActivityStatus.DONE and activity.progress != 100:
        raise InvalidInput("progress", "a done activity is at 100")
    if activity.completed_on is not None and activity.status != ActivityStatus.DONE:
        raise InvalidInput("completed_on", "only a done activity has a completion date")


def add_activity(
    uow: UnitOfWork,
    actor: Principal,
    *,
    commitment: str,
    title: dict[str, str],
    start: date,
    end: date,
    status: ActivityStatus = ActivityStatus.NOT_STARTED,
    progress: float = 0,
    weight: float = 1,
    completed_on: date | None = None,
    position: int | None = None,
) -> Activity:
    access.ensure_can_edit_definitions(actor)
    get_commitment(uow, commitment)
    existing = activities_of(uow, commitment)
    activity = Activity(
        commitment_code=commitment,
        position=position if position is not None else len(existing) + 1,
        title=title,
        start=start,
        end=end,
        status=status.value,
        progress=progress,
        weight=weight,
        completed_on=completed_on,
        updated_at=utcnow(),
    )
    _check_activity(activity)
    uow.session.add(activity)
    uow.flush()
    return activity


def get_activity(uow: UnitOfWork, commitment: str, activity_id: UUID) -> Activity:
    activity = uow.session.get(Activity, activity_id)
    if activity is None or activity.commitment_code != commitment:
        raise NotFound(
            f"commitment {commitment!r} has no activity {activity_id}", code="activity-not-found"
        )
    return activity


def update_activity(
    uow: UnitOfWork,
    actor: Principal,
    *,
    commitment: str,
    activity_id: UUID,
    changes: Mapping[str, Any],
) -> Activity:
    access.ensure_can_edit_definitions(actor)
    activity = get_activity(uow, commitment, activity_id)
    for field, value in changes.items():
        setattr(activity, field, value.value if isinstance(value, ActivityStatus) else value)
    _check_activity(activity)
    activity.updated_at = utcnow()
    uow.session.add(activity)
    uow.flush()
    return activity


def delete_activity(
    uow: UnitOfWork, actor: Principal, *, commitment: str, activity_id: UUID
) -> None:
    access.ensure_can_edit_definitions(actor)
    uow.session.delete(get_activity(uow, commitment, activity_id))
    uow.flush()


def commitment_codes(uow: UnitOfWork) -> Sequence[str]:
    return list(uow.session.exec(select(col(Commitment.code))))
