"""The review queue and the reviewers' actions."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Depends
from starlette.concurrency import run_in_threadpool

from libs.db import utcnow
from libs.http.openapi import problems
from libs.http.pagination import Page, PageParams, page_params
from libs.uow import UnitOfWork, UnitOfWorkDep, UnitOfWorkFactory
from services.governance.api.deps import CurrentActor, Runner, Settings, Units
from services.governance.api.schemas import HistoryEntryOut, ReviewDetail, ReviewSummary
from services.governance.domain import guide, reviews
from services.governance.domain.audit import Actor
from services.governance.models import Review, ReviewState
from services.governance.settings import GovernanceSettings

router = APIRouter(prefix="/reviews", tags=["reviews"])
NOT_OPEN = "The review is not open (it reopens when the dataset is submitted again)"


def summary(review: Review) -> dict[str, Any]:
    # Open: how long it has waited; decided: how long it took.
    end = review.decided_at if review.state != ReviewState.OPEN else None
    return {
        "id": review.id,
        "dataset_id": review.dataset_id,
        "institution_id": review.institution_id,
        "slug": review.snapshot.get("slug"),
        "title": review.snapshot.get("title"),
        "state": review.state,
        "round": review.round,
        "submitted_by": review.submitted_by,
        "submitted_at": review.submitted_at,
        "opened_at": review.opened_at,
        "age_seconds": max(0, int(((end or utcnow()) - review.opened_at).total_seconds())),
        "checks_status": review.checks_status,
        "quality_score": review.quality_score,
        "decision": None if review.state == ReviewState.OPEN else str(review.state),
        "decided_at": review.decided_at,
        "publication": review.publication,
    }


def detail(uow: UnitOfWork, review: Review, settings: GovernanceSettings) -> ReviewDetail:
    content = guide.get_version(uow, review.guide_version).content
    entries = reviews.history(uow, review.id)
    return ReviewDetail(
        **summary(review),
        guide_version=review.guide_version,
        snapshot=review.snapshot,
        checklist=review.checklist,
        stages=reviews.stages(review, content, settings.blocking_checks),
        quality_report=review.quality_report,
        blocking_failures=[
            c["name"] for c in reviews.failing_blocking_checks(review, settings.blocking_checks)
        ],
        decided_by=review.decided_by,
        reasons=review.reasons,
        history=[HistoryEntryOut.model_validate(e) for e in entries],
    )


def committed_detail(uow: UnitOfWork, review: Review, settings: GovernanceSettings) -> ReviewDetail:
    """The review's detail after a change, rendered, then the change committed."""
    out = detail(uow, review, settings)
    uow.commit()
    return out


@router.get("", response_model=Page[ReviewSummary], responses=problems(403))
def list_reviews(
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    state: ReviewState | None = None,
    institution_id: uuid.UUID | None = None,
    dataset_id: uuid.UUID | None = None,
    params: PageParams = Depends(page_params),
) -> Page[ReviewSummary]:
    """The queue: reviews of the institutions where the caller holds a role (all for admins).
    With ``state=open``, oldest first."""
    page = reviews.list_reviews(
        uow,
        actor,
        state=state,
        institution_id=institution_id,
        dataset_id=dataset_id,
        params=params,
    )
    return page.map(lambda review: ReviewSummary(**summary(review)))


@router.get("/{review_id}", response_model=ReviewDetail, responses=problems(403, 404))
def get_review(
    review_id: uuid.UUID, actor: CurrentActor, settings: Settings, uow: UnitOfWorkDep
) -> ReviewDetail:
    """The review with its dataset snapshot, quality report, stages and history."""
    return detail(uow, reviews.get_review(uow, actor, review_id), settings)


@router.get(
    "/{review_id}/history", response_model=Page[HistoryEntryOut], responses=problems(403, 404)
)
def review_history(
    review_id: uuid.UUID,
    actor: CurrentActor,
    uow: UnitOfWorkDep,
    params: PageParams = Depends(page_params),
) -> Page[HistoryEntryOut]:
    reviews.get_review(uow, actor, review_id)
    return reviews.history_page(uow, review_id, params).map(HistoryEntryOut.model_validate)


