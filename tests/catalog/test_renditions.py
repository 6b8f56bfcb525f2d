"""The read model: a published dataset's native JSON and CKAN package dict are stored as bytes,
served as stored, equal to what the views would render, and emptied by every change of what
they show (the dataset, its resources, its institution, the reuses citing it)."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import col, select

from libs.events.schemas import InstitutionEnrolled, LocalizedText, ReuseDeclared
from services.catalog.api.schemas import DatasetOut
from services.catalog.cli import render_published
from services.catalog.domain import renditions
from services.catalog.domain.ckan import (
    Params,
    Site,
    current_package_list_with_resources,
    json_bytes,
    package_dict,
)
from services.catalog.domain.datasets import touch
from services.catalog.domain.institutions import apply_enrolment
from services.catalog.domain.reuses import apply_reuse_declared
from services.catalog.domain.views import find_view
from services.catalog.models import Dataset, DatasetRendition, DatasetState
from tests.catalog.conftest import (
    TEST_BASE_URL,
    CatalogHarness,
    create_published_dataset,
    enrol_organization,
)


def _stored(catalog: CatalogHarness, dataset_id: uuid.UUID) -> DatasetRendition:
    with catalog.session() as session:
        row = session.exec(
            select(DatasetRendition).where(col(DatasetRendition.dataset_id) == dataset_id)
        ).first()
    assert row is not None, "no rendition row"
    return row


def _rendered(catalog: CatalogHarness, dataset_id: uuid.UUID) -> tuple[bytes, bytes]:
    """What the views render now: the native JSON and the package dict."""
    with catalog.session() as session:
        view = find_view(session, dataset_id)
        assert view is not None
        native = DatasetOut.of(view, TEST_BASE_URL).model_dump_json().encode()
        return native, json_bytes(package_dict(view, Site(url=TEST_BASE_URL)))


def _read_both(catalog: CatalogHarness, ref: str) -> tuple[bytes, dict[str, Any]]:
    catalog.app.state.dataset_cache.clear()  # the read model, not the response cache
    native = catalog.client.get(f"/api/v1/datasets/{ref}")
    assert native.status_code == 200, native.text
    shown = catalog.client.get("/api/3/action/package_show", params={"id": ref})
    assert shown.status_code == 200, shown.text
    return native.content, shown.json()


def test_the_first_read_stores_what_the_views_render_and_later_reads_serve_it(
    catalog: CatalogHarness,
) -> None:
    organization = enrol_organization(catalog.units)
    dataset = create_published_dataset(catalog.units, catalog.store, organization.id)
    assert _stored(catalog, dataset.id).native is None  # emptied at publication

    native, shown = _read_both(catalog, dataset.slug)
    expected_native, expected_ckan = _rendered(catalog, dataset.id)
    assert native == expected_native
    assert shown["success"] is True
    assert json_bytes(shown["result"]) == expected_ckan
    stored = _stored(catalog, dataset.id)
    assert (stored.native, stored.ckan, stored.base_url) == (
        expected_native,
        expected_ckan,
        TEST_BASE_URL,
    )

    # What is stored is what is served: a body written there is the answer (by id and slug).
    with catalog.session() as session:
        row = session.get_one(DatasetRendition, dataset.id)
        row.native = b'{"stored":true}'
        row.ckan = b'{"stored":"ckan"}'
        session.add(row)
        session.commit()
    native, shown = _read_both(catalog, str(dataset.id))
    assert native == b'{"stored":true}'
    assert shown["result"] == {"stored": "ckan"}
    with catalog.units() as uow:  # the other tests of the module read this catalogue
        touch(uow, uow.session.get_one(Dataset, dataset.id))
        uow.commit()


def test_a_change_of_the_dataset_empties_its_renditions(catalog: CatalogHarness) -> None:
    organization = enrol_organization(catalog.units)
    dataset = create_published_dataset(catalog.units, catalog.store, organization.id)
    _read_both(catalog, dataset.slug)
    generation = _stored(catalog, dataset.id).generation

    with catalog.units() as uow:
        row = uow.session.get_one(Dataset, dataset.id)
        row.version = "2.0"
        touch(uow, row)
        uow.commit()

    stored = _stored(catalog, dataset.id)
    assert (stored.native, stored.ckan, stored.generation) == (None, None, generation + 1)
    native, shown = _read_both(catalog, dataset.slug)
    assert json.loads(native)["version"] == "2.0"
    assert shown["result"]["version"] == "2.0"
    assert (native, json_bytes(shown["result"])) == _rendered(catalog, dataset.id)


def test_an_institution_rename_renders_its_datasets_again(catalog: CatalogHarness) -> None:
    organization = enrol_organization(catalog.units, name_fr="Ancien nom")
    datasets = [
        create_published_dataset(catalog.units, catalog.store, organization.id) for _ in range(2)
    ]
    for dataset in datasets:
        native, shown = _read_both(catalog, dataset.slug)
        assert json.loads(native)["institution"]["title"]["fr"] == "Ancien nom"

    with catalog.units() as uow:
        apply_enrolment(
            uow,
            InstitutionEnrolled(
                institution_id=organization.id,
                slug=organization.slug,
                name=LocalizedText(fr="Nouveau nom"),
                kind="public_body",
                enrolled_on=date.today(),
            ),
        )
        uow.commit()

    for dataset in datasets:
        native, shown = _read_both(catalog, dataset.slug)
        assert json.loads(native)["institution"]["title"]["fr"] == "Nouveau nom"
        assert shown["result"]["organization"]["title"] == "Nouveau nom"
        assert (native, json_bytes(shown["result"])) == _rendered(catalog, dataset.id)


def test_a_reuse_citing_a_dataset_renders_its_count_again(catalog: CatalogHarness) -> None:
    organization = enrol_organization(catalog.units)
    dataset = create_published_dataset(catalog.units, catalog.store, organization.id)
    native, _ = _read_both(catalog, dataset.slug)
    assert json.loads(native)["reuse_count"] == 0

    with catalog.units() as uow:
        apply_reuse_declared(
            uow,
            ReuseDeclared(
                reuse_id=uuid.uuid4(),
                title=LocalizedText(fr="Carte"),
                reuse_type="visualization",
                url="https://reuse.example.org/",
                dataset_ids=[dataset.id],
                developer_id=uuid.uuid4(),
                declared_at=datetime.now(UTC),
            ),
        )
        uow.commit()

    native, _ = _read_both(catalog, dataset.slug)
    assert json.loads(native)["reuse_count"] == 1


def test_a_body_rendered_before_a_change_is_not_stored(catalog: CatalogHarness) -> None:
    organization = enrol_organization(catalog.units)
    dataset = create_published_dataset(catalog.units, catalog.store, organization.id)
    with catalog.session() as reader:
        found = renditions.lookup(reader, dataset.slug, "native", TEST_BASE_URL)
        assert found is not None and found.body is None
        reader.rollback()
        # Meanwhile, a change commits.
        with catalog.units() as uow:
            touch(uow, uow.session.get_one(Dataset, dataset.id))
            uow.commit()
        renditions.store(reader, found, TEST_BASE_URL, {"native": b'{"former":true}'})
        reader.commit()
    assert _stored(catalog, dataset.id).native is None
    native, _ = _read_both(catalog, dataset.slug)
    assert native == _rendered(catalog, dataset.id)[0]


def test_unpublished_datasets_have_no_rendition_served(catalog: CatalogHarness) -> None:
    organization = enrol_organization(catalog.units)
    dataset = create_published_dataset(catalog.units, catalog.store, organization.id)
    _read_both(catalog, dataset.slug)
    with catalog.units() as uow:
        row = uow.session.get_one(Dataset, dataset.id)
        row.state = DatasetState.WITHDRAWN
        touch(uow, row)
        uow.commit()
    catalog.app.state.dataset_cache.clear()
    assert catalog.client.get(f"/api/v1/datasets/{dataset.slug}").status_code == 404
    shown = catalog.client.get("/api/3/action/package_show", params={"id": dataset.slug})
    assert shown.status_code == 404
    assert shown.json()["success"] is False


def test_the_list_with_resources_is_served_from_the_read_model(catalog: CatalogHarness) -> None:
    organization = enrol_organization(catalog.units)
    first = create_published_dataset(catalog.units, catalog.store, organization.id)
    second = create_published_dataset(catalog.units, catalog.store, organization.id)
    _read_both(catalog, first.slug)  # one stored, the other rendered by the list

    listed = catalog.client.get(
        "/api/3/action/current_package_list_with_resources", params={"limit": "1000"}
    )
    assert listed.status_code == 200, listed.text
    with catalog.session() as session:
        expected = current_package_list_with_resources(
            session, Params({"limit": "1000"}), Site(url=TEST_BASE_URL)
        )
    assert listed.json()["result"] == expected
    assert [item["name"] for item in expected[:2]] == [second.slug, first.slug]
    assert _stored(catalog, second.id).ckan == json_bytes(expected[0])

    paged = catalog.client.get(
        "/api/3/action/current_package_list_with_resources", params={"limit": "1", "page": "2"}
    )
    assert [item["name"] for item in paged.json()["result"]] == [first.slug]


def test_render_stores_what_readers_would_for_every_published_dataset(
    catalog: CatalogHarness,
) -> None:
    organization = enrol_organization(catalog.units)
    dataset = create_published_dataset(catalog.units, catalog.store, organization.id)
    assert _stored(catalog, dataset.id).native is None

    assert render_published(catalog.units, TEST_BASE_URL, batch=2) >= 1
    stored = _stored(catalog, dataset.id)
    assert (stored.native, stored.ckan) == _rendered(catalog, dataset.id)
    assert render_published(catalog.units, TEST_BASE_URL) == 0  # nothing left to render
