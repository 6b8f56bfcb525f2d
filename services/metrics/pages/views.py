"""What the templates need besides the read models: where each read model sits on the page,
the geometry of the bars and the timeline, and the charts' data — all taken from the reports
as they are (no figure is computed here: positions and widths only place them)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from services.metrics.domain.dashboard import Dashboard
from services.metrics.domain.reports import (
    BreakdownReport,
    CommitmentReport,
    HistoryReport,
    IndicatorReport,
    OpennessItem,
)
from services.metrics.pages.i18n import Locale

# The dashboard's breakdowns, in the order the page shows them.
BREAKDOWN_ORDER = ("institution", "theme", "reuse_type", "institution_kind")


def raw(value: float | None) -> str:
    """A value as the JSON API writes it (``4``, ``66.67``), for ``<data value>``."""
    if value is None:
        return ""
    number = float(value)
    return str(int(number)) if number.is_integer() else repr(number)


def clamp_percent(value: float) -> float:
    return round(min(100.0, max(0.0, value)), 2)


@dataclass(frozen=True)
class Bar:
    """A horizontal bar on a 0–100 scale: how far it is filled, and an optional mark."""

    fill: float
    mark: float | None = None


def indicator_bar(report: IndicatorReport) -> Bar:
    """An indicator from zero to its target: filled up to its value, the baseline marked."""
    period = report.period
    if report.kind == "share" or period is None or not period.target:
        return Bar(clamp_percent(report.value or 0))
    fill = clamp_percent(100 * (period.progress_to_target or 0))
    return Bar(fill, clamp_percent(100 * period.baseline / period.target))


def position(day: date, start: date, end: date) -> float:
    """Where a day falls between two others, 0–1000 (the timeline's width)."""
    span = (end - start).days or 1
    return round(min(1000.0, max(0.0, 1000 * (day - start).days / span)), 1)


@dataclass(frozen=True)
class Board:
    """The dashboard's read model, arranged for the page."""

    dashboard: Dashboard

    @property
    def counts(self) -> list[IndicatorReport]:
        return [r for r in self.dashboard.indicators if r.kind == "count"]

    @property
    def shares(self) -> list[IndicatorReport]:
        return list(self.dashboard.findings.findings)

    def history(self, code: str) -> HistoryReport | None:
        return next((h for h in self.dashboard.history if h.indicator == code), None)

    def month_before(self, code: str) -> float | None:
        """The indicator at the end of the month before the running one (its trend)."""
        history = self.history(code)
        if history is None or len(history.points) < 2:
            return None
        return history.points[-2].value

    @property
    def breakdowns(self) -> list[BreakdownReport]:
        def order(report: BreakdownReport) -> int:
            known = report.dimension in BREAKDOWN_ORDER
            return BREAKDOWN_ORDER.index(report.dimension) if known else len(BREAKDOWN_ORDER)

        return sorted(self.dashboard.breakdowns, key=order)

    def indicator(self, code: str) -> IndicatorReport | None:
        return next((r for r in self.dashboard.indicators if r.code == code), None)

    @property
    def commitments(self) -> list[CommitmentReport]:
        return self.dashboard.commitments


# --- the charts' data: read by static/dashboard.js -------------------------------------------


def _series(label: str, values: list[float | None], *, percent: bool) -> dict[str, Any]:
    return {"label": label, "data": values, "percent": percent}


def history_chart(
    locale: Locale, report: IndicatorReport, history: HistoryReport
) -> dict[str, Any]:
    name, _ = locale.text(report.name)
    return {
        "type": "line",
        "labels": [locale.month(p.end) for p in history.points],
        "series": [
            _series(name, [p.value for p in history.points], percent=report.kind == "share")
        ],
    }


def findings_chart(locale: Locale, board: Board) -> dict[str, Any] | None:
    histories = [(r, board.history(r.code)) for r in board.shares]
    present = [(r, h) for r, h in histories if h is not None]
    if not present:
        return None
    labels = [locale.month(p.end) for p in present[0][1].points]
    return {
        "type": "line",
        "labels": labels,
        "series": [
            _series(locale.text(r.name)[0], [p.value for p in h.points], percent=True)
            for r, h in present
        ],
    }


def breakdown_label(locale: Locale, key: str, name: dict[str, str] | None) -> str:
    return locale.text(name)[0] if name else key


def breakdown_chart(locale: Locale, report: BreakdownReport) -> dict[str, Any]:
    labels = [breakdown_label(locale, i.key, i.name) for i in report.items]
    series = [_series(locale.word("count"), [i.count for i in report.items], percent=False)]
    if any(i.companion is not None for i in report.items):
        series = [
            _series(locale.word("verified"), [i.count for i in report.items], percent=False),
            _series(
                locale.word("declared"),
                [i.companion or 0 for i in report.items],
                percent=False,
            ),
        ]
    return {"type": "bar", "labels": labels, "series": series, "stacked": len(series) > 1}


def openness_chart(locale: Locale, items: list[OpennessItem]) -> dict[str, Any]:
    return {
        "type": "bar",
        "labels": [breakdown_label(locale, str(i.stars), i.name) for i in items],
        "series": [_series(locale.word("count"), [i.count for i in items], percent=False)],
        "stacked": False,
    }


def chart_key(*parts: str) -> str:
    return "-".join(parts)


def charts(locale: Locale, board: Board) -> dict[str, Any]:
    """Every chart of the dashboard, by the key its canvas carries."""
    result: dict[str, Any] = {}
    for report in board.counts:
        history = board.history(report.code)
        if history is not None:
            result[chart_key("history", report.code)] = history_chart(locale, report, history)
    trend = findings_chart(locale, board)
    if trend is not None:
        result["findings-trend"] = trend
    result["openness"] = openness_chart(locale, board.dashboard.findings.openness)
    for breakdown in board.breakdowns:
        key = chart_key("breakdown", breakdown.indicator, breakdown.dimension)
        result[key] = breakdown_chart(locale, breakdown)
    return {
        "locale": locale.chart_locale,
        "rtl": locale.dir == "rtl",
        "charts": result,
    }
