"""The pre-publication review: selection → collection → classification → validation → decision.

A ``DatasetSubmitted`` event opens the review of the dataset (or reopens it for a new round,
keeping its history) with the snapshot it carries, and asks for the automatic checks; the
checks runner stores their report and then announces ``ReviewOpened`` with the score. The
reviewers of the dataset's institution, and the national admins, answer the guide's checklist,
comment, request changes (``ReviewDecided`` rejected, with reasons) or approve (``ReviewDecided``
approved). Approval needs the blocking checks passed and the required checklist items answered
"yes", and is never made by the person who submitted the dataset (access.py).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, func, or_, select
from sqlmodel.sql.expression import SelectOfScalar

from libs.db import utcnow
from libs.events.schemas import (
    DatasetSubmitted,
    DecisionNotApplied,
    ReviewDecided,
    ReviewOpened,
)
from libs.fields import SLUG_PATTERN, Text
from libs.http.pagination import Page, PageParams, paginate
from libs.http.problems import Conflict, InvalidInput
from libs.uow import UnitOfWork
from services.governance.domain import access, audit, continuity, guide
from services.governance.domain.audit import SYSTEM, Actor
from services.governance.domain.common import get_or_404, lock
from services.governance.domain.quality import checks_of_stage
from services.governance.models import ChecksStatus, Review, ReviewEvent, ReviewState

log = logging.getLogger("bayanat.governance.reviews")

Decision = Literal["approved", "rejected"]


# --- inputs -------------------------------------------------------------------------------------

# The bounds of what reviewers write (the governance README gives the event sizes they imply).
# A decision's reasons travel in ReviewDecided: a steward reads them as a list of things to fix,
# a paragraph each.
MAX_REASONS = 20
REASON_MAX = 2_000
# A comment is a message in a conversation, not a document; a round of review that needs more
# than this many has become something else.
COMMENT_MAX = 4_000
MAX_COMMENTS_PER_ROUND = 100
NOTE_MAX = 2_000
# As many answers as a guide's checklist may hold items (guide.py).
MAX_ANSWERS = 100

Reason = Annotated[Text, Field(min_length=1, max_length=REASON_MAX)]


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    item_id: str = Field(min_length=2, max_length=64, pattern=SLUG_PATTERN)
    answer: Literal["yes", "no", "na"]
    note: Annotated[Text, Field(max_length=NOTE_MAX)] | None = None


class ChecklistAnswers(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: list[Answer] = Field(min_length=1, max_length=MAX_ANSWERS)


class CommentInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    body: Annotated[Text, Field(min_length=1, max_length=COMMENT_MAX)]


class ChangeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reasons: list[Reason] = Field(min_length=1, max_length=MAX_REASONS)
    # Adds one reason per failing blocking check, so the steward sees what to fix.
    include_failed_checks: bool = True


class Approval(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    comment: Annotated[Text, Field(max_length=REASON_MAX)] | None = None


# --- history ------------------------------------------------------------------------------------


def _add_history(
    uow: UnitOfWork,
    review: Review,
    kind: str,
    actor: Actor,
    body: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> ReviewEvent:
    entry = ReviewEvent(
        review_id=review.id,
        round=review.round,
        kind=kind,
        at=at or utcnow(),
        actor_id=actor.id,
        actor_name=actor.name,
        body=body,
    )
    uow.session.add(entry)
    return entry


def _history_of(review_id: uuid.UUID) -> SelectOfScalar[ReviewEvent]:
    return (
        select(ReviewEvent)
        .where(col(ReviewEvent.review_id) == review_id)
        .order_by(col(ReviewEvent.id))
    )


def history(uow: UnitOfWork, review_id: uuid.UUID) -> list[ReviewEvent]:
    """The whole history of a review, oldest first."""
    return list(uow.session.exec(_history_of(review_id)).all())


def history_page(uow: UnitOfWork, review_id: uuid.UUID, params: PageParams) -> Page[ReviewEvent]:
    return paginate(uow.session, _history_of(review_id), params)


def _audit(
    uow: UnitOfWork,
    actor: Actor,
    review: Review,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> None:
    audit.record_action(
        uow,
        actor,
        action=action,
        target_type="review",
        target_id=review.id,
        institution_id=review.institution_id,
        before=before,
        after=after,
    )


# --- opening (from the catalog's events) --------------------------------------------------------


def apply_submission(uow: UnitOfWork, data: DatasetSubmitted) -> Review | None:
    """Opens the dataset's review, or reopens it for a new round; None when the submission is
    not newer than the one the review has (a redelivery, or overtaken by a later one)."""
    session = uow.session
    review = session.exec(
        select(Review).where(col(Review.dataset_id) == data.dataset_id).with_for_update()
    ).first()
    if review is not None and data.submitted_at <= review.submitted_at:
        log.info("stale submission ignored", extra={"dataset_id": str(data.dataset_id)})
        return None
    continuity.apply_submission(uow, data)
    now = utcnow()
    guide_version = guide.current(uow).version
    snapshot = data.model_dump(mode="json")
    if review is None:
        review = Review(
            dataset_id=data.dataset_id,
            institution_id=data.institution_id,
            submitted_by=data.submitted_by,
            guide_version=guide_version,
        )
        _start_round(review, data, snapshot, guide_version, now)
        session.add(review)
        session.flush()
        kind = "opened"
    else:
        review.round += 1
        review.checks_generation += 1
        _start_round(review, data, snapshot, guide_version, now)
        kind = "reopened"
    _add_history(
        uow,
        review,
        kind,
        Actor(id=data.submitted_by, name="submitter"),
        {"submitted_at": data.submitted_at.isoformat(), "guide_version": review.guide_version},
        at=now,
    )
    _audit(
        uow,
        SYSTEM,
        review,
        f"review.{'open' if kind == 'opened' else 'reopen'}",
        after={"dataset_id": str(data.dataset_id), "round": review.round},
    )
    return review


def _start_round(
    review: Review,
    data: DatasetSubmitted,
    snapshot: dict[str, Any],
    guide_version: int,
    now: datetime,
) -> None:
    """A round starts afresh: the new snapshot, no answers, no decision, checks pending."""
    review.institution_id = data.institution_id
    review.state = ReviewState.OPEN
    review.snapshot = snapshot
    review.submitted_by = data.submitted_by
    review.submitted_at = data.submitted_at
    review.opened_at = now
    review.guide_version = guide_version
    review.checklist = {}
    review.decided_by = review.decided_at = review.reasons = review.publication = None
    review.quality_report = None
    review.quality_score = None
    review.checks_status = ChecksStatus.PENDING
    review.checks_requested_at = now
    review.checks_started_at = review.checks_completed_at = review.checks_lease_expires_at = None
    review.announce_pending = True
    review.modified_at = now


# --- the automatic checks -----------------------------------------------------------------------


@dataclass(frozen=True)
class Claim:
    """A run of the checks, claimed: the snapshot to check and the generation it is for."""

    review_id: uuid.UUID
    generation: int
    snapshot: dict[str, Any]

    @classmethod
    def of(cls, review: Review) -> Claim:
        return cls(review.id, review.checks_generation, dict(review.snapshot))


def _hold(review: Review, *, lease: float, now: datetime) -> Claim:
    """The run is this caller's, for ``lease`` seconds unless renewed; a new generation, so
    that whoever held it before can neither store a result nor renew it."""
    review.checks_generation += 1
    review.checks_status = ChecksStatus.RUNNING
    review.checks_started_at = now
    review.checks_lease_expires_at = now + timedelta(seconds=lease)
    return Claim.of(review)


def claim_checks(uow: UnitOfWork, *, lease: float, now: datetime) -> Claim | None:
    """Claims the oldest review waiting for its checks, or one whose run's lease has expired
    (the process that claimed it died, or stopped renewing it). ``FOR UPDATE SKIP LOCKED``
    lets several replicas share the work on PostgreSQL."""
    review = uow.session.exec(
        select(Review)
        .where(
            or_(
                col(Review.checks_status) == ChecksStatus.PENDING,
                (col(Review.checks_status) == ChecksStatus.RUNNING)
                & (col(Review.checks_lease_expires_at) < now),
            )
        )
        .order_by(col(Review.checks_requested_at))
        .limit(1)
        .with_for_update(skip_locked=True)
    ).first()
    if review is None:
        return None
    return _hold(review, lease=lease, now=now)


def renew_checks_lease(uow: UnitOfWork, claim: Claim, *, lease: float, now: datetime) -> bool:
    """The claim's holder is alive: its lease now ends ``lease`` seconds from ``now``. False
    when the run is no longer the claim's (taken over, superseded or finished): stop."""
    review = uow.session.get(Review, claim.review_id, with_for_update=True)
    if (
        review is None
        or review.checks_generation != claim.generation
        or review.checks_status != ChecksStatus.RUNNING
    ):
        return False
    review.checks_lease_expires_at = now + timedelta(seconds=lease)
    return True


