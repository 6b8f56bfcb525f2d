"""Light stemming for search: every form of a word finds the title, and no more than that."""

from __future__ import annotations

import threading

import pytest

from libs.text import (
    MAX_TOKEN_CHARS,
    index_terms,
    normalise,
    query_terms,
    search_tokens,
    stem,
    stem_arabic,
    stem_french,
    stems,
    tokens,
)
from tests.unit.libs.search_pairs import PRECISION, RECALL, Findable, NotFound

PAIRS = [(query, findable.title) for findable in RECALL for query in findable.queries]


def finds(query: str, title: str) -> bool:
    """Term-level match: every term of the query is among the title's index terms."""
    wanted = query_terms(query)
    indexed = set(index_terms(title))
    return bool(wanted) and all(term in indexed for term in wanted)


# --- the pairs -----------------------------------------------------------------------------


def test_the_pairs_cover_both_languages_and_many_titles() -> None:
    arabic = [p for p in PAIRS if any("\u0600" <= ch <= "\u06ff" for ch in p[1])]
    assert len(PAIRS) >= 60
    assert len(arabic) >= 60 and len(PAIRS) - len(arabic) >= 60
    assert len(RECALL) >= 40


@pytest.mark.parametrize(("query", "title"), PAIRS)
def test_every_form_of_a_word_finds_the_title(query: str, title: str) -> None:
    missing = [t for t in query_terms(query) if t not in index_terms(title)]
    assert not missing, f"{query!r} does not find {title!r}: {missing} not indexed"


def test_recall_is_complete() -> None:
    found = sum(finds(query, title) for query, title in PAIRS)
    assert found == len(PAIRS)


@pytest.mark.parametrize("case", PRECISION, ids=[f"{c.rule}:{c.query}" for c in PRECISION])
def test_a_common_word_does_not_find_what_it_should_not(case: NotFound) -> None:
    assert not finds(case.query, case.title), case.why


def test_every_affix_rule_has_a_precision_case() -> None:
    rules = {case.rule for case in PRECISION}
    arabic = {"ال", "و", "ب", "ك", "ل", "ف", "ها", "ات", "ان", "ون", "ين", "يه", "ه", "ي"}
    assert arabic <= rules
    assert {"elision", "plural s"} <= rules


@pytest.mark.parametrize(
    ("query", "title"),
    [
        ("إحصاءات", "الإحصاءات السنوية للسياحة"),
        ("سكان", "السكان حسب الجماعة"),
        ("الإنتاج", "إنتاج الطاقة"),
        ("l'eau", "Qualité de l'eau potable"),
        ("écoles", "Effectifs des écoles primaires"),
        ("école", "Effectifs des écoles primaires"),
    ],
)
def test_the_reported_misses_are_found(query: str, title: str) -> None:
    assert finds(query, title)


def test_a_findable_names_a_title_and_its_queries() -> None:
    assert all(isinstance(f, Findable) and f.title and f.queries for f in RECALL)


# --- Arabic rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("السياحه", "سياح"),  # ال + ه
        ("والسياحه", "سياح"),  # وال
        ("بالسياحه", "سياح"),  # بال
        ("كالسياحه", "سياح"),  # كال
        ("فالسياحه", "سياح"),  # فال
        ("للسياحه", "سياح"),  # لل
        ("وللسياحه", "سياح"),  # و + لل
        ("وبالسياحه", "سياح"),  # و + بال
        ("وسياحه", "سياح"),  # bare و
    ],
)
def test_arabic_prefixes_are_removed(word: str, expected: str) -> None:
    assert stem_arabic(word) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("الم", "الم"),  # ال + one letter: kept
        ("الما", "ما"),  # ال + two letters: removed (الماء meets ماء)
        ("ورد", "ورد"),  # و + two letters: kept
        ("وطن", "وطن"),
        ("بحر", "بحر"),  # a bare ب ك ل ف is never removed
        ("كمال", "كمال"),
        ("لبن", "لبن"),
        ("فرد", "فرد"),
        ("بيانات", "بيان"),
        ("فلاحه", "فلاح"),
    ],
)
def test_arabic_prefixes_leave_enough_of_the_word(word: str, expected: str) -> None:
    assert stem_arabic(word) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("سياحتها", "سياحت"),  # ها
        ("انتخابات", "انتخاب"),  # ات
        ("مهرجان", "مهرج"),  # ان
        ("مهرجانات", "مهرج"),  # ات then ان
        ("مسجلون", "مسجل"),  # ون
        ("مسجلين", "مسجل"),  # ين
        ("سنويه", "سنو"),  # يه (ية)
        ("جماعه", "جماع"),  # ه (ة)
        ("سنوي", "سنو"),  # ي
        ("كهربايي", "كهربا"),  # ئي folded to يي
        ("موظفيها", "موظف"),  # ها then ي
    ],
)
def test_arabic_suffixes_are_removed(word: str, expected: str) -> None:
    assert stem_arabic(word) == expected


