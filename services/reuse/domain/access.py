"""Who may do what with developers' accounts and reuses.

- A developer is who an API key says (``Principal`` of kind "developer"); a national admin is
  who governance's JWT says (the admin role).
- A developer manages their own account and keys only; a key of someone else is as unknown.
- A developer declares reuses once their e-mail address is verified.
- Only a reuse's owner edits or deletes it; only national admins verify or reject reuses.
- Declared and verified reuses are public; a rejected one is seen by its owner and national
  admins only.
"""

from __future__ import annotations

import uuid

from libs.auth import Principal
from libs.http.problems import Forbidden, NotFound, Unauthorized
from services.reuse.models import PUBLIC_STATES, ApiKey, Developer, Reuse

DEVELOPER = "developer"


def is_developer(actor: Principal | None) -> bool:
    return actor is not None and actor.kind == DEVELOPER


def ensure_developer(actor: Principal) -> None:
    """What only a developer's API key does (a governance token is no developer's)."""
    if not is_developer(actor):
        raise Unauthorized("this needs a developer's API key", code="api-key-required")


def ensure_key_owner(actor: Principal, api_key: ApiKey | None, key_id: uuid.UUID) -> ApiKey:
    """The key, if it is the actor's; 404 otherwise (nobody learns what keys others hold)."""
    if api_key is None or not is_developer(actor) or api_key.developer_id != actor.subject:
        raise NotFound(f"you have no API key {key_id}", code="api-key-not-found")
    return api_key


def ensure_can_declare(developer: Developer) -> None:
    if developer.verified_at is None:
        raise Forbidden(
            "verify your e-mail address (the link sent at registration) before declaring reuses",
            code="email-not-verified",
        )


def owns(actor: Principal | None, reuse: Reuse) -> bool:
    return is_developer(actor) and actor is not None and actor.subject == reuse.developer_id


def ensure_owner(actor: Principal, reuse: Reuse) -> None:
    if not owns(actor, reuse):
        raise Forbidden(
            f"only the developer who declared reuse {reuse.id} may change it",
            code="not-reuse-owner",
            reuse_id=str(reuse.id),
        )


def ensure_can_moderate(actor: Principal) -> None:
    if is_developer(actor) or not actor.is_admin:
        raise Forbidden("only national admins verify or reject reuses", code="not-admin")


def can_view(actor: Principal | None, reuse: Reuse) -> bool:
    if reuse.state in PUBLIC_STATES:
        return True
    return owns(actor, reuse) or (actor is not None and not is_developer(actor) and actor.is_admin)