def request_checks(uow: UnitOfWork, actor: Actor, *, review_id: uuid.UUID, lease: float) -> Claim:
    """A reviewer asks for the checks again: the run is claimed for the caller, which runs it
    once this unit is committed (``ChecksRunner.execute``)."""
    review = _open_for_action(uow, actor, review_id, "checks run on open reviews only")
    now = utcnow()
    claim = _hold(review, lease=lease, now=now)
    review.checks_requested_at = now
    review.modified_at = now
    _add_history(uow, review, "checks_requested", actor, at=now)
    _audit(uow, actor, review, "review.checks", after={"generation": review.checks_generation})
    return claim


def record_checks(
    uow: UnitOfWork,
    *,
    claim: Claim,
    report: dict[str, Any] | None,
    error: str | None = None,
) -> Review | None:
    """Stores a run's report (or why it could not run) if the run is still the current one;
    the first report of a round announces the review (``ReviewOpened``, with the score)."""
    review = uow.session.get(Review, claim.review_id, with_for_update=True)
    if review is None or review.checks_generation != claim.generation:
        return None  # a newer submission or request superseded this run
    now = utcnow()
    review.quality_report = report if report is not None else {"error": error}
    review.quality_score = report["score"] if report is not None else None
    review.checks_status = ChecksStatus.DONE if report is not None else ChecksStatus.FAILED
    review.checks_completed_at = now
    review.checks_lease_expires_at = None
    review.modified_at = now
    _add_history(
        uow,
        review,
        "checks_completed" if report is not None else "checks_failed",
        SYSTEM,
        {
            "score": review.quality_score,
            "passed": report["passed"] if report else False,
            "blocking_failures": report["blocking_failures"] if report else [],
            "error": error,
        },
        at=now,
    )
    if review.announce_pending:
        review.announce_pending = False
        uow.publish(
            ReviewOpened(
                review_id=review.id,
                dataset_id=review.dataset_id,
                institution_id=review.institution_id,
                opened_at=review.opened_at,
                quality_score=review.quality_score,
                reopened=review.round > 1,
            )
        )
    if report is not None and report["passed"] and review.state == ReviewState.OPEN:
        approve_for_trusted_source(uow, review)
    return review


