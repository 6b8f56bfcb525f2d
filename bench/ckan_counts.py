"""What a stock CKAN's ``package_search`` counts on the comparison corpus (bench/ckan_corpus.py).

A battery of queries exercising CKAN's search syntax (words, phrases, Arabic, AND, OR, NOT,
-word, +word, parentheses, prefixes, field queries, ``fq`` filters and ranges, and what the
catalog refuses). ``record`` asks a CKAN that holds exactly the 10,000 datasets of the
corpus, and writes tests/data/ckan_counts_10000.json: each query's parameters and CKAN's
count (or its error), with CKAN's version and the corpus's md5, so that the catalog loaded with
the same corpus can be compared query by query without a CKAN at hand.

Each query says which construct it exercises and, where the catalog is meant to answer
differently, how (``catalog``): ``refused: <construct>`` for a syntax it answers with a 400,
``more: <why>`` where its Arabic normalisation or stemming finds forms CKAN's analyser misses,
``fewer: <why>`` where CKAN's analyser matches more than the words.

    python -m bench.ckan_counts --ckan http://127.0.0.1:5000 [--output PATH]

Dates: the corpus's datasets are all created at load time, so only ranges that hold for any
recent load are asked (``[* TO NOW]``, ``[NOW-10YEARS TO *]``, before 2020, after tomorrow).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from bench.ckan_corpus import DEFAULT_COUNT, SEED, generate, jsonl_line

OUTPUT = Path(__file__).resolve().parent.parent / "tests" / "data" / "ckan_counts_10000.json"


def _q(q: str, construct: str, catalog: str = "same", **extra: Any) -> dict[str, Any]:
    return {"params": {"q": q, **extra}, "construct": construct, "catalog": catalog}


def _fq(fq: str, construct: str, catalog: str = "same", **extra: Any) -> dict[str, Any]:
    return {"params": {"fq": fq, **extra}, "construct": construct, "catalog": catalog}


ARABIC_FORMS = "more: Arabic normalisation and light stemming (CKAN matches exact forms only)"

QUERIES: list[dict[str, Any]] = [
    # q without a colon: DisMax, mm=2<-1 5<80%
    _q("santé", "word"),
    _q("transport", "word"),
    _q("paris", "word"),
    _q("tunis", "word"),
    _q("budget", "word"),
    _q("eau", "word"),
    _q(
        "l'eau",
        "word with elision",
        "fewer: the elided l' is dropped (CKAN's analyser splits l'eau into l OR eau)",
    ),
    _q("écoles", "word, plural"),
    _q("école", "word, singular"),
    _q("données ouvertes", "two words"),
    _q("الصحة", "Arabic word"),
    _q("الميزانية", "Arabic word"),
    _q("تونس", "Arabic word"),
    _q("صحة", "Arabic word without the article", ARABIC_FORMS),
    _q("الصحه", "Arabic word, ta marbuta as heh", ARABIC_FORMS),
    _q("الصحة تونس", "two Arabic words"),
    _q("santé paris", "two words: both required"),
    _q("santé AND paris", "AND"),
    _q("santé && paris", "&&"),
    _q("santé OR paris", "OR in DisMax: two optional words, both required by mm"),
    _q("santé OR paris OR tunis", "OR of three words: any two by mm"),
    _q("santé tunis budget", "three words: any two by mm"),
    _q("transport tunis sfax rabat alger paris", "six words: 80 % by mm"),
    _q("santé -paris", "-word"),
    _q("santé NOT paris", "NOT"),
    _q("santé +paris", "+word"),
    _q("-paris", "exclusion only in DisMax: nothing"),
    _q("الصحة -تونس", "Arabic -word"),
    _q('"centres de santé"', "phrase"),
    _q('"qualité de l\'eau potable"', "phrase with elision"),
    _q('paris -"centres de santé"', "-phrase"),
    _q("(santé OR budget) -paris", "parentheses in DisMax: letters, not a group"),
    _q("sant*", "wildcard in DisMax: searched as letters", "refused: wildcard"),
    # q with a colon: the standard parser, q.op=AND, df=text
    _q("text:santé OR text:paris", "OR: union"),
    _q("text:santé || text:paris", "||: union"),
    _q("text:santé AND text:paris", "AND"),
    _q("text:santé text:paris", "default operator AND"),
    _q("text:santé -text:paris", "-field:word"),
    _q("text:santé AND NOT text:paris", "AND NOT"),
    _q("text:santé && !text:paris", "&& and !"),
    _q("-text:paris", "top-level exclusion: all but"),
    _q("(text:santé OR text:budget) -text:paris", "parentheses"),
    _q("text:santé AND (text:tunis OR text:sfax)", "nested OR"),
    _q("text:santé AND (-text:paris)", "nested exclusion only: nothing"),
    _q("text:a OR text:santé text:tunis", "OR next to a required word"),
    _q("title:santé", "title:word"),
    _q('title:"centres de santé"', 'title:"phrase"'),
    _q("title:sant*", "title:prefix*"),
    _q("text:trans*", "text:prefix*"),
    _q("title:santé AND tags:tunis", "two fields"),
    _q("tags:santé", "tags:value"),
    _q("tags:Santé", "tags are exact, case included"),
    _q("tags:(santé OR tunis)", "field:(a OR b)"),
    _q('tags:"données ouvertes"', 'tags:"value with a space"'),
    _q("tags:الصحة", "tags: Arabic value"),
    _q("name:bench-ds-00042", "name:value"),
    _q("name:bench-ds-0000*", "name:prefix*"),
    _q("notes:santé", "notes:word"),
    _q('notes:"mis à jour chaque mois"', 'notes:"phrase"'),
    _q("res_format:CSV", "res_format in q"),
    _q("organization:bench-org", "organization in q"),
    _q("*:*", "match all"),
    _q("text:santé\\:paris", "escaped colon"),
    # fq: the standard parser, beside CKAN's +capacity:public … +state:(active)
    _fq("tags:santé", "fq tags"),
    _fq("tags:tunis", "fq tags"),
    _fq("tags:santé tags:tunis", "fq two required"),
    _fq("tags:santé OR tags:tunis", "fq top-level OR: filters nothing"),
    _fq("(tags:santé OR tags:tunis)", "fq grouped OR: union"),
    _fq("tags:(santé OR tunis)", "fq field:(a OR b)"),
    _fq("-tags:santé", "fq exclusion"),
    _fq("tags:santé -tags:paris", "fq with exclusion"),
    _fq("groups:*", "fq groups exist (none in the corpus)"),
    _fq("-groups:*", "fq no group"),
    _fq("organization:bench-org", "fq organization"),
    _fq("license_id:*", "fq license_id exists (none in the corpus)"),
    _fq("res_format:CSV", "fq res_format"),
    _fq("res_format:csv", "fq res_format is case sensitive"),
    _fq("res_format:CSV AND res_format:JSON", "fq two formats"),
    _fq("num_resources:2", "fq num_resources"),
    _fq("num_resources:[2 TO 2]", "fq num_resources range"),
    _fq("num_resources:[1 TO 10]", "fq number range compared as text: '2' > '10'"),
    _fq("num_tags:5", "fq num_tags"),
    _fq("num_tags:[4 TO 5]", "fq num_tags range"),
    _fq("num_tags:[5 TO *]", "fq num_tags open range"),
    _fq("num_tags:{4 TO 6}", "fq num_tags exclusive range"),
    _fq("num_tags:[4 TO 10]", "fq number range compared as text: '4' > '10'"),
    _fq("metadata_modified:[* TO NOW]", "fq date range to NOW"),
    _fq("metadata_modified:[NOW-10YEARS TO *]", "fq date math"),
    _fq("metadata_modified:[NOW-10YEARS/DAY TO NOW/DAY+1DAY]", "fq date math with rounding"),
    _fq("metadata_modified:[* TO 2020-01-01T00:00:00Z]", "fq date before 2020"),
    _fq("metadata_created:[NOW+1DAY TO *]", "fq date after tomorrow"),
    # q and fq together
    _q("santé", "q and fq", fq="tags:tunis"),
    _q("santé -paris", "-word and fq", fq="res_format:CSV"),
    _q("الصحة", "Arabic q and fq", fq="tags:tunis"),
    _q("text:santé OR text:budget", "OR and fq exclusion", fq="-tags:paris"),
    _q("eau", "q and fq_list", fq_list=["tags:eau", "num_tags:[5 TO 5]"]),
    _q("title:eau -tags:eau", "field and exclusion"),
    # more words, operators and groups
    _q("السكان", "Arabic word with the article"),
    _q("سكان", "Arabic word, the article left out", ARABIC_FORMS),
    _q("المياه الطاقة", "two Arabic words never together"),
    _q("écoles primaires", "two words of a title"),
    _q('"écoles primaires"', "phrase of a title"),
    _q("qualité eau", "two words around an elided article"),
    _q("+santé +paris -tunis", "+word +word -word"),
    _q("santé budget paris tunis sfax", "five words: any four by mm"),
    _q("text:santé AND text:paris OR text:tunis", "AND then OR"),
    _q("text:données AND text:ouvertes", "AND of frequent words"),
    _q("title:écoles", "title:plural"),
    _q("title:(santé OR budget) AND NOT tags:paris", "field:(a OR b) AND NOT field:c"),
    _q("notes:(santé OR budget)", "notes:(a OR b)"),
    _q("text:(santé -paris)", "field:(a -b)"),
    _q('title:"centres de santé" OR title:"qualité de l\'air"', "OR of phrases"),
    # more fields
    _q("tags:sant*", "tags:prefix*"),
    _q("organization:bench*", "organization:prefix*"),
    _q("name:[bench-ds-00001 TO bench-ds-00010]", "name range"),
    _q("owner_org:*", "owner_org exists"),
    _fq("isopen:false", "fq isopen false"),
    _fq("isopen:true", "fq isopen true"),
    _fq("notes:*", "fq notes exist"),
    _fq("title:*", "fq title exists"),
    _fq("version:*", "fq version exists (none in the corpus)"),
    _fq("site_id:default", "fq site_id"),
    _fq("capacity:public", "fq capacity"),
    _fq("private:false", "fq private"),
    _fq("entity_type:package", "fq entity_type"),
    _fq("dataset_type:dataset", "fq dataset_type"),
    _fq("state:deleted", "fq state: only active datasets are searched"),
    _fq("res_format:[A TO D]", "fq res_format range"),
    _fq("res_format:J*", "fq res_format prefix"),
    _fq("num_resources:[* TO 3]", "fq num_resources open range"),
    _fq("num_tags:[* TO 4]", "fq num_tags open range"),
    _fq("num_tags:{4 TO *]", "fq num_tags half-exclusive range"),
    _fq("metadata_modified:[NOW-1YEAR TO NOW]", "fq date range with date math"),
    _fq("metadata_created:[* TO NOW/DAY+1DAY]", "fq created before tomorrow"),
    _fq("metadata_modified:{* TO NOW-1DAY}", "fq modified before yesterday"),
    _fq("groups:[* TO *]", "fq any group (none in the corpus)"),
    _fq("license_id:[* TO *]", "fq any licence (none in the corpus)"),
    _fq("tags:(santé OR tunis) -tags:paris", "fq group and exclusion"),
    _fq("(tags:santé AND tags:tunis) OR (tags:budget AND tags:sfax)", "fq top-level OR of groups"),
    _fq("((tags:santé AND tags:tunis) OR (tags:budget AND tags:sfax))", "fq OR of groups, grouped"),
    _fq("tags:santé AND NOT (tags:paris OR tags:tunis)", "fq AND NOT group"),
    _fq("+tags:santé +(tags:paris tags:tunis)", "fq required group, AND by default"),
    _q("-text:paris", "exclusion in q, OR of groups in fq", fq="(tags:budget OR tags:sfax)"),
    # what the catalog refuses
    _q("{!lucene}santé", "local parameters", "refused: local parameters"),
    _q("text:santé~", "fuzzy", "refused: fuzzy"),
    _q('text:"centres santé"~2', "proximity", "refused: fuzzy"),
    _q("title:santé^2", "boost", "refused: boost"),
    _q("text:/sant.*/", "regular expression", "refused: regex"),
    _q("text:s?nté", "wildcard inside a word", "refused: wildcard"),
    _q("foo:bar", "unknown field", "refused: field"),
    _q("res_name:données", "a field the catalog does not search", "refused: field"),
    _q("author:bench", "a field the catalog does not search", "refused: field"),
    _fq("maintainer:*", "a field the catalog does not search", "refused: field"),
]


def corpus_md5(count: int = DEFAULT_COUNT) -> str:
    digest = hashlib.md5()
    for item in generate(count, SEED):
        digest.update(jsonl_line(item).encode())
    return digest.hexdigest()


def ask(client: httpx.Client, params: dict[str, Any]) -> dict[str, Any]:
    response = client.post("/api/3/action/package_search", json={**params, "rows": 0})
    body = response.json()
    if body.get("success"):
        return {"count": body["result"]["count"]}
    error = body.get("error") or {}
    return {"error": {"status": response.status_code, "message": error.get("message", "")}}


def record(ckan_url: str, output: Path = OUTPUT) -> dict[str, Any]:
    with httpx.Client(base_url=ckan_url, timeout=60) as client:
        status = client.get("/api/3/action/status_show").json()["result"]
        total = ask(client, {})
        if total.get("count") != DEFAULT_COUNT:
            raise SystemExit(f"CKAN at {ckan_url} holds {total}, not the {DEFAULT_COUNT} datasets")
        answers = [{**query, **ask(client, query["params"])} for query in QUERIES]
    document = {
        "about": "package_search counts of a stock CKAN holding the comparison corpus",
        "ckan_version": status["ckan_version"],
        "recorded_at": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "corpus": {
            "generator": "bench/ckan_corpus.py",
            "count": DEFAULT_COUNT,
            "seed": SEED,
            "md5": corpus_md5(),
            "organization": "bench-org",
        },
        "queries": answers,
    }
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(document, ensure_ascii=False, indent=1) + "\n")
    return document


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.ckan_counts")
    parser.add_argument("--ckan", default="http://127.0.0.1:5000")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args()
    document = record(args.ckan, args.output)
    print(f"{len(document['queries'])} queries, CKAN {document['ckan_version']} → {args.output}")


if __name__ == "__main__":
    main()
