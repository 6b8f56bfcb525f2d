"""How open a published dataset is, from what its events say: the audit's findings per dataset.

- **Open licence**: the catalog's ``license_is_open`` on the publication.
- **Machine-readable**: at least one resource in a format that is both machine-readable and
  non-proprietary (CSV, JSON, XML, ODS, GeoJSON, RDF…; not XLS(X), not PDF): the audit's
  "machine-readable open format" (libs.vocabularies.FORMATS).
- **Openness stars** (Tim Berners-Lee's 0–5 scheme): 0 without an open licence; then the best
  resource format's stars (1 on the web, 2 machine-readable, 3 non-proprietary, 4 RDF); the
  fifth star (links to other data) needs a look inside the data, which no event gives.
- **Downloadable in bulk**: a resource that is a whole file rather than a page or a service:
  a file uploaded to the portal, or a resource in a file format (any known format but API and
  HTML). The events carry formats, not whether a linked URL serves the whole dataset; an
  uploaded file is known from the submission's snapshot.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

from libs.vocabularies import FORMATS, normalise_format

# Formats that are a way to reach data, not a copy of it.
NOT_A_FILE = frozenset({"API", "HTML"})

# What the figures ask of a format, looked up once (every fold of a dataset asks).
_STARS = {code: fmt.stars for code, fmt in FORMATS.items()}
_MACHINE_READABLE_OPEN = frozenset(
    code for code, fmt in FORMATS.items() if fmt.machine_readable and fmt.open
)
_FILES = frozenset(FORMATS) - NOT_A_FILE


@lru_cache(maxsize=1024)
def format_code(value: str | None) -> str:
    """``.csv``, ``csv`` or ``text/csv`` → ``CSV``; an unknown format upper-cased; "" for none."""
    if not value or not value.strip():
        return ""
    return normalise_format(value) or value.strip().upper()[:32]


def stars(licence_open: bool | None, formats: Iterable[str]) -> int:
    if not licence_open:
        return 0
    return max([1, *(_STARS[code] for code in formats if code in _STARS)])


def machine_readable(formats: Iterable[str]) -> bool:
    return not _MACHINE_READABLE_OPEN.isdisjoint(formats)


def bulk_download(formats: Iterable[str], uploaded: bool) -> bool:
    return uploaded or not _FILES.isdisjoint(formats)
