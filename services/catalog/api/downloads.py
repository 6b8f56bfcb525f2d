"""HTTP of a file download: validators (ETag), byte ranges (RFC 9110 §14) and the types
files are served with."""

from __future__ import annotations

import pathlib
import re
from collections.abc import Iterator

from libs.http.problems import Problem
from libs.vocabularies import FORMATS

CHUNK_BYTES = 256 * 1024


class RangeNotSatisfiable(Problem):
    status, title, code = 416, "Range not satisfiable", "range-not-satisfiable"

    def __init__(self, header: str, size: int) -> None:
        super().__init__(
            f"Range: {header} is outside the file's {size} bytes",
            headers={"Content-Range": f"bytes */{size}"},
            field="Range",
        )


def etag_matches(header: str | None, etag: str) -> bool:
    """Whether an If-None-Match header names ``etag`` (weakly compared) or is ``*``."""
    if not header:
        return False
    if header.strip() == "*":
        return True
    bare = etag.strip('"')
    return any(
        candidate.strip().removeprefix("W/").strip('"') == bare for candidate in header.split(",")
    )


def byte_range(header: str | None, size: int) -> tuple[int, int] | None:
    """(first, last) of a single ``bytes=`` range of a file of ``size`` bytes; None to serve the
    whole file (no range, another unit, several ranges, bad syntax); 416 when unsatisfiable."""
    if not header or not header.strip().lower().startswith("bytes="):
        return None
    spec = header.split("=", 1)[1].strip()
    if "," in spec:
        return None
    first_text, dash, last_text = spec.partition("-")
    if not dash:
        return None
    try:
        if first_text == "":
            suffix = int(last_text)
            if suffix <= 0 or not size:
                raise RangeNotSatisfiable(header, size)
            return max(0, size - suffix), size - 1
        first = int(first_text)
        last = int(last_text) if last_text else size - 1
    except ValueError:
        return None
    if first > last and last_text:
        return None
    if first >= size:
        raise RangeNotSatisfiable(header, size)
    return first, min(last, size - 1)


def file_chunks(path: pathlib.Path, first: int, length: int) -> Iterator[bytes]:
    with open(path, "rb") as file:
        file.seek(first)
        remaining = length
        while remaining > 0:
            chunk = file.read(min(CHUNK_BYTES, remaining))
            if not chunk:
                break
            remaining -= len(chunk)
            yield chunk


# A browser shown a file of these types may run what it holds (scripts in HTML, SVG or any
# XML with a stylesheet): whatever its steward declared, such a file is served as bytes.
_ACTIVE = re.compile(r"html|xml|svg|javascript|ecmascript|x-sh\b|wasm", re.IGNORECASE)
SAFE_MEDIA_TYPES = frozenset(
    {f.media_type for f in FORMATS.values() if not _ACTIVE.search(f.media_type)}
    | {"text/plain", "application/octet-stream"}
)


def served_media_type(declared: str | None) -> str:
    """The type a file is served with: its declared one when it is known to be inert,
    ``application/octet-stream`` otherwise (an attachment a browser never renders)."""
    essence = (declared or "").split(";")[0].strip().lower()
    return essence if essence in SAFE_MEDIA_TYPES else "application/octet-stream"
