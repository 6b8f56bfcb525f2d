"""The figures after a scripted year of events produced to the real topics — duplicates,
interleaving and out-of-order arrival across topics, withdrawals, removals, re-publication —
then the same figures after a rebuild, with the API answering throughout."""

from __future__ import annotations

import asyncio
import csv
import io
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import date

import pytest
from prometheus_client import REGISTRY
from typer.testing import CliRunner

from libs.events import Topic
from libs.events.schemas import IndicatorChanged
from services.metrics import cli
from services.metrics.rebuild import Rebuild
from tests.metrics.conftest import MetricsHarness, facts, produce, wait_for_facts
from tests.support import metrics_events as ev
from tests.support import metrics_scenario as world
from tests.support.infra import events_of, read_topic

MID, END = world.MID.isoformat(), world.END.isoformat()


def values(metrics: MetricsHarness, as_of: str) -> dict[str, float | None]:
    return {r["code"]: r["value"] for r in metrics.get("/api/v1/indicators", as_of=as_of)}


def expected(day: date) -> dict[str, float]:
    return {code: float(value) for code, value in world.EXPECTED[day].items()}


@pytest.fixture(scope="module")
def scripted(metrics: MetricsHarness) -> Iterator[int]:
    """The scripted year produced in three waves, each consumed before the next, so that
    facts arrive after later ones of the same objects: the overdue alerts first, then the
    catalog and the reuses, then the reviews and the institutions. Yields the number of
    distinct events."""
    streams = world.streams()
    waves = [
        streams["schedules"],
        [*streams["catalog"], *streams["reuses"]],
        streams["governance"] + streams["institutions"],
    ]
    seen: set[uuid.UUID] = set()
    for wave in waves:
        asyncio.run(produce(metrics.platform, wave))
        seen |= {e.id for e in wave}
        wait_for_facts(metrics, len(seen))
    yield len(seen)


def test_the_figures_of_the_scripted_year(metrics: MetricsHarness, scripted: int) -> None:
    assert values(metrics, MID) == expected(world.MID)
    assert values(metrics, END) == expected(world.END)
    reuses = metrics.get("/api/v1/indicators/reuse_initiatives", as_of=END)
    assert (reuses["value"], reuses["companion"]) == (2, world.UNVERIFIED[world.END])
    datasets = metrics.get("/api/v1/indicators/datasets_published", as_of=END)
    assert datasets["period"]["baseline"] == 136 and datasets["period"]["target"] == 300
    assert datasets["period"]["progress_from_baseline"] == pytest.approx((4 - 136) / 164, abs=1e-4)
    assert datasets["status"] == "late"


def duplicates_seen() -> float:
    return (
        REGISTRY.get_sample_value(
            "bayanat_events_consumed_total", {"service": "metrics", "outcome": "duplicate"}
        )
        or 0.0
    )


def test_replaying_the_same_events_changes_nothing(metrics: MetricsHarness, scripted: int) -> None:
    before = (values(metrics, MID), values(metrics, END))
    replayed = world.events()
    seen = duplicates_seen()
    asyncio.run(produce(metrics.platform, replayed))
    deadline = time.monotonic() + 60
    while duplicates_seen() - seen < len(replayed):
        assert time.monotonic() < deadline, "the replayed events were not all read"
        time.sleep(0.1)
    assert facts(metrics) == scripted
    assert (values(metrics, MID), values(metrics, END)) == before


def test_history_breakdowns_findings_and_institution_pages(
    metrics: MetricsHarness, scripted: int
) -> None:
    history = metrics.get(
        "/api/v1/indicators/datasets_published/history",
        interval="month",
        start="2019-01-01",
        end=END,
    )
    assert [p["value"] for p in history["points"]] == world.PUBLISHED_BY_MONTH
    days = metrics.get(
        "/api/v1/indicators/institutions_taking_part/history",
        interval="day",
        start="2019-05-19",
        end="2019-05-21",
    )
    assert [p["value"] for p in days["points"]] == [4, 3, 3]
    themes = metrics.get("/api/v1/indicators/datasets_published/breakdowns/theme", as_of=END)
    assert {i["key"]: i["count"] for i in themes["items"]} == world.BY_THEME_AT_END
    types = metrics.get("/api/v1/indicators/reuse_initiatives/breakdowns/reuse_type", as_of=END)
    assert {i["key"]: (i["count"], i["companion"]) for i in types["items"]} == (
        world.REUSES_BY_TYPE_AT_END
    )
    findings = metrics.get("/api/v1/findings", as_of=END)
    assert findings["published"] == 4
    assert {o["stars"]: o["count"] for o in findings["openness"]} == world.OPENNESS_AT_END
    page = metrics.get(f"/api/v1/institutions/{world.A}", as_of=END)
    assert page["institution"]["datasets_published"] == 3
    assert page["findings"]["open_licence"] == 66.67
    assert (page["reuses_verified"], page["reuses_declared"]) == (2, 0)
    slug = page["institution"]["slug"]
    datasets = metrics.get(f"/api/v1/institutions/{slug}/datasets")
    assert datasets["total"] == 3
    d1 = next(d for d in datasets["items"] if d["id"] == str(world.d1))
    assert (d1["quality_score"], d1["stars"], d1["reuses"]) == (80, 3, 1)
    assert metrics.client.get("/api/v1/institutions/nobody").status_code == 404
    problem = metrics.client.get(
        "/api/v1/indicators/datasets_published/history",
        params={"interval": "day", "start": "2000-01-01"},
    )
    assert (
        problem.status_code == 422 and problem.headers["content-type"] == "application/problem+json"
    )