@router.get("/{review_id}/quality", responses=problems(403, 404))
def review_quality(review_id: uuid.UUID, actor: CurrentActor, uow: UnitOfWorkDep) -> dict[str, Any]:
    review = reviews.get_review(uow, actor, review_id)
    return {
        "review_id": review.id,
        "checks_status": review.checks_status,
        "checks_completed_at": review.checks_completed_at,
        "report": review.quality_report,
    }


@router.put(
    "/{review_id}/checklist",
    response_model=ReviewDetail,
    responses=problems(403, 404, s409=NOT_OPEN),
)
def answer_checklist(
    review_id: uuid.UUID,
    body: reviews.ChecklistAnswers,
    actor: CurrentActor,
    settings: Settings,
    uow: UnitOfWorkDep,
) -> ReviewDetail:
    """Answers items of the guide's checklist (yes, no, na), with an optional note."""
    review = reviews.answer_checklist(uow, actor, review_id=review_id, answers=body.answers)
    return committed_detail(uow, review, settings)


@router.post(
    "/{review_id}/comments",
    status_code=201,
    response_model=HistoryEntryOut,
    responses=problems(403, 404, s409="The round already has the most comments it takes"),
)
def add_comment(
    review_id: uuid.UUID, body: reviews.CommentInput, actor: CurrentActor, uow: UnitOfWorkDep
) -> HistoryEntryOut:
    entry = reviews.add_comment(uow, actor, review_id=review_id, text=body.body)
    out = HistoryEntryOut.model_validate(entry)
    uow.commit()
    return out


@router.post(
    "/{review_id}/request-changes",
    response_model=ReviewDetail,
    responses=problems(403, 404, s409=NOT_OPEN),
)
def request_changes(
    review_id: uuid.UUID,
    body: reviews.ChangeRequest,
    actor: CurrentActor,
    settings: Settings,
    uow: UnitOfWorkDep,
) -> ReviewDetail:
    """Returns the dataset to its steward with reasons (review decided: rejected)."""
    review = reviews.request_changes(
        uow,
        actor,
        review_id=review_id,
        reasons=body.reasons,
        include_failed_checks=body.include_failed_checks,
        blocking_checks=settings.blocking_checks,
    )
    return committed_detail(uow, review, settings)


@router.post(
    "/{review_id}/approve",
    response_model=ReviewDetail,
    responses=problems(
        403,
        404,
        s409="Not open, checks pending or failed, blocking checks failed, checklist incomplete",
    ),
)
def approve(
    review_id: uuid.UUID,
    actor: CurrentActor,
    settings: Settings,
    uow: UnitOfWorkDep,
    body: reviews.Approval | None = None,
) -> ReviewDetail:
    """Approves the dataset for publication (review decided: approved)."""
    review = reviews.approve_review(
        uow,
        actor,
        review_id=review_id,
        comment=body.comment if body else None,
        blocking_checks=settings.blocking_checks,
    )
    return committed_detail(uow, review, settings)


@router.post(
    "/{review_id}/checks",
    response_model=ReviewDetail,
    responses=problems(403, 404, s409=NOT_OPEN),
)
async def run_checks(
    review_id: uuid.UUID,
    actor: CurrentActor,
    settings: Settings,
    uow: UnitOfWorkDep,
    units: Units,
    runner: Runner,
) -> ReviewDetail:
    """Runs the automatic checks again now and answers with the new report."""

    def claim() -> reviews.Claim:
        claimed = reviews.request_checks(
            uow, actor, review_id=review_id, lease=settings.checks_lease_seconds
        )
        uow.commit()
        return claimed

    # The run is claimed and committed first: no transaction stays open while the resources
    # are fetched, and the report is stored in the runner's own unit.
    await runner.execute(units, await run_in_threadpool(claim))
    return await run_in_threadpool(_read_review, units, actor, review_id, settings)


def _read_review(
    units: UnitOfWorkFactory, actor: Actor, review_id: uuid.UUID, settings: GovernanceSettings
) -> ReviewDetail:
    with units() as fresh:
        return detail(fresh, reviews.get_review(fresh, actor, review_id), settings)
