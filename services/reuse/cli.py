"""Operator commands of the reuse service: ``bayanat reuse …``."""

from __future__ import annotations

from typing import Annotated

import typer
from sqlmodel import col, func, select

from libs.db import make_engine, upgrade, utcnow
from libs.messaging.outbox import Outbox
from libs.uow import UnitOfWorkFactory
from services.reuse.app import MIGRATIONS_DIR
from services.reuse.domain.keys import active_at
from services.reuse.domain.search import reindex_reuse
from services.reuse.models import ApiKey, DatasetReplica, Developer, Reuse, messaging
from services.reuse.settings import ReuseSettings

app = typer.Typer(help="Reuses: the search words, figures.", no_args_is_help=True)


def _units() -> UnitOfWorkFactory:
    settings = ReuseSettings()
    upgrade(MIGRATIONS_DIR, settings.sqlalchemy_url)
    engine = make_engine(settings.sqlalchemy_url)
    return UnitOfWorkFactory(engine, Outbox(messaging.outbox, settings.service_name))


@app.command()
def reindex(
    batch: Annotated[int, typer.Option(min=1, help="Reuses per transaction")] = 500,
) -> None:
    """Rewrite every reuse's search words (after a change of libs.text's normalisation)."""
    units = _units()
    done, last_id = 0, None
    while True:
        with units() as uow:
            statement = select(Reuse).order_by(col(Reuse.id)).limit(batch)
            if last_id is not None:
                statement = statement.where(col(Reuse.id) > last_id)
            reuses = list(uow.session.exec(statement).all())
            if not reuses:
                break
            for reuse in reuses:
                reindex_reuse(uow, reuse)
            uow.commit()
        last_id = reuses[-1].id
        done += len(reuses)
    typer.echo(f"reindexed {done} reuses")


@app.command()
def stats() -> None:
    """Reuses by state and type, developers, active keys, datasets known."""
    units = _units()
    now = utcnow()
    with units() as uow:
        session = uow.session
        by_state = session.exec(select(Reuse.state, func.count()).group_by(Reuse.state)).all()
        by_type = session.exec(
            select(Reuse.reuse_type, func.count()).group_by(Reuse.reuse_type)
        ).all()
        developers = session.exec(select(func.count()).select_from(Developer)).one()
        verified = session.exec(
            select(func.count())
            .select_from(Developer)
            .where(col(Developer.verified_at).is_not(None))
        ).one()
        keys = session.exec(select(func.count()).select_from(ApiKey).where(*active_at(now))).one()
        datasets = session.exec(
            select(DatasetReplica.state, func.count()).group_by(DatasetReplica.state)
        ).all()
    for state, count in sorted(by_state, key=lambda row: str(row[0])):
        typer.echo(f"reuses {state:<10} {count}")
    for reuse_type, count in sorted(by_type):
        typer.echo(f"type   {reuse_type:<16} {count}")
    typer.echo(f"developers {developers} ({verified} verified), active keys {keys}")
    for state, count in sorted(datasets, key=lambda row: str(row[0])):
        typer.echo(f"datasets {state:<10} {count}")
