"""The audit trail: every governance action, with who, what, when, and the state around it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from libs.auth import Principal
from libs.db import utcnow
from libs.uow import UnitOfWork
from services.governance.models import AuditEntry


@dataclass(frozen=True)
class Actor:
    """Who acts and from where: an account, with the roles its token grants (``principal``,
    what access.py decides on), or the system (its workers, the operator's command line),
    which holds no role and is never checked through access.py."""

    id: uuid.UUID | None = None
    name: str | None = None
    ip: str | None = None
    principal: Principal | None = None

    @classmethod
    def of(cls, principal: Principal, ip: str | None = None) -> Actor:
        return cls(id=principal.subject, name=principal.name, ip=ip, principal=principal)


SYSTEM = Actor(name="system")


def record_action(
    uow: UnitOfWork,
    actor: Actor,
    *,
    action: str,
    target_type: str,
    target_id: object | None = None,
    institution_id: uuid.UUID | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Adds an audit entry to the unit of work: it commits with the change it records."""
    entry = AuditEntry(
        at=utcnow(),
        actor_id=actor.id,
        actor_name=actor.name,
        action=action,
        target_type=target_type,
        target_id=str(target_id) if target_id is not None else None,
        institution_id=institution_id,
        ip=actor.ip,
        before=before,
        after=after,
    )
    uow.session.add(entry)
    return entry
