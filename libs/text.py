"""Text normalisation for search in Arabic and French (and English).

Arabic: diacritics (harakat, shadda, sukun, superscript alef) and tatweel are removed; alef
forms (أ إ آ ٱ) become ا; ة becomes ه; ى becomes ي; hamza carriers ؤ ئ become و ي. French:
case and accents are folded (é → e, œ → oe). So spelling variants of one word meet.
"""

from __future__ import annotations

import functools
import re
import threading
import unicodedata

import snowballstemmer

_ARABIC_DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
_TATWEEL = "\u0640"
_ARABIC_MAP = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ة": "ه",
        "ى": "ي",
        "ؤ": "و",
        "ئ": "ي",
        "ء": "",
    }
)
_LATIN_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
_TOKEN = re.compile(r"\w+", re.UNICODE)


def normalise_arabic(text: str) -> str:
    text = _ARABIC_DIACRITICS.sub("", text).replace(_TATWEEL, "")
    return text.translate(_ARABIC_MAP)


def _fold_latin(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_LATIN_LIGATURES))
    # Drop combining marks of Latin letters only; Arabic marks are handled above.
    return "".join(ch for ch in decomposed if not (unicodedata.combining(ch) and ord(ch) < 0x0370))


def normalise(text: str | None) -> str:
    """Folded text for indexing and querying: same function on both sides."""
    if not text:
        return ""
    return _fold_latin(normalise_arabic(unicodedata.normalize("NFC", text)))


def tokens(text: str | None) -> list[str]:
    """Normalised word tokens (underscores and punctuation separate words)."""
    return [t for t in _TOKEN.findall(normalise(text).replace("_", " ")) if t]


# --- stemming ------------------------------------------------------------------------------
# Words are stemmed after normalise(), in Python, before indexing and before querying, so that
# PostgreSQL (tsvector, 'simple' configuration) and SQLite (FTS5) index and look up the same
# terms. A stem is a search key, not a word: it is never shown.
#
# Arabic: the light stemming of Lucene's Arabic analyzer (Larkey, Ballesteros and Connell's
# "light10"), on the normalised form (ة is already ه, ى is already ي, hamza is folded):
#   1. at most one article-bearing prefix: the article ال, the conjunctions و ف and the
#      prepositions ب ك attached to it (وال فال بال كال), ل before the article (لل), and the
#      compounds وبال فبال ولل فلل that light10 lacks; removed only when at least two letters
#      remain (الماء: ما, like ماء).
#   2. then the conjunction و, removed only when at least three letters remain; after an
#      article this removes a root-initial و too, and without one it may remove two (ووزارة).
#      Light10 removes و only from a word without an article, so الوفيات and وفيات, الوزارة
#      and وزارة did not meet; here a word-initial و is removed alike from every form.
#   3. the suffixes ها ات ان ون ين يه (ية) ه (ة) ي, checked once each in that order, each removed
#      only when at least three letters remain (Lucene: two, which merges سكان with سكة into
#      سك, بنات and حرية with بن and حر, مكونات with مكة). ات comes before ان (Lucene: after),
#      so that a plural in انات meets its singular (مهرجانات, مهرجان); and ئي, folded to يي,
#      is one suffix, so that the nisba after a hamza meets its feminine (الكهربائي,
#      الكهربائية: كهربا).
#   A bare ب ك ل ف is never removed: too many words begin with these letters (بيانات, كهرباء,
#   لجنة, فلاحة).
# French (and other Latin-script words): elided articles and pronouns (l' d' qu' … both ' and
# ’) are dropped, then Snowball's French stemmer runs on the accent-folded word, after three
# steps that make folded input behave like accented input: a plural s (not ss) and the x of
# -ieux and short -eux words are removed (Snowball keeps emplois, lois, jeux, lieux), and a
# final ee (folded ée) becomes e (publiée, données).

_ELISION = re.compile(r"\b(?:lorsqu|puisqu|jusqu|qu|[cdjlmnst])['’](?=\w)")
_ARABIC_LETTER = re.compile("[\u0621-\u064a]")

