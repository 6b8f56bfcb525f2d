"""The CKAN-compatible API, used by the real ``ckanapi`` client (Python and command line)
against the catalog served by ``bayanat serve catalog`` (uvicorn, a real port), on SQLite and
PostgreSQL, over the catalogue of search_fixtures."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ckanapi
import httpx
import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from libs.settings import PlatformSettings
from services.catalog.app import create_app
from services.catalog.settings import CatalogSettings
from tests.catalog.search_fixtures import (
    BACKENDS,
    HCP,
    HIDDEN,
    MEF,
    PUBLISHED,
    Corpus,
    add_dataset,
    database_url,
    migrated_engine,
    seed,
    sqlite_url,
)
from tests.support.infra import PostgresDatabases

BIN = Path(sys.executable).parent
CKAN_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?$")  # no zone, as CKAN


@dataclass
class Server:
    url: str
    corpus: Corpus

    def ckan(self) -> ckanapi.RemoteCKAN:
        return ckanapi.RemoteCKAN(self.url)

    def post(self, path: str, body: Any) -> httpx.Response:
        return httpx.post(self.url + path, json=body, follow_redirects=False, timeout=30)

    def get(self, path: str, params: Any = None) -> httpx.Response:
        return httpx.get(self.url + path, params=params, follow_redirects=False, timeout=30)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module", params=BACKENDS)
def server(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    postgres_databases: PostgresDatabases,
    kafka: PlatformSettings,
) -> Iterator[Server]:
    directory = tmp_path_factory.mktemp("ckan")
    url = database_url(request.param, directory, postgres_databases)
    engine = migrated_engine(url)
    corpus = seed(engine)
    engine.dispose()
    port = free_port()
    env = {
        **os.environ,
        "CATALOG_DATABASE_URL": url,
        "CATALOG_HOST": "127.0.0.1",
        "CATALOG_PORT": str(port),
        "CATALOG_UPLOAD_DIR": str(directory / "uploads"),
        "BAYANAT_VAR": str(directory / "var"),
        "CATALOG_WORKERS": "1",
        # Topics and consumer group of this server only.
        "KAFKA_TOPIC_PREFIX": f"{kafka.kafka_topic_prefix}ckan{uuid.uuid4().hex[:6]}.",
    }
    log_path = directory / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(BIN / "bayanat"), "serve", "catalog"], env=env, stdout=log, stderr=log
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a worker may take that long on a busy machine
        while True:
            if process.poll() is not None:
                raise AssertionError(f"the catalog exited: {log_path.read_text()[-3000:]}")
            try:
                if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError(f"the catalog did not start: {log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        yield Server(url=base, corpus=corpus)
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- ckanapi.RemoteCKAN --------------------------------------------------------------------


def test_package_search_with_ckanapi(server: Server) -> None:
    result = server.ckan().action.package_search(q="ecoles")
    assert result["count"] == 2
    assert [p["name"] for p in result["results"]] == ["ecoles-primaires", "effectifs-enseignants"]
    assert result["sort"] == "score desc, metadata_modified desc"
    assert result["facets"] == {} and result["search_facets"] == {}

    # Arabic variants reach the same dataset through CKAN too.
    for query in ("احصائيات الصحه", "إحصائيات الصحّة", "المستشفي"):
        found = server.ckan().action.package_search(q=query)
        assert [p["name"] for p in found["results"]] == ["sante-etablissements"]


def test_package_search_facets_filters_sort_and_paging(server: Server) -> None:
    ckan = server.ckan()
    result = ckan.action.package_search(
        fq="groups:education",
        **{"facet.field": ["organization", "isopen", "res_format", "tags", "license_id", "groups"]},
    )
    assert result["count"] == 2
    assert result["facets"] == {
        "organization": {"hcp": 1, "mef": 1},
        "isopen": {"true": 1, "false": 1},
        "res_format": {"CSV": 1},
        "tags": {"éducation": 1},
        "license_id": {"cc-by-sa": 1},
        "groups": {"education": 2},
    }
    organization = result["search_facets"]["organization"]
    assert organization["title"] == "organization"
    assert organization["items"] == [
        {"name": "hcp", "display_name": "Haut-Commissariat au Plan", "count": 1},
        {"name": "mef", "display_name": "Ministère de l'Économie et des Finances", "count": 1},
    ]
    assert result["search_facets"]["groups"]["items"] == [
        {"name": "education", "display_name": "Éducation et formation", "count": 2}
    ]

    by_title = ckan.action.package_search(sort="title_string asc", rows=2, start=1)
    assert by_title["count"] == 5
    assert [p["name"] for p in by_title["results"]] == ["ecoles-primaires", "effectifs-enseignants"]
    by_name = ckan.action.package_search(sort="name desc", rows=100)
    assert [p["name"] for p in by_name["results"]] == sorted(PUBLISHED, reverse=True)
    recent = ckan.action.package_search(sort="metadata_modified desc", rows=1)
    assert [p["name"] for p in recent["results"]] == ["effectifs-enseignants"]
    only_counts = ckan.action.package_search(rows=0, **{"facet.field": ["tags"]})
    assert (only_counts["count"], only_counts["results"]) == (5, [])
    assert len(only_counts["facets"]["tags"]) == 6
    limited = ckan.action.package_search(**{"facet.field": ["tags"], "facet.limit": 2})
    assert len(limited["facets"]["tags"]) == 2
    slim = ckan.action.package_search(q="air", fl="name,metadata_modified")
    assert slim["results"] == [{"name": "qualite-air", "metadata_modified": "2024-05-10T10:00:00"}]
    frequent = ckan.action.package_search(**{"facet.field": ["groups"], "facet.mincount": 2})
    assert frequent["facets"]["groups"] == {"education": 2, "sante": 2}


@pytest.mark.parametrize(
    ("fq", "expected"),
    [
        ("organization:mef", {"loi-de-finances", "ecoles-primaires"}),
        ('organization:"mef"', {"loi-de-finances", "ecoles-primaires"}),
        (f"owner_org:{HCP}", {"sante-etablissements", "effectifs-enseignants"}),
        ("-organization:mef", {"sante-etablissements", "qualite-air", "effectifs-enseignants"}),
        ("tags:hôpitaux", {"sante-etablissements"}),
        ('tags:"santé" +res_format:PDF', {"sante-etablissements"}),
        (
            "groups:(sante OR education)",
            {"sante-etablissements", "qualite-air", "ecoles-primaires", "effectifs-enseignants"},
        ),
        ("+license_id:cc-by", {"sante-etablissements"}),
        ("res_format:CSV -res_format:XLSX", {"sante-etablissements", "ecoles-primaires"}),
        ("isopen:false", {"qualite-air", "effectifs-enseignants"}),
        ("name:qualite-air", {"qualite-air"}),
        (
            "metadata_modified:[2024-04-01T00:00:00Z TO *]",
            {"qualite-air", "effectifs-enseignants"},
        ),
        ("+dataset_type:dataset +state:active organization:anrt", {"qualite-air"}),
        ("dataset_type:showcase", set()),
    ],
)
def test_package_search_fq(server: Server, fq: str, expected: set[str]) -> None:
    result = server.ckan().action.package_search(fq=fq, rows=100)
    assert {p["name"] for p in result["results"]} == expected
    assert result["count"] == len(expected)


def test_package_search_reads_field_queries_in_q(server: Server) -> None:
    ckan = server.ckan()
    assert [p["name"] for p in ckan.action.package_search(q="tags:air")["results"]] == [
        "qualite-air"
    ]
    both = ckan.action.package_search(q="organization:mef ecoles")
    assert [p["name"] for p in both["results"]] == ["ecoles-primaires"]
    assert ckan.action.package_search(q="*:*")["count"] == 5
    # Private and draft datasets are never public, whatever the client asks for.
    everything = ckan.action.package_search(include_private=True, include_drafts=True, rows=100)
    assert sorted(p["name"] for p in everything["results"]) == sorted(PUBLISHED)
    assert ckan.action.package_list(include_private=True, include_drafts=True) == sorted(PUBLISHED)


def test_package_show_returns_a_ckan_package_dict(server: Server) -> None:
    ckan = server.ckan()
    package = ckan.action.package_show(id="sante-etablissements")
    assert package == ckan.action.package_show(id=str(server.corpus.ids["sante-etablissements"]))
    assert package["id"] == str(server.corpus.ids["sante-etablissements"])
    assert package["name"] == "sante-etablissements"
    assert package["title"] == "Statistiques des établissements de santé"
    assert package["title_translated"] == {
        "ar": "إحصائيات الصحّة في المستشفى الإقليمي",
        "fr": "Statistiques des établissements de santé",
        "en": "Health facilities statistics",
    }
    assert package["notes"] == "Nombre de lits par hôpital et par région."
    assert package["notes_translated"]["fr"] == package["notes"]
    assert (package["type"], package["state"], package["private"]) == ("dataset", "active", False)
    assert package["owner_org"] == str(HCP)
    assert package["organization"]["name"] == "hcp"
    assert package["organization"]["title"] == "Haut-Commissariat au Plan"
    assert package["organization"]["is_organization"] is True
    assert [(g["name"], g["title"], g["display_name"]) for g in package["groups"]] == [
        ("sante", "Santé", "Santé")
    ]
    assert package["license_id"] == "cc-by"
    assert package["license_title"] == "Creative Commons Attribution 4.0"
    assert package["license_url"] == "https://creativecommons.org/licenses/by/4.0/"
    assert package["isopen"] is True
    assert [t["name"] for t in package["tags"]] == ["hôpitaux", "santé"]
    assert {"id", "name", "display_name", "state"} <= set(package["tags"][0])
    assert package["num_tags"] == 2
    assert package["num_resources"] == 2
    assert package["version"] == "2.1"
    assert package["maintainer"] == "Service des statistiques"
    assert package["maintainer_email"] == "stats@hcp.ma"
    assert package["metadata_modified"] == "2024-03-01T10:00:00"
    assert CKAN_TIME.match(package["metadata_created"])
    extras = {extra["key"]: extra["value"] for extra in package["extras"]}
    assert extras["frequency"] == "ANNUAL"
    assert (extras["temporal_start"], extras["temporal_end"]) == ("2015-01-01", "2023-12-31")
    assert extras["spatial_regions"] == "casablanca-settat,souss-massa"
    assert extras["spatial_text"] == "Casablanca-Settat, Souss-Massa"
    assert extras["contact_email"] == "stats@hcp.ma"
    assert extras["last_data_update"] == "2024-02-20T09:00:00"
    assert [e["key"] for e in package["extras"]] == sorted(extras)

    csv, pdf = package["resources"]
    assert csv["id"] == str(server.corpus.resources["sante-etablissements"][0])
    assert csv["package_id"] == package["id"]
    assert csv["url"] == "https://data.example.ma/sante-etablissements/0.csv"
    assert (csv["name"], csv["format"], csv["mimetype"]) == ("Fichier CSV", "CSV", "text/csv")
    assert csv["name_translated"]["ar"] == "ملف CSV"
    assert (csv["size"], csv["hash"], csv["position"]) == (1000, "ab" * 32, 0)
    assert CKAN_TIME.match(csv["created"]) and CKAN_TIME.match(csv["last_modified"])
    assert pdf["position"] == 1 and pdf["format"] == "PDF"


def test_hidden_and_unknown_datasets_are_not_found(server: Server) -> None:
    ckan = server.ckan()
    for ref in [*HIDDEN, str(server.corpus.ids["brouillon-ecoles"]), "nowhere", str(uuid.uuid4())]:
        with pytest.raises(ckanapi.NotFound):
            ckan.action.package_show(id=ref)
    hidden_resource = server.corpus.resources["brouillon-ecoles"][0]
    with pytest.raises(ckanapi.NotFound):
        ckan.action.resource_show(id=str(hidden_resource))
    with pytest.raises(ckanapi.NotFound):
        ckan.action.organization_show(id="nobody")
    with pytest.raises(ckanapi.NotFound):
        ckan.action.group_show(id="astrologie")


def test_validation_and_search_query_errors(server: Server) -> None:
    ckan = server.ckan()
    with pytest.raises(ckanapi.ValidationError) as missing:
        ckan.action.package_show()
    assert missing.value.error_dict == {"__type": "Validation Error", "id": ["Missing value"]}
    with pytest.raises(ckanapi.ValidationError) as rows:
        ckan.action.package_search(rows="many")
    assert rows.value.error_dict["rows"] == ["Invalid integer"]
    with pytest.raises(ckanapi.ValidationError):
        ckan.action.package_search(start=-1)
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(fq="author:someone")
    with pytest.raises(ckanapi.SearchQueryError):
        ckan.action.package_search(sort="views_recent desc")


def test_writes_are_refused_and_unknown_actions_are_bad_requests(server: Server) -> None:
    ckan = server.ckan()
    with pytest.raises(ckanapi.NotAuthorized):
        ckan.action.package_create(name="x", owner_org=str(MEF))
    with pytest.raises(ckanapi.CKANAPIError) as unknown:
        ckan.action.package_levitate(id="x")
    assert "Action name not known" in str(unknown.value)

    response = server.get("/api/3/action/package_levitate")
    assert response.status_code == 400
    assert response.json() == {
        "help": f"{server.url}/api/3/action/help_show?name=package_levitate",
        "success": False,
        "error": {
            "__type": "Bad Request",
            "message": "Bad request - Action name not known: package_levitate",
        },
    }
    denied = server.post("/api/3/action/package_update", {"id": "qualite-air"})
    assert denied.status_code == 403
    assert denied.json()["error"]["__type"] == "Authorization Error"
    assert denied.json()["error"]["message"].startswith("Access denied: ")


def test_error_statuses_and_bodies(server: Server) -> None:
    not_found = server.get("/api/3/action/package_show", {"id": "nowhere"})
    assert not_found.status_code == 404
    assert not_found.json()["success"] is False
    assert not_found.json()["error"]["__type"] == "Not Found Error"
    assert not_found.json()["error"]["message"].startswith("Not found")
    invalid = server.get("/api/3/action/package_show")
    assert invalid.status_code == 409
    assert invalid.json()["error"] == {"__type": "Validation Error", "id": ["Missing value"]}
    query = server.get("/api/3/action/package_search", {"q": "text:santé~"})
    assert query.status_code == 400
    assert query.json()["error"] == {
        "__type": "Search Query Error",
        "message": "Search Query is invalid: q: fuzzy and proximity searches (~) are not supported",
        "construct": "fuzzy",
    }
    # As in CKAN: a top-level OR in an fq sits beside CKAN's own required clauses.
    either = server.get("/api/3/action/package_search", {"fq": "tags:a OR tags:b"})
    assert either.json()["result"]["count"] == len(PUBLISHED)
    bad_json = httpx.post(
        server.url + "/api/3/action/package_search",
        content=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert bad_json.status_code == 400
    assert bad_json.json()["error"]["message"].startswith("Bad request - JSON Error")
    nul = server.get("/api/3/action/package_show", {"id": "qualite-air\x00"})
    assert nul.status_code == 200 and nul.json()["result"]["name"] == "qualite-air"
    assert server.post("/api/3/action/tag_list", {"query": "a\x00ir"}).json()["result"] == ["air"]
    not_a_dict = server.post("/api/3/action/package_search", ["q"])
    assert not_a_dict.status_code == 400
    assert isinstance(not_a_dict.json()["error"], dict)


def test_lists_and_reference_actions(server: Server) -> None:
    ckan = server.ckan()
    assert ckan.action.package_list() == sorted(PUBLISHED)
    assert ckan.action.package_list(limit=2, offset=1) == sorted(PUBLISHED)[1:3]

    current = ckan.action.current_package_list_with_resources(limit=2)
    assert [p["name"] for p in current] == ["effectifs-enseignants", "qualite-air"]
    assert current[1]["resources"][0]["format"] == "JSON"
    assert [
        p["name"] for p in ckan.action.current_package_list_with_resources(limit=2, offset=4)
    ] == ["ecoles-primaires"]

    resource_id = str(server.corpus.resources["qualite-air"][0])
    resource = ckan.action.resource_show(id=resource_id)
    assert (resource["id"], resource["format"]) == (resource_id, "JSON")
    assert resource["package_id"] == str(server.corpus.ids["qualite-air"])

    assert ckan.action.organization_list() == ["anrt", "hcp", "mef"]  # by title
    organizations = ckan.action.organization_list(all_fields=True, sort="package_count desc")
    assert [(o["name"], o["package_count"]) for o in organizations] == [
        ("hcp", 2),
        ("mef", 2),
        ("anrt", 1),
    ]
    assert organizations[0]["title"] == "Haut-Commissariat au Plan"
    assert organizations[0]["title_translated"]["ar"] == "المندوبية السامية للتخطيط"
    assert ckan.action.organization_list(sort="name desc", limit=1, offset=1) == ["hcp"]
    mef = ckan.action.organization_show(id="mef", include_datasets=True)
    assert mef == {**ckan.action.organization_show(id=str(MEF)), "packages": mef["packages"]}
    assert mef["package_count"] == 2
    assert [p["name"] for p in mef["packages"]] == ["ecoles-primaires", "loi-de-finances"]

    groups = ckan.action.group_list(all_fields=True, sort="package_count desc", limit=3)
    assert [(g["name"], g["package_count"]) for g in groups] == [
        ("education", 2),
        ("sante", 2),
        ("economie-finances", 1),
    ]
    assert "sante" in ckan.action.group_list()
    sante = ckan.action.group_show(id="sante", include_datasets=True)
    assert (sante["title"], sante["package_count"]) == ("Santé", 2)
    assert {p["name"] for p in sante["packages"]} == {"sante-etablissements", "qualite-air"}
    assert ckan.action.group_show(id=sante["id"])["name"] == "sante"

    assert ckan.action.tag_list() == ["air", "budget", "finances", "hôpitaux", "santé", "éducation"]
    assert ckan.action.tag_list(query="fin") == ["finances"]
    assert ckan.action.tag_list(all_fields=True)[0]["name"] == "air"

    licenses = {lic["id"]: lic for lic in ckan.action.license_list()}
    assert {"cc-by", "cc-by-sa", "cc-zero", "odc-odbl", "other-open", "other-closed"} <= set(
        licenses
    )
    assert licenses["cc-by"]["od_conformance"] == "approved"
    assert licenses["other-closed"]["is_okd_compliant"] is False

    assert "rows" in ckan.action.help_show(name="package_search")
    with pytest.raises(ckanapi.NotFound):
        ckan.action.help_show(name="package_levitate")

    status = ckan.action.status_show()
    assert status["site_url"] == server.url
    assert status["locale_default"] == "fr"
    assert status["ckan_version"].startswith("2.")
    assert {"site_title", "site_description", "extensions"} <= set(status)


# --- transport -----------------------------------------------------------------------------


def test_get_and_post_on_both_prefixes_agree_without_redirects(server: Server) -> None:
    body = {"q": "sante", "fq": "isopen:true", "facet.field": ["groups"]}
    answers = [
        server.post("/api/3/action/package_search", body),
        server.post("/api/action/package_search", body),
        server.get("/api/3/action/package_search", body),
        server.get("/api/action/package_search", body),
        server.get("/api/action/package_search/", body),  # a trailing slash is not redirected
        server.post("/api/3/action/package_search/", body),
    ]
    assert [response.status_code for response in answers] == [200] * len(answers)
    results = [response.json()["result"] for response in answers]
    assert all(result == results[0] for result in results)
    assert [p["name"] for p in results[0]["results"]] == ["sante-etablissements"]
    assert results[0]["facets"] == {"groups": {"sante": 1}}
    help_url = answers[1].json()["help"]
    assert help_url == f"{server.url}/api/3/action/help_show?name=package_search"
    # A form-encoded POST is read too.
    form = httpx.post(server.url + "/api/action/package_show", data={"id": "qualite-air"})
    assert form.json()["result"]["name"] == "qualite-air"
    assert server.ckan().call_action("package_list", {}) == sorted(PUBLISHED)
    get_only = ckanapi.RemoteCKAN(server.url, get_only=True)
    assert get_only.action.package_search(q="air")["count"] == 1


def test_facet_field_as_a_json_string(server: Server) -> None:
    expected = {"tags": {"air": 1}, "res_format": {"JSON": 1}}
    via_get = server.get(
        "/api/3/action/package_search",
        {"q": "air", "facet.field": '["tags", "res_format"]'},
    )
    via_post = server.post(
        "/api/3/action/package_search", {"q": "air", "facet.field": '["tags","res_format"]'}
    )
    assert via_get.json()["result"]["facets"] == expected
    assert via_post.json()["result"]["facets"] == expected
    via_ckanapi = server.ckan().action.package_search(
        q="air", **{"facet.field": json.dumps(["tags", "res_format"])}
    )
    assert via_ckanapi["facets"] == expected


def test_ckan_search_and_rest_search_agree(server: Server) -> None:
    cases: list[tuple[dict[str, str], dict[str, Any]]] = [
        ({"q": "ecoles"}, {"q": "ecoles"}),
        ({"q": "sante", "fq": "isopen:true"}, {"q": "sante", "open_only": "true"}),
        ({"fq": "organization:mef"}, {"institution": "mef"}),
        ({"fq": "tags:santé tags:hôpitaux"}, {"tag": ["santé", "hôpitaux"]}),
        ({"fq": "res_format:CSV groups:education"}, {"format": "CSV", "theme": "education"}),
        ({"sort": "title_string desc"}, {"sort": "-title"}),
        ({"sort": "metadata_modified asc"}, {"sort": "modified"}),
    ]
    facet_names = {
        "organization": "institution",
        "groups": "theme",
        "tags": "tag",
        "license_id": "license",
        "res_format": "format",
        "isopen": "is_open",
    }
    for ckan_params, rest_params in cases:
        ckan_result = server.ckan().action.package_search(
            rows=100, **{"facet.field": list(facet_names)}, **ckan_params
        )
        rest = server.get("/api/v1/datasets", {"page_size": 100, **rest_params}).json()
        assert [p["name"] for p in ckan_result["results"]] == [i["slug"] for i in rest["items"]]
        assert ckan_result["count"] == rest["total"]
        for ckan_name, rest_name in facet_names.items():
            rest_counts = {item["value"]: item["count"] for item in rest["facets"][rest_name]}
            assert ckan_result["facets"][ckan_name] == rest_counts


# --- the ckanapi command line --------------------------------------------------------------


def run_ckanapi(*arguments: str) -> subprocess.CompletedProcess[str]:
    # As with an activated virtualenv: ``ckanapi dump`` starts its workers by name.
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    completed = subprocess.run(
        [str(BIN / "ckanapi"), *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    return completed


def test_ckanapi_command_line_action(server: Server) -> None:
    completed = run_ckanapi("action", "package_search", "-r", server.url, "q=ecoles", "rows=1")
    result = json.loads(completed.stdout)
    assert result["count"] == 2
    assert [p["name"] for p in result["results"]] == ["ecoles-primaires"]
    shown = json.loads(
        run_ckanapi("action", "package_show", "-r", server.url, "id=qualite-air").stdout
    )
    assert shown["title"] == "Qualité de l'air à Casablanca"


def test_ckanapi_dump_datasets_all(server: Server, tmp_path: Path) -> None:
    output = tmp_path / "datasets.jsonl"
    run_ckanapi("dump", "datasets", "--all", "-q", "-r", server.url, "-O", str(output))
    packages = [json.loads(line) for line in output.read_text().splitlines() if line.strip()]
    assert sorted(p["name"] for p in packages) == sorted(PUBLISHED)
    by_name = {p["name"]: p for p in packages}
    assert by_name["loi-de-finances"]["organization"]["name"] == "mef"
    assert by_name["loi-de-finances"]["num_resources"] == 2


def test_ckanapi_search_datasets(server: Server) -> None:
    def names(*arguments: str) -> list[str]:
        completed = run_ckanapi("search", "datasets", "-r", server.url, *arguments)
        return [json.loads(line)["name"] for line in completed.stdout.splitlines() if line]

    # Without rows, ckanapi pages with start and rows=1000 until a page comes back empty.
    assert sorted(names("q=")) == sorted(PUBLISHED)
    assert sorted(names("fq=organization:mef")) == ["ecoles-primaires", "loi-de-finances"]


# --- rows: at most 1000, as CKAN ----------------------------------------------------------


def test_rows_above_1000_are_capped(tmp_path: Path, kafka: PlatformSettings) -> None:
    url = sqlite_url(tmp_path)
    engine = migrated_engine(url)
    corpus = seed(engine)
    with Session(engine) as session:
        for number in range(1000):
            add_dataset(
                session,
                corpus,
                name=f"serie-{number:04d}",
                title={"fr": f"Série statistique {number}"},
                institution_id=HCP,
                modified="2022-01-01T00:00:00",
            )
        session.commit()
    engine.dispose()
    settings = CatalogSettings(
        database_url=url,
        upload_dir=str(tmp_path / "uploads"),
        relay_enabled=False,
        consumer_enabled=False,
    )
    with TestClient(create_app(settings)) as client:
        response = client.post("/api/3/action/package_search", json={"rows": 5000})
        assert response.status_code == 200
        result = response.json()["result"]
        assert result["count"] == 1005
        assert len(result["results"]) == 1000
        second = client.get("/api/3/action/package_search", params={"rows": 1000, "start": 1000})
        assert len(second.json()["result"]["results"]) == 5
        assert len(client.get("/api/action/package_list").json()["result"]) == 1005
