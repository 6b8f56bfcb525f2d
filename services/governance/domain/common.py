"""Small helpers shared by the governance domain modules."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, TypeVar

from pydantic import Field
from sqlalchemy import ColumnElement, SQLColumnExpression
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, or_

from libs.fields import Line
from libs.http.problems import NotFound, Problem
from libs.uow import UnitOfWork

T = TypeVar("T", bound=SQLModel)

# A search box: part of an email, a name, a slug.
SearchText = Annotated[Line, Field(max_length=200)]


def get_or_404(session: Session, model: type[T], key: Any, what: str) -> T:
    found = session.get(model, key)
    if found is None:
        raise NotFound(f"{what} {key} not found")
    return found


def lock(session: Session, model: type[T], key: uuid.UUID, what: str) -> T:
    """Loads a row for update (PostgreSQL row lock) so that concurrent decisions serialise."""
    found = session.get(model, key, with_for_update=True)
    if found is None:
        raise NotFound(f"{what} {key} not found")
    return found


def as_json(row: SQLModel, exclude: set[str] | None = None) -> dict[str, Any]:
    return row.model_dump(mode="json", exclude=exclude, warnings=False)


def flush_or(uow: UnitOfWork, conflict: Problem) -> None:
    """Writes the unit's changes so far; a unique constraint that a concurrent change took
    first (an email, a slug, a version number) is ``conflict``, not a 500."""
    try:
        uow.flush()
    except IntegrityError as exc:
        raise conflict from exc


def contains(text: str, *lowered: SQLColumnExpression[str]) -> ColumnElement[bool]:
    """One of these lower-cased columns contains ``text``, whatever its case (a search box)."""
    pattern = f"%{text.lower()}%"
    return or_(*(column.like(pattern) for column in lowered))