def trusted_source(review: Review) -> Actor | None:
    """The harvest source that submitted the round, when it is a trusted one (the catalog's
    harvester says so in the submission, ``harvest``); None otherwise."""
    origin = (review.snapshot or {}).get("harvest")
    if not isinstance(origin, dict) or origin.get("trusted") is not True:
        return None
    try:
        source_id = uuid.UUID(str(origin["source_id"]))
    except (KeyError, ValueError):
        return None
    return Actor(id=source_id, name=f"harvest source {origin.get('source_name') or source_id}")


def approve_for_trusted_source(uow: UnitOfWork, review: Review) -> bool:
    """A trusted source's dataset whose blocking checks all passed is approved by the source
    itself, in the unit that stores the report: a decision like a reviewer's (history, audit,
    ``ReviewDecided``), made by the source's id, with no checklist to answer. True when it
    was approved."""
    source = trusted_source(review)
    if source is None:
        return False
    reason = f"approved by {source.name}: a trusted source, and no blocking check failed"
    _decide(uow, review, source, "approved", [reason])
    return True


def failing_blocking_checks(
    review: Review, blocking_checks: Collection[str]
) -> list[dict[str, Any]]:
    report = review.quality_report or {}
    return [
        check
        for check in report.get("checks", [])
        if check["name"] in blocking_checks and not check["passed"]
    ]


