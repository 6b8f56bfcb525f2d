"""Text normalisation for search in Arabic and French (and English).

Arabic: diacritics (harakat, shadda, sukun, superscript alef) and tatweel are removed; alef
forms (أ إ آ ٱ) become ا; ة becomes ه; ى becomes ي; hamza carriers ؤ ئ become و ي. French:
case and accents are folded (é → e, œ → oe). So spelling variants of one word meet.
"""

from __future__ import annotations

import re
import unicodedata

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
