"""Staff accounts and their roles (national admins manage them)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from libs.auth import CurrentPrincipal
from libs.http.openapi import problems
from libs.http.pagination import Page, PageParams, page_params
from libs.uow import UnitOfWork, UnitOfWorkDep
from services.governance.api.deps import AccountsAdmin, CurrentActor, Settings
from services.governance.api.schemas import AccountOut, RoleOut
from services.governance.domain import access, accounts
from services.governance.domain.common import SearchText
from services.governance.models import Account, InstitutionRole, RoleAssignment

router = APIRouter(prefix="/accounts", tags=["accounts"])


def account_out(
    uow: UnitOfWork, account: Account, roles: list[RoleAssignment] | None = None
) -> AccountOut:
    if roles is None:
        roles = accounts.roles_of(uow, account.id)
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


def committed(uow: UnitOfWork, account: Account) -> AccountOut:
    """The account's answer after a change, rendered, then the change committed."""
    out = account_out(uow, account)
    uow.commit()
    return out


@router.post(
    "",
    status_code=201,
    response_model=AccountOut,
    responses=problems(403, s409="The email is taken, or a role is given twice"),
)
def create_account(
    body: accounts.AccountCreate, actor: AccountsAdmin, settings: Settings, uow: UnitOfWorkDep
) -> AccountOut:
    account = accounts.create_account(
        uow,
        actor,
        email=body.email,
        display_name=body.display_name,
        password=body.password,
        is_admin=body.is_admin,
        roles=body.roles,
        password_min_length=settings.password_min_length,
    )
    return committed(uow, account)


@router.get("", response_model=Page[AccountOut], responses=problems(403))
def list_accounts(
    _: AccountsAdmin,
    uow: UnitOfWorkDep,
    q: Annotated[SearchText | None, Query(description="Part of the email or the name")] = None,
    institution_id: uuid.UUID | None = None,
    role: InstitutionRole | None = None,
    is_admin: bool | None = None,
    active: bool | None = None,
    params: PageParams = Depends(page_params),
) -> Page[AccountOut]:
    page = accounts.list_accounts(
        uow,
        q=q,
        institution_id=institution_id,
        role=role,
        is_admin=is_admin,
        active=active,
        params=params,
    )
    roles = accounts.roles_by_account(uow, [a.id for a in page.items])
    return page.map(lambda account: account_out(uow, account, roles[account.id]))


@router.get("/me", response_model=AccountOut, responses=problems(404))
def me(principal: CurrentPrincipal, uow: UnitOfWorkDep) -> AccountOut:
    return account_out(uow, accounts.get_account(uow, principal.subject))


@router.get("/{account_id}", response_model=AccountOut, responses=problems(403, 404))
def get_account(account_id: uuid.UUID, actor: CurrentActor, uow: UnitOfWorkDep) -> AccountOut:
    access.require_account_reader(actor, account_id)
    return account_out(uow, accounts.get_account(uow, account_id))


@router.patch(
    "/{account_id}",
    response_model=AccountOut,
    responses=problems(403, 404, s409="The last active national admin stays one"),
)
def update_account(
    account_id: uuid.UUID, body: accounts.AccountUpdate, actor: AccountsAdmin, uow: UnitOfWorkDep
) -> AccountOut:
    account = accounts.update_account(uow, actor, account_id=account_id, changes=body)
    return committed(uow, account)


@router.post("/{account_id}/password", status_code=204, responses=problems(403, 404))
def change_password(
    account_id: uuid.UUID,
    body: accounts.PasswordChange,
    actor: CurrentActor,
    settings: Settings,
    uow: UnitOfWorkDep,
) -> Response:
    """Own password (with the current one), or any account's by a national admin."""
    accounts.change_password(
        uow,
        actor,
        account_id=account_id,
        current_password=body.current_password,
        new_password=body.new_password,
        password_min_length=settings.password_min_length,
    )
    uow.commit()
    return Response(status_code=204)


@router.post(
    "/{account_id}/roles",
    status_code=201,
    response_model=AccountOut,
    responses=problems(403, 404, s409="The account already holds the role"),
)
def grant_role(
    account_id: uuid.UUID, body: accounts.RoleInput, actor: AccountsAdmin, uow: UnitOfWorkDep
) -> AccountOut:
    accounts.grant_role(
        uow, actor, account_id=account_id, institution_id=body.institution_id, role=body.role
    )
    return committed(uow, accounts.get_account(uow, account_id))


@router.delete(
    "/{account_id}/roles/{institution_id}/{role}",
    status_code=204,
    responses=problems(403, s404="No such account, or it does not hold the role"),
)
def revoke_role(
    account_id: uuid.UUID,
    institution_id: uuid.UUID,
    role: InstitutionRole,
    actor: AccountsAdmin,
    uow: UnitOfWorkDep,
) -> Response:
    accounts.revoke_role(
        uow, actor, account_id=account_id, institution_id=institution_id, role=role
    )
    uow.commit()
    return Response(status_code=204)
