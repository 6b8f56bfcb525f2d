"""The public pages over HTTP, on the scripted year (SQLite): both languages and both digits,
every figure equal to the JSON API's, the institution's page, errors as pages, the
Content-Security-Policy and the live figures' stream."""

from __future__ import annotations

import asyncio
import fnmatch
import hashlib
import re
import tomllib
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient

from services.metrics.app import create_app
from services.metrics.pages.i18n import Digits, Lang, Locale
from services.metrics.pages.live import LiveVersion
from services.metrics.settings import MetricsSettings
from tests.support import metrics_scenario as world
from tests.support.metrics_events import apply
from tests.support.pages import (
    PageReading,
    as_read,
    dashboard_figures,
    institution_figures,
    numbers_in,
    read_page,
)
from tests.support.units import SqliteUnits

REPO = Path(__file__).resolve().parents[3]
PAGES = REPO / "services" / "metrics" / "pages"
CASABLANCA = ZoneInfo("Africa/Casablanca")

# The separators each language and digits write numbers with.
SEPARATORS = {
    ("ar", "arab"): ("\u066c", "\u066b"),
    ("fr", "arab"): ("\u066c", "\u066b"),
    ("ar", "latn"): (".", ","),
    ("fr", "latn"): ("\u202f", ","),
}


@pytest.fixture
def client(units: SqliteUnits, tmp_path: Path) -> Iterator[TestClient]:
    """The app on the scripted year, without its lifespan (no Kafka): its units of work are
    the test's."""
    with units() as uow:
        apply(uow, world.events())
        uow.commit()
    settings = MetricsSettings(
        database_url=f"sqlite:///{tmp_path / 'unused.db'}", live_stream_seconds=0.3
    )
    app = create_app(settings)
    app.state.unit_of_work = units.factory
    app.state.live._read = lambda: "v2"
    yield TestClient(app)


