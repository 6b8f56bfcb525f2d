"""Update schedules of published datasets, and the overdue check on demand."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends
from sqlmodel import Session, col

from libs.auth import AdminPrincipal
from libs.db import get_session
from libs.http.pagination import Page, PageParams, page_params
from services.governance.api.deps import CurrentActor, Settings
from services.governance.api.schemas import OverdueCheckOut, ScheduleOut
from services.governance.domain.audit import utcnow
from services.governance.domain.common import aware, page_of
from services.governance.domain.continuity import check_overdue, schedule_of
from services.governance.models import TrackedDataset

router = APIRouter(prefix="/schedules", tags=["schedules"])


@router.get("", response_model=Page[ScheduleOut])
def list_schedules(
    settings: Settings,
    institution_id: uuid.UUID | None = None,
    params: PageParams = Depends(page_params),
    session: Session = Depends(get_session),
) -> Page[Any]:
    """The published datasets whose updates are followed, with their next due date."""
    conditions: list[Any] = [col(TrackedDataset.tracking)]
    if institution_id is not None:
        conditions.append(TrackedDataset.institution_id == institution_id)
    rows, total = page_of(
        session,
        TrackedDataset,
        conditions,
        [col(TrackedDataset.slug), col(TrackedDataset.dataset_id)],
        params.offset,
        params.limit,
    )
    grace = timedelta(days=settings.overdue_grace_days)
    now = utcnow()
    items = []
    for row in rows:
        schedule = schedule_of(row, grace)
        items.append(
            ScheduleOut(
                dataset_id=row.dataset_id,
                institution_id=row.institution_id,
                slug=row.slug,
                title=row.title,
                state=row.state,
                frequency=row.frequency,
                published_at=aware(row.published_at),
                last_data_update=aware(row.last_data_update),
                due_at=schedule.first_due if schedule else None,
                overdue=schedule is not None and schedule.overdue_at(now),
                overdue_since=aware(row.overdue_since),
            )
        )
    return Page.of(items, total, params)


@router.post("/check", response_model=OverdueCheckOut)
def run_overdue_check(
    _: AdminPrincipal,
    actor: CurrentActor,
    settings: Settings,
    session: Session = Depends(get_session),
) -> OverdueCheckOut:
    """Runs the overdue check now (it also runs on a schedule): the alerts it published."""
    alerts = check_overdue(session, settings, actor=actor)
    return OverdueCheckOut(flagged=[a.model_dump(mode="json") for a in alerts], count=len(alerts))
