"""Update continuity: schedules, overdue detection, and the appliers of the catalog's events."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from libs.events.schemas import (
    DatasetOverdue,
    DatasetPublished,
    DatasetUpdated,
    DatasetWithdrawn,
    LocalizedText,
)
from services.governance.domain import continuity
from services.governance.domain.audit import SYSTEM
from services.governance.domain.continuity import Schedule, check_overdue, schedule_of
from services.governance.models import TrackedDataset
from tests.support.units import SqliteUnits
from tests.unit.governance.conftest import admin, audit_actions

NOW = datetime(2025, 6, 1, 12, tzinfo=UTC)
GRACE = timedelta(days=7)
MONTH = timedelta(days=31)  # the EU frequency MONTHLY's period


def row(frequency: str | None, last_update: datetime | None) -> TrackedDataset:
    return TrackedDataset(
        dataset_id=uuid.uuid4(),
        institution_id=uuid.uuid4(),
        slug="ds",
        state="published",
        frequency=frequency,
        published_at=NOW - timedelta(days=400),
        last_data_update=last_update,
    )


def published(frequency: str, last_update: datetime) -> DatasetPublished:
    dataset_id = uuid.uuid4()
    return DatasetPublished(
        dataset_id=dataset_id,
        slug=f"ds-{dataset_id.hex[:8]}",
        institution_id=uuid.uuid4(),
        title=LocalizedText(fr="Indice des prix"),
        frequency=frequency,
        published_at=NOW - timedelta(days=400),
        last_data_update=last_update,
    )


def updated(data: DatasetPublished, last_update: datetime) -> DatasetUpdated:
    return DatasetUpdated(
        dataset_id=data.dataset_id,
        slug=data.slug,
        institution_id=data.institution_id,
        frequency=data.frequency or "MONTHLY",
        last_data_update=last_update,
        updated_at=NOW,
    )


# --- schedules (pure) ---------------------------------------------------------------------------


def test_the_first_due_date_is_the_last_update_plus_the_period_plus_the_grace() -> None:
    schedule = schedule_of(row("MONTHLY", NOW - timedelta(days=10)), GRACE)
    assert schedule == Schedule(MONTH, NOW - timedelta(days=10) + MONTH + GRACE)


def test_before_any_update_the_publication_is_the_base() -> None:
    schedule = schedule_of(row("QUARTERLY", None), GRACE)
    assert schedule is not None
    assert schedule.first_due == NOW - timedelta(days=400) + schedule.period + GRACE


def test_a_live_feed_is_due_minutes_after_its_last_update_without_grace() -> None:
    schedule = schedule_of(row("1MIN", NOW - timedelta(minutes=3)), timedelta(0))
    assert schedule == Schedule(timedelta(minutes=1), NOW - timedelta(minutes=2))
    assert schedule.overdue_at(NOW)
    # Two whole minutes missed: the latest missed period is the one due a minute ago.
    assert schedule.due_at(NOW) == NOW
    hourly = schedule_of(row("HOURLY", NOW - timedelta(minutes=30)), timedelta(0))
    assert hourly is not None and not hourly.overdue_at(NOW)


def test_irregular_unknown_or_missing_frequencies_have_no_schedule() -> None:
    for frequency in ("IRREG", "UNKNOWN", "NEVER", None, "EVERY-FULL-MOON"):
        assert schedule_of(row(frequency, NOW), GRACE) is None


def test_a_dataset_is_overdue_once_its_first_due_date_is_past() -> None:
    schedule = Schedule(MONTH, NOW)
    assert not schedule.overdue_at(NOW)
    assert schedule.overdue_at(NOW + timedelta(seconds=1))


def test_the_due_date_is_that_of_the_latest_missed_period() -> None:
    schedule = Schedule(MONTH, NOW)
    assert schedule.due_at(NOW - timedelta(days=3)) == NOW
    assert schedule.due_at(NOW + timedelta(days=30)) == NOW
    assert schedule.due_at(NOW + MONTH) == NOW + MONTH
    assert schedule.due_at(NOW + 2 * MONTH + timedelta(days=1)) == NOW + 2 * MONTH


# --- the overdue check (on a unit of work) ------------------------------------------------------


def test_one_alert_per_missed_period(units: SqliteUnits) -> None:
    late = published("MONTHLY", NOW - timedelta(days=60))
    fresh = published("ANNUAL", NOW - timedelta(days=10))
    with units() as uow:
        continuity.apply_publication(uow, late)
        continuity.apply_publication(uow, fresh)
        uow.commit()

    with units() as uow:
        alerts = check_overdue(uow, SYSTEM, grace=GRACE, now=NOW)
        uow.commit()
    first_due = NOW - timedelta(days=60) + MONTH + GRACE
    assert [(a.dataset_id, a.due_at) for a in alerts] == [(late.dataset_id, first_due)]
    events = units.published(DatasetOverdue.event_type)
    assert [e.subject for e in events] == [str(late.dataset_id)]
    with units() as uow:
        tracked = uow.session.get(TrackedDataset, late.dataset_id)
        assert tracked is not None and tracked.overdue_since == first_due
        assert audit_actions(uow) == ["schedule.check"]

    with units() as uow:  # the same period again: nothing, and a scheduled run leaves no trace
        assert check_overdue(uow, SYSTEM, grace=GRACE, now=NOW + timedelta(days=1)) == []
        uow.commit()
        assert audit_actions(uow) == ["schedule.check"]
    with units() as uow:  # one more missed month: alerted again
        again = check_overdue(uow, SYSTEM, grace=GRACE, now=NOW + MONTH)
        uow.commit()
    assert [a.due_at for a in again] == [first_due + MONTH]
    assert len(units.published(DatasetOverdue.event_type)) == 2


def test_a_requested_check_is_audited_even_when_it_flags_nothing(units: SqliteUnits) -> None:
    with units() as uow:
        assert check_overdue(uow, admin(), grace=GRACE, now=NOW) == []
        uow.commit()
        assert audit_actions(uow) == ["schedule.check"]


# --- the appliers -------------------------------------------------------------------------------


def test_an_update_starts_a_new_schedule_and_applying_it_twice_changes_nothing(
    units: SqliteUnits,
) -> None:
    data = published("MONTHLY", NOW - timedelta(days=60))
    with units() as uow:
        continuity.apply_publication(uow, data)
        check_overdue(uow, SYSTEM, grace=GRACE, now=NOW)
        uow.commit()
    update = updated(data, NOW - timedelta(hours=1))
    for _ in range(2):
        with units() as uow:
            continuity.apply_update(uow, update)
            uow.commit()
    with units() as uow:
        tracked = uow.session.get(TrackedDataset, data.dataset_id)
        assert tracked is not None
        assert tracked.last_data_update == update.last_data_update
        assert tracked.overdue_since is None and tracked.overdue_alerted_due_at is None
        assert (tracked.state, tracked.tracking) == ("published", True)


def test_an_older_update_does_not_move_the_last_update_back(units: SqliteUnits) -> None:
    data = published("MONTHLY", NOW - timedelta(days=2))
    with units() as uow:
        continuity.apply_publication(uow, data)
        continuity.apply_update(uow, updated(data, NOW - timedelta(days=90)))
        uow.commit()
        tracked = uow.session.get(TrackedDataset, data.dataset_id)
        assert tracked is not None and tracked.last_data_update == data.last_data_update


def test_a_withdrawal_stops_tracking(units: SqliteUnits) -> None:
    data = published("WEEKLY", NOW - timedelta(days=60))
    with units() as uow:
        continuity.apply_publication(uow, data)
        continuity.apply_withdrawal(
            uow,
            DatasetWithdrawn(
                dataset_id=data.dataset_id,
                slug=data.slug,
                institution_id=data.institution_id,
                withdrawn_at=NOW,
            ),
        )
        uow.commit()
    with units() as uow:
        assert check_overdue(uow, SYSTEM, grace=GRACE, now=NOW) == []
        tracked = uow.session.get(TrackedDataset, data.dataset_id)
        assert tracked is not None and (tracked.state, tracked.tracking) == ("withdrawn", False)
