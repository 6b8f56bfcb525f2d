"""Staff accounts and their roles: national admins, and per institution stewards, reviewers and
viewers. One account may hold roles in several institutions."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement
from sqlmodel import col, func, select

from libs.auth import Principal, Role, RoleGrant, record_revocation
from libs.db import utcnow
from libs.events.schemas import TokenRevocationReason, TokensRevoked
from libs.fields import Email, Line, changes_of
from libs.http.pagination import Page, PageParams, paginate
from libs.http.problems import Conflict, InvalidInput, NotFound
from libs.uow import UnitOfWork
from services.governance.domain import access, audit
from services.governance.domain.audit import Actor
from services.governance.domain.common import (
    as_json,
    contains,
    flush_or,
    get_or_404,
    lock,
)
from services.governance.domain.passwords import (
    Password,
    check_strength,
    hash_password,
    verify_password,
)
from services.governance.models import (
    Account,
    Institution,
    InstitutionRole,
    RefreshToken,
    RoleAssignment,
    messaging,
)

DisplayName = Annotated[Line, Field(min_length=1, max_length=200)]
# Roles given with a new account (an account holds a few, in the institutions it works for).
MAX_ROLES = 100


class RoleInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    institution_id: uuid.UUID
    role: InstitutionRole


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: Email
    display_name: DisplayName
    password: Password
    is_admin: bool = False
    roles: list[RoleInput] = Field(default_factory=list, max_length=MAX_ROLES)


class AccountUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    display_name: DisplayName | None = None
    is_admin: bool | None = None
    active: bool | None = None


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: Password | None = None
    new_password: Password


def public_view(account: Account) -> dict[str, object]:
    """What the audit log keeps of an account: never its password hash."""
    return as_json(account, exclude={"password_hash"})


def roles_of(uow: UnitOfWork, account_id: uuid.UUID) -> list[RoleAssignment]:
    return roles_by_account(uow, [account_id])[account_id]


def roles_by_account(
    uow: UnitOfWork,
    account_ids: Collection[uuid.UUID],
    institution_id: uuid.UUID | None = None,
) -> dict[uuid.UUID, list[RoleAssignment]]:
    """The roles of several accounts (in one institution, if given) in one query."""
    statement = select(RoleAssignment).where(col(RoleAssignment.account_id).in_(account_ids))
    if institution_id is not None:
        statement = statement.where(col(RoleAssignment.institution_id) == institution_id)
    statement = statement.order_by(col(RoleAssignment.institution_id), col(RoleAssignment.role))
    grouped: dict[uuid.UUID, list[RoleAssignment]] = {account_id: [] for account_id in account_ids}
    for assignment in uow.session.exec(statement).all():
        grouped[assignment.account_id].append(assignment)
    return grouped


def principal_of(
    account: Account, roles: list[RoleAssignment], session_id: uuid.UUID | None = None
) -> Principal:
    """The account as its tokens describe it: admin or not, its roles (from ``roles_of``), and
    the login they belong to (its refresh token family), so that one session can be revoked."""
    grants = [RoleGrant(role=Role.ADMIN)] if account.is_admin else []
    grants.extend(
        RoleGrant(role=Role(assignment.role), institution_id=assignment.institution_id)
        for assignment in roles
    )
    return Principal(
        subject=account.id, name=account.display_name, grants=grants, session_id=session_id
    )


def _audit(
    uow: UnitOfWork,
    actor: Actor,
    account: Account,
    action: str,
    *,
    institution_id: uuid.UUID | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    audit.record_action(
        uow,
        actor,
        action=action,
        target_type="account",
        target_id=account.id,
        institution_id=institution_id,
        before=before,
        after=after,
    )


def _email_free(uow: UnitOfWork, email: str) -> None:
    if uow.session.exec(select(Account.id).where(col(Account.email) == email)).first() is not None:
        raise Conflict(f"email: an account already uses {email}", code="email-taken", field="email")


def create_account(
    uow: UnitOfWork,
    actor: Actor,
    *,
    email: str,
    display_name: str,
    password: str,
    is_admin: bool = False,
    roles: Collection[RoleInput] = (),
    password_min_length: int,
) -> Account:
    _email_free(uow, email)
    check_strength(password, min_length=password_min_length, email=email)
    now = utcnow()
    account = Account(
        email=email,
        display_name=display_name,
        password_hash=hash_password(password),
        is_admin=is_admin,
        created_at=now,
        modified_at=now,
        password_changed_at=now,
    )
    uow.session.add(account)
    flush_or(uow, Conflict("email: already taken", code="email-taken", field="email"))
    for index, role in enumerate(roles):
        _add_role(uow, actor, account, role, field=f"roles.{index}.institution_id")
    _audit(
        uow,
        actor,
        account,
        "account.create",
        after={**public_view(account), "roles": [r.model_dump(mode="json") for r in roles]},
    )
    return account


def get_account(uow: UnitOfWork, account_id: uuid.UUID) -> Account:
    return get_or_404(uow.session, Account, account_id, "account")


def list_accounts(
    uow: UnitOfWork,
    *,
    q: str | None = None,
    institution_id: uuid.UUID | None = None,
    role: InstitutionRole | None = None,
    is_admin: bool | None = None,
    active: bool | None = None,
    params: PageParams,
) -> Page[Account]:
    """Accounts by email: those whose email or name contains ``q``, holding ``role`` in
    ``institution_id``, admin or not, active or not, as asked."""
    statement = select(Account)
    if q:  # emails are stored lower-cased
        statement = statement.where(
            contains(q, col(Account.email), func.lower(col(Account.display_name)))
        )
    if institution_id is not None or role is not None:
        members = select(RoleAssignment.account_id)
        if institution_id is not None:
            members = members.where(col(RoleAssignment.institution_id) == institution_id)
        if role is not None:
            members = members.where(col(RoleAssignment.role) == role)
        statement = statement.where(col(Account.id).in_(members))
    if is_admin is not None:
        statement = statement.where(col(Account.is_admin) == is_admin)
    if active is not None:
        statement = statement.where(col(Account.active) == active)
    return paginate(uow.session, statement.order_by(col(Account.email)), params)


def list_members(
    uow: UnitOfWork, *, institution_id: uuid.UUID, params: PageParams
) -> Page[Account]:
    """The accounts holding a role in the institution, by email."""
    members = select(RoleAssignment.account_id).where(
        col(RoleAssignment.institution_id) == institution_id
    )
    statement = select(Account).where(col(Account.id).in_(members)).order_by(col(Account.email))
    return paginate(uow.session, statement, params)


def _active_admins(uow: UnitOfWork) -> int:
    statement = (
        select(func.count()).select_from(Account).where(col(Account.is_admin), col(Account.active))
    )
    return int(uow.session.exec(statement).one())


def update_account(
    uow: UnitOfWork, actor: Actor, *, account_id: uuid.UUID, changes: AccountUpdate
) -> Account:
    """Changes the fields ``changes`` sends; the last active national admin stays one."""
    account = lock(uow.session, Account, account_id, "account")
    before = public_view(account)
    sent = changes_of(changes, not_null=("is_admin", "active", "display_name"))
    was_active, was_admin = account.active, account.is_admin
    was_active_admin = was_admin and was_active
    for field, value in sent.items():
        setattr(account, field, value)
    if was_active_admin and not (account.is_admin and account.active):
        uow.flush()
        if _active_admins(uow) == 0:
            raise Conflict(
                "the last active national admin cannot be demoted or deactivated",
                code="last-admin",
            )
    now = utcnow()
    if was_active and not account.active:
        revoke_refresh_tokens(uow, col(RefreshToken.account_id) == account.id, now)
        revoke_access_tokens(uow, account.id, reason="deactivated", now=now)
    elif was_admin and not account.is_admin:
        revoke_access_tokens(uow, account.id, reason="roles_changed", now=now)
    account.modified_at = now
    _audit(uow, actor, account, "account.update", before=before, after=public_view(account))
    return account


def change_password(
    uow: UnitOfWork,
    actor: Actor,
    *,
    account_id: uuid.UUID,
    current_password: str | None,
    new_password: str,
    password_min_length: int,
) -> None:
    """An account changes its own password (giving the current one); an admin resets any.
    Every session of the account ends."""
    account = lock(uow.session, Account, account_id, "account")
    access.require_password_changer(actor, account.id)
    own = actor.id == account.id
    # Changing one's own password always takes the current one (a stolen token is not enough).
    if own and not (current_password and verify_password(account.password_hash, current_password)):
        raise InvalidInput("current_password", "does not match the current password")
    check_strength(
        new_password, min_length=password_min_length, email=account.email, field="new_password"
    )
    now = utcnow()
    account.password_hash = hash_password(new_password)
    account.password_changed_at = account.modified_at = now
    revoke_refresh_tokens(uow, col(RefreshToken.account_id) == account.id, now)
    revoke_access_tokens(uow, account.id, reason="password_changed", now=now)
    _audit(
        uow, actor, account, "account.password", after={"changed_by": "self" if own else "admin"}
    )


def revoke_refresh_tokens(
    uow: UnitOfWork, which: ColumnElement[bool], now: datetime | None = None
) -> int:
    """Revokes the refresh tokens not yet revoked among ``which`` (an account's, a login's);
    how many there were."""
    now = now or utcnow()
    tokens = uow.session.exec(
        select(RefreshToken).where(which, col(RefreshToken.revoked_at).is_(None))
    ).all()
    for token in tokens:
        token.revoked_at = now
    return len(tokens)


def revoke_access_tokens(
    uow: UnitOfWork,
    account_id: uuid.UUID,
    *,
    reason: TokenRevocationReason,
    session_id: uuid.UUID | None = None,
    now: datetime | None = None,
) -> TokensRevoked:
    """The account's access tokens issued before ``now`` (those of one login if
    ``session_id``) stop working: recorded in this service's ``token_revocation`` table, which
    each of its processes reads every second, and announced to the other services, in this
    unit of work, so that the change that revokes them and the revocation commit together."""
    revoked = TokensRevoked(
        account_id=account_id, session_id=session_id, not_before=now or utcnow(), reason=reason
    )
    record_revocation(uow.session, messaging.token_revocations, revoked)
    uow.publish(revoked)
    return revoked


def _add_role(
    uow: UnitOfWork, actor: Actor, account: Account, role: RoleInput, field: str
) -> RoleAssignment:
    session = uow.session
    if session.get(Institution, role.institution_id) is None:
        raise InvalidInput(field, f"institution {role.institution_id} not found")
    existing = session.get(RoleAssignment, (account.id, role.institution_id, role.role.value))
    if existing is not None:
        raise Conflict(
            f"account already holds the role {role.role.value} in institution "
            f"{role.institution_id}",
            code="role-held",
        )
    assignment = RoleAssignment(
        account_id=account.id,
        institution_id=role.institution_id,
        role=role.role,
        granted_at=utcnow(),
        granted_by=actor.id,
    )
    session.add(assignment)
    return assignment


def grant_role(
    uow: UnitOfWork,
    actor: Actor,
    *,
    account_id: uuid.UUID,
    institution_id: uuid.UUID,
    role: InstitutionRole,
) -> RoleAssignment:
    account = lock(uow.session, Account, account_id, "account")
    granted = RoleInput(institution_id=institution_id, role=role)
    assignment = _add_role(uow, actor, account, granted, field="institution_id")
    flush_or(uow, Conflict("the account already holds this role", code="role-held"))
    account.modified_at = utcnow()
    _audit(
        uow,
        actor,
        account,
        "account.role_grant",
        institution_id=institution_id,
        after=granted.model_dump(mode="json"),
    )
    return assignment


def revoke_role(
    uow: UnitOfWork,
    actor: Actor,
    *,
    account_id: uuid.UUID,
    institution_id: uuid.UUID,
    role: InstitutionRole,
) -> None:
    account = lock(uow.session, Account, account_id, "account")
    assignment = uow.session.get(RoleAssignment, (account.id, institution_id, role.value))
    if assignment is None:
        raise NotFound(f"account {account_id} holds no role {role.value} in {institution_id}")
    uow.session.delete(assignment)
    now = utcnow()
    # The account's tokens carry the role: they stop working, a refresh gets one without it.
    revoke_access_tokens(uow, account.id, reason="roles_changed", now=now)
    account.modified_at = now
    _audit(
        uow,
        actor,
        account,
        "account.role_revoke",
        institution_id=institution_id,
        before={"institution_id": str(institution_id), "role": role.value},
    )
