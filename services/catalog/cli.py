"""Operator commands of the catalog: ``bayanat catalog …``."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Annotated, Any

import typer
from sqlmodel import col, func, select

from libs.http.problems import Problem
from libs.uow import UnitOfWorkFactory
from services.catalog.app import download_signer, unit_of_work_factory
from services.catalog.domain import renditions
from services.catalog.domain.datasets import dataset_tags
from services.catalog.domain.harvest.jobs import Counts
from services.catalog.domain.rendering import Renderer
from services.catalog.domain.search_index import reindex_dataset
from services.catalog.domain.storage import FileStore
from services.catalog.models import Dataset, Resource
from services.catalog.settings import CatalogSettings
from services.catalog.workers import HarvestRunner

app = typer.Typer(help="The catalog: search index, uploaded files, figures.", no_args_is_help=True)
harvest_app = typer.Typer(help="Harvest sources: run a job now.", no_args_is_help=True)
app.add_typer(harvest_app, name="harvest")

# Files younger than this may belong to an upload whose row is being written right now.
GRACE_SECONDS = 3600


@app.command()
def reindex(
    batch: Annotated[int, typer.Option(min=1, help="Datasets per transaction")] = 500,
) -> None:
    """Rebuild the search index of every dataset (after a change of normalisation rules)."""
    units = unit_of_work_factory(CatalogSettings())
    done = 0
    last_id = None
    while True:
        with units() as uow:
            statement = select(Dataset).order_by(col(Dataset.id)).limit(batch)
            if last_id is not None:
                statement = statement.where(col(Dataset.id) > last_id)
            datasets = list(uow.session.exec(statement))
            if not datasets:
                break
            for dataset in datasets:
                reindex_dataset(uow.session, dataset, dataset_tags(uow.session, dataset.id))
            uow.commit()
            last_id = datasets[-1].id
            done += len(datasets)
    typer.echo(f"reindexed {done} datasets")


def render_published(
    units: UnitOfWorkFactory,
    base_url: str,
    batch: int = 500,
    *,
    ids: tuple[uuid.UUID, uuid.UUID] | None = None,
) -> int:
    """Render and store the representations of every published dataset that lacks one for
    ``base_url`` (domain/renditions.py), ``batch`` per transaction; how many were rendered.
    A change committed meanwhile wins. ``ids``: only those from the first id up to (not
    including) the second, so that several processes can share the work."""
    done = 0
    last_id = None
    while True:
        with units() as uow:
            statement = renditions.completeness(base_url).order_by(col(Dataset.id)).limit(batch)
            if last_id is not None:
                statement = statement.where(col(Dataset.id) > last_id)
            if ids is not None:
                low, high = ids
                statement = statement.where(col(Dataset.id) >= low, col(Dataset.id) < high)
            page = uow.session.exec(statement).all()
            if not page:
                return done
            last_id = page[-1][0]
            missing = [
                renditions.Stored(dataset_id, generation, None)
                for dataset_id, generation, complete in page
                if not complete
            ]
            renditions.render_batch(uow.session, Renderer(uow.session, base_url), missing)
            uow.commit()
            done += len(missing)


@app.command()
def render(
    batch: Annotated[int, typer.Option(min=1, help="Datasets per transaction")] = 500,
) -> None:
    """Render the stored representations of every published dataset that has none (each change
    renders those of the datasets it changes; a reader renders a missing one): after loading
    data outside the API, after a migration that adds a representation, or under a new public
    URL."""
    settings = CatalogSettings()
    done = render_published(unit_of_work_factory(settings), settings.base_url, batch)
    typer.echo(f"rendered {done} datasets")


@app.command("orphan-uploads")
def orphan_uploads(
    delete: Annotated[bool, typer.Option("--delete", help="Remove them (default: list)")] = False,
) -> None:
    """Uploaded files no resource points to (a crash between a write and its commit leaves
    them) and interrupted uploads, older than an hour."""
    settings = CatalogSettings()
    units = unit_of_work_factory(settings)
    store = FileStore(settings.upload_path, settings.max_upload_bytes)
    with units() as uow:
        referenced = set(
            uow.session.exec(
                select(Resource.storage_key).where(col(Resource.storage_key).is_not(None))
            )
        )
    cutoff = time.time() - GRACE_SECONDS
    orphans = [
        store.path(key)
        for key in store.stored_keys()
        if key not in referenced and store.path(key).stat().st_mtime < cutoff
    ]
    orphans += [path for path in store.incoming() if path.stat().st_mtime < cutoff]
    for path in orphans:
        typer.echo(str(path))
        if delete:
            path.unlink(missing_ok=True)
    verb = "removed" if delete else "found"
    typer.echo(f"{verb} {len(orphans)} orphan files under {store.root}")


@app.command()
def stats() -> None:
    """Datasets by state, resources and uploaded bytes."""
    units = unit_of_work_factory(CatalogSettings())
    with units() as uow:
        session = uow.session
        states = dict(
            session.exec(select(Dataset.state, func.count()).group_by(col(Dataset.state))).all()
        )
        resources = session.exec(select(func.count()).select_from(Resource)).one()
        uploaded, size = session.exec(
            select(func.count(), func.coalesce(func.sum(Resource.size), 0)).where(
                col(Resource.storage_key).is_not(None)
            )
        ).one()
    for state in ("draft", "submitted", "published", "withdrawn"):
        typer.echo(f"{state:<10} {states.get(state, 0)}")
    typer.echo(f"resources  {resources} ({uploaded} uploaded, {size} bytes)")


class RecordsBar:
    """A job's progress: records read against the number the source announces."""

    def __init__(self) -> None:
        self._bar: Any = None  # typer's bar, made once the total is known
        self._read = 0

    def update(self, counts: Counts, total: int | None) -> None:
        if self._bar is None and total is not None:
            self._bar = typer.progressbar(length=max(total, 1), label="records", show_pos=True)
            self._bar.__enter__()
        if self._bar is not None:
            self._bar.update(counts.seen - self._read)
        else:
            typer.echo(f"records read: {counts.seen}")
        self._read = counts.seen

    def close(self) -> None:
        if self._bar is not None:
            self._bar.__exit__(None, None, None)


@harvest_app.command("run")
def harvest_run(
    source: Annotated[str, typer.Argument(help="The source's slug or id")],
    full: Annotated[
        bool, typer.Option("--full", help="Compare every record, not only what changed")
    ] = False,
) -> None:
    """Run a job of SOURCE now, in this process (the service's relay sends its events)."""
    settings = CatalogSettings()
    units = unit_of_work_factory(settings)
    runner = HarvestRunner(
        settings,
        FileStore(settings.upload_path, settings.max_upload_bytes),
        download_signer(settings),
    )
    try:
        claim = runner.claim_source(units, source, trigger="cli", full=full)
    except Problem as problem:
        typer.echo(problem.detail, err=True)
        raise typer.Exit(1) from None
    bar = RecordsBar()
    try:
        job = asyncio.run(runner.execute(units, claim, progress=bar.update))
    finally:
        bar.close()
    if job is None:
        typer.echo("the source was taken over by another process; the job stopped", err=True)
        raise typer.Exit(1)
    typer.echo(
        f"job {job.id} {job.status}: read {job.seen_count}, new {job.new_count}, "
        f"updated {job.updated_count}, unchanged {job.unchanged_count}, "
        f"withdrawn {job.withdrawn_count}, failed {job.failed_count}"
    )
    if job.error:
        typer.echo(f"error: {job.error}", err=True)
        raise typer.Exit(1)
