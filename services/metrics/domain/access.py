"""Who may do what in the metrics service.

Every figure, definition, commitment and export is public: the indicators are open data.
Only national admins (the governance core; a JWT from governance with the admin role) edit
what the figures are compared with: indicator definitions and their periods, commitments and
their activities, and the names of breakdown keys.
"""

from __future__ import annotations

from libs.auth import Principal
from libs.http.problems import Forbidden


def can_edit_definitions(actor: Principal | None) -> bool:
    return actor is not None and actor.is_admin


def ensure_can_edit_definitions(actor: Principal) -> None:
    if not can_edit_definitions(actor):
        raise Forbidden(
            "only a national admin may edit indicators, commitments and labels",
            code="national-admin-required",
        )
