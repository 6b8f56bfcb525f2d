"""A dataset's resources: links and uploads on a draft, new data for a published dataset, and
files that go only once the change that drops them is committed."""

from __future__ import annotations

import uuid

import pytest

from libs.events.schemas import DatasetUpdated
from libs.http.problems import Conflict, InvalidInput
from services.catalog.domain import resources
from services.catalog.domain.bounds import Title
from services.catalog.domain.datasets import get_dataset, publish_submitted, submit_dataset
from services.catalog.domain.resources import DataUpdate, ResourceFields, resolve_format
from services.catalog.domain.views import load_view
from services.catalog.models import Resource
from tests.unit.catalog.conftest import (
    SIGNER,
    Catalog,
    draft,
    enrol,
    published,
    steward,
    submitted,
    uploaded,
)


def resources_of(catalog: Catalog, dataset_id: uuid.UUID) -> list[Resource]:
    with catalog.unit() as uow:
        view = load_view(uow.session, get_dataset(uow.session, dataset_id))
        for resource in view.resources:
            uow.session.expunge(resource)
        return view.resources


@pytest.mark.parametrize(
    ("given", "filename", "url", "media_type", "code"),
    [
        ("csv", None, None, None, "CSV"),
        (".xlsx", None, None, None, "XLSX"),
        ("text/csv", None, None, None, "CSV"),
        (None, "relevés.geojson", None, None, "GEOJSON"),
        (None, None, "https://x.ma/data/export.json?v=2", None, "JSON"),
        (None, None, None, "application/ld+json", "JSONLD"),
    ],
)
def test_a_format_is_normalised_or_guessed(
    given: str | None, filename: str | None, url: str | None, media_type: str | None, code: str
) -> None:
    assert resolve_format(given, filename=filename, url=url, media_type=media_type) == code


@pytest.mark.parametrize(("given", "url"), [("SPSS", None), (None, "https://x.ma/data")])
def test_an_unknown_or_unguessable_format_is_refused(given: str | None, url: str | None) -> None:
    with pytest.raises(InvalidInput) as refused:
        resolve_format(given, filename=None, url=url, media_type=None)
    assert refused.value.extra["field"] == "format"


