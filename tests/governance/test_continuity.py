"""Update continuity: schedules from the catalog's events, overdue detection and alerts."""

from __future__ import annotations

import asyncio
import contextlib
import os
import subprocess
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from libs.auth import Role
from libs.events import Topic
from libs.events.schemas import (
    DatasetOverdue,
    DatasetPublished,
    DatasetUpdated,
    DatasetWithdrawn,
    LocalizedText,
)
from services.governance.domain.audit import SYSTEM
from services.governance.domain.continuity import check_overdue
from services.governance.models import Institution, TrackedDataset
from services.governance.workers import check_overdue_periodically
from tests.governance.conftest import (
    GovernanceHarness,
    bearer,
    make_account,
    make_institution,
    of_type,
    produce_event,
    token_for,
    topic_events,
    wait_for,
)

REPO = Path(__file__).resolve().parents[2]
NOW = datetime.now(UTC)


@pytest.fixture(scope="module")
def institution(governance: GovernanceHarness) -> Institution:
    return make_institution(governance.engine)


@pytest.fixture(scope="module")
def admin_headers(governance: GovernanceHarness) -> dict[str, str]:
    admin = make_account(governance.engine, is_admin=True)
    return bearer(token_for(governance.codec, admin, (Role.ADMIN, None)))


def published(
    institution_id: uuid.UUID, frequency: str | None, last_update: datetime | None, **extra: object
) -> DatasetPublished:
    dataset_id = uuid.uuid4()
    return DatasetPublished(
        dataset_id=dataset_id,
        slug=f"ds-{dataset_id.hex[:8]}",
        institution_id=institution_id,
        title=LocalizedText(fr="Indice des prix", ar="مؤشر الأثمان"),
        license_id="odc-odbl",
        license_is_open=True,
        formats=["CSV"],
        frequency=frequency,
        published_at=NOW - timedelta(days=400),
        last_data_update=last_update,
        **extra,
    )


def tracked(governance: GovernanceHarness, dataset_id: uuid.UUID) -> TrackedDataset | None:
    with governance.session() as session:
        return session.get(TrackedDataset, dataset_id)


async def publish_and_wait(governance: GovernanceHarness, data: DatasetPublished) -> None:
    await produce_event(governance.platform, data)
    wait_for(lambda: tracked(governance, data.dataset_id), what="the dataset's schedule")


async def test_overdue_datasets_are_flagged_once_per_missed_period(
    governance: GovernanceHarness, institution: Institution, admin_headers: dict[str, str]
) -> None:
    client = governance.client
    late = published(institution.id, "MONTHLY", NOW - timedelta(days=60))
    fresh = published(institution.id, "ANNUAL", NOW - timedelta(days=10))
    irregular = published(institution.id, "IRREG", NOW - timedelta(days=2000))
    never_updated = published(institution.id, "QUARTERLY", None)  # published 400 days ago
    for data in (late, fresh, irregular, never_updated):
        await publish_and_wait(governance, data)

    schedules = client.get(f"/api/v1/schedules?institution_id={institution.id}").json()
    by_id = {s["dataset_id"]: s for s in schedules["items"]}
    assert schedules["total"] == 4
    assert by_id[str(late.dataset_id)]["overdue"] is True
    assert by_id[str(fresh.dataset_id)]["overdue"] is False
    assert by_id[str(irregular.dataset_id)]["due_at"] is None
    assert by_id[str(never_updated.dataset_id)]["overdue"] is True

    run = client.post("/api/v1/schedules/check", headers=admin_headers)
    assert run.status_code == 200, run.text
    flagged = {f["dataset_id"]: f for f in run.json()["flagged"]}
    assert set(flagged) == {str(late.dataset_id), str(never_updated.dataset_id)}
    grace = timedelta(days=governance.settings.overdue_grace_days)
    assert late.last_data_update is not None
    expected_due = late.last_data_update + timedelta(days=31) + grace
    assert datetime.fromisoformat(flagged[str(late.dataset_id)]["due_at"]) == expected_due

    events = await topic_events(
        governance.platform,
        Topic.GOVERNANCE_SCHEDULES,
        where=of_type(DatasetOverdue, dataset_id=late.dataset_id),
    )
    alert = events[0].payload()
    assert isinstance(alert, DatasetOverdue)
    assert alert.institution_id == institution.id and alert.frequency == "MONTHLY"
    assert alert.last_data_update == late.last_data_update and alert.due_at == expected_due
    assert events[0].subject == str(late.dataset_id)

    # The same period is not announced twice…
    assert client.post("/api/v1/schedules/check", headers=admin_headers).json()["count"] == 0
    # …but one more missed month is.
    grace = timedelta(days=governance.settings.overdue_grace_days)
    with governance.units() as uow:
        later = check_overdue(uow, SYSTEM, grace=grace, now=NOW + timedelta(days=32))
        uow.commit()
    assert [a.dataset_id for a in later if a.dataset_id == late.dataset_id] == [late.dataset_id]
    assert [a.due_at for a in later if a.dataset_id == late.dataset_id] == [
        expected_due + timedelta(days=31)
    ]

    overdue = client.get(f"/api/v1/institutions/{institution.id}/overdue").json()
    assert [o["dataset_id"] for o in overdue["items"]] == [
        str(never_updated.dataset_id),
        str(late.dataset_id),
    ]
    assert overdue["items"][1]["overdue_days"] == (NOW - expected_due).days
    assert overdue["items"][1]["alerted"] is True
    dashboard = client.get(
        f"/api/v1/institutions/{institution.id}/dashboard", headers=admin_headers
    ).json()
    assert dashboard["overdue"]["count"] == 2
    assert dashboard["datasets"]["by_state"]["published"] == 4


