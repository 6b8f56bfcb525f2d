"""Tables of the catalog service, on its own metadata so that its migrations own them.

Multilingual text is a JSON object ``{"ar": ..., "fr": ..., "en": ...}``. Search structures
(a tsvector column with a GIN index on PostgreSQL, an FTS5 table on SQLite) are maintained by
the domain on every write, from the normalised text (libs.text), and created by migrations.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel, col

from libs.db import utc_timestamp
from libs.messaging.tables import messaging_tables


class CatalogTable(SQLModel, registry=registry()):
    """Base of every catalog table."""


metadata = CatalogTable.metadata
messaging = messaging_tables(metadata)


def _json(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(JSON, nullable=nullable))


class DatasetState(StrEnum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    PUBLISHED = "published"
    WITHDRAWN = "withdrawn"


class Institution(CatalogTable, table=True):
    """Replica of a governance institution, kept from institution enrolled/withdrawn events."""

    id: uuid.UUID = Field(primary_key=True)
    slug: str = Field(max_length=100, unique=True, index=True)
    title: dict[str, str] = _json()
    acronym: str | None = Field(default=None, max_length=32)
    kind: str = Field(default="other", max_length=32)
    website: str | None = None
    logo_url: str | None = None
    enrolled_on: date | None = None
    withdrawn_on: date | None = None
    active: bool = Field(default=True, index=True)
    created_at: datetime = utc_timestamp(nullable=False)
    modified_at: datetime = utc_timestamp(nullable=False)


class Theme(CatalogTable, table=True):
    """A theme (a CKAN group): a controlled, bilingual list (seeded by migration 0002)."""

    name: str = Field(primary_key=True, max_length=100)
    title: dict[str, str] = _json()
    position: int = 0


class License(CatalogTable, table=True):
    id: str = Field(primary_key=True, max_length=100)
    title: str = Field(max_length=255)
    url: str | None = None
    is_open: bool = True


class Dataset(CatalogTable, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    slug: str = Field(max_length=100, unique=True, index=True)
    title: dict[str, str] = _json()
    description: dict[str, str] | None = _json(nullable=True)
    institution_id: uuid.UUID = Field(index=True)
    license_id: str | None = Field(default=None, foreign_key="license.id", index=True)
    frequency: str | None = Field(default=None, max_length=32)
    temporal_start: date | None = None
    temporal_end: date | None = None
    spatial: list[str] | None = _json(nullable=True)
    contact_point: dict[str, str] | None = _json(nullable=True)
    version: str | None = Field(default=None, max_length=64)
    state: DatasetState = Field(default=DatasetState.DRAFT, sa_type=String(16), index=True)
    rejection_reasons: list[str] | None = _json(nullable=True)
    rejected_at: datetime | None = utc_timestamp()
    created_by: uuid.UUID | None = None
    created_at: datetime = utc_timestamp(nullable=False)
    modified_at: datetime = utc_timestamp(nullable=False)
    submitted_at: datetime | None = utc_timestamp()
    published_at: datetime | None = utc_timestamp()
    withdrawn_at: datetime | None = utc_timestamp()
    last_data_update: datetime | None = utc_timestamp()
    # Search and sort helpers, derived from the fields above on every write.
    title_sort: str = Field(default="", max_length=500, index=True)
    search_document: str | None = Field(
        default=None,
        sa_column=Column(TSVECTOR().with_variant(Text(), "sqlite"), nullable=True),
    )


Index("ix_dataset_state_modified", col(Dataset.state), col(Dataset.modified_at))
Index("ix_dataset_search_document", col(Dataset.search_document), postgresql_using="gin").ddl_if(
    dialect="postgresql"
)


class DatasetTheme(CatalogTable, table=True):
    __tablename__ = "dataset_theme"

    dataset_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True)
    )
    theme_name: str = Field(foreign_key="theme.name", primary_key=True, index=True)


class DatasetTag(CatalogTable, table=True):
    __tablename__ = "dataset_tag"

    dataset_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True)
    )
    tag: str = Field(primary_key=True, max_length=100, index=True)


class Resource(CatalogTable, table=True):
    """A distribution: a URL, or a file uploaded to the catalog's storage."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    dataset_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("dataset.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    position: int = 0
    title: dict[str, str] = _json()
    description: dict[str, str] | None = _json(nullable=True)
    url: str | None = None  # external URL; None for an upload (served by the catalog)
    storage_key: str | None = Field(default=None, max_length=255)
    filename: str | None = Field(default=None, max_length=255)  # of an upload, as sent
    format: str | None = Field(default=None, max_length=32, index=True)
    media_type: str | None = Field(default=None, max_length=255)
    size: int | None = Field(default=None, sa_type=BigInteger)
    sha256: str | None = Field(default=None, max_length=64)
    created_at: datetime = utc_timestamp(nullable=False)
    modified_at: datetime = utc_timestamp(nullable=False)


class DatasetReuse(CatalogTable, table=True):
    """Which reuses cite which datasets, from reuse declared/removed events."""

    __tablename__ = "dataset_reuse"

    dataset_id: uuid.UUID = Field(primary_key=True)
    reuse_id: uuid.UUID = Field(primary_key=True, index=True)


class DatasetRendition(CatalogTable, table=True):
    """A published dataset's public representations, rendered once and served as bytes
    (domain/renditions.py): its native JSON and its CKAN package dict, rendered with the
    service's public URL. ``generation`` is bumped, and the bodies emptied, by every unit of
    work that changes what they show; a body rendered from data read before a bump is not
    stored."""

    __tablename__ = "dataset_rendition"

    dataset_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True)
    )
    generation: int = 0
    base_url: str | None = None
    native: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    ckan: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class CatalogueGeneration(CatalogTable, table=True):
    """One row: a number every unit of work that changes public data bumps in its
    transaction (domain/generation.py), so that each worker and replica learns, by reading
    it, that its in-process caches are out of date."""

    __tablename__ = "catalogue_generation"

    id: int = Field(default=1, primary_key=True)
    value: int = Field(default=0, sa_type=BigInteger)
