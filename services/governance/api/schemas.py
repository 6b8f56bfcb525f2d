"""Response bodies of the governance API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


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
    created_at: datetime
    modified_at: datetime


class RoleOut(Out):
    institution_id: uuid.UUID
    role: str
    granted_at: datetime | None = None


class AccountOut(Out):
    id: uuid.UUID
    email: str
    display_name: str
    is_admin: bool
    active: bool
    roles: list[RoleOut] = []
    created_at: datetime
    last_login_at: datetime | None


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
    at: datetime
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
    submitted_at: datetime
    opened_at: datetime
    age_seconds: int
    checks_status: str
    quality_score: int | None
    decision: str | None
    decided_at: datetime | None
    # Set when the catalog could not apply the decision: {"applied": false, "reason",
    # "detail", "decision", "dataset_state", "at"}.
    publication: dict[str, Any] | None = None


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
    created_at: datetime
    created_by: uuid.UUID | None


class GuideOut(GuideVersionSummary):
    content: dict[str, Any]
    automatic_checks: dict[str, list[str]]


class AuditEntryOut(Out):
    id: int
    at: datetime
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
    published_at: datetime | None
    last_data_update: datetime | None
    due_at: datetime | None
    overdue: bool
    overdue_since: datetime | None


class OverdueOut(BaseModel):
    dataset_id: uuid.UUID
    slug: str
    title: dict[str, Any] | None
    frequency: str | None
    last_data_update: datetime | None
    due_at: datetime
    overdue_days: int
    alerted: bool


class OverdueCheckOut(BaseModel):
    flagged: list[dict[str, Any]]
    count: int
