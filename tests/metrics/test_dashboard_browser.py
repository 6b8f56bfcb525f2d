"""The public pages in a real browser: Debian's Chromium driven by Selenium, against the
metrics service running as a uvicorn process on the real broker and PostgreSQL.

The page loads in both languages with the API's numbers, the Arabic page is right to left,
an event produced to Kafka moves a figure on the open page without a reload, the browser
logs no error, and at 360 px nothing scrolls sideways. Screenshots (Arabic and French, 1366 px
and 360 px wide) are saved under var/screenshots/.

Chromium and its driver come from ``deploy/browser.sh`` (``make test`` runs it); without them
these tests fail, they are never skipped.
"""

from __future__ import annotations

import asyncio
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.wait import WebDriverWait

from bench.processes import uvicorn_process
from libs.events import new_event
from libs.events.schemas import InstitutionEnrolled, LocalizedText
from libs.settings import PlatformSettings
from tests.metrics.conftest import produce
from tests.support import metrics_events as ev
from tests.support import metrics_scenario as world
from tests.support.apps import isolated_platform
from tests.support.brokers import free_port
from tests.support.infra import PostgresDatabases
from tests.support.pages import dashboard_figures, institution_figures

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "var" / "screenshots"
DESKTOP, PHONE = (1366, 768), (360, 780)

# An institution whose names are long, as real ones are: they must wrap, never overflow.
LONG = uuid.UUID("00000000-0000-4000-8000-0000000000aa")
LONG_DATASET = uuid.UUID("00000000-0000-4000-9000-0000000000aa")
LONG_NAME = LocalizedText(
    ar="المديرية العامة للجماعات الترابية والتنمية المجالية المندمجة والتخطيط الاستراتيجي "
    "لتدبير المعطيات والبيانات العمومية المفتوحة",
    fr="Direction générale des collectivités territoriales, du développement territorial "
    "intégré et de la planification stratégique des données publiques ouvertes",
)


def enrolled(institution: uuid.UUID, slug: str, name: LocalizedText) -> Any:
    today = datetime.now(UTC).date()
    data = InstitutionEnrolled(
        institution_id=institution, slug=slug, name=name, kind="ministry", enrolled_on=today
    )
    return new_event("governance", data, time=datetime.now(UTC) - timedelta(minutes=1))


def browser_binaries() -> tuple[str, str]:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver = shutil.which("chromedriver") or (
        "/usr/bin/chromedriver" if Path("/usr/bin/chromedriver").exists() else None
    )
    if not chromium or not driver:
        raise AssertionError(
            "Chromium and chromium-driver are needed for the browser tests: install them "
            "with 'deploy/browser.sh up' (make test does)"
        )
    return chromium, driver


@dataclass
class Served:
    base: str
    platform: PlatformSettings
    log: Path

    def api(self, path: str, **params: str) -> Any:
        response = httpx.get(f"{self.base}/api/v1{path}", params=params, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()

    def wait_for_facts(self, count: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while (facts := self.api("/projection")["facts"]) < count:
            if time.monotonic() > deadline:
                tail = "\n".join(self.log.read_text().splitlines()[-30:])
                raise AssertionError(f"{facts} facts after {timeout}s, expected {count}:\n{tail}")
            time.sleep(0.2)


@pytest.fixture(scope="module")
def served(
    kafka: PlatformSettings,
    postgres_databases: PostgresDatabases,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Served]:
    """The metrics service as a real server on its own database and topics, fed the scripted
    year and an institution with long names."""
    platform = isolated_platform(kafka, "dash")
    port = free_port()
    env = {
        "METRICS_DATABASE_URL": postgres_databases.create("dashboard"),
        "KAFKA_TOPIC_PREFIX": platform.kafka_topic_prefix,
        "KAFKA_BOOTSTRAP_SERVERS": platform.kafka_bootstrap_servers,
        "METRICS_OUTBOX_POLL_SECONDS": "0.2",
        "METRICS_INDICATOR_CHECK_SECONDS": "0.5",
        "METRICS_LIVE_POLL_SECONDS": "0.3",
        "METRICS_LIVE_STREAM_SECONDS": "5",
    }
    log = tmp_path_factory.mktemp("dashboard") / "server.log"
    with uvicorn_process("services.metrics.app:create_app", port, env, log, "/readyz"):
        served = Served(f"http://127.0.0.1:{port}", platform, log)
        moment = datetime.now(UTC) - timedelta(minutes=1)
        events = [
            *world.events(),
            enrolled(LONG, "dgct-donnees-ouvertes", LONG_NAME),
            ev.published(LONG_DATASET, LONG, moment, formats=["CSV"], themes=["collectivites"]),
        ]
        asyncio.run(produce(platform, events))
        served.wait_for_facts(len({e.id for e in events}))
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    chromium, driver_path = browser_binaries()
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
        options.add_argument(argument)
    options.add_argument("--hide-scrollbars")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(30)
    # Charts drawn at once, without their animation: what a screenshot shows is final.
    driver.execute_cdp_cmd(
        "Emulation.setEmulatedMedia",
        {"features": [{"name": "prefers-reduced-motion", "value": "reduce"}]},
    )
    try:
        yield driver
    finally:
        driver.quit()


def viewport(driver: WebDriver, size: tuple[int, int]) -> None:
    width, height = size
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600},
    )


def open_page(driver: WebDriver, url: str, size: tuple[int, int], charts: int = 0) -> None:
    viewport(driver, size)
    driver.get(url)
    WebDriverWait(driver, 30).until(
        lambda d: d.execute_script("return document.readyState") == "complete"
    )
    if charts:
        WebDriverWait(driver, 30).until(
            lambda d: (
                d.execute_script(
                    "return window.Chart ? Object.keys(window.Chart.instances).length : 0"
                )
                == charts
            )
        )


