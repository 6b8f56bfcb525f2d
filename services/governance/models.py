"""Tables of the governance service, on its own metadata so that its migrations own them.

Multilingual text is a JSON object ``{"ar": ..., "fr": ..., "en": ...}``. Datasets are known
only from the catalog's events: a review keeps the submitted snapshot, and ``tracked_dataset``
keeps what update continuity and the dashboards need.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, ForeignKey, Index, Integer, String
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel, col

from libs.db import utc_timestamp
from libs.events.schemas import InstitutionKind
from libs.messaging.tables import messaging_tables


class GovernanceTable(SQLModel, registry=registry()):
    """Base of every governance table."""


metadata = GovernanceTable.metadata
messaging = messaging_tables(metadata)

# SQLite only auto-increments an INTEGER PRIMARY KEY.
_BIG_ID = BigInteger().with_variant(Integer(), "sqlite")


def _json(nullable: bool = False) -> Any:
    return Field(default=None, sa_column=Column(JSON, nullable=nullable))


# --- institutions and accounts ---------------------------------------------------------------


class InstitutionStatus(StrEnum):
    REGISTERED = "registered"  # known, not (yet) enrolled in the strategy
    ENROLLED = "enrolled"
    WITHDRAWN = "withdrawn"


class Institution(GovernanceTable, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    slug: str = Field(max_length=100, unique=True, index=True)
    name: dict[str, str] = _json()
    acronym: str | None = Field(default=None, max_length=32)
    kind: InstitutionKind = Field(default="other", sa_type=String(32))
    website: str | None = Field(default=None, max_length=500)
    logo_url: str | None = Field(default=None, max_length=500)
    status: InstitutionStatus = Field(
        default=InstitutionStatus.REGISTERED, sa_type=String(16), index=True
    )
    enrolled_on: date | None = None
    commitment_reference: str | None = Field(default=None, max_length=200)
    withdrawn_on: date | None = None
    withdrawal_reason: str | None = Field(default=None, max_length=2000)
    created_at: datetime = utc_timestamp(nullable=False)
    modified_at: datetime = utc_timestamp(nullable=False)


class Account(GovernanceTable, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    email: str = Field(max_length=320, unique=True, index=True)  # stored lower-cased
    display_name: str = Field(max_length=200)
    password_hash: str = Field(max_length=255)
    is_admin: bool = Field(default=False)
    active: bool = Field(default=True)
    created_at: datetime = utc_timestamp(nullable=False)
    modified_at: datetime = utc_timestamp(nullable=False)
    last_login_at: datetime | None = utc_timestamp()
    password_changed_at: datetime | None = utc_timestamp()


class InstitutionRole(StrEnum):
    STEWARD = "steward"
    REVIEWER = "reviewer"
    VIEWER = "viewer"


class RoleAssignment(GovernanceTable, table=True):
    """One role of one account in one institution; an account may hold several."""

    __tablename__ = "role_assignment"

    account_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("account.id", ondelete="CASCADE"), primary_key=True)
    )
    institution_id: uuid.UUID = Field(
        sa_column=Column(
            ForeignKey("institution.id", ondelete="CASCADE"), primary_key=True, index=True
        )
    )
    role: InstitutionRole = Field(sa_type=String(16), primary_key=True)
    granted_at: datetime = utc_timestamp(nullable=False)
    granted_by: uuid.UUID | None = None


class RefreshToken(GovernanceTable, table=True):
    """An opaque refresh token, stored as its SHA-256 digest; rotated on every use.

    Tokens descending from one login share a ``family_id``: presenting a token that was
    already rotated (a stolen copy) revokes the whole family.
    """

    __tablename__ = "refresh_token"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    account_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("account.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    family_id: uuid.UUID = Field(index=True)
    issued_at: datetime = utc_timestamp(nullable=False)
    expires_at: datetime = utc_timestamp(nullable=False)
    used_at: datetime | None = utc_timestamp()
    revoked_at: datetime | None = utc_timestamp()


class LoginAttempt(GovernanceTable, table=True):
    """Failed logins, the shared memory of the login rate limit."""

    __tablename__ = "login_attempt"

    id: int | None = Field(default=None, sa_column=Column(_BIG_ID, primary_key=True))
    email: str = Field(max_length=320, index=True)
    ip: str = Field(max_length=64, index=True)
    attempted_at: datetime = utc_timestamp(nullable=False, index=True)


class AuditEntry(GovernanceTable, table=True):
    """Who did what, when, with the state before and after."""

    __tablename__ = "audit_entry"

    id: int | None = Field(default=None, sa_column=Column(_BIG_ID, primary_key=True))
    at: datetime = utc_timestamp(nullable=False, index=True)
    actor_id: uuid.UUID | None = Field(default=None, index=True)  # None: the system
    actor_name: str | None = Field(default=None, max_length=320)
    action: str = Field(max_length=64, index=True)
    target_type: str = Field(max_length=32, index=True)
    target_id: str | None = Field(default=None, max_length=64, index=True)
    institution_id: uuid.UUID | None = Field(default=None, index=True)
    ip: str | None = Field(default=None, max_length=64)
    before: dict[str, Any] | None = _json(nullable=True)
    after: dict[str, Any] | None = _json(nullable=True)


# --- procedures guide ------------------------------------------------------------------------


class GuideVersion(GovernanceTable, table=True):
    """One version of the procedures guide; an edit adds a version, none is ever changed."""

    __tablename__ = "guide_version"

    version: int = Field(primary_key=True)
    content: dict[str, Any] = _json()
    note: str | None = Field(default=None, max_length=2000)
    created_at: datetime = utc_timestamp(nullable=False)
    created_by: uuid.UUID | None = None


# --- reviews ---------------------------------------------------------------------------------


class ReviewState(StrEnum):
    OPEN = "open"
    APPROVED = "approved"
    REJECTED = "rejected"  # changes requested


class ChecksStatus(StrEnum):
    PENDING = "pending"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Review(GovernanceTable, table=True):
    """The review of one dataset; a re-submission reopens it (a new round), history kept."""

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    dataset_id: uuid.UUID = Field(unique=True, index=True)
    institution_id: uuid.UUID = Field(index=True)
    state: ReviewState = Field(default=ReviewState.OPEN, sa_type=String(16), index=True)
    round: int = Field(default=1)
    snapshot: dict[str, Any] = _json()
    submitted_by: uuid.UUID
    submitted_at: datetime = utc_timestamp(nullable=False)
    opened_at: datetime = utc_timestamp(nullable=False)
    guide_version: int
    # {item_id: {"answer": "yes"|"no"|"na", "note": ..., "by": ..., "at": ...}} of this round.
    checklist: dict[str, Any] = _json()
    checks_status: ChecksStatus = Field(default=ChecksStatus.PENDING, sa_type=String(16))
    # Bumped on every request for checks; a run only stores its result if still current.
    checks_generation: int = Field(default=1)
    checks_requested_at: datetime | None = utc_timestamp()
    checks_started_at: datetime | None = utc_timestamp()
    # While running: until when the process that claimed the run holds it. The runner renews
    # it every few seconds; once it has passed (the process died), another process takes it.
    checks_lease_expires_at: datetime | None = utc_timestamp()
    checks_completed_at: datetime | None = utc_timestamp()
    quality_report: dict[str, Any] | None = _json(nullable=True)
    quality_score: int | None = None
    # ReviewOpened waits for the first check results of a round so that it carries the score.
    announce_pending: bool = Field(default=True)
    # The decision itself is the state: approved, or rejected (changes requested).
    decided_by: uuid.UUID | None = None
    decided_at: datetime | None = utc_timestamp()
    reasons: list[str] | None = _json(nullable=True)
    # What the catalog said of the decision when it could not apply it: {"applied": false,
    # "reason", "detail", "decision", "dataset_state", "at"}; None until it says so.
    publication: dict[str, Any] | None = _json(nullable=True)
    modified_at: datetime = utc_timestamp(nullable=False)


Index("ix_review_checks_pending", col(Review.checks_status), col(Review.checks_requested_at))
Index("ix_review_institution_state", col(Review.institution_id), col(Review.state))


class ReviewEvent(GovernanceTable, table=True):
    """The history of a review: every opening, check run, answer, comment and decision."""

    __tablename__ = "review_event"

    id: int | None = Field(default=None, sa_column=Column(_BIG_ID, primary_key=True))
    review_id: uuid.UUID = Field(
        sa_column=Column(ForeignKey("review.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    round: int
    kind: str = Field(max_length=32)
    at: datetime = utc_timestamp(nullable=False)
    actor_id: uuid.UUID | None = None
    actor_name: str | None = Field(default=None, max_length=320)
    body: dict[str, Any] | None = _json(nullable=True)


# --- update continuity -----------------------------------------------------------------------


class TrackedDataset(GovernanceTable, table=True):
    """What governance knows of a dataset from the catalog's events."""

    __tablename__ = "tracked_dataset"

    dataset_id: uuid.UUID = Field(primary_key=True)
    institution_id: uuid.UUID = Field(index=True)
    slug: str = Field(max_length=100)
    title: dict[str, Any] | None = _json(nullable=True)
    # draft (changes requested) | submitted | published | withdrawn
    state: str = Field(max_length=16, index=True)
    frequency: str | None = Field(default=None, max_length=32)
    published_at: datetime | None = utc_timestamp()
    last_data_update: datetime | None = utc_timestamp()
    # Only published datasets are watched for updates; withdrawal stops it.
    tracking: bool = Field(default=False, index=True)
    # The due date of the last overdue alert sent: one DatasetOverdue per missed period.
    overdue_alerted_due_at: datetime | None = utc_timestamp()
    overdue_since: datetime | None = utc_timestamp()
    modified_at: datetime = utc_timestamp(nullable=False)
