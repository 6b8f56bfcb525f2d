"""The catalog's background worker: the harvest runner.

Reading a source is network I/O (seconds to hours), so it never happens inside a transaction:
the runner claims a job in a short unit of its own (jobs.py: the source's lease), fetches a
page with no transaction open, reads what the catalog holds of the page's records in one unit,
and writes each record that changed in a unit of its own, committed before the next (a record
that fails rolls back alone, and is reported). The job's counts and errors are stored after
every page, so that a job is followed while it runs. While the job runs, its lease is renewed
every third of ``CATALOG_HARVEST_LEASE_SECONDS`` in a small unit; if another process took the
source over (this one stalled past its lease), the job stops.

One runner per app (``app.state.harvest_runner``), which the API wakes when it queues a job;
it looks for due sources every ``CATALOG_HARVEST_POLL_SECONDS`` anyway. ``bayanat catalog
harvest run SOURCE`` runs a job in the operator's process with the same runner.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from fastapi import FastAPI

from libs.background import ClaimRunner, keep_renewed
from libs.db import utcnow
from libs.http.problems import Problem
from libs.uow import UnitOfWorkFactory
from services.catalog.domain.harvest import jobs, records
from services.catalog.domain.harvest.ckan import CkanReader
from services.catalog.domain.harvest.dcat import DcatReader
from services.catalog.domain.harvest.fetch import Fetcher, FetchPolicy, SourceError, open_fetcher
from services.catalog.domain.harvest.jobs import Claim, Counts, RecordError
from services.catalog.domain.harvest.mapping import (
    MappedDataset,
    MappingError,
    SourceRecord,
    UnreadableRecord,
    Vocabulary,
    map_record,
)
from services.catalog.domain.harvest.readers import Page, SourceReader
from services.catalog.domain.harvest.records import Action, Held, Target
from services.catalog.domain.institutions import require_enrolled_for_write
from services.catalog.domain.signing import DownloadSigner
from services.catalog.domain.storage import FileStore
from services.catalog.models import HarvestJob, HarvestKind
from services.catalog.settings import CatalogSettings

log = logging.getLogger("bayanat.catalog.harvest")

Clock = Callable[[], datetime]
# Told the counts so far and the number of records the source says it has (if it says).
Progress = Callable[[Counts, int | None], None]
# A job's fetcher for a policy and a rate (fetch.open_fetcher: the guarded client).
Fetchers = Callable[[FetchPolicy, float], AbstractAsyncContextManager[Fetcher]]


class LeaseLost(Exception):
    """Another process holds the source now: this one stops writing."""


def fetch_policy(settings: CatalogSettings) -> FetchPolicy:
    return FetchPolicy(
        allowlist=list(settings.harvest_url_allowlist),
        timeout=settings.harvest_http_timeout_seconds,
        max_bytes=settings.harvest_max_response_bytes,
        max_retries=settings.harvest_max_retries,
        backoff=settings.harvest_retry_backoff_seconds,
        max_redirects=settings.harvest_max_redirects,
        concurrency=settings.harvest_max_concurrency,
        user_agent=settings.harvest_user_agent,
    )


def reader_for(claim: Claim, fetcher: Fetcher, settings: CatalogSettings) -> SourceReader:
    source = claim.source
    if source.kind == HarvestKind.CKAN:
        return CkanReader(fetcher, source.url, source.filters, settings.harvest_page_size)
    return DcatReader(fetcher, source.url, settings.harvest_max_pages)


@dataclass(frozen=True)
class Write:
    """A record to write, and how."""

    action: Action
    stored: records.Stored | None
    mapped: MappedDataset


@dataclass
class JobRun:
    """One job's writing, page after page (the synchronous part, run in a thread)."""

    units: UnitOfWorkFactory
    claim: Claim
    target: Target
    max_errors: int
    clock: Clock
    writers: int = 1  # records written at the same time
    vocabulary: Vocabulary = field(default_factory=lambda: Vocabulary({}, frozenset()))
    counts: Counts = field(default_factory=Counts)
    high_water_mark: datetime | None = None
    errors: list[RecordError] = field(default_factory=list)  # not stored yet
    stored_errors: int = 0
    seen: set[str] = field(default_factory=set)

    def fail(self, message: str, original_id: str | None, original_uri: str | None) -> None:
        self.counts.failed += 1
        if self.stored_errors + len(self.errors) < self.max_errors:
            self.errors.append(RecordError(message, original_id, original_uri))

    def process_page(self, page: Page) -> None:
        source = self.claim.source
        fresh: list[SourceRecord] = []
        for item in page:
            if isinstance(item, UnreadableRecord):
                self.counts.seen += 1
                self.fail(item.message, item.original_id, item.original_uri)
            elif item.original_id not in self.seen:  # a record met twice (pages moved) once
                self.seen.add(item.original_id)
                fresh.append(item)
        with self.units() as uow:
            stored = records.stored_records(uow.session, source.id, [r.original_id for r in fresh])
        writes: list[Write] = []
        for record in fresh:
            self.counts.seen += 1
            if record.modified is not None and (
                self.high_water_mark is None or record.modified > self.high_water_mark
            ):
                self.high_water_mark = record.modified
            write = self._judge(record, stored.get(record.original_id))
            if write is not None:
                writes.append(write)
        # Each record is written in a unit of its own: several at once (the time goes to the
        # database's round trips), the counts kept here, in order.
        with ThreadPoolExecutor(self.writers, thread_name_prefix="harvest-write") as pool:
            for write, error in zip(writes, pool.map(self._write, writes), strict=True):
                if error is not None:
                    self.fail(error, write.mapped.original_id, write.mapped.original_uri)
                elif write.action == Action.CREATE:
                    self.counts.new += 1
                else:
                    self.counts.updated += 1

    def _judge(self, record: SourceRecord, stored: records.Stored | None) -> Write | None:
        """What to write of a record; None when nothing (unchanged, or it cannot be mapped)."""
        source = self.claim.source
        if records.unchanged_at_source(stored, record.modified, full=self.claim.full):
            self.counts.unchanged += 1
            return None
        try:
            mapped = map_record(record, source.mappings, self.vocabulary)
        except MappingError as exc:
            self.fail(str(exc), record.original_id, record.original_uri)
            return None
        action = records.judge(stored, mapped, trusted=source.trusted)
        if action == Action.UNCHANGED:
            self.counts.unchanged += 1
            return None
        return Write(action, stored, mapped)

    def _write(self, write: Write) -> str | None:
        """Writes one record in a unit of its own; why it failed, or None. A slug taken
        meanwhile by a dataset written at the same moment is tried once more."""
        for attempt in (1, 2):
            try:
                with self.units() as uow:
                    records.write_record(uow, self.target, write.action, write.stored, write.mapped)
                    uow.commit()
                return None
            except Problem as problem:
                if problem.code != "slug-taken" or attempt == 2:
                    return problem.detail
            except Exception as exc:  # one record's surprise must not stop the job
                log.exception(
                    "harvesting a record failed", extra={"original_id": write.mapped.original_id}
                )
                return f"unexpected error: {type(exc).__name__}"
        return None

    def held(self) -> list[Held]:
        with self.units() as uow:
            return records.held_records(uow.session, self.claim.source.id)

    def remove(self, held: Held) -> None:
        try:
            with self.units() as uow:
                removed = records.remove_gone(uow, self.target, held.dataset_id)
                uow.commit()
        except Problem as problem:
            self.fail(problem.detail, held.original_id, held.original_uri)
        except Exception as exc:
            log.exception("removing a harvested dataset failed")
            self.fail(f"unexpected error: {type(exc).__name__}", held.original_id, None)
        else:
            self.counts.withdrawn += int(removed)

    def save_progress(self) -> None:
        with self.units() as uow:
            jobs.record_progress(uow, self.claim, self.counts, self.errors, now=self.clock())
            uow.commit()
        self.stored_errors += len(self.errors)
        self.errors = []

    def finish(self, error: str | None) -> HarvestJob:
        with self.units() as uow:
            jobs.record_progress(uow, self.claim, self.counts, self.errors, now=self.clock())
            job = jobs.finish_job(
                uow,
                self.claim,
                self.counts,
                now=self.clock(),
                error=error,
                high_water_mark=self.high_water_mark if error is None else None,
            )
            uow.commit()
        self.errors = []
        return job


