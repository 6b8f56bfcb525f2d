"""Authentication and authorisation shared by every service.

Governance issues JWTs (HS256 with a shared secret in development, RS256 in production: the
other services then only hold the public key). External developers use API keys
(``bk_<prefix>_<secret>``): the prefix is visible and stored in clear, so that a key is found by
one indexed lookup; the whole key is stored as a SHA-256 digest and compared in constant time.
The secret is 256-bit random, so a slow hash adds nothing. A key is sent as ``X-API-Key`` or as
``Authorization: Bearer bk_…``; any other bearer credential is a JWT.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sqlalchemy import Connection, Table, insert, update
from sqlmodel import Session, select

from libs.events.schemas import TokensRevoked
from libs.http.problems import Forbidden, Unauthorized
from libs.settings import PlatformSettings


class Role(StrEnum):
    ADMIN = "admin"  # national admin, the governance core: every institution
    STEWARD = "steward"
    REVIEWER = "reviewer"
    VIEWER = "viewer"


class RoleGrant(BaseModel):
    role: Role
    institution_id: uuid.UUID | None = None


class Principal(BaseModel):
    """Who is calling: an account (JWT) or a developer (API key)."""

    subject: uuid.UUID
    kind: str = "account"  # "account" | "developer"
    name: str | None = None
    grants: list[RoleGrant] = Field(default_factory=list)
    # Of a token: the login it belongs to and when it was issued (revocation checks).
    session_id: uuid.UUID | None = None
    issued_at: float | None = None

    @property
    def is_admin(self) -> bool:
        return any(g.role == Role.ADMIN for g in self.grants)

    def has_role(self, role: Role, institution_id: uuid.UUID | None = None) -> bool:
        """National admins hold every role everywhere; others only where granted."""
        if self.is_admin:
            return True
        return any(
            g.role == role and (institution_id is None or g.institution_id == institution_id)
            for g in self.grants
        )

    def institutions(self, role: Role) -> set[uuid.UUID]:
        return {g.institution_id for g in self.grants if g.role == role and g.institution_id}


class TokenCodec:
    """Encodes and verifies the platform's JWTs."""

    def __init__(self, platform: PlatformSettings) -> None:
        self.platform = platform
        self.algorithm = platform.jwt_algorithm
        if self.algorithm == "HS256":
            secret = platform.resolved_jwt_secret()
            self._signing_key: Any = secret
            self._verifying_key: Any = secret
        else:
            self._signing_key = platform.jwt_private_key
            self._verifying_key = platform.jwt_public_key
            if not self._verifying_key:
                raise ValueError("JWT_PUBLIC_KEY is required with RS256")

    def encode(
        self,
        principal: Principal,
        *,
        lifetime: timedelta,
        token_type: str = "access",
        extra: dict[str, Any] | None = None,
    ) -> str:
        if not self._signing_key:
            raise ValueError("this service holds no JWT signing key (JWT_PRIVATE_KEY)")
        now = datetime.now(UTC)
        claims: dict[str, Any] = {
            "sub": str(principal.subject),
            "iss": self.platform.jwt_issuer,
            "aud": self.platform.jwt_audience,
            # With its fraction: a token issued just after a revocation, in the same second,
            # must still be told apart from one issued just before it.
            "iat": now.timestamp(),
            "nbf": now,
            "exp": now + lifetime,
            "jti": uuid.uuid4().hex,
            "typ": token_type,
            "kind": principal.kind,
            "name": principal.name,
            "roles": [g.model_dump(mode="json") for g in principal.grants],
        }
        if principal.session_id is not None:
            claims["sid"] = str(principal.session_id)
        claims.update(extra or {})
        return jwt.encode(claims, self._signing_key, algorithm=self.algorithm)

    def decode(self, token: str, *, token_type: str = "access") -> dict[str, Any]:
        try:
            claims = jwt.decode(
                token,
                self._verifying_key,
                algorithms=[self.algorithm],
                audience=self.platform.jwt_audience,
                issuer=self.platform.jwt_issuer,
                options={"require": ["exp", "iat", "sub", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthorized("the token has expired", code="token-expired") from exc
        except jwt.InvalidTokenError as exc:
            raise Unauthorized(f"invalid token: {exc}", code="invalid-token") from exc
        if claims.get("typ") != token_type:
            raise Unauthorized(f"expected a {token_type} token", code="invalid-token")
        return claims

    def principal(self, token: str) -> Principal:
        claims = self.decode(token)
        try:
            session = claims.get("sid")
            return Principal(
                subject=uuid.UUID(claims["sub"]),
                kind=claims.get("kind", "account"),
                name=claims.get("name"),
                grants=[RoleGrant.model_validate(g) for g in claims.get("roles", [])],
                session_id=uuid.UUID(session) if session else None,
                issued_at=float(claims["iat"]),
            )
        except (ValueError, TypeError) as exc:
            raise Unauthorized("invalid token claims", code="invalid-token") from exc


# --- revocation ------------------------------------------------------------------------------


class Revocations:
    """The token revocations this process knows: which tokens no longer open any door.

    Every service records the ``TokensRevoked`` events it consumes in its ``token_revocation``
    table (``record_revocation``); each process reads the rows recorded since its last look
    every second or so (``refresh``), so a revocation takes effect in every service and every
    worker within seconds. Entries older than the longest access token's life are forgotten:
    the tokens they revoke have expired anyway.
    """

    # Rows recorded a little before the last one seen may commit after it: look back this far.
    OVERLAP = timedelta(seconds=10)

    def __init__(self, table: Table, max_token_age: timedelta = timedelta(days=1)) -> None:
        self.table = table
        self.max_token_age = max_token_age
        self._not_before: dict[tuple[str, str], float] = {}
        self._seen: datetime | None = None

    def is_revoked(self, principal: Principal) -> bool:
        if principal.issued_at is None or not self._not_before:
            return False
        account = str(principal.subject)
        cutoffs = [self._not_before.get((account, ""), 0.0)]
        if principal.session_id is not None:
            cutoffs.append(self._not_before.get((account, str(principal.session_id)), 0.0))
        return principal.issued_at < max(cutoffs)

    def refresh(self, connection: Connection) -> None:
        now = datetime.now(UTC)
        horizon = now - self.max_token_age
        since = max(horizon, self._seen - self.OVERLAP) if self._seen else horizon
        table = self.table
        rows = connection.execute(
            select(table.c.account_id, table.c.session_id, table.c.not_before, table.c.recorded_at)
            .where(table.c.recorded_at >= since)
            .order_by(table.c.recorded_at)
        ).all()
        for account_id, session_id, not_before, recorded_at in rows:
            self._not_before[(account_id, session_id)] = not_before.timestamp()
            self._seen = max(self._seen or recorded_at, recorded_at)
        oldest = horizon.timestamp()
        for key in [k for k, cutoff in self._not_before.items() if cutoff < oldest]:
            del self._not_before[key]


def record_revocation(session: Session, table: Table, data: TokensRevoked) -> None:
    """Keep the latest cutoff per account and session (idempotent: a replay changes nothing)."""
    key = {"account_id": str(data.account_id), "session_id": str(data.session_id or "")}
    current = session.exec(
        select(table.c.not_before).where(
            table.c.account_id == key["account_id"], table.c.session_id == key["session_id"]
        )
    ).first()
    values = {
        "not_before": data.not_before,
        "reason": data.reason,
        "recorded_at": datetime.now(UTC),
    }
    if current is None:
        session.exec(insert(table).values(**key, **values))
    elif current < data.not_before:
        session.exec(
            update(table)
            .where(
                table.c.account_id == key["account_id"],
                table.c.session_id == key["session_id"],
            )
            .values(**values)
        )


# --- API keys --------------------------------------------------------------------------------

API_KEY_PREFIX = "bk_"
API_KEY_PREFIX_LENGTH = 12  # hex digits of the visible part
_API_KEY = re.compile(r"^bk_(?P<prefix>[0-9a-f]{12})_[A-Za-z0-9_-]{43}$")


@dataclass(frozen=True)
class IssuedApiKey:
    """A new API key: ``key`` is shown once to its owner; ``prefix`` and ``digest`` are kept."""

    key: str
    prefix: str
    digest: str


def generate_api_key() -> IssuedApiKey:
    prefix = secrets.token_hex(API_KEY_PREFIX_LENGTH // 2)
    key = f"{API_KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    return IssuedApiKey(key=key, prefix=prefix, digest=hash_api_key(key))


def api_key_prefix(key: str) -> str | None:
    """The visible prefix of a well-formed key (the index to look it up by), else None."""
    match = _API_KEY.match(key)
    return match["prefix"] if match else None


def is_api_key(credential: str) -> bool:
    """Whether a bearer credential is meant as an API key rather than a JWT."""
    return credential.startswith(API_KEY_PREFIX)


def hash_api_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def api_key_matches(key: str, digest: str) -> bool:
    return hmac.compare_digest(hash_api_key(key), digest)


# --- FastAPI dependencies --------------------------------------------------------------------

_bearer = HTTPBearer(auto_error=False)
_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)


def token_codec(request: Request) -> TokenCodec:
    codec = getattr(request.app.state, "token_codec", None)
    if codec is None:
        codec = TokenCodec(request.app.state.settings.platform)
        request.app.state.token_codec = codec
    return codec


# Token checks are quick CPU work: async dependencies spare each request a thread hop.
async def optional_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal | None:
    if credentials is None or is_api_key(credentials.credentials):
        return None
    principal = token_codec(request).principal(credentials.credentials)
    revocations: Revocations | None = getattr(request.app.state, "revocations", None)
    if revocations is not None and revocations.is_revoked(principal):
        raise Unauthorized("the token was revoked: log in again", code="token-revoked")
    return principal


async def api_key_credential(
    header: Annotated[str | None, Depends(_api_key_header)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str | None:
    """The API key a request carries (``X-API-Key``, or ``Authorization: Bearer bk_…``), not
    yet checked: the service that issued it looks it up (:func:`api_key_prefix`)."""
    if header:
        return header.strip()
    if credentials is not None and is_api_key(credentials.credentials):
        return credentials.credentials
    return None


async def current_principal(
    principal: Annotated[Principal | None, Depends(optional_principal)],
) -> Principal:
    if principal is None:
        raise Unauthorized("authentication required: send 'Authorization: Bearer <token>'")
    return principal


async def require_admin(
    principal: Annotated[Principal, Depends(current_principal)],
) -> Principal:
    if not principal.is_admin:
        raise Forbidden("national admin role required")
    return principal


def require_role(role: Role, institution_id: uuid.UUID | None, principal: Principal) -> None:
    """Domain-level check once the institution concerned is known."""
    if not principal.has_role(role, institution_id):
        where = f" of institution {institution_id}" if institution_id else ""
        raise Forbidden(f"role {role.value}{where} required")


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
ApiKeyCredential = Annotated[str | None, Depends(api_key_credential)]
AdminPrincipal = Annotated[Principal, Depends(require_admin)]
