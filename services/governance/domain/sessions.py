"""Login, refresh and logout: short-lived access JWTs and rotated, revocable refresh tokens.

Access tokens carry the account's role grants, so that every service authorises from the token
alone. Refresh tokens are opaque random strings stored as SHA-256 digests (they are 256-bit
random, a slow hash adds nothing); each use rotates them, and presenting an already-rotated
token revokes its whole family (the login it descends from): a stolen copy stops working for
the thief and the owner alike, who logs in again.

Login is rate-limited per account (email) and per client IP by counting recent failures in the
database (table ``login_attempt``), so that every replica of the service shares the counts.
"""

from __future__ import annotations

import hashlib
import math
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, delete
from sqlmodel import col, select

from libs.auth import TokenCodec
from libs.db import utcnow
from libs.http.problems import Problem, TooManyRequests, Unauthorized
from libs.uow import UnitOfWork
from services.governance.domain import accounts, audit
from services.governance.domain.audit import Actor
from services.governance.domain.passwords import (
    burn_verification_time,
    hash_password,
    needs_rehash,
    verify_password,
)
from services.governance.models import Account, LoginAttempt, RefreshToken, RoleAssignment
from services.governance.settings import GovernanceSettings

REFRESH_PREFIX = "brt_"


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    account: Account
    roles: list[RoleAssignment]  # the account's roles, read once for the token and the answer


@dataclass(frozen=True)
class Refused:
    """A refusal that must leave its trace (a failed login counted and audited, a replayed
    token's family revoked): the edge commits the unit, then answers with ``problem``."""

    problem: Problem


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def retry_after(
    attempts: list[datetime], limit: int, window: timedelta, now: datetime
) -> int | None:
    """Seconds until fewer than ``limit`` of these failures (most recent first) remain in the
    window; None when there are fewer already."""
    if len(attempts) < limit:
        return None
    oldest_counted = attempts[limit - 1]
    return max(1, math.ceil((oldest_counted + window - now).total_seconds()))


def _recent_failures(
    uow: UnitOfWork, which: ColumnElement[bool], limit: int, since: datetime
) -> list[datetime]:
    return list(
        uow.session.exec(
            select(LoginAttempt.attempted_at)
            .where(which, col(LoginAttempt.attempted_at) >= since)
            .order_by(col(LoginAttempt.attempted_at).desc())
            .limit(limit)
        ).all()
    )


def _check_rate_limit(
    uow: UnitOfWork, settings: GovernanceSettings, *, email: str, ip: str, now: datetime
) -> None:
    """Refuses (429) an account or an address that reached its failures' limit in the window."""
    window = timedelta(seconds=settings.login_window_seconds)
    for which, limit, who in (
        (col(LoginAttempt.email) == email, settings.login_max_failures_per_account, "this account"),
        (col(LoginAttempt.ip) == ip, settings.login_max_failures_per_ip, "this address"),
    ):
        wait = retry_after(_recent_failures(uow, which, limit, now - window), limit, window, now)
        if wait is not None:
            raise TooManyRequests(
                f"too many failed logins for {who}; try again in {wait} seconds",
                retry_after=wait,
                code="too-many-login-attempts",
            )


def log_in(
    uow: UnitOfWork,
    actor: Actor,
    *,
    email: str,
    password: str,
    settings: GovernanceSettings,
    codec: TokenCodec,
) -> TokenPair | Refused:
    """Exchanges email and password for tokens; ``actor`` is the anonymous caller (its
    address). A failure is counted for the rate limit and audited: it is ``Refused``."""
    email = email.strip().lower()
    ip = actor.ip or "unknown"
    now = utcnow()
    window = timedelta(seconds=settings.login_window_seconds)
    uow.session.exec(delete(LoginAttempt).where(col(LoginAttempt.attempted_at) < now - window))
    _check_rate_limit(uow, settings, email=email, ip=ip, now=now)

    account = uow.session.exec(select(Account).where(col(Account.email) == email)).first()
    if account is None:
        burn_verification_time(password)
    valid = account is not None and verify_password(account.password_hash, password)
    if account is None or not valid or not account.active:
        uow.session.add(LoginAttempt(email=email, ip=ip, attempted_at=now))
        audit.record_action(
            uow,
            Actor(id=account.id if account else None, name=email, ip=ip),
            action="auth.login_failed",
            target_type="account",
            target_id=account.id if account else None,
            after={"email": email, "reason": "inactive" if valid else "bad-credentials"},
        )
        # One answer for unknown email, wrong password and inactive account: no enumeration.
        return Refused(Unauthorized("invalid email or password", code="invalid-credentials"))

    uow.session.exec(delete(LoginAttempt).where(col(LoginAttempt.email) == email))
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    account.last_login_at = now
    pair = _issue(uow, settings, codec, account, family_id=uuid.uuid4(), now=now)
    audit.record_action(
        uow,
        Actor(id=account.id, name=account.display_name, ip=ip),
        action="auth.login",
        target_type="account",
        target_id=account.id,
    )
    return pair