# --- reviewers' actions -------------------------------------------------------------------------


REOPENS = "it reopens when the dataset is submitted again"


def _require_open(review: Review, hint: str = REOPENS) -> None:
    if review.state != ReviewState.OPEN:
        raise Conflict(f"the review is {review.state}; {hint}", code="review-not-open")


def _open_for_action(
    uow: UnitOfWork, actor: Actor, review_id: uuid.UUID, hint: str = REOPENS
) -> Review:
    review = lock(uow.session, Review, review_id, "review")
    access.require_review_actor(actor, review)
    _require_open(review, hint)
    return review


def _checklist_items(uow: UnitOfWork, review: Review) -> dict[str, dict[str, Any]]:
    """The checklist of the guide version the review follows."""
    return guide.checklist_items(guide.get_version(uow, review.guide_version).content)


def answer_checklist(
    uow: UnitOfWork, actor: Actor, *, review_id: uuid.UUID, answers: list[Answer]
) -> Review:
    review = _open_for_action(uow, actor, review_id)
    items = _checklist_items(uow, review)
    for index, answer in enumerate(answers):
        if answer.item_id not in items:
            raise InvalidInput(
                f"answers.{index}.item_id",
                f"{answer.item_id!r} is not an item of guide version {review.guide_version}",
            )
    before = dict(review.checklist)
    now = utcnow()
    checklist = dict(review.checklist)
    for answer in answers:
        checklist[answer.item_id] = {
            "answer": answer.answer,
            "note": answer.note,
            "by": str(actor.id),
            "by_name": actor.name,
            "at": now.isoformat(),
        }
    review.checklist = checklist  # a new dict, so that the JSON column is seen as changed
    review.modified_at = now
    answered = [a.model_dump() for a in answers]
    _add_history(uow, review, "checklist_answered", actor, {"answers": answered}, at=now)
    _audit(
        uow,
        actor,
        review,
        "review.checklist",
        before={"checklist": before},
        after={"checklist": checklist},
    )
    return review


def add_comment(uow: UnitOfWork, actor: Actor, *, review_id: uuid.UUID, text: str) -> ReviewEvent:
    review = lock(uow.session, Review, review_id, "review")
    access.require_commenter(actor, review)
    comments = uow.session.exec(
        select(func.count())
        .select_from(ReviewEvent)
        .where(
            col(ReviewEvent.review_id) == review.id,
            col(ReviewEvent.round) == review.round,
            col(ReviewEvent.kind) == "comment",
        )
    ).one()
    if comments >= MAX_COMMENTS_PER_ROUND:
        raise Conflict(
            f"this round of the review already has {MAX_COMMENTS_PER_ROUND} comments, the most "
            "it takes: decide, or ask for changes",
            code="too-many-comments",
            limit=MAX_COMMENTS_PER_ROUND,
        )
    now = utcnow()
    entry = _add_history(uow, review, "comment", actor, {"text": text}, at=now)
    review.modified_at = now
    _audit(uow, actor, review, "review.comment", after={"text": text})
    uow.flush()  # the entry's id, for the answer
    return entry


