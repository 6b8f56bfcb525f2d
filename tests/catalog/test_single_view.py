"""One dataset read in one statement (views.get_visible_view) gives what the batch loader
(views.load_views) gives, on PostgreSQL and SQLite: same tags and their order, themes by
position, licence, organisation, resources in order, reuse count; same 404s."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import Session

from libs.http.problems import NotFound
from libs.settings import PlatformSettings
from services.catalog.domain.views import (
    DatasetView,
    get_visible_dataset,
    get_visible_view,
    load_view,
    load_views,
)
from services.catalog.models import Dataset, DatasetReuse
from tests.catalog.conftest import (
    CatalogHarness,
    ResourceSpec,
    admin_principal,
    create_draft_dataset,
    create_published_dataset,
    enrol_organization,
    isolated_platform,
    running_catalog,
)
from tests.support.infra import PostgresDatabases


@pytest.fixture(scope="module", params=["postgresql", "sqlite"])
def catalog(
    request: pytest.FixtureRequest,
    kafka: PlatformSettings,
    postgres_databases: PostgresDatabases,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[CatalogHarness]:
    folder = tmp_path_factory.mktemp("single_view")
    url = (
        postgres_databases.create("catalog_single_view")
        if request.param == "postgresql"
        else f"sqlite:///{folder / 'catalog.db'}"
    )
    with running_catalog(url, folder / "uploads", isolated_platform(kafka)) as harness:
        yield harness


def _record(statements: list[str], *args: Any) -> None:
    statements.append(args[2])


def _shape(view: DatasetView) -> dict[str, Any]:
    return {
        "dataset": view.dataset.id,
        "institution": view.institution.id if view.institution else None,
        "tags": view.tags,
        "themes": [(t.name, t.title, t.position) for t in view.themes],
        "license": view.license.id if view.license else None,
        "resources": [r.id for r in view.resources],
        "reuse_count": view.reuse_count,
    }


def test_one_statement_reads_what_the_batch_loader_reads(catalog: CatalogHarness) -> None:
    engine, units, store = catalog.engine, catalog.units, catalog.store
    organization = enrol_organization(units, slug="onee")
    full = create_published_dataset(
        units,
        store,
        organization.id,
        title={"fr": "Production électrique"},
        tags=["zèbre", "énergie", "Électricité", "eau", "الطاقة", "2024"],
        themes=["environnement", "population", "economie-finances"],
        license_id="cc-by",
        resources=[
            ResourceSpec(url="https://onee.ma/a.csv", format="CSV"),
            ResourceSpec(content=b"a,b\n1,2\n", filename="b.csv"),
            ResourceSpec(url="https://onee.ma/c.json", format="JSON"),
        ],
    )
    bare = create_draft_dataset(
        units,
        store,
        organization.id,
        title={"fr": "Vide"},
        resources=[],
        tags=[],
        themes=[],
        license_id=None,
    )
    draft = create_draft_dataset(units, store, organization.id, title={"fr": "Brouillon"})
    with Session(engine) as session:
        session.add_all(DatasetReuse(dataset_id=full.id, reuse_id=uuid.uuid4()) for _ in range(2))
        session.commit()

    statements: list[str] = []
    admin = admin_principal()
    for fixture in (full, bare, draft):
        for ref in (str(fixture.id), fixture.slug, fixture.id):
            with Session(engine) as session:
                expected = _shape(load_view(session, get_visible_dataset(session, ref, admin)))
            # Counted on a connection of its own: the app's relay shares the engine.
            with engine.connect() as connection, Session(bind=connection) as session:
                event.listen(connection, "before_cursor_execute", partial(_record, statements))
                statements.clear()
                view = get_visible_view(session, ref, admin)
                assert len(statements) == 1, statements
            assert _shape(view) == expected
            if fixture is bare:
                assert (view.resources, view.tags, view.themes, view.license) == ([], [], [], None)
    with Session(engine) as session:
        full_view = get_visible_view(session, full.slug, None)
        assert full_view.reuse_count == 2
        assert len(full_view.resources) == 3
        with pytest.raises(NotFound):
            get_visible_view(session, draft.slug, None)  # a draft stays hidden
        with pytest.raises(NotFound):
            get_visible_view(session, "no-such-dataset", admin)
        with pytest.raises(NotFound):
            get_visible_view(session, str(uuid.uuid4()), admin)


def test_the_batch_loader_reads_any_number_of_datasets_in_as_many_statements(
    catalog: CatalogHarness,
) -> None:
    engine, units, store = catalog.engine, catalog.units, catalog.store
    organization = enrol_organization(units, slug="anrt")
    datasets = [
        create_published_dataset(units, store, organization.id, title={"fr": f"Lot {n}"}).dataset
        for n in range(4)
    ]
    counts = []
    for batch in (datasets[:1], datasets):
        statements: list[str] = []
        with engine.connect() as connection, Session(bind=connection) as session:
            rows = [session.get_one(Dataset, d.id) for d in batch]
            event.listen(connection, "before_cursor_execute", partial(_record, statements))
            views = load_views(session, rows)
        assert [v.dataset.id for v in views] == [d.id for d in batch]
        assert all(len(v.resources) == 2 and v.license for v in views)
        counts.append(len(statements))
    assert counts[0] == counts[1]
