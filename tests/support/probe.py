"""A minimal service of the tests' own, to exercise the delivery libraries end to end.

It has one state table (``probe_note``), one effect table (``probe_effect``) and the
messaging tables, on its own metadata, exactly as a real service lays them out.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, func, insert, select
from sqlalchemy.engine import Engine

from libs.events import CloudEvent
from libs.events.schemas import InstitutionEnrolled, InstitutionWithdrawn, LocalizedText
from libs.messaging.consumer import EventConsumer
from libs.messaging.outbox import Outbox
from libs.messaging.tables import messaging_tables
from libs.settings import PlatformSettings
from libs.uow import UnitOfWork, UnitOfWorkFactory

metadata = MetaData()
notes = Table(
    "probe_note",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subject", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
)
effects = Table(
    "probe_effect",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("subject", String(64), nullable=False),
    Column("event_id", String(36), nullable=False),
)
tables = messaging_tables(metadata)


def units(engine: Engine) -> UnitOfWorkFactory:
    return UnitOfWorkFactory(engine, Outbox(tables.outbox, service_name="probe"))


def write_note_with_event(engine: Engine, institution_id: uuid.UUID, n: int = 0) -> CloudEvent:
    """A state change and its event, in one unit of work."""
    with units(engine)() as uow:
        uow.session.exec(
            insert(notes).values(subject=str(institution_id), created_at=datetime.now(UTC))
        )
        event = uow.publish(
            InstitutionEnrolled(
                institution_id=institution_id,
                slug=f"institution-{n}",
                name=LocalizedText(fr=f"Institution {n}", ar=f"مؤسسة {n}"),
                enrolled_on=date.today(),
                commitment_reference=str(n),
            ),
        )
        uow.commit()
        return event


def on_institution_enrolled(uow: UnitOfWork, event: CloudEvent, data: InstitutionEnrolled) -> None:
    uow.session.exec(insert(effects).values(subject=event.subject, event_id=str(event.id)))


def on_institution_withdrawn(
    uow: UnitOfWork, event: CloudEvent, data: InstitutionWithdrawn
) -> None:
    raise RuntimeError("this handler always fails")


def effect_count(engine: Engine, subject: str | None = None) -> int:
    with engine.connect() as connection:
        query = select(func.count()).select_from(effects)
        if subject is not None:
            query = query.where(effects.c.subject == subject)
        return int(connection.execute(query).scalar_one())


def make_consumer(
    engine: Engine,
    platform: PlatformSettings,
    commit_interval_seconds: float = 0.0,
    batch_size: int = 1,
) -> EventConsumer:
    return EventConsumer(
        service_name="probe",
        unit_of_work=units(engine),
        processed_table=tables.processed_events,
        platform=platform,
        handlers={
            InstitutionEnrolled.event_type: on_institution_enrolled,
            InstitutionWithdrawn.event_type: on_institution_withdrawn,
        },
        max_attempts=2,
        commit_interval_seconds=commit_interval_seconds,
        retry_delay_seconds=0.05,
        batch_size=batch_size,
    )