def request_changes(
    uow: UnitOfWork,
    actor: Actor,
    *,
    review_id: uuid.UUID,
    reasons: list[str],
    include_failed_checks: bool,
    blocking_checks: Collection[str],
) -> Review:
    review = _open_for_action(uow, actor, review_id)
    reasons = [reason for reason in reasons if reason]
    if not reasons:
        raise InvalidInput("reasons", "give at least one reason")
    if include_failed_checks:
        # Cut like a reviewer's reason: a summary quotes what was submitted (a licence id…).
        reasons += [
            f"{check['name']}: {check['summary']}"[:REASON_MAX]
            for check in failing_blocking_checks(review, blocking_checks)
        ]
    _decide(uow, review, actor, "rejected", reasons)
    continuity.note_changes_requested(uow, review.dataset_id)
    return review


def approve_review(
    uow: UnitOfWork,
    actor: Actor,
    *,
    review_id: uuid.UUID,
    comment: str | None,
    blocking_checks: Collection[str],
) -> Review:
    review = lock(uow.session, Review, review_id, "review")
    access.require_approver(actor, review)
    _require_open(review)
    if review.checks_status in (ChecksStatus.PENDING, ChecksStatus.RUNNING):
        raise Conflict(
            "the automatic checks have not finished; approve once their report is stored",
            code="checks-pending",
        )
    if review.checks_status == ChecksStatus.FAILED:
        raise Conflict(
            "the automatic checks could not run; run them again (POST .../checks)",
            code="checks-failed",
        )
    failing = failing_blocking_checks(review, blocking_checks)
    if failing:
        names = [check["name"] for check in failing]
        raise Conflict(
            f"blocking checks failed: {', '.join(names)}",
            code="blocking-checks-failed",
            failing_checks=names,
            checks=[{"name": c["name"], "summary": c["summary"]} for c in failing],
        )
    items = _checklist_items(uow, review)
    unanswered = [
        item_id
        for item_id, item in items.items()
        if item.get("required", True) and review.checklist.get(item_id, {}).get("answer") != "yes"
    ]
    if unanswered:
        raise Conflict(
            f"required checklist items not answered 'yes': {', '.join(unanswered)}",
            code="checklist-incomplete",
            items=unanswered,
        )
    _decide(uow, review, actor, "approved", [comment] if comment else [])
    return review


# A decision: the review's new state, its history entry, its audit action.
_DECISIONS: dict[Decision, tuple[ReviewState, str, str]] = {
    "approved": (ReviewState.APPROVED, "approved", "review.approve"),
    "rejected": (ReviewState.REJECTED, "changes_requested", "review.request_changes"),
}


def _decide(
    uow: UnitOfWork, review: Review, actor: Actor, decision: Decision, reasons: list[str]
) -> None:
    if actor.id is None:
        raise ValueError("a decision is made by an account")
    state, history_kind, action = _DECISIONS[decision]
    now = utcnow()
    before = {"state": review.state, "round": review.round}
    review.state = state
    review.decided_by = actor.id
    review.decided_at = now
    review.reasons = reasons
    review.publication = None
    review.modified_at = now
    _add_history(uow, review, history_kind, actor, {"reasons": reasons}, at=now)
    uow.publish(
        ReviewDecided(
            review_id=review.id,
            dataset_id=review.dataset_id,
            institution_id=review.institution_id,
            decision=decision,
            reasons=[] if decision == "approved" else reasons,
            decided_by=actor.id,
            decided_at=now,
            # The round it answers: the catalog ignores a decision on an older submission.
            submitted_at=review.submitted_at,
        )
    )
    _audit(
        uow,
        actor,
        review,
        action,
        before=before,
        after={"state": review.state, "round": review.round, "reasons": reasons},
    )


# --- what the catalog did with a decision ------------------------------------------------------


