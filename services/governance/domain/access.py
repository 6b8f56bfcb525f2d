"""Who may do what in governance: every rule, and nothing else.

The roles come from the caller's token (``Actor.principal``): national admins hold every role
everywhere; stewards, reviewers and viewers hold theirs in one institution. The system (the
service's own workers, the operator's command line) holds none: it never goes through these
rules. ``can_*`` answer; ``require_*`` raise the 403 that says what is missing.
"""

from __future__ import annotations

import uuid

from libs.auth import Role
from libs.http.problems import Forbidden
from services.governance.domain.audit import Actor
from services.governance.models import Review

# Who may read an institution's reviews, members and dashboard.
STAFF_ROLES = (Role.REVIEWER, Role.STEWARD, Role.VIEWER)


def is_admin(actor: Actor) -> bool:
    return actor.principal is not None and actor.principal.is_admin


def has_role(actor: Actor, role: Role, institution_id: uuid.UUID) -> bool:
    return actor.principal is not None and actor.principal.has_role(role, institution_id)


def require_admin(actor: Actor) -> None:
    if not is_admin(actor):
        raise Forbidden("national admin role required")


# --- national admins' business ------------------------------------------------------------------

# Accounts and roles, institutions and their enrolment, the guide, the audit log and the overdue
# check on demand are the national admins'.
require_accounts_admin = require_admin
require_institutions_admin = require_admin
require_guide_editor = require_admin
require_audit_reader = require_admin
require_schedules_admin = require_admin


# --- accounts -----------------------------------------------------------------------------------


def require_account_reader(actor: Actor, account_id: uuid.UUID) -> None:
    """An account is read by itself or by a national admin."""
    if actor.id != account_id and not is_admin(actor):
        raise Forbidden("only the account itself or a national admin may read it")


def require_password_changer(actor: Actor, account_id: uuid.UUID) -> None:
    """An account changes its own password (giving the current one); a national admin resets
    any."""
    if actor.id != account_id and not is_admin(actor):
        raise Forbidden("only the account itself or a national admin may change its password")


# --- institutions -------------------------------------------------------------------------------


def is_staff(actor: Actor, institution_id: uuid.UUID) -> bool:
    """A role in the institution (reviewer, steward, viewer), or a national admin."""
    return any(has_role(actor, role, institution_id) for role in STAFF_ROLES)


def require_staff(actor: Actor, institution_id: uuid.UUID) -> None:
    """An institution's members and dashboard are its staff's and the national admins'."""
    if not is_staff(actor, institution_id):
        raise Forbidden(f"a role in institution {institution_id} (or national admin) is required")


def readable_institutions(actor: Actor) -> set[uuid.UUID] | None:
    """The institutions whose reviews the actor reads; None: every one (national admin)."""
    if is_admin(actor):
        return None
    if actor.principal is None:
        return set()
    principal = actor.principal
    return set().union(*(principal.institutions(role) for role in STAFF_ROLES))


# --- reviews ------------------------------------------------------------------------------------


def can_read_review(actor: Actor, review: Review) -> bool:
    return is_staff(actor, review.institution_id)


def can_act_on_review(actor: Actor, review: Review) -> bool:
    """Answer the checklist, run the checks, request changes, approve: the institution's
    reviewers and the national admins."""
    return has_role(actor, Role.REVIEWER, review.institution_id)


def require_review_reader(actor: Actor, review: Review) -> None:
    if not can_read_review(actor, review):
        raise Forbidden(
            f"this review belongs to institution {review.institution_id}, where you hold no role"
        )


def require_review_actor(actor: Actor, review: Review) -> None:
    if not can_act_on_review(actor, review):
        raise Forbidden(
            f"role reviewer of institution {review.institution_id} (or national admin) required "
            "to act on this review"
        )


def require_commenter(actor: Actor, review: Review) -> None:
    """Reviewers and admins comment, and the institution's stewards (to answer a reviewer)."""
    if not (
        can_act_on_review(actor, review) or has_role(actor, Role.STEWARD, review.institution_id)
    ):
        raise Forbidden(
            f"role reviewer or steward of institution {review.institution_id} required to comment"
        )


def require_approver(actor: Actor, review: Review) -> None:
    """A reviewer of the institution, and never the person who submitted the dataset."""
    require_review_actor(actor, review)
    if review.submitted_by == actor.id:
        raise Forbidden(
            "you submitted this dataset: another reviewer must approve it", code="own-submission"
        )


def require_review_lister(actor: Actor, institution_id: uuid.UUID | None) -> set[uuid.UUID] | None:
    """The institutions whose reviews the actor may list (None: all), once it may list those
    of ``institution_id`` if given."""
    visible = readable_institutions(actor)
    if visible is not None and not visible:
        raise Forbidden("a reviewer, steward or viewer role in an institution is required")
    if institution_id is not None and visible is not None and institution_id not in visible:
        raise Forbidden(f"you hold no role in institution {institution_id}")
    return visible
