"""A download's HTTP: which byte range to send, when the client's copy is current, and the file
name to save it under."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.catalog.api.downloads import (
    RangeNotSatisfiable,
    byte_range,
    etag_matches,
    file_chunks,
    served_media_type,
)

SIZE = 1000


@pytest.mark.parametrize(
    ("header", "wanted"),
    [
        ("bytes=0-99", (0, 99)),
        ("bytes=900-", (900, 999)),
        ("bytes=-100", (900, 999)),
        ("bytes=-5000", (0, 999)),  # a suffix longer than the file: all of it
        ("bytes=990-5000", (990, 999)),  # the end is cut at the file's
        ("BYTES=1-2", (1, 2)),
    ],
)
def test_a_single_satisfiable_range_is_served(header: str, wanted: tuple[int, int]) -> None:
    assert byte_range(header, SIZE) == wanted


@pytest.mark.parametrize(
    "header",
    [None, "", "items=0-10", "bytes=0-10,20-30", "bytes=abc", "bytes=10-5", "bytes=10"],
)
def test_anything_else_serves_the_whole_file(header: str | None) -> None:
    assert byte_range(header, SIZE) is None


@pytest.mark.parametrize(
    ("header", "size"), [("bytes=1000-", SIZE), ("bytes=-0", SIZE), ("bytes=-10", 0)]
)
def test_a_range_outside_the_file_is_a_416_naming_the_size(header: str, size: int) -> None:
    with pytest.raises(RangeNotSatisfiable) as refused:
        byte_range(header, size)
    assert refused.value.status == 416
    assert refused.value.headers == {"Content-Range": f"bytes */{size}"}
    assert refused.value.extra["field"] == "Range"


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        ('"abc"', True),
        ('W/"abc"', True),
        ('"x", "abc"', True),
        ("*", True),
        ('"abd"', False),
        (None, False),
    ],
)
def test_if_none_match_compares_weakly(header: str | None, matches: bool) -> None:
    assert etag_matches(header, '"abc"') is matches


@pytest.mark.parametrize(
    ("declared", "served"),
    [
        ("text/csv", "text/csv"),
        ("application/json", "application/json"),
        ("application/pdf", "application/pdf"),
        ("TEXT/CSV; charset=utf-8", "text/csv"),
        ("text/html", "application/octet-stream"),
        ("application/xhtml+xml", "application/octet-stream"),
        ("image/svg+xml", "application/octet-stream"),
        ("application/xml", "application/octet-stream"),
        ("text/xml", "application/octet-stream"),
        ("application/javascript", "application/octet-stream"),
        ("text/javascript", "application/octet-stream"),
        ("application/x-unheard-of", "application/octet-stream"),
        (None, "application/octet-stream"),
    ],
)
def test_only_inert_types_are_served_as_declared(declared: str | None, served: str) -> None:
    assert served_media_type(declared) == served


def test_a_range_is_read_in_chunks(tmp_path: Path) -> None:
    path = tmp_path / "f"
    path.write_bytes(bytes(range(256)) * 4)
    assert b"".join(file_chunks(path, 10, 20)) == (bytes(range(256)) * 4)[10:30]