class HarvestRunner(ClaimRunner[Claim]):
    """Claims the sources' jobs and runs them (see the module's docstring). ``wake()`` may be
    called from any thread (an after-commit callback runs in the thread that committed)."""

    what = "harvest runner"

    def __init__(
        self,
        settings: CatalogSettings,
        store: FileStore,
        signer: DownloadSigner,
        clock: Clock = utcnow,
        fetchers: Fetchers = open_fetcher,
    ) -> None:
        self.settings = settings
        self.store = store
        self.signer = signer
        self.clock = clock
        self.fetchers = fetchers
        super().__init__()

    @property
    def lease(self) -> float:
        return self.settings.harvest_lease_seconds

    @property
    def poll_seconds(self) -> float:
        return self.settings.harvest_poll_seconds

    def claim_next(self, units: UnitOfWorkFactory) -> Claim | None:
        with units() as uow:
            claim = jobs.claim_next(uow, lease=self.lease, now=self.clock())
            uow.commit()
        return claim

    def claim_source(
        self,
        units: UnitOfWorkFactory,
        ref: str,
        *,
        trigger: str,
        full: bool,
        requested_by: uuid.UUID | None = None,
    ) -> Claim:
        with units() as uow:
            claim = jobs.claim_source(
                uow,
                ref,
                trigger=trigger,
                full=full,
                lease=self.lease,
                now=self.clock(),
                requested_by=requested_by,
            )
            uow.commit()
        return claim

    def renew(self, units: UnitOfWorkFactory, claim: Claim) -> bool:
        with units() as uow:
            renewed = jobs.renew_lease(uow, claim, lease=self.lease, now=self.clock())
            uow.commit()
        return renewed

    async def keep_claim(self, units: UnitOfWorkFactory, claim: Claim, lost: asyncio.Event) -> None:
        """Renews the claim every third of its lease; sets ``lost`` once it is taken over."""
        await keep_renewed(
            partial(self.renew, units, claim), every=self.lease / 3, what="a harvest job's lease"
        )
        log.warning("a harvest job's source was taken over; the job stops")
        lost.set()

    def _prepare(self, units: UnitOfWorkFactory, claim: Claim) -> Vocabulary:
        """What the job maps onto; 409 when the source's institution is no longer enrolled."""
        with units() as uow:
            require_enrolled_for_write(uow.session, claim.source.institution_id)
            return records.load_vocabulary(uow.session)

    async def _harvest(
        self, run: JobRun, fetcher: Fetcher, lost: asyncio.Event, progress: Progress | None
    ) -> None:
        reader = reader_for(run.claim, fetcher, self.settings)
        async with contextlib.aclosing(reader.records(run.claim.since)) as pages:
            async for page in pages:
                if lost.is_set():
                    raise LeaseLost
                await asyncio.to_thread(run.process_page, page)
                await asyncio.to_thread(run.save_progress)
                if progress is not None:
                    progress(run.counts, reader.total)
        # Removals, once every record was read: what the source no longer has.
        listed = await reader.identifiers()
        held = await asyncio.to_thread(run.held)
        missing = [h for h in held if h.original_id not in listed]
        gone = await reader.confirm_gone(missing) if missing else set()
        for entry in missing:
            if lost.is_set():
                raise LeaseLost
            if entry.original_id in gone:
                await asyncio.to_thread(run.remove, entry)

    async def execute(
        self, units: UnitOfWorkFactory, claim: Claim, progress: Progress | None = None
    ) -> HarvestJob | None:
        """Runs a claimed job to its end: the job as finished, or None when its source was
        taken over meanwhile (the other process ends it)."""
        lost = asyncio.Event()
        heartbeat = asyncio.create_task(self.keep_claim(units, claim, lost), name="harvest-lease")
        run = JobRun(
            units=units,
            claim=claim,
            target=Target(claim.source, self.signer, self.store),
            max_errors=self.settings.harvest_max_errors_per_job,
            clock=self.clock,
            writers=self.settings.harvest_max_concurrency,
        )
        error: str | None = None
        try:
            try:
                run.vocabulary = await asyncio.to_thread(self._prepare, units, claim)
                policy = fetch_policy(self.settings)
                async with self.fetchers(policy, claim.source.rate_limit) as fetcher:
                    await self._harvest(run, fetcher, lost, progress)
            except Problem as problem:  # the institution withdrew: nothing is written for it
                error = problem.detail
            except SourceError as exc:
                error = str(exc)
            except LeaseLost:
                return None
            except Exception as exc:  # the job ends failed, and says so
                log.exception("a harvest job failed", extra={"job_id": str(claim.job_id)})
                error = f"unexpected error: {type(exc).__name__}: {exc}"
            job = await asyncio.to_thread(run.finish, error)
        finally:
            heartbeat.cancel()
            await asyncio.wait([heartbeat])
        log.info(
            "harvest job ended",
            extra={"job_id": str(job.id), "status": str(job.status), "source": claim.source.slug},
        )
        return job


async def harvest_worker(app: FastAPI) -> None:
    """Background task of the catalog app (``ServiceSpec.background``)."""
    settings: CatalogSettings = app.state.settings
    if not settings.harvest_worker_enabled:
        return
    runner: HarvestRunner = app.state.harvest_runner
    await runner.run(app.state.unit_of_work)
