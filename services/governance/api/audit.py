"""The audit log, read by national admins."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlmodel import Session, col

from libs.auth import AdminPrincipal
from libs.db import get_session
from libs.http.pagination import Page, PageParams, page_params
from libs.http.problems import InvalidInput
from services.governance.api.schemas import AuditEntryOut
from services.governance.domain.common import page_of
from services.governance.models import AuditEntry

router = APIRouter(prefix="/audit", tags=["audit"])


@router.get("", response_model=Page[AuditEntryOut])
def audit_log(
    _: AdminPrincipal,
    actor_id: uuid.UUID | None = None,
    action: str | None = Query(
        None, max_length=64, description="An action (review.approve) or a prefix (review.)"
    ),
    target_type: str | None = Query(None, max_length=32),
    target_id: str | None = Query(None, max_length=64),
    institution_id: uuid.UUID | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    params: PageParams = Depends(page_params),
    session: Session = Depends(get_session),
) -> Page[Any]:
    """Every governance action, most recent first."""
    if since and until and since > until:
        raise InvalidInput("since", "must not be after until")
    conditions: list[Any] = []
    if actor_id is not None:
        conditions.append(AuditEntry.actor_id == actor_id)
    if action:
        conditions.append(
            col(AuditEntry.action).startswith(action)
            if action.endswith(".")
            else AuditEntry.action == action
        )
    if target_type:
        conditions.append(AuditEntry.target_type == target_type)
    if target_id:
        conditions.append(AuditEntry.target_id == target_id)
    if institution_id is not None:
        conditions.append(AuditEntry.institution_id == institution_id)
    if since is not None:
        conditions.append(col(AuditEntry.at) >= since)
    if until is not None:
        conditions.append(col(AuditEntry.at) <= until)
    rows, total = page_of(
        session, AuditEntry, conditions, [col(AuditEntry.id).desc()], params.offset, params.limit
    )
    return Page.of([AuditEntryOut.model_validate(r) for r in rows], total, params)
