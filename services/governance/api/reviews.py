"""The review queue and the reviewers' actions."""

from __future__ import annotations

import uuid
from typing import Any

import anyio.from_thread
from fastapi import APIRouter, Depends, Request
from sqlmodel import Session

from libs.auth import CurrentPrincipal
from libs.db import get_session
from libs.http.pagination import Page, PageParams, page_params
from services.governance.api.deps import CurrentActor, Settings
from services.governance.api.schemas import HistoryEntryOut, ReviewDetail, ReviewSummary
from services.governance.domain import guide, reviews
from services.governance.domain.audit import utcnow
from services.governance.domain.checks_runner import Claim, execute
from services.governance.domain.common import aware
from services.governance.models import Review, ReviewState
from services.governance.settings import GovernanceSettings

router = APIRouter(prefix="/reviews", tags=["reviews"])


def summary(review: Review) -> dict[str, Any]:
    opened_at = aware(review.opened_at)
    assert opened_at is not None
    end = aware(review.decided_at) if review.state != ReviewState.OPEN else utcnow()
    return {
        "id": review.id,
        "dataset_id": review.dataset_id,
        "institution_id": review.institution_id,
        "slug": review.snapshot.get("slug"),
        "title": review.snapshot.get("title"),
        "state": review.state,
        "round": review.round,
        "submitted_by": review.submitted_by,
        "submitted_at": aware(review.submitted_at),
        "opened_at": opened_at,
        # Open: how long it has waited; decided: how long it took.
        "age_seconds": max(0, int(((end or utcnow()) - opened_at).total_seconds())),
        "checks_status": review.checks_status,
        "quality_score": review.quality_score,
        "decision": None if review.state == ReviewState.OPEN else str(review.state),
        "decided_at": aware(review.decided_at),
    }


def detail(session: Session, review: Review, settings: GovernanceSettings) -> ReviewDetail:
    content = guide.version(session, review.guide_version).content
    entries = reviews.history(session, review.id)
    return ReviewDetail(
        **summary(review),
        guide_version=review.guide_version,
        snapshot=review.snapshot,
        checklist=review.checklist,
        stages=reviews.stages(review, content, settings),
        quality_report=review.quality_report,
        blocking_failures=[c["name"] for c in reviews.failing_blocking_checks(review, settings)],
        decided_by=review.decided_by,
        reasons=review.reasons,
        history=[HistoryEntryOut.model_validate(e) for e in entries],
    )


@router.get("", response_model=Page[ReviewSummary])
def list_reviews(
    principal: CurrentPrincipal,
    state: ReviewState | None = None,
    institution_id: uuid.UUID | None = None,
    dataset_id: uuid.UUID | None = None,
    params: PageParams = Depends(page_params),
    session: Session = Depends(get_session),
) -> Page[Any]:
    """The queue: reviews of the institutions where the caller holds a role (all for admins).
    With ``state=open``, oldest first."""
    rows, total = reviews.listing(
        session,
        principal,
        state=state,
        institution_id=institution_id,
        dataset_id=dataset_id,
        offset=params.offset,
        limit=params.limit,
    )
    return Page.of([ReviewSummary(**summary(r)) for r in rows], total, params)


@router.get("/{review_id}", response_model=ReviewDetail)
def get_review(
    review_id: uuid.UUID,
    principal: CurrentPrincipal,
    settings: Settings,
    session: Session = Depends(get_session),
) -> ReviewDetail:
    """The review with its dataset snapshot, quality report, stages and history."""
    return detail(session, reviews.get_readable(session, principal, review_id), settings)


@router.get("/{review_id}/history", response_model=Page[HistoryEntryOut])
def review_history(
    review_id: uuid.UUID,
    principal: CurrentPrincipal,
    params: PageParams = Depends(page_params),
    session: Session = Depends(get_session),
) -> Page[Any]:
    reviews.get_readable(session, principal, review_id)
    entries, total = reviews.history_page(session, review_id, params.offset, params.limit)
    return Page.of([HistoryEntryOut.model_validate(e) for e in entries], total, params)


@router.get("/{review_id}/quality")
def review_quality(
    review_id: uuid.UUID, principal: CurrentPrincipal, session: Session = Depends(get_session)
) -> dict[str, Any]:
    review = reviews.get_readable(session, principal, review_id)
    return {
        "review_id": review.id,
        "checks_status": review.checks_status,
        "checks_completed_at": aware(review.checks_completed_at),
        "report": review.quality_report,
    }


@router.put("/{review_id}/checklist", response_model=ReviewDetail)
def answer_checklist(
    review_id: uuid.UUID,
    body: reviews.ChecklistAnswers,
    principal: CurrentPrincipal,
    actor: CurrentActor,
    settings: Settings,
    session: Session = Depends(get_session),
) -> ReviewDetail:
    """Answers items of the guide's checklist (yes, no, na), with an optional note."""
    review = reviews.answer_checklist(session, principal, actor, review_id, body)
    return detail(session, review, settings)


@router.post("/{review_id}/comments", status_code=201, response_model=HistoryEntryOut)
def add_comment(
    review_id: uuid.UUID,
    body: reviews.CommentInput,
    principal: CurrentPrincipal,
    actor: CurrentActor,
    session: Session = Depends(get_session),
) -> Any:
    return reviews.comment(session, principal, actor, review_id, body.body)


@router.post("/{review_id}/request-changes", response_model=ReviewDetail)
def request_changes(
    review_id: uuid.UUID,
    body: reviews.ChangeRequest,
    principal: CurrentPrincipal,
    actor: CurrentActor,
    settings: Settings,
    session: Session = Depends(get_session),
) -> ReviewDetail:
    """Returns the dataset to its steward with reasons (review decided: rejected)."""
    review = reviews.request_changes(session, principal, actor, review_id, body, settings)
    return detail(session, review, settings)


@router.post("/{review_id}/approve", response_model=ReviewDetail)
def approve(
    review_id: uuid.UUID,
    principal: CurrentPrincipal,
    actor: CurrentActor,
    settings: Settings,
    body: reviews.Approval | None = None,
    session: Session = Depends(get_session),
) -> ReviewDetail:
    """Approves the dataset for publication (review decided: approved)."""
    review = reviews.approve(
        session, principal, actor, review_id, body or reviews.Approval(), settings
    )
    return detail(session, review, settings)


@router.post("/{review_id}/checks", response_model=ReviewDetail)
def run_checks(
    review_id: uuid.UUID,
    request: Request,
    principal: CurrentPrincipal,
    actor: CurrentActor,
    settings: Settings,
    session: Session = Depends(get_session),
) -> ReviewDetail:
    """Runs the automatic checks again now and answers with the new report."""
    review, generation = reviews.request_checks(session, principal, actor, review_id)
    claim = Claim(review.id, generation, dict(review.snapshot))
    session.close()  # no transaction stays open while the resources are fetched
    engine = request.app.state.engine
    anyio.from_thread.run(execute, engine, settings, claim)
    with Session(engine, expire_on_commit=False) as fresh:
        return detail(fresh, reviews.get_readable(fresh, principal, review_id), settings)