# Longest first: the first prefix that fits is removed.
_ARABIC_PREFIXES = ("وبال", "فبال", "ولل", "فلل", "وال", "فال", "بال", "كال", "لل", "ال")
_ARABIC_PREFIX_MIN_REST = 2
_ARABIC_CONJUNCTION = "و"
_ARABIC_CONJUNCTION_MIN_REST = 3
_ARABIC_SUFFIXES = ("ها", "ات", "ان", "ون", "ين", "يه", "يي", "ه", "ي")
_ARABIC_SUFFIX_MIN_REST = 3

_FRENCH_PLURAL_MIN_LENGTH = 4
_FRENCH_SHORT_EUX = 5


def _strip_arabic_prefix(word: str) -> str:
    article = next(
        (
            prefix
            for prefix in _ARABIC_PREFIXES
            if word.startswith(prefix) and len(word) - len(prefix) >= _ARABIC_PREFIX_MIN_REST
        ),
        None,
    )
    if article is not None:
        word = word[len(article) :]
    # After an article, a root-initial و; without one, the conjunction and maybe a root-initial
    # و after it (ووزارة): each removed like the conjunction, so that every form meets.
    for _ in range(1 if article is not None else 2):
        if not (
            word.startswith(_ARABIC_CONJUNCTION)
            and len(word) - len(_ARABIC_CONJUNCTION) >= _ARABIC_CONJUNCTION_MIN_REST
        ):
            break
        word = word[len(_ARABIC_CONJUNCTION) :]
    return word


def stem_arabic(word: str) -> str:
    """The light stem of one normalised Arabic word."""
    word = _strip_arabic_prefix(word)
    for suffix in _ARABIC_SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _ARABIC_SUFFIX_MIN_REST:
            word = word[: -len(suffix)]
    return word


class _FrenchStemmer(threading.local):
    """snowballstemmer's stemmers keep state between calls: one per thread."""

    def __init__(self) -> None:
        self.stemmer = snowballstemmer.stemmer("french")


_french = _FrenchStemmer()


def _is_plural(word: str) -> bool:
    if len(word) >= _FRENCH_PLURAL_MIN_LENGTH and word.endswith("s"):
        return not word.endswith("ss")
    return word.endswith("ieux") or (len(word) <= _FRENCH_SHORT_EUX and word.endswith("eux"))


def _fold_french_inflection(word: str) -> str:
    if _is_plural(word):
        word = word[:-1]
    if len(word) >= _FRENCH_PLURAL_MIN_LENGTH and word.endswith("ee"):
        word = word[:-1]
    return word


def stem_french(word: str) -> str:
    """The Snowball stem of one normalised (case- and accent-folded) French word."""
    stemmed: str = _french.stemmer.stemWord(_fold_french_inflection(word))
    return stemmed


@functools.lru_cache(maxsize=65536)
def stem(token: str) -> str:
    """The stem of one token as ``search_tokens`` returns it (numbers are kept as they are)."""
    if _ARABIC_LETTER.search(token):
        return stem_arabic(token)
    if token.isalpha():
        return stem_french(token)
    return token


# A word longer than this is cut into pieces of this length, as Lucene's standard tokenizer
# does: no language has such words, and PostgreSQL refuses a lexeme over 2,046 bytes.
MAX_TOKEN_CHARS = 255


def search_tokens(text: str | None) -> list[str]:
    """``tokens(text)`` without French elided articles and pronouns (l'eau: eau), each word of
    at most ``MAX_TOKEN_CHARS`` characters."""
    words = _TOKEN.findall(_ELISION.sub("", normalise(text)).replace("_", " "))
    return [
        word[start : start + MAX_TOKEN_CHARS]
        for word in words
        for start in range(0, len(word), MAX_TOKEN_CHARS)
    ]


def stems(text: str | None) -> list[str]:
    """The stem of every search token of ``text``, in order (position for position)."""
    return [stem(token) for token in search_tokens(text)]


def index_terms(text: str | None) -> list[str]:
    """What makes ``text`` findable: each search token, then its stem where it differs.

    Distinct terms in order of first appearance; a query finds the text when every one of its
    ``query_terms`` is among them.
    """
    terms: dict[str, None] = {}
    for token in search_tokens(text):
        terms[token] = None
        terms[stem(token)] = None
    return list(terms)


def query_terms(query: str | None) -> list[str]:
    """The stems a query looks for, one per word, in order (repeated words kept once)."""
    return list(dict.fromkeys(stems(query)))
