"""A published dataset's openness, from its licence and formats."""

from __future__ import annotations

import pytest

from services.metrics.domain.openness import bulk_download, format_code, machine_readable, stars


@pytest.mark.parametrize(
    ("value", "code"),
    [("csv", "CSV"), (".csv", "CSV"), ("text/csv", "CSV"), ("Shapefile", "SHAPEFILE"), (None, "")],
)
def test_format_codes(value: str | None, code: str) -> None:
    assert format_code(value) == code


@pytest.mark.parametrize(
    ("licence_open", "formats", "expected"),
    [
        (False, ["CSV"], 0),
        (None, ["RDF"], 0),
        (True, [], 1),
        (True, ["PDF"], 1),
        (True, ["XLSX"], 2),
        (True, ["PDF", "CSV"], 3),
        (True, ["CSV", "TTL"], 4),
        (True, ["UNKNOWN-FORMAT"], 1),
    ],
)
def test_openness_stars(licence_open: bool | None, formats: list[str], expected: int) -> None:
    assert stars(licence_open, formats) == expected


def test_machine_readable_means_an_open_machine_readable_format() -> None:
    assert machine_readable(["PDF", "JSON"])
    assert not machine_readable(["XLSX", "PDF"])
    assert not machine_readable([])


def test_bulk_download_means_a_whole_file() -> None:
    assert bulk_download(["CSV"], uploaded=False)
    assert bulk_download(["PDF"], uploaded=False)
    assert not bulk_download(["API", "HTML"], uploaded=False)
    assert bulk_download(["API"], uploaded=True)
    assert not bulk_download(["UNKNOWN"], uploaded=False)
