"""Who may read and write which datasets.

Writes: a steward of the dataset's institution, or a national admin. Reads: a published
dataset is public; any other state is visible to the institution's stewards and reviewers,
and to national admins.
"""

from __future__ import annotations

import uuid

from libs.auth import Principal, Role
from libs.http.problems import Forbidden
from services.catalog.models import Dataset, DatasetState


def can_write(actor: Principal | None, organization_id: uuid.UUID) -> bool:
    return actor is not None and actor.has_role(Role.STEWARD, organization_id)


def ensure_can_write(actor: Principal, organization_id: uuid.UUID) -> None:
    """403 naming the institution when ``actor`` is not one of its stewards (nor an admin)."""
    if not can_write(actor, organization_id):
        raise Forbidden(
            f"only a steward of institution {organization_id} (or a national admin) may "
            "write its datasets",
            code="not-steward-of-institution",
            institution_id=str(organization_id),
        )


def can_view(actor: Principal | None, dataset: Dataset) -> bool:
    if dataset.state == DatasetState.PUBLISHED:
        return True
    if actor is None:
        return False
    return actor.has_role(Role.STEWARD, dataset.organization_id) or actor.has_role(
        Role.REVIEWER, dataset.organization_id
    )


def visible_institutions(actor: Principal) -> set[uuid.UUID] | None:
    """Institutions whose unpublished datasets ``actor`` sees; None means all (admin)."""
    if actor.is_admin:
        return None
    return actor.institutions(Role.STEWARD) | actor.institutions(Role.REVIEWER)
