"""Response bodies of the governance API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict

from services.governance.domain.common import aware

# SQLite hands back naive datetimes for timezone-aware columns: they are UTC.
Moment = Annotated[datetime, AfterValidator(aware)]


class Out(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class InstitutionOut(Out):
    id: uuid.UUID
    slug: str
    name: dict[str, str]
    acronym: str | None
    kind: str
    website: str | None
    logo_url: str | None
    status: str
    enrolled_on: date | None
    commitment_reference: str | None
    withdrawn_on: date | None
    withdrawal_reason: str | None
    created_at: Moment
    modified_at: Moment


class RoleOut(Out):
    institution_id: uuid.UUID
    role: str
    granted_at: Moment | None = None


class AccountOut(Out):
    id: uuid.UUID
    email: str
    display_name: str
    is_admin: bool
    active: bool
    roles: list[RoleOut] = []
    created_at: Moment
    last_login_at: Moment | None


class MemberOut(BaseModel):
    account_id: uuid.UUID
    email: str
    display_name: str
    active: bool
    roles: list[str]


class TokenResponse(BaseModel):
    access_token: str
    token_type: str = "bearer"
    expires_in: int
    refresh_token: str
    refresh_expires_in: int
    account: AccountOut


class HistoryEntryOut(Out):
    id: int
    round: int
    kind: str
    at: Moment
    actor_id: uuid.UUID | None
    actor_name: str | None
    body: dict[str, Any] | None


class ReviewSummary(BaseModel):
    id: uuid.UUID
    dataset_id: uuid.UUID
    institution_id: uuid.UUID
    slug: str | None
    title: dict[str, Any] | None
    state: str
    round: int
    submitted_by: uuid.UUID
    submitted_at: Moment
    opened_at: Moment
    age_seconds: int
    checks_status: str
    quality_score: int | None
    decision: str | None
    decided_at: Moment | None


class ReviewDetail(ReviewSummary):
    guide_version: int
    snapshot: dict[str, Any]
    checklist: dict[str, Any]
    stages: list[dict[str, Any]]
    quality_report: dict[str, Any] | None
    blocking_failures: list[str]
    decided_by: uuid.UUID | None
    reasons: list[str] | None
    history: list[HistoryEntryOut]


class GuideVersionSummary(Out):
    version: int
    note: str | None
    created_at: Moment
    created_by: uuid.UUID | None


class GuideOut(GuideVersionSummary):
    content: dict[str, Any]
    automatic_checks: dict[str, list[str]]


class AuditEntryOut(Out):
    id: int
    at: Moment
    actor_id: uuid.UUID | None
    actor_name: str | None
    action: str
    target_type: str
    target_id: str | None
    institution_id: uuid.UUID | None
    ip: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


class ScheduleOut(BaseModel):
    dataset_id: uuid.UUID
    institution_id: uuid.UUID
    slug: str
    title: dict[str, Any] | None
    state: str
    frequency: str | None
    published_at: Moment | None
    last_data_update: Moment | None
    due_at: Moment | None
    overdue: bool
    overdue_since: Moment | None


class OverdueOut(BaseModel):
    dataset_id: uuid.UUID
    slug: str
    title: dict[str, Any] | None
    frequency: str | None
    last_data_update: Moment | None
    due_at: Moment
    overdue_days: int
    alerted: bool


class OverdueCheckOut(BaseModel):
    flagged: list[dict[str, Any]]
    count: int
