"""The counts recorded from a stock CKAN: the same corpus, and queries the parser reads."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bench.ckan_corpus import CORPUS_MD5, DEFAULT_COUNT, dataset, generate
from bench.ckan_counts import OUTPUT, QUERIES, corpus_md5
from services.catalog.domain.lucene import QuerySyntaxError, parse_fq, parse_q
from services.catalog.domain.search_query import honoured

RECORDED: dict[str, Any] = json.loads(Path(OUTPUT).read_text())


def test_the_counts_are_of_ckan_2_12_on_the_vendored_corpus() -> None:
    assert RECORDED["ckan_version"].startswith("2.12.")
    assert RECORDED["corpus"]["count"] == DEFAULT_COUNT
    assert RECORDED["corpus"]["md5"] == CORPUS_MD5 == corpus_md5()


def test_every_query_of_the_battery_was_recorded() -> None:
    assert [q["params"] for q in RECORDED["queries"]] == [q["params"] for q in QUERIES]
    assert len(QUERIES) >= 60
    assert all("count" in q or "error" in q for q in RECORDED["queries"])


def test_a_dataset_depends_only_on_its_number() -> None:
    assert dataset(42) == list(generate(3, start=41))[1]
    assert dataset(42)["name"] == "bench-ds-00042"


@pytest.mark.parametrize("query", RECORDED["queries"], ids=lambda q: json.dumps(q["params"]))
def test_the_parser_reads_or_refuses_each_query_as_annotated(query: dict[str, Any]) -> None:
    params = query["params"]
    filters = [params["fq"]] if "fq" in params else []
    filters += params.get("fq_list", [])
    now = datetime.now(UTC)

    def parse() -> None:
        honoured(parse_q(params.get("q")), now)
        for fq in filters:
            honoured(parse_fq(fq), now, source="fq")

    if query["catalog"].startswith("refused: "):
        with pytest.raises(QuerySyntaxError) as error:
            parse()
        assert error.value.construct == query["catalog"].removeprefix("refused: ")
    else:
        parse()
