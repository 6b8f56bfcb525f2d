"""Staff accounts and their roles: national admins, and per institution stewards, reviewers and
viewers. One account may hold roles in several institutions."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from libs.auth import Principal, Role, RoleGrant
from libs.http.problems import Conflict, Forbidden, InvalidInput, NotFound
from services.governance.domain import audit
from services.governance.domain.audit import Actor, utcnow
from services.governance.domain.common import Email, as_json, changes_of, get_or_404, lock
from services.governance.domain.passwords import check_strength, hash_password, verify_password
from services.governance.models import (
    Account,
    Institution,
    InstitutionRole,
    RefreshToken,
    RoleAssignment,
)


class RoleInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    institution_id: uuid.UUID
    role: InstitutionRole


class AccountCreate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    email: Email
    display_name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=1, max_length=1024)
    is_admin: bool = False
    roles: list[RoleInput] = Field(default_factory=list, max_length=100)


class AccountUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    display_name: str | None = Field(default=None, min_length=1, max_length=200)
    is_admin: bool | None = None
    active: bool | None = None


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")

    current_password: str | None = Field(default=None, max_length=1024)
    new_password: str = Field(min_length=1, max_length=1024)


def public_view(account: Account) -> dict[str, object]:
    """What the audit log keeps of an account: never its password hash."""
    return as_json(account, exclude={"password_hash"})


def roles_of(session: Session, account_id: uuid.UUID) -> list[RoleAssignment]:
    return roles_by_account(session, [account_id])[account_id]


def roles_by_account(
    session: Session,
    account_ids: Collection[uuid.UUID],
    institution_id: uuid.UUID | None = None,
) -> dict[uuid.UUID, list[RoleAssignment]]:
    """The roles of several accounts (in one institution, if given) in one query."""
    conditions = [col(RoleAssignment.account_id).in_(account_ids)]
    if institution_id is not None:
        conditions.append(RoleAssignment.institution_id == institution_id)
    grouped: dict[uuid.UUID, list[RoleAssignment]] = {account_id: [] for account_id in account_ids}
    for assignment in session.exec(
        select(RoleAssignment)
        .where(*conditions)
        .order_by(RoleAssignment.institution_id, RoleAssignment.role)
    ).all():
        grouped[assignment.account_id].append(assignment)
    return grouped


def principal_of(account: Account, roles: list[RoleAssignment]) -> Principal:
    """The account as its tokens describe it: admin or not, and its roles (from ``roles_of``)."""
    grants = [RoleGrant(role=Role.ADMIN)] if account.is_admin else []
    grants.extend(
        RoleGrant(role=Role(assignment.role), institution_id=assignment.institution_id)
        for assignment in roles
    )
    return Principal(subject=account.id, name=account.display_name, grants=grants)


def _email_free(session: Session, email: str) -> None:
    if session.exec(select(Account.id).where(Account.email == email)).first() is not None:
        raise Conflict(f"email: an account already uses {email}", code="email-taken", field="email")


def create(
    session: Session, actor: Actor, command: AccountCreate, *, password_min_length: int
) -> Account:
    _email_free(session, command.email)
    check_strength(command.password, min_length=password_min_length, email=command.email)
    now = utcnow()
    account = Account(
        email=command.email,
        display_name=command.display_name,
        password_hash=hash_password(command.password),
        is_admin=command.is_admin,
        created_at=now,
        modified_at=now,
        password_changed_at=now,
    )
    session.add(account)
    session.flush()
    for index, role in enumerate(command.roles):
        _add_role(session, actor, account, role, field=f"roles.{index}.institution_id")
    audit.record(
        session,
        actor,
        "account.create",
        "account",
        account.id,
        after={**public_view(account), "roles": [r.model_dump(mode="json") for r in command.roles]},
    )
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("email: already taken", code="email-taken", field="email") from exc
    return account


def get(session: Session, account_id: uuid.UUID) -> Account:
    return get_or_404(session, Account, account_id, "account")


def _active_admins(session: Session) -> int:
    return int(
        session.exec(
            select(func.count()).select_from(Account).where(Account.is_admin, Account.active)
        ).one()
    )


def update(
    session: Session, actor: Actor, account_id: uuid.UUID, command: AccountUpdate
) -> Account:
    account = lock(session, Account, account_id, "account")
    before = public_view(account)
    changes = changes_of(command, not_null=("is_admin", "active", "display_name"))
    was_active_admin = account.is_admin and account.active
    for field, value in changes.items():
        setattr(account, field, value)
    if was_active_admin and not (account.is_admin and account.active):
        session.flush()
        if _active_admins(session) == 0:
            raise Conflict(
                "the last active national admin cannot be demoted or deactivated",
                code="last-admin",
            )
    if not account.active:
        revoke_refresh_tokens(session, RefreshToken.account_id == account.id)
    account.modified_at = utcnow()
    audit.record(
        session,
        actor,
        "account.update",
        "account",
        account.id,
        before=before,
        after=public_view(account),
    )
    session.commit()
    return account


def change_password(
    session: Session,
    principal: Principal,
    actor: Actor,
    account_id: uuid.UUID,
    command: PasswordChange,
    *,
    password_min_length: int,
) -> None:
    """An account changes its own password (giving the current one); an admin resets any."""
    account = lock(session, Account, account_id, "account")
    own = principal.subject == account.id
    if not own and not principal.is_admin:
        raise Forbidden("only the account itself or a national admin may change its password")
    # Changing one's own password always takes the current one (a stolen token is not enough).
    if own and not (
        command.current_password
        and verify_password(account.password_hash, command.current_password)
    ):
        raise InvalidInput("current_password", "does not match the current password")
    check_strength(
        command.new_password,
        min_length=password_min_length,
        email=account.email,
        field="new_password",
    )
    account.password_hash = hash_password(command.new_password)
    account.password_changed_at = account.modified_at = utcnow()
    # Every session of the account ends: its refresh tokens are revoked.
    revoke_refresh_tokens(session, RefreshToken.account_id == account.id)
    audit.record(
        session,
        actor,
        "account.password",
        "account",
        account.id,
        after={"changed_by": "self" if own else "admin"},
    )
    session.commit()


def revoke_refresh_tokens(
    session: Session, which: ColumnElement[bool], now: datetime | None = None
) -> None:
    """Revokes the refresh tokens not yet revoked among ``which`` (an account's, a login's)."""
    now = now or utcnow()
    for token in session.exec(
        select(RefreshToken).where(which, col(RefreshToken.revoked_at).is_(None))
    ).all():
        token.revoked_at = now


def _add_role(
    session: Session, actor: Actor, account: Account, role: RoleInput, field: str
) -> RoleAssignment:
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
    session: Session, actor: Actor, account_id: uuid.UUID, role: RoleInput
) -> RoleAssignment:
    account = lock(session, Account, account_id, "account")
    assignment = _add_role(session, actor, account, role, field="institution_id")
    account.modified_at = utcnow()
    audit.record(
        session,
        actor,
        "account.role_grant",
        "account",
        account.id,
        institution_id=role.institution_id,
        after=role.model_dump(mode="json"),
    )
    try:
        session.commit()
    except IntegrityError as exc:
        session.rollback()
        raise Conflict("the account already holds this role", code="role-held") from exc
    return assignment


def revoke_role(
    session: Session,
    actor: Actor,
    account_id: uuid.UUID,
    institution_id: uuid.UUID,
    role: InstitutionRole,
) -> None:
    account = lock(session, Account, account_id, "account")
    assignment = session.get(RoleAssignment, (account.id, institution_id, role.value))
    if assignment is None:
        raise NotFound(f"account {account_id} holds no role {role.value} in {institution_id}")
    session.delete(assignment)
    account.modified_at = utcnow()
    audit.record(
        session,
        actor,
        "account.role_revoke",
        "account",
        account.id,
        institution_id=institution_id,
        before={"institution_id": str(institution_id), "role": role.value},
    )
    session.commit()
