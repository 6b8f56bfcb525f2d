"""Every input is bounded, so that the largest legal event of each type governance publishes
stays far below the broker's limit (KAFKA_MAX_MESSAGE_BYTES, 2 MiB). The figures here are the
ones the governance README states."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from libs.auth import Role
from libs.events import new_event
from libs.events.schemas import InstitutionEnrolled, ReviewDecided, TokensRevoked
from libs.settings import PlatformSettings
from services.governance.domain import accounts, guide, institutions, quality, reviews
from services.governance.domain.quality import CHECKS
from services.governance.settings import GovernanceSettings
from tests.support.governance_data import submitted
from tests.support.units import SqliteUnits
from tests.unit.governance.conftest import OPERATOR, actor

# The widest character there is in the events' JSON: 4 bytes of UTF-8 for one code point.
WIDE = "\U0001d538"  # 𝔸
# One code point that NFC turns into three (each 4 bytes): bounds apply after normalisation.
EXPANDING = "\U0001d160"

LARGEST_REVIEW_DECIDED = 220_000
LARGEST_INSTITUTION_ENROLLED = 25_000
LARGEST_TOKENS_REVOKED = 1_000
BROKER_LIMIT = PlatformSettings().kafka_max_message_bytes


def size(data: Any) -> int:
    return len(new_event("governance", data).to_bytes())


def test_the_largest_legal_change_request_makes_a_review_decided_far_below_the_limit(
    units: SqliteUnits,
) -> None:
    institution = uuid.uuid4()
    reviewer = actor((Role.REVIEWER, institution), name="reviewer")
    # Every check blocks, and the snapshot fails as many as one dataset can, with a licence id
    # that makes its check's summary longer than a reason may be.
    settings = GovernanceSettings(database_url="sqlite://", blocking_checks=list(CHECKS))
    data = submitted(
        institution,
        uuid.uuid4(),
        [],
        tags=[],
        themes=[],
        license_id=WIDE * 3 * reviews.REASON_MAX,
        license_is_open=False,
    )
    with units() as uow:
        review = reviews.apply_submission(uow, data)
        assert review is not None
        claim = reviews.Claim.of(review)
        report = quality.evaluate(data, [], settings)
        reviews.record_checks(uow, claim=claim, report=report)
        uow.commit()
    largest = reviews.ChangeRequest.model_validate(
        {"reasons": [WIDE * reviews.REASON_MAX] * reviews.MAX_REASONS}
    )
    with units() as uow:
        reviews.request_changes(
            uow,
            reviewer,
            review_id=review.id,
            reasons=largest.reasons,
            include_failed_checks=True,
            blocking_checks=settings.blocking_checks,
        )
        uow.commit()

    [event] = units.published(ReviewDecided.event_type)
    reasons = event.data["reasons"]
    assert len(reasons) > reviews.MAX_REASONS and max(map(len, reasons)) == reviews.REASON_MAX
    assert ReviewDecided.model_validate(event.data).submitted_at == data.submitted_at
    assert len(event.to_bytes()) < LARGEST_REVIEW_DECIDED


def test_no_legal_review_decided_exceeds_the_stated_size() -> None:
    # The bound itself: the reviewer's reasons plus one per blocking check, each at its
    # longest, in the widest characters.
    widest = ReviewDecided(
        review_id=uuid.uuid4(),
        dataset_id=uuid.uuid4(),
        institution_id=uuid.uuid4(),
        decision="rejected",
        reasons=[WIDE * reviews.REASON_MAX] * (reviews.MAX_REASONS + len(CHECKS)),
        decided_by=uuid.uuid4(),
        decided_at=datetime.now(UTC),
        submitted_at=datetime.now(UTC),
    )
    assert size(widest) < LARGEST_REVIEW_DECIDED < BROKER_LIMIT // 8


@pytest.mark.parametrize(
    "reasons",
    [
        [WIDE * (reviews.REASON_MAX + 1)],
        [EXPANDING * reviews.REASON_MAX],  # 2,000 code points sent, 6,000 once normalised
        ["a reason"] * (reviews.MAX_REASONS + 1),
        [],
    ],
    ids=["a reason too long", "too long once normalised", "too many reasons", "no reason"],
)
def test_a_change_request_beyond_the_bounds_is_refused(reasons: list[str]) -> None:
    with pytest.raises(ValidationError):
        reviews.ChangeRequest.model_validate({"reasons": reasons})


def test_the_largest_legal_institution_makes_an_enrolment_far_below_the_limit(
    units: SqliteUnits,
) -> None:
    # Line's own bound applies before normalisation: a name of characters that NFC triples.
    name = EXPANDING * 500
    created = institutions.InstitutionCreate.model_validate(
        {
            "slug": "a" * 100,
            "name": {"ar": name, "fr": name, "en": name},
            "acronym": WIDE * 32,
            "kind": "public_body",
            "website": "https://example.ma/" + WIDE * 480,
            "logo_url": "https://example.ma/" + WIDE * 480,
        }
    )
    enrolment = institutions.Enrolment.model_validate(
        {"commitment_reference": WIDE * 200, "enrolled_on": "2024-01-01"}
    )
    with units() as uow:
        institution = institutions.create_institution(
            uow, OPERATOR, **created.model_dump(exclude={"name"}), name=created.name
        )
        institutions.enrol_institution(
            uow,
            OPERATOR,
            institution_id=institution.id,
            enrolled_on=enrolment.enrolled_on,
            commitment_reference=enrolment.commitment_reference,
        )
        uow.commit()
    [event] = units.published(InstitutionEnrolled.event_type)
    assert len(event.data["name"]["ar"]) == 3 * 500
    assert len(event.to_bytes()) < LARGEST_INSTITUTION_ENROLLED < BROKER_LIMIT // 64


def test_a_tokens_revoked_event_is_small_whatever_the_account(units: SqliteUnits) -> None:
    with units() as uow:
        accounts.revoke_access_tokens(
            uow, uuid.uuid4(), reason="session_revoked", session_id=uuid.uuid4()
        )
        uow.commit()
    [event] = units.published(TokensRevoked.event_type)
    assert len(event.to_bytes()) < LARGEST_TOKENS_REVOKED


def test_the_largest_guide_is_refused_past_its_size_in_bytes() -> None:
    with pytest.raises(ValidationError, match="bytes, above"):
        guide.GuideContent.model_validate(
            {
                "title": {"ar": "دليل", "fr": "Guide"},
                "stages": [{"key": key, "title": {"ar": "م", "fr": "é"}} for key in guide.STAGES],
                "sections": [
                    {
                        "key": f"section-{n}",
                        "title": {"ar": "م", "fr": "é"},
                        "body": {"ar": WIDE * guide.CHAPTER_MAX, "fr": "é"},
                    }
                    for n in range(guide.MAX_SECTIONS)
                ],
            }
        )
