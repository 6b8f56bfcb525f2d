"""Typed payloads (CloudEvents ``data``) of every event of DESIGN.md §3, registered by type.

A type name carries its version (``…v1``): a breaking change adds a new class with ``v2`` and
keeps the old one until no producer emits it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from libs.events.topics import Topic

EVENT_TYPES: dict[str, type[EventData]] = {}

TYPE_PREFIX = "ma.gov.data."


class LocalizedText(BaseModel):
    """Multilingual text: Arabic and/or French, English optional."""

    model_config = ConfigDict(extra="forbid")

    ar: str | None = None
    fr: str | None = None
    en: str | None = None


class EventData(BaseModel):
    """Base of every payload. Subclasses name their type, topic and subject field."""

    model_config = ConfigDict(extra="ignore")

    event_type: ClassVar[str]
    topic: ClassVar[Topic]
    subject_field: ClassVar[str]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        event_type = cls.__dict__.get("event_type")
        if event_type:
            if event_type in EVENT_TYPES:
                raise TypeError(f"event type {event_type} registered twice")
            EVENT_TYPES[event_type] = cls

    def subject(self) -> str:
        return str(getattr(self, self.subject_field))


def payload_model(event_type: str) -> type[EventData] | None:
    return EVENT_TYPES.get(event_type)


# --- governance: institutions ----------------------------------------------------------------

InstitutionKind = Literal["ministry", "public_body", "local_authority", "other"]


class InstitutionEnrolled(EventData):
    event_type = TYPE_PREFIX + "institution.enrolled.v1"
    topic = Topic.GOVERNANCE_INSTITUTIONS
    subject_field = "institution_id"

    institution_id: UUID
    slug: str
    name: LocalizedText
    acronym: str | None = None
    kind: InstitutionKind = "other"
    website: str | None = None
    logo_url: str | None = None
    enrolled_on: date
    commitment_reference: str | None = None


class InstitutionWithdrawn(EventData):
    event_type = TYPE_PREFIX + "institution.withdrawn.v1"
    topic = Topic.GOVERNANCE_INSTITUTIONS
    subject_field = "institution_id"

    institution_id: UUID
    withdrawn_on: date
    reason: str | None = None


# --- governance: accounts ---------------------------------------------------------------------


TokenRevocationReason = Literal[
    "deactivated", "roles_changed", "password_changed", "logout", "session_revoked"
]


class TokensRevoked(EventData):
    """An account's access tokens issued before ``not_before`` stop working in every service:
    all of them (deactivation, a role removed, a password changed or reset), or those of one
    login (``session_id``: a logout, a refresh token family revoked). Every service keeps the
    latest of these per account and session and refuses older tokens (libs/auth.py)."""

    event_type = TYPE_PREFIX + "account.tokens_revoked.v1"
    topic = Topic.GOVERNANCE_ACCOUNTS
    subject_field = "account_id"

    account_id: UUID
    session_id: UUID | None = None
    not_before: datetime
    reason: Literal["deactivated", "roles_changed", "password_changed", "logout", "session_revoked"]


# --- governance: reviews and schedules ------------------------------------------------------


class ReviewOpened(EventData):
    event_type = TYPE_PREFIX + "review.opened.v1"
    topic = Topic.GOVERNANCE_REVIEWS
    # Keyed, like every review event, by the dataset: one dataset's reviews stay in order.
    subject_field = "dataset_id"

    review_id: UUID
    dataset_id: UUID
    institution_id: UUID
    opened_at: datetime
    quality_score: int | None = Field(default=None, ge=0, le=100)
    reopened: bool = False


class ReviewDecided(EventData):
    event_type = TYPE_PREFIX + "review.decided.v1"
    topic = Topic.GOVERNANCE_REVIEWS
    subject_field = "dataset_id"

    review_id: UUID
    dataset_id: UUID
    institution_id: UUID
    decision: Literal["approved", "rejected"]
    reasons: list[str] = Field(default_factory=list)
    decided_by: UUID
    decided_at: datetime
    # The submission this decision answers (its ``submitted_at``): a decision on an older
    # round than the dataset's current one is stale.
    submitted_at: datetime | None = None


class DatasetOverdue(EventData):
    event_type = TYPE_PREFIX + "dataset.overdue.v1"
    topic = Topic.GOVERNANCE_SCHEDULES
    subject_field = "dataset_id"

    dataset_id: UUID
    institution_id: UUID
    frequency: str
    last_data_update: datetime | None
    due_at: datetime
    detected_at: datetime


# --- catalog: datasets ----------------------------------------------------------------------


class ResourceSummary(BaseModel):
    id: UUID
    title: LocalizedText | None = None
    # For an uploaded file of a dataset not yet public: a short-lived signed download URL
    # that only the holder of this event can use (the file stays private until publication).
    url: str
    format: str | None = None
    media_type: str | None = None
    size: int | None = None
    uploaded: bool = False
    sha256: str | None = None


class HarvestOrigin(BaseModel):
    """Where a harvested dataset comes from: the catalog's harvest source and the dataset's
    identifier (and address) there. ``trusted``: the source's datasets are approved by the
    source itself once no blocking check fails, without waiting for a reviewer."""

    source_id: UUID
    source_name: str
    original_id: str
    original_uri: str | None = None
    trusted: bool = False


class DatasetSubmitted(EventData):
    """A snapshot of everything governance needs to review the dataset without asking.

    ``harvest``: set when the catalog's harvester submitted it (a new dataset from a source, or
    a source's change to one), absent for a steward's submission."""

    event_type = TYPE_PREFIX + "dataset.submitted.v1"
    topic = Topic.CATALOG_DATASETS
    subject_field = "dataset_id"

    dataset_id: UUID
    slug: str
    institution_id: UUID
    submitted_by: UUID
    submitted_at: datetime
    title: LocalizedText
    description: LocalizedText | None = None
    tags: list[str] = Field(default_factory=list)
    themes: list[str] = Field(default_factory=list)
    license_id: str | None = None
    license_is_open: bool = False
    frequency: str | None = None
    contact_point: dict[str, str | None] | None = None
    temporal_start: date | None = None
    temporal_end: date | None = None
    spatial: list[str] = Field(default_factory=list)
    version: str | None = None
    resources: list[ResourceSummary] = Field(default_factory=list)
    harvest: HarvestOrigin | None = None


class DecisionNotApplied(EventData):
    """The catalog received a review decision it could not apply, and says why, so that
    governance never shows "approved" for a dataset that was not published."""

    event_type = TYPE_PREFIX + "dataset.decision_not_applied.v1"
    topic = Topic.CATALOG_DATASETS
    subject_field = "dataset_id"

    dataset_id: UUID
    review_id: UUID
    institution_id: UUID
    decision: Literal["approved", "rejected"]
    reason: Literal["unknown_dataset", "not_submitted", "stale_round", "other_institution"]
    detail: str
    dataset_state: str | None = None
    noticed_at: datetime


class DatasetPublished(EventData):
    event_type = TYPE_PREFIX + "dataset.published.v1"
    topic = Topic.CATALOG_DATASETS
    subject_field = "dataset_id"

    dataset_id: UUID
    slug: str
    institution_id: UUID
    title: LocalizedText
    themes: list[str] = Field(default_factory=list)
    license_id: str | None = None
    license_is_open: bool = False
    formats: list[str] = Field(default_factory=list)
    frequency: str | None = None
    published_at: datetime
    last_data_update: datetime | None = None


class DatasetUpdated(EventData):
    event_type = TYPE_PREFIX + "dataset.updated.v1"
    topic = Topic.CATALOG_DATASETS
    subject_field = "dataset_id"

    dataset_id: UUID
    slug: str
    institution_id: UUID
    frequency: str | None = None
    formats: list[str] = Field(default_factory=list)
    last_data_update: datetime
    updated_at: datetime


class DatasetWithdrawn(EventData):
    event_type = TYPE_PREFIX + "dataset.withdrawn.v1"
    topic = Topic.CATALOG_DATASETS
    subject_field = "dataset_id"

    dataset_id: UUID
    slug: str
    institution_id: UUID
    withdrawn_at: datetime
    reason: str | None = None


# --- reuse ----------------------------------------------------------------------------------

# What a reuse is (udata's types, plus "other").
ReuseType = Literal[
    "application",
    "visualization",
    "api",
    "article",
    "paper",
    "news",
    "idea",
    "connected_device",
    "other",
]


class ReuseDeclared(EventData):
    """A developer declared a reuse of published datasets: public at once, as "declared,
    unverified", until a national admin verifies or rejects it.

    v2: a multilingual title, the reuse's topic, and the institutions that publish the cited
    datasets (as the reuse service's replica of the catalog knows them), so that consumers
    need no lookup to count reuses by institution.
    """

    event_type = TYPE_PREFIX + "reuse.declared.v2"
    topic = Topic.REUSE_REUSES
    subject_field = "reuse_id"

    reuse_id: UUID
    title: LocalizedText
    reuse_type: ReuseType
    topic_name: str | None = None
    url: str
    dataset_ids: list[UUID]
    institution_ids: list[UUID] = Field(default_factory=list)
    developer_id: UUID
    organization: str | None = None  # the developer's organisation, as they name it
    declared_at: datetime


class ReuseUpdated(EventData):
    """A reuse changed what consumers keep of it: its title, type, topic or cited datasets.

    Carries the whole current list of datasets (and their institutions): applying it replaces
    what was known, so a replay or a redelivery leaves the same state.
    """

    event_type = TYPE_PREFIX + "reuse.updated.v1"
    topic = Topic.REUSE_REUSES
    subject_field = "reuse_id"

    reuse_id: UUID
    title: LocalizedText
    reuse_type: ReuseType
    topic_name: str | None = None
    url: str
    dataset_ids: list[UUID]
    institution_ids: list[UUID] = Field(default_factory=list)
    verified: bool = False
    updated_at: datetime


class ReuseVerified(EventData):
    event_type = TYPE_PREFIX + "reuse.verified.v1"
    topic = Topic.REUSE_REUSES
    subject_field = "reuse_id"

    reuse_id: UUID
    verified_by: UUID | None = None
    verified_at: datetime


class ReuseRemoved(EventData):
    """A reuse left the registry: deleted by its owner, or rejected by a national admin."""

    event_type = TYPE_PREFIX + "reuse.removed.v1"
    topic = Topic.REUSE_REUSES
    subject_field = "reuse_id"

    reuse_id: UUID
    dataset_ids: list[UUID]
    removed_at: datetime
    cause: Literal["deleted", "rejected"] = "deleted"
    reason: str | None = None


# --- metrics --------------------------------------------------------------------------------


class IndicatorChanged(EventData):
    event_type = TYPE_PREFIX + "indicator.changed.v1"
    topic = Topic.METRICS_INDICATORS
    subject_field = "indicator"

    indicator: str
    value: float
    previous_value: float | None = None
    target: float | None = None
    changed_at: datetime
