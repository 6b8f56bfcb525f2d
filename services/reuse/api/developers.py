"""Developers: registration, the e-mail link, their account, keys and reuses."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from libs.db import utcnow
from libs.http.openapi import problems
from libs.http.pagination import Page, PageParams, page_params
from libs.uow import UnitOfWorkDep
from services.reuse.api.deps import (
    DeveloperPrincipal,
    Mailer,
    RegistrationLimit,
    Settings,
    WritingDeveloper,
    count_link_sent,
)
from services.reuse.api.schemas import (
    ApiKeyOut,
    DeveloperOut,
    IssuedKeyOut,
    LinkOut,
    RegistrationOut,
    ReuseOut,
    VerificationOut,
    reuse_page,
)
from services.reuse.domain import developers, keys, reuses
from services.reuse.domain.developers import DeveloperRegistration
from services.reuse.domain.keys import KeyRequest
from services.reuse.models import Developer

router = APIRouter(prefix="/developers", tags=["developers"])

Token = Annotated[str, Field(min_length=20, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")]
MAIL_FAILED = "The verification mail could not be sent: nothing was kept, try again"


class LinkToken(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token: Token = Field(description="The token of the link in the verification mail")


@router.post(
    "",
    status_code=202,
    response_model=RegistrationOut,
    dependencies=[RegistrationLimit],
    responses=problems(429, s503=MAIL_FAILED),
)
def register_developer(
    body: DeveloperRegistration,
    request: Request,
    uow: UnitOfWorkDep,
    config: Settings,
    mailer: Mailer,
) -> RegistrationOut:
    """Register (or, for a known address, ask for a new link): a link that verifies the
    address and issues an API key is mailed to it. The answer does not say whether the
    address was known."""
    count_link_sent(request, uow, body.email)
    registration = developers.register_developer(uow, registration=body, settings=config)
    out = RegistrationOut(email=body.email)
    mailer.send(registration.message)
    uow.commit()
    return out


@router.get(
    "/verification",
    response_model=LinkOut,
    responses=problems(409, s404="No such link", s410="The link has expired"),
)
def check_link(
    token: Annotated[str, Query(min_length=20, max_length=100)], uow: UnitOfWorkDep
) -> LinkOut:
    """Where the mailed link points: says whether it may still be followed, changes nothing
    (mail scanners open links). Confirm with POST."""
    link = developers.find_link(uow, token=token)
    return LinkOut(expires_at=link.expires_at)


@router.post(
    "/verification",
    status_code=201,
    response_model=VerificationOut,
    responses=problems(409, s404="No such link", s410="The link has expired"),
)
def confirm_email(body: LinkToken, uow: UnitOfWorkDep, config: Settings) -> VerificationOut:
    """Follow the mailed link: the address is verified and a new API key issued (its secret
    is in this answer only)."""
    confirmation = developers.confirm_email(uow, token=body.token, settings=config)
    now = utcnow()
    out = VerificationOut(
        developer=DeveloperOut.of(confirmation.developer),
        api_key=IssuedKeyOut.issued(confirmation.api_key, confirmation.issued, now),
    )
    uow.commit()
    return out


@router.get("/me", response_model=DeveloperOut, responses=problems(401))
def my_account(actor: DeveloperPrincipal, uow: UnitOfWorkDep) -> DeveloperOut:
    developer = uow.session.get(Developer, actor.subject)
    assert developer is not None  # the key that authenticated belongs to it
    return DeveloperOut.of(developer)


@router.get("/me/keys", response_model=Page[ApiKeyOut], responses=problems(401))
def list_keys(
    actor: DeveloperPrincipal,
    uow: UnitOfWorkDep,
    params: PageParams = Depends(page_params),
) -> Page[ApiKeyOut]:
    """Your keys, newest first, with when each was last used: never their secret."""
    now = utcnow()
    return keys.list_api_keys(uow, actor, params).map(lambda key: ApiKeyOut.of(key, now))


@router.post(
    "/me/keys", status_code=201, response_model=IssuedKeyOut, responses=problems(401, 409, 429)
)
def create_key(
    body: KeyRequest, actor: WritingDeveloper, uow: UnitOfWorkDep, config: Settings
) -> IssuedKeyOut:
    """A new key (its secret is in this answer only)."""
    api_key, issued = keys.create_api_key(uow, actor, request=body, settings=config)
    out = IssuedKeyOut.issued(api_key, issued, utcnow())
    uow.commit()
    return out


@router.delete("/me/keys/{key_id}", response_model=ApiKeyOut, responses=problems(401, 404))
def revoke_key(key_id: uuid.UUID, actor: DeveloperPrincipal, uow: UnitOfWorkDep) -> ApiKeyOut:
    """Revoke a key: refused from the next request on. Never rate-limited, so that a leaked
    key can always be revoked."""
    api_key = keys.revoke_api_key(uow, actor, key_id=key_id)
    out = ApiKeyOut.of(api_key, utcnow())
    uow.commit()
    return out


@router.get("/me/reuses", response_model=Page[ReuseOut], responses=problems(401))
def my_reuses(
    actor: DeveloperPrincipal,
    uow: UnitOfWorkDep,
    params: PageParams = Depends(page_params),
) -> Page[ReuseOut]:
    """Your reuses, newest first, rejected ones included (with the reason)."""
    return reuse_page(uow, reuses.reuses_of(uow, actor, params))
