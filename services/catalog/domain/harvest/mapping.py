"""From what a source says to what the catalog writes: one harvested record, mapped.

Each reader (ckan.py, dcat.py) turns what it reads into a ``SourceRecord``: the source's own
words (texts by language, tag names, theme and licence keys, format names). ``map_record``
maps that onto the catalog's vocabularies, through the source's mappings first and the
defaults after, and validates the result with the same input models a steward's request goes
through (``DatasetFields``, ``ResourceFields``): what it returns can be written; what it cannot
map raises ``MappingError`` saying why, which the job records for that record alone.

Defaults: a licence is the catalog's licence of that id or of that URL; a theme (a CKAN group,
a DCAT theme) is the catalog's theme of that name (an IRI's last segment), else the catalog's
theme an EU data theme falls to (``EU_THEME_DEFAULTS``, only when the record names none of the
catalog's own); a format goes through ``libs.vocabularies.normalise_format``, else is guessed
from the URL's extension or the media type. Text of no stated language is Arabic when written
in Arabic script, French otherwise. Tags the catalog cannot take (characters outside CKAN's
rule, too long) and values it does not know (a frequency, an e-mail address) are left out
rather than failing the record; a record without a title in Arabic or French, without a
resource, or with a resource that has no usable URL or format, fails.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError

from libs.fields import LINE_MAX, SHORT_MAX, clean_line, email_address, http_url
from libs.http.problems import InvalidInput
from libs.vocabularies import normalise_format
from services.catalog.domain import validation
from services.catalog.domain.bounds import SPATIAL_MAX, VERSION_MAX
from services.catalog.domain.datasets import DatasetFields
from services.catalog.domain.resources import (
    MEDIA_TYPE_PATTERN,
    ResourceFields,
    resolve_format,
)

LANGUAGES = ("ar", "fr", "en")
ORIGINAL_ID_MAX = 1000
ORIGINAL_URI_MAX = 2000
SPATIAL_ITEMS_MAX = 50
RESOURCES_MAX = 200

_ARABIC_SCRIPT = re.compile("[\u0600-\u06ff]")

# Where an EU data theme falls among the catalog's themes, when a record names none of them.
EU_THEME_DEFAULTS: dict[str, str] = {
    "AGRI": "agriculture",
    "ECON": "economie-finances",
    "EDUC": "education",
    "ENER": "energie",
    "ENVI": "environnement",
    "HEAL": "sante",
    "JUST": "justice",
    "REGI": "collectivites",
    "SOCI": "population",
    "TECH": "numerique",
    "TRAN": "transport",
}


class MappingError(Exception):
    """A record the catalog cannot take as it is: the message says what to fix (at the source,
    or in the source's mappings)."""


# --- what a reader reads -------------------------------------------------------------------


@dataclass
class SourceResource:
    url: str | None
    title: dict[str, str] = field(default_factory=dict)  # by language; "" when unstated
    description: dict[str, str] = field(default_factory=dict)
    format: str | None = None
    media_type: str | None = None
    size: int | None = None


@dataclass
class SourceRecord:
    """One dataset as the source describes it, in the source's own words."""

    original_id: str
    original_uri: str | None = None
    modified: datetime | None = None  # at the source
    name: str | None = None  # its URL name there (a CKAN name)
    title: dict[str, str] = field(default_factory=dict)
    description: dict[str, str] = field(default_factory=dict)
    tags: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)  # names, IRIs or notations
    licenses: list[str] = field(default_factory=list)  # ids or IRIs
    frequency: str | None = None
    temporal_start: str | None = None
    temporal_end: str | None = None
    spatial: list[str] = field(default_factory=list)
    contact_name: str | None = None
    contact_email: str | None = None
    version: str | None = None
    resources: list[SourceResource] = field(default_factory=list)


@dataclass(frozen=True)
class UnreadableRecord:
    """A record a reader could not make sense of (no identifier, a broken structure)."""

    message: str
    original_id: str | None = None
    original_uri: str | None = None


# --- what the source's configuration and the catalog's lists give --------------------------


def _lower_keys(values: Mapping[str, str] | None) -> dict[str, str]:
    return {key.strip().lower(): value for key, value in (values or {}).items()}


@dataclass(frozen=True)
class Mappings:
    """A source's own mappings (keys compared case-insensitively)."""

    licenses: dict[str, str] = field(default_factory=dict)
    themes: dict[str, str] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, stored: Mapping[str, Mapping[str, str]] | None) -> Mappings:
        stored = stored or {}
        return cls(
            licenses=_lower_keys(stored.get("licenses")),
            themes=_lower_keys(stored.get("themes")),
            formats=_lower_keys(stored.get("formats")),
        )


