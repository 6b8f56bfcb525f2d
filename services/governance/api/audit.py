"""The audit log, read by national admins."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import Field
from sqlmodel import col, select

from libs.fields import Line, Moment
from libs.http.openapi import problems
from libs.http.pagination import Page, PageParams, page_params, paginate
from libs.http.problems import InvalidInput
from libs.uow import UnitOfWorkDep
from services.governance.api.deps import AuditReader
from services.governance.api.schemas import AuditEntryOut
from services.governance.models import AuditEntry

router = APIRouter(prefix="/audit", tags=["audit"])

# The widths of the audit entry's columns.
Column32 = Annotated[Line, Field(max_length=32)]
Column64 = Annotated[Line, Field(max_length=64)]
MOMENT = "A moment (ISO 8601; UTC when it has no offset), between years 1000 and 2999"


@router.get("", response_model=Page[AuditEntryOut], responses=problems(403))
def audit_log(
    _: AuditReader,
    uow: UnitOfWorkDep,
    actor_id: uuid.UUID | None = None,
    action: Annotated[
        Column64 | None,
        Query(description="An action (review.approve) or a prefix (review.)"),
    ] = None,
    target_type: Annotated[Column32 | None, Query()] = None,
    target_id: Annotated[Column64 | None, Query()] = None,
    institution_id: uuid.UUID | None = None,
    since: Annotated[Moment | None, Query(description=MOMENT)] = None,
    until: Annotated[Moment | None, Query(description=MOMENT)] = None,
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
