"""Dependencies shared by the governance routers."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request

from libs.auth import Principal, TokenCodec, current_principal, token_codec
from libs.uow import UnitOfWorkFactory
from services.governance.domain import access
from services.governance.domain.audit import Actor
from services.governance.settings import GovernanceSettings
from services.governance.workers import ChecksRunner


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


def anonymous(ip: Annotated[str, Depends(client_ip)]) -> Actor:
    return Actor(ip=ip)


def allowed(rule: Callable[[Actor], None]) -> Any:
    """A dependency: the caller, once the access rule lets it through (401 without a token,
    403 from the rule), before its input is looked at."""

    def dependency(caller: Annotated[Actor, Depends(actor)]) -> Actor:
        rule(caller)
        return caller

    return Depends(dependency)


def units(request: Request) -> UnitOfWorkFactory:
    return request.app.state.unit_of_work


def checks_runner(request: Request) -> ChecksRunner:
    return request.app.state.checks_runner


Settings = Annotated[GovernanceSettings, Depends(settings)]
Codec = Annotated[TokenCodec, Depends(token_codec)]
CurrentActor = Annotated[Actor, Depends(actor)]
AnonymousActor = Annotated[Actor, Depends(anonymous)]
Units = Annotated[UnitOfWorkFactory, Depends(units)]
Runner = Annotated[ChecksRunner, Depends(checks_runner)]

# The national admins' business (access.py).
AccountsAdmin = Annotated[Actor, allowed(access.require_accounts_admin)]
InstitutionsAdmin = Annotated[Actor, allowed(access.require_institutions_admin)]
GuideEditor = Annotated[Actor, allowed(access.require_guide_editor)]
AuditReader = Annotated[Actor, allowed(access.require_audit_reader)]
SchedulesAdmin = Annotated[Actor, allowed(access.require_schedules_admin)]
