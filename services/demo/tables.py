"""The figures of each demo dataset, generated: plausible in size and trend, the same on every
run (each table's random numbers are seeded by its slug), written as a CSV file and a JSON file
with the same rows."""

from __future__ import annotations

import csv
import io
import json
import random
import zlib
from dataclasses import dataclass
from datetime import date

from services.demo.picture import Across, Item, Measure, Region, Series, Time

Value = str | int | float


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    rows: tuple[tuple[Value, ...], ...]
    temporal_start: date
    temporal_end: date

    def as_csv(self) -> bytes:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        writer.writerows(self.rows)
        return out.getvalue().encode()

    def as_json(self) -> bytes:
        records = [dict(zip(self.columns, row, strict=True)) for row in self.rows]
        return json.dumps(records, ensure_ascii=False, indent=1).encode()


# Each period: its label, its start, and how many years it lies after the first one.
Period = tuple[str, date, float]


def periods(time: Time, edition: int | None, now: date) -> list[Period]:
    if time is Time.EDITION:
        year = edition or now.year - 1
        return [(str(year), date(year, 1, 1), 0.0)]
    if time is Time.YEARS:
        return [(str(y), date(y, 1, 1), y - 2015) for y in range(2015, 2025)]
    if time is Time.RECENT_YEARS:
        return [(str(y), date(y, 1, 1), y - 2022) for y in range(2022, 2025)]
    if time is Time.CENSUS:
        return [(str(y), date(y, 1, 1), y - 2004) for y in (2004, 2014, 2024)]
    if time is Time.QUARTERS:
        return [
            (f"{y}-T{q}", date(y, 3 * q - 2, 1), y - 2021 + (q - 1) / 4)
            for y in range(2021, 2025)
            for q in range(1, 5)
        ]
    if time is Time.MONTHS:
        return [
            (f"{y}-{m:02d}", date(y, m, 1), y - 2023 + (m - 1) / 12)
            for y in (2023, 2024)
            for m in range(1, 13)
        ]
    # MINUTES: the last hour of a live feed, minute by minute, the day of the run.
    return [(f"{now.isoformat()}T10:{minute:02d}", now, 0.0) for minute in range(60)]


def _period_end(time: Time, first: date, last: date) -> date:
    if time is Time.MONTHS:
        return date(last.year, 12, 31) if last.month == 12 else last
    if time is Time.QUARTERS:
        return date(last.year, 12, 31)
    if time is Time.MINUTES:
        return last
    return date(last.year, 12, 31)


def _value(measure: Measure, weight: float, share: float, years: float, noise: float) -> Value:
    if measure.rate:
        value = measure.base * (1 + measure.growth) ** years * (1 + noise)
        return round(value, measure.decimals) if measure.decimals else round(value)
    value = measure.base * share * (1 + measure.growth) ** years * (1 + noise)
    return max(0, round(value * weight))


def table(
    series: Series, *, region: Region | None, edition: int | None, now: date, revision: int = 0
) -> Table:
    """The rows of one dataset of ``series`` (its region's or its edition's, if any); a later
    ``revision`` holds the same rows with revised figures."""
    key = f"{series.key}/{region.code if region else ''}/{edition or ''}/{revision}"
    seed = zlib.crc32(key.encode())
    rng = random.Random(seed)
    across: Across | None = series.across
    items: tuple[Item, ...] = across.items if across else (Item("", "", 1.0),)
    total_weight = sum(item.weight for item in items)
    # A region's dataset holds the region's share of the national figures.
    share = 1.0
    if region is not None:
        share = region.population / 37_000_000
    columns: list[str] = ["periode"]
    if across:
        columns += [across.column, f"{across.column}_ar"]
    columns += [measure.column for measure in series.measures]
    rows: list[tuple[Value, ...]] = []
    spans = periods(series.time, edition, now)
    for label, _, years in spans:
        for item in items:
            weight = item.weight / total_weight
            row: list[Value] = [label]
            if across:
                row += [item.fr, item.ar]
            row += [
                _value(measure, weight, share, years, rng.uniform(-0.04, 0.04))
                for measure in series.measures
            ]
            rows.append(tuple(row))
    first, last = spans[0][1], spans[-1][1]
    return Table(tuple(columns), tuple(rows), first, _period_end(series.time, first, last))
