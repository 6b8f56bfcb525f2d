"""The audit trail: every governance action, with who, what, when, and the state around it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session

from libs.auth import Principal
from services.governance.models import AuditEntry


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Actor:
    """Who acts: an account (from its token) or the system (None id), and from where."""

    id: uuid.UUID | None = None
    name: str | None = None
    ip: str | None = None

    @classmethod
    def of(cls, principal: Principal | None, ip: str | None = None) -> Actor:
        if principal is None:
            return cls(ip=ip)
        return cls(id=principal.subject, name=principal.name, ip=ip)


SYSTEM = Actor(name="system")


def record(
    session: Session,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: object | None = None,
    *,
    institution_id: uuid.UUID | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEntry:
    """Adds an audit entry to the caller's unit of work (committed with the change)."""
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
    session.add(entry)
    return entry
