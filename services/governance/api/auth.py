"""Login, token refresh and logout."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session

from libs.auth import CurrentPrincipal
from libs.db import get_session
from services.governance.api.accounts import account_out
from services.governance.api.deps import ClientIp, Codec, Settings
from services.governance.api.schemas import AccountOut, TokenResponse
from services.governance.domain import accounts, sessions

router = APIRouter(prefix="/auth", tags=["auth"])


class LoginInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=1024)


class RefreshInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(min_length=1, max_length=200)


def _tokens(session: Session, pair: sessions.TokenPair) -> TokenResponse:
    return TokenResponse(
        access_token=pair.access_token,
        expires_in=pair.expires_in,
        refresh_token=pair.refresh_token,
        refresh_expires_in=pair.refresh_expires_in,
        account=account_out(session, pair.account, pair.roles),
    )


@router.post(
    "/login",
    response_model=TokenResponse,
    responses={401: {"description": "invalid credentials"}, 429: {"description": "rate limit"}},
)
def login(
    body: LoginInput,
    settings: Settings,
    codec: Codec,
    ip: ClientIp,
    session: Session = Depends(get_session),
) -> TokenResponse:
    """Exchanges email and password for an access token (JWT) and a refresh token."""
    pair = sessions.login(session, settings, codec, email=body.email, password=body.password, ip=ip)
    return _tokens(session, pair)


@router.post("/refresh", response_model=TokenResponse)
def refresh(
    body: RefreshInput,
    settings: Settings,
    codec: Codec,
    ip: ClientIp,
    session: Session = Depends(get_session),
) -> TokenResponse:
    """A new token pair for a refresh token, which is spent (rotation)."""
    pair = sessions.refresh(session, settings, codec, refresh_token=body.refresh_token, ip=ip)
    return _tokens(session, pair)


@router.post("/logout", status_code=204)
def logout(body: RefreshInput, ip: ClientIp, session: Session = Depends(get_session)) -> Response:
    """Ends the session of the refresh token (it and its rotations are revoked)."""
    sessions.logout(session, refresh_token=body.refresh_token, ip=ip)
    return Response(status_code=204)


@router.get("/me", response_model=AccountOut)
def me(principal: CurrentPrincipal, session: Session = Depends(get_session)) -> AccountOut:
    return account_out(session, accounts.get(session, principal.subject))
