"""Every form of a word finds the dataset, on PostgreSQL and on SQLite: the query → title pairs
of tests/unit/libs/search_pairs.py (Arabic and French government dataset titles, each with
the ways people type a query for it) through the catalog's real search, and the precision
cases (a common word finds no title it should not, one case per affix rule). Exact forms,
phrases and prefixes rank before the forms only stemming finds."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from services.catalog.domain.lucene import parse_q
from services.catalog.domain.search import SearchQuery, search_datasets
from services.catalog.models import Institution
from tests.catalog.search_fixtures import (
    BACKENDS,
    Corpus,
    add_dataset,
    database_url,
    migrated_engine,
)
from tests.support.infra import PostgresDatabases
from tests.unit.libs.search_pairs import PRECISION, RECALL, NotFound

INSTITUTION = uuid.UUID("00000000-0000-4000-8000-0000000000f1")
PAIRS = [(query, findable.title) for findable in RECALL for query in findable.queries]
TITLES = list(dict.fromkeys([f.title for f in RECALL] + [c.title for c in PRECISION]))
# Titles whose order a search must give (the most recently modified is listed first, so that
# only relevance can put the others before it).
RANKED = {
    "centres-stems": "Centre de la santé publique",
    "centres-words": "Santé : les centres de base",
    "centres-phrase": "Centres de santé de base",
    "hopitaux": "Hôpitaux de Rabat",
    "hopital": "Hôpital régional de Rabat",
}


def is_arabic(text: str) -> bool:
    return any("\u0600" <= ch <= "\u06ff" for ch in text)


@dataclass
class Catalogue:
    engine: Engine
    slugs: dict[str, str]  # title → slug

    def rest(self, text: str) -> list[str]:
        """The REST search's answer to ``text``: slugs, best first."""
        with Session(self.engine) as session:
            found = search_datasets(session, SearchQuery(text=text, limit=100, facets=()))
        return [view.dataset.slug for view in found.items]

    def ckan(self, q: str) -> list[str]:
        """``package_search``'s answer to ``q`` (words without a prefix): slugs."""
        with Session(self.engine) as session:
            found = search_datasets(session, SearchQuery(match=parse_q(q), limit=100, facets=()))
        return [view.dataset.slug for view in found.items]


@pytest.fixture(scope="module", params=BACKENDS)
def catalogue(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_databases: PostgresDatabases,
) -> Iterator[Catalogue]:
    url = database_url(request.param, tmp_path_factory.mktemp("forms"), postgres_databases)
    engine = migrated_engine(url)
    slugs = {title: f"title-{n:03d}" for n, title in enumerate(TITLES)}
    corpus = Corpus()
    with Session(engine) as session:
        moment = datetime(2024, 1, 1, tzinfo=UTC)
        session.add(
            Institution(
                id=INSTITUTION,
                slug="hcp",
                title={"fr": "Haut-Commissariat au Plan"},
                enrolled_on=date(2020, 1, 1),
                created_at=moment,
                modified_at=moment,
            )
        )
        for title, slug in slugs.items():
            add_dataset(
                session,
                corpus,
                name=slug,
                title={"ar": title} if is_arabic(title) else {"fr": title},
                institution_id=INSTITUTION,
                modified="2024-01-01T00:00:00",
            )
        for day, (slug, title) in enumerate(reversed(RANKED.items()), start=1):
            add_dataset(
                session,
                corpus,
                name=slug,
                title={"fr": title},
                institution_id=INSTITUTION,
                modified=f"2024-02-{day:02d}T00:00:00",
            )
        session.commit()
    yield Catalogue(engine, slugs)
    engine.dispose()


def test_the_pairs_are_many_and_in_both_languages() -> None:
    arabic = [pair for pair in PAIRS if is_arabic(pair[1])]
    assert len(PAIRS) >= 60 and len(arabic) >= 60 and len(PAIRS) - len(arabic) >= 60


def test_recall_is_complete(catalogue: Catalogue) -> None:
    missed = [(q, title) for q, title in PAIRS if catalogue.slugs[title] not in catalogue.rest(q)]
    assert missed == [], f"{len(PAIRS) - len(missed)}/{len(PAIRS)} found"


def test_recall_is_complete_through_ckans_q(catalogue: Catalogue) -> None:
    missed = [(q, title) for q, title in PAIRS if catalogue.slugs[title] not in catalogue.ckan(q)]
    assert missed == [], f"{len(PAIRS) - len(missed)}/{len(PAIRS)} found"


@pytest.mark.parametrize("case", PRECISION, ids=[f"{c.rule}:{c.query}" for c in PRECISION])
def test_a_common_word_finds_no_title_it_should_not(catalogue: Catalogue, case: NotFound) -> None:
    assert catalogue.slugs[case.title] not in catalogue.ckan(case.query), case.why


def test_the_reported_misses_are_found(catalogue: Catalogue) -> None:
    assert catalogue.slugs["الإحصاءات السنوية للسياحة"] in catalogue.rest("إحصاءات")
    assert catalogue.slugs["السكان حسب الجماعة"] in catalogue.rest("سكان")
    assert catalogue.slugs["إنتاج الطاقة"] in catalogue.rest("الإنتاج")
    assert catalogue.slugs["Qualité de l'eau potable"] in catalogue.rest("l'eau")
    schools = catalogue.slugs["Effectifs des écoles primaires"]
    assert schools in catalogue.rest("école") and schools in catalogue.rest("écoles")


def test_a_phrase_ranks_first_then_the_exact_words_then_other_forms(catalogue: Catalogue) -> None:
    ranked = ["centres-phrase", "centres-words", "centres-stems"]
    assert catalogue.rest("centres de santé") == ranked
    assert catalogue.ckan('"centres de santé"') == ["centres-phrase"]


def test_the_form_typed_ranks_before_the_forms_stemming_finds(catalogue: Catalogue) -> None:
    assert catalogue.rest("rabat hôpital") == ["hopital", "hopitaux"]
    assert catalogue.rest("rabat hôpitaux") == ["hopitaux", "hopital"]
    # The beginning of a word, typed: the word it begins first.
    assert catalogue.rest("rabat hôpitau")[0] == "hopitaux"
