"""Tables of the reuse service, on its own metadata so that its migrations own them.

Multilingual text is a JSON object ``{"ar": ..., "fr": ..., "en": ...}``. Datasets are known
only from the catalog's events (``dataset_replica``). Search reads ``reuse_term``, the
normalised words of each reuse (domain/search.py).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Enum, ForeignKey, SmallInteger
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from libs.db import utc_timestamp
from libs.messaging.tables import messaging_tables
from libs.ratelimit import rate_limit_table


class ReuseTable(SQLModel, registry=registry()):
    """Base of every reuse table."""


metadata = ReuseTable.metadata
messaging = messaging_tables(metadata)
rate_limits = rate_limit_table(metadata)


def _json(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(JSON, nullable=nullable))


def _state(enum: type[StrEnum], *, index: bool = False) -> Any:
    """A state column: text in the database (no CHECK constraint to migrate), the enum in
    Python."""
    column_type = Enum(
        enum,
        native_enum=False,
        create_constraint=False,
        length=16,
        values_callable=lambda members: [member.value for member in members],
    )
    return Field(sa_column=Column(column_type, nullable=False, index=index))


def _owned_by(parent: str, *, primary_key: bool = False, index: bool = True) -> Any:
    """A reference to ``parent``'s id, whose rows go with their parent."""
    return Field(
        sa_column=Column(
            ForeignKey(f"{parent}.id", ondelete="CASCADE"),
            primary_key=primary_key,
            nullable=False,
            index=index,
        )
    )


# --- developers and their keys ----------------------------------------------------------------


class Developer(ReuseTable, table=True):
    """An external developer's account, registered through the API."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    name: str = Field(max_length=200)
    email: str = Field(max_length=254, unique=True, index=True)
    organization: str | None = Field(default=None, max_length=200)
    terms_accepted_at: datetime = utc_timestamp(nullable=False)
    verified_at: datetime | None = utc_timestamp()
    created_at: datetime = utc_timestamp(nullable=False)


class EmailLink(ReuseTable, table=True):
    """A single-use, expiring link sent to a developer's address: following it verifies the
    address and issues an API key. Only the token's digest is kept."""

    __tablename__ = "email_link"

    digest: str = Field(primary_key=True, max_length=64)
    developer_id: uuid.UUID = _owned_by("developer")
    created_at: datetime = utc_timestamp(nullable=False)
    expires_at: datetime = utc_timestamp(nullable=False)
    used_at: datetime | None = utc_timestamp()


class ApiKey(ReuseTable, table=True):
    """A developer's API key: its visible prefix (looked up by index) and the digest of the
    whole key (libs.auth); the key itself is shown once, at creation."""

    __tablename__ = "api_key"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    developer_id: uuid.UUID = _owned_by("developer")
    prefix: str = Field(max_length=12, unique=True, index=True)
    digest: str = Field(max_length=64)
    name: str = Field(max_length=100)
    created_at: datetime = utc_timestamp(nullable=False)
    expires_at: datetime | None = utc_timestamp()
    last_used_at: datetime | None = utc_timestamp()
    revoked_at: datetime | None = utc_timestamp()


# --- the catalog's datasets, as its events tell -------------------------------------------------


class ReplicaState(StrEnum):
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class DatasetReplica(ReuseTable, table=True):
    """A dataset the catalog published (and maybe withdrew since): what a reuse may cite."""

    __tablename__ = "dataset_replica"

    id: uuid.UUID = Field(primary_key=True)
    slug: str = Field(max_length=100, index=True)
    title: dict[str, str] = _json()
    institution_id: uuid.UUID = Field(index=True)
    state: ReplicaState = _state(ReplicaState)
    published_at: datetime | None = utc_timestamp()
    withdrawn_at: datetime | None = utc_timestamp()
    # The moment of the last event applied (publication, update or withdrawal).
    changed_at: datetime = utc_timestamp(nullable=False)


# --- reuses -----------------------------------------------------------------------------------


class ReuseState(StrEnum):
    DECLARED = "declared"  # public, not yet verified by a national admin
    VERIFIED = "verified"
    REJECTED = "rejected"  # seen only by its owner and national admins


PUBLIC_STATES = (ReuseState.DECLARED, ReuseState.VERIFIED)


class Reuse(ReuseTable, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    slug: str = Field(max_length=100, unique=True, index=True)
    title: dict[str, str] = _json()
    description: dict[str, str] = _json()
    reuse_type: str = Field(max_length=32, index=True)
    topic: str | None = Field(default=None, max_length=64, index=True)
    url: str = Field(max_length=2000)
    # SHA-256 of the normalised URL (domain/urls.py): one reuse per URL.
    url_digest: str = Field(max_length=64, unique=True)
    image_url: str | None = Field(default=None, max_length=2000)
    tags: list[str] = _json()
    developer_id: uuid.UUID = Field(foreign_key="developer.id", index=True)
    organization: str | None = Field(default=None, max_length=200)
    state: ReuseState = _state(ReuseState, index=True)
    declared_at: datetime = utc_timestamp(nullable=False, index=True)
    updated_at: datetime = utc_timestamp(nullable=False)
    verified_at: datetime | None = utc_timestamp()
    verified_by: uuid.UUID | None = None
    rejected_at: datetime | None = utc_timestamp()
    rejected_by: uuid.UUID | None = None
    rejection_reason: str | None = Field(default=None, max_length=2000)


class ReuseDataset(ReuseTable, table=True):
    """A dataset a reuse cites, in the order its owner gave."""

    __tablename__ = "reuse_dataset"

    # The primary key's first column: no index of its own.
    reuse_id: uuid.UUID = _owned_by("reuse", primary_key=True, index=False)
    dataset_id: uuid.UUID = Field(foreign_key="dataset_replica.id", primary_key=True, index=True)
    position: int = 0


class ReuseTerm(ReuseTable, table=True):
    """A normalised word of a reuse (libs.text), with the weight of where it stands: title 3,
    tags 2, description and organisation 1. Found by its term: the primary key."""

    __tablename__ = "reuse_term"

    term: str = Field(primary_key=True, max_length=64)
    reuse_id: uuid.UUID = _owned_by("reuse", primary_key=True)
    weight: int = Field(sa_type=SmallInteger)
