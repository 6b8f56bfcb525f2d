"""A steward's commands on a dataset, each against a unit of work on SQLite: what it changes,
what it publishes, what it refuses, and that readers' caches are told only once committed."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from libs.events.schemas import (
    DatasetSubmitted,
    DatasetUpdated,
    DatasetWithdrawn,
    InstitutionWithdrawn,
)
from libs.http.problems import Conflict, Forbidden, InvalidInput, NotFound
from services.catalog.domain import datasets
from services.catalog.domain.bounds import Title
from services.catalog.domain.datasets import DatasetCreate, DatasetFields
from services.catalog.domain.institutions import apply_withdrawal
from services.catalog.domain.views import load_view
from services.catalog.models import DatasetState
from tests.unit.catalog.conftest import (
    SIGNER,
    Catalog,
    admin,
    draft,
    enrol,
    published,
    reviewer,
    steward,
    submitted,
    uploaded,
)


def create(catalog: Catalog, institution_id: uuid.UUID, **fields: object) -> uuid.UUID:
    fields.setdefault("title", Title(fr="Budget de l'État", ar="ميزانية الدولة"))
    with catalog.unit() as uow:
        dataset = datasets.create_dataset(
            uow,
            steward(institution_id),
            data=DatasetCreate(institution_id=institution_id, **fields),
        )
        uow.commit()
        return dataset.id


def test_a_new_dataset_is_a_draft_with_a_free_slug_and_no_event(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    clears = catalog.cache.clears
    first = catalog.dataset(create(catalog, hcp, tags=["Budget ", "budget"], themes=["sante"]))
    second = catalog.dataset(create(catalog, hcp))
    assert (first.state, first.slug, second.slug) == (
        DatasetState.DRAFT,
        "budget-de-l-etat",
        "budget-de-l-etat-2",
    )
    with catalog.unit() as uow:
        view = load_view(uow.session, first)
        assert (view.tags, view.theme_names) == (["budget"], ["sante"])
    assert catalog.published() == []
    assert catalog.cache.clears == clears + 2


def test_a_steward_of_one_institution_needs_not_name_it(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    with catalog.unit() as uow:
        dataset = datasets.create_dataset(
            uow, steward(hcp), data=DatasetCreate(title=Title(fr="Budget"))
        )
        assert dataset.institution_id == hcp


def test_a_steward_of_several_institutions_names_one(catalog: Catalog) -> None:
    actor = steward(enrol(catalog, "hcp"), enrol(catalog, "mef"))
    with catalog.unit() as uow, pytest.raises(InvalidInput) as refused:
        datasets.create_dataset(uow, actor, data=DatasetCreate(title=Title(fr="Budget")))
    assert refused.value.extra["field"] == "institution_id"


def test_another_institutions_steward_is_forbidden(catalog: Catalog) -> None:
    hcp, mef = enrol(catalog, "hcp"), enrol(catalog, "mef")
    with catalog.unit() as uow, pytest.raises(Forbidden) as refused:
        datasets.create_dataset(
            uow, steward(mef), data=DatasetCreate(institution_id=hcp, title=Title(fr="x"))
        )
    assert refused.value.extra["institution_id"] == str(hcp)


def test_an_institution_not_enrolled_writes_no_new_dataset(catalog: Catalog) -> None:
    stranger = uuid.uuid4()
    with catalog.unit() as uow, pytest.raises(InvalidInput) as refused:
        datasets.create_dataset(
            uow,
            steward(stranger),
            data=DatasetCreate(institution_id=stranger, title=Title(fr="x")),
        )
    assert refused.value.extra["field"] == "institution_id"


def test_a_taken_slug_is_a_conflict(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    create(catalog, hcp, slug="budget-2024")
    with pytest.raises(Conflict) as refused:
        create(catalog, hcp, slug="budget-2024")
    assert (refused.value.code, refused.value.extra["field"]) == ("slug-taken", "slug")


def test_a_slug_taken_by_a_concurrent_twin_is_a_conflict_when_written(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    hcp = enrol(catalog)
    create(catalog, hcp, slug="budget-2024")
    # The twin committed between our check and our write: only the unique index sees it.
    monkeypatch.setattr(datasets, "_slug_taken", lambda *args, **kwargs: False)
    with pytest.raises(Conflict) as refused:
        create(catalog, hcp, slug="budget-2024")
    assert refused.value.code == "slug-taken"


def test_a_draft_is_edited_field_by_field(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = draft(catalog, hcp, version="1", frequency="ANNUAL")
    before = catalog.dataset(dataset_id)
    with catalog.unit() as uow:
        datasets.update_dataset(
            uow, steward(hcp), ref=dataset_id, changes=DatasetFields(version="2")
        )
        uow.commit()
    after = catalog.dataset(dataset_id)
    assert (after.version, after.frequency, after.title) == ("2", "ANNUAL", before.title)
    assert after.modified_at > before.modified_at
    assert catalog.published() == []


def test_a_title_is_never_removed(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = draft(catalog, hcp)
    with catalog.unit() as uow, pytest.raises(InvalidInput) as refused:
        datasets.update_dataset(
            uow, steward(hcp), ref=dataset_id, changes=DatasetFields(title=None)
        )
    assert refused.value.extra["field"] == "title"


def test_a_submitted_dataset_is_locked(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = submitted(catalog, hcp)
    with catalog.unit() as uow, pytest.raises(Conflict) as refused:
        datasets.update_dataset(
            uow, steward(hcp), ref=dataset_id, changes=DatasetFields(version="2")
        )
    assert (refused.value.code, refused.value.extra["state"]) == ("dataset-locked", "submitted")


def test_a_withdrawn_institutions_datasets_do_not_change(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = draft(catalog, hcp)
    with catalog.unit() as uow:
        apply_withdrawal(uow, InstitutionWithdrawn(institution_id=hcp, withdrawn_on=date.today()))
        uow.commit()
    with catalog.unit() as uow, pytest.raises(Conflict) as refused:
        datasets.update_dataset(
            uow, steward(hcp), ref=dataset_id, changes=DatasetFields(version="2")
        )
    assert refused.value.code == "institution-not-enrolled"


def test_a_reviewer_reads_but_does_not_write(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = draft(catalog, hcp)
    with catalog.unit() as uow, pytest.raises(Forbidden):
        datasets.update_dataset(
            uow, reviewer(hcp), ref=dataset_id, changes=DatasetFields(version="2")
        )


def test_an_admin_writes_for_any_institution(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = draft(catalog, hcp)
    with catalog.unit() as uow:
        datasets.update_dataset(uow, admin(), ref=dataset_id, changes=DatasetFields(version="9"))
        uow.commit()
    assert catalog.dataset(dataset_id).version == "9"


def test_a_draft_is_deleted_and_its_files_only_once_committed(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = draft(catalog, hcp, resources=0)
    key = uploaded(catalog, hcp, dataset_id).storage_key
    assert key is not None
    with catalog.unit() as uow:  # left without a commit: nothing happens
        datasets.delete_dataset(uow, steward(hcp), ref=dataset_id, store=catalog.store)
    assert catalog.store.exists(key)
    with catalog.unit() as uow:
        datasets.delete_dataset(uow, steward(hcp), ref=dataset_id, store=catalog.store)
        assert catalog.store.exists(key), "the file goes only once the unit commits"
        uow.commit()
    assert not catalog.store.exists(key)
    with catalog.unit() as uow, pytest.raises(NotFound):
        datasets.get_dataset(uow.session, dataset_id)


def test_a_published_dataset_is_not_deleted(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = published(catalog, hcp)
    with catalog.unit() as uow, pytest.raises(Conflict):
        datasets.delete_dataset(uow, steward(hcp), ref=dataset_id, store=catalog.store)


def test_a_submission_locks_the_draft_and_publishes_its_snapshot(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = draft(catalog, hcp, tags=["population"], frequency="ANNUAL")
    actor = steward(hcp)
    with catalog.unit() as uow:
        datasets.submit_dataset(uow, actor, ref=dataset_id, signer=SIGNER)
        assert catalog.published() == [], "the event is written with the unit's commit"
        uow.commit()
    dataset = catalog.dataset(dataset_id)
    assert dataset.state == DatasetState.SUBMITTED and dataset.submitted_at is not None
    snapshot = catalog.the_event(DatasetSubmitted)
    assert (snapshot.dataset_id, snapshot.slug, snapshot.institution_id) == (
        dataset_id,
        dataset.slug,
        hcp,
    )
    assert (snapshot.submitted_by, snapshot.tags, snapshot.frequency) == (
        actor.subject,
        ["population"],
        "ANNUAL",
    )
    assert [r.url for r in snapshot.resources] == ["https://data.example.ma/0.csv"]


def test_a_draft_without_resources_is_not_submitted(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = draft(catalog, hcp, resources=0)
    with catalog.unit() as uow, pytest.raises(InvalidInput) as refused:
        datasets.submit_dataset(uow, steward(hcp), ref=dataset_id, signer=SIGNER)
    assert refused.value.extra["field"] == "resources"


def test_a_published_dataset_is_withdrawn_with_its_reason(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = published(catalog, hcp)
    with catalog.unit() as uow:
        datasets.withdraw_dataset(uow, steward(hcp), ref=dataset_id, reason="  Remplacé  ")
        uow.commit()
    assert catalog.dataset(dataset_id).state == DatasetState.WITHDRAWN
    withdrawn = catalog.the_event(DatasetWithdrawn)
    assert (withdrawn.dataset_id, withdrawn.institution_id, withdrawn.reason) == (
        dataset_id,
        hcp,
        "Remplacé",
    )


def test_only_a_published_dataset_is_withdrawn(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = draft(catalog, hcp)
    with catalog.unit() as uow, pytest.raises(Conflict) as refused:
        datasets.withdraw_dataset(uow, steward(hcp), ref=dataset_id)
    assert refused.value.extra["required_state"] == "published"


def test_new_data_moves_the_last_update_and_is_announced(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = published(catalog, hcp)
    before = catalog.dataset(dataset_id).last_data_update
    with catalog.unit() as uow:
        datasets.record_data_update(uow, datasets.get_dataset(uow.session, dataset_id))
        uow.commit()
    after = catalog.dataset(dataset_id).last_data_update
    assert before is not None and after is not None and after > before
    update = catalog.the_event(DatasetUpdated)
    assert (update.last_data_update, update.formats) == (after, ["CSV"])


def test_a_unit_left_without_a_commit_leaves_nothing(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = draft(catalog, hcp)
    clears = catalog.cache.clears
    with catalog.unit() as uow:
        datasets.submit_dataset(uow, steward(hcp), ref=dataset_id, signer=SIGNER)
    assert catalog.dataset(dataset_id).state == DatasetState.DRAFT
    assert catalog.published() == []
    assert catalog.cache.clears == clears
