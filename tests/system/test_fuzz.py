"""Bad input at scale, in CI: schemathesis against every service's OpenAPI document, every
operation, anonymous and with valid credentials of each kind (admin, steward, reviewer,
developer key), on objects the run created for itself (tests/support/fuzz.py).

No 5xx; every response conforms to the document (status, content type, body); a failing write
leaves nothing behind; each service's resident memory is reported before and after.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from libs.settings import PlatformSettings
from tests.support.apps import isolated_platform
from tests.support.fuzz import FuzzReport, fuzz
from tests.support.infra import PostgresDatabases
from tests.support.platform import (
    SERVICES,
    Platform,
    _expect,
    draft_with_upload,
    publish,
    reuse_body,
    running_platform,
)

REPORTS = Path(__file__).resolve().parents[2] / "var" / "fuzz"


@dataclass
class Objects:
    """What the run created, by the name of the path parameter that names it."""

    by_name: dict[str, str]

    def known(self, service: str) -> Any:
        def known(method: str, path: str) -> Mapping[str, str]:
            names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
            values = dict(self.by_name)
            if service == "metrics" and path.startswith("/api/v1/commitments"):
                values["code"] = self.by_name["commitment_code"]
            if service == "reuse":
                values["reference"] = self.by_name["reuse_id"]
            return {name: values[name] for name in names if name in values}

        return known


@pytest.fixture(scope="module")
def fuzzed(
    kafka: PlatformSettings,
    postgres_databases: PostgresDatabases,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Platform, Objects]]:
    with running_platform(
        isolated_platform(kafka, "fuzz"), postgres_databases, tmp_path_factory.mktemp("fuzz")
    ) as platform:
        people = platform.people()
        dataset_id = publish(platform, people)
        draft_id = draft_with_upload(platform, people, title={"fr": "Brouillon", "ar": "مسودة"})
        with platform["catalog"].client(**people.steward.headers) as http:
            dataset = _expect(http.get(f"/api/v1/datasets/{dataset_id}"), 200)
        with platform["governance"].client(**people.reviewer.headers) as http:
            reviews = _expect(http.get("/api/v1/reviews", params={"dataset_id": dataset_id}), 200)
        with platform["reuse"].client(**people.developer_headers) as http:
            reuse = _expect(http.post("/api/v1/reuses", json=reuse_body(dataset_id)), 201)
            keys = _expect(http.get("/api/v1/developers/me/keys"), 200)
        objects = Objects(
            {
                "id_or_slug": dataset_id,
                "resource_id": dataset["resources"][0]["id"],
                "review_id": reviews["items"][0]["id"],
                "institution_id": str(people.institution_id),
                "slug": people.institution_slug,
                "account_id": str(people.steward.account_id),
                "reuse_id": reuse["id"],
                "key_id": keys["items"][0]["id"],
                "code": "datasets_published",
                "commitment_code": "open-data-2018-2020",
                "dimension": "institution",
                "draft_id": draft_id,
            }
        )
        # From here on only requests change the databases: no consumer, relay or worker.
        quiet = {
            "CATALOG_CONSUMER_ENABLED": "false",
            "CATALOG_RELAY_ENABLED": "false",
            "GOVERNANCE_CONSUMER_ENABLED": "false",
            "GOVERNANCE_RELAY_ENABLED": "false",
            "GOVERNANCE_CHECKS_WORKER_ENABLED": "false",
            "GOVERNANCE_OVERDUE_WORKER_ENABLED": "false",
            "REUSE_CONSUMER_ENABLED": "false",
            "REUSE_RELAY_ENABLED": "false",
            "METRICS_CONSUMER_ENABLED": "false",
            "METRICS_RELAY_ENABLED": "false",
            "METRICS_INDICATOR_CHECK_SECONDS": "0",
        }
        for service in platform.services.values():
            service.restart(**quiet)
        yield platform, objects


@pytest.mark.parametrize("service", SERVICES)
def test_no_5xx_every_answer_as_documented_and_no_write_behind_a_refusal(
    fuzzed: tuple[Platform, Objects], service: str
) -> None:
    platform, objects = fuzzed
    people = platform.people()
    callers: dict[str, dict[str, str]] = {
        "anonymous": {},
        "admin": people.admin.headers,
        "steward": people.steward.headers,
        "reviewer": people.reviewer.headers,
    }
    if service == "reuse":
        callers["developer"] = people.developer_headers
    process = platform[service]
    rss_before = process.rss_mib()
    report: FuzzReport = fuzz(
        service, process.url, process.database_url, callers, objects.known(service)
    )
    rss_after = process.rss_mib()
    REPORTS.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(process.log, REPORTS / f"{service}.log")  # the tracebacks behind a 5xx
    (REPORTS / f"{service}.json").write_text(
        json.dumps(
            {
                "service": service,
                "requests": report.requests,
                "seconds": report.seconds,
                "by_status": report.by_status,
                "rss_mib": {"before": rss_before, "after": rss_after},
                "findings": [f.__dict__ for f in report.findings],
            },
            indent=2,
            ensure_ascii=False,
        )
    )
    print(
        f"\n{service}: {report.requests} requests in {report.seconds} s, "
        f"RSS {rss_before} → {rss_after} MiB, statuses {sorted(report.by_status.items())}"
    )
    assert process.process is not None and process.process.poll() is None, process.tail()
    assert not report.findings, "\n\n".join(
        f"{f.operation} as {f.caller}: {f.problem}" for f in report.findings[:10]
    )
