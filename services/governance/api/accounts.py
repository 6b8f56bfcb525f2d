"""Staff accounts and their roles (national admins manage them)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Query, Response
from sqlmodel import Session, col, func, or_, select

from libs.auth import AdminPrincipal, CurrentPrincipal
from libs.db import get_session
from libs.http.pagination import Page, PageParams, page_params
from libs.http.problems import Forbidden
from services.governance.api.deps import CurrentActor, Settings
from services.governance.api.schemas import AccountOut, RoleOut
from services.governance.domain import accounts
from services.governance.domain.common import page_of
from services.governance.models import Account, InstitutionRole, RoleAssignment

router = APIRouter(prefix="/accounts", tags=["accounts"])


def account_out(
    session: Session, account: Account, roles: list[RoleAssignment] | None = None
) -> AccountOut:
    if roles is None:
        roles = accounts.roles_of(session, account.id)
    return AccountOut(
        id=account.id,
        email=account.email,
        display_name=account.display_name,
        is_admin=account.is_admin,
        active=account.active,
        roles=[RoleOut.model_validate(r) for r in roles],
        created_at=account.created_at,
        last_login_at=account.last_login_at,
    )


@router.post("", status_code=201, response_model=AccountOut)
def create_account(
    body: accounts.AccountCreate,
    _: AdminPrincipal,
    actor: CurrentActor,
    settings: Settings,
    session: Session = Depends(get_session),
) -> AccountOut:
    account = accounts.create(
        session, actor, body, password_min_length=settings.password_min_length
    )
    return account_out(session, account)


@router.get("", response_model=Page[AccountOut])
def list_accounts(
    _: AdminPrincipal,
    q: str | None = Query(None, max_length=200, description="Part of the email or the name"),
    institution_id: uuid.UUID | None = None,
    role: InstitutionRole | None = None,
    is_admin: bool | None = None,
    active: bool | None = None,
    params: PageParams = Depends(page_params),
    session: Session = Depends(get_session),
) -> Page[AccountOut]:
    conditions = []
    if q:
        pattern = f"%{q.lower()}%"
        conditions.append(
            or_(col(Account.email).like(pattern), func.lower(Account.display_name).like(pattern))
        )
    if institution_id is not None or role is not None:
        members = select(RoleAssignment.account_id)
        if institution_id is not None:
            members = members.where(RoleAssignment.institution_id == institution_id)
        if role is not None:
            members = members.where(RoleAssignment.role == role)
        conditions.append(col(Account.id).in_(members))
    if is_admin is not None:
        conditions.append(Account.is_admin == is_admin)
    if active is not None:
        conditions.append(Account.active == active)
    rows, total = page_of(
        session, Account, conditions, [col(Account.email)], params.offset, params.limit
    )
    roles = accounts.roles_by_account(session, [a.id for a in rows])
    return Page.of([account_out(session, a, roles[a.id]) for a in rows], total, params)


@router.get("/me", response_model=AccountOut)
def me(principal: CurrentPrincipal, session: Session = Depends(get_session)) -> AccountOut:
    return account_out(session, accounts.get(session, principal.subject))


@router.get("/{account_id}", response_model=AccountOut)
def get_account(
    account_id: uuid.UUID, principal: CurrentPrincipal, session: Session = Depends(get_session)
) -> AccountOut:
    if not principal.is_admin and principal.subject != account_id:
        raise Forbidden("only the account itself or a national admin may read it")
    return account_out(session, accounts.get(session, account_id))


@router.patch("/{account_id}", response_model=AccountOut)
def update_account(
    account_id: uuid.UUID,
    body: accounts.AccountUpdate,
    _: AdminPrincipal,
    actor: CurrentActor,
    session: Session = Depends(get_session),
) -> AccountOut:
    return account_out(session, accounts.update(session, actor, account_id, body))


@router.post("/{account_id}/password", status_code=204)
def change_password(
    account_id: uuid.UUID,
    body: accounts.PasswordChange,
    principal: CurrentPrincipal,
    actor: CurrentActor,
    settings: Settings,
    session: Session = Depends(get_session),
) -> Response:
    """Own password (with the current one), or any account's by a national admin."""
    accounts.change_password(
        session,
        principal,
        actor,
        account_id,
        body,
        password_min_length=settings.password_min_length,
    )
    return Response(status_code=204)


@router.post("/{account_id}/roles", status_code=201, response_model=AccountOut)
def grant_role(
    account_id: uuid.UUID,
    body: accounts.RoleInput,
    _: AdminPrincipal,
    actor: CurrentActor,
    session: Session = Depends(get_session),
) -> AccountOut:
    accounts.grant_role(session, actor, account_id, body)
    return account_out(session, accounts.get(session, account_id))


@router.delete("/{account_id}/roles/{institution_id}/{role}", status_code=204)
def revoke_role(
    account_id: uuid.UUID,
    institution_id: uuid.UUID,
    role: InstitutionRole,
    _: AdminPrincipal,
    actor: CurrentActor,
    session: Session = Depends(get_session),
) -> Response:
    accounts.revoke_role(session, actor, account_id, institution_id, role)
    return Response(status_code=204)
