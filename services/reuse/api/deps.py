"""Dependencies of the reuse routers: who calls, and the rate limits of writes.

A developer is authenticated by an API key, in a unit of work of its own that commits when
the key was last used and, for writes, the hits counted against the limits per key and per
client address: a request refused later (bad input, say) still counts, a refused hit does not.
"""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import Depends, Request

from libs.auth import ApiKeyCredential, OptionalPrincipal, Principal
from libs.http.problems import Unauthorized
from libs.ratelimit import RateLimiter, client_address
from libs.uow import UnitOfWork, UnitOfWorkFactory
from services.reuse.domain.keys import KeyHolder, authenticate_api_key
from services.reuse.mail import MailSender
from services.reuse.settings import ReuseSettings


def settings(request: Request) -> ReuseSettings:
    return request.app.state.settings


def mail_sender(request: Request) -> MailSender:
    return request.app.state.mail_sender


def client_ip(request: Request) -> str:
    return client_address(request, trust_forwarded_for=settings(request).trust_forwarded_for)


def _units(request: Request) -> UnitOfWorkFactory:
    return request.app.state.unit_of_work


def _limiter(request: Request) -> RateLimiter:
    return request.app.state.rate_limiter


def _holder(uow: UnitOfWork, key: str | None) -> KeyHolder:
    if key is None:
        raise Unauthorized(
            "an API key is required: send it as 'X-API-Key: bk_…' (or 'Authorization: Bearer "
            "bk_…'); register at POST /api/v1/developers to get one",
            code="api-key-required",
        )
    return authenticate_api_key(uow, key=key)


def developer(request: Request, key: ApiKeyCredential) -> Principal:
    """The developer whose API key the request carries (401 without a valid one)."""
    with _units(request)() as uow:
        holder = _holder(uow, key)
        uow.commit()
    return holder.principal


def writing_developer(request: Request, key: ApiKeyCredential) -> Principal:
    """The developer, for a write: counted against the limits per key and per address."""
    config = settings(request)
    limiter = _limiter(request)
    with _units(request)() as uow:
        holder = _holder(uow, key)
        for bucket, limit, what in (
            (f"write:key:{holder.key_id}", config.writes_per_key, "writes with this API key"),
            (f"write:ip:{client_ip(request)}", config.writes_per_ip, "writes from this address"),
        ):
            limiter.hit(uow.session, bucket, limit, what=what)
        uow.commit()
    return holder.principal


def limit_registrations(request: Request) -> None:
    """Count a registration from this client address, in a unit of its own."""
    with _units(request)() as uow:
        _limiter(request).hit(
            uow.session,
            f"register:ip:{client_ip(request)}",
            settings(request).registrations_per_ip,
            what="registrations from this address",
        )
        uow.commit()


def count_link_sent(request: Request, uow: UnitOfWork, email: str) -> None:
    """Count a link sent to ``email``, in the registration's unit (only the digest of the
    address is kept in the counter)."""
    digest = hashlib.sha256(email.encode()).hexdigest()[:32]
    _limiter(request).hit(
        uow.session,
        f"register:email:{digest}",
        settings(request).registrations_per_email,
        what="links sent to this e-mail address",
    )


def caller(
    request: Request, key: ApiKeyCredential, principal: OptionalPrincipal
) -> Principal | None:
    """Whoever calls, if anyone: a developer by API key, or an account by governance's JWT
    (an invalid credential is refused even here)."""
    if key is not None:
        return developer(request, key)
    return principal


Settings = Annotated[ReuseSettings, Depends(settings)]
Mailer = Annotated[MailSender, Depends(mail_sender)]
DeveloperPrincipal = Annotated[Principal, Depends(developer)]
WritingDeveloper = Annotated[Principal, Depends(writing_developer)]
Caller = Annotated[Principal | None, Depends(caller)]
RegistrationLimit = Depends(limit_registrations)