def _url_key(url: str) -> str:
    """A URL compared loosely: without scheme, ``www.``, case or trailing slash."""
    text = url.strip().lower()
    text = re.sub(r"^https?://", "", text).removeprefix("www.")
    return text.rstrip("/")


@dataclass(frozen=True)
class Vocabulary:
    """The catalog's licences (id → URL) and themes, read once per job."""

    licenses: dict[str, str | None]
    themes: frozenset[str]

    def license_by_url(self, url: str) -> str | None:
        key = _url_key(url)
        return next(
            (lic for lic, lic_url in self.licenses.items() if lic_url and _url_key(lic_url) == key),
            None,
        )


# --- the result ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MappedDataset:
    """A record ready to be written: validated metadata and resources, and its digest."""

    original_id: str
    original_uri: str | None
    source_modified: datetime | None
    slug_hint: str | None
    fields: DatasetFields
    resources: tuple[ResourceFields, ...]

    @property
    def content(self) -> dict[str, Any]:
        """What is written of it, as JSON (kept while a change waits for its review)."""
        return {
            # The slug is chosen once, when the dataset is created: never part of a change.
            "fields": self.fields.model_dump(mode="json", exclude={"slug"}),
            "resources": [r.model_dump(mode="json", exclude_unset=True) for r in self.resources],
        }

    @property
    def content_hash(self) -> str:
        text = json.dumps(self.content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


def content_fields(content: Mapping[str, Any]) -> tuple[DatasetFields, tuple[ResourceFields, ...]]:
    """The metadata and resources ``MappedDataset.content`` holds, validated again."""
    fields = DatasetFields.model_validate(content["fields"])
    resources = tuple(ResourceFields.model_validate(r) for r in content["resources"])
    return fields, resources


# --- mapping ---------------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(text.split())


def by_language(texts: Mapping[str, str], *, line: bool) -> dict[str, str]:
    """Texts by the catalog's languages: Arabic, French, English as stated; text of another or
    no stated language goes to Arabic when in Arabic script, else to French, where empty."""
    result: dict[str, str] = {}
    unstated: list[str] = []
    for language, raw in texts.items():
        text = _one_line(raw) if line else raw.strip()
        if not text:
            continue
        language = (language or "").lower().split("-")[0]
        if language in LANGUAGES:
            result.setdefault(language, text)
        else:
            unstated.append(text)
    for text in unstated:
        result.setdefault("ar" if _ARABIC_SCRIPT.search(text) else "fr", text)
    return result


def _segment(key: str) -> str:
    """The last segment of an IRI (``…/data-theme/ECON`` → ``ECON``), or the key itself."""
    return re.split(r"[/#]", key.strip().rstrip("/#"))[-1]


def map_tags(values: Iterable[str]) -> list[str]:
    """The tags the catalog can take, as it stores them; the others are left out."""
    tags: list[str] = []
    for raw in values:
        tag = re.sub(r"\s+", " ", str(raw)).strip().lower()
        fits = bool(tag) and len(tag) <= SHORT_MAX and validation.TAG_PATTERN.match(tag)
        if fits and tag not in tags:
            tags.append(tag)
    return tags[: validation.TAGS_MAX]


def map_themes(keys: Iterable[str], mappings: Mappings, vocabulary: Vocabulary) -> list[str]:
    themes: list[str] = []
    eu_codes: list[str] = []
    for key in keys:
        key = key.strip()
        if not key:
            continue
        segment = _segment(key)
        mapped = mappings.themes.get(key.lower()) or mappings.themes.get(segment.lower())
        name = mapped or segment.lower()
        if name in vocabulary.themes:
            themes.append(name)
        elif segment.upper() in EU_THEME_DEFAULTS:
            eu_codes.append(segment.upper())
    if not themes:
        themes = [
            EU_THEME_DEFAULTS[code]
            for code in eu_codes
            if EU_THEME_DEFAULTS[code] in vocabulary.themes
        ]
    return list(dict.fromkeys(themes))


def map_license(keys: Iterable[str], mappings: Mappings, vocabulary: Vocabulary) -> str | None:
    for key in keys:
        key = key.strip()
        if not key:
            continue
        mapped = mappings.licenses.get(key.lower()) or next(
            (to for fro, to in mappings.licenses.items() if _url_key(fro) == _url_key(key)), None
        )
        if mapped in vocabulary.licenses:
            return mapped
        if key in vocabulary.licenses:
            return key
        if key.lower() in vocabulary.licenses:
            return key.lower()
        if "/" in key and (found := vocabulary.license_by_url(key)) is not None:
            return found
    return None


def map_format(resource: SourceResource, url: str, mappings: Mappings) -> str:
    """The catalog's format code: the source's name through the mapping and the known names,
    else guessed from the URL's extension or the media type."""
    given = (resource.format or "").strip()
    candidates = [given, _segment(given)] if given else []
    for candidate in candidates:
        mapped = mappings.formats.get(candidate.lower())
        code = normalise_format(mapped or candidate)
        if code is not None:
            return code
    try:
        return resolve_format(None, filename=None, url=url, media_type=resource.media_type)
    except InvalidInput:
        said = f" (the source says {given!r})" if given else ""
        raise MappingError(
            f"cannot tell its format{said}: map it in the source's format mapping"
        ) from None


def _frequency(value: str | None) -> str | None:
    try:
        return validation.frequency(value)
    except InvalidInput:
        return None


def _day(value: str | None) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def _contact(name: str | None, email: str | None) -> dict[str, str] | None:
    contact: dict[str, str] = {}
    if name and (text := _one_line(name)) and len(text) <= 200:
        contact["name"] = text
    if email:
        with contextlib.suppress(ValueError):  # an address that is not one is left out
            contact["email"] = email_address(email.removeprefix("mailto:"))
    return contact or None


def _version(value: str | None) -> str | None:
    if not value:
        return None
    try:
        text = clean_line(value)
    except ValueError:
        return None
    return text if 0 < len(text) <= VERSION_MAX else None


def _spatial(values: Iterable[str]) -> list[str]:
    kept = [v for v in values if v and len(v.strip()) <= SPATIAL_MAX]
    return validation.spatial(kept)[:SPATIAL_ITEMS_MAX]


def _problems(error: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(part) for part in e['loc']) or 'value'}: {e['msg']}" for e in error.errors()
    )


