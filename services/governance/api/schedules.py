"""Update schedules of published datasets, and the overdue check on demand."""

from __future__ import annotations

import uuid
from datetime import timedelta

from fastapi import APIRouter, Depends
from sqlmodel import col, select

from libs.db import utcnow
from libs.http.openapi import problems
from libs.http.pagination import Page, PageParams, page_params, paginate
from libs.uow import UnitOfWorkDep
from services.governance.api.deps import SchedulesAdmin, Settings
from services.governance.api.schemas import OverdueCheckOut, ScheduleOut
from services.governance.domain.continuity import check_overdue, schedule_of
from services.governance.models import TrackedDataset

router = APIRouter(prefix="/schedules", tags=["schedules"])


@router.get("", response_model=Page[ScheduleOut])
def list_schedules(
    settings: Settings,
    uow: UnitOfWorkDep,
    institution_id: uuid.UUID | None = None,
    params: PageParams = Depends(page_params),
) -> Page[ScheduleOut]:
    """The published datasets whose updates are followed, with their next due date."""
    statement = select(TrackedDataset).where(col(TrackedDataset.tracking))
    if institution_id is not None:
        statement = statement.where(col(TrackedDataset.institution_id) == institution_id)
    statement = statement.order_by(col(TrackedDataset.slug), col(TrackedDataset.dataset_id))
    grace = timedelta(days=settings.overdue_grace_days)
    now = utcnow()

    def scheduled(row: TrackedDataset) -> ScheduleOut:
        schedule = schedule_of(row, grace)
        return ScheduleOut(
            dataset_id=row.dataset_id,
            institution_id=row.institution_id,
            slug=row.slug,
            title=row.title,
            state=row.state,
            frequency=row.frequency,
            published_at=row.published_at,
            last_data_update=row.last_data_update,
            due_at=schedule.first_due if schedule else None,
            overdue=schedule is not None and schedule.overdue_at(now),
            overdue_since=row.overdue_since,
        )

    return paginate(uow.session, statement, params).map(scheduled)


@router.post("/check", response_model=OverdueCheckOut, responses=problems(403))
def run_overdue_check(
    actor: SchedulesAdmin, settings: Settings, uow: UnitOfWorkDep
) -> OverdueCheckOut:
    """Runs the overdue check now (it also runs on a schedule): the alerts it published."""
    alerts = check_overdue(uow, actor, grace=timedelta(days=settings.overdue_grace_days))
    out = OverdueCheckOut(flagged=[a.model_dump(mode="json") for a in alerts], count=len(alerts))
    uow.commit()
    return out
