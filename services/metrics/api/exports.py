"""The indicators as open data: CSV (opens cleanly in a spreadsheet, Arabic included) and JSON."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response
from pydantic import BaseModel

from libs.fields import Day
from libs.http.downloads import attachment
from libs.http.openapi import problems
from libs.uow import UnitOfWorkDep
from services.metrics.api.deps import AsOf, Settings
from services.metrics.domain import commitments, exports, indicators
from services.metrics.domain.series import Granularity

router = APIRouter(prefix="/exports", tags=["exports"])


class Format(StrEnum):
    CSV = "csv"
    JSON = "json"


MEDIA_TYPES = {Format.CSV: "text/csv; charset=utf-8", Format.JSON: "application/json"}
_FILE = {"description": "The document, as an attachment", "content": {"text/csv": {}}}

Code = Annotated[str, Path(max_length=64)]
Dimension = Annotated[str, Path(max_length=32)]


def _document(
    name: str, extension: Format, csv_bytes: bytes | None, reports: list[BaseModel] | BaseModel
) -> Response:
    content = csv_bytes if extension == Format.CSV and csv_bytes is not None else b""
    if extension == Format.JSON:
        content = exports.json_document(reports)
    return Response(
        content,
        media_type=MEDIA_TYPES[extension],
        headers={"Content-Disposition": attachment(f"{name}.{extension.value}")},
    )


@router.get("/indicators.{extension}", responses={200: _FILE})
def export_indicators(
    extension: Format, uow: UnitOfWorkDep, as_of: AsOf, settings: Settings
) -> Response:
    """Every indicator at a date, with the baseline and target of the period in force."""
    reports = indicators.indicator_reports(uow, as_of=as_of, margins=settings.margins)
    csv_bytes = exports.indicators_csv(reports) if extension == Format.CSV else None
    return _document(f"indicators-{as_of}", extension, csv_bytes, list(reports))


@router.get("/history.{extension}", responses={200: _FILE, **problems(404)})
def export_history(
    extension: Format,
    uow: UnitOfWorkDep,
    settings: Settings,
    interval: Granularity = Granularity.MONTH,
    indicator: Annotated[str | None, Query(max_length=64, description="One indicator")] = None,
    start: Day | None = None,
    end: Day | None = None,
) -> Response:
    """Each indicator's value at the end of each day or month."""
    codes = [indicator] if indicator else [i.code for i in indicators.list_indicators(uow)]
    histories = [
        indicators.history(
            uow,
            code,
            interval=interval,
            start=start,
            end=end,
            max_points=settings.history_max_points,
        )
        for code in codes
    ]
    csv_bytes = exports.history_csv(histories) if extension == Format.CSV else None
    return _document(f"history-{interval.value}", extension, csv_bytes, list(histories))


@router.get("/breakdowns/{code}/{dimension}.{extension}", responses={200: _FILE, **problems(404)})
def export_breakdown(
    code: Code, dimension: Dimension, extension: Format, uow: UnitOfWorkDep, as_of: AsOf
) -> Response:
    report = indicators.breakdown_report(uow, code, dimension, as_of=as_of)
    csv_bytes = exports.breakdown_csv(report) if extension == Format.CSV else None
    return _document(f"{code}-by-{dimension}-{as_of}", extension, csv_bytes, report)


@router.get("/activities.{extension}", responses={200: _FILE})
def export_activities(
    extension: Format, uow: UnitOfWorkDep, as_of: AsOf, settings: Settings
) -> Response:
    """Every commitment's activities, with their dates, status, progress and schedule."""
    reports = commitments.commitment_reports(uow, as_of=as_of, margins=settings.margins)
    csv_bytes = exports.activities_csv(reports) if extension == Format.CSV else None
    return _document(f"activities-{as_of}", extension, csv_bytes, list(reports))