def refresh_session(
    uow: UnitOfWork,
    actor: Actor,
    *,
    refresh_token: str,
    settings: GovernanceSettings,
    codec: TokenCodec,
) -> TokenPair | Refused:
    """A new token pair for a refresh token, which is spent (rotation). A token presented
    again after its rotation revokes its whole family: that is ``Refused``."""
    now = utcnow()
    stored = uow.session.exec(
        select(RefreshToken)
        .where(col(RefreshToken.token_hash) == _digest(refresh_token))
        .with_for_update()
    ).first()
    if stored is None:
        raise Unauthorized("unknown refresh token", code="invalid-refresh-token")
    if stored.used_at is not None or stored.revoked_at is not None:
        spent = Unauthorized(
            "this refresh token was already used or revoked; log in again",
            code="invalid-refresh-token",
        )
        if stored.revoked_at is not None:
            raise spent
        # A rotated token presented again: someone holds a copy. End the whole family, and
        # the access tokens issued to it.
        accounts.revoke_refresh_tokens(uow, col(RefreshToken.family_id) == stored.family_id, now)
        accounts.revoke_access_tokens(
            uow,
            stored.account_id,
            reason="session_revoked",
            session_id=stored.family_id,
            now=now,
        )
        audit.record_action(
            uow,
            Actor(id=stored.account_id, ip=actor.ip),
            action="auth.refresh_reuse",
            target_type="account",
            target_id=stored.account_id,
            after={"family_id": str(stored.family_id)},
        )
        return Refused(spent)
    if stored.expires_at <= now:
        raise Unauthorized("the refresh token has expired; log in again", code="token-expired")
    account = uow.session.get(Account, stored.account_id)
    if account is None or not account.active:
        raise Unauthorized("the account is not active", code="invalid-refresh-token")
    stored.used_at = now
    return _issue(uow, settings, codec, account, family_id=stored.family_id, now=now)


def log_out(uow: UnitOfWork, actor: Actor, *, refresh_token: str) -> None:
    """Ends the session the refresh token belongs to: its whole family, and the access tokens
    issued to it."""
    stored = uow.session.exec(
        select(RefreshToken).where(col(RefreshToken.token_hash) == _digest(refresh_token))
    ).first()
    if stored is None:
        raise Unauthorized("unknown refresh token", code="invalid-refresh-token")
    now = utcnow()
    family = col(RefreshToken.family_id) == stored.family_id
    if accounts.revoke_refresh_tokens(uow, family, now):  # a second logout changes nothing
        accounts.revoke_access_tokens(
            uow, stored.account_id, reason="logout", session_id=stored.family_id, now=now
        )
    audit.record_action(
        uow,
        Actor(id=stored.account_id, ip=actor.ip),
        action="auth.logout",
        target_type="account",
        target_id=stored.account_id,
    )


def _issue(
    uow: UnitOfWork,
    settings: GovernanceSettings,
    codec: TokenCodec,
    account: Account,
    *,
    family_id: uuid.UUID,
    now: datetime,
) -> TokenPair:
    access_lifetime = timedelta(minutes=settings.access_token_minutes)
    refresh_lifetime = timedelta(days=settings.refresh_token_days)
    roles = accounts.roles_of(uow, account.id)
    # The login's refresh token family is the access token's session (``sid``): revoking the
    # family revokes its access tokens too.
    principal = accounts.principal_of(account, roles, session_id=family_id)
    access = codec.encode(principal, lifetime=access_lifetime, extra={"email": account.email})
    token = REFRESH_PREFIX + secrets.token_urlsafe(32)
    uow.session.add(
        RefreshToken(
            token_hash=_digest(token),
            account_id=account.id,
            family_id=family_id,
            issued_at=now,
            expires_at=now + refresh_lifetime,
        )
    )
    return TokenPair(
        access_token=access,
        expires_in=int(access_lifetime.total_seconds()),
        refresh_token=token,
        refresh_expires_in=int(refresh_lifetime.total_seconds()),
        account=account,
        roles=roles,
    )
