"""Automatic quality checks over real files served by a local HTTP server."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from libs.events.schemas import DatasetSubmitted
from services.governance.domain.quality import SCORE_WEIGHTS, run_checks
from services.governance.settings import GovernanceSettings
from tests.governance.conftest import (
    BROKEN_CSV,
    GOOD_CSV,
    FileServer,
    Served,
    free_port,
    submitted,
)

INSTITUTION = uuid.uuid4()
STEWARD = uuid.uuid4()


def settings(**overrides: Any) -> GovernanceSettings:
    values: dict[str, Any] = {
        "database_url": "sqlite://",
        "quality_url_allowlist": ["127.0.0.1"],
        "quality_http_timeout_seconds": 2.0,
    }
    values.update(overrides)
    return GovernanceSettings(**values)


async def check(dataset: DatasetSubmitted, **overrides: Any) -> dict[str, Any]:
    return await run_checks(dataset.model_dump(mode="json"), settings(**overrides))


def by_name(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in report["checks"]}


@pytest.fixture(scope="module", autouse=True)
def files(file_server: FileServer) -> FileServer:
    file_server.serve("/good.csv", Served(GOOD_CSV))
    file_server.serve("/broken.csv", Served(BROKEN_CSV))
    file_server.serve("/latin1.csv", Served("commune,nom\n1,Fès\n2,Salé\n".encode("latin-1")))
    file_server.serve("/data.json", Served(b'{"regions": 12}', content_type="application/json"))
    file_server.serve("/report.pdf", Served(b"%PDF-1.4 ...", content_type="application/pdf"))
    file_server.serve("/slow.csv", Served(GOOD_CSV, delay=3.0))
    file_server.serve(
        "/to-metadata",
        Served(b"", status=302, headers={"Location": "http://169.254.169.254/latest/meta-data"}),
    )
    file_server.serve("/to-good", Served(b"", status=301, headers={"Location": "/good.csv"}))
    for n in range(6):
        file_server.serve(f"/paced-{n}.json", Served(b"[]", "application/json", delay=0.3))
    return file_server


async def test_a_good_dataset_passes_every_check_with_a_high_score(files: FileServer) -> None:
    dataset = submitted(
        INSTITUTION,
        STEWARD,
        [(files.url("/good.csv"), "CSV"), (files.url("/data.json"), None)],
    )
    report = await check(dataset)

    checks = by_name(report)
    assert all(c["passed"] for c in checks.values()), {
        n: c["summary"] for n, c in checks.items() if not c["passed"]
    }
    assert report["passed"] is True and report["blocking_failures"] == []
    assert report["score"] >= 95 and report["rating"] == "excellent"
    assert set(report["dimensions"]) == set(SCORE_WEIGHTS)
    assert sum(d["max"] for d in report["dimensions"].values()) == 100
    csv, json_resource = report["resources"]
    assert csv["reachable"] and csv["status"] == 200 and csv["stars"] == 3
    assert json_resource["format"] == "JSON"  # from the URL's extension
    table = csv["table"]
    assert table["valid"] is True and table["encoding"] == "utf-8"
    assert table["rows"] == 39 and table["header"] == ["region", "annee", "population"]


async def test_a_broken_csv_is_reported_by_error_type_with_its_first_errors(
    files: FileServer,
) -> None:
    dataset = submitted(INSTITUTION, STEWARD, [(files.url("/broken.csv"), "CSV")])
    report = await check(dataset)

    csv_valid = by_name(report)["csv_valid"]
    assert csv_valid["passed"] is False and csv_valid["blocking"] is True
    assert "csv_valid" in report["blocking_failures"] and report["passed"] is False
    table = report["resources"][0]["table"]
    assert table["valid"] is False
    assert table["errors_by_type"] == {
        "duplicate-label": 1,
        "blank-row": 1,
        "type-error": 1,
        "extra-cell": 1,
    }
    type_error = next(e for e in table["first_errors"] if e["type"] == "type-error")
    assert type_error["cell"] == "beaucoup" and type_error["field"] == "population"
    assert csv_valid["details"]["invalid"][0]["errors_by_type"]["blank-row"] == 1
    # Reachable and well described: only the data lowers the score.
    assert by_name(report)["resources_reachable"]["passed"] is True
    assert report["dimensions"]["interoperability"]["criteria"]["valid_data"]["points"] == 0


async def test_a_csv_that_is_not_utf8_fails_on_its_encoding(files: FileServer) -> None:
    dataset = submitted(INSTITUTION, STEWARD, [(files.url("/latin1.csv"), "CSV")])
    report = await check(dataset)

    table = report["resources"][0]["table"]
    assert table["valid"] is False
    assert table["errors_by_type"] == {"encoding-error": 1}
    assert table["header"] == ["commune", "nom"]  # the structure was still checked


async def test_unreachable_urls_fail_the_reachability_check(files: FileServer) -> None:
    closed = f"http://127.0.0.1:{free_port()}/nothing.csv"
    dataset = submitted(
        INSTITUTION,
        STEWARD,
        [
            (files.url("/good.csv"), "CSV"),
            (files.url("/missing.csv"), "CSV"),
            (closed, "CSV"),
            (files.url("/slow.csv"), "CSV"),
            ("ftp://example.org/file.csv", "CSV"),
        ],
    )
    report = await check(dataset, quality_http_timeout_seconds=0.5)

    reachable = by_name(report)["resources_reachable"]
    assert reachable["passed"] is False
    assert reachable["summary"] == "4 of 5 resource URL(s) not reachable"
    errors = {r["url"]: (r["error"], r["status"]) for r in report["resources"]}
    assert errors[files.url("/good.csv")] == (None, 200)
    assert errors[files.url("/missing.csv")] == ("http-error", 404)
    assert errors[closed] == ("connection-error", None)
    assert errors[files.url("/slow.csv")] == ("timeout", None)
    assert errors["ftp://example.org/file.csv"] == ("invalid-url", None)
    # The accessibility dimension counts the share of reachable resources.
    assert report["dimensions"]["accessibility"]["criteria"]["reachable"]["points"] == 3.0


async def test_internal_targets_are_refused_without_being_contacted(files: FileServer) -> None:
    before = files.hits("/good.csv")
    dataset = submitted(
        INSTITUTION,
        STEWARD,
        [
            ("http://10.20.30.40/data.csv", "CSV"),
            ("http://169.254.169.254/latest/meta-data", "JSON"),
            ("http://[::1]:9/data.csv", "CSV"),
            (files.url("/good.csv"), "CSV"),  # loopback, and this run has no allow-list
            (f"http://localhost:{files.port}/good.csv", "CSV"),  # resolved, then refused
            ("http://[::ffff:127.0.0.1]/data.csv", "CSV"),
        ],
    )
    report = await check(dataset, quality_url_allowlist=[])

    reasons = {r["url"]: r for r in report["resources"]}
    for resource in report["resources"]:
        assert resource["reachable"] is False
        assert resource["error"] == "refused-target", resource
    assert "(private)" in reasons["http://10.20.30.40/data.csv"]["detail"]
    assert "(link-local)" in reasons["http://169.254.169.254/latest/meta-data"]["detail"]
    assert "(loopback)" in reasons["http://[::1]:9/data.csv"]["detail"]
    assert "(loopback)" in reasons["http://[::ffff:127.0.0.1]/data.csv"]["detail"]
    assert files.hits("/good.csv") == before, "a refused target must not be contacted"
    reachable = by_name(report)["resources_reachable"]
    assert reachable["passed"] is False and "6 refused (internal address)" in reachable["summary"]


async def test_a_redirect_to_an_internal_address_is_refused(files: FileServer) -> None:
    dataset = submitted(
        INSTITUTION,
        STEWARD,
        [(files.url("/to-metadata"), "JSON"), (files.url("/to-good"), "CSV")],
    )
    report = await check(dataset)  # 127.0.0.1 allowed; the metadata address is not

    metadata, good = report["resources"]
    assert metadata["error"] == "refused-target"
    assert metadata["detail"] == "refused: internal address (link-local)"
    assert good["reachable"] is True and good["final_url"] == files.url("/good.csv")
    assert good["table"]["valid"] is True


async def test_allow_list_takes_networks_and_host_names(files: FileServer) -> None:
    dataset = submitted(INSTITUTION, STEWARD, [(f"http://localhost:{files.port}/good.csv", "CSV")])
    by_network = await check(dataset, quality_url_allowlist=["127.0.0.0/8", "::1"])
    by_host = await check(dataset, quality_url_allowlist=["localhost"])
    assert by_network["resources"][0]["reachable"] is True
    assert by_host["resources"][0]["reachable"] is True


async def test_concurrency_is_bounded(files: FileServer) -> None:
    files.max_in_flight = 0
    dataset = submitted(
        INSTITUTION, STEWARD, [(files.url(f"/paced-{n}.json"), "JSON") for n in range(6)]
    )
    report = await check(dataset, quality_max_concurrency=2)
    assert by_name(report)["resources_reachable"]["passed"] is True
    assert sum(files.hits(f"/paced-{n}.json") for n in range(6)) == 6
    assert 1 <= files.max_in_flight <= 2


async def test_a_csv_above_the_size_limit_is_reachable_but_not_validated(
    files: FileServer,
) -> None:
    dataset = submitted(INSTITUTION, STEWARD, [(files.url("/good.csv"), "CSV")])
    report = await check(dataset, quality_csv_max_bytes=100)

    resource = report["resources"][0]
    assert resource["reachable"] is True
    assert resource["table"] == {
        "validated": False,
        "valid": None,
        "reason": "too-large",
        "detail": f"{len(GOOD_CSV)} bytes, above 100",
    }
    csv_valid = by_name(report)["csv_valid"]
    assert csv_valid["passed"] is True and csv_valid["details"]["not_validated"] == [resource["id"]]


async def test_closed_licence_pdf_only_and_thin_metadata_fail_and_score_low(
    files: FileServer,
) -> None:
    dataset = submitted(
        INSTITUTION,
        STEWARD,
        [(files.url("/report.pdf"), "PDF")],
        license_id="other-closed",
        license_is_open=False,
        description=None,
        tags=[],
        themes=[],
        frequency=None,
        contact_point=None,
        temporal_start=None,
        temporal_end=None,
        spatial=[],
    )
    report = await check(dataset)

    checks = by_name(report)
    assert checks["open_license"]["passed"] is False
    assert checks["machine_readable"]["passed"] is False
    assert checks["machine_readable"]["details"]["stars"] == {report["resources"][0]["id"]: 1}
    assert checks["classification"]["details"]["missing"] == ["themes", "tags", "frequency"]
    assert checks["metadata_completeness"]["details"]["missing"] == [
        "languages",
        "description",
        "themes",
        "tags",
        "contact_point",
        "temporal_coverage",
        "spatial_coverage",
        "frequency",
    ]
    assert checks["resources_reachable"]["passed"] is True
    assert set(report["blocking_failures"]) == {
        "classification",
        "open_license",
        "machine_readable",
    }
    # What is left: an attached (5), reachable (15) resource in a known format (5), a licence
    # (5), a publisher (2), and half the texts in both languages (titles only: 1.5 of 3).
    assert report["score"] == 34 and report["rating"] == "sufficient"
    dimensions = report["dimensions"]
    assert dimensions["findability"]["points"] == 0
    assert dimensions["reusability"]["points"] == 7


async def test_formats_score_by_openness_stars(files: FileServer) -> None:
    dataset = submitted(
        INSTITUTION,
        STEWARD,
        [
            (files.url("/report.pdf"), "PDF"),
            (files.url("/data.json"), "XLS"),
            (files.url("/data.json"), "GeoJSON"),
            (files.url("/data.json"), "text/turtle"),
        ],
    )
    report = await check(dataset)
    assert [r["stars"] for r in report["resources"]] == [1, 2, 3, 4]
    assert [r["format"] for r in report["resources"]] == ["PDF", "XLS", "GEOJSON", "TTL"]


async def test_a_dataset_without_resources_fails_collection(files: FileServer) -> None:
    report = await check(submitted(INSTITUTION, STEWARD, []))
    checks = by_name(report)
    assert checks["resources_present"]["passed"] is False
    assert checks["resources_reachable"]["passed"] is False
    assert checks["resources_present"]["stage"] == "collection"
