"""Which reuses cite which datasets, from the reuse service's events (for reuse counts).

A declaration and an update both state the reuse's full list of datasets, so applying one
replaces the rows of that reuse: an edit, a replay or a redelivery leaves exactly the stated
set. A removal (deleted by its owner or rejected by an admin) drops them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import delete
from sqlmodel import col, select

from libs.events.schemas import ReuseDeclared, ReuseRemoved, ReuseUpdated
from libs.uow import UnitOfWork
from services.catalog.domain import renditions
from services.catalog.models import DatasetReuse


def _replace_citations(
    uow: UnitOfWork, reuse_id: uuid.UUID, dataset_ids: Iterable[uuid.UUID]
) -> None:
    session = uow.session
    cited = dict.fromkeys(dataset_ids)
    formerly = session.exec(
        select(DatasetReuse.dataset_id).where(col(DatasetReuse.reuse_id) == reuse_id)
    ).all()
    session.exec(delete(DatasetReuse).where(col(DatasetReuse.reuse_id) == reuse_id))
    session.add_all(DatasetReuse(dataset_id=dataset_id, reuse_id=reuse_id) for dataset_id in cited)
    session.flush()
    # The reuse counts of the datasets cited before and after change.
    renditions.stale(uow, [*formerly, *cited])


def apply_reuse_declared(uow: UnitOfWork, data: ReuseDeclared) -> None:
    _replace_citations(uow, data.reuse_id, data.dataset_ids)


def apply_reuse_updated(uow: UnitOfWork, data: ReuseUpdated) -> None:
    _replace_citations(uow, data.reuse_id, data.dataset_ids)


def apply_reuse_removed(uow: UnitOfWork, data: ReuseRemoved) -> None:
    _replace_citations(uow, data.reuse_id, ())
