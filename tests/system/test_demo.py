"""``bayanat demo`` at a small scale against the four services as processes: what it loads
through the public APIs, every figure the services share agreeing afterwards, and a second run
that finds the demo there and does nothing."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from libs.settings import PlatformSettings
from services.demo.plan import Fate, Scale, make_plan
from tests.support.apps import isolated_platform
from tests.support.brokers import REPO
from tests.support.infra import PostgresDatabases
from tests.support.platform import (
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    Platform,
    _expect,
    running_platform,
)

SCALE = "small"
PLAN = make_plan(Scale.parse(SCALE))


@pytest.fixture(scope="module")
def demo_platform(
    kafka: PlatformSettings,
    postgres_databases: PostgresDatabases,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Platform]:
    directory = tmp_path_factory.mktemp("demo")
    with running_platform(
        isolated_platform(kafka, "demo"),
        postgres_databases,
        directory,
        # The development mail sender: the demo reads the links in the mails it keeps.
        REUSE_MAIL_SENDER="log",
        REUSE_MAIL_DIR=str(directory / "mail"),
        # A live feed falls overdue as soon as its period is past.
        GOVERNANCE_OVERDUE_GRACE_DAYS="0",
    ) as platform:
        platform.operator(
            "governance",
            "create-admin",
            "--email",
            ADMIN_EMAIL,
            "--password-stdin",
            stdin=ADMIN_PASSWORD + "\n",
        )
        yield platform


def run_demo(platform: Platform) -> subprocess.CompletedProcess[str]:
    """``bayanat demo`` as an operator runs it, with the four services' settings."""
    env: dict[str, str] = {}
    for service in platform.services.values():
        env.update(service.env)
    return subprocess.run(
        [
            *(str(REPO / ".venv" / "bin" / "bayanat"), "demo", "--scale", SCALE),
            *("--admin-email", ADMIN_EMAIL, "--password-stdin"),
            *("--mail-dir", str(platform.directory / "mail")),
        ],
        env=env,
        cwd=REPO,
        input=ADMIN_PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=240,
    )


def every(
    http: httpx.Client, path: str, headers: dict[str, str] | None = None, **params: str
) -> list[dict[str, Any]]:
    """Every item of a paged list."""
    items: list[dict[str, Any]] = []
    page = 1
    while True:
        query: dict[str, str | int] = {**params, "page": page, "page_size": 100}
        body = _expect(http.get(path, headers=headers, params=query), 200)
        items += body["items"]
        if page >= body["pages"]:
            return items
        page += 1


def test_the_demo_loads_a_picture_every_service_agrees_on(demo_platform: Platform) -> None:
    platform = demo_platform
    loaded = run_demo(platform)
    assert loaded.returncode == 0, loaded.stdout + loaded.stderr
    assert "the services agree" in loaded.stdout, loaded.stdout

    published = {d.slug for d in PLAN.datasets if d.published}
    with platform["catalog"].client() as catalog:
        datasets = every(catalog, "/api/v1/datasets")
        assert {d["slug"] for d in datasets} == published
        # The platform serves the uploaded files.
        one = _expect(catalog.get(f"/api/v1/datasets/{datasets[0]['id']}"), 200)
        files = {r["format"].upper(): r for r in one["resources"]}
        assert files.keys() == {"CSV", "JSON"}
        assert catalog.get(files["CSV"]["download_url"]).text.startswith("periode,")
        reuse_counts = {d["id"]: d["reuse_count"] for d in datasets}

    with platform["governance"].client() as governance:
        enrolled = every(governance, "/api/v1/institutions", status="enrolled")
        assert {i["slug"] for i in enrolled} == {i.slug for i in PLAN.institutions}
        token = _expect(
            governance.post(
                "/api/v1/auth/login", json={"email": ADMIN_EMAIL, "password": ADMIN_PASSWORD}
            ),
            200,
        )["access_token"]
        headers = {"Authorization": f"Bearer {token}"}
        reviews = every(governance, "/api/v1/reviews", headers)
        # Reviews in every state: approved, changes requested (rejected), still open.
        states = {(r["state"], r["decision"]) for r in reviews}
        assert states == {("approved", "approved"), ("rejected", "rejected"), ("open", None)}
        assert len(reviews) == len(PLAN.datasets)
        # The live feed the demo never feeds again is overdue.
        live = [d for d in PLAN.datasets if d.live]
        overdue = [
            row
            for institution in enrolled
            for row in every(governance, f"/api/v1/institutions/{institution['id']}/overdue")
        ]
        assert {row["slug"] for row in overdue} >= {d.slug for d in live} and live

    with platform["reuse"].client() as reuse:
        reuses = every(reuse, "/api/v1/reuses")
        assert len(reuses) == len(PLAN.reuses)
        verified = [r for r in reuses if r["verified"]]
        assert len(verified) == sum(r.verified for r in PLAN.reuses)
        # The catalog's reuse count of each dataset is the reuse service's.
        for dataset_id, count in reuse_counts.items():
            cited = _expect(reuse.get(f"/api/v1/datasets/{dataset_id}/reuses"), 200)["total"]
            assert count == cited, dataset_id

    with platform["metrics"].client() as metrics:

        def value(code: str) -> float:
            return float(_expect(metrics.get(f"/api/v1/indicators/{code}"), 200)["value"])

        assert value("datasets_published") == len(published)
        assert value("institutions_taking_part") == len(PLAN.institutions)
        assert value("reuse_initiatives") == len(verified)
        # Each institution's figures are the catalog's.
        by_institution = {
            i["slug"]: i["datasets_published"] for i in every(metrics, "/api/v1/institutions")
        }
        expected = {
            i.slug: sum(d.institution == i and d.published for d in PLAN.datasets)
            for i in PLAN.institutions
        }
        assert by_institution == expected
    assert sum(d.fate is Fate.UPDATED for d in PLAN.datasets) > 0

    # Once loaded, a second run finds the demo there and does nothing.
    again = run_demo(platform)
    assert again.returncode == 0 and "already holds the demo" in again.stdout, again.stdout
    with platform["catalog"].client() as catalog:
        assert len(every(catalog, "/api/v1/datasets")) == len(published)
