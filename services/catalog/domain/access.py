"""Who may do what in the catalog, and nothing else.

Writes: a steward of the dataset's institution, or a national admin. Reads: a published
dataset is public; any other state is visible to the institution's stewards and reviewers,
and to national admins, who alone see every institution's.
"""

from __future__ import annotations

import uuid

from libs.auth import Principal, Role
from libs.http.problems import Forbidden, InvalidInput
from services.catalog.models import Dataset, DatasetState


def can_write(actor: Principal | None, institution_id: uuid.UUID) -> bool:
    return actor is not None and actor.has_role(Role.STEWARD, institution_id)


def ensure_can_write(actor: Principal, institution_id: uuid.UUID) -> None:
    """403 naming the institution when ``actor`` is not one of its stewards (nor an admin)."""
    if not can_write(actor, institution_id):
        raise Forbidden(
            f"only a steward of institution {institution_id} (or a national admin) may "
            "write its datasets",
            code="not-steward-of-institution",
            institution_id=str(institution_id),
        )


def default_institution(actor: Principal) -> uuid.UUID:
    """The institution a steward writes for when they name none: their only one (422 when
    they have several, or none)."""
    institutions = actor.institutions(Role.STEWARD)
    if len(institutions) == 1:
        return next(iter(institutions))
    raise InvalidInput(
        "institution_id",
        "required: the institution the dataset belongs to"
        + (" (you are a steward of several)" if institutions else ""),
    )


def can_view(actor: Principal | None, dataset: Dataset) -> bool:
    if dataset.state == DatasetState.PUBLISHED:
        return True
    if actor is None:
        return False
    return actor.has_role(Role.STEWARD, dataset.institution_id) or actor.has_role(
        Role.REVIEWER, dataset.institution_id
    )


def own_datasets_scope(actor: Principal) -> set[uuid.UUID] | None:
    """The institutions whose datasets, in every state, ``actor`` lists as their own (None:
    every institution, for an admin); 403 for whoever is no steward or reviewer."""
    if actor.is_admin:
        return None
    institutions = actor.institutions(Role.STEWARD) | actor.institutions(Role.REVIEWER)
    if not institutions:
        raise Forbidden("steward or reviewer role of an institution required", code="not-steward")
    return institutions


def ensure_can_manage_harvest(actor: Principal) -> None:
    """Harvest sources and their jobs are the national admins' (403 for anyone else): a source
    writes datasets for an institution, as its stewards would."""
    if not actor.is_admin:
        raise Forbidden(
            "only a national admin manages harvest sources", code="national-admin-required"
        )
