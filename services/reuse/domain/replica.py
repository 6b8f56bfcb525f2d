"""The datasets a reuse may cite: a replica of what the catalog published, from its events.

``dataset published`` adds or refreshes a dataset (its slug, multilingual title, institution);
``dataset updated`` refreshes its slug and institution; ``dataset withdrawn`` marks it
withdrawn, and the reuses that cite it keep the citation, shown as withdrawn. Each event
carries its moment: one older than what the replica last applied changes nothing, so a
redelivery or a replay from the start of the topic leaves the same state.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlmodel import col, or_, select

from libs.events.schemas import DatasetPublished, DatasetUpdated, DatasetWithdrawn
from libs.http.problems import InvalidInput
from libs.uow import UnitOfWork
from services.reuse.models import DatasetReplica, ReplicaState


def _apply(
    uow: UnitOfWork, dataset_id: uuid.UUID, moment: datetime, *, create: bool, **values: Any
) -> DatasetReplica | None:
    """Write an event of ``moment`` on the dataset's row, unless the row already reflects a
    later one (or, unless ``create``, there is no row)."""
    replica = uow.session.get(DatasetReplica, dataset_id)
    if replica is None:
        if not create:
            return None
        replica = DatasetReplica(**{"id": dataset_id, "title": {}, **values, "changed_at": moment})
    elif moment < replica.changed_at:
        return replica
    for name, value in {**values, "changed_at": moment}.items():
        setattr(replica, name, value)
    uow.session.add(replica)
    return replica


def apply_dataset_published(uow: UnitOfWork, data: DatasetPublished) -> DatasetReplica | None:
    return _apply(
        uow,
        data.dataset_id,
        data.published_at,
        create=True,
        slug=data.slug,
        title=data.title.model_dump(exclude_none=True),
        institution_id=data.institution_id,
        state=ReplicaState.PUBLISHED,
        published_at=data.published_at,
        withdrawn_at=None,
    )


def apply_dataset_updated(uow: UnitOfWork, data: DatasetUpdated) -> DatasetReplica | None:
    """Unknown datasets are left out: their publication has not reached this service, and an
    update alone does not make a dataset citable."""
    return _apply(
        uow,
        data.dataset_id,
        data.updated_at,
        create=False,
        slug=data.slug,
        institution_id=data.institution_id,
    )


def apply_dataset_withdrawn(uow: UnitOfWork, data: DatasetWithdrawn) -> DatasetReplica | None:
    """Kept even when never seen published, so that a late publication cannot revive it."""
    return _apply(
        uow,
        data.dataset_id,
        data.withdrawn_at,
        create=True,
        slug=data.slug,
        institution_id=data.institution_id,
        state=ReplicaState.WITHDRAWN,
        withdrawn_at=data.withdrawn_at,
    )


def as_uuid(reference: str) -> uuid.UUID | None:
    """``reference`` as an id, or None when it is a slug."""
    try:
        return uuid.UUID(reference)
    except ValueError:
        return None


def find_dataset(uow: UnitOfWork, reference: str) -> DatasetReplica | None:
    """A dataset by its id or its slug."""
    key = as_uuid(reference)
    replica = uow.session.get(DatasetReplica, key) if key else None
    if replica is None:
        replica = uow.session.exec(
            select(DatasetReplica).where(col(DatasetReplica.slug) == reference)
        ).first()
    return replica


def resolve_citations(
    uow: UnitOfWork,
    references: Sequence[str],
    *,
    field: str = "datasets",
    already_cited: frozenset[uuid.UUID] = frozenset(),
) -> list[DatasetReplica]:
    """The datasets ``references`` (ids or slugs) name, in order and without repeats.

    Each must be published, except those the reuse already cites (a withdrawn dataset keeps
    its citations); else a 422 that names every unknown and every unpublished reference.
    """
    ids = {key for key in map(as_uuid, references) if key}
    slugs = [reference for reference in references if as_uuid(reference) is None]
    rows = uow.session.exec(
        select(DatasetReplica).where(
            or_(col(DatasetReplica.id).in_(ids), col(DatasetReplica.slug).in_(slugs))
        )
    ).all()
    by_reference = {str(row.id): row for row in rows} | {row.slug: row for row in rows}
    found: dict[uuid.UUID, DatasetReplica] = {}
    unknown: list[str] = []
    unpublished: list[str] = []
    for reference in references:
        key = as_uuid(reference)
        row = by_reference.get(str(key) if key else reference)
        if row is None:
            unknown.append(reference)
        elif row.state != ReplicaState.PUBLISHED and row.id not in already_cited:
            unpublished.append(reference)
        else:
            found.setdefault(row.id, row)
    if unknown or unpublished:
        parts = []
        if unknown:
            parts.append(f"not published (unknown or never published): {', '.join(unknown)}")
        if unpublished:
            parts.append(f"withdrawn, no longer citable: {', '.join(unpublished)}")
        raise InvalidInput(
            field,
            "; ".join(parts),
            code="datasets-not-citable",
            unknown=unknown,
            unpublished=unpublished,
        )
    return list(found.values())
