"""Every indicator as Prometheus gauges; indicator changes announced once."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, generate_latest

from libs.events.schemas import IndicatorChanged
from services.metrics.domain.gauges import IndicatorGauges, announce_changes
from services.metrics.domain.progress import Margins
from tests.support import metrics_scenario as world
from tests.support.metrics_events import apply
from tests.support.units import SqliteUnits


def test_every_indicator_is_a_gauge(units: SqliteUnits) -> None:
    with units() as uow:
        apply(uow, world.events())
        uow.commit()
    registry = CollectorRegistry()
    registry.register(IndicatorGauges(units, Margins()))
    text = generate_latest(registry).decode()
    assert 'bayanat_indicator_value{indicator="datasets_published"} 4.0' in text
    assert 'bayanat_indicator_value{indicator="up_to_date"} 75.0' in text
    assert 'bayanat_indicator_companion{indicator="reuse_initiatives"} 1.0' in text
    assert 'bayanat_indicator_target{indicator="datasets_published"} 300.0' in text
    assert 'bayanat_indicator_status{indicator="datasets_published",status="late"} 1.0' in text
    assert 'bayanat_commitment_progress_percent{commitment="open-data-2018-2020"} 95.71' in text


def test_a_change_is_announced_once(units: SqliteUnits) -> None:
    with units() as uow:
        first = announce_changes(uow, Margins())
        uow.commit()
    assert {c.indicator for c in first} == {
        "institutions_taking_part",
        "datasets_published",
        "reuse_initiatives",
    }  # the shares have no value yet
    with units() as uow:
        apply(uow, world.events())
        uow.commit()
    with units() as uow:
        changes = announce_changes(uow, Margins())
        uow.commit()
    with units() as uow:
        assert announce_changes(uow, Margins()) == []
    datasets = next(c for c in changes if c.indicator == "datasets_published")
    assert (datasets.previous_value, datasets.value, datasets.target) == (0, 4, 300)
    published = units.published(IndicatorChanged.event_type)
    assert len(published) == len(first) + len(changes)
