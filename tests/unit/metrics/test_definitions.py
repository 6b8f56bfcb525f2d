"""Indicators, periods, commitments, activities and labels: data national admins edit."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from libs.auth import Principal, Role, RoleGrant
from libs.http.problems import Conflict, Forbidden, InvalidInput, NotFound
from services.metrics.domain import commitments, indicators, labels
from services.metrics.domain.progress import ActivityStatus, Margins, Schedule, Status
from tests.support.metrics_scenario import SEEDED_OVERALL_PROGRESS
from tests.support.units import SqliteUnits

ADMIN = Principal(subject=uuid.uuid4(), grants=[RoleGrant(role=Role.ADMIN)])
STEWARD = Principal(
    subject=uuid.uuid4(), grants=[RoleGrant(role=Role.STEWARD, institution_id=uuid.uuid4())]
)
COMMITMENT = "open-data-2018-2020"


def test_the_seeded_indicators_and_their_periods(units: SqliteUnits) -> None:
    with units() as uow:
        reports = indicators.indicator_reports(uow, as_of=date(2019, 8, 1), margins=Margins())
    by_code = {r.code: r for r in reports}
    assert list(by_code) == [
        "institutions_taking_part",
        "datasets_published",
        "reuse_initiatives",
        "open_licence",
        "machine_readable",
        "bulk_download",
        "up_to_date",
    ]
    expected = {"institutions_taking_part": (16, 32), "datasets_published": (136, 300)}
    expected["reuse_initiatives"] = (0, 20)
    for code, (baseline, target) in expected.items():
        period = by_code[code].period
        assert period is not None
        assert (period.baseline, period.target) == (baseline, target)
        assert (period.baseline_date, period.target_date) == (date(2018, 8, 1), date(2020, 8, 31))
        assert period.commitment == COMMITMENT
    # Nothing published on the platform yet: below the baseline, a year in.
    datasets = by_code["datasets_published"]
    assert datasets.value == 0 and datasets.status == Status.LATE
    assert datasets.period and datasets.period.progress_from_baseline == pytest.approx(
        -136 / 164, abs=1e-4
    )
    assert by_code["reuse_initiatives"].companion == 0
    assert by_code["open_licence"].kind == "share" and by_code["open_licence"].value is None


def test_the_seeded_commitment_and_its_seven_activities(units: SqliteUnits) -> None:
    with units() as uow:
        report = commitments.commitment_report(
            uow, COMMITMENT, as_of=date(2020, 8, 31), margins=Margins()
        )
    assert report.overall_progress == SEEDED_OVERALL_PROGRESS
    assert len(report.activities) == 7
    assert [a.schedule for a in report.activities] == [
        Schedule.DONE,
        Schedule.DONE,
        Schedule.LATE,
        Schedule.DONE,
        Schedule.LATE,
        Schedule.DONE,
        Schedule.LATE,
    ]
    assert report.activities_late == 3
    assert report.indicators == [
        "datasets_published",
        "institutions_taking_part",
        "reuse_initiatives",
    ]
    assert report.status == Status.LATE  # its end date has passed below 100%
    with units() as uow:
        earlier = commitments.commitment_report(
            uow, COMMITMENT, as_of=date(2020, 1, 15), margins=Margins()
        )
    assert [a.schedule for a in earlier.activities][4:] == [
        Schedule.ON_TIME,
        Schedule.DONE,
        Schedule.UPCOMING,
    ]


def test_only_a_national_admin_edits_definitions(units: SqliteUnits) -> None:
    with units() as uow, pytest.raises(Forbidden):
        indicators.update_indicator(
            uow, STEWARD, code="datasets_published", changes={"position": 9}
        )
    with units() as uow, pytest.raises(Forbidden):
        commitments.add_activity(
            uow,
            STEWARD,
            commitment=COMMITMENT,
            title={"fr": "x"},
            start=date(2020, 1, 1),
            end=date(2020, 2, 1),
        )
    with units() as uow, pytest.raises(Forbidden):
        labels.set_label(uow, STEWARD, dimension="theme", key="sante", name={"fr": "Santé"})


def test_an_admin_defines_an_indicator_with_two_periods_side_by_side(units: SqliteUnits) -> None:
    with units() as uow:
        indicators.create_indicator(
            uow,
            ADMIN,
            code="reuses_public",
            name={"fr": "Réutilisations publiques"},
            unit={"fr": "réutilisations"},
            measure="reuses_declared",
            moved_by=["ma.gov.data.reuse.declared.v2"],
        )
        indicators.add_period(
            uow,
            ADMIN,
            code="reuses_public",
            baseline=0,
            baseline_date=date(2018, 8, 1),
            target=20,
            target_date=date(2020, 8, 31),
            commitment=COMMITMENT,
        )
        indicators.add_period(
            uow,
            ADMIN,
            code="reuses_public",
            baseline=20,
            baseline_date=date(2021, 1, 1),
            target=60,
            target_date=date(2023, 12, 31),
        )
        uow.commit()
    with units() as uow:
        report = indicators.indicator_report(
            uow, "reuses_public", as_of=date(2022, 6, 1), margins=Margins()
        )
    assert len(report.periods) == 2
    assert report.period is not None and report.period.target == 60  # the one in force


def test_definitions_are_checked(units: SqliteUnits) -> None:
    with units() as uow, pytest.raises(Conflict):
        indicators.create_indicator(
            uow,
            ADMIN,
            code="datasets_published",
            name={"fr": "x"},
            unit={"fr": "x"},
            measure="datasets_published",
        )
    with units() as uow, pytest.raises(InvalidInput, match="measure"):
        indicators.create_indicator(
            uow, ADMIN, code="new_one", name={"fr": "x"}, unit={"fr": "x"}, measure="nothing"
        )
    with units() as uow, pytest.raises(InvalidInput, match="moved_by"):
        indicators.update_indicator(
            uow, ADMIN, code="datasets_published", changes={"moved_by": ["no.such.event"]}
        )
    with units() as uow, pytest.raises(InvalidInput, match="target_date"):
        indicators.add_period(
            uow,
            ADMIN,
            code="datasets_published",
            baseline=1,
            baseline_date=date(2020, 1, 1),
            target=2,
            target_date=date(2019, 1, 1),
        )
    with units() as uow, pytest.raises(InvalidInput, match="commitment"):
        indicators.add_period(
            uow,
            ADMIN,
            code="datasets_published",
            baseline=1,
            baseline_date=date(2020, 1, 1),
            target=2,
            target_date=date(2021, 1, 1),
            commitment="nope",
        )
    with units() as uow, pytest.raises(NotFound):
        indicators.delete_period(uow, ADMIN, code="datasets_published", period_id=uuid.uuid4())
    with units() as uow, pytest.raises(InvalidInput, match="progress"):
        commitments.add_activity(
            uow,
            ADMIN,
            commitment=COMMITMENT,
            title={"fr": "x"},
            start=date(2020, 1, 1),
            end=date(2020, 2, 1),
            status=ActivityStatus.DONE,
            progress=50,
        )
    with units() as uow, pytest.raises(InvalidInput, match="end"):
        commitments.update_commitment(
            uow, ADMIN, code=COMMITMENT, changes={"end": date(2017, 1, 1)}
        )


def test_reporting_an_activity_moves_the_overall_progress(units: SqliteUnits) -> None:
    with units() as uow:
        report = commitments.commitment_report(
            uow, COMMITMENT, as_of=date(2020, 8, 31), margins=Margins()
        )
        strategy = report.activities[2]
        commitments.update_activity(
            uow,
            ADMIN,
            commitment=COMMITMENT,
            activity_id=strategy.id,
            changes={
                "status": ActivityStatus.DONE,
                "progress": 100,
                "completed_on": date(2020, 2, 1),
            },
        )
        uow.commit()
    with units() as uow:
        after = commitments.commitment_report(
            uow, COMMITMENT, as_of=date(2020, 8, 31), margins=Margins()
        )
    assert after.overall_progress == round((100 * 5 + 90 * 2) / 7, 2)
    assert after.activities[2].schedule == Schedule.DONE_LATE


def test_labels_name_breakdown_keys_but_not_objects(units: SqliteUnits) -> None:
    with units() as uow:
        labels.set_label(uow, ADMIN, dimension="theme", key="sante", name={"fr": "Santé publique"})
        uow.commit()
    with units() as uow:
        assert {label.key: label.name for label in labels.list_labels(uow, "theme")}["sante"] == {
            "fr": "Santé publique"
        }
        with pytest.raises(InvalidInput):
            labels.set_label(uow, ADMIN, dimension="institution", key="x", name={"fr": "x"})
        with pytest.raises(NotFound):
            labels.list_labels(uow, "colour")
