"""Which reuses cite which datasets, from the reuse service's events (for reuse counts).

A declaration states the reuse's full list of datasets, so applying it replaces the rows of
that reuse: a re-declaration after an edit, or a replay, leaves exactly the declared set.
"""

from __future__ import annotations

from sqlalchemy import delete
from sqlmodel import Session

from libs.events.schemas import ReuseDeclared, ReuseRemoved
from services.catalog.models import DatasetReuse


def apply_reuse_declared(session: Session, data: ReuseDeclared) -> None:
    session.execute(delete(DatasetReuse).where(DatasetReuse.reuse_id == data.reuse_id))  # type: ignore[arg-type]
    session.add_all(
        DatasetReuse(dataset_id=dataset_id, reuse_id=data.reuse_id)
        for dataset_id in dict.fromkeys(data.dataset_ids)
    )
    session.flush()


def apply_reuse_removed(session: Session, data: ReuseRemoved) -> None:
    session.execute(delete(DatasetReuse).where(DatasetReuse.reuse_id == data.reuse_id))  # type: ignore[arg-type]
    session.flush()
