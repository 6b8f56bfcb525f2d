"""HTTP of a file download: validators (ETag), byte ranges (RFC 9110 §14) and file names."""

from __future__ import annotations

import pathlib
from collections.abc import Iterator
from urllib.parse import quote

from libs.http.problems import Problem

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


def content_disposition(filename: str) -> str:
    """An attachment named ``filename``: ASCII for old clients, UTF-8 (RFC 6266) for others."""
    ascii_name = filename.encode("ascii", "replace").decode().replace('"', "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
