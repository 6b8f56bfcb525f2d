"""Facet counts against a brute-force count, on SQLite (from the tables) and PostgreSQL (from
the facet arrays on the dataset's row), over a generated catalogue; and the arrays following
the changes of the rows they copy."""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

from services.catalog.domain.datasets import dataset_tags
from services.catalog.domain.search import (
    FACET_FIELDS,
    Filter,
    FilterField,
    SearchQuery,
    search_datasets,
)
from services.catalog.domain.search_index import reindex_dataset
from services.catalog.models import (
    Dataset,
    DatasetState,
    DatasetTag,
    DatasetTheme,
    Institution,
    License,
    Resource,
)
from tests.catalog.search_fixtures import (
    BACKENDS,
    ORGANIZATIONS,
    add_dataset,
    database_url,
    migrated_engine,
    seed,
)
from tests.support.infra import PostgresDatabases

THEMES = ["sante", "education", "environnement", "economie-finances", "transport"]
TAGS = ["santé", "budget", "air", "eau", "écoles", "routes", "emploi", "prix"]
FORMATS = ["CSV", "JSON", "PDF", "XLSX"]
LICENSES = ["cc-by", "cc-by-sa", "odc-odbl", "other-closed", None]
STATES = [DatasetState.PUBLISHED] * 4 + [DatasetState.DRAFT, DatasetState.WITHDRAWN]
WORDS = ["statistiques", "budget", "qualité", "écoles"]


@dataclass
class Generated:
    engine: Engine


@pytest.fixture(scope="module", params=BACKENDS)
def generated(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_databases: PostgresDatabases,
) -> Iterator[Generated]:
    url = database_url(request.param, tmp_path_factory.mktemp("facets"), postgres_databases)
    engine = migrated_engine(url)
    corpus = seed(engine)  # the institutions, and a few datasets of every kind
    rng = random.Random(11)
    with Session(engine) as session:
        for n in range(80):
            add_dataset(
                session,
                corpus,
                name=f"jeu-{n}",
                title={"fr": f"{rng.choice(WORDS)} {rng.choice(WORDS)} {n}"},
                institution_id=rng.choice(list(ORGANIZATIONS)),
                modified=f"2024-02-{1 + n % 28:02d}T10:00:00",
                themes=tuple(rng.sample(THEMES, rng.randrange(3))),
                tags=tuple(rng.sample(TAGS, rng.randrange(4))),
                license_id=rng.choice(LICENSES),
                # Repeated formats (two CSV files count once), and datasets without any.
                formats=tuple(rng.choice(FORMATS) for _ in range(rng.randrange(4))),
                state=rng.choice(STATES),
            )
        session.commit()
    yield Generated(engine=engine)
    engine.dispose()


def brute_force(session: Session, ids: set[uuid.UUID]) -> dict[FilterField, Counter[str]]:
    """Every facet of the datasets ``ids``, counted row by row from the tables."""
    institutions = {i.id: i.slug for i in session.exec(select(Institution))}
    licenses = {lic.id: lic.is_open for lic in session.exec(select(License))}
    facets: dict[FilterField, Counter[str]] = {field: Counter() for field in FACET_FIELDS}
    for dataset in session.exec(select(Dataset).where(col(Dataset.id).in_(ids))):
        facets[FilterField.INSTITUTION][institutions[dataset.institution_id]] += 1
        if dataset.license_id is not None:
            facets[FilterField.LICENSE][dataset.license_id] += 1
        is_open = licenses.get(dataset.license_id or "", False)
        facets[FilterField.OPEN]["true" if is_open else "false"] += 1
    for dataset_id, tag in session.exec(select(DatasetTag.dataset_id, DatasetTag.tag)):
        if dataset_id in ids:
            facets[FilterField.TAG][tag] += 1
    for dataset_id, theme in session.exec(select(DatasetTheme.dataset_id, DatasetTheme.theme_name)):
        if dataset_id in ids:
            facets[FilterField.THEME][theme] += 1
    formats = {
        (dataset_id, fmt)
        for dataset_id, fmt in session.exec(select(Resource.dataset_id, Resource.format))
        if dataset_id in ids and fmt is not None
    }
    facets[FilterField.FORMAT].update(fmt for _, fmt in formats)
    return facets


