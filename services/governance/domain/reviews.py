"""The pre-publication review: selection → collection → classification → validation → decision.

A ``DatasetSubmitted`` event opens the review of the dataset (or reopens it for a new round,
keeping its history) with the snapshot it carries, and asks for the automatic checks; the
checks runner stores their report and then announces ``ReviewOpened`` with the score. The
reviewers of the dataset's institution, and the national admins, answer the guide's checklist,
comment, request changes (``ReviewDecided`` rejected, with reasons) or approve (``ReviewDecided``
approved). Approval needs the blocking checks passed and the required checklist items answered
"yes", and is never made by the person who submitted the dataset.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import Session, col, select

from libs.auth import Principal, Role
from libs.events.schemas import DatasetSubmitted, ReviewDecided, ReviewOpened
from libs.http.problems import Conflict, Forbidden, InvalidInput
from services.governance.domain import audit, continuity, guide
from services.governance.domain.audit import SYSTEM, Actor, utcnow
from services.governance.domain.common import aware, get_or_404, lock, page_of
from services.governance.domain.quality import CHECK_STAGES
from services.governance.models import ChecksStatus, Review, ReviewEvent, ReviewState, outbox
from services.governance.settings import GovernanceSettings

log = logging.getLogger("bayanat.governance.reviews")

READ_ROLES = (Role.REVIEWER, Role.STEWARD, Role.VIEWER)

# A flag on the session: a commit that asked for checks wakes the checks runner at once.
CHECKS_REQUESTED_FLAG = "bayanat.governance.checks_requested"


# --- commands ---------------------------------------------------------------------------------


class Answer(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    item_id: str = Field(min_length=1, max_length=64)
    answer: Literal["yes", "no", "na"]
    note: str | None = Field(default=None, max_length=2000)


class ChecklistAnswers(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answers: list[Answer] = Field(min_length=1, max_length=100)


class CommentInput(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    body: str = Field(min_length=1, max_length=10_000)


class ChangeRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    reasons: list[str] = Field(min_length=1, max_length=50)
    # Adds one reason per failing blocking check, so the steward sees what to fix.
    include_failed_checks: bool = True


class Approval(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    comment: str | None = Field(default=None, max_length=10_000)


# --- authorisation ----------------------------------------------------------------------------


def can_read(principal: Principal, institution_id: uuid.UUID) -> bool:
    return any(principal.has_role(role, institution_id) for role in READ_ROLES)


def can_act(principal: Principal, institution_id: uuid.UUID) -> bool:
    return principal.has_role(Role.REVIEWER, institution_id)


def require_read(principal: Principal, review: Review) -> None:
    if not can_read(principal, review.institution_id):
        raise Forbidden(
            f"this review belongs to institution {review.institution_id}, where you hold no role"
        )


def require_act(principal: Principal, review: Review) -> None:
    if not can_act(principal, review.institution_id):
        raise Forbidden(
            f"role reviewer of institution {review.institution_id} (or national admin) required "
            "to act on this review"
        )


def readable_institutions(principal: Principal) -> set[uuid.UUID] | None:
    """None: every institution (national admin)."""
    if principal.is_admin:
        return None
    return set().union(*(principal.institutions(role) for role in READ_ROLES))


# --- history ----------------------------------------------------------------------------------


def _history(
    session: Session,
    review: Review,
    kind: str,
    actor: Actor,
    body: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> ReviewEvent:
    event = ReviewEvent(
        review_id=review.id,
        round=review.round,
        kind=kind,
        at=at or utcnow(),
        actor_id=actor.id,
        actor_name=actor.name,
        body=body,
    )
    session.add(event)
    return event


def history(session: Session, review_id: uuid.UUID) -> list[ReviewEvent]:
    """The whole history of a review, oldest first."""
    return list(
        session.exec(
            select(ReviewEvent)
            .where(ReviewEvent.review_id == review_id)
            .order_by(col(ReviewEvent.id))
        ).all()
    )


def history_page(
    session: Session, review_id: uuid.UUID, offset: int, limit: int
) -> tuple[list[ReviewEvent], int]:
    return page_of(
        session,
        ReviewEvent,
        [ReviewEvent.review_id == review_id],
        [col(ReviewEvent.id)],
        offset,
        limit,
    )


# --- opening (from the catalog's events) ------------------------------------------------------


def open_from_submission(session: Session, data: DatasetSubmitted) -> Review | None:
    """Opens or reopens the dataset's review; runs inside the consumer's transaction."""
    now = utcnow()
    current_guide = guide.current(session)
    snapshot = data.model_dump(mode="json")
    review = session.exec(
        select(Review).where(Review.dataset_id == data.dataset_id).with_for_update()
    ).first()
    continuity.on_submitted(session, data)
    if review is None:
        review = Review(dataset_id=data.dataset_id)
        _start_round(review, data, snapshot, current_guide.version, now)
        session.add(review)
        session.flush()
        kind = "opened"
    else:
        previous = aware(review.submitted_at)
        if previous is not None and data.submitted_at <= previous:
            log.info("stale submission ignored", extra={"dataset_id": str(data.dataset_id)})
            return None
        review.round += 1
        review.checks_generation += 1
        _start_round(review, data, snapshot, current_guide.version, now)
        kind = "reopened"
    _history(
        session,
        review,
        kind,
        Actor(id=data.submitted_by, name="submitter"),
        {"submitted_at": data.submitted_at.isoformat(), "guide_version": review.guide_version},
        at=now,
    )
    audit.record(
        session,
        SYSTEM,
        f"review.{'open' if kind == 'opened' else 'reopen'}",
        "review",
        review.id,
        institution_id=review.institution_id,
        after={"dataset_id": str(data.dataset_id), "round": review.round},
    )
    session.info[CHECKS_REQUESTED_FLAG] = True
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
    review.decided_by = review.decided_at = review.reasons = None
    review.quality_report = None
    review.quality_score = None
    review.checks_status = ChecksStatus.PENDING
    review.checks_requested_at = now
    review.checks_started_at = review.checks_completed_at = None
    review.announce_pending = True
    review.modified_at = now


# --- checks -----------------------------------------------------------------------------------


def record_checks(
    session: Session,
    review_id: uuid.UUID,
    generation: int,
    report: dict[str, Any] | None,
    error: str | None = None,
) -> Review | None:
    """Stores a run's report if the run is still the current one; announces a new round."""
    review = session.get(Review, review_id, with_for_update=True)
    if review is None or review.checks_generation != generation:
        return None  # a newer submission or request superseded this run
    now = utcnow()
    review.quality_report = report if report is not None else {"error": error}
    review.quality_score = report["score"] if report is not None else None
    review.checks_status = ChecksStatus.DONE if report is not None else ChecksStatus.FAILED
    review.checks_completed_at = now
    review.modified_at = now
    _history(
        session,
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
        outbox.publish(
            session,
            ReviewOpened(
                review_id=review.id,
                dataset_id=review.dataset_id,
                institution_id=review.institution_id,
                opened_at=aware(review.opened_at),  # type: ignore[arg-type]
                quality_score=review.quality_score,
                reopened=review.round > 1,
            ),
        )
    return review


def request_checks(
    session: Session, principal: Principal, actor: Actor, review_id: uuid.UUID
) -> tuple[Review, int]:
    """A reviewer asks for the checks again; the caller runs them (claimed here) and stores."""
    review = _open_for_action(session, principal, review_id, "checks run on open reviews only")
    now = utcnow()
    review.checks_generation += 1
    review.checks_status = ChecksStatus.RUNNING
    review.checks_requested_at = review.checks_started_at = now
    review.modified_at = now
    _history(session, review, "checks_requested", actor, at=now)
    audit.record(
        session,
        actor,
        "review.checks",
        "review",
        review.id,
        institution_id=review.institution_id,
        after={"generation": review.checks_generation},
    )
    session.commit()
    return review, review.checks_generation


# --- reviewers' actions -----------------------------------------------------------------------


REOPENS = "it reopens when the dataset is submitted again"


def _require_open(review: Review, hint: str = REOPENS) -> None:
    if review.state != ReviewState.OPEN:
        raise Conflict(f"the review is {review.state}; {hint}", code="review-not-open")


def _open_for_action(
    session: Session, principal: Principal, review_id: uuid.UUID, hint: str = REOPENS
) -> Review:
    review = lock(session, Review, review_id, "review")
    require_act(principal, review)
    _require_open(review, hint)
    return review


def _checklist_items(session: Session, review: Review) -> dict[str, dict[str, Any]]:
    """The checklist of the guide version the review follows."""
    return guide.checklist_items(guide.version(session, review.guide_version).content)


def answer_checklist(
    session: Session,
    principal: Principal,
    actor: Actor,
    review_id: uuid.UUID,
    command: ChecklistAnswers,
) -> Review:
    review = _open_for_action(session, principal, review_id)
    items = _checklist_items(session, review)
    for index, answer in enumerate(command.answers):
        if answer.item_id not in items:
            raise InvalidInput(
                f"answers.{index}.item_id",
                f"{answer.item_id!r} is not an item of guide version {review.guide_version}",
            )
    before = dict(review.checklist)
    now = utcnow()
    checklist = dict(review.checklist)
    for answer in command.answers:
        checklist[answer.item_id] = {
            "answer": answer.answer,
            "note": answer.note,
            "by": str(actor.id),
            "by_name": actor.name,
            "at": now.isoformat(),
        }
    review.checklist = checklist  # a new dict, so that the JSON column is seen as changed
    review.modified_at = now
    answered = [a.model_dump() for a in command.answers]
    _history(session, review, "checklist_answered", actor, {"answers": answered}, at=now)
    audit.record(
        session,
        actor,
        "review.checklist",
        "review",
        review.id,
        institution_id=review.institution_id,
        before={"checklist": before},
        after={"checklist": checklist},
    )
    session.commit()
    return review


def comment(
    session: Session, principal: Principal, actor: Actor, review_id: uuid.UUID, body: str
) -> ReviewEvent:
    review = lock(session, Review, review_id, "review")
    # Reviewers and admins, and the institution's stewards (to answer a reviewer).
    if not (
        can_act(principal, review.institution_id)
        or principal.has_role(Role.STEWARD, review.institution_id)
    ):
        raise Forbidden(
            f"role reviewer or steward of institution {review.institution_id} required to comment"
        )
    now = utcnow()
    event = _history(session, review, "comment", actor, {"text": body}, at=now)
    review.modified_at = now
    audit.record(
        session,
        actor,
        "review.comment",
        "review",
        review.id,
        institution_id=review.institution_id,
        after={"text": body},
    )
    session.commit()
    return event


def failing_blocking_checks(review: Review, settings: GovernanceSettings) -> list[dict[str, Any]]:
    report = review.quality_report or {}
    return [
        check
        for check in report.get("checks", [])
        if check["name"] in settings.blocking_checks and not check["passed"]
    ]


def request_changes(
    session: Session,
    principal: Principal,
    actor: Actor,
    review_id: uuid.UUID,
    command: ChangeRequest,
    settings: GovernanceSettings,
) -> Review:
    review = _open_for_action(session, principal, review_id)
    reasons = [reason for reason in command.reasons if reason]
    if not reasons:
        raise InvalidInput("reasons", "give at least one reason")
    if command.include_failed_checks:
        reasons += [
            f"{check['name']}: {check['summary']}"
            for check in failing_blocking_checks(review, settings)
        ]
    _decide(session, review, actor, "rejected", reasons)
    continuity.on_changes_requested(session, review.dataset_id)
    session.commit()
    return review


def approve(
    session: Session,
    principal: Principal,
    actor: Actor,
    review_id: uuid.UUID,
    command: Approval,
    settings: GovernanceSettings,
) -> Review:
    review = lock(session, Review, review_id, "review")
    require_act(principal, review)
    if review.submitted_by == principal.subject:
        raise Forbidden(
            "you submitted this dataset: another reviewer must approve it", code="own-submission"
        )
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
    failing = failing_blocking_checks(review, settings)
    if failing:
        names = [check["name"] for check in failing]
        raise Conflict(
            f"blocking checks failed: {', '.join(names)}",
            code="blocking-checks-failed",
            failing_checks=names,
            checks=[{"name": c["name"], "summary": c["summary"]} for c in failing],
        )
    items = _checklist_items(session, review)
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
    _decide(session, review, actor, "approved", [command.comment] if command.comment else [])
    session.commit()
    return review


# A decision: the review's new state, its history entry, its audit action.
_DECISIONS = {
    "approved": (ReviewState.APPROVED, "approved", "review.approve"),
    "rejected": (ReviewState.REJECTED, "changes_requested", "review.request_changes"),
}


def _decide(
    session: Session, review: Review, actor: Actor, decision: str, reasons: list[str]
) -> None:
    assert actor.id is not None
    state, history_kind, action = _DECISIONS[decision]
    now = utcnow()
    before = {"state": review.state, "round": review.round}
    review.state = state
    review.decided_by = actor.id
    review.decided_at = now
    review.reasons = reasons
    review.modified_at = now
    _history(session, review, history_kind, actor, {"reasons": reasons}, at=now)
    outbox.publish(
        session,
        ReviewDecided(
            review_id=review.id,
            dataset_id=review.dataset_id,
            institution_id=review.institution_id,
            decision=decision,  # type: ignore[arg-type]
            reasons=[] if decision == "approved" else reasons,
            decided_by=actor.id,
            decided_at=now,
        ),
    )
    audit.record(
        session,
        actor,
        action,
        "review",
        review.id,
        institution_id=review.institution_id,
        before=before,
        after={"state": review.state, "round": review.round, "reasons": reasons},
    )


# --- reading ----------------------------------------------------------------------------------


def get_readable(session: Session, principal: Principal, review_id: uuid.UUID) -> Review:
    review = get_or_404(session, Review, review_id, "review")
    require_read(principal, review)
    return review


def listing(
    session: Session,
    principal: Principal,
    *,
    state: ReviewState | None,
    institution_id: uuid.UUID | None,
    dataset_id: uuid.UUID | None,
    offset: int,
    limit: int,
) -> tuple[list[Review], int]:
    visible = readable_institutions(principal)
    if visible is not None and not visible:
        raise Forbidden("a reviewer, steward or viewer role in an institution is required")
    if institution_id is not None and visible is not None and institution_id not in visible:
        raise Forbidden(f"you hold no role in institution {institution_id}")
    conditions = []
    if visible is not None:
        conditions.append(col(Review.institution_id).in_(visible))
    if institution_id is not None:
        conditions.append(Review.institution_id == institution_id)
    if state is not None:
        conditions.append(Review.state == state)
    if dataset_id is not None:
        conditions.append(Review.dataset_id == dataset_id)
    # The open queue reads oldest first; decided reviews most recent first.
    order = (
        [col(Review.opened_at), col(Review.id)]
        if state == ReviewState.OPEN
        else [col(Review.modified_at).desc(), col(Review.id)]
    )
    return page_of(session, Review, conditions, order, offset, limit)


def stages(
    review: Review, content: dict[str, Any], settings: GovernanceSettings
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
        for name, check_stage in CHECK_STAGES.items():
            if check_stage != stage["key"]:
                continue
            check = checks.get(name)
            blocking = name in settings.blocking_checks
            stage_checks.append(
                {
                    "name": name,
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
