"""Nothing a user sends can break governance: a lone surrogate, a NUL or an ESC anywhere is a
422 naming the field, and nothing is written; the largest legal change request is announced
by a ReviewDecided that the broker delivers."""

from __future__ import annotations

import asyncio
import copy
import json
import uuid
from typing import Any

import pytest
from sqlalchemy import Engine, select

from libs.events import Topic
from libs.events.schemas import ReviewDecided
from services.governance.domain import reviews
from services.governance.models import Account, Institution, Review, metadata
from tests.governance.conftest import (
    GovernanceHarness,
    bearer,
    login,
    make_account,
    make_institution,
    of_type,
    submitted,
    topic_events,
    wait_for,
)

BAD_CHARACTERS = {"lone surrogate": "\ud800", "NUL": "\x00", "ESC": "\x1b"}
WIDE = "\U0001d538"  # 4 bytes of UTF-8: the widest a character gets in an event


def state(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every governance table (of the outbox, which the relay updates as it
    sends, the events it holds)."""
    tables: dict[str, list[tuple[Any, ...]]] = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            columns = [table.c.event_id] if table.name == "outbox" else list(table.c)
            rows = connection.execute(select(*columns)).all()
            tables[table.name] = sorted(tuple(map(repr, row)) for row in rows)
    return tables


@pytest.fixture(scope="module")
def institution(governance: GovernanceHarness) -> Institution:
    return make_institution(governance.engine)


@pytest.fixture(scope="module")
def admin(governance: GovernanceHarness) -> Account:
    return make_account(governance.engine, is_admin=True)


@pytest.fixture(scope="module")
def admin_headers(governance: GovernanceHarness, admin: Account) -> dict[str, str]:
    return bearer(login(governance.client, admin.email)["access_token"])


@pytest.fixture(scope="module")
def reviewer_headers(governance: GovernanceHarness, institution: Institution) -> dict[str, str]:
    reviewer = make_account(governance.engine, ("reviewer", institution.id))
    return bearer(login(governance.client, reviewer.email)["access_token"])


def failing_review(governance: GovernanceHarness, institution: Institution) -> Review:
    """An open review whose checks are done, and fail: no resource, no classification, a
    licence that is not open."""
    data = submitted(institution.id, uuid.uuid4(), [], tags=[], themes=[], license_is_open=False)
    governance.submit(data)
    return wait_for(
        lambda: (
            (review := governance.review_of(data.dataset_id)) is not None
            and review.checks_status == "done"
            and review
        ),
        what="the review with its quality report",
    )


@pytest.fixture(scope="module")
def review(governance: GovernanceHarness, institution: Institution) -> Review:
    return failing_review(governance, institution)


def put(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``document`` with ``value`` at ``path`` (dotted; numbers index lists)."""
    changed = copy.deepcopy(document)
    *parents, last = path.split(".")
    node: Any = changed
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return changed


# A write route: its method and path, a valid body, and for each field tried, how the bad
# character is placed in an otherwise valid value.
Route = tuple[str, str, dict[str, Any], dict[str, str]]


def routes(
    governance: GovernanceHarness, admin: Account, institution: Institution, review: Review
) -> list[Route]:
    guide = {"content": governance.client.get("/api/v1/guide").json()["content"], "note": "n"}
    login = {"email": "a@b.org", "password": "p"}
    token = {"refresh_token": "brt_x"}
    account = {"email": "someone@example.org", "display_name": "Someone", "password": "x" * 20}
    password = {"current_password": "a long enough passphrase", "new_password": "another one!!"}
    created = {"slug": "bad-input", "name": {"fr": "Nom", "ar": "اسم"}}
    answers = {"answers": [{"item_id": "rights-held", "answer": "no", "note": "a note"}]}
    accounts, institutions = "/api/v1/accounts", "/api/v1/institutions"
    reviewed = f"/api/v1/reviews/{review.id}"
    return [
        ("POST", "/api/v1/auth/login", login, {"email": "a{}b@b.org", "password": "pass{}"}),
        ("POST", "/api/v1/auth/refresh", token, {"refresh_token": "brt_{}"}),
        ("POST", "/api/v1/auth/logout", token, {"refresh_token": "brt_{}"}),
        (
            "POST",
            accounts,
            account,
            {"email": "so{}me@b.org", "display_name": "So{}me", "password": "a long {} word"},
        ),
        ("PATCH", f"{accounts}/{admin.id}", {"display_name": "x"}, {"display_name": "Ad{}min"}),
        (
            "POST",
            f"{accounts}/{admin.id}/password",
            password,
            {"new_password": "another {} one!!", "current_password": "a{}"},
        ),
        (
            "POST",
            institutions,
            created,
            {
                "name.fr": "N{}om",
                "name.ar": "ا{}سم",
                "acronym": "A{}B",
                "website": "https://example.ma/{}",
                "logo_url": "https://example.ma/{}.png",
            },
        ),
        (
            "PATCH",
            f"{institutions}/{institution.id}",
            {"acronym": "A", "name": {"fr": "N"}},
            {"acronym": "A{}", "name.fr": "N{}"},
        ),
        (
            "POST",
            f"{institutions}/{institution.id}/enrol",
            {"commitment_reference": "r"},
            {"commitment_reference": "ref {}"},
        ),
        (
            "POST",
            f"{institutions}/{institution.id}/withdraw",
            {"reason": "r"},
            {"reason": "because {}"},
        ),
        (
            "PUT",
            "/api/v1/guide",
            guide,
            {
                "note": "note {}",
                "content.title.fr": "Guide {}",
                "content.stages.1.checklist.0.label.ar": "بند {}",
                "content.sections.0.body.fr": "Texte {}",
            },
        ),
        (
            "PUT",
            f"{reviewed}/checklist",
            answers,
            {"answers.0.note": "a {} note", "answers.0.item_id": "rights{}"},
        ),
        ("POST", f"{reviewed}/comments", {"body": "b"}, {"body": "a {} comment"}),
        ("POST", f"{reviewed}/request-changes", {"reasons": ["r"]}, {"reasons.0": "a {} reason"}),
        ("POST", f"{reviewed}/approve", {"comment": "c"}, {"comment": "fine {}"}),
    ]


def test_a_bad_character_in_any_field_is_a_422_naming_it_and_nothing_is_written(
    governance: GovernanceHarness,
    admin: Account,
    admin_headers: dict[str, str],
    reviewer_headers: dict[str, str],
    institution: Institution,
    review: Review,
) -> None:
    client = governance.client
    before = state(governance.engine)
    tried = 0
    for method, path, body, fields in routes(governance, admin, institution, review):
        headers = reviewer_headers if "/reviews/" in path else admin_headers
        for field, template in fields.items():
            for label, character in BAD_CHARACTERS.items():
                bad = put(body, field, template.format(character))
                # Written by hand: a JSON "\ud800" escape is how a client sends a lone surrogate.
                content = json.dumps(bad, ensure_ascii=True).encode()
                response = client.request(
                    method,
                    path,
                    content=content,
                    headers={**headers, "Content-Type": "application/json"},
                )
                where = f"{method} {path} {field} with a {label}"
                assert response.status_code == 422, f"{where}: {response.text}"
                assert response.headers["content-type"].startswith("application/problem+json")
                problem = response.json()
                assert field in [e["field"] for e in problem["errors"]], f"{where}: {problem}"
                tried += 1
    assert tried == 3 * 28
    assert state(governance.engine) == before


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/api/v1/accounts", "q"),
        ("/api/v1/institutions", "q"),
        ("/api/v1/audit", "action"),
        ("/api/v1/audit", "target_type"),
        ("/api/v1/audit", "target_id"),
    ],
)
@pytest.mark.parametrize("character", ["%00", "%1B"], ids=["NUL", "ESC"])
def test_a_control_character_in_a_query_parameter_is_a_422_naming_it(
    governance: GovernanceHarness,
    admin_headers: dict[str, str],
    path: str,
    parameter: str,
    character: str,
) -> None:
    response = governance.client.get(f"{path}?{parameter}=a{character}b", headers=admin_headers)
    assert response.status_code == 422, response.text
    assert [error["field"] for error in response.json()["errors"]] == [parameter]


