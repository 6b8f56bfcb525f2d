"""Dependencies shared by the governance routers."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from libs.auth import Principal, TokenCodec, current_principal, token_codec
from services.governance.domain.audit import Actor
from services.governance.settings import GovernanceSettings


def settings(request: Request) -> GovernanceSettings:
    return request.app.state.settings


def client_ip(request: Request) -> str:
    config: GovernanceSettings = request.app.state.settings
    if config.trust_forwarded_for:
        forwarded = request.headers.get("x-forwarded-for", "")
        first = forwarded.split(",")[0].strip()
        if first:
            return first[:64]
    return (request.client.host if request.client else "unknown")[:64]


def actor(request: Request, principal: Annotated[Principal, Depends(current_principal)]) -> Actor:
    return Actor.of(principal, client_ip(request))


Settings = Annotated[GovernanceSettings, Depends(settings)]
ClientIp = Annotated[str, Depends(client_ip)]
Codec = Annotated[TokenCodec, Depends(token_codec)]
CurrentActor = Annotated[Actor, Depends(actor)]
