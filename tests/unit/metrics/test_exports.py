"""CSV that a spreadsheet opens cleanly and cannot be tricked into running formulas."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

from services.metrics.domain import commitments, exports, indicators
from services.metrics.domain.progress import Margins
from tests.support.units import SqliteUnits


def read_csv(document: bytes) -> list[dict[str, str]]:
    assert document.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark"
    return list(csv.DictReader(io.StringIO(document.decode("utf-8-sig"))))


def test_cells_that_look_like_formulas_stay_text() -> None:
    document = exports.csv_document(
        ["a", "b", "c", "d"], [['=HYPERLINK("x")', "+1", "-2", "@SUM(A1)"], [-3, 1.5, None, True]]
    )
    rows = read_csv(document)
    assert rows[0] == {"a": '\'=HYPERLINK("x")', "b": "'+1", "c": "'-2", "d": "'@SUM(A1)"}
    assert rows[1] == {"a": "-3", "b": "1.5", "c": "", "d": "true"}  # numbers stay numbers


def test_the_indicators_export_has_arabic_and_french_columns(units: SqliteUnits) -> None:
    with units() as uow:
        reports = indicators.indicator_reports(uow, as_of=date(2020, 8, 31), margins=Margins())
    rows = read_csv(exports.indicators_csv(reports))
    datasets = next(r for r in rows if r["code"] == "datasets_published")
    assert datasets["name_ar"] == "مجموعات البيانات المنشورة على البوابة الوطنية"
    assert datasets["name_fr"] == "Jeux de données publiés sur le portail national"
    assert (datasets["baseline"], datasets["target"], datasets["status"]) == (
        "136.0",
        "300.0",
        "late",
    )
    assert len(rows) == len(reports) == 7
    parsed = json.loads(exports.json_document(reports))
    assert [r["code"] for r in parsed] == [r.code for r in reports]


def test_the_activities_export(units: SqliteUnits) -> None:
    with units() as uow:
        reports = commitments.commitment_reports(uow, as_of=date(2020, 8, 31), margins=Margins())
    rows = read_csv(exports.activities_csv(reports))
    assert len(rows) == 7
    assert rows[0]["title_ar"] == "دراسات مقارنة لاستراتيجيات البيانات"
    assert [r["schedule"] for r in rows].count("late") == 3
