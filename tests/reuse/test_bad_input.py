"""Bad input and security: each refusal a precise RFC 9457 problem, and nothing written."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import update

from services.reuse.models import metadata
from tests.reuse.conftest import ReuseHarness, reuse_body

PROBLEMS = "https://data.gov.ma/problems/"


@pytest.fixture(scope="module")
def setup(reuse: ReuseHarness) -> Iterator[dict[str, Any]]:
    """Two developers, a published and a withdrawn dataset, a reuse of the first developer."""
    reuse.publish_dataset("securite-budget")
    reuse.withdraw_dataset(reuse.publish_dataset("securite-retire"))
    owner, intruder = reuse.developer_key(), reuse.developer_key()
    declared = reuse.declare(owner, "securite-budget", url="https://owner.example.org/app/")
    yield {"owner": owner, "intruder": intruder, "reuse": declared}


def refused(
    reuse: ReuseHarness,
    method: str,
    path: str,
    key: str | None,
    status: int,
    *,
    headers: dict[str, str] | None = None,
    **request: Any,
) -> dict[str, Any]:
    """Send; check the status, that the answer is a problem, and that nothing was written."""
    before = reuse.counts()
    sent = {**({"X-API-Key": key} if key else {}), **(headers or {})}
    answer = reuse.client.request(method, path, headers=sent, **request)
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = dict(answer.json())
    assert problem["status"] == status and problem["detail"]
    assert reuse.counts() == before, "a refused request wrote something"
    return problem


def test_a_developer_cannot_touch_another_ones_reuse(
    reuse: ReuseHarness, setup: dict[str, Any]
) -> None:
    path = f"/api/v1/reuses/{setup['reuse']['id']}"
    change = {"title": {"fr": "Volé"}}
    problem = refused(reuse, "PATCH", path, setup["intruder"], 403, json=change)
    assert problem["type"] == PROBLEMS + "not-reuse-owner"
    refused(reuse, "DELETE", path, setup["intruder"], 403)
    refused(reuse, "PATCH", path, None, 401, json=change)
    assert reuse.client.get(path).json()["title"]["fr"] == "Explorateur du budget"


def test_an_unverified_developer_cannot_declare(reuse: ReuseHarness, setup: dict[str, Any]) -> None:
    key = reuse.developer_key()
    developers, keys = metadata.tables["developer"], metadata.tables["api_key"]
    with reuse.engine.begin() as connection:
        connection.execute(
            update(developers)
            .where(developers.c.id == keys.c.developer_id, keys.c.prefix == key.split("_")[1])
            .values(verified_at=None)
        )
    problem = refused(reuse, "POST", "/api/v1/reuses", key, 403, json=reuse_body("securite-budget"))
    assert problem["type"] == PROBLEMS + "email-not-verified"


def test_datasets_that_cannot_be_cited_are_named(
    reuse: ReuseHarness, setup: dict[str, Any]
) -> None:
    missing = str(uuid.uuid4())
    body = reuse_body("securite-budget", "nowhere", missing, "securite-retire")
    problem = refused(reuse, "POST", "/api/v1/reuses", setup["owner"], 422, json=body)
    assert problem["type"] == PROBLEMS + "datasets-not-citable"
    assert problem["unknown"] == ["nowhere", missing]
    assert problem["unpublished"] == ["securite-retire"]
    assert problem["errors"][0]["field"] == "datasets"


def test_one_reuse_per_url(reuse: ReuseHarness, setup: dict[str, Any]) -> None:
    body = reuse_body("securite-budget", url="http://OWNER.example.org/app?utm_source=mail")
    problem = refused(reuse, "POST", "/api/v1/reuses", setup["intruder"], 409, json=body)
    assert problem["type"] == PROBLEMS + "url-taken"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": {"fr": "x" * 501}}, "title.fr"),
        ({"title": {"en": "English only"}}, "title"),
        ({"title": {"fr": "Nul \u0000 ici"}}, "title.fr"),
        ({"title": {"fr": "\ud800"}}, "title.fr"),
        ({"description": {"fr": "x" * 5001}}, "description.fr"),
        ({"tags": ["x" * 51]}, "tags.0"),
        ({"tags": [f"t{n}" for n in range(21)]}, "tags"),
        ({"datasets": []}, "datasets"),
        ({"datasets": [str(uuid.uuid4()) for _ in range(51)]}, "datasets"),
        ({"url": "https://example.org/" + "a" * 2000}, "url"),
        ({"url": "javascript:alert(1)"}, "url"),
        ({"url": "http://10.0.0.8/admin"}, "url"),
        ({"url": "http://localhost:8003/"}, "url"),
        ({"url": "https://user:pw@example.org/"}, "url"),
        ({"image_url": "http://169.254.169.254/latest"}, "image_url"),
        ({"type": "malware"}, "type"),
        ({"topic": "everything"}, "topic"),
        ({"owner": "someone-else"}, "owner"),
    ],
)
def test_oversized_or_malformed_fields_are_refused_by_name(
    reuse: ReuseHarness, setup: dict[str, Any], change: dict[str, Any], field: str
) -> None:
    # Sent as JSON text escaped to ASCII: a lone surrogate travels as "\ud800", as a client's.
    body = json.dumps({**reuse_body("securite-budget"), **change})
    problem = refused(
        reuse,
        "POST",
        "/api/v1/reuses",
        setup["owner"],
        422,
        content=body,
        headers={"content-type": "application/json"},
    )
    assert field in [error["field"] for error in problem["errors"]], problem


def test_a_change_cannot_remove_what_a_reuse_needs(
    reuse: ReuseHarness, setup: dict[str, Any]
) -> None:
    path = f"/api/v1/reuses/{setup['reuse']['id']}"
    for field in ("title", "url", "datasets"):
        problem = refused(reuse, "PATCH", path, setup["owner"], 422, json={field: None})
        assert f"{field} cannot be removed" in problem["detail"]


def test_bodies_and_queries_beyond_the_limits(reuse: ReuseHarness, setup: dict[str, Any]) -> None:
    huge = reuse_body("securite-budget", title={"fr": "x" * (2 * 1024 * 1024)})
    problem = refused(reuse, "POST", "/api/v1/reuses", setup["owner"], 413, json=huge)
    assert problem["type"] == PROBLEMS + "payload-too-large"
    deep: Any = "x"
    for _ in range(40):
        deep = [deep]
    body = json.dumps({**reuse_body("securite-budget"), "tags": deep})
    problem = refused(
        reuse,
        "POST",
        "/api/v1/reuses",
        setup["owner"],
        400,
        content=body,
        headers={"content-type": "application/json"},
    )
    assert problem["type"] == PROBLEMS + "json-too-deep"
    for params in ({"q": "x" * 201}, {"page": 10**7}, {"type": "malware"}, {"dataset": "x"}):
        assert reuse.client.get("/api/v1/reuses", params=params).status_code == 422, params
