"""The reuse service's unit tier: its domain on a throw-away SQLite copy of its schema.

Fixtures and helpers
- ``units``: a :class:`~tests.support.units.SqliteUnits` of the reuse service (``units()`` is a
  unit of work; ``units.published(type)`` the events committed so far).
- :func:`publish_dataset` / :func:`withdraw_dataset`: the replica as the catalog's events leave it.
- :func:`make_developer`: an account (verified unless told otherwise) and its principal.
- :func:`declaration`: a valid ReuseDeclaration, with overrides.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import func, select

from libs.auth import Principal, Role, RoleGrant
from libs.events.schemas import DatasetPublished, DatasetWithdrawn, LocalizedText
from services.reuse.app import MIGRATIONS_DIR
from services.reuse.domain.replica import apply_dataset_published, apply_dataset_withdrawn
from services.reuse.domain.reuses import ReuseDeclaration
from services.reuse.models import Developer, messaging
from tests.support.units import SqliteUnits

PUBLISHED_AT = datetime(2025, 1, 10, 9, 0, tzinfo=UTC)


@pytest.fixture
def units(tmp_path: Path) -> Iterator[SqliteUnits]:
    units = SqliteUnits("reuse", MIGRATIONS_DIR, messaging, tmp_path)
    yield units
    units.dispose()


def publish_dataset(
    units: SqliteUnits,
    slug: str,
    *,
    institution_id: uuid.UUID | None = None,
    title: dict[str, str] | None = None,
    at: datetime = PUBLISHED_AT,
    dataset_id: uuid.UUID | None = None,
) -> DatasetPublished:
    data = DatasetPublished(
        dataset_id=dataset_id or uuid.uuid4(),
        slug=slug,
        institution_id=institution_id or uuid.uuid4(),
        title=LocalizedText(**(title or {"fr": f"Jeu {slug}", "ar": f"مجموعة {slug}"})),
        published_at=at,
    )
    with units() as uow:
        apply_dataset_published(uow, data)
        uow.commit()
    return data


def withdraw_dataset(
    units: SqliteUnits, published: DatasetPublished, *, after: timedelta = timedelta(days=1)
) -> DatasetWithdrawn:
    data = DatasetWithdrawn(
        dataset_id=published.dataset_id,
        slug=published.slug,
        institution_id=published.institution_id,
        withdrawn_at=published.published_at + after,
        reason="superseded",
    )
    with units() as uow:
        apply_dataset_withdrawn(uow, data)
        uow.commit()
    return data


def make_developer(
    units: SqliteUnits, *, verified: bool = True, email: str | None = None
) -> Principal:
    now = datetime.now(UTC)
    developer = Developer(
        name="Salma Bennani",
        email=email or f"dev-{uuid.uuid4().hex[:8]}@example.org",
        organization="Association Données Citoyennes",
        terms_accepted_at=now,
        verified_at=now if verified else None,
        created_at=now,
    )
    with units() as uow:
        uow.session.add(developer)
        uow.commit()
    return Principal(subject=developer.id, kind="developer", name=developer.name)


def admin() -> Principal:
    return Principal(subject=uuid.uuid4(), grants=[RoleGrant(role=Role.ADMIN)])


def declaration(*datasets: str, **overrides: Any) -> ReuseDeclaration:
    fields: dict[str, Any] = {
        "title": {"fr": "Explorateur du budget", "ar": "مستكشف الميزانية"},
        "description": {"fr": "Une visualisation des dépenses publiques par région."},
        "type": "visualization",
        "topic": "economy",
        "url": f"https://budget-{uuid.uuid4().hex[:6]}.example.org/",
        "tags": ["Budget", "finances"],
        "datasets": list(datasets),
    }
    fields.update(overrides)
    return ReuseDeclaration.model_validate(fields)


def count(units: SqliteUnits, model: Any) -> int:
    with units() as uow:
        return int(uow.session.exec(select(func.count()).select_from(model)).one())
