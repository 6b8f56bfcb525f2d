"""Developers' API keys: issue, list, revoke, and authenticate a request by its key.

A key is ``bk_<prefix>_<secret>`` (libs.auth): the row is found by its prefix (a unique index)
and the digest of the whole key compared in constant time. A revoked key is refused from the
next request on (every request reads its row: nothing is cached); an expired one too. When a
key was last used is kept to the minute, so that a busy key does not write at every request.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement
from sqlmodel import col, func, select

from libs.auth import IssuedApiKey, Principal, api_key_matches, api_key_prefix, generate_api_key
from libs.db import utcnow
from libs.fields import Line
from libs.http.pagination import Page, PageParams, paginate
from libs.http.problems import Conflict, Unauthorized
from libs.uow import UnitOfWork
from services.reuse.domain import access
from services.reuse.domain.access import DEVELOPER
from services.reuse.models import ApiKey, Developer
from services.reuse.settings import ReuseSettings

LAST_USED_PRECISION = timedelta(minutes=1)
KeyName = Annotated[Line, Field(min_length=1, max_length=100)]


class KeyRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: KeyName = Field(description="What the key is for, e.g. the application using it")
    expires_in_days: int | None = Field(
        default=None,
        ge=1,
        le=3650,
        description="Lifetime in days (default: REUSE_KEY_LIFETIME_DAYS, at most that)",
    )


@dataclass(frozen=True)
class KeyHolder:
    """Who a request's key says is calling, and which key it is."""

    principal: Principal
    key_id: uuid.UUID


def issue_key(
    uow: UnitOfWork,
    developer: Developer,
    *,
    name: str,
    lifetime: timedelta,
    now: datetime,
) -> tuple[ApiKey, IssuedApiKey]:
    """A new key for ``developer``: the row kept, and the key to show once."""
    while True:
        issued = generate_api_key()
        taken = uow.session.exec(select(ApiKey.id).where(col(ApiKey.prefix) == issued.prefix))
        if taken.first() is None:  # 48 random bits: a second draw is a curiosity
            break
    api_key = ApiKey(
        developer_id=developer.id,
        prefix=issued.prefix,
        digest=issued.digest,
        name=name,
        created_at=now,
        expires_at=now + lifetime,
    )
    uow.session.add(api_key)
    return api_key, issued


def active_at(now: datetime) -> tuple[ColumnElement[bool], ...]:
    """What makes a key usable at ``now``: not revoked, not expired."""
    return (
        col(ApiKey.revoked_at).is_(None),
        col(ApiKey.expires_at).is_(None) | (col(ApiKey.expires_at) > now),
    )


def create_api_key(
    uow: UnitOfWork,
    actor: Principal,
    *,
    request: KeyRequest,
    settings: ReuseSettings,
    now: datetime | None = None,
) -> tuple[ApiKey, IssuedApiKey]:
    now = now or utcnow()
    access.ensure_developer(actor)
    developer = uow.session.get(Developer, actor.subject)
    if developer is None:
        raise Unauthorized("no such developer", code="invalid-api-key")
    active = uow.session.exec(
        select(func.count())
        .select_from(ApiKey)
        .where(col(ApiKey.developer_id) == developer.id, *active_at(now))
    ).one()
    if active >= settings.max_keys_per_developer:
        raise Conflict(
            f"at most {settings.max_keys_per_developer} active keys; revoke one first",
            code="too-many-keys",
            limit=settings.max_keys_per_developer,
        )
    days = min(request.expires_in_days or settings.key_lifetime_days, settings.key_lifetime_days)
    return issue_key(uow, developer, name=request.name, lifetime=timedelta(days=days), now=now)


def list_api_keys(uow: UnitOfWork, actor: Principal, params: PageParams) -> Page[ApiKey]:
    """The developer's keys, newest first, revoked and expired ones included."""
    statement = (
        select(ApiKey)
        .where(col(ApiKey.developer_id) == actor.subject)
        .order_by(col(ApiKey.created_at).desc(), col(ApiKey.id))
    )
    return paginate(uow.session, statement, params)


def revoke_api_key(
    uow: UnitOfWork, actor: Principal, *, key_id: uuid.UUID, now: datetime | None = None
) -> ApiKey:
    """Revoke one of the developer's keys (again: no change); refused from now on."""
    api_key = access.ensure_key_owner(actor, uow.session.get(ApiKey, key_id), key_id)
    if api_key.revoked_at is None:
        api_key.revoked_at = now or utcnow()
        uow.session.add(api_key)
    return api_key


def authenticate_api_key(uow: UnitOfWork, *, key: str, now: datetime | None = None) -> KeyHolder:
    """The developer a key belongs to, or 401 (malformed, unknown, revoked or expired)."""
    now = now or utcnow()
    prefix = api_key_prefix(key)
    if prefix is None:
        raise Unauthorized(
            "malformed API key: expected bk_<prefix>_<secret>", code="invalid-api-key"
        )
    found = uow.session.exec(
        select(ApiKey, Developer)
        .join(Developer, col(Developer.id) == col(ApiKey.developer_id))
        .where(col(ApiKey.prefix) == prefix)
    ).first()
    if found is None or not api_key_matches(key, found[0].digest):
        raise Unauthorized("unknown API key", code="invalid-api-key")
    api_key, developer = found
    if api_key.revoked_at is not None:
        raise Unauthorized(
            f"this API key was revoked on {api_key.revoked_at:%Y-%m-%d}", code="api-key-revoked"
        )
    if api_key.expires_at is not None and api_key.expires_at <= now:
        raise Unauthorized(
            f"this API key expired on {api_key.expires_at:%Y-%m-%d}", code="api-key-expired"
        )
    if api_key.last_used_at is None or now - api_key.last_used_at >= LAST_USED_PRECISION:
        api_key.last_used_at = now
        uow.session.add(api_key)
    principal = Principal(subject=developer.id, kind=DEVELOPER, name=developer.name)
    return KeyHolder(principal=principal, key_id=api_key.id)
