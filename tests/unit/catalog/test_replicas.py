"""What the catalog keeps of other services' events: the institutions governance enrols and
withdraws, and which reuses cite which datasets. Applying an event again leaves the same state."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from libs.events import new_event
from libs.events.schemas import (
    InstitutionEnrolled,
    InstitutionWithdrawn,
    LocalizedText,
    ReuseDeclared,
    ReuseRemoved,
    ReuseUpdated,
    ReviewDecided,
)
from services.catalog.domain.institutions import apply_enrolment, apply_withdrawal
from services.catalog.domain.reuses import (
    apply_reuse_declared,
    apply_reuse_removed,
    apply_reuse_updated,
)
from services.catalog.domain.views import get_dataset, load_view
from services.catalog.handlers import HANDLERS
from services.catalog.models import Institution
from tests.unit.catalog.conftest import Catalog, enrol, enrolled, published


def institution(catalog: Catalog, institution_id: uuid.UUID) -> Institution | None:
    with catalog.unit() as uow:
        found = uow.session.get(Institution, institution_id)
        if found is not None:
            uow.session.expunge(found)
        return found


def test_an_enrolled_institution_is_replicated_once_however_often_applied(
    catalog: Catalog,
) -> None:
    event = enrolled(slug="anrt")
    for _ in range(2):
        with catalog.unit() as uow:
            apply_enrolment(uow, event)
            uow.commit()
    replica = institution(catalog, event.institution_id)
    assert replica is not None
    assert (replica.slug, replica.acronym, replica.kind, replica.active) == (
        "anrt",
        "HCP",
        "public_body",
        True,
    )
    assert replica.title == {"fr": "Haut-Commissariat au Plan", "ar": "المندوبية السامية للتخطيط"}
    assert catalog.cache.clears == 2


def test_a_slug_another_institution_holds_is_made_unique(catalog: Catalog) -> None:
    enrol(catalog, "hcp")
    other = enrolled(slug="hcp")
    with catalog.unit() as uow:
        apply_enrolment(uow, other)
        uow.commit()
    replica = institution(catalog, other.institution_id)
    assert replica is not None and replica.slug == f"hcp-{other.institution_id.hex[:8]}"


def test_a_withdrawal_deactivates_and_a_new_enrolment_reactivates(catalog: Catalog) -> None:
    event = enrolled()
    with catalog.unit() as uow:
        apply_enrolment(uow, event)
        apply_withdrawal(
            uow,
            InstitutionWithdrawn(
                institution_id=event.institution_id, withdrawn_on=date(2024, 6, 30)
            ),
        )
        uow.commit()
    withdrawn = institution(catalog, event.institution_id)
    assert withdrawn is not None
    assert (withdrawn.active, withdrawn.withdrawn_on) == (False, date(2024, 6, 30))
    with catalog.unit() as uow:
        apply_enrolment(uow, event.model_copy(update={"acronym": "HCP-MA"}))
        uow.commit()
    again = institution(catalog, event.institution_id)
    assert again is not None
    assert (again.active, again.withdrawn_on, again.acronym) == (True, None, "HCP-MA")


def test_the_withdrawal_of_an_unknown_institution_is_ignored(catalog: Catalog) -> None:
    unknown = InstitutionWithdrawn(institution_id=uuid.uuid4(), withdrawn_on=date(2024, 6, 30))
    with catalog.unit() as uow:
        assert apply_withdrawal(uow, unknown) is None
    assert institution(catalog, unknown.institution_id) is None


def reuse_counts(catalog: Catalog, *dataset_ids: uuid.UUID) -> list[int]:
    with catalog.unit() as uow:
        return [
            load_view(uow.session, get_dataset(uow.session, d)).reuse_count for d in dataset_ids
        ]


def declared(reuse_id: uuid.UUID, *dataset_ids: uuid.UUID) -> ReuseDeclared:
    return ReuseDeclared(
        reuse_id=reuse_id,
        title=LocalizedText(fr="Carte des services publics"),
        reuse_type="application",
        url="https://carte.example.ma",
        dataset_ids=list(dataset_ids),
        developer_id=uuid.uuid4(),
        declared_at=datetime.now(UTC),
    )


def updated(reuse_id: uuid.UUID, *dataset_ids: uuid.UUID) -> ReuseUpdated:
    return ReuseUpdated(
        reuse_id=reuse_id,
        title=LocalizedText(fr="Carte des services publics"),
        reuse_type="application",
        url="https://carte.example.ma",
        dataset_ids=list(dataset_ids),
        updated_at=datetime.now(UTC),
    )


def test_a_declaration_counts_each_cited_dataset_once_however_often_applied(
    catalog: Catalog,
) -> None:
    hcp = enrol(catalog)
    first, second = published(catalog, hcp), published(catalog, hcp)
    event = declared(uuid.uuid4(), first, second, first)
    for _ in range(2):
        with catalog.unit() as uow:
            apply_reuse_declared(uow, event)
            uow.commit()
    assert reuse_counts(catalog, first, second) == [1, 1]


def test_an_update_replaces_the_cited_datasets_however_often_applied(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    first, second = published(catalog, hcp), published(catalog, hcp)
    reuse_id = uuid.uuid4()
    with catalog.unit() as uow:
        apply_reuse_declared(uow, declared(reuse_id, first))
        uow.commit()
    clears = catalog.cache.clears
    for _ in range(2):
        with catalog.unit() as uow:
            apply_reuse_updated(uow, updated(reuse_id, second))
            uow.commit()
    assert reuse_counts(catalog, first, second) == [0, 1]
    assert catalog.cache.clears == clears + 2


def test_a_removal_drops_the_reuse_however_often_applied(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = published(catalog, hcp)
    kept, removed = uuid.uuid4(), uuid.uuid4()
    removal = ReuseRemoved(
        reuse_id=removed, dataset_ids=[dataset_id], removed_at=datetime.now(UTC), cause="rejected"
    )
    with catalog.unit() as uow:
        apply_reuse_declared(uow, declared(kept, dataset_id))
        apply_reuse_declared(uow, declared(removed, dataset_id))
        uow.commit()
    for _ in range(2):
        with catalog.unit() as uow:
            apply_reuse_removed(uow, removal)
            uow.commit()
    assert reuse_counts(catalog, dataset_id) == [1]


def test_each_consumed_event_has_its_handler_applying_it(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = published(catalog, hcp)
    event = declared(uuid.uuid4(), dataset_id)
    assert set(HANDLERS) == {
        ReviewDecided.event_type,
        InstitutionEnrolled.event_type,
        InstitutionWithdrawn.event_type,
        ReuseDeclared.event_type,
        ReuseUpdated.event_type,
        ReuseRemoved.event_type,
    }
    with catalog.unit() as uow:
        HANDLERS[event.event_type](uow, new_event("reuse", event), event)
        uow.commit()
    assert reuse_counts(catalog, dataset_id) == [1]
