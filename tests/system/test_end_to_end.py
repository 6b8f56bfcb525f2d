"""Publish → reuse → measure, end to end: the four services as processes on the real broker
and PostgreSQL, every step observed through the public APIs and on the topics.

An institution is enrolled → a steward drafts, uploads a CSV, submits → governance's automatic
checks pass → a reviewer approves → the dataset is published → a developer registers, verifies
his address, gets a key and declares a reuse of it → an admin verifies the reuse → the metrics
show one more institution, dataset and reuse. Then a withdrawal, a rejection and a removal,
each seen in every service concerned.
"""

from __future__ import annotations

import asyncio

from libs.events import Topic
from tests.support.infra import events_of, read_topic
from tests.support.platform import (
    Platform,
    _expect,
    draft_with_upload,
    indicator,
    publish,
    reuse_body,
    review_with_report,
    submit,
    wait_for,
    wait_for_state,
)


def value(platform: Platform, code: str) -> tuple[float, int | None]:
    report = indicator(platform, code)
    return report["value"], report["companion"]


def wait_for_value(platform: Platform, code: str, expected: float) -> None:
    wait_for(
        lambda: value(platform, code)[0] == expected,
        timeout=60,
        what=f"{code} = {expected} (now {value(platform, code)})",
    )


def types_on(platform: Platform, topic: Topic, subject: str, until: int) -> list[str]:
    """The types (``submitted``, ``published``…) of ``subject``'s events on ``topic``, once
    there are at least ``until`` of them."""

    def read() -> list[str] | None:
        records = asyncio.run(read_topic(platform.settings, topic.value, until=10**6, timeout=2))
        events = [event for event in events_of(records) if event.subject == subject]
        return [e.type.rsplit(".", 2)[-2] for e in events] if len(events) >= until else None

    return wait_for(read, timeout=30, what=f"{until} events of {subject} on {topic}")


def test_publish_reuse_measure_then_withdraw_reject_remove(system: Platform) -> None:
    people = system.people()
    wait_for_value(system, "institutions_taking_part", 1)
    assert value(system, "datasets_published")[0] == 0

    # Publish: draft, upload, submit, checks, approval, publication.
    dataset_id = publish(system, people)
    with system["catalog"].client() as http:  # anonymous: it is public now
        public = _expect(http.get(f"/api/v1/datasets/{dataset_id}"), 200)
        assert public["state"] == "published" and public["resources"][0]["uploaded"] is True
        csv = http.get(public["resources"][0]["download_url"])
        assert csv.status_code == 200 and csv.content.startswith(b"region,annee")
    assert types_on(system, Topic.CATALOG_DATASETS, dataset_id, until=2) == [
        "submitted",
        "published",
    ]
    assert types_on(system, Topic.GOVERNANCE_REVIEWS, dataset_id, until=2) == [
        "opened",
        "decided",
    ]
    wait_for_value(system, "datasets_published", 1)

    # Reuse: the developer of the people already registered, verified his address, got a key.
    with system["reuse"].client(**people.developer_headers) as http:
        wait_for(
            lambda: http.get(f"/api/v1/datasets/{dataset_id}/reuses").status_code == 200,
            timeout=60,
            what="the reuse service's replica of the published dataset",
        )
        _expect(http.post("/api/v1/reuses", json=reuse_body(dataset_id)), 201)
        mine = _expect(http.get("/api/v1/developers/me/reuses"), 200)["items"]
    reuse_id = mine[0]["id"]
    assert mine[0]["datasets"][0]["id"] == dataset_id
    wait_for(
        lambda: value(system, "reuse_initiatives") == (0, 1),
        timeout=60,
        what="one reuse declared, none verified yet",
    )
    with system["reuse"].client(**people.admin.headers) as http:
        _expect(http.post(f"/api/v1/reuses/{reuse_id}/verification"), 200)
    wait_for(
        lambda: value(system, "reuse_initiatives") == (1, 0),
        timeout=60,
        what="the verified reuse counted",
    )
    assert types_on(system, Topic.REUSE_REUSES, reuse_id, until=2) == ["declared", "verified"]
    with system["catalog"].client() as http:
        wait_for(
            lambda: http.get(f"/api/v1/datasets/{dataset_id}").json()["reuse_count"] == 1,
            timeout=60,
            what="the catalog's reuse count",
        )

    # A rejection: another dataset sent back to its steward with the reasons.
    rejected_id = draft_with_upload(
        system, people, title={"fr": "Naissances par région", "ar": "المواليد حسب الجهة"}
    )
    submit(system, people, rejected_id)
    review = review_with_report(system, people, rejected_id)
    with system["governance"].client(**people.reviewer.headers) as http:
        _expect(
            http.post(
                f"/api/v1/reviews/{review['id']}/request-changes",
                json={"reasons": ["Ajouter la source des chiffres"]},
            ),
            200,
        )
    wait_for_state(system, people, rejected_id, "draft")
    with system["catalog"].client(**people.steward.headers) as http:
        draft = _expect(http.get(f"/api/v1/datasets/{rejected_id}"), 200)
    assert "Ajouter la source des chiffres" in draft["rejection_reasons"]
    assert value(system, "datasets_published")[0] == 1

    # A removal: the developer deletes his reuse; nobody counts it any more.
    with system["reuse"].client(**people.developer_headers) as http:
        assert http.delete(f"/api/v1/reuses/{reuse_id}").status_code == 204
    wait_for(
        lambda: value(system, "reuse_initiatives") == (0, 0),
        timeout=60,
        what="the removed reuse no longer counted",
    )

    # A withdrawal: the published dataset leaves the catalogue and the count.
    with system["catalog"].client(**people.steward.headers) as http:
        withdrawn = http.post(
            f"/api/v1/datasets/{dataset_id}/withdraw", json={"reason": "remplacé"}
        )
        assert withdrawn.status_code == 200, withdrawn.text
    wait_for_value(system, "datasets_published", 0)
    with system["catalog"].client() as http:
        assert http.get(f"/api/v1/datasets/{dataset_id}").status_code == 404
    assert types_on(system, Topic.CATALOG_DATASETS, dataset_id, until=3)[-1] == "withdrawn"
