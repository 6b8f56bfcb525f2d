"""Fetching the resources (quality.run_checks): each probe is isolated, refusals say the kind of
address and not the address, the catalog's origin is trusted for the files it signs, and a
downloaded file is checked against the submission's SHA-256. Against a server on the loopback."""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest

from libs.events.schemas import ResourceSummary
from services.governance.domain import quality
from services.governance.settings import GovernanceSettings
from tests.support.file_server import FileServer, Served
from tests.support.governance_data import submitted

GOOD_CSV = b"region,annee,population\n" + b"".join(
    f"region-{i},{2000 + i},{1000 * i}\n".encode() for i in range(1, 20)
)


@pytest.fixture(scope="module")
def server() -> Iterator[FileServer]:
    server = FileServer().start()
    yield server
    server.stop()


def settings(**overrides: Any) -> GovernanceSettings:
    values: dict[str, Any] = {"database_url": "sqlite://", "quality_http_timeout_seconds": 2}
    values.update(overrides)
    return GovernanceSettings(**values)


def resource(url: str, fmt: str | None = "CSV", **fields: Any) -> ResourceSummary:
    return ResourceSummary(id=uuid.uuid4(), url=url, format=fmt, **fields)


async def report_of(config: GovernanceSettings, *resources: ResourceSummary) -> dict[str, Any]:
    data = submitted(uuid.uuid4(), uuid.uuid4(), [])
    snapshot = data.model_copy(update={"resources": list(resources)}).model_dump(mode="json")
    return await quality.run_checks(snapshot, config)


def found(report: dict[str, Any]) -> list[tuple[bool, str | None]]:
    return [(r["reachable"], r["error"]) for r in report["resources"]]


def check(report: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for c in report["checks"] if c["name"] == name)


# --- one input never fails the run ---------------------------------------------------------------


async def test_an_unparsable_or_refused_url_marks_that_resource_only(server: FileServer) -> None:
    good = server.serve("/good.csv", Served(GOOD_CSV))
    report = await report_of(
        settings(quality_url_allowlist=["127.0.0.1"]),
        resource("http://[::1/broken.csv"),  # the case: it used to fail every run
        resource("http://data.example.ma:99999/port.csv"),
        resource("ftp://data.example.ma/file.csv"),
        resource("http://10.0.0.1/internal.csv"),
        resource(good),
    )
    assert found(report) == [
        (False, "invalid-url"),
        (False, "invalid-url"),
        (False, "invalid-url"),
        (False, "refused-target"),
        (True, None),
    ]
    reachable = check(report, "resources_reachable")
    assert reachable["summary"] == (
        "4 of 5 resource URL(s) not reachable, 1 refused (internal address)"
    )
    assert report["resources"][4]["table"]["valid"] is True


async def test_an_unexpected_error_is_that_resources_error(
    server: FileServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    good = server.serve("/still-good.csv", Served(GOOD_CSV))
    fetch = quality._fetch

    async def failing_once(client: Any, summary: ResourceSummary, *args: Any) -> quality.Probe:
        if summary.url.endswith("/explodes.csv"):
            raise RuntimeError("nobody foresaw this")
        return await fetch(client, summary, *args)

    monkeypatch.setattr(quality, "_fetch", failing_once)
    report = await report_of(
        settings(quality_url_allowlist=["127.0.0.1"]),
        resource(server.url("/explodes.csv")),
        resource(good),
    )
    assert found(report) == [(False, "unexpected-error"), (True, None)]
    assert report["resources"][0]["detail"] == "RuntimeError"


async def test_a_refusal_says_the_kind_of_address_and_never_the_address() -> None:
    report = await report_of(
        settings(),
        resource("http://localhost:9/x.csv"),
        resource("http://169.254.169.254/latest/meta-data"),
        resource("http://[::ffff:10.1.2.3]/x.csv"),
        resource("http://[2002:c0a8:101::1]/x.csv"),  # 6to4 of 192.168.1.1
    )
    details = [r["detail"] for r in report["resources"]]
    assert details == [
        "refused: internal address (loopback)",
        "refused: internal address (link-local)",
        "refused: internal address (private)",
        "refused: internal address (private)",
    ]
    # Nor anywhere else in the report: what localhost resolves to stays unsaid.
    assert "127.0.0.1" not in json.dumps(report)


# --- the catalog's origin ------------------------------------------------------------------------


async def test_the_catalogs_origin_is_trusted_and_nothing_else_on_its_host(
    server: FileServer,
) -> None:
    url = server.serve("/api/v1/uploads/signed.csv", Served(GOOD_CSV))
    config = settings(catalog_url=f"http://127.0.0.1:{server.port}")  # no allow-list at all
    with FileServer() as other:
        elsewhere = other.serve("/elsewhere.csv", Served(GOOD_CSV))
        report = await report_of(
            config,
            resource(url + "?expires=1&signature=abc", uploaded=True),
            resource(elsewhere),
            resource(f"https://127.0.0.1:{server.port}/api/v1/uploads/signed.csv"),
            resource(f"http://localhost:{server.port}/api/v1/uploads/signed.csv"),
        )
        assert other.hits("/elsewhere.csv") == 0
    assert found(report) == [
        (True, None),
        (False, "refused-target"),
        (False, "refused-target"),
        (False, "refused-target"),
    ]


def test_the_catalog_url_defaults_to_the_catalogs_own_default_and_must_be_a_url() -> None:
    assert GovernanceSettings(database_url="sqlite://").catalog_url == "http://127.0.0.1:8001"
    with pytest.raises(ValueError, match="http"):
        GovernanceSettings(database_url="sqlite://", catalog_url="catalog:8001")


# --- checksums -----------------------------------------------------------------------------------


async def test_a_file_is_checked_against_the_submissions_sha256(server: FileServer) -> None:
    csv = server.serve("/checked.csv", Served(GOOD_CSV))
    document = b'{"regions": 12}'
    json_url = server.serve("/checked.json", Served(document, "application/json"))
    right = hashlib.sha256(GOOD_CSV).hexdigest()
    wrong = hashlib.sha256(b"something else").hexdigest()
    report = await report_of(
        settings(quality_url_allowlist=["127.0.0.1"]),
        resource(csv, sha256=right.upper()),
        resource(csv, sha256=wrong),
        resource(json_url, "JSON", sha256=hashlib.sha256(document).hexdigest()),
        resource(json_url, "JSON", sha256=wrong),
    )
    assert found(report) == [
        (True, None),
        (False, "checksum-mismatch"),
        (True, None),
        (False, "checksum-mismatch"),
    ]
    mismatch = report["resources"][1]
    assert mismatch["detail"] == (
        f"the file's SHA-256 is {right}, not the {wrong} of the submission"
    )
    assert mismatch["table"] is None, "a file that is not the one submitted is not validated"
    assert check(report, "resources_reachable")["summary"] == (
        "2 of 4 resource URL(s) not reachable, 2 not the file submitted (its SHA-256 differs)"
    )


async def test_a_table_too_large_to_validate_is_still_hashed_to_its_end(
    server: FileServer,
) -> None:
    url = server.serve("/large.csv", Served(GOOD_CSV))
    config = settings(quality_url_allowlist=["127.0.0.1"], quality_csv_max_bytes=10)
    report = await report_of(
        config,
        resource(url, sha256=hashlib.sha256(GOOD_CSV).hexdigest()),
        resource(url, sha256=hashlib.sha256(GOOD_CSV[:-1]).hexdigest()),
    )
    assert found(report) == [(True, None), (False, "checksum-mismatch")]
    assert report["resources"][0]["table"]["reason"] == "too-large"
