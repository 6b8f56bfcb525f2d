"""The read model: every change of what a published dataset shows renders its native JSON,
CKAN package dict and DCAT-AP documents in the unit of work that makes it, so that they are
stored when it commits, equal to a fresh render, and served as stored without rendering;
a body missing (after a migration) is rendered by its first reader, unless the dataset changed
since that reader read it."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import event, update
from sqlmodel import col, select

from libs.events.schemas import InstitutionEnrolled, LocalizedText, ReuseDeclared
from services.catalog.cli import render_published
from services.catalog.domain import renditions
from services.catalog.domain.bounds import Title
from services.catalog.domain.ckan import Params, current_package_list_with_resources
from services.catalog.domain.ckan_dicts import Site, json_bytes
from services.catalog.domain.datasets import DatasetFields, change_metadata, touch
from services.catalog.domain.datasets import withdraw_dataset as withdraw
from services.catalog.domain.institutions import apply_enrolment
from services.catalog.domain.lookups import StoredBodies
from services.catalog.domain.rendering import DCAT_SUFFIXES, REPRESENTATIONS, Bodies, Renderer
from services.catalog.domain.resources import DataUpdate, ResourceFields, publish_data_update
from services.catalog.domain.reuses import apply_reuse_declared
from services.catalog.domain.views import DatasetView
from services.catalog.models import Dataset, DatasetRendition
from tests.catalog.conftest import (
    TEST_BASE_URL,
    CatalogHarness,
    create_published_dataset,
    enrol_organization,
    steward_principal,
)
from tests.support.renditions import assert_stored_as_rendered, parsed, stored_bodies

ROUTES = {
    "native": "/api/v1/datasets/{ref}",
    "dcat_ttl": "/api/v1/datasets/{ref}.ttl",
    "dcat_rdf": "/api/v1/datasets/{ref}.rdf",
    "dcat_jsonld": "/api/v1/datasets/{ref}.jsonld",
}


class NoRendering:
    def __init__(self, *args: Any) -> None:
        raise AssertionError("a reader rendered a representation that should be stored")


def _fresh(catalog: CatalogHarness, dataset_id: uuid.UUID) -> None:
    with catalog.session() as session:
        assert_stored_as_rendered(session, dataset_id, TEST_BASE_URL)


def _served(catalog: CatalogHarness, ref: str, *, may_render: bool = False) -> dict[str, bytes]:
    """Every representation as the public routes serve it (the response cache left out);
    unless ``may_render``, the readers may not render: it must come from the read model."""
    catalog.app.state.dataset_cache.clear()
    served = {}
    with pytest.MonkeyPatch.context() as patch:
        if not may_render:
            patch.setattr(renditions, "Renderer", NoRendering)
        for name, route in ROUTES.items():
            response = catalog.client.get(route.format(ref=ref))
            assert response.status_code == 200, (name, response.text)
            served[name] = response.content
        shown = catalog.client.get("/api/3/action/package_show", params={"id": ref})
    assert shown.status_code == 200, shown.text
    served["ckan"] = json_bytes(shown.json()["result"])
    return served


def _served_as_stored(catalog: CatalogHarness, dataset_id: uuid.UUID, ref: str) -> None:
    served = _served(catalog, ref)
    with catalog.session() as session:
        stored = stored_bodies(session, dataset_id)
    assert served == stored


def _published(catalog: CatalogHarness, institution_id: uuid.UUID, **options: Any) -> Any:
    return create_published_dataset(catalog.units, catalog.store, institution_id, **options)


def test_the_units_render_with_the_service_s_public_url(catalog: CatalogHarness) -> None:
    assert catalog.units.public_url == TEST_BASE_URL


def test_the_event_loop_lookups_answer_as_the_units_of_work_do(catalog: CatalogHarness) -> None:
    organization = enrol_organization(catalog.units)
    dataset = _published(catalog, organization.id)
    bodies = catalog.app.state.stored_bodies
    assert isinstance(bodies, StoredBodies)  # PostgreSQL: reads run on the event loop
    on_the_loop = _served(catalog, dataset.slug)
    by_id = _served(catalog, str(dataset.id))
    catalog.app.state.stored_bodies = None
    try:
        through_units = _served(catalog, dataset.slug)
        missing = catalog.client.get("/api/v1/datasets/no-such-dataset")
    finally:
        catalog.app.state.stored_bodies = bodies
    assert on_the_loop == by_id == through_units
    assert missing.status_code == 404
    assert catalog.client.get("/api/v1/datasets/no-such-dataset").json() == missing.json()


def test_publication_stores_every_representation_and_reads_serve_it(
    catalog: CatalogHarness,
) -> None:
    organization = enrol_organization(catalog.units)
    dataset = _published(catalog, organization.id)
    _fresh(catalog, dataset.id)
    _served_as_stored(catalog, dataset.id, dataset.slug)
    _served_as_stored(catalog, dataset.id, str(dataset.id))

    # What is stored is what is served.
    with catalog.session() as session:
        row = session.get_one(DatasetRendition, dataset.id)
        row.native = b'{"stored":true}'
        session.add(row)
        session.commit()
    catalog.app.state.dataset_cache.clear()
    assert catalog.client.get(f"/api/v1/datasets/{dataset.slug}").content == b'{"stored":true}'
    with catalog.units() as uow:  # the other tests of the module read this catalogue
        touch(uow, uow.session.get_one(Dataset, dataset.id))
        uow.commit()


def test_an_edit_of_fields_tags_and_themes_renders_them_again(catalog: CatalogHarness) -> None:
    organization = enrol_organization(catalog.units)
    dataset = _published(catalog, organization.id)
    changes = DatasetFields.model_validate(
        {
            "title": Title(fr="Population municipale"),
            "tags": ["communes", "démographie"],
            "themes": ["education"],
            "version": "2.0",
        }
    )
    with catalog.units() as uow:
        row = uow.session.get_one(Dataset, dataset.id)
        change_metadata(uow, row, changes)
        touch(uow, row)
        uow.commit()

    _fresh(catalog, dataset.id)
    served = _served(catalog, dataset.slug)
    assert b'"version":"2.0"' in served["native"]
    assert b"Population municipale" in served["ckan"]
    assert b"communes" in served["dcat_ttl"]
    _served_as_stored(catalog, dataset.id, dataset.slug)


def test_new_data_renders_the_resources_again(catalog: CatalogHarness) -> None:
    organization = enrol_organization(catalog.units)
    dataset = _published(catalog, organization.id)
    update_ = DataUpdate(
        resource=ResourceFields(url="https://data.example.ma/population-2025.csv", format="CSV")
    )
    with catalog.units() as uow:
        publish_data_update(
            uow,
            steward_principal(organization.id),
            ref=dataset.id,
            update=update_,
            store=catalog.store,
        )
        uow.commit()

    _fresh(catalog, dataset.id)
    assert b"population-2025.csv" in _served(catalog, dataset.slug)["native"]
    _served_as_stored(catalog, dataset.id, dataset.slug)


def _rename(catalog: CatalogHarness, institution_id: uuid.UUID, slug: str, name: str) -> int:
    """The institution renamed by its event; how many statements the unit ran."""
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(catalog.engine, "before_cursor_execute", count)
    try:
        with catalog.units() as uow:
            apply_enrolment(
                uow,
                InstitutionEnrolled(
                    institution_id=institution_id,
                    slug=slug,
                    name=LocalizedText(fr=name),
                    kind="public_body",
                    enrolled_on=date.today(),
                ),
            )
            uow.commit()
    finally:
        event.remove(catalog.engine, "before_cursor_execute", count)
    return statements


def test_an_institution_rename_renders_all_its_datasets_set_wise(catalog: CatalogHarness) -> None:
    one = enrol_organization(catalog.units, name_fr="Ancien nom")
    _published(catalog, one.id)
    many = enrol_organization(catalog.units, name_fr="Ancien nom")
    datasets = [_published(catalog, many.id) for _ in range(4)]

    statements_for_one = _rename(catalog, one.id, one.slug, "Nouveau nom")
    statements_for_four = _rename(catalog, many.id, many.slug, "Nouveau nom")
    # Rendered as a set: not one statement more per dataset.
    assert statements_for_four < statements_for_one + 3

    for dataset in datasets:
        _fresh(catalog, dataset.id)
        served = _served(catalog, dataset.slug)
        assert "Nouveau nom" in served["native"].decode()
        assert "Nouveau nom" in served["ckan"].decode()
        assert "Nouveau nom" in served["dcat_ttl"].decode()


def test_a_reuse_citing_a_dataset_renders_its_count_again(catalog: CatalogHarness) -> None:
    organization = enrol_organization(catalog.units)
    dataset = _published(catalog, organization.id)
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
    _fresh(catalog, dataset.id)
    assert b'"reuse_count":1' in _served(catalog, dataset.slug)["native"]


def test_a_withdrawn_dataset_keeps_no_body_and_is_not_served(catalog: CatalogHarness) -> None:
    organization = enrol_organization(catalog.units)
    dataset = _published(catalog, organization.id)
    with catalog.units() as uow:
        withdraw(uow, steward_principal(organization.id), ref=dataset.id)
        uow.commit()
    with catalog.session() as session:
        assert set(stored_bodies(session, dataset.id).values()) == {None}
    catalog.app.state.dataset_cache.clear()
    for route in ROUTES.values():
        assert catalog.client.get(route.format(ref=dataset.slug)).status_code == 404
    shown = catalog.client.get("/api/3/action/package_show", params={"id": dataset.slug})
    assert shown.status_code == 404
    assert shown.json()["success"] is False


def _emptied(catalog: CatalogHarness, dataset_id: uuid.UUID) -> None:
    """The bodies gone, as after a migration that adds a representation."""
    with catalog.session() as session:
        session.exec(
            update(DatasetRendition)
            .where(col(DatasetRendition.dataset_id) == dataset_id)
            .values(dict.fromkeys(REPRESENTATIONS))
        )
        session.commit()


def test_a_rendering_that_fails_does_not_refuse_the_change(
    catalog: CatalogHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    organization = enrol_organization(catalog.units)
    dataset = _published(catalog, organization.id)

    def failing(self: Renderer, view: DatasetView) -> Bodies:
        raise ValueError("cannot render")

    with monkeypatch.context() as patch:
        patch.setattr(Renderer, "render_all", failing)
        with catalog.units() as uow:
            row = uow.session.get_one(Dataset, dataset.id)
            row.version = "3.0"
            touch(uow, row)
            uow.commit()
    with catalog.session() as session:
        assert set(stored_bodies(session, dataset.id).values()) == {None}
    served = _served(catalog, dataset.slug, may_render=True)
    assert b'"version":"3.0"' in served["native"]


def test_a_missing_body_is_rendered_by_its_first_reader_and_stored(
    catalog: CatalogHarness,
) -> None:
    organization = enrol_organization(catalog.units)
    dataset = _published(catalog, organization.id)
    _emptied(catalog, dataset.id)
    served = _served(catalog, dataset.slug, may_render=True)
    with catalog.session() as session:
        stored = stored_bodies(session, dataset.id)
    assert served == stored
    _fresh(catalog, dataset.id)


def test_a_body_rendered_before_a_change_is_not_stored(catalog: CatalogHarness) -> None:
    organization = enrol_organization(catalog.units)
    dataset = _published(catalog, organization.id)
    _emptied(catalog, dataset.id)
    with catalog.session() as reader:
        found = renditions.lookup(reader, dataset.slug, "native", TEST_BASE_URL)
        assert found is not None and found.body is None
        reader.rollback()
        # Meanwhile, a change commits (and renders).
        with catalog.units() as uow:
            touch(uow, uow.session.get_one(Dataset, dataset.id))
            uow.commit()
        renditions.store(reader, found, TEST_BASE_URL, {"native": b'{"former":true}'})
        reader.commit()
    _fresh(catalog, dataset.id)


def test_the_list_with_resources_is_served_from_the_read_model(catalog: CatalogHarness) -> None:
    organization = enrol_organization(catalog.units)
    first = _published(catalog, organization.id)
    second = _published(catalog, organization.id)

    listed = catalog.client.get(
        "/api/3/action/current_package_list_with_resources", params={"limit": "1000"}
    )
    assert listed.status_code == 200, listed.text
    with catalog.session() as session:
        expected = current_package_list_with_resources(
            session, Params({"limit": "1000"}), Site(url=TEST_BASE_URL)
        )
        stored = stored_bodies(session, second.id)["ckan"]
    assert listed.json()["result"] == expected
    assert [item["name"] for item in expected[:2]] == [second.slug, first.slug]
    assert stored == json_bytes(expected[0])

    paged = catalog.client.get(
        "/api/3/action/current_package_list_with_resources", params={"limit": "1", "page": "2"}
    )
    assert [item["name"] for item in paged.json()["result"]] == [first.slug]


def test_the_list_renders_a_missing_body_in_its_batch(catalog: CatalogHarness) -> None:
    organization = enrol_organization(catalog.units)
    dataset = _published(catalog, organization.id)
    _emptied(catalog, dataset.id)
    listed = catalog.client.get(
        "/api/3/action/current_package_list_with_resources", params={"limit": "1000"}
    )
    [item] = [item for item in listed.json()["result"] if item["id"] == str(dataset.id)]
    _fresh(catalog, dataset.id)
    with catalog.session() as session:
        assert json_bytes(item) == stored_bodies(session, dataset.id)["ckan"]


def test_render_stores_what_is_missing_for_every_published_dataset(
    catalog: CatalogHarness,
) -> None:
    organization = enrol_organization(catalog.units)
    dataset = _published(catalog, organization.id)
    _emptied(catalog, dataset.id)

    assert render_published(catalog.units, TEST_BASE_URL, batch=2) >= 1
    _fresh(catalog, dataset.id)
    assert render_published(catalog.units, TEST_BASE_URL) == 0  # nothing left to render

    # One representation missing (a migration adds one): the dataset is rendered again.
    with catalog.session() as session:
        session.exec(
            update(DatasetRendition)
            .where(col(DatasetRendition.dataset_id) == dataset.id)
            .values(dcat_rdf=None)
        )
        session.commit()
    assert render_published(catalog.units, TEST_BASE_URL) == 1
    _fresh(catalog, dataset.id)


def test_the_dcat_documents_are_each_serialisation_of_one_graph(catalog: CatalogHarness) -> None:
    organization = enrol_organization(catalog.units)
    dataset = _published(catalog, organization.id)
    with catalog.session() as session:
        stored = stored_bodies(session, dataset.id)
    graphs = []
    for name, suffix in DCAT_SUFFIXES.items():
        body = stored[name]
        assert body is not None
        graphs.append(parsed(body, suffix))
    assert len({len(graph) for graph in graphs}) == 1
    assert all(len(graph) > 20 for graph in graphs)
    ids = catalog.client.get(f"/api/v1/datasets/{dataset.slug}.ttl")
    assert ids.headers["content-type"].startswith("text/turtle")
    rows = select(DatasetRendition.dataset_id).where(col(DatasetRendition.dataset_id) == dataset.id)
    with catalog.session() as session:
        assert session.exec(rows).one() == dataset.id
