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

from libs.vocabularies import FORMATS, normalise_format

# Formats that are a way to reach data, not a copy of it.
NOT_A_FILE = frozenset({"API", "HTML"})


def format_code(value: str | None) -> str:
    """``.csv``, ``csv`` or ``text/csv`` → ``CSV``; an unknown format upper-cased; "" for none."""
    if not value or not value.strip():
        return ""
    return normalise_format(value) or value.strip().upper()[:32]


def stars(licence_open: bool | None, formats: Iterable[str]) -> int:
    if not licence_open:
        return 0
    known = [FORMATS[code].stars for code in formats if code in FORMATS]
    return max([1, *known])


def machine_readable(formats: Iterable[str]) -> bool:
    return any(
        code in FORMATS and FORMATS[code].machine_readable and FORMATS[code].open
        for code in formats
    )


def bulk_download(formats: Iterable[str], uploaded: bool) -> bool:
    return uploaded or any(code in FORMATS and code not in NOT_A_FILE for code in formats)
