"""The metrics consumer in batches, through the real broker, its inbox and the merge of
partitions, writes the same projection as one event at a time: the scripted year's topics
produced one after the other (an overdue alert before the publication it concerns, reviews
after the catalog's events), a stretch of it produced again (duplicates, some in the batch
that has the original), and the whole log delivered a second time to the same database."""

from __future__ import annotations

import random

from prometheus_client import REGISTRY
from sqlalchemy import Engine, func, select

from libs.messaging.consumer import EventConsumer
from libs.messaging.kafka import ensure_topics
from libs.settings import PlatformSettings
from libs.uow import UnitOfWorkFactory
from services.metrics.handlers import HANDLERS
from services.metrics.models import PROJECTION_TABLES, messaging
from services.metrics.rebuild import consumed_topics
from tests.metrics.conftest import Databases, produce
from tests.support import metrics_scenario as world
from tests.support.apps import isolated_platform
from tests.support.asyncio_helpers import background, wait_until
from tests.support.metrics_projection import figures, projection_rows, unverified


def consumer(
    units: UnitOfWorkFactory, platform: PlatformSettings, group: str, batch_size: int
) -> EventConsumer:
    return EventConsumer(
        service_name=group,  # its consumer group: each reads the whole log
        unit_of_work=units,
        processed_table=messaging.processed_events,
        platform=platform,
        handlers=HANDLERS,
        batch_size=batch_size,
    )


def fact_count(engine: Engine) -> int:
    fact = PROJECTION_TABLES[0]
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(fact)).scalar_one())


def inbox_count(engine: Engine) -> int:
    inbox = messaging.processed_events
    with engine.connect() as connection:
        return int(connection.execute(select(func.count()).select_from(inbox)).scalar_one())


async def consume_all(consumer: EventConsumer, engine: Engine, count: int) -> None:
    async with background(consumer.run()):
        await wait_until(
            lambda: inbox_count(engine) >= count, timeout=90, what=f"{count} events applied"
        )


async def test_batches_write_what_one_event_at_a_time_writes(
    kafka: PlatformSettings, databases: Databases
) -> None:
    platform = isolated_platform(kafka, "metbatch")
    await ensure_topics(platform, consumed_topics())
    events = world.events()
    again = random.Random(3).sample(events, k=25)
    await produce(platform, [*events, *again])
    distinct = len({event.id for event in events})

    one_by_one, batched = databases(), databases()
    await consume_all(consumer(one_by_one, platform, "metrics-one", 1), one_by_one.engine, distinct)
    await consume_all(consumer(batched, platform, "metrics-batch", 5000), batched.engine, distinct)
    assert fact_count(batched.engine) == fact_count(one_by_one.engine) == distinct
    assert projection_rows(batched.engine) == projection_rows(one_by_one.engine)
    assert figures(batched) == world.EXPECTED
    assert unverified(batched) == world.UNVERIFIED

    # The whole log delivered again to the batched database (another group, from offset
    # zero): the inbox knows every event, and nothing changes.
    before = projection_rows(batched.engine)
    replay = consumer(batched, platform, "metrics-replay", 7)
    async with background(replay.run()):
        await wait_until(
            lambda: _duplicates("metrics-replay") >= len(events) + len(again),
            timeout=90,
            what="the log delivered again",
        )
    assert inbox_count(batched.engine) == distinct
    assert projection_rows(batched.engine) == before


def _duplicates(group: str) -> float:
    """Events the consumer of ``group`` found already applied."""
    labels = {"service": group, "outcome": "duplicate"}
    return REGISTRY.get_sample_value("bayanat_events_consumed_total", labels) or 0.0
