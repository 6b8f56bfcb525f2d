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

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel, col

from libs.db import utc_timestamp
from libs.messaging.tables import messaging_tables


class CatalogTable(SQLModel, registry=registry()):
    """Base of every catalog table."""


metadata = CatalogTable.metadata
messaging = messaging_tables(metadata)


def _facet_values() -> Any:
    # PostgreSQL's facet counting reads these (domain/search_index.py); unused on SQLite.
    return Field(
        default=None,
        sa_column=Column(ARRAY(String()).with_variant(JSON(), "sqlite"), nullable=True),
    )


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
    # The values a search counts facets on, copied from dataset_tag, dataset_theme and the
    # resources' formats (distinct, sorted) whenever the search document is written.
    facet_tags: list[str] | None = _facet_values()
    facet_themes: list[str] | None = _facet_values()
    facet_formats: list[str] | None = _facet_values()


Index("ix_dataset_state_modified", col(Dataset.state), col(Dataset.modified_at))
Index("ix_dataset_search_document", col(Dataset.search_document), postgresql_using="gin").ddl_if(
    dialect="postgresql"
)
# A filter on a theme, tag or format alone finds its datasets by these.
Index("ix_dataset_facet_tags", col(Dataset.facet_tags), postgresql_using="gin").ddl_if(
    dialect="postgresql"
)
Index("ix_dataset_facet_themes", col(Dataset.facet_themes), postgresql_using="gin").ddl_if(
    dialect="postgresql"
)
Index("ix_dataset_facet_formats", col(Dataset.facet_formats), postgresql_using="gin").ddl_if(
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


# --- harvesting ------------------------------------------------------------------------------


class HarvestKind(StrEnum):
    CKAN = "ckan"  # a CKAN Action API (package_search)
    DCAT = "dcat"  # a DCAT-AP catalogue (Turtle, RDF/XML or JSON-LD, Hydra pages)


class ReviewPolicy(StrEnum):
    REVIEW = "review"  # every harvested dataset waits for a reviewer
    TRUSTED = "trusted"  # approved by the source itself when no blocking check fails


class HarvestJobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class HarvestSource(CatalogTable, table=True):
    """Where an institution already publishes datasets, read on a schedule or on demand."""

    __tablename__ = "harvest_source"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    slug: str = Field(max_length=100, unique=True, index=True)
    name: str = Field(max_length=500)
    institution_id: uuid.UUID = Field(index=True)
    kind: HarvestKind = Field(sa_type=String(16))
    url: str = Field(max_length=2000)
    # Either every so many minutes or every day at HH:MM (UTC); neither: on demand only.
    schedule_every_minutes: int | None = None
    schedule_daily_at: str | None = Field(default=None, max_length=5)
    # {"organizations": [...], "groups": [...], "tags": [...]} (CKAN sources)
    filters: dict[str, list[str]] = _json()
    # {"licenses": {from: to}, "themes": {from: to}, "formats": {from: to}}
    mappings: dict[str, dict[str, str]] = _json()
    review_policy: ReviewPolicy = Field(default=ReviewPolicy.REVIEW, sa_type=String(16))
    # Requests per second the harvester allows itself on this source.
    rate_limit: float = 2.0
    enabled: bool = True
    created_by: uuid.UUID | None = None
    created_at: datetime = utc_timestamp(nullable=False)
    modified_at: datetime = utc_timestamp(nullable=False)
    next_run_at: datetime | None = utc_timestamp(index=True)
    # The source's own time of its latest change read by the last successful job: the next
    # job asks only for what changed since (CKAN); None reads everything.
    high_water_mark: datetime | None = utc_timestamp()
    last_success_at: datetime | None = utc_timestamp()
    # The job holding the source, and until when, unless renewed (the runner's lease).
    lease_job_id: uuid.UUID | None = None
    lease_expires_at: datetime | None = utc_timestamp()


class HarvestJob(CatalogTable, table=True):
    """One reading of a source: what it found and did, and what it could not map."""

    __tablename__ = "harvest_job"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    source_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("harvest_source.id", ondelete="CASCADE"), nullable=False)
    )
    status: HarvestJobStatus = Field(
        default=HarvestJobStatus.QUEUED, sa_type=String(16), index=True
    )
    trigger: str = Field(max_length=16)  # schedule, api or cli
    # Read everything (compare every record) rather than what changed since the last job.
    full: bool = False
    requested_by: uuid.UUID | None = None
    requested_at: datetime = utc_timestamp(nullable=False)
    started_at: datetime | None = utc_timestamp()
    finished_at: datetime | None = utc_timestamp()
    seen_count: int = 0
    new_count: int = 0
    updated_count: int = 0
    unchanged_count: int = 0
    withdrawn_count: int = 0
    failed_count: int = 0
    error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    high_water_mark: datetime | None = utc_timestamp()


