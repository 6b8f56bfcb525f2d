"""Operator commands of the metrics service, mounted as ``bayanat metrics ...``."""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import typer
from sqlalchemy import Engine

from libs.db import make_engine, upgrade
from libs.service import tune_garbage_collector
from libs.uow import UnitOfWorkFactory
from services.metrics.app import MIGRATIONS_DIR
from services.metrics.domain.dashboard import projection_report
from services.metrics.models import outbox
from services.metrics.rebuild import Rebuild, RebuildRefused
from services.metrics.settings import MetricsSettings

app = typer.Typer(help="Metrics: rebuild the figures from the event log.", no_args_is_help=True)


class EventsBar:
    """The rebuild's progress: events read against the end offsets read at its start."""

    def __init__(self) -> None:
        self._bar: Any = None  # typer's bar, made once the total is known

    def update(self, read: int, total: int) -> None:
        if self._bar is None:
            self._bar = typer.progressbar(length=max(total, 1), label="events", show_pos=True)
            self._bar.__enter__()
        self._bar.update(read - self._bar.pos)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


def _engine(settings: MetricsSettings) -> Engine:
    upgrade(MIGRATIONS_DIR, settings.sqlalchemy_url)
    return make_engine(settings.sqlalchemy_url)


@app.command()
def rebuild(
    batch: Annotated[int | None, typer.Option(min=1, help="Events per transaction")] = None,
    allow_truncated_log: Annotated[
        bool,
        typer.Option(
            "--allow-truncated-log",
            help="Rebuild even if retention deleted the oldest events (the figures will miss them)",
        ),
    ] = False,
) -> None:
    """Rebuild every figure from the topics, from offset zero, while the service runs.

    The events are replayed into new projection tables by a consumer group of their own; the
    running service keeps answering from the current tables, and writes what it consumes
    meanwhile to both; the new tables are swapped in, in one transaction, at the end.
    """
    settings = MetricsSettings()
    tune_garbage_collector()  # it applies events in bulk, as the service does
    engine = _engine(settings)
    bar = EventsBar()

    runner = Rebuild(
        engine,
        settings.platform,
        batch_size=batch or settings.rebuild_batch_size,
        progress=bar.update,
        allow_truncated_log=allow_truncated_log,
    )
    try:
        result = asyncio.run(runner.run())
    except RebuildRefused as exc:
        typer.echo(f"\nrebuild refused: {exc}", err=True)
        raise typer.Exit(1) from exc
    finally:
        bar.close()
        engine.dispose()
    typer.echo(
        f"rebuilt from {result.events} events ({result.applied} applied, {result.skipped} not "
        f"valid; {result.objects} objects folded) in {result.seconds:.1f}s; the new figures "
        "are live"
    )


@app.command()
def status() -> None:
    """The projections: facts kept, last event, last rebuild."""
    settings = MetricsSettings()
    engine = _engine(settings)
    try:
        with UnitOfWorkFactory(engine, outbox)() as uow:
            report = projection_report(uow)
    finally:
        engine.dispose()
    typer.echo(f"state        {report.state}")
    typer.echo(f"facts        {report.facts} (last {report.last_fact_at or '-'})")
    if report.rebuilt_at:
        typer.echo(
            f"last rebuild {report.rebuilt_at:%Y-%m-%d %H:%M} UTC, {report.rebuilt_events} "
            f"events in {report.rebuilt_seconds}s"
        )