def page(client: TestClient, path: str, **params: str) -> tuple[PageReading, Any]:
    response = client.get(path, params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return read_page(response.text), response


def assert_read_as_written(reading: PageReading, lang: str, digits: str) -> None:
    """Every number shows, in the page's digits, the value its <data> element carries."""
    group, decimal = SEPARATORS[(lang, digits)]
    foreign = "0123456789" if digits == "arab" else "٠١٢٣٤٥٦٧٨٩"
    assert reading.all_figures
    for figure in reading.all_figures:
        assert not set(figure.text) & set(foreign), figure
        shown = as_read(figure.text, group=group, decimal=decimal)
        if figure.value == "":
            assert shown is None, figure
            continue
        value = float(figure.value)
        # A ratio (1 = the target) is shown as a percentage.
        assert shown is not None and (
            shown == pytest.approx(round(value, 2)) or shown == pytest.approx(round(value * 100, 2))
        ), figure


@pytest.mark.parametrize(
    ("params", "lang", "direction", "digits"),
    [
        ({}, "ar", "rtl", "arab"),
        ({"lang": "ar", "digits": "latn"}, "ar", "rtl", "latn"),
        ({"lang": "fr"}, "fr", "ltr", "latn"),
        ({"lang": "fr", "digits": "arab"}, "fr", "ltr", "arab"),
        ({"lang": "xx"}, "ar", "rtl", "arab"),  # an unknown language: the default
    ],
)
def test_the_dashboard_in_each_language_and_digits(
    client: TestClient, params: dict[str, str], lang: str, direction: str, digits: str
) -> None:
    reading, _ = page(client, "/dashboard", **params)
    assert reading.html_attrs["lang"] == lang
    assert reading.html_attrs["dir"] == direction
    assert_read_as_written(reading, lang, digits)
    datasets = reading.figures["indicator-datasets_published-value"]
    assert datasets.text == ("٤" if digits == "arab" else "4")


def test_every_figure_equals_the_json_api(client: TestClient) -> None:
    api = client.get("/api/v1/dashboard", params={"as_of": world.END.isoformat()}).json()
    for params in ({}, {"lang": "fr"}):
        reading, _ = page(client, "/dashboard", as_of=world.END.isoformat(), **params)
        expected = dashboard_figures(api)
        assert set(reading.figures) == set(expected)
        for key, value in expected.items():
            shown = reading.figures[key].value
            assert (float(shown) if shown else None) == value, key
        # Every other number on the page (tables, timeline) is one the API gave.
        given = numbers_in(api)
        assert {float(f.value) for f in reading.all_figures if f.value} <= given
    assert expected["indicator-datasets_published-value"] == 4
    assert expected["commitment-open-data-2018-2020-overall"] == world.SEEDED_OVERALL_PROGRESS


def test_the_page_says_when_the_figures_were_computed(client: TestClient) -> None:
    response = client.get("/dashboard", params={"lang": "fr"})
    moment = re.search(
        r'<time datetime="([^"]+)" data-live="computed-at">([^<]+)</time>', response.text
    )
    assert moment is not None
    computed = datetime.fromisoformat(moment.group(1)).astimezone(CASABLANCA)
    assert f"{computed:%H:%M}" in moment.group(2)
    assert "UTC+01:00" in moment.group(2) or "UTC+00:00" in moment.group(2)


def test_the_switcher_keeps_what_was_asked(client: TestClient) -> None:
    response = client.get(
        "/dashboard", params={"lang": "fr", "digits": "arab", "as_of": "2019-12-31"}
    )
    html = response.text
    assert 'href="/dashboard?lang=ar&amp;digits=arab&amp;as_of=2019-12-31"' in html
    assert 'href="/dashboard?lang=fr&amp;digits=latn&amp;as_of=2019-12-31"' in html
    # Without an explicit choice, a new language brings its own digits.
    plain = client.get("/dashboard", params={"lang": "fr"}).text
    assert 'href="/dashboard?lang=ar"' in plain


def test_every_chart_has_its_table_and_its_csv(client: TestClient) -> None:
    reading, response = page(client, "/dashboard")
    html = response.text
    charts = re.findall(r'data-chart="([^"]+)"', html)
    assert len(charts) == 9  # 3 histories, the findings' trend, openness, 4 breakdowns
    data = next(s for s in reading.scripts if s.get("id") == "chart-data")
    assert data["type"] == "application/json"
    assert html.count('<details class="data">') == 1 + len(charts)  # + the activities
    for link in re.findall(r'class="download" href="([^"]+)"', html):
        export = client.get(link.replace("&amp;", "&"))
        assert export.status_code == 200, link
        assert export.headers["content-type"] == "text/csv; charset=utf-8"


def test_pages_allow_only_the_service_s_own_scripts(client: TestClient) -> None:
    for path in ("/", "/dashboard", "/institutions/institution-a", "/institutions/nobody"):
        response = client.get(path)
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "style-src 'self'" in policy
        assert "unsafe-inline" not in policy and "default-src 'none'" in policy
        reading = read_page(response.text)
        for script in reading.scripts:
            # A script is a file of the service's, or data the browser does not run.
            assert (script.get("src") or "").startswith("/static/") or (
                script.get("type") == "application/json"
            ), script
        assert reading.style_attributes == 0 and reading.inline_handlers == []
    for script in re.findall(r'src="(/static/[^"]+)"', client.get("/dashboard").text):
        assert client.get(script).status_code == 200


def test_the_institution_page(client: TestClient) -> None:
    api = client.get(f"/api/v1/institutions/{world.A}").json()
    slug = api["institution"]["slug"]
    for lang, direction in (("ar", "rtl"), ("fr", "ltr")):
        reading, _ = page(client, f"/institutions/{slug}", lang=lang)
        assert (reading.html_attrs["lang"], reading.html_attrs["dir"]) == (lang, direction)
        expected = institution_figures(api)
        assert set(reading.figures) == set(expected)
        for key, value in expected.items():
            shown = reading.figures[key].value
            assert (float(shown) if shown else None) == value, key
        assert_read_as_written(reading, lang, "arab" if lang == "ar" else "latn")
    html = client.get(f"/institutions/{slug}", params={"lang": "fr"}).text
    datasets = client.get(f"/api/v1/institutions/{slug}/datasets").json()
    assert html.count('<th scope="row" class="name">') == datasets["total"] == 3
    assert "Aucun jeu de données n&#39;est en retard" in html  # d1 updated, d6 answered
    b = client.get(f"/api/v1/institutions/{world.B}").json()
    late = client.get(f"/institutions/{b['institution']['slug']}", params={"lang": "fr"}).text
    assert late.count('<li><span class="flag flag-no">') == b["overdue"] == 1  # d3


def test_an_unknown_institution_is_a_page_not_found(client: TestClient) -> None:
    response = client.get("/institutions/nobody", params={"lang": "fr"})
    assert response.status_code == 404
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert "Page introuvable" in response.text
    api = client.get("/api/v1/institutions/nobody")
    assert api.status_code == 404
    assert api.headers["content-type"] == "application/problem+json"


def test_a_bad_date_is_a_page_too(client: TestClient) -> None:
    response = client.get("/dashboard", params={"as_of": "2019-13-45"})
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    assert 'dir="rtl"' in response.text


def test_the_stream_tells_a_page_when_the_figures_move(client: TestClient) -> None:
    same = client.get("/dashboard/events", params={"since": "v2"})
    assert same.headers["content-type"].startswith("text/event-stream")
    assert "event: figures" not in same.text and "retry:" in same.text
    moved = client.get("/dashboard/events", params={"since": "v1"})
    assert 'event: figures\nid: v2\ndata: {"version": "v2"}' in moved.text
    # A reconnecting browser says what it saw last.
    again = client.get("/dashboard/events", headers={"Last-Event-ID": "v2"}, params={"since": "v1"})
    assert "event: figures" not in again.text


async def test_a_listening_stream_gets_each_new_version() -> None:
    live = LiveVersion(poll_seconds=0.01, stream_seconds=2)
    versions = iter(["a", "a", "b", "b", "c"])
    watcher = asyncio.create_task(live.watch(lambda: next(versions, "c")))
    received = []
    stream = live.stream("a")
    async for chunk in stream:
        received.append(chunk.decode())
        if "id: c" in chunk.decode():
            break
    await stream.aclose()  # as the server does when the page goes away
    watcher.cancel()
    assert [c.split("\n")[1] for c in received if c.startswith("event:")] == ["id: b", "id: c"]
    assert live.listeners == 0


def test_numbers_dates_and_moments_in_both_languages() -> None:
    ar = Locale(Lang.AR, Digits.ARAB, CASABLANCA)
    fr = Locale(Lang.FR, Digits.LATN, CASABLANCA)
    ar_latin = Locale(Lang.AR, Digits.LATN, CASABLANCA)
    assert ar.number(1234.5) == "١٬٢٣٤٫٥"
    assert fr.number(1234.5) == "1\u202f234,5"
    assert ar_latin.number(1234.5) == "1.234,5"
    assert ar.number(4.0) == "٤" and fr.number(-0.001) == "0"
    assert ar.percent(66.67) == "٦٦٫٦٧٪" and fr.percent(75.0) == "75\u202f%"
    assert fr.ratio(-0.8049) == "-80,49\u202f%" and ar.ratio(-0.8049) == "\u061c-٨٠٫٤٩٪"
    assert ar.day(date(2019, 8, 1)) == "١ غشت ٢٠١٩" and fr.day(date(2019, 8, 1)) == "1 août 2019"
    moment = datetime(2020, 1, 15, 13, 5, tzinfo=UTC)
    assert fr.moment(moment) == "15 janvier 2020 à 14:05 (\u2066UTC+01:00\u2069)"
    assert ar.moment(moment) == "١٥ يناير ٢٠٢٠ على الساعة ١٤:٠٥ (\u2066UTC+٠١:٠٠\u2069)"
    assert fr.text({"ar": "مؤسسة"}) == ("مؤسسة", "ar")
    assert ar.text({"ar": "مؤسسة", "fr": "Institution"}) == ("مؤسسة", None)


def test_the_vendored_chart_library_is_the_pinned_one() -> None:
    script = (REPO / "deploy" / "vendor-chartjs.sh").read_text()
    pinned = re.search(r"^BUILD_SHA256=(\w+)$", script, re.M)
    version = re.search(r"^VERSION=(\S+)$", script, re.M)
    assert pinned and version
    vendored = PAGES / "static" / "vendor" / "chartjs"
    digest = hashlib.sha256((vendored / "chart.umd.min.js").read_bytes()).hexdigest()
    assert digest == pinned.group(1)
    assert (vendored / "VERSION").read_text().strip() == version.group(1)
    assert "MIT License" in (vendored / "LICENSE.md").read_text()


def test_the_package_ships_the_templates_and_static_files() -> None:
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["services.metrics.pages"]
    files = [
        path.relative_to(PAGES).as_posix()
        for folder in ("templates", "static")
        for path in (PAGES / folder).rglob("*")
        if path.is_file()
    ]
    assert files
    for name in files:
        assert any(
            fnmatch.fnmatch(name, p) and name.count("/") == p.count("/") for p in patterns
        ), name
