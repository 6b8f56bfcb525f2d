"""Driving the metrics projection without Kafka, as the consumer would, on any database: the
events applied in batches (one unit of work each), and what the projection then holds."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Engine, select

from libs.events import CloudEvent
from libs.uow import UnitOfWork
from services.metrics.domain import indicators
from services.metrics.domain.progress import Margins
from services.metrics.domain.projection import LIVE
from tests.support import metrics_scenario as world
from tests.support.metrics_events import apply

Units = Callable[[], UnitOfWork]


def project(units: Units, events: Sequence[CloudEvent], batch: int) -> None:
    """Apply the events ``batch`` at a time, each batch in its own unit of work."""
    for start in range(0, len(events), batch):
        with units() as uow:
            apply(uow, events[start : start + batch])
            uow.commit()


def figures(units: Units) -> dict[date, dict[str, float | None]]:
    """Every indicator's value on each day the scripted year checks."""
    with units() as uow:
        return {
            day: {
                r.code: r.value
                for r in indicators.indicator_reports(uow, as_of=day, margins=Margins())
            }
            for day in world.EXPECTED
        }


def unverified(units: Units) -> dict[date, int | None]:
    with units() as uow:
        return {
            day: indicators.indicator_report(
                uow, "reuse_initiatives", as_of=day, margins=Margins()
            ).companion
            for day in world.UNVERIFIED
        }


def projection_rows(engine: Engine) -> dict[str, list[dict[str, Any]]]:
    """What the live projection tables hold, in a stable order (without write times)."""
    rows: dict[str, list[dict[str, Any]]] = {}
    with engine.connect() as connection:
        for table in LIVE.tables:
            found = [dict(r._mapping) for r in connection.execute(select(table))]
            for row in found:
                row.pop("updated_at", None)
            rows[table.name] = sorted(found, key=lambda r: repr(sorted(r.items())))
    return rows