def test_a_link_is_added_to_a_draft_with_its_format_and_title(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = draft(catalog, hcp, resources=0)
    with catalog.unit() as uow:
        resources.add_resource(
            uow,
            steward(hcp),
            ref=dataset_id,
            data=ResourceFields(url="https://x.ma/lits.csv", description=None),
        )
        uow.commit()
    [resource] = resources_of(catalog, dataset_id)
    assert (resource.format, resource.media_type, resource.title) == (
        "CSV",
        "text/csv",
        {"fr": "lits.csv"},
    )
    assert catalog.published() == []


def test_an_upload_is_measured_by_the_catalog(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = draft(catalog, hcp, resources=0)
    upload = catalog.store.save([b"a,b\n1,2\n"], "mesures.csv", "application/octet-stream")
    with catalog.unit() as uow:
        resources.add_resource(
            uow, steward(hcp), ref=dataset_id, data=ResourceFields(), upload=upload
        )
        uow.commit()
    [resource] = resources_of(catalog, dataset_id)
    assert (resource.size, resource.sha256, resource.storage_key) == (
        upload.size,
        upload.sha256,
        upload.key,
    )
    assert (resource.format, resource.media_type, resource.url) == ("CSV", "text/csv", None)


def test_an_upload_takes_no_url_size_or_digest_from_the_client(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = draft(catalog, hcp, resources=0)
    upload = catalog.store.save([b"x"], "x.csv")
    with catalog.unit() as uow, pytest.raises(InvalidInput) as refused:
        resources.add_resource(
            uow, steward(hcp), ref=dataset_id, data=ResourceFields(size=1), upload=upload
        )
    assert refused.value.extra["field"] == "size"


def test_a_stored_upload_goes_when_its_unit_fails(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = submitted(catalog, hcp)  # locked: the resource is refused
    upload = catalog.store.save([b"x"], "x.csv")
    with (
        pytest.raises(Conflict),
        resources.discard_on_error(catalog.store, upload),
        catalog.unit() as uow,
    ):
        resources.add_resource(
            uow, steward(hcp), ref=dataset_id, data=ResourceFields(), upload=upload
        )
    assert not catalog.store.exists(upload.key)


def test_a_drafts_resource_is_edited_keeping_the_format_it_has(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = draft(catalog, hcp)
    [resource] = resources_of(catalog, dataset_id)
    changes = ResourceFields(url="https://x.ma/v2/data.xml", title=Title(ar="واجهة"))
    with catalog.unit() as uow:
        resources.update_resource(
            uow, steward(hcp), ref=dataset_id, resource_id=resource.id, changes=changes
        )
        uow.commit()
    [edited] = resources_of(catalog, dataset_id)
    assert (edited.url, edited.format, edited.title) == (
        "https://x.ma/v2/data.xml",
        "CSV",
        {"ar": "واجهة"},
    )


def test_an_uploaded_files_url_is_the_catalogs(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = draft(catalog, hcp, resources=0)
    upload = catalog.store.save([b"x"], "x.csv")
    with catalog.unit() as uow:
        resource = resources.add_resource(
            uow, steward(hcp), ref=dataset_id, data=ResourceFields(), upload=upload
        )
        with pytest.raises(InvalidInput) as refused:
            resources.update_resource(
                uow,
                steward(hcp),
                ref=dataset_id,
                resource_id=resource.id,
                changes=ResourceFields(url="https://x.ma/y.csv"),
            )
    assert refused.value.extra["field"] == "url"


def test_a_removed_resources_file_goes_once_committed(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = draft(catalog, hcp, resources=0)
    resource = uploaded(catalog, hcp, dataset_id)
    assert resource.storage_key is not None
    with catalog.unit() as uow:
        resources.delete_resource(
            uow, steward(hcp), ref=dataset_id, resource_id=resource.id, store=catalog.store
        )
        assert catalog.store.exists(resource.storage_key)
        uow.commit()
    assert not catalog.store.exists(resource.storage_key)
    assert resources_of(catalog, dataset_id) == []


def test_a_published_datasets_resources_change_only_through_new_data(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = published(catalog, hcp)
    with catalog.unit() as uow, pytest.raises(Conflict) as refused:
        resources.add_resource(
            uow, steward(hcp), ref=dataset_id, data=ResourceFields(url="https://x.ma/b.csv")
        )
    assert "data-updates" in refused.value.detail


def test_new_data_adds_a_resource_and_is_announced(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = published(catalog, hcp)
    update = DataUpdate(resource=ResourceFields(url="https://x.ma/lits-2024.xlsx"))
    with catalog.unit() as uow:
        resources.publish_data_update(
            uow, steward(hcp), ref=dataset_id, update=update, store=catalog.store
        )
        uow.commit()
    assert [r.format for r in resources_of(catalog, dataset_id)] == ["CSV", "XLSX"]
    assert catalog.the_event(DatasetUpdated).formats == ["CSV", "XLSX"]


def test_new_content_replaces_a_file_which_goes_once_committed(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = draft(catalog, hcp, resources=0)
    resource = uploaded(catalog, hcp, dataset_id, b"2023")
    old_key = resource.storage_key
    assert old_key is not None
    _publish(catalog, dataset_id, hcp)
    new = catalog.store.save([b"2023\n2024"], "serie.csv")
    update = DataUpdate(replace_resource_id=resource.id)
    with catalog.unit() as uow:
        resources.publish_data_update(
            uow, steward(hcp), ref=dataset_id, update=update, upload=new, store=catalog.store
        )
        assert catalog.store.exists(old_key)
        uow.commit()
    [replaced] = resources_of(catalog, dataset_id)
    assert (replaced.id, replaced.storage_key, replaced.size) == (resource.id, new.key, new.size)
    assert not catalog.store.exists(old_key)


def test_a_replacement_needs_new_content(catalog: Catalog) -> None:
    hcp = enrol(catalog)
    dataset_id = published(catalog, hcp)
    [resource] = resources_of(catalog, dataset_id)
    update = DataUpdate(replace_resource_id=resource.id)
    with catalog.unit() as uow, pytest.raises(InvalidInput) as refused:
        resources.publish_data_update(
            uow, steward(hcp), ref=dataset_id, update=update, store=catalog.store
        )
    assert refused.value.extra["field"] == "resource"


def _publish(catalog: Catalog, dataset_id: uuid.UUID, institution_id: uuid.UUID) -> None:
    with catalog.unit() as uow:
        dataset = submit_dataset(uow, steward(institution_id), ref=dataset_id, signer=SIGNER)
        publish_submitted(uow, dataset)
        uow.commit()
