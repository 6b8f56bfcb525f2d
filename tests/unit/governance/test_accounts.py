"""Accounts and roles, login, refresh and logout on a unit of work."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import col, select

from libs.auth import Role, TokenCodec
from libs.http.problems import Conflict, Forbidden, InvalidInput, TooManyRequests, Unauthorized
from libs.settings import PlatformSettings
from libs.uow import UnitOfWork
from services.governance.domain import access, accounts, sessions
from services.governance.domain.audit import Actor
from services.governance.models import (
    Account,
    AuditEntry,
    InstitutionRole,
    LoginAttempt,
    RefreshToken,
)
from services.governance.settings import GovernanceSettings
from tests.support.units import SqliteUnits
from tests.unit.governance.conftest import actor, add_institution, admin, audit_actions

PASSWORD = "a long enough passphrase"
ADMIN = admin()
CALLER = Actor(ip="198.51.100.7")


@pytest.fixture
def codec() -> TokenCodec:
    return TokenCodec(PlatformSettings(jwt_secret="unit-tier-secret-" + "x" * 32))


def add_account(
    units: SqliteUnits, *, is_admin: bool = False, roles: list[accounts.RoleInput] | None = None
) -> Account:
    with units() as uow:
        account = accounts.create_account(
            uow,
            ADMIN,
            email=f"{uuid.uuid4().hex[:8]}@example.org",
            display_name="Amina",
            password=PASSWORD,
            is_admin=is_admin,
            roles=roles or [],
            password_min_length=12,
        )
        uow.commit()
    return account


def change_password(
    uow: UnitOfWork, by: Actor, account: Account, *, current_password: str | None
) -> None:
    accounts.change_password(
        uow,
        by,
        account_id=account.id,
        current_password=current_password,
        new_password="a brand new passphrase",
        password_min_length=12,
    )


def refresh(
    uow: UnitOfWork, settings: GovernanceSettings, codec: TokenCodec, token: str
) -> sessions.TokenPair | sessions.Refused:
    return sessions.refresh_session(
        uow, CALLER, refresh_token=token, settings=settings, codec=codec
    )


def logged_in(
    units: SqliteUnits, settings: GovernanceSettings, codec: TokenCodec, account: Account
) -> sessions.TokenPair:
    with units() as uow:
        pair = log_in(uow, settings, codec, account.email)
        uow.commit()
    assert isinstance(pair, sessions.TokenPair)
    return pair


def log_in(
    uow: UnitOfWork,
    settings: GovernanceSettings,
    codec: TokenCodec,
    email: str,
    password: str = PASSWORD,
) -> sessions.TokenPair | sessions.Refused:
    return sessions.log_in(
        uow, CALLER, email=email, password=password, settings=settings, codec=codec
    )


# --- accounts and roles -------------------------------------------------------------------------


def test_an_account_is_created_with_its_roles_and_audited_without_its_hash(
    units: SqliteUnits,
) -> None:
    institution = add_institution(units)
    role = accounts.RoleInput(institution_id=institution.id, role=InstitutionRole.REVIEWER)
    account = add_account(units, roles=[role])
    with units() as uow:
        assert [(r.institution_id, r.role) for r in accounts.roles_of(uow, account.id)] == [
            (institution.id, "reviewer")
        ]
        [entry] = uow.session.exec(
            select(AuditEntry).where(col(AuditEntry.action) == "account.create")
        ).all()
        assert entry.after is not None and "password_hash" not in entry.after
        assert entry.actor_id == ADMIN.id


def test_an_email_is_used_once(units: SqliteUnits) -> None:
    account = add_account(units)
    with pytest.raises(Conflict) as taken, units() as uow:
        accounts.create_account(
            uow,
            ADMIN,
            email=account.email,
            display_name="Another",
            password=PASSWORD,
            password_min_length=12,
        )
    assert taken.value.code == "email-taken"


def test_a_role_is_granted_once_and_revoked(units: SqliteUnits) -> None:
    institution = add_institution(units)
    account = add_account(units)
    grant = {"account_id": account.id, "institution_id": institution.id}
    with units() as uow:
        accounts.grant_role(uow, ADMIN, **grant, role=InstitutionRole.STEWARD)
        uow.commit()
    with pytest.raises(Conflict, match="already holds"), units() as uow:
        accounts.grant_role(uow, ADMIN, **grant, role=InstitutionRole.STEWARD)
    with units() as uow:
        accounts.revoke_role(uow, ADMIN, **grant, role=InstitutionRole.STEWARD)
        uow.commit()
        assert accounts.roles_of(uow, account.id) == []
        assert audit_actions(uow)[-2:] == ["account.role_grant", "account.role_revoke"]


def test_the_last_active_admin_stays_one(units: SqliteUnits) -> None:
    only = add_account(units, is_admin=True)
    with pytest.raises(Conflict) as last, units() as uow:
        accounts.update_account(
            uow, ADMIN, account_id=only.id, changes=accounts.AccountUpdate(active=False)
        )
    assert last.value.code == "last-admin"
    add_account(units, is_admin=True)
    with units() as uow:
        demoted = accounts.update_account(
            uow, ADMIN, account_id=only.id, changes=accounts.AccountUpdate(is_admin=False)
        )
        uow.commit()
    assert demoted.is_admin is False


def test_an_account_changes_its_own_password_with_the_current_one(
    units: SqliteUnits, settings: GovernanceSettings, codec: TokenCodec
) -> None:
    account = add_account(units)
    itself = actor(subject=account.id)
    with pytest.raises(InvalidInput, match="current_password"), units() as uow:
        change_password(uow, itself, account, current_password="wrong")
    with units() as uow:
        assert isinstance(log_in(uow, settings, codec, account.email), sessions.TokenPair)
        change_password(uow, itself, account, current_password=PASSWORD)
        uow.commit()
    with units() as uow:
        tokens = uow.session.exec(
            select(RefreshToken).where(col(RefreshToken.account_id) == account.id)
        ).all()
        assert tokens and all(t.revoked_at is not None for t in tokens), "its sessions end"
        assert isinstance(
            log_in(uow, settings, codec, account.email, "a brand new passphrase"),
            sessions.TokenPair,
        )


def test_only_the_account_or_an_admin_changes_a_password(units: SqliteUnits) -> None:
    account = add_account(units)
    someone = actor((Role.REVIEWER, uuid.uuid4()))
    with pytest.raises(Forbidden), units() as uow:
        change_password(uow, someone, account, current_password=PASSWORD)
    with units() as uow:  # an admin resets it, without the current one
        change_password(uow, ADMIN, account, current_password=None)
        uow.commit()
        assert audit_actions(uow)[-1] == "account.password"


def test_an_account_is_read_by_itself_or_an_admin() -> None:
    account_id = uuid.uuid4()
    access.require_account_reader(actor(subject=account_id), account_id)
    access.require_account_reader(ADMIN, account_id)
    with pytest.raises(Forbidden):
        access.require_account_reader(actor((Role.STEWARD, uuid.uuid4())), account_id)


# --- login, refresh, logout ---------------------------------------------------------------------


def test_a_login_issues_tokens_carrying_the_roles(
    units: SqliteUnits, settings: GovernanceSettings, codec: TokenCodec
) -> None:
    institution = add_institution(units)
    role = accounts.RoleInput(institution_id=institution.id, role=InstitutionRole.REVIEWER)
    account = add_account(units, roles=[role])
    with units() as uow:
        pair = log_in(uow, settings, codec, account.email.upper())
        uow.commit()
        assert audit_actions(uow)[-1] == "auth.login"
    assert isinstance(pair, sessions.TokenPair)
    assert codec.principal(pair.access_token).has_role(Role.REVIEWER, institution.id)
    assert pair.refresh_token.startswith("brt_") and pair.expires_in == 15 * 60


def test_a_failed_login_is_refused_but_counted_and_audited(
    units: SqliteUnits, settings: GovernanceSettings, codec: TokenCodec
) -> None:
    account = add_account(units)
    with units() as uow:
        refused = log_in(uow, settings, codec, account.email, "not the passphrase")
        uow.commit()
        attempts = uow.session.exec(select(LoginAttempt)).all()
        assert [(a.email, a.ip) for a in attempts] == [(account.email, CALLER.ip)]
        assert audit_actions(uow)[-1] == "auth.login_failed"
    assert isinstance(refused, sessions.Refused)
    assert isinstance(refused.problem, Unauthorized)
    assert refused.problem.code == "invalid-credentials"


def test_logins_are_rate_limited_per_account(
    units: SqliteUnits, settings: GovernanceSettings, codec: TokenCodec
) -> None:
    settings = settings.model_copy(update={"login_max_failures_per_account": 2})
    account = add_account(units)
    for _ in range(2):
        with units() as uow:
            assert isinstance(
                log_in(uow, settings, codec, account.email, "wrong"), sessions.Refused
            )
            uow.commit()
    with pytest.raises(TooManyRequests) as limited, units() as uow:
        log_in(uow, settings, codec, account.email)  # even the right password waits
    problem = limited.value
    assert problem.code == "too-many-login-attempts" and "this account" in problem.detail
    assert 0 < problem.retry_after <= settings.login_window_seconds
    assert problem.headers == {"Retry-After": str(problem.retry_after)}


def test_the_retry_after_is_when_the_oldest_counted_failure_ages_out() -> None:
    now = datetime(2025, 1, 1, 12, tzinfo=UTC)
    window = timedelta(minutes=15)
    newest_first = [now - timedelta(minutes=1), now - timedelta(minutes=10)]
    assert sessions.retry_after(newest_first, 3, window, now) is None
    assert sessions.retry_after(newest_first, 2, window, now) == 5 * 60


def test_a_refresh_token_rotates_and_a_replayed_one_ends_its_family(
    units: SqliteUnits, settings: GovernanceSettings, codec: TokenCodec
) -> None:
    first = logged_in(units, settings, codec, add_account(units))
    with units() as uow:
        second = refresh(uow, settings, codec, first.refresh_token)
        uow.commit()
    assert isinstance(second, sessions.TokenPair)
    with units() as uow:
        replayed = refresh(uow, settings, codec, first.refresh_token)
        uow.commit()
        assert audit_actions(uow)[-1] == "auth.refresh_reuse"
    assert isinstance(replayed, sessions.Refused)
    with pytest.raises(Unauthorized), units() as uow:  # the rotated one is revoked too
        refresh(uow, settings, codec, second.refresh_token)


def test_logout_revokes_the_session(
    units: SqliteUnits, settings: GovernanceSettings, codec: TokenCodec
) -> None:
    pair = logged_in(units, settings, codec, add_account(units))
    with units() as uow:
        sessions.log_out(uow, CALLER, refresh_token=pair.refresh_token)
        uow.commit()
    with pytest.raises(Unauthorized, match="already used or revoked"), units() as uow:
        refresh(uow, settings, codec, pair.refresh_token)
