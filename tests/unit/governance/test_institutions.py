"""Institutions: creation, enrolment and withdrawal, with their events and audit entries."""

from __future__ import annotations

from datetime import date

import pytest

from libs.events.schemas import InstitutionEnrolled, InstitutionWithdrawn
from libs.fields import Localized
from libs.http.problems import Conflict
from services.governance.domain import institutions
from services.governance.models import InstitutionStatus
from tests.support.units import SqliteUnits
from tests.unit.governance.conftest import add_institution, admin, audit_actions

ADMIN = admin()


def test_an_institution_is_created_registered_and_audited_without_an_event(
    units: SqliteUnits,
) -> None:
    with units() as uow:
        created = institutions.create_institution(
            uow,
            ADMIN,
            slug="haut-commissariat-au-plan",
            name=Localized(fr="Haut-Commissariat au Plan", ar="المندوبية السامية للتخطيط"),
            acronym="",
            kind="public_body",
        )
        uow.commit()
    with units() as uow:
        assert audit_actions(uow) == ["institution.create"]
    assert created.status == InstitutionStatus.REGISTERED and created.acronym is None
    assert created.name == {"fr": "Haut-Commissariat au Plan", "ar": "المندوبية السامية للتخطيط"}
    assert units.published() == []


def test_a_slug_is_taken_once(units: SqliteUnits) -> None:
    existing = add_institution(units)
    with pytest.raises(Conflict) as taken, units() as uow:
        institutions.create_institution(
            uow, ADMIN, slug=existing.slug, name=Localized(fr="Une autre")
        )
    assert taken.value.code == "slug-taken" and taken.value.extra["field"] == "slug"


def test_enrolment_announces_the_institution(units: SqliteUnits) -> None:
    institution = add_institution(units)
    with units() as uow:
        enrolled = institutions.enrol_institution(
            uow,
            ADMIN,
            institution_id=institution.id,
            enrolled_on=date(2024, 3, 1),
            commitment_reference="CNDP-2024-01",
        )
        uow.commit()
    with units() as uow:
        assert audit_actions(uow)[-1] == "institution.enrol"
    assert enrolled.status == InstitutionStatus.ENROLLED
    [event] = units.published(InstitutionEnrolled.event_type)
    assert event.subject == str(institution.id)
    assert event.data["slug"] == institution.slug and event.data["enrolled_on"] == "2024-03-01"
    assert event.data["commitment_reference"] == "CNDP-2024-01"


def test_an_enrolled_institution_is_not_enrolled_again(units: SqliteUnits) -> None:
    institution = add_institution(units, enrolled=True)
    with pytest.raises(Conflict) as again, units() as uow:
        institutions.enrol_institution(uow, ADMIN, institution_id=institution.id)
    assert again.value.code == "already-enrolled"
    assert len(units.published(InstitutionEnrolled.event_type)) == 1


def test_an_edit_of_an_enrolled_institution_is_announced_again(units: SqliteUnits) -> None:
    institution = add_institution(units, enrolled=True)
    with units() as uow:
        institutions.update_institution(
            uow,
            ADMIN,
            institution_id=institution.id,
            changes=institutions.InstitutionUpdate(acronym="HCP"),
        )
        uow.commit()
    last = units.published(InstitutionEnrolled.event_type)[-1]
    assert last.data["acronym"] == "HCP"


def test_withdrawal_announces_it_and_only_an_enrolled_institution_withdraws(
    units: SqliteUnits,
) -> None:
    institution = add_institution(units, enrolled=True)
    with units() as uow:
        withdrawn = institutions.withdraw_institution(
            uow, ADMIN, institution_id=institution.id, reason="merged"
        )
        uow.commit()
    assert withdrawn.status == InstitutionStatus.WITHDRAWN
    [event] = units.published(InstitutionWithdrawn.event_type)
    assert event.data["reason"] == "merged"
    with pytest.raises(Conflict) as not_enrolled, units() as uow:
        institutions.withdraw_institution(uow, ADMIN, institution_id=institution.id)
    assert not_enrolled.value.code == "not-enrolled"
