"""Small helpers shared by the governance domain modules."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from sqlmodel import Session, SQLModel, func, select

from libs.http.problems import InvalidInput, NotFound

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

T = TypeVar("T", bound=SQLModel)


def http_url(value: str) -> str:
    value = value.strip()
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError("must be an absolute http(s) URL")
    return value


def email_address(value: str) -> str:
    value = value.strip().lower()
    if not _EMAIL.match(value) or len(value) > 320:
        raise ValueError("must be an email address")
    return value


HttpUrl = Annotated[str, Field(max_length=500), AfterValidator(http_url)]
Email = Annotated[str, AfterValidator(email_address)]


class Localized(BaseModel):
    """Bilingual text: Arabic and/or French (at least one), English optional."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    ar: str | None = Field(default=None, max_length=5000)
    fr: str | None = Field(default=None, max_length=5000)
    en: str | None = Field(default=None, max_length=5000)

    @model_validator(mode="after")
    def _one_official_language(self) -> Localized:
        if not (self.ar or self.fr):
            raise ValueError("give the text in Arabic (ar) or French (fr)")
        return self

    def as_dict(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if v}


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


def page_of(
    session: Session,
    model: type[T],
    conditions: Sequence[Any],
    order: Sequence[Any],
    offset: int,
    limit: int,
) -> tuple[list[T], int]:
    """One page of the rows matching the conditions, and how many match in all."""
    total = int(session.exec(select(func.count()).select_from(model).where(*conditions)).one())
    rows = session.exec(
        select(model).where(*conditions).order_by(*order).offset(offset).limit(limit)
    ).all()
    return list(rows), total


def changes_of(command: BaseModel, not_null: Iterable[str]) -> dict[str, Any]:
    """The fields a partial update sent; those in ``not_null`` cannot be cleared."""
    changes = command.model_dump(exclude_unset=True)
    for field in not_null:
        if field in changes and changes[field] is None:
            raise InvalidInput(field, "cannot be null")
    return changes


def as_json(row: SQLModel, exclude: set[str] | None = None) -> dict[str, Any]:
    return row.model_dump(mode="json", exclude=exclude, warnings=False)


def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes for timezone-aware columns; they are UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment
