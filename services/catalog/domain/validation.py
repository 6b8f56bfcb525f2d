"""Rules of a dataset's metadata: each check names the field it refuses (422).

The inputs arrive cleaned and bounded (libs.fields: trimmed text, multilingual text with Arabic
or French); these rules add what depends on the catalog: URL names, tags, the themes and
licences it knows, the EU frequencies, region codes for the regions (communes stay free text).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import date

from sqlmodel import Session, col, select

from libs.http.problems import InvalidInput
from libs.text import normalise
from libs.vocabularies import EU_FREQUENCY, FREQUENCIES
from services.catalog.domain.vocabularies import REGIONS
from services.catalog.models import License, Theme

SLUG_PATTERN = re.compile(r"^[a-z0-9_-]{2,100}$")
TAGS_MAX = 100
# CKAN's rule: letters (any script), digits, spaces, and - _ .
TAG_PATTERN = re.compile(r"^[\w .-]+$", re.UNICODE)

# Transliteration of normalised Arabic (libs.text) for slugs made from an Arabic title.
_ARABIC_TO_LATIN = str.maketrans(
    {
        "ا": "a",
        "ب": "b",
        "ت": "t",
        "ث": "th",
        "ج": "j",
        "ح": "h",
        "خ": "kh",
        "د": "d",
        "ذ": "dh",
        "ر": "r",
        "ز": "z",
        "س": "s",
        "ش": "ch",
        "ص": "s",
        "ض": "d",
        "ط": "t",
        "ظ": "z",
        "ع": "a",
        "غ": "gh",
        "ف": "f",
        "ق": "k",
        "ك": "k",
        "ل": "l",
        "م": "m",
        "ن": "n",
        "ه": "a",
        "و": "ou",
        "ي": "i",
        **{chr(0x0660 + n): str(n) for n in range(10)},
        **{chr(0x06F0 + n): str(n) for n in range(10)},
    }
)


def check_slug(slug: str) -> str:
    slug = slug.strip()
    if not SLUG_PATTERN.match(slug):
        raise InvalidInput(
            "slug", "2 to 100 characters among lower-case letters a-z, digits, '-' and '_'"
        )
    return slug


def slugify(text: str) -> str:
    """A slug from a title: accents folded, Arabic transliterated, words joined by '-'."""
    latin = normalise(text).translate(_ARABIC_TO_LATIN)
    slug = re.sub(r"[^a-z0-9]+", "-", latin).strip("-")
    return slug[:90].rstrip("-")


def slug_source(title: Mapping[str, str]) -> str:
    for language in ("fr", "en", "ar"):
        if title.get(language):
            return title[language]
    return ""


def tags(values: Iterable[str]) -> list[str]:
    """CKAN-like tags: trimmed, inner spaces collapsed, lower-case, without duplicates."""
    result: list[str] = []
    for index, raw in enumerate(values):
        tag = re.sub(r"\s+", " ", str(raw)).strip().lower()
        if not tag:
            continue
        if not TAG_PATTERN.match(tag):
            raise InvalidInput(
                f"tags[{index}]", f"{raw!r}: only letters, digits, spaces, '-', '_' and '.'"
            )
        if tag not in result:
            result.append(tag)
    if len(result) > TAGS_MAX:
        raise InvalidInput("tags", f"at most {TAGS_MAX} tags")
    return result


def themes(session: Session, names: Iterable[str]) -> list[str]:
    wanted: list[str] = []
    for name in names:
        name = str(name).strip().lower()
        if name and name not in wanted:
            wanted.append(name)
    if not wanted:
        return []
    known = set(session.exec(select(Theme.name).where(col(Theme.name).in_(wanted))))
    unknown = [name for name in wanted if name not in known]
    if unknown:
        all_names = ", ".join(session.exec(select(Theme.name).order_by(col(Theme.position))))
        raise InvalidInput(
            "themes",
            f"unknown theme {', '.join(repr(n) for n in unknown)}; known themes: {all_names}",
        )
    return wanted


def license_id(session: Session, value: str | None) -> License | None:
    if value is None or not value.strip():
        return None
    licence = session.get(License, value.strip())
    if licence is None:
        known = ", ".join(session.exec(select(License.id).order_by(col(License.id))))
        raise InvalidInput("license_id", f"unknown licence {value!r}; known licences: {known}")
    return licence


def frequency(value: str | None) -> str | None:
    """An EU frequency code (``MONTHLY``); its full URI is accepted too."""
    if value is None or not value.strip():
        return None
    code = value.strip()
    code = code.removeprefix(EU_FREQUENCY).upper()
    if code not in FREQUENCIES:
        raise InvalidInput(
            "frequency",
            f"unknown frequency {value!r}; one of {', '.join(FREQUENCIES)} "
            "(the EU frequency vocabulary)",
        )
    return code


def temporal(start: date | None, end: date | None) -> None:
    if start and end and start > end:
        raise InvalidInput("temporal_end", f"the end ({end}) is before the start ({start})")


_REGION_BY_NAME = {
    normalise(label): region.code
    for region in REGIONS.values()
    for label in (region.code, region.fr, region.ar)
}


def spatial(values: Iterable[str]) -> list[str]:
    """Region codes (a region's code or its French or Arabic name), or commune names as given."""
    result: list[str] = []
    for raw in values:
        text = re.sub(r"\s+", " ", str(raw)).strip()
        if not text:
            continue
        value = _REGION_BY_NAME.get(normalise(text), text)
        if value not in result:
            result.append(value)
    return result


def contact_point(value: Mapping[str, str | None] | None) -> dict[str, str] | None:
    """A name, an e-mail address or both (the address is checked at the door)."""
    if value is None:
        return None
    given = {key: text for key in ("name", "email") if (text := value.get(key))}
    if not given:
        raise InvalidInput("contact_point", "give a name or an e-mail address")
    return given
