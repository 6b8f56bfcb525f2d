"""The audit log, read by national admins."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query
from pydantic import AwareDatetime
from sqlmodel import col, select

from libs.http.pagination import Page, PageParams, page_params, paginate
from libs.http.problems import InvalidInput
from libs.uow import UnitOfWorkDep
from services.governance.api.deps import AuditReader
from services.governance.api.schemas import AuditEntryOut
from services.governance.models import AuditEntry

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=Page[AuditEntryOut])
def audit_log(
    _: AuditReader,
    uow: UnitOfWorkDep,
    actor_id: uuid.UUID | None = None,
    action: str | None = Query(
        None, max_length=64, description="An action (review.approve) or a prefix (review.)"
    ),
    target_type: str | None = Query(None, max_length=32),
    target_id: str | None = Query(None, max_length=64),
    institution_id: uuid.UUID | None = None,
    since: AwareDatetime | None = Query(None, description="A moment with its offset"),
    until: AwareDatetime | None = Query(None, description="A moment with its offset"),
    params: PageParams = Depends(page_params),
) -> Page[AuditEntryOut]:
    """Every governance action, most recent first."""
    if since and until and since > until:
        raise InvalidInput("since", "must not be after until")
    statement = select(AuditEntry)
    if actor_id is not None:
        statement = statement.where(col(AuditEntry.actor_id) == actor_id)
    if action:
        statement = statement.where(
            col(AuditEntry.action).startswith(action)
            if action.endswith(".")
            else col(AuditEntry.action) == action
        )
    if target_type:
        statement = statement.where(col(AuditEntry.target_type) == target_type)
    if target_id:
        statement = statement.where(col(AuditEntry.target_id) == target_id)
    if institution_id is not None:
        statement = statement.where(col(AuditEntry.institution_id) == institution_id)
    if since is not None:
        statement = statement.where(col(AuditEntry.at) >= since)
    if until is not None:
        statement = statement.where(col(AuditEntry.at) <= until)
    page = paginate(uow.session, statement.order_by(col(AuditEntry.id).desc()), params)
    return page.map(AuditEntryOut.model_validate)