def apply_decision_not_applied(uow: UnitOfWork, data: DecisionNotApplied) -> Review | None:
    """Records on the review that the catalog could not apply its decision, and why: a history
    entry and an audit entry always, and ``publication`` when the review still holds that
    decision (not when it has been reopened since). Applying the same notice twice changes
    nothing; None when there is nothing to record it on, or it is recorded already."""
    review = uow.session.get(Review, data.review_id, with_for_update=True)
    if review is None:
        log.warning(
            "a decision not applied concerns an unknown review",
            extra={"review_id": str(data.review_id), "dataset_id": str(data.dataset_id)},
        )
        return None
    noticed_at = data.noticed_at if data.noticed_at.tzinfo else data.noticed_at.replace(tzinfo=UTC)
    noticed_at = noticed_at.astimezone(UTC)
    notice: dict[str, Any] = {
        "applied": False,
        "decision": data.decision,
        "reason": data.reason,
        "detail": data.detail,
        "dataset_state": data.dataset_state,
        "at": noticed_at.isoformat(),
    }
    recorded = uow.session.exec(
        select(ReviewEvent.body).where(
            col(ReviewEvent.review_id) == review.id,
            col(ReviewEvent.kind) == "decision_not_applied",
        )
    ).all()
    if notice in recorded:
        return None
    holds_it = (
        review.state == _DECISIONS[data.decision][0]
        and review.decided_at is not None
        and review.decided_at <= noticed_at
    )
    if holds_it:
        review.publication = notice
        review.modified_at = utcnow()
    _add_history(uow, review, "decision_not_applied", SYSTEM, notice)
    _audit(uow, SYSTEM, review, "review.decision_not_applied", after=notice)
    return review


# --- reading ------------------------------------------------------------------------------------


def get_review(uow: UnitOfWork, actor: Actor, review_id: uuid.UUID) -> Review:
    review = get_or_404(uow.session, Review, review_id, "review")
    access.require_review_reader(actor, review)
    return review


def list_reviews(
    uow: UnitOfWork,
    actor: Actor,
    *,
    state: ReviewState | None,
    institution_id: uuid.UUID | None,
    dataset_id: uuid.UUID | None,
    params: PageParams,
) -> Page[Review]:
    visible = access.require_review_lister(actor, institution_id)
    statement = select(Review)
    if visible is not None:
        statement = statement.where(col(Review.institution_id).in_(visible))
    if institution_id is not None:
        statement = statement.where(col(Review.institution_id) == institution_id)
    if state is not None:
        statement = statement.where(col(Review.state) == state)
    if dataset_id is not None:
        statement = statement.where(col(Review.dataset_id) == dataset_id)
    # The open queue reads oldest first; decided reviews most recent first.
    if state == ReviewState.OPEN:
        statement = statement.order_by(col(Review.opened_at), col(Review.id))
    else:
        statement = statement.order_by(col(Review.modified_at).desc(), col(Review.id))
    return paginate(uow.session, statement, params)


def stages(
    review: Review, content: dict[str, Any], blocking_checks: Collection[str]
) -> list[dict[str, Any]]:
    """Each stage of the guide with its checklist answers, its automatic checks and its status:
    complete, incomplete (something to do) or failed (an answer "no" on a required item, or a
    blocking check failed)."""
    report = review.quality_report or {}
    checks = {check["name"]: check for check in report.get("checks", [])}
    checks_done = review.checks_status == ChecksStatus.DONE
    result = []
    for stage in content["stages"]:
        items = []
        failed = incomplete = False
        for item in stage.get("checklist", []):
            answer = review.checklist.get(item["id"])
            items.append({**item, "response": answer})
            if item.get("required", True):
                value = (answer or {}).get("answer")
                failed |= value == "no"
                incomplete |= value != "yes"
        stage_checks = []
        for automatic in checks_of_stage(stage["key"]):
            check = checks.get(automatic.name)
            blocking = automatic.name in blocking_checks
            stage_checks.append(
                {
                    "name": automatic.name,
                    "blocking": blocking,
                    "passed": check["passed"] if check else None,
                    "summary": check["summary"] if check else None,
                }
            )
            if blocking:
                if not checks_done or check is None:
                    incomplete = True
                elif not check["passed"]:
                    failed = True
        if stage["key"] == "validation" and review.state != ReviewState.APPROVED:
            incomplete = True
        result.append(
            {
                "key": stage["key"],
                "title": stage["title"],
                "status": "failed" if failed else "incomplete" if incomplete else "complete",
                "checklist": items,
                "checks": stage_checks,
            }
        )
    return result
