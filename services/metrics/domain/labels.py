"""Names of breakdown keys (themes, regions, reuse types, openness levels…), kept by national
admins; institutions and datasets are named by their own titles instead."""

from __future__ import annotations

from sqlmodel import col, select

from libs.auth import Principal
from libs.http.problems import InvalidInput, NotFound
from libs.uow import UnitOfWork
from services.metrics.domain import access
from services.metrics.domain.measures import DIMENSIONS
from services.metrics.models import Label


def _labelled(dimension: str) -> str:
    if dimension not in DIMENSIONS:
        raise NotFound(
            f"no dimension {dimension!r}; one of: {', '.join(DIMENSIONS)}",
            code="dimension-not-found",
        )
    if DIMENSIONS[dimension].entity is not None:
        raise InvalidInput("dimension", f"{dimension} keys are named by their objects' titles")
    return dimension


def list_labels(uow: UnitOfWork, dimension: str) -> list[Label]:
    _labelled(dimension)
    statement = select(Label).where(col(Label.dimension) == dimension).order_by(col(Label.key))
    return list(uow.session.exec(statement))


def set_label(
    uow: UnitOfWork, actor: Principal, *, dimension: str, key: str, name: dict[str, str]
) -> Label:
    access.ensure_can_edit_definitions(actor)
    label = uow.session.get(Label, (_labelled(dimension), key)) or Label(
        dimension=dimension, key=key
    )
    label.name = name
    uow.session.add(label)
    uow.flush()
    return label
