"""Login, token refresh and logout."""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel, ConfigDict, Field

from libs.fields import Email
from libs.http.openapi import problems
from libs.uow import UnitOfWork, UnitOfWorkDep
from services.governance.api import accounts as accounts_api
from services.governance.api.accounts import account_out
from services.governance.api.deps import AnonymousActor, Codec, Settings
from services.governance.api.schemas import AccountOut, TokenResponse
from services.governance.domain import sessions
from services.governance.domain.passwords import Password

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: Email
    password: Password


class RefreshInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # What login and refresh hand out: "brt_" and URL-safe base64.
    refresh_token: str = Field(min_length=1, max_length=200, pattern=r"^[A-Za-z0-9_-]+$")


def _answer(uow: UnitOfWork, outcome: sessions.TokenPair | sessions.Refused) -> TokenResponse:
    """The token pair, committed; or the refusal, committed (its trace stays) and raised."""
    if isinstance(outcome, sessions.Refused):
        uow.commit()
        raise outcome.problem
    out = TokenResponse(
        access_token=outcome.access_token,
        expires_in=outcome.expires_in,
        refresh_token=outcome.refresh_token,
        refresh_expires_in=outcome.refresh_expires_in,
        account=account_out(uow, outcome.account, outcome.roles),
    )
    uow.commit()
    return out


@router.post(
    "/login",
    response_model=TokenResponse,
    responses=problems(
        s401="Invalid email or password (the same answer for each)",
        s429="Too many failed logins for the account or the address: see Retry-After",
    ),
)
def login(
    body: LoginInput, actor: AnonymousActor, settings: Settings, codec: Codec, uow: UnitOfWorkDep
) -> TokenResponse:
    """Exchanges email and password for an access token (JWT) and a refresh token."""
    outcome = sessions.log_in(
        uow, actor, email=body.email, password=body.password, settings=settings, codec=codec
    )
    return _answer(uow, outcome)


@router.post(
    "/refresh",
    response_model=TokenResponse,
    responses=problems(
        s401="Unknown, expired, spent or revoked refresh token (a spent one ends its session)"
    ),
)
def refresh(
    body: RefreshInput,
    actor: AnonymousActor,
    settings: Settings,
    codec: Codec,
    uow: UnitOfWorkDep,
) -> TokenResponse:
    """A new token pair for a refresh token, which is spent (rotation)."""
    outcome = sessions.refresh_session(
        uow, actor, refresh_token=body.refresh_token, settings=settings, codec=codec
    )
    return _answer(uow, outcome)


@router.post("/logout", status_code=204, responses=problems(s401="Unknown refresh token"))
def logout(body: RefreshInput, actor: AnonymousActor, uow: UnitOfWorkDep) -> Response:
    """Ends the session of the refresh token (it and its rotations are revoked)."""
    sessions.log_out(uow, actor, refresh_token=body.refresh_token)
    uow.commit()
    return Response(status_code=204)


# The caller's own account, as /accounts/me answers it.
router.add_api_route(
    "/me", accounts_api.me, methods=["GET"], response_model=AccountOut, responses=problems(404)
)
