"""The indicators as open data: CSV and JSON documents of the reports.

CSV is UTF-8 with a byte-order mark, so that a spreadsheet opens Arabic text as Arabic, with
one column per language; every text cell that a spreadsheet would take for a formula is
neutralised (libs.http.downloads.safe_cell). JSON is the reports as the API gives them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from typing import Any

from pydantic import BaseModel, TypeAdapter

from libs.http.downloads import safe_cell
from services.metrics.domain.reports import (
    BreakdownReport,
    CommitmentReport,
    HistoryReport,
    IndicatorReport,
    Text,
)

BOM = "\ufeff"
LANGUAGES = ("ar", "fr", "en")


def csv_document(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return buffer.getvalue().encode("utf-8")


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return safe_cell(str(value)) if isinstance(value, str) else value


def _languages(prefix: str) -> list[str]:
    return [f"{prefix}_{language}" for language in LANGUAGES]


def _in_languages(text: Text | None) -> list[str | None]:
    return [(text or {}).get(language) for language in LANGUAGES]


def json_document(items: Sequence[BaseModel] | BaseModel) -> bytes:
    if isinstance(items, BaseModel):
        return items.model_dump_json(indent=2).encode()
    return TypeAdapter(list[Any]).dump_json(
        [item.model_dump(mode="json") for item in items], indent=2
    )


def indicators_csv(reports: Sequence[IndicatorReport]) -> bytes:
    header = [
        "code",
        *_languages("name"),
        *_languages("unit"),
        "kind",
        "as_of",
        "value",
        "count",
        "numerator",
        "companion",
        "baseline",
        "baseline_date",
        "target",
        "target_date",
        "progress_from_baseline",
        "progress_to_target",
        "status",
    ]
    rows = []
    for r in reports:
        p = r.period
        rows.append(
            [
                r.code,
                *_in_languages(r.name),
                *_in_languages(r.unit),
                r.kind,
                r.as_of,
                r.value,
                r.count,
                r.numerator,
                r.companion,
                p.baseline if p else None,
                p.baseline_date if p else None,
                p.target if p else None,
                p.target_date if p else None,
                p.progress_from_baseline if p else None,
                p.progress_to_target if p else None,
                r.status.value if r.status else None,
            ]
        )
    return csv_document(header, rows)


def history_csv(histories: Sequence[HistoryReport]) -> bytes:
    header = ["indicator", "interval", "start", "end", "value", "count", "numerator", "companion"]
    rows = (
        [h.indicator, h.interval.value, p.start, p.end, p.value, p.count, p.numerator, p.companion]
        for h in histories
        for p in h.points
    )
    return csv_document(header, rows)


def breakdown_csv(report: BreakdownReport) -> bytes:
    header = [
        "indicator",
        "dimension",
        "as_of",
        "key",
        *_languages("name"),
        "count",
        "share_of_total",
        "numerator",
        "value",
        "companion",
    ]
    rows = (
        [
            report.indicator,
            report.dimension,
            report.as_of,
            item.key,
            *_in_languages(item.name),
            item.count,
            item.share_of_total,
            item.numerator,
            item.value,
            item.companion,
        ]
        for item in report.items
    )
    return csv_document(header, rows)


def activities_csv(commitments: Sequence[CommitmentReport]) -> bytes:
    header = [
        "commitment",
        "position",
        *_languages("title"),
        "start",
        "end",
        "status",
        "progress",
        "weight",
        "completed_on",
        "schedule",
        "expected_progress",
    ]
    rows = (
        [
            c.code,
            a.position,
            *_in_languages(a.title),
            a.start,
            a.end,
            a.status.value,
            a.progress,
            a.weight,
            a.completed_on,
            a.schedule.value,
            a.expected_progress,
        ]
        for c in commitments
        for a in c.activities
    )
    return csv_document(header, rows)
