"""Institutions, their enrolment in the strategy, members, overdue datasets and dashboard."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends, Query
from sqlalchemy import String, cast
from sqlmodel import Session, col, func, or_, select

from libs.auth import AdminPrincipal, CurrentPrincipal
from libs.db import get_session
from libs.http.pagination import Page, PageParams, page_params
from libs.http.problems import Forbidden
from services.governance.api.deps import CurrentActor, Settings
from services.governance.api.schemas import InstitutionOut, MemberOut, OverdueOut
from services.governance.domain import institutions
from services.governance.domain.accounts import roles_by_account
from services.governance.domain.audit import utcnow
from services.governance.domain.common import page_of
from services.governance.domain.dashboard import dashboard, overdue_datasets
from services.governance.domain.reviews import can_read
from services.governance.models import Account, Institution, InstitutionStatus, RoleAssignment

router = APIRouter(prefix="/institutions", tags=["institutions"])


@router.post("", status_code=201, response_model=InstitutionOut)
def create_institution(
    body: institutions.InstitutionCreate,
    _: AdminPrincipal,
    actor: CurrentActor,
    session: Session = Depends(get_session),
) -> Institution:
    return institutions.create(session, actor, body)


@router.get("", response_model=Page[InstitutionOut])
def list_institutions(
    q: str | None = Query(None, max_length=200, description="Part of the name, slug or acronym"),
    status: InstitutionStatus | None = None,
    kind: str | None = Query(None, max_length=32),
    params: PageParams = Depends(page_params),
    session: Session = Depends(get_session),
) -> Page[Any]:
    conditions = []
    if status is not None:
        conditions.append(Institution.status == status)
    if kind is not None:
        conditions.append(Institution.kind == kind)
    if q:
        pattern = f"%{q.lower()}%"
        conditions.append(
            or_(
                col(Institution.slug).like(pattern),
                func.lower(Institution.acronym).like(pattern),
                func.lower(cast(Institution.name, String)).like(pattern),
            )
        )
    rows, total = page_of(
        session, Institution, conditions, [col(Institution.slug)], params.offset, params.limit
    )
    return Page.of([InstitutionOut.model_validate(r) for r in rows], total, params)


@router.get("/{institution_id}", response_model=InstitutionOut)
def get_institution(institution_id: uuid.UUID, session: Session = Depends(get_session)) -> Any:
    return institutions.get(session, institution_id)


@router.patch("/{institution_id}", response_model=InstitutionOut)
def update_institution(
    institution_id: uuid.UUID,
    body: institutions.InstitutionUpdate,
    _: AdminPrincipal,
    actor: CurrentActor,
    session: Session = Depends(get_session),
) -> Institution:
    return institutions.update(session, actor, institution_id, body)


@router.post("/{institution_id}/enrol", response_model=InstitutionOut)
def enrol_institution(
    institution_id: uuid.UUID,
    body: institutions.Enrolment,
    _: AdminPrincipal,
    actor: CurrentActor,
    session: Session = Depends(get_session),
) -> Institution:
    """Enrols the institution in the open-data strategy (publishes institution enrolled)."""
    return institutions.enrol(session, actor, institution_id, body)


@router.post("/{institution_id}/withdraw", response_model=InstitutionOut)
def withdraw_institution(
    institution_id: uuid.UUID,
    body: institutions.Withdrawal,
    _: AdminPrincipal,
    actor: CurrentActor,
    session: Session = Depends(get_session),
) -> Institution:
    """Withdraws the institution from the strategy (publishes institution withdrawn)."""
    return institutions.withdraw(session, actor, institution_id, body)


def _require_member(principal: Any, institution_id: uuid.UUID) -> None:
    if not can_read(principal, institution_id):
        raise Forbidden(f"a role in institution {institution_id} (or national admin) is required")


@router.get("/{institution_id}/members", response_model=Page[MemberOut])
def list_members(
    institution_id: uuid.UUID,
    principal: CurrentPrincipal,
    params: PageParams = Depends(page_params),
    session: Session = Depends(get_session),
) -> Page[Any]:
    institutions.get(session, institution_id)
    _require_member(principal, institution_id)
    member_ids = select(RoleAssignment.account_id).where(
        RoleAssignment.institution_id == institution_id
    )
    rows, total = page_of(
        session,
        Account,
        [col(Account.id).in_(member_ids)],
        [col(Account.email)],
        params.offset,
        params.limit,
    )
    roles = roles_by_account(session, [a.id for a in rows], institution_id)
    items = [
        MemberOut(
            account_id=account.id,
            email=account.email,
            display_name=account.display_name,
            active=account.active,
            roles=sorted(str(assignment.role) for assignment in roles[account.id]),
        )
        for account in rows
    ]
    return Page.of(items, total, params)


@router.get("/{institution_id}/overdue", response_model=Page[OverdueOut])
def list_overdue(
    institution_id: uuid.UUID,
    settings: Settings,
    params: PageParams = Depends(page_params),
    session: Session = Depends(get_session),
) -> Page[Any]:
    """The institution's published datasets whose update is overdue (public)."""
    institutions.get(session, institution_id)
    overdue = overdue_datasets(session, settings, institution_id, utcnow())
    page = overdue[params.offset : params.offset + params.limit]
    return Page.of([OverdueOut(**entry) for entry in page], len(overdue), params)


@router.get("/{institution_id}/dashboard")
def institution_dashboard(
    institution_id: uuid.UUID,
    principal: CurrentPrincipal,
    settings: Settings,
    session: Session = Depends(get_session),
) -> dict[str, Any]:
    """Datasets per state, pending reviews and their age, overdue datasets, average score."""
    institution = institutions.get(session, institution_id)
    _require_member(principal, institution_id)
    return {
        "institution": InstitutionOut.model_validate(institution).model_dump(mode="json"),
        **dashboard(session, settings, institution_id),
    }
