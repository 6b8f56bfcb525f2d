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

from sqlalchemy import delete
from sqlmodel import Session, col, select

from libs.auth import TokenCodec
from libs.http.problems import Problem, Unauthorized
from services.governance.domain import accounts, audit
from services.governance.domain.audit import Actor, utcnow
from services.governance.domain.common import aware
from services.governance.domain.passwords import (
    burn_verification_time,
    hash_password,
    needs_rehash,
    verify_password,
)
from services.governance.models import Account, LoginAttempt, RefreshToken, RoleAssignment
from services.governance.settings import GovernanceSettings

REFRESH_PREFIX = "brt_"


class TooManyAttempts(Problem):
    status, title, code = 429, "Too many requests", "too-many-login-attempts"

    def __init__(self, detail: str, retry_after: int) -> None:
        super().__init__(detail, retry_after=retry_after)
        self.retry_after = retry_after


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    account: Account
    roles: list[RoleAssignment]  # the account's roles, read once for the token and the answer


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _retry_after(
    session: Session, where: object, limit: int, window: timedelta, now: datetime
) -> int | None:
    """Seconds until fewer than ``limit`` failures remain in the window; None when under it."""
    recent = session.exec(
        select(LoginAttempt.attempted_at)
        .where(where, LoginAttempt.attempted_at >= now - window)  # type: ignore[arg-type]
        .order_by(col(LoginAttempt.attempted_at).desc())
        .limit(limit)
    ).all()
    if len(recent) < limit:
        return None
    oldest_counted = aware(recent[-1])
    assert oldest_counted is not None
    return max(1, math.ceil((oldest_counted + window - now).total_seconds()))


def login(
    session: Session,
    settings: GovernanceSettings,
    codec: TokenCodec,
    *,
    email: str,
    password: str,
    ip: str,
) -> TokenPair:
    email = email.strip().lower()
    now = utcnow()
    window = timedelta(seconds=settings.login_window_seconds)
    session.exec(delete(LoginAttempt).where(LoginAttempt.attempted_at < now - window))  # type: ignore[call-overload,arg-type]
    for where, limit, who in (
        (LoginAttempt.email == email, settings.login_max_failures_per_account, "this account"),
        (LoginAttempt.ip == ip, settings.login_max_failures_per_ip, "this address"),
    ):
        wait = _retry_after(session, where, limit, window, now)
        if wait is not None:
            session.commit()
            raise TooManyAttempts(
                f"too many failed logins for {who}; try again in {wait} seconds", wait
            )

    account = session.exec(select(Account).where(Account.email == email)).first()
    if account is None:
        burn_verification_time(password)
    valid = account is not None and verify_password(account.password_hash, password)
    if account is None or not valid or not account.active:
        session.add(LoginAttempt(email=email, ip=ip, attempted_at=now))
        audit.record(
            session,
            Actor(id=account.id if account else None, name=email, ip=ip),
            "auth.login_failed",
            "account",
            account.id if account else None,
            after={"email": email, "reason": "inactive" if valid else "bad-credentials"},
        )
        session.commit()
        # One answer for unknown email, wrong password and inactive account: no enumeration.
        raise Unauthorized("invalid email or password", code="invalid-credentials")

    session.exec(delete(LoginAttempt).where(LoginAttempt.email == email))  # type: ignore[call-overload,arg-type]
    if needs_rehash(account.password_hash):
        account.password_hash = hash_password(password)
    account.last_login_at = now
    pair = _issue(session, settings, codec, account, family_id=uuid.uuid4(), now=now)
    audit.record(
        session,
        Actor(id=account.id, name=account.display_name, ip=ip),
        "auth.login",
        "account",
        account.id,
    )
    session.commit()
    return pair


def refresh(
    session: Session,
    settings: GovernanceSettings,
    codec: TokenCodec,
    *,
    refresh_token: str,
    ip: str,
) -> TokenPair:
    now = utcnow()
    stored = session.exec(
        select(RefreshToken)
        .where(RefreshToken.token_hash == _digest(refresh_token))
        .with_for_update()
    ).first()
    if stored is None:
        raise Unauthorized("unknown refresh token", code="invalid-refresh-token")
    if stored.used_at is not None or stored.revoked_at is not None:
        if stored.used_at is not None and stored.revoked_at is None:
            # A rotated token presented again: someone holds a copy. End the whole family.
            accounts.revoke_refresh_tokens(session, RefreshToken.family_id == stored.family_id, now)
            audit.record(
                session,
                Actor(id=stored.account_id, ip=ip),
                "auth.refresh_reuse",
                "account",
                stored.account_id,
                after={"family_id": str(stored.family_id)},
            )
            session.commit()
        raise Unauthorized(
            "this refresh token was already used or revoked; log in again",
            code="invalid-refresh-token",
        )
    if aware(stored.expires_at) <= now:  # type: ignore[operator]
        raise Unauthorized("the refresh token has expired; log in again", code="token-expired")
    account = session.get(Account, stored.account_id)
    if account is None or not account.active:
        raise Unauthorized("the account is not active", code="invalid-refresh-token")
    stored.used_at = now
    pair = _issue(session, settings, codec, account, family_id=stored.family_id, now=now)
    session.commit()
    return pair


def logout(session: Session, *, refresh_token: str, ip: str) -> None:
    """Revokes the session the refresh token belongs to (its whole family)."""
    stored = session.exec(
        select(RefreshToken).where(RefreshToken.token_hash == _digest(refresh_token))
    ).first()
    if stored is None:
        raise Unauthorized("unknown refresh token", code="invalid-refresh-token")
    now = utcnow()
    accounts.revoke_refresh_tokens(session, RefreshToken.family_id == stored.family_id, now)
    audit.record(
        session, Actor(id=stored.account_id, ip=ip), "auth.logout", "account", stored.account_id
    )
    session.commit()


def _issue(
    session: Session,
    settings: GovernanceSettings,
    codec: TokenCodec,
    account: Account,
    *,
    family_id: uuid.UUID,
    now: datetime,
) -> TokenPair:
    access_lifetime = timedelta(minutes=settings.access_token_minutes)
    refresh_lifetime = timedelta(days=settings.refresh_token_days)
    roles = accounts.roles_of(session, account.id)
    principal = accounts.principal_of(account, roles)
    access = codec.encode(principal, lifetime=access_lifetime, extra={"email": account.email})
    token = REFRESH_PREFIX + secrets.token_urlsafe(32)
    session.add(
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