def test_the_dashboard_has_everything_the_page_shows(
    metrics: MetricsHarness, scripted: int
) -> None:
    board = metrics.get("/api/v1/dashboard", as_of=END)
    assert {i["code"]: i["value"] for i in board["indicators"]} == expected(world.END)
    assert board["commitments"][0]["overall_progress"] == world.SEEDED_OVERALL_PROGRESS
    assert len(board["commitments"][0]["activities"]) == 7
    assert [f["code"] for f in board["findings"]["findings"]] == [
        "open_licence",
        "machine_readable",
        "bulk_download",
        "up_to_date",
    ]
    assert {h["indicator"] for h in board["history"]} == set(world.EXPECTED[world.END])
    assert {(b["indicator"], b["dimension"]) for b in board["breakdowns"]} >= {
        ("datasets_published", "institution"),
        ("datasets_published", "theme"),
        ("reuse_initiatives", "reuse_type"),
    }
    assert board["computed_at"] and board["projection"]["state"] == "ready"


def read_csv(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(b"\xef\xbb\xbf")
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_exports_parse(metrics: MetricsHarness, scripted: int) -> None:
    response = metrics.client.get("/api/v1/exports/indicators.csv", params={"as_of": END})
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert "attachment" in response.headers["content-disposition"]
    rows = read_csv(response.content)
    assert {r["code"]: float(r["value"]) for r in rows} == expected(world.END)
    assert next(r for r in rows if r["code"] == "reuse_initiatives")["companion"] == "1"
    history = read_csv(
        metrics.client.get(
            "/api/v1/exports/history.csv",
            params={"indicator": "datasets_published", "start": "2019-01-01", "end": END},
        ).content
    )
    assert [float(r["value"]) for r in history] == world.PUBLISHED_BY_MONTH
    themes = read_csv(
        metrics.client.get(
            "/api/v1/exports/breakdowns/datasets_published/theme.csv", params={"as_of": END}
        ).content
    )
    assert next(r for r in themes if r["key"] == "sante")["name_ar"] == "الصحة"
    activities = read_csv(metrics.client.get("/api/v1/exports/activities.csv").content)
    assert len(activities) == 7
    as_json = metrics.client.get("/api/v1/exports/indicators.json", params={"as_of": END})
    assert as_json.headers["content-type"] == "application/json"
    assert {r["code"]: r["value"] for r in as_json.json()} == expected(world.END)


def test_gauges_and_indicator_changed_events(metrics: MetricsHarness, scripted: int) -> None:
    text = metrics.client.get("/metrics").text
    assert 'bayanat_indicator_value{indicator="datasets_published"} 4.0' in text
    assert 'bayanat_indicator_companion{indicator="reuse_initiatives"} 1.0' in text
    deadline = time.monotonic() + 30
    while True:
        announced = [
            e.payload()
            for e in events_of(
                asyncio.run(
                    read_topic(metrics.platform, Topic.METRICS_INDICATORS, until=7, timeout=2)
                )
            )
            if e.type == IndicatorChanged.event_type
        ]
        latest = {a.indicator: a.value for a in announced}  # type: ignore[attr-defined]
        if latest.get("datasets_published") == 4 or time.monotonic() > deadline:
            break
    assert latest["datasets_published"] == 4
    assert latest["up_to_date"] == 75.0


def test_the_rebuild_command_gives_the_same_figures(metrics: MetricsHarness, scripted: int) -> None:
    before = {day: values(metrics, day) for day in (MID, END)}
    kept = facts(metrics)
    env = {
        "METRICS_DATABASE_URL": metrics.database_url,
        "KAFKA_TOPIC_PREFIX": metrics.platform.kafka_topic_prefix,
        "KAFKA_BOOTSTRAP_SERVERS": metrics.platform.kafka_bootstrap_servers,
    }
    result = CliRunner().invoke(cli.app, ["rebuild", "--batch", "7"], env=env)
    assert result.exit_code == 0, result.output
    assert "events" in result.output and "the new figures are live" in result.output
    assert {day: values(metrics, day) for day in (MID, END)} == before
    assert facts(metrics) == kept
    projection = metrics.get("/api/v1/projection")
    assert projection["state"] == "ready" and projection["rebuilt_events"] >= scripted


def test_during_a_rebuild_the_api_answers_and_new_events_are_not_lost(
    metrics: MetricsHarness, scripted: int
) -> None:
    before = {day: values(metrics, day) for day in (MID, END)}
    kept = facts(metrics)
    late = uuid.uuid4()
    during: list[tuple[str, dict[str, float | None]]] = []

    def probe(read: int, total: int) -> None:
        """Called as the rebuild reads the log: what the API says meanwhile."""
        if not during:
            # Produced after the end offsets were read: only the live consumer sees it, and
            # writes it to both sets of tables.
            event = ev.enrolled(late, date(2020, 1, 1), name="late")
            threading.Thread(target=asyncio.run, args=(produce(metrics.platform, [event]),)).start()
            wait_for_facts(metrics, kept + 1)
        during.append((metrics.get("/api/v1/projection")["state"], values(metrics, END)))

    rebuild = Rebuild(metrics.engine, metrics.platform, batch_size=5, progress=probe)
    result = asyncio.run(rebuild.run())
    assert result.events >= scripted and result.skipped == 0
    assert len(during) > 3
    assert all(state == "building" for state, _ in during)
    assert all(figures == before[END] for _, figures in during)
    assert {day: values(metrics, day) for day in (MID, END)} == before
    assert values(metrics, "2020-01-01")["institutions_taking_part"] == 4  # A, B, D, late
    assert facts(metrics) == kept + 1
