"""Every indicator as Prometheus gauges on ``/metrics``, computed when scraped, and the
``indicator changed`` announcements.

Gauges (label ``indicator`` is the indicator's code):

- ``bayanat_indicator_value``: its value (a count, or a percentage for a finding);
- ``bayanat_indicator_baseline``, ``bayanat_indicator_target``: of the period in force;
- ``bayanat_indicator_progress_ratio``: progress from the baseline (1 = the target);
- ``bayanat_indicator_companion``: what is counted beside (declared, unverified reuses);
- ``bayanat_indicator_status``: 1 for its status (label ``status``), 0 for the others;
- ``bayanat_commitment_progress_percent``, ``bayanat_commitment_activities_late``.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator

from prometheus_client.core import GaugeMetricFamily, Metric
from sqlmodel import col, select

from libs.db import utcnow
from libs.events.schemas import IndicatorChanged
from libs.uow import UnitOfWork
from services.metrics.domain.commitments import commitment_reports
from services.metrics.domain.indicators import indicator_reports
from services.metrics.domain.progress import Margins, Status
from services.metrics.models import IndicatorValue

log = logging.getLogger("bayanat.metrics.gauges")


class IndicatorGauges:
    """A Prometheus collector reading the indicators from the database at each scrape."""

    def __init__(self, units: Callable[[], UnitOfWork], margins: Margins) -> None:
        self.units = units
        self.margins = margins

    def collect(self) -> Iterator[Metric]:
        today = utcnow().date()
        try:
            with self.units() as uow:
                reports = indicator_reports(uow, as_of=today, margins=self.margins)
                commitments = commitment_reports(uow, as_of=today, margins=self.margins)
        except Exception:  # a scrape must not fail because the database is restarting
            log.exception("cannot read the indicators for Prometheus")
            return
        labels = ["indicator"]
        value = GaugeMetricFamily("bayanat_indicator_value", "Indicator value", labels=labels)
        baseline = GaugeMetricFamily(
            "bayanat_indicator_baseline", "Baseline of the period in force", labels=labels
        )
        target = GaugeMetricFamily(
            "bayanat_indicator_target", "Target of the period in force", labels=labels
        )
        progress = GaugeMetricFamily(
            "bayanat_indicator_progress_ratio",
            "Progress from the baseline towards the target (1 = reached)",
            labels=labels,
        )
        companion = GaugeMetricFamily(
            "bayanat_indicator_companion",
            "Counted beside the value (declared, not verified reuses)",
            labels=labels,
        )
        state = GaugeMetricFamily(
            "bayanat_indicator_status",
            "1 for the indicator's status",
            labels=["indicator", "status"],
        )
        for report in reports:
            code = [report.code]
            if report.value is not None:
                value.add_metric(code, report.value)
            if report.companion is not None:
                companion.add_metric(code, report.companion)
            period = report.period
            if period is not None:
                baseline.add_metric(code, period.baseline)
                target.add_metric(code, period.target)
                if period.progress_from_baseline is not None:
                    progress.add_metric(code, period.progress_from_baseline)
            if report.status is not None:
                for status in Status:
                    state.add_metric([report.code, status.value], float(status == report.status))
        overall = GaugeMetricFamily(
            "bayanat_commitment_progress_percent",
            "Overall progress of a commitment, from its activities",
            labels=["commitment"],
        )
        late = GaugeMetricFamily(
            "bayanat_commitment_activities_late",
            "Activities past their end date and not done",
            labels=["commitment"],
        )
        for commitment in commitments:
            if commitment.overall_progress is not None:
                overall.add_metric([commitment.code], commitment.overall_progress)
            late.add_metric([commitment.code], commitment.activities_late)
        yield from (value, baseline, target, progress, companion, state, overall, late)


def announce_changes(uow: UnitOfWork, margins: Margins) -> list[IndicatorChanged]:
    """Publish ``indicator changed`` for each indicator whose value differs from the last one
    announced (the first value too). The announced values are locked while compared, so that
    two replicas never announce one change twice. Not committed."""
    reports = indicator_reports(uow, as_of=utcnow().date(), margins=margins)
    announced = {
        row.code: row
        for row in uow.session.exec(
            select(IndicatorValue).with_for_update().order_by(col(IndicatorValue.code))
        )
    }
    now = utcnow()
    changes = []
    for report in reports:
        row = announced.get(report.code)
        if report.value is None or (row is not None and row.value == report.value):
            continue
        change = IndicatorChanged(
            indicator=report.code,
            value=report.value,
            previous_value=row.value if row is not None else None,
            target=report.period.target if report.period else None,
            changed_at=now,
        )
        uow.publish(change)
        changes.append(change)
        row = row or IndicatorValue(code=report.code)
        row.value, row.changed_at = report.value, now
        uow.session.add(row)
    return changes


def announced_version(uow: UnitOfWork) -> str:
    """A short digest of the values last announced: it changes when an ``indicator changed``
    is published, which is when a page showing the indicators should refresh them."""
    rows = uow.session.exec(select(IndicatorValue).order_by(col(IndicatorValue.code)))
    seen = ";".join(f"{r.code}={r.value}@{r.changed_at.isoformat()}" for r in rows)
    return hashlib.sha256(seen.encode()).hexdigest()[:16]