QUERIES = [
    SearchQuery(),
    SearchQuery(text="budget"),
    SearchQuery(text="statistiques ecoles"),
    SearchQuery(filters=(Filter(FilterField.THEME, ("sante",)),)),
    SearchQuery(filters=(Filter(FilterField.FORMAT, ("csv",)),), text="qualite"),
    SearchQuery(filters=(Filter(FilterField.TAG, ("eau", "air"), exclude=True),)),
]


@pytest.mark.parametrize("query", QUERIES, ids=lambda q: repr((q.text, q.filters)))
def test_facet_counts_equal_a_brute_force_count(generated: Generated, query: SearchQuery) -> None:
    whole = SearchQuery(
        text=query.text, filters=query.filters, limit=1000, facet_limit=None, facet_mincount=1
    )
    with Session(generated.engine) as session:
        result = search_datasets(session, whole)
        ids = set(result.ids)
        assert len(ids) == result.total > 0
        assert {view.dataset.id for view in result.items} == ids
        expected = brute_force(session, ids)
    for field in FACET_FIELDS:
        found = {item.value: item.count for item in result.facets[field]}
        assert found == dict(expected[field]), field


def test_the_page_is_the_same_with_or_without_views(generated: Generated) -> None:
    query = SearchQuery(text="budget", offset=3, limit=7)
    with Session(generated.engine) as session:
        with_views = search_datasets(session, query)
        bare = search_datasets(session, query, views=False)
    assert [view.dataset.id for view in with_views.items] == with_views.ids == bare.ids
    assert with_views.scores == bare.scores and len(bare.ids) == 7
    assert bare.items == [] and bare.facets == with_views.facets


def test_the_facet_arrays_follow_the_rows_they_copy(generated: Generated) -> None:
    with Session(generated.engine) as session:
        dataset = session.exec(
            select(Dataset).where(col(Dataset.state) == DatasetState.PUBLISHED)
        ).first()
        assert dataset is not None
        dataset_id = dataset.id
        # New rows, as the domain writes them, then the reindex every change ends with.
        session.exec(delete(DatasetTag).where(col(DatasetTag.dataset_id) == dataset_id))
        session.exec(delete(DatasetTheme).where(col(DatasetTheme.dataset_id) == dataset_id))
        session.exec(delete(Resource).where(col(Resource.dataset_id) == dataset_id))
        session.add(DatasetTag(dataset_id=dataset_id, tag="unique-tag"))
        session.add(DatasetTheme(dataset_id=dataset_id, theme_name="transport"))
        for position, fmt in enumerate(("GEOJSON", "GEOJSON", None)):
            session.add(
                Resource(
                    dataset_id=dataset_id,
                    position=position,
                    title={"fr": "Fichier"},
                    url=f"https://data.example.ma/{position}",
                    format=fmt,
                    created_at=dataset.modified_at,
                    modified_at=dataset.modified_at,
                )
            )
        session.flush()
        reindex_dataset(session, dataset, dataset_tags(session, dataset_id))
        session.commit()
    only = SearchQuery(filters=(Filter(FilterField.ID, (str(dataset_id),)),), facet_limit=None)
    with Session(generated.engine) as session:
        result = search_datasets(session, only)
    assert result.total == 1
    assert {v.value: v.count for v in result.facets[FilterField.TAG]} == {"unique-tag": 1}
    assert {v.value: v.count for v in result.facets[FilterField.THEME]} == {"transport": 1}
    assert {v.value: v.count for v in result.facets[FilterField.FORMAT]} == {"GEOJSON": 1}
    if generated.engine.dialect.name == "postgresql":
        with Session(generated.engine) as session:
            stored = session.get_one(Dataset, dataset_id)
            assert (stored.facet_tags, stored.facet_themes, stored.facet_formats) == (
                ["unique-tag"],
                ["transport"],
                ["GEOJSON"],
            )
