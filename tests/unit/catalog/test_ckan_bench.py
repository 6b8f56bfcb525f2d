"""The CKAN comparison's requests and its results table (bench/ckan.py)."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from bench.ckan import ACTION, LIST_PAGE, calls, render_markdown


def test_the_three_calls_ask_what_the_comparison_names() -> None:
    show, search, listing = calls(10_000)
    assert [show.name, search.name, listing.name] == [
        "package_show",
        "package_search",
        "package_list",
    ]
    names = {parse_qs(urlsplit(path).query)["id"][0] for path in show.paths}
    assert len(names) > 3000  # random names, not a handful
    assert all("bench-ds-00001" <= name <= "bench-ds-10000" for name in names)
    for path in search.paths:
        assert urlsplit(path).path == f"{ACTION}/package_search"
        query = parse_qs(urlsplit(path).query)
        assert query["rows"] == ["10"]
        assert json.loads(query["facet.field"][0]) == ["organization", "tags", "res_format"]
        assert len(query["q"][0].split()) == 1
    offsets = [int(parse_qs(urlsplit(path).query)["offset"][0]) for path in listing.paths]
    assert offsets == list(range(0, 10_000, LIST_PAGE))
    assert all(f"limit={LIST_PAGE}" in path for path in listing.paths)


def test_the_same_corpus_size_gives_the_same_requests() -> None:
    assert [c.paths for c in calls(2000)] == [c.paths for c in calls(2000)]


def test_the_table_shows_each_call_with_its_ratio() -> None:
    figures = {"requests_per_second": 100.0, "p50_ms": 5.0, "p95_ms": 9.0}
    result = {
        "when": "2026-01-01T00:00:00+00:00",
        "cpus": 2,
        "catalog_datasets": 10_000,
        "peer": {"url": "http://peer", "ckan_version": "2.12.0"},
        "connections": 8,
        "seconds_per_run": 15.0,
        "rounds": 3,
        "calls": [
            {
                "call": "package_show",
                "label": "`package_show`",
                "peer": figures,
                "catalog": {**figures, "requests_per_second": 250.0},
                "ratio": 2.5,
            }
        ],
        "catalog_memory": {"processes": 3, "rss_mib_total": 300.0, "rss_mib_each": [100.0] * 3},
        "peer_memory": None,
    }
    table = render_markdown(result)
    assert "| `package_show` | 100.0 | 250.0 | 2.5 | 5.0 / 5.0 | 9.0 / 9.0 |" in table
    assert "CKAN 2.12.0 at http://peer" in table