Index("ix_harvest_job_source_requested", col(HarvestJob.source_id), col(HarvestJob.requested_at))


class HarvestJobError(CatalogTable, table=True):
    """A record a job could not bring in, and why."""

    __tablename__ = "harvest_job_error"

    id: int | None = Field(
        default=None,
        sa_column=Column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True),
    )
    job_id: uuid.UUID = Field(
        sa_column=Column(
            ForeignKey("harvest_job.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    original_id: str | None = Field(default=None, max_length=1000)
    original_uri: str | None = Field(default=None, max_length=2000)
    message: str = Field(sa_column=Column(Text, nullable=False))
    at: datetime = utc_timestamp(nullable=False)


class HarvestRecord(CatalogTable, table=True):
    """A dataset's provenance: the source and original identifier that are its identity across
    jobs, and what the last job wrote of it."""

    __tablename__ = "harvest_record"

    dataset_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True)
    )
    source_id: uuid.UUID = Field(sa_column=Column(ForeignKey("harvest_source.id"), nullable=False))
    original_id: str = Field(max_length=1000)
    original_uri: str | None = Field(default=None, max_length=2000)
    # The record's modification time at the source, as last written.
    source_modified: datetime | None = utc_timestamp()
    # Digest of the record as mapped when last written: an unchanged record writes nothing.
    content_hash: str = Field(max_length=64)
    first_harvested_at: datetime = utc_timestamp(nullable=False)
    harvested_at: datetime = utc_timestamp(nullable=False)
    # A change of a published dataset waiting for its review (review policy): the mapped
    # record, its digest and the submission that carries it.
    pending: dict[str, Any] | None = _json(nullable=True)
    pending_hash: str | None = Field(default=None, max_length=64)
    pending_submitted_at: datetime | None = utc_timestamp()
    # The digest of the last change a reviewer declined: not submitted again unless it changes.
    declined_hash: str | None = Field(default=None, max_length=64)
    # When the harvest withdrew (or removed) it because the source no longer has it.
    removed_at: datetime | None = utc_timestamp()


Index(
    "ix_harvest_record_source_original",
    col(HarvestRecord.source_id),
    col(HarvestRecord.original_id),
    unique=True,
)


class DatasetRendition(CatalogTable, table=True):
    """A published dataset's public representations, rendered and stored as bytes by the unit
    of work that changes it, and served as stored (domain/renditions.py): its native JSON, its
    CKAN package dict and its DCAT-AP document in each serialisation, rendered with the
    service's public URL. ``generation`` is bumped by every unit of work that changes what they
    show; a body rendered from data read before a bump is not stored."""

    __tablename__ = "dataset_rendition"

    dataset_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("dataset.id", ondelete="CASCADE"), primary_key=True)
    )
    generation: int = 0
    base_url: str | None = None
    native: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    ckan: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    dcat_ttl: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    dcat_rdf: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))
    dcat_jsonld: bytes | None = Field(default=None, sa_column=Column(LargeBinary, nullable=True))


class CatalogueGeneration(CatalogTable, table=True):
    """One row: a number every unit of work that changes public data bumps in its
    transaction (domain/generation.py), so that each worker and replica learns, by reading
    it, that its in-process caches are out of date."""

    __tablename__ = "catalogue_generation"

    id: int = Field(default=1, primary_key=True)
    value: int = Field(default=0, sa_type=BigInteger)
