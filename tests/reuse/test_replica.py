"""The replica of published datasets follows the catalog's events on the real topic."""

from __future__ import annotations

import time
from datetime import UTC, datetime

from sqlalchemy import func, select

from libs.events.schemas import DatasetUpdated
from services.reuse.models import messaging
from tests.reuse.conftest import ReuseHarness, reuse_body


def processed(harness: ReuseHarness) -> int:
    with harness.engine.connect() as connection:
        table = messaging.processed_events
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def test_published_updated_withdrawn_and_the_reuses_that_cite_them(reuse: ReuseHarness) -> None:
    published = reuse.publish_dataset("qualite-air", title={"fr": "Qualité de l'air"})
    row = reuse.replica(published.dataset_id)
    assert row is not None
    assert (row["slug"], row["title"]) == ("qualite-air", {"fr": "Qualité de l'air"})
    assert row["institution_id"] == published.institution_id
    key = reuse.developer_key()
    reuse_id = reuse.declare(key, "qualite-air")["id"]

    now = datetime.now(UTC)
    reuse.produce(
        DatasetUpdated(
            dataset_id=published.dataset_id,
            slug="qualite-de-l-air",
            institution_id=published.institution_id,
            formats=["CSV", "JSON"],
            last_data_update=now,
            updated_at=now,
        )
    )
    deadline = time.monotonic() + 30
    while (reuse.replica(published.dataset_id) or {}).get("slug") != "qualite-de-l-air":
        assert time.monotonic() < deadline, "the update did not reach the replica"
        time.sleep(0.1)
    shown = reuse.client.get(f"/api/v1/reuses/{reuse_id}").json()
    assert shown["datasets"][0]["slug"] == "qualite-de-l-air"

    withdrawn = reuse.withdraw_dataset(published.model_copy(update={"slug": "qualite-de-l-air"}))
    shown = reuse.client.get(f"/api/v1/reuses/{reuse_id}").json()
    (citation,) = shown["datasets"]
    assert citation["withdrawn"] is True and citation["title"]["fr"] == "Qualité de l'air"
    refused = reuse.client.post(
        "/api/v1/reuses", headers={"X-API-Key": key}, json=reuse_body("qualite-de-l-air")
    )
    assert refused.status_code == 422 and refused.json()["unpublished"] == ["qualite-de-l-air"]

    # Redelivered and replayed events change nothing: the same event twice, and the old
    # publication sent again as a new event.
    before = processed(reuse)
    (event,) = reuse.produce(withdrawn)
    reuse.produce(published)
    deadline = time.monotonic() + 30
    while processed(reuse) < before + 2:
        assert time.monotonic() < deadline, "the events were not processed"
        time.sleep(0.1)
    after = reuse.replica(published.dataset_id)
    assert after is not None and after["state"] == "withdrawn"
    assert after["withdrawn_at"] == withdrawn.withdrawn_at
    assert event.type.endswith("dataset.withdrawn.v1")