def settle(driver: WebDriver) -> None:
    """Until the charts have redrawn at the current size (two frames after a resize)."""
    driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "setTimeout(() => requestAnimationFrame(() => requestAnimationFrame(done)), 300);"
    )


def screenshot(driver: WebDriver, name: str, size: tuple[int, int]) -> None:
    """The first screen, and the whole page (the window made as tall as the page, so that
    the charts are drawn at the size they have on a screen)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    driver.execute_script("window.scrollTo(0, 0)")
    settle(driver)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}.png"))
    height = driver.execute_script("return document.documentElement.scrollHeight")
    viewport(driver, (size[0], min(int(height), 16000)))
    settle(driver)
    driver.save_screenshot(str(SCREENSHOTS / f"{name}-full.png"))
    viewport(driver, size)


def figures_on(driver: WebDriver) -> dict[str, dict[str, str]]:
    """Every keyed figure of the open page: its value and its text as shown."""
    result: dict[str, dict[str, str]] = driver.execute_script(
        """
        const figures = {};
        document.querySelectorAll('data[data-live]').forEach((element) => {
          figures[element.dataset.live] = {value: element.value, text: element.textContent};
        });
        return figures;
        """
    )
    return result


def assert_equal_to(expected: dict[str, float | None], shown: dict[str, dict[str, str]]) -> None:
    assert set(shown) == set(expected)
    for key, value in expected.items():
        raw = shown[key]["value"]
        assert (float(raw) if raw else None) == value, key


def assert_no_console_errors(driver: WebDriver) -> None:
    errors = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == []


def assert_no_sideways_scroll(driver: WebDriver) -> None:
    widths = driver.execute_script(
        "return [document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert widths[0] <= widths[1], widths


@pytest.mark.parametrize(("lang", "direction"), [("ar", "rtl"), ("fr", "ltr")])
def test_the_page_shows_the_api_s_figures(
    served: Served, browser: WebDriver, lang: str, direction: str
) -> None:
    url = f"{served.base}/dashboard?lang={lang}"
    open_page(browser, url, DESKTOP, charts=9)
    main = browser.execute_script(
        "const main = document.querySelector('main');"
        "return [document.documentElement.lang, getComputedStyle(main).direction];"
    )
    assert main == [lang, direction]
    assert_equal_to(dashboard_figures(served.api("/dashboard")), figures_on(browser))
    # The keyboard's first stop is the skip link, visible and outlined, and it leads to the
    # main content.
    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    focused = browser.execute_script(
        "const e = document.activeElement, box = e.getBoundingClientRect();"
        "return [e.className, box.top >= 0 && box.height > 0, getComputedStyle(e).outlineStyle];"
    )
    assert focused == ["skip-link", True, "solid"]
    browser.switch_to.active_element.send_keys(Keys.ENTER)
    assert browser.execute_script("return document.activeElement.id") == "main"
    shown = figures_on(browser)["indicator-datasets_published-value"]["text"]
    assert shown == ("٥" if lang == "ar" else "5")  # the scripted year's 4, and one more
    screenshot(browser, f"dashboard-{lang}-{DESKTOP[0]}", DESKTOP)
    assert_no_console_errors(browser)

    open_page(browser, url, PHONE, charts=9)
    assert_no_sideways_scroll(browser)
    screenshot(browser, f"dashboard-{lang}-{PHONE[0]}", PHONE)
    assert_no_console_errors(browser)


def test_an_event_moves_a_figure_on_the_open_page(served: Served, browser: WebDriver) -> None:
    open_page(browser, f"{served.base}/dashboard", DESKTOP, charts=9)
    key = "indicator-institutions_taking_part-value"
    before = float(figures_on(browser)[key]["value"])
    browser.execute_script("window.notReloaded = true;")
    newcomer = enrolled(uuid.uuid4(), "newcomer", LocalizedText(ar="مؤسسة جديدة", fr="Nouvelle"))
    asyncio.run(produce(served.platform, [newcomer]))
    WebDriverWait(browser, 60, poll_frequency=0.2).until(
        lambda d: float(figures_on(d)[key]["value"]) == before + 1
    )
    assert browser.execute_script("return window.notReloaded === true")
    assert figures_on(browser)[key]["text"] == f"{before + 1:.0f}".translate(
        str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    )
    last_point = browser.execute_script(
        "const chart = Chart.getChart('chart-history-institutions_taking_part');"
        "return chart.data.datasets[0].data.at(-1);"
    )
    assert last_point == before + 1
    assert browser.execute_script("return document.getElementById('live-status').textContent")
    assert_equal_to(dashboard_figures(served.api("/dashboard")), figures_on(browser))
    assert_no_console_errors(browser)


def test_the_institution_page(served: Served, browser: WebDriver) -> None:
    for lang in ("ar", "fr"):
        open_page(browser, f"{served.base}/institutions/dgct-donnees-ouvertes?lang={lang}", PHONE)
        assert_no_sideways_scroll(browser)
        heading = browser.execute_script("return document.querySelector('h1').textContent")
        assert getattr(LONG_NAME, lang) in heading
        assert_equal_to(
            institution_figures(served.api("/institutions/dgct-donnees-ouvertes")),
            figures_on(browser),
        )
        screenshot(browser, f"institution-{lang}-{PHONE[0]}", PHONE)
        assert_no_console_errors(browser)
    open_page(browser, f"{served.base}/institutions/nobody?lang=fr", DESKTOP)
    assert "Page introuvable" in browser.title
    # The browser reports the 404 itself; nothing else.
    errors = [e["message"] for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert len(errors) == 1 and "404" in errors[0], errors