@pytest.mark.parametrize(
    "query",
    ["since=0001-01-01T00:00:00Z", "until=9999-12-31T23:59:59Z", "since=not-a-moment"],
)
def test_audit_dates_beyond_what_the_database_takes_are_a_422(
    governance: GovernanceHarness, admin_headers: dict[str, str], query: str
) -> None:
    response = governance.client.get(f"/api/v1/audit?{query}", headers=admin_headers)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == query.split("=")[0]


def test_a_moment_without_an_offset_is_read_as_utc(
    governance: GovernanceHarness, admin_headers: dict[str, str]
) -> None:
    response = governance.client.get(
        "/api/v1/audit?since=2020-01-01T00:00:00&until=2999-01-01T00:00:00", headers=admin_headers
    )
    assert response.status_code == 200, response.text


def test_the_largest_legal_change_request_is_delivered_on_the_topic(
    governance: GovernanceHarness,
    institution: Institution,
    reviewer_headers: dict[str, str],
) -> None:
    largest = failing_review(governance, institution)
    reasons = [WIDE * reviews.REASON_MAX] * reviews.MAX_REASONS
    response = governance.client.post(
        f"/api/v1/reviews/{largest.id}/request-changes",
        json={"reasons": reasons},
        headers=reviewer_headers,
    )
    assert response.status_code == 200, response.text
    [event] = asyncio.run(
        topic_events(
            governance.platform,
            Topic.GOVERNANCE_REVIEWS,
            where=of_type(ReviewDecided, review_id=largest.id),
            timeout=60,
        )
    )
    assert event.data["reasons"][: reviews.MAX_REASONS] == reasons
    assert len(event.data["reasons"]) > reviews.MAX_REASONS  # and one per failing check
    assert len(event.to_bytes()) > 4 * reviews.REASON_MAX * reviews.MAX_REASONS


def test_one_reason_too_many_is_refused_naming_the_limit(
    governance: GovernanceHarness, institution: Institution, reviewer_headers: dict[str, str]
) -> None:
    target = failing_review(governance, institution)
    before = state(governance.engine)
    response = governance.client.post(
        f"/api/v1/reviews/{target.id}/request-changes",
        json={"reasons": ["a reason"] * (reviews.MAX_REASONS + 1)},
        headers=reviewer_headers,
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "reasons"
    assert str(reviews.MAX_REASONS) in response.json()["detail"]
    assert state(governance.engine) == before
