"""Search over reuses: the catalog's normalisation and stemming on both sides, every word must
match (in any of its forms), title words rank first; filters."""

from __future__ import annotations

import uuid

import pytest

from libs.http.pagination import PageParams
from services.reuse.domain import reuses
from services.reuse.domain.search import ReuseQuery, index_terms, query_terms, search_reuses
from services.reuse.models import Reuse
from tests.support.units import SqliteUnits
from tests.unit.reuse.conftest import admin, declaration, make_developer, publish_dataset


def test_index_and_query_words_go_through_the_same_normalisation() -> None:
    reuse = Reuse(
        slug="carte",
        title={"fr": "Carte des Écoles", "ar": "خريطة المدارس الابتدائيّة"},
        description={"fr": "Les établissements, région par région."},
        reuse_type="visualization",
        url="https://carte.example.org",
        url_digest="",
        tags=["éducation"],
        developer_id=uuid.uuid4(),
        organization=None,
    )
    terms = index_terms(reuse)

    def weight(query: str) -> int:
        (term,) = query_terms(query)  # as a query sees it, whatever libs.text makes of it
        return terms[term]

    assert weight("ECOLES") == 3 and weight("الابتدائية") == 3, "title words weigh most"
    assert weight("education") == 2 and weight("Etablissements") == 1
    assert weight("école") == weight("écoles") == weight("l'école") == 3
    assert weight("ابتدائي") == weight("والابتدائية") == 3
    assert {"ecoles", "ecol", "المدارس", "مدارس"} <= set(terms), "words and their stems"
    assert query_terms("écoles ÉCOLES, carte") == query_terms("ecoles carte")
    assert query_terms("!!! ...") == []
    assert len(query_terms(" ".join(f"w{n}" for n in range(40)))) == 12


@pytest.fixture
def corpus(units: SqliteUnits) -> dict[str, uuid.UUID]:
    """Four public reuses (one verified) and a rejected one."""
    hcp = uuid.uuid4()
    publish_dataset(units, "ecoles", institution_id=hcp)
    publish_dataset(units, "sante")
    developer = make_developer(units)
    specs = {
        "schools-map": declaration(
            "ecoles",
            title={"fr": "Carte des écoles", "ar": "خريطة المدارس"},
            description={"fr": "Toutes les écoles du pays."},
            type="visualization",
            topic="education",
        ),
        "schools-api": declaration(
            "ecoles",
            title={"fr": "API des établissements"},
            description={"fr": "Les écoles et lycées, en JSON."},
            type="api",
            topic="education",
        ),
        "health": declaration(
            "sante",
            title={"ar": "المستشفيات القريبة"},
            description={"ar": "دليل المؤسسات الصحية"},
            type="application",
            topic="health",
        ),
        "rejected": declaration("sante", title={"fr": "Écoles piratées"}, type="idea"),
    }
    ids = {}
    for name, spec in specs.items():
        with units() as uow:
            ids[name] = reuses.declare_reuse(uow, developer, declaration=spec).reuse.id
            uow.commit()
    with units() as uow:
        reuses.verify_reuse(uow, admin(), reuse_id=ids["schools-api"])
        reuses.reject_reuse(uow, admin(), reuse_id=ids["rejected"], reason="not a reuse")
        uow.commit()
    ids["hcp"] = hcp
    return ids


def found(units: SqliteUnits, corpus: dict[str, uuid.UUID], **query: object) -> list[str]:
    names = {value: name for name, value in corpus.items()}
    with units() as uow:
        page = search_reuses(uow, ReuseQuery(**query), PageParams())  # type: ignore[arg-type]
        return [names[reuse.id] for reuse in page.items]


def test_words_match_whatever_the_spelling_and_titles_rank_first(
    units: SqliteUnits, corpus: dict[str, uuid.UUID]
) -> None:
    assert found(units, corpus, text="ecoles") == ["schools-map", "schools-api"]
    assert found(units, corpus, text="ÉCOLES carte") == ["schools-map"]
    assert found(units, corpus, text="écoles lycées") == ["schools-api"]
    assert found(units, corpus, text="المستشفيات") == ["health"]
    assert found(units, corpus, text="الصحيه"), "ة and ه meet"
    assert found(units, corpus, text="ecoles inexistant") == []


def test_every_form_of_a_word_finds_the_reuse(
    units: SqliteUnits, corpus: dict[str, uuid.UUID]
) -> None:
    # Singular and plural, the article and attached prefixes, elision: the same stems.
    assert found(units, corpus, text="école") == ["schools-map", "schools-api"]
    assert found(units, corpus, text="l'école carte") == ["schools-map"]
    assert found(units, corpus, text="مدارس") == ["schools-map"]
    assert found(units, corpus, text="والمدارس") == ["schools-map"]
    assert found(units, corpus, text="مستشفيات") == ["health"]
    assert found(units, corpus, text="المؤسسة الصحي") == ["health"]
    assert found(units, corpus, text="établissement") == ["schools-api"]
    # A word that merely begins like another stays apart.
    assert found(units, corpus, text="cartes") == ["schools-map"]
    assert found(units, corpus, text="cartel") == []


def test_filters_and_the_newest_first_without_words(
    units: SqliteUnits, corpus: dict[str, uuid.UUID]
) -> None:
    assert found(units, corpus) == ["health", "schools-api", "schools-map"]
    assert found(units, corpus, reuse_type="api") == ["schools-api"]
    assert found(units, corpus, topic="education") == ["schools-api", "schools-map"]
    assert found(units, corpus, verified=True) == ["schools-api"]
    assert found(units, corpus, verified=False) == ["health", "schools-map"]
    assert found(units, corpus, institution_id=corpus["hcp"]) == ["schools-api", "schools-map"]
    with units() as uow:
        assert reuses.count_by(uow, Reuse.reuse_type) == {
            "api": 1,
            "application": 1,
            "visualization": 1,
        }
