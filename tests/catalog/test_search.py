"""Dataset search on SQLite (FTS5) and PostgreSQL (tsvector): the domain function and the REST
endpoint, over the catalogue of search_fixtures (five published datasets, three hidden)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlmodel import Session

from libs.settings import PlatformSettings
from libs.uow import UnitOfWorkFactory
from services.catalog.app import create_app
from services.catalog.domain import renditions
from services.catalog.domain.cache import CountsCache
from services.catalog.domain.datasets import dataset_tags
from services.catalog.domain.search import (
    Filter,
    FilterField,
    SearchQuery,
    SearchResult,
    Sort,
    SortKey,
    search_datasets,
)
from services.catalog.domain.search_index import reindex_dataset
from services.catalog.models import (
    Dataset,
    DatasetRendition,
    DatasetState,
    DatasetTag,
    Institution,
)
from services.catalog.settings import CatalogSettings
from tests.catalog.search_fixtures import (
    BACKENDS,
    HCP,
    HIDDEN,
    PUBLISHED,
    Corpus,
    add_dataset,
    database_url,
    migrated_engine,
    seed,
)
from tests.support.infra import PostgresDatabases


@dataclass
class Catalog:
    url: str
    engine: Engine
    corpus: Corpus
    # As the app keeps it: counts of public searches reused while the catalogue is unchanged.
    counts: CountsCache = field(default_factory=lambda: CountsCache(ttl_seconds=300))

    def search(self, **fields: Any) -> SearchResult:
        with Session(self.engine) as session:
            return search_datasets(session, SearchQuery(**fields), counts=self.counts)

    def names(self, **fields: Any) -> list[str]:
        return [view.dataset.slug for view in self.search(limit=100, **fields).items]


@pytest.fixture(scope="module", params=BACKENDS)
def seeded(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_databases: PostgresDatabases,
) -> Iterator[Catalog]:
    url = database_url(request.param, tmp_path_factory.mktemp("search"), postgres_databases)
    engine = migrated_engine(url)
    corpus = seed(engine)
    yield Catalog(url=url, engine=engine, corpus=corpus)
    engine.dispose()


@pytest.fixture(scope="module")
def client(
    seeded: Catalog, kafka: PlatformSettings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TestClient]:
    # Search reads only: no events to relay or consume (and no consumer group to share).
    settings = CatalogSettings(
        database_url=seeded.url,
        upload_dir=str(tmp_path_factory.mktemp("uploads")),
        relay_enabled=False,
        consumer_enabled=False,
        public_url="http://testserver",
    )
    app = create_app(settings)
    with TestClient(app) as test_client:
        yield test_client


# --- full text -----------------------------------------------------------------------------

ARABIC_VARIANTS = [
    "إحصائيات",  # as written: hamza under alef, hamza on ya
    "احصائيات",  # bare alef
    "أحصائيات",  # hamza above alef
    "اِحْصَائِيَّات",  # with diacritics
    "احصـــائيات",  # with tatweel
    "الصحّة",  # shadda, ta marbuta
    "الصحة",
    "الصحه",  # ha for ta marbuta
    "الصِّحَّة",
    "الصـــحة",
    "المستشفى",  # alef maqsura
    "المستشفي",  # ya for alef maqsura
    "الإقليمي",
    "الاقليمي",
    "الأقليمي",
    "إحصائيات الصحه المستشفي",  # several words, all required
]


@pytest.mark.parametrize("query", ARABIC_VARIANTS)
def test_arabic_spelling_variants_find_the_same_dataset(seeded: Catalog, query: str) -> None:
    assert seeded.names(text=query) == ["sante-etablissements"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("etablissements sante", ["sante-etablissements"]),
        ("ETABLISSEMENTS", ["sante-etablissements"]),
        ("qualite de l'air", ["qualite-air"]),
        ("Qualité", ["qualite-air"]),
        ("etat", ["loi-de-finances"]),
        ("ecoles primaires", ["ecoles-primaires"]),
        ("hopitaux", ["sante-etablissements"]),  # a tag, accented in the catalogue
    ],
)
def test_unaccented_and_uncased_french_finds_the_accented_text(
    seeded: Catalog, query: str, expected: list[str]
) -> None:
    assert seeded.names(text=query) == expected


def test_every_word_must_match(seeded: Catalog) -> None:
    assert seeded.names(text="budget sante") == []
    assert seeded.names(text="budget 2020") == ["loi-de-finances"]
    # Hyphenated words are split alike on both databases.
    assert seeded.names(text="2019") == ["loi-de-finances"]


def test_the_last_word_also_matches_as_a_prefix(seeded: Catalog) -> None:
    assert seeded.names(text="statis") == ["sante-etablissements"]
    assert seeded.names(text="qualite pollu") == ["qualite-air"]
    assert seeded.names(text="sante etabliss") == ["sante-etablissements"]
    # Only the last one: an earlier word must be a whole word (in any of its forms).
    assert seeded.names(text="etabliss sante") == []


def test_a_query_of_punctuation_only_lists_everything(seeded: Catalog) -> None:
    assert seeded.search(text=" ؟ !! ").total == len(PUBLISHED)


def test_title_matches_rank_before_description_matches(seeded: Catalog) -> None:
    # "effectifs-enseignants" is the most recently modified, and has "écoles" only in its
    # description: relevance must still put the title match first.
    assert seeded.names(text="ecoles") == ["ecoles-primaires", "effectifs-enseignants"]
    # "santé": a title (and tag) match before a description match modified later.
    assert seeded.names(text="sante") == ["sante-etablissements", "qualite-air"]
    result = seeded.search(text="ecoles")
    assert result.scores[0] > result.scores[1] > 0


def test_only_published_datasets_are_public(seeded: Catalog) -> None:
    assert seeded.search().total == len(PUBLISHED)
    assert sorted(seeded.names()) == sorted(PUBLISHED)
    assert seeded.names(text="ecoles privees") == []
    assert seeded.names(text="المدارس الخاصة") == []
    budget = Filter(FilterField.TAG, ("budget",))
    assert seeded.names(filters=(budget,)) == ["loi-de-finances"]
    tags = {item.value for item in seeded.search().facets[FilterField.TAG]}
    assert "privé" not in tags


# --- filters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ([Filter(FilterField.INSTITUTION, ("mef",))], {"loi-de-finances", "ecoles-primaires"}),
        (
            [Filter(FilterField.INSTITUTION, (str(HCP),))],
            {"sante-etablissements", "effectifs-enseignants"},
        ),
        (
            [Filter(FilterField.INSTITUTION, ("mef", "anrt"))],
            {"loi-de-finances", "ecoles-primaires", "qualite-air"},
        ),
        (
            [Filter(FilterField.THEME, ("education",))],
            {"ecoles-primaires", "effectifs-enseignants"},
        ),
        (
            [Filter(FilterField.THEME, ("sante",)), Filter(FilterField.THEME, ("environnement",))],
            {"qualite-air"},
        ),
        ([Filter(FilterField.TAG, ("hôpitaux",))], {"sante-etablissements"}),
        ([Filter(FilterField.TAG, ("santé",)), Filter(FilterField.TAG, ("air",))], set()),
        (
            [Filter(FilterField.LICENSE, ("cc-by", "odc-odbl"))],
            {"sante-etablissements", "loi-de-finances"},
        ),
        (
            [Filter(FilterField.FORMAT, ("csv",))],
            {"sante-etablissements", "loi-de-finances", "ecoles-primaires"},
        ),
        (
            [Filter(FilterField.FORMAT, ("CSV",)), Filter(FilterField.FORMAT, ("XLSX",))],
            {"loi-de-finances"},
        ),
        (
            [Filter(FilterField.OPEN, ("true",))],
            {"sante-etablissements", "loi-de-finances", "ecoles-primaires"},
        ),
        ([Filter(FilterField.OPEN, ("false",))], {"qualite-air", "effectifs-enseignants"}),
        ([Filter(FilterField.SLUG, ("qualite-air",))], {"qualite-air"}),
        (
            [Filter(FilterField.INSTITUTION, ("mef",), exclude=True)],
            {"sante-etablissements", "qualite-air", "effectifs-enseignants"},
        ),
        (
            [
                Filter(FilterField.FORMAT, ("CSV",), exclude=True),
                Filter(FilterField.OPEN, ("false",)),
            ],
            {"qualite-air", "effectifs-enseignants"},
        ),
        ([Filter(FilterField.INSTITUTION, ("nobody",))], set()),
    ],
)
def test_filters(seeded: Catalog, filters: list[Filter], expected: set[str]) -> None:
    result = seeded.search(filters=tuple(filters), limit=100)
    assert {view.dataset.slug for view in result.items} == expected
    assert result.total == len(expected)


def test_modified_since_and_until(seeded: Catalog) -> None:
    since = datetime(2024, 3, 1, 10, 0, tzinfo=UTC)
    assert set(seeded.names(modified_since=since)) == {
        "sante-etablissements",
        "qualite-air",
        "effectifs-enseignants",
    }
    assert set(seeded.names(modified_since=since, modified_until=datetime(2024, 5, 31))) == {
        "sante-etablissements",
        "qualite-air",
    }


def test_text_and_filters_combine(seeded: Catalog) -> None:
    open_only = Filter(FilterField.OPEN, ("true",))
    assert seeded.names(text="sante", filters=(open_only,)) == ["sante-etablissements"]


# --- facets --------------------------------------------------------------------------------


def counts(result: SearchResult, field: FilterField) -> dict[str, int]:
    return {item.value: item.count for item in result.facets[field]}


def test_facets_count_the_whole_published_catalogue(seeded: Catalog) -> None:
    result = seeded.search(limit=1)
    assert counts(result, FilterField.INSTITUTION) == {"hcp": 2, "mef": 2, "anrt": 1}
    assert counts(result, FilterField.THEME) == {
        "education": 2,
        "sante": 2,
        "economie-finances": 1,
        "environnement": 1,
    }
    assert counts(result, FilterField.TAG) == {
        "air": 1,
        "budget": 1,
        "finances": 1,
        "hôpitaux": 1,
        "santé": 1,
        "éducation": 1,
    }
    assert counts(result, FilterField.LICENSE) == {
        "cc-by": 1,
        "cc-by-sa": 1,
        "odc-odbl": 1,
        "other-closed": 1,
    }
    # A dataset with two CSV resources would still count once; JSON, PDF, XLSX once each.
    assert counts(result, FilterField.FORMAT) == {"CSV": 3, "JSON": 1, "PDF": 1, "XLSX": 1}
    assert counts(result, FilterField.OPEN) == {"true": 3, "false": 2}


def test_facets_are_counted_over_the_filtered_results(seeded: Catalog) -> None:
    education = Filter(FilterField.THEME, ("education",))
    result = seeded.search(filters=(education,))
    assert counts(result, FilterField.INSTITUTION) == {"hcp": 1, "mef": 1}
    assert counts(result, FilterField.THEME) == {"education": 2}
    assert counts(result, FilterField.TAG) == {"éducation": 1}
    assert counts(result, FilterField.FORMAT) == {"CSV": 1}
    assert counts(result, FilterField.OPEN) == {"true": 1, "false": 1}

    result = seeded.search(text="sante")
    assert counts(result, FilterField.THEME) == {"sante": 2, "environnement": 1}
    assert counts(result, FilterField.INSTITUTION) == {"hcp": 1, "anrt": 1}


def test_facet_values_carry_their_labels_and_obey_limit_and_mincount(seeded: Catalog) -> None:
    result = seeded.search(facet_limit=1)
    (organization,) = result.facets[FilterField.INSTITUTION]
    assert (organization.value, organization.count) == ("hcp", 2)  # ties: by name
    assert organization.labels == {
        "fr": "Haut-Commissariat au Plan",
        "ar": "المندوبية السامية للتخطيط",
    }
    (theme,) = result.facets[FilterField.THEME]
    assert (theme.value, theme.label) == ("education", "Éducation et formation")
    (licence,) = result.facets[FilterField.LICENSE]
    assert licence.label == "Creative Commons Attribution 4.0"

    result = seeded.search(facet_mincount=2, facets=(FilterField.THEME, FilterField.TAG))
    assert counts(result, FilterField.THEME) == {"education": 2, "sante": 2}
    assert counts(result, FilterField.TAG) == {}
    assert set(result.facets) == {FilterField.THEME, FilterField.TAG}


# --- sorts and pages -----------------------------------------------------------------------

BY_MODIFIED = [
    "effectifs-enseignants",
    "qualite-air",
    "sante-etablissements",
    "loi-de-finances",
    "ecoles-primaires",
]
# Titles sort by their normalised French: "Écoles" between "Budget" and "Effectifs".
BY_TITLE = [
    "loi-de-finances",
    "ecoles-primaires",
    "effectifs-enseignants",
    "qualite-air",
    "sante-etablissements",
]
BY_NAME = sorted(PUBLISHED)


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ((Sort(SortKey.MODIFIED, True),), BY_MODIFIED),
        ((Sort(SortKey.MODIFIED, False),), BY_MODIFIED[::-1]),
        ((Sort(SortKey.TITLE, False),), BY_TITLE),
        ((Sort(SortKey.TITLE, True),), BY_TITLE[::-1]),
        ((Sort(SortKey.SLUG, False),), BY_NAME),
        ((Sort(SortKey.SLUG, True),), BY_NAME[::-1]),
        # Relevance without words: every score is equal, the next key decides.
        ((Sort(SortKey.SCORE, True), Sort(SortKey.MODIFIED, True)), BY_MODIFIED),
    ],
)
def test_sorts(seeded: Catalog, sort: tuple[Sort, ...], expected: list[str]) -> None:
    assert seeded.names(sort=sort) == expected


def test_datasets_never_published_sort_last_on_both_databases(seeded: Catalog) -> None:
    every_state = tuple(DatasetState)
    for descending in (True, False):
        sort = (Sort(SortKey.PUBLISHED, descending),)
        names = seeded.names(states=every_state, sort=sort)
        assert sorted(names[:5]) == sorted(PUBLISHED)
        assert sorted(names[5:]) == sorted(HIDDEN)


def test_pages_cover_every_result_once(seeded: Catalog) -> None:
    sort = (Sort(SortKey.MODIFIED, True),)
    pages = [seeded.search(sort=sort, offset=offset, limit=2) for offset in (0, 2, 4, 6)]
    assert [[b.dataset.slug for b in page.items] for page in pages] == [
        BY_MODIFIED[0:2],
        BY_MODIFIED[2:4],
        BY_MODIFIED[4:],
        [],
    ]
    assert {page.total for page in pages} == {len(PUBLISHED)}


# --- GET /api/v1/datasets ------------------------------------------------------------------


def test_rest_search_returns_summaries_facets_and_pages(client: TestClient) -> None:
    response = client.get("/api/v1/datasets", params={"q": "الصحه", "page_size": 10})
    assert response.status_code == 200
    body = response.json()
    assert (body["total"], body["page"], body["page_size"], body["pages"]) == (1, 1, 10, 1)
    (item,) = body["items"]
    assert item["slug"] == "sante-etablissements"
    assert item["title"] == {
        "ar": "إحصائيات الصحّة في المستشفى الإقليمي",
        "fr": "Statistiques des établissements de santé",
        "en": "Health facilities statistics",
    }
    assert item["description"]["fr"] == "Nombre de lits par hôpital et par région."
    hcp_title = {"ar": "المندوبية السامية للتخطيط", "fr": "Haut-Commissariat au Plan"}
    assert item["institution"] == {
        "id": str(HCP),
        "slug": "hcp",
        "title": hcp_title,
        "acronym": "HCP",
    }
    assert item["themes"] == [{"name": "sante", "title": {"ar": "الصحة", "fr": "Santé"}}]
    assert item["tags"] == ["hôpitaux", "santé"]
    assert item["license"] == {
        "id": "cc-by",
        "title": "Creative Commons Attribution 4.0",
        "url": "https://creativecommons.org/licenses/by/4.0/",
        "is_open": True,
    }
    assert item["formats"] == ["CSV", "PDF"]
    assert item["reuse_count"] == 0
    assert item["modified"] == "2024-03-01T10:00:00Z"
    assert item["published"] == "2024-03-01T10:00:00Z"
    assert item["url"] == f"http://testserver/api/v1/datasets/{item['id']}"
    assert item["score"] > 0
    assert set(body["facets"]) == {"institution", "theme", "tag", "license", "format", "is_open"}
    assert body["facets"]["institution"] == [
        {
            "value": "hcp",
            "label": "Haut-Commissariat au Plan",
            "labels": hcp_title,
            "count": 1,
        }
    ]
    assert body["facets"]["is_open"] == [
        {"value": "true", "label": None, "labels": None, "count": 1}
    ]


def test_rest_items_are_read_from_the_stored_renditions_and_follow_changes(
    client: TestClient, seeded: Catalog
) -> None:
    """An item is cut from its dataset's stored native JSON; a change renders it again in its
    own unit, and the next search shows the change."""
    dataset_id = seeded.corpus.ids["loi-de-finances"]

    def item() -> dict[str, Any]:
        response = client.get("/api/v1/datasets", params={"q": "finances"})
        assert response.status_code == 200, response.text
        (found,) = response.json()["items"]
        return dict(found)

    def stored_native() -> bytes | None:
        with Session(seeded.engine) as session:
            rendition = session.get(DatasetRendition, dataset_id)
            return rendition.native if rendition is not None else None

    first = item()
    native = stored_native()
    assert native is not None
    shown = {key: value for key, value in json.loads(native).items() if key in first}
    assert shown == {key: value for key, value in first.items() if key in shown}
    assert item() == first  # from the stored body now

    app = client.app
    assert isinstance(app, FastAPI)
    units: UnitOfWorkFactory = app.state.unit_of_work
    original = {"fr": "Dépenses et recettes du budget général."}
    try:
        for description in ({"fr": "Les comptes de l'État."}, original):
            with units() as uow:
                dataset = uow.session.get_one(Dataset, dataset_id)
                dataset.description = description
                uow.session.add(dataset)
                renditions.stale(uow, [dataset_id])  # as every change of the domain does
                uow.commit()
            native = stored_native()
            assert native is not None and json.loads(native)["description"] == description
            assert item()["description"] == description
    finally:
        with units() as uow:
            dataset = uow.session.get_one(Dataset, dataset_id)
            dataset.description = original
            uow.session.add(dataset)
            renditions.stale(uow, [dataset_id])
            uow.commit()


def rest_names(client: TestClient, **params: object) -> list[str]:
    response = client.get("/api/v1/datasets", params=params)
    assert response.status_code == 200, response.text
    return [item["slug"] for item in response.json()["items"]]


def test_rest_filters(client: TestClient) -> None:
    assert set(rest_names(client, institution="mef")) == {"loi-de-finances", "ecoles-primaires"}
    assert set(rest_names(client, institution=str(HCP))) == {
        "sante-etablissements",
        "effectifs-enseignants",
    }
    assert set(rest_names(client, theme="education")) == {
        "ecoles-primaires",
        "effectifs-enseignants",
    }
    assert rest_names(client, tag=["santé", "hôpitaux"]) == ["sante-etablissements"]
    assert rest_names(client, tag=["santé", "air"]) == []
    assert set(rest_names(client, license=["cc-by", "cc-by-sa"])) == {
        "sante-etablissements",
        "ecoles-primaires",
    }
    assert set(rest_names(client, format="xlsx")) == {"loi-de-finances"}
    assert set(rest_names(client, open_only="true")) == {
        "sante-etablissements",
        "loi-de-finances",
        "ecoles-primaires",
    }
    assert set(rest_names(client, modified_since="2024-05-01")) == {
        "qualite-air",
        "effectifs-enseignants",
    }
    assert rest_names(client, modified_since="2024-05-10T10:00:01Z") == ["effectifs-enseignants"]
    assert rest_names(client, q="sante", open_only="true") == ["sante-etablissements"]


def test_rest_words_forms_phrases_exclusions_and_alternatives(client: TestClient) -> None:
    assert rest_names(client, q="école") == ["ecoles-primaires", "effectifs-enseignants"]
    assert rest_names(client, q="مدارس ابتدائية") == ["ecoles-primaires"]
    assert rest_names(client, q='"écoles primaires"') == ["ecoles-primaires"]
    assert rest_names(client, q='"primaires écoles"') == []
    assert rest_names(client, q="écoles -enseignants") == ["ecoles-primaires"]
    assert set(rest_names(client, q="budget OR air")) == {"loi-de-finances", "qualite-air"}
    assert rest_names(client, q="-") == rest_names(client)  # nothing to search: everything


def test_rest_sorts_and_pages(client: TestClient) -> None:
    assert rest_names(client, sort="-modified") == BY_MODIFIED
    assert rest_names(client, sort="modified") == BY_MODIFIED[::-1]
    assert rest_names(client, sort="title") == BY_TITLE
    assert rest_names(client, sort="-slug") == BY_NAME[::-1]
    assert rest_names(client, q="ecoles") == ["ecoles-primaires", "effectifs-enseignants"]
    body = client.get(
        "/api/v1/datasets", params={"sort": "-modified", "page": 3, "page_size": 2}
    ).json()
    assert [i["slug"] for i in body["items"]] == BY_MODIFIED[4:]
    assert (body["total"], body["page"], body["pages"]) == (5, 3, 3)
    beyond = client.get("/api/v1/datasets", params={"page": 9, "page_size": 2}).json()
    assert (beyond["items"], beyond["total"]) == ([], 5)


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"sort": "popularity"}, "sort"),
        ({"modified_since": "last week"}, "modified_since"),
        ({"modified_since": "2024-13-01"}, "modified_since"),
        ({"open_only": "perhaps"}, "open_only"),
        ({"page": "0"}, "page"),
        ({"page_size": "1000"}, "page_size"),
        ({"q": "x" * 501}, "q"),
    ],
)
def test_rest_bad_parameters_are_422_problems_naming_them(
    client: TestClient, params: dict[str, str], field: str
) -> None:
    response = client.get("/api/v1/datasets", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert field in [error["field"] for error in problem["errors"]]
    assert field in problem["detail"]


# --- counts stay true as the catalogue changes ---------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
def test_counts_follow_every_change_of_the_catalogue(
    backend: str, tmp_path: Path, postgres_databases: PostgresDatabases
) -> None:
    engine = migrated_engine(database_url(backend, tmp_path, postgres_databases))
    corpus = seed(engine)
    changing = Catalog(url="", engine=engine, corpus=corpus)
    by_theme = {"facets": (FilterField.THEME,)}
    assert changing.search(**by_theme).total == 5
    assert counts(changing.search(**by_theme), FilterField.THEME)["education"] == 2

    with Session(engine) as session:  # a withdrawal moves the modified time
        dataset = session.get(Dataset, corpus.ids["ecoles-primaires"])
        assert dataset is not None
        dataset.state = DatasetState.WITHDRAWN
        dataset.modified_at = datetime.now(UTC)
        session.add(dataset)
        session.commit()
    assert changing.search(**by_theme).total == 4
    assert counts(changing.search(**by_theme), FilterField.THEME)["education"] == 1

    with Session(engine) as session:  # published with a time older than every other
        add_dataset(
            session,
            corpus,
            name="ecoles-anciennes",
            title={"fr": "Écoles anciennes"},
            institution_id=HCP,
            modified="2001-01-01T00:00:00",
            themes=("education",),
        )
        session.commit()
    assert changing.search(**by_theme).total == 5
    assert counts(changing.search(**by_theme), FilterField.THEME)["education"] == 2
    assert changing.names(text="ecoles anciennes") == ["ecoles-anciennes"]

    with Session(engine) as session:  # an institution renamed: its new slug filters
        institution = session.get(Institution, HCP)
        assert institution is not None
        institution.slug = "plan"
        institution.modified_at = datetime.now(UTC)
        session.add(institution)
        session.commit()
    plan = Filter(FilterField.INSTITUTION, ("plan",))
    assert changing.search(filters=(plan,)).total == 3
    assert "plan" in counts(changing.search(), FilterField.INSTITUTION)

    with Session(engine) as session:  # written behind the domain's back: no modified time
        session.add(DatasetTag(dataset_id=corpus.ids["qualite-air"], tag="ozone"))
        session.flush()
        # Facets are counted from the search index, as the words are found in it: a row
        # written without the domain counts once the dataset is reindexed (as the CLI does).
        dataset = session.get_one(Dataset, corpus.ids["qualite-air"])
        reindex_dataset(session, dataset, dataset_tags(session, dataset.id))
        session.commit()
    with Session(engine) as session:
        fresh = search_datasets(session, SearchQuery())
    assert counts(fresh, FilterField.TAG)["ozone"] == 1
    engine.dispose()


def test_the_search_is_documented_in_openapi(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    operation = spec["paths"]["/api/v1/datasets"]["get"]
    parameters = {parameter["name"] for parameter in operation["parameters"]}
    assert {
        "q",
        "institution",
        "theme",
        "tag",
        "license",
        "format",
        "open_only",
        "modified_since",
        "sort",
        "page",
        "page_size",
    } <= parameters
    assert "DatasetSearchPage" in spec["components"]["schemas"]
    for path in ("/api/3/action/{name}", "/api/action/{name}"):
        assert set(spec["paths"][path]) == {"get", "post"}


def test_nul_characters_are_ignored_not_a_server_error(client: TestClient) -> None:
    # PostgreSQL refuses NUL in text: it must never reach the database.
    assert rest_names(client, institution="me\x00f") == rest_names(client, institution="mef")
    assert rest_names(client, tag="air\x00", q="qualite\x00") == ["qualite-air"]
