"""Revocation: the changes that end an account's sessions revoke its access tokens in the same
unit of work (recorded in token_revocation and announced by TokensRevoked)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from libs.auth import Revocations, TokenCodec
from libs.events.schemas import TokensRevoked
from libs.settings import PlatformSettings
from libs.uow import UnitOfWork
from services.governance.domain import accounts, sessions
from services.governance.models import Account, InstitutionRole, messaging
from services.governance.settings import GovernanceSettings
from tests.support.units import SqliteUnits
from tests.unit.governance.conftest import add_institution, admin
from tests.unit.governance.test_accounts import CALLER, add_account, logged_in

ADMIN = admin()
CODEC = TokenCodec(PlatformSettings(jwt_secret="unit-tier-secret-" + "x" * 32))
SETTINGS = GovernanceSettings(database_url="sqlite://")


@pytest.fixture
def codec() -> TokenCodec:
    return CODEC


def revoked(units: SqliteUnits, codec: TokenCodec, *tokens: str) -> list[bool]:
    """Whether each token is refused, as a process that read the table now would say."""
    revocations = Revocations(messaging.token_revocations)
    with units.engine.connect() as connection:
        revocations.refresh(connection)
    return [revocations.is_revoked(codec.principal(token)) for token in tokens]


@dataclass(frozen=True)
class Cause:
    """A change that revokes tokens: what it does, its reason, and whether it ends every
    session of the account or only the one it is given."""

    name: str
    reason: str
    every_session: bool
    act: Callable[[UnitOfWork, Account, sessions.TokenPair], None]


def _deactivate(uow: UnitOfWork, account: Account, pair: sessions.TokenPair) -> None:
    accounts.update_account(
        uow, ADMIN, account_id=account.id, changes=accounts.AccountUpdate(active=False)
    )


def _remove_role(uow: UnitOfWork, account: Account, pair: sessions.TokenPair) -> None:
    held = pair.roles[0]
    accounts.revoke_role(
        uow,
        ADMIN,
        account_id=account.id,
        institution_id=held.institution_id,
        role=InstitutionRole(held.role),
    )


def _demote_admin(uow: UnitOfWork, account: Account, pair: sessions.TokenPair) -> None:
    accounts.update_account(
        uow, ADMIN, account_id=account.id, changes=accounts.AccountUpdate(is_admin=False)
    )


def _reset_password(uow: UnitOfWork, account: Account, pair: sessions.TokenPair) -> None:
    accounts.change_password(
        uow,
        ADMIN,
        account_id=account.id,
        current_password=None,
        new_password="a brand new passphrase",
        password_min_length=12,
    )


def _log_out(uow: UnitOfWork, account: Account, pair: sessions.TokenPair) -> None:
    sessions.log_out(uow, CALLER, refresh_token=pair.refresh_token)


def _replay_refresh(uow: UnitOfWork, account: Account, pair: sessions.TokenPair) -> None:
    rotated = sessions.refresh_session(
        uow, CALLER, refresh_token=pair.refresh_token, settings=SETTINGS, codec=CODEC
    )
    assert isinstance(rotated, sessions.TokenPair)
    replayed = sessions.refresh_session(
        uow, CALLER, refresh_token=pair.refresh_token, settings=SETTINGS, codec=CODEC
    )
    assert isinstance(replayed, sessions.Refused)


CAUSES = [
    Cause("deactivation", "deactivated", True, _deactivate),
    Cause("role removed", "roles_changed", True, _remove_role),
    Cause("admin demoted", "roles_changed", True, _demote_admin),
    Cause("password reset", "password_changed", True, _reset_password),
    Cause("logout", "logout", False, _log_out),
    Cause("replayed refresh token", "session_revoked", False, _replay_refresh),
]


@pytest.mark.parametrize("cause", CAUSES, ids=[c.name for c in CAUSES])
def test_each_cause_revokes_the_tokens_it_ends_in_its_own_unit(
    units: SqliteUnits, settings: GovernanceSettings, codec: TokenCodec, cause: Cause
) -> None:
    institution = add_institution(units)
    other = add_account(units, is_admin=True)  # keeps an active admin when one is demoted
    account = add_account(
        units,
        is_admin=cause.name == "admin demoted",
        roles=[accounts.RoleInput(institution_id=institution.id, role=InstitutionRole.STEWARD)],
    )
    first, second = (logged_in(units, settings, codec, account) for _ in range(2))
    bystander = logged_in(units, settings, codec, other)

    with units() as uow:  # rolled back: nothing is revoked
        cause.act(uow, account, first)
    assert revoked(units, codec, first.access_token) == [False]
    assert units.published(TokensRevoked.event_type) == []

    with units() as uow:
        cause.act(uow, account, first)
        uow.commit()

    assert revoked(units, codec, first.access_token, second.access_token) == [
        True,
        cause.every_session,
    ]
    assert revoked(units, codec, bystander.access_token) == [False]
    [event] = units.published(TokensRevoked.event_type)
    data = TokensRevoked.model_validate(event.data)
    assert (data.account_id, data.reason) == (account.id, cause.reason)
    login = codec.principal(first.access_token).session_id
    assert data.session_id == (None if cause.every_session else login)
    with units.engine.connect() as connection:
        table = messaging.token_revocations
        [row] = connection.execute(select(table.c.reason, table.c.not_before)).all()
    assert row.reason == cause.reason and row.not_before == data.not_before


def test_an_access_token_belongs_to_its_login_and_keeps_it_when_refreshed(
    units: SqliteUnits, settings: GovernanceSettings, codec: TokenCodec
) -> None:
    account = add_account(units)
    first, other = (logged_in(units, settings, codec, account) for _ in range(2))
    with units() as uow:
        rotated = sessions.refresh_session(
            uow, CALLER, refresh_token=first.refresh_token, settings=settings, codec=codec
        )
        uow.commit()
    assert isinstance(rotated, sessions.TokenPair)
    sessions_of = [codec.principal(p.access_token).session_id for p in (first, rotated, other)]
    assert sessions_of[0] is not None and sessions_of[0] == sessions_of[1] != sessions_of[2]


def test_a_token_issued_after_the_revocation_works(
    units: SqliteUnits, settings: GovernanceSettings, codec: TokenCodec
) -> None:
    institution = add_institution(units)
    role = accounts.RoleInput(institution_id=institution.id, role=InstitutionRole.REVIEWER)
    account = add_account(units, roles=[role])
    before = logged_in(units, settings, codec, account)
    with units() as uow:
        _remove_role(uow, account, before)
        uow.commit()
    after = logged_in(units, settings, codec, account)
    assert revoked(units, codec, before.access_token, after.access_token) == [True, False]
    assert codec.principal(after.access_token).grants == []


def test_a_second_logout_revokes_nothing_more(
    units: SqliteUnits, settings: GovernanceSettings, codec: TokenCodec
) -> None:
    pair = logged_in(units, settings, codec, add_account(units))
    for _ in range(2):
        with units() as uow:
            sessions.log_out(uow, CALLER, refresh_token=pair.refresh_token)
            uow.commit()
    assert len(units.published(TokensRevoked.event_type)) == 1


def test_an_inactive_account_deactivated_again_revokes_nothing(
    units: SqliteUnits, settings: GovernanceSettings, codec: TokenCodec
) -> None:
    account = add_account(units)
    for _ in range(2):
        with units() as uow:
            accounts.update_account(
                uow, ADMIN, account_id=account.id, changes=accounts.AccountUpdate(active=False)
            )
            uow.commit()
    assert [e.data["reason"] for e in units.published(TokensRevoked.event_type)] == ["deactivated"]
