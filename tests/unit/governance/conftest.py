"""The governance unit tier: domain commands on an in-memory unit of work (SQLite), no broker.

Builders of the snapshots and actors the tests need; ``units`` gives each test its own
governance database (the migrations run once per session).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from sqlmodel import col, select

from libs.auth import Principal, Role, RoleGrant
from libs.events.schemas import DatasetSubmitted
from libs.fields import Localized
from libs.uow import UnitOfWork
from services.governance.app import MIGRATIONS_DIR
from services.governance.domain import institutions, passwords
from services.governance.domain.audit import Actor
from services.governance.models import AuditEntry, Institution, messaging
from services.governance.settings import GovernanceSettings
from tests.support.governance_data import submitted
from tests.support.units import SqliteUnits

OPERATOR = Actor(name="tests")


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    # argon2's default cost (half a second here) is the point in production, not in a test.
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    )
    passwords._dummy_hash.cache_clear()


@pytest.fixture
def units(tmp_path: Path) -> Iterator[SqliteUnits]:
    units = SqliteUnits("governance", MIGRATIONS_DIR, messaging, tmp_path)
    yield units
    units.dispose()


@pytest.fixture
def settings() -> GovernanceSettings:
    return GovernanceSettings(database_url="sqlite://")


def actor(
    *grants: tuple[Role, uuid.UUID | None], name: str = "someone", subject: uuid.UUID | None = None
) -> Actor:
    """An account acting with these roles (admin: ``(Role.ADMIN, None)``)."""
    principal = Principal(
        subject=subject or uuid.uuid4(),
        name=name,
        grants=[RoleGrant(role=role, institution_id=where) for role, where in grants],
    )
    return Actor.of(principal, ip="192.0.2.1")


def admin() -> Actor:
    return actor((Role.ADMIN, None), name="admin")


def add_institution(units: SqliteUnits, *, enrolled: bool = False) -> Institution:
    with units() as uow:
        slug = f"inst-{uuid.uuid4().hex[:8]}"
        institution = institutions.create_institution(
            uow, OPERATOR, slug=slug, name=Localized(fr=f"Institution {slug}")
        )
        if enrolled:
            institutions.enrol_institution(uow, OPERATOR, institution_id=institution.id)
        uow.commit()
    return institution


def submission(
    institution_id: uuid.UUID, submitted_by: uuid.UUID, **overrides: Any
) -> DatasetSubmitted:
    """A complete, well-described submission of one CSV file."""
    csv = ("https://data.example.ma/population.csv", "CSV")
    return submitted(institution_id, submitted_by, [csv], **overrides)


def audit_actions(uow: UnitOfWork) -> list[str]:
    entries = uow.session.exec(select(AuditEntry).order_by(col(AuditEntry.id))).all()
    return [entry.action for entry in entries]
