"""Reading the metrics service's pages as a test would: their figures (every ``<data
value>``, by its ``data-live`` key), their scripts, and the numbers as a reader sees them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

ARABIC_INDIC = str.maketrans("٠١٢٣٤٥٦٧٨٩", "0123456789")


@dataclass
class Figure:
    value: str  # as the API writes it
    text: str  # as the page shows it


@dataclass
class PageReading(HTMLParser):
    """The parts of a page the tests look at."""

    html_attrs: dict[str, str | None] = field(default_factory=dict)
    figures: dict[str, Figure] = field(default_factory=dict)
    all_figures: list[Figure] = field(default_factory=list)
    scripts: list[dict[str, str | None]] = field(default_factory=list)
    inline_handlers: list[str] = field(default_factory=list)
    style_attributes: int = 0
    _open: list[tuple[str | None, str]] = field(default_factory=list)
    _texts: list[str] = field(default_factory=list)
    _in_script: bool = False
    _script_body: str = ""

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        named = dict(attrs)
        if tag == "html":
            self.html_attrs = named
        if "style" in named:
            self.style_attributes += 1
        self.inline_handlers += [name for name, _ in attrs if name.startswith("on")]
        if tag == "script":
            self.scripts.append(named)
            self._in_script = True
        if tag == "data":
            self._open.append((named.get("data-live"), named.get("value") or ""))
            self._texts.append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False
            self.scripts[-1]["body"] = self._script_body
            self._script_body = ""
        if tag == "data" and self._open:
            key, value = self._open.pop()
            figure = Figure(value, self._texts.pop().strip())
            self.all_figures.append(figure)
            if key:
                assert key not in self.figures, f"two figures keyed {key}"
                self.figures[key] = figure

    def handle_data(self, data: str) -> None:
        if self._in_script:
            self._script_body += data
        if self._texts:
            self._texts[-1] += data


def read_page(html: str) -> PageReading:
    reading = PageReading()
    reading.feed(html)
    reading.close()
    return reading


def as_read(text: str, *, group: str, decimal: str) -> float | None:
    """A number as the page writes it (in either digits, with its group and decimal
    separators, a sign, a percent sign) read back as a float; None for a dash."""
    if text.strip() == "—":
        return None
    latin = text.translate(ARABIC_INDIC).replace(group, "").replace(decimal, ".")
    latin = re.sub(r"[\u200e\u200f\u061c\u202f\u00a0 %\u066a]", "", latin)
    return float(latin)


def numbers_in(document: object) -> set[float]:
    """Every number a JSON document holds."""
    if isinstance(document, bool):
        return set()
    if isinstance(document, int | float):
        return {float(document)}
    if isinstance(document, dict):
        return set().union(*(numbers_in(v) for v in document.values()))
    if isinstance(document, list):
        return set().union(*(numbers_in(v) for v in document))
    return set()


def dashboard_figures(board: dict[str, Any]) -> dict[str, float | None]:
    """What the dashboard page must show under each figure's key, from ``GET
    /api/v1/dashboard``'s answer."""
    expected: dict[str, float | None] = {}
    for report in board["indicators"]:
        if report["kind"] != "count":
            continue
        key = f"indicator-{report['code']}"
        expected[f"{key}-value"] = expected[f"{key}-current"] = report["value"]
        if report["companion"] is not None:
            expected[f"{key}-companion"] = report["companion"]
        period = report["period"]
        if period:
            expected[f"{key}-baseline"] = period["baseline"]
            expected[f"{key}-target"] = period["target"]
            expected[f"{key}-progress"] = period["progress_from_baseline"]
            expected[f"{key}-to-target"] = period["progress_to_target"]
            expected[f"{key}-elapsed"] = period["elapsed"]
    for commitment in board["commitments"]:
        key = f"commitment-{commitment['code']}"
        expected[f"{key}-overall"] = commitment["overall_progress"]
        expected[f"{key}-late"] = commitment["activities_late"]
    histories = {h["indicator"]: h["points"] for h in board["history"]}
    for finding in board["findings"]["findings"]:
        key = f"finding-{finding['code']}"
        expected[f"{key}-value"] = finding["value"]
        expected[f"{key}-numerator"] = finding["numerator"]
        expected[f"{key}-count"] = finding["count"]
        points = histories[finding["code"]]
        expected[f"{key}-month-before"] = points[-2]["value"] if len(points) > 1 else None
    for item in board["findings"]["openness"]:
        expected[f"openness-{item['stars']}-count"] = item["count"]
    expected["openness-total"] = board["findings"]["published"]
    for breakdown in board["breakdowns"]:
        key = f"breakdown-{breakdown['indicator']}-{breakdown['dimension']}"
        expected[f"{key}-total"] = breakdown["total"]
    return expected


def institution_figures(page: dict[str, Any]) -> dict[str, float | None]:
    """What an institution's page must show, from ``GET /api/v1/institutions/{slug}``."""
    expected: dict[str, float | None] = {
        "institution-published": page["institution"]["datasets_published"],
        "institution-overdue": page["overdue"],
        "institution-quality": page["average_quality_score"],
        "institution-reuses-verified": page["reuses_verified"],
        "institution-reuses-declared": page["reuses_declared"],
    }
    for name, value in page["findings"].items():
        expected[f"institution-{name}"] = value
    for item in page["openness"]:
        expected[f"institution-openness-{item['stars']}"] = item["count"]
    return expected