async def test_an_update_ends_the_delay_and_a_withdrawal_stops_tracking(
    governance: GovernanceHarness, admin_headers: dict[str, str]
) -> None:
    institution = make_institution(governance.engine)
    client = governance.client
    late = published(institution.id, "WEEKLY", NOW - timedelta(days=30))
    other = published(institution.id, "DAILY", NOW - timedelta(days=30))
    for data in (late, other):
        await publish_and_wait(governance, data)
    assert client.get(f"/api/v1/institutions/{institution.id}/overdue").json()["total"] == 2

    await produce_event(
        governance.platform,
        DatasetUpdated(
            dataset_id=late.dataset_id,
            slug=late.slug,
            institution_id=institution.id,
            frequency="WEEKLY",
            formats=["CSV"],
            last_data_update=NOW - timedelta(hours=1),
            updated_at=NOW,
        ),
    )
    await produce_event(
        governance.platform,
        DatasetWithdrawn(
            dataset_id=other.dataset_id,
            slug=other.slug,
            institution_id=institution.id,
            withdrawn_at=NOW,
        ),
    )
    wait_for(
        lambda: (row := tracked(governance, other.dataset_id)) and not row.tracking,
        what="the withdrawal",
    )
    wait_for(
        lambda: (
            (row := tracked(governance, late.dataset_id))
            and row.last_data_update is not None
            and row.last_data_update > NOW - timedelta(days=1)
        ),
        what="the update",
    )
    assert client.get(f"/api/v1/institutions/{institution.id}/overdue").json()["total"] == 0
    flagged = client.post("/api/v1/schedules/check", headers=admin_headers).json()["flagged"]
    assert not {f["dataset_id"] for f in flagged} & {str(late.dataset_id), str(other.dataset_id)}
    schedules = client.get(f"/api/v1/schedules?institution_id={institution.id}").json()
    assert [s["dataset_id"] for s in schedules["items"]] == [str(late.dataset_id)]
    dashboard = client.get(
        f"/api/v1/institutions/{institution.id}/dashboard", headers=admin_headers
    ).json()
    assert dashboard["datasets"]["by_state"] == {
        "draft": 0,
        "submitted": 0,
        "published": 1,
        "withdrawn": 1,
    }


def test_only_admins_run_the_check(governance: GovernanceHarness, institution: Institution) -> None:
    reviewer = make_account(governance.engine, ("reviewer", institution.id))
    headers = bearer(token_for(governance.codec, reviewer, (Role.REVIEWER, institution.id)))
    assert governance.client.post("/api/v1/schedules/check", headers=headers).status_code == 403
    assert governance.client.post("/api/v1/schedules/check").status_code == 401
    missing = governance.client.get(f"/api/v1/institutions/{uuid.uuid4()}/overdue")
    assert missing.status_code == 404


async def test_the_cli_flags_overdue_datasets(governance: GovernanceHarness) -> None:
    institution = make_institution(governance.engine)
    late = published(institution.id, "QUARTERLY", NOW - timedelta(days=200))
    await publish_and_wait(governance, late)

    result = subprocess.run(
        [str(REPO / ".venv" / "bin" / "bayanat"), "governance", "check-overdue"],
        env={**os.environ, "GOVERNANCE_DATABASE_URL": governance.settings.database_url},
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    assert f"overdue: dataset {late.dataset_id}" in result.stdout
    # The command writes to the outbox; the running service relays the alert.
    events = await topic_events(
        governance.platform,
        Topic.GOVERNANCE_SCHEDULES,
        where=of_type(DatasetOverdue, dataset_id=late.dataset_id),
    )
    assert len(events) == 1


async def test_the_scheduled_check_runs_in_the_background(governance: GovernanceHarness) -> None:
    institution = make_institution(governance.engine)
    late = published(institution.id, "BIWEEKLY", NOW - timedelta(days=40))
    await publish_and_wait(governance, late)
    settings = governance.settings.model_copy(update={"overdue_check_interval_seconds": 0.2})
    worker = asyncio.create_task(check_overdue_periodically(governance.units, settings))
    try:
        for _ in range(300):
            row = tracked(governance, late.dataset_id)
            if row is not None and row.overdue_alerted_due_at is not None:
                break
            await asyncio.sleep(0.1)
        else:
            raise AssertionError("the background check did not flag the dataset")
    finally:
        worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await worker
    events = await topic_events(
        governance.platform,
        Topic.GOVERNANCE_SCHEDULES,
        where=of_type(DatasetOverdue, dataset_id=late.dataset_id),
    )
    assert len(events) == 1