@pytest.mark.parametrize("word", ["سكان", "بنات", "بنين", "مكه", "سكه", "جوي", "انها", "حري"])
def test_arabic_suffixes_leave_three_letters(word: str) -> None:
    assert stem_arabic(word) == word


@pytest.mark.parametrize(
    "forms",
    [
        ("وزارة", "الوزارة", "والوزارة", "ووزارة", "بالوزارة", "للوزارة"),
        ("وفيات", "الوفيات"),
        ("ولاية", "الولاية", "ولايات", "الولايات"),
        ("الكهربائي", "الكهربائية", "كهربائي"),
        ("بيئة", "البيئة", "بيئي", "البيئية"),
        ("إحصاءات", "احصاءات", "الإحصاءات", "الاحصاءات", "الإحْصَاءات", "الإحصــاءات"),
        ("مستشفى", "مستشفي", "المستشفى", "المستشفيات"),
        ("مدرسة", "مدرسه", "المدرسة", "والمدرسة", "للمدرسة"),
    ],
)
def test_arabic_forms_of_a_word_meet(forms: tuple[str, ...]) -> None:
    assert len({stem(normalise(form)) for form in forms}) == 1, forms


# --- French rules --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "l'eau",
        "l’eau",
        "L'EAU",
        "d'eau",
        "qu'eau",
        "j'eau",
        "n'eau",
        "s'eau",
        "t'eau",
        "m'eau",
        "c'eau",
        "lorsqu'eau",
        "puisqu'eau",
        "jusqu'eau",
    ],
)
def test_french_elision_is_dropped(text: str) -> None:
    assert search_tokens(text) == ["eau"]


def test_elision_only_at_the_start_of_a_word() -> None:
    assert search_tokens("aujourd'hui") == ["aujourd", "hui"]
    assert search_tokens("vitamine D") == ["vitamine", "d"]


def test_a_word_longer_than_any_language_has_is_cut_into_pieces_each_findable() -> None:
    word = "ب" * (MAX_TOKEN_CHARS * 2 + 10)
    pieces = search_tokens(f"جدول {word}")
    assert pieces[0] == "جدول"
    assert [len(piece) for piece in pieces[1:]] == [MAX_TOKEN_CHARS, MAX_TOKEN_CHARS, 10]
    assert all(len(term.encode()) < 2046 for term in index_terms(word))


@pytest.mark.parametrize(
    "forms",
    [
        ("école", "écoles", "ecoles", "ecole", "ÉCOLES"),
        ("eau", "eaux"),
        ("hôpital", "hôpitaux", "hopitaux", "hopital"),
        ("région", "régions", "regions"),
        ("régional", "régionale", "régionaux", "régionales"),
        ("emploi", "emplois"),
        ("loi", "lois"),
        ("jeu", "jeux"),
        ("lieu", "lieux"),
        ("milieu", "milieux"),
        ("donnée", "données", "donnees", "donnee"),
        ("publié", "publiée", "publiées", "publiés"),
        ("élu", "élus"),
    ],
)
def test_french_forms_of_a_word_meet(forms: tuple[str, ...]) -> None:
    assert len({stem(token) for form in forms for token in search_tokens(form)}) == 1, forms


def test_region_and_regional_stay_apart() -> None:
    # Snowball removes inflections, not every derivation: région ≠ régional.
    assert stem("region") != stem("regional")


def test_french_stemmer_works_on_folded_words() -> None:
    assert stem_french("ecoles") == stem_french("ecole") == "ecol"
    assert stem_french("stress") == "stress"


# --- the API -------------------------------------------------------------------------------


def test_numbers_and_mixed_tokens_are_kept() -> None:
    assert stem("2024") == "2024"
    assert stem("covid19") == "covid19"


def test_stems_follow_the_tokens_position_for_position() -> None:
    text = "Écoles primaires — المدارس الابتدائية 2024"
    assert len(stems(text)) == len(search_tokens(text)) == 5
    assert stems(text) == ["ecol", "primair", "مدارس", "ابتدا", "2024"]


def test_index_terms_hold_each_token_and_its_stem_once() -> None:
    assert index_terms("Écoles et écoles, l'école") == ["ecoles", "ecol", "et", "ecole"]
    assert index_terms("السكان") == ["السكان", "سكان"]
    assert index_terms("") == [] and index_terms(None) == []


def test_query_terms_are_stems_without_repetition() -> None:
    assert query_terms("écoles école") == ["ecol"]
    assert query_terms("L’eau des barrages") == ["eau", "de", "barrag"]
    assert query_terms("   ") == []


def test_normalise_and_tokens_are_unchanged() -> None:
    assert tokens("l'eau") == ["l", "eau"]
    assert normalise("Écoles") == "ecoles"


def test_stemming_from_several_threads_agrees() -> None:
    words = ["ecoles", "hopitaux", "publiees", "regionales"] * 200
    expected = [stem_french(word) for word in words]
    results: list[list[str]] = []

    def run() -> None:
        results.append([stem_french(word) for word in words])

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [expected] * 4