def _resource(index: int, resource: SourceResource, mappings: Mappings) -> ResourceFields:
    where = f"resource {index + 1}"
    try:
        url = http_url(resource.url or "")
    except ValueError as exc:
        raise MappingError(f"{where}: its URL {resource.url!r} {exc}") from None
    try:
        code = map_format(resource, url, mappings)
    except MappingError as exc:
        raise MappingError(f"{where}: {exc}") from None
    media_type = (resource.media_type or "").split(";")[0].strip().lower() or None
    if media_type is not None and not MEDIA_TYPE_PATTERN.match(media_type):
        media_type = None
    values: dict[str, Any] = {"url": url, "format": code, "position": index}
    if title := by_language(resource.title, line=True):
        values["title"] = title
    if description := by_language(resource.description, line=False):
        values["description"] = description
    if media_type:
        values["media_type"] = media_type
    if resource.size is not None and resource.size >= 0:
        values["size"] = resource.size
    try:
        return ResourceFields.model_validate(values)
    except ValidationError as exc:
        raise MappingError(f"{where}: {_problems(exc)}") from None


def map_record(record: SourceRecord, mappings: Mappings, vocabulary: Vocabulary) -> MappedDataset:
    """The record as the catalog writes it, or MappingError."""
    if len(record.original_id) > ORIGINAL_ID_MAX:
        raise MappingError(f"its identifier is longer than {ORIGINAL_ID_MAX} characters")
    original_uri = record.original_uri
    if original_uri is not None and len(original_uri) > ORIGINAL_URI_MAX:
        original_uri = None
    title = by_language(record.title, line=True)
    if not (title.get("ar") or title.get("fr")):
        said = " (the source gives it in English only)" if title else ""
        raise MappingError(f"it has no title in Arabic or French{said}")
    if any(len(text) > LINE_MAX for text in title.values()):
        raise MappingError(f"its title is longer than {LINE_MAX} characters")
    description = by_language(record.description, line=False)
    if not (description.get("ar") or description.get("fr")):
        description = {}
    if not record.resources:
        raise MappingError("it has no resource: a dataset is submitted with at least one")
    if len(record.resources) > RESOURCES_MAX:
        raise MappingError(f"it has more than {RESOURCES_MAX} resources")
    resources = tuple(_resource(n, r, mappings) for n, r in enumerate(record.resources))
    start, end = _day(record.temporal_start), _day(record.temporal_end)
    if start and end and start > end:
        start = end = None
    try:
        fields = DatasetFields.model_validate(
            {
                "title": title,
                "description": description or None,
                "tags": map_tags(record.tags),
                "themes": map_themes(record.themes, mappings, vocabulary),
                "license_id": map_license(record.licenses, mappings, vocabulary),
                "frequency": _frequency(record.frequency),
                "temporal_start": start,
                "temporal_end": end,
                "spatial": _spatial(record.spatial),
                "contact_point": _contact(record.contact_name, record.contact_email),
                "version": _version(record.version),
            }
        )
    except ValidationError as exc:
        raise MappingError(_problems(exc)) from None
    name = (record.name or "").strip()
    return MappedDataset(
        original_id=record.original_id,
        original_uri=original_uri,
        source_modified=record.modified,
        slug_hint=name if validation.SLUG_PATTERN.match(name) else None,
        fields=fields,
        resources=resources,
    )
