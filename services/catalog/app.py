"""The catalog service's app factory: ``uvicorn --factory services.catalog.app:create_app``."""

import asyncio
from pathlib import Path

from fastapi import FastAPI
from sqlalchemy.engine import make_url

from libs.db import make_engine, upgrade
from libs.messaging.outbox import Outbox
from libs.service import ServiceSpec, create_service_app
from libs.uow import UnitOfWorkFactory
from services.catalog import __doc__ as DESCRIPTION
from services.catalog.api import router
from services.catalog.domain.cache import CountsCache, ResponseCache
from services.catalog.domain.generation import Generation, follow_generation
from services.catalog.domain.lookups import StoredBodies
from services.catalog.domain.signing import DownloadSigner
from services.catalog.domain.storage import FileStore
from services.catalog.handlers import HANDLERS
from services.catalog.models import messaging
from services.catalog.settings import CatalogSettings
from services.catalog.workers import HarvestRunner, harvest_worker

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
Settings = CatalogSettings


def configure(app: FastAPI) -> None:
    """What the catalog's routers read from the app: its read caches (cleared by the units of
    work that change what they hold), the store of uploaded files, the signer of their
    download URLs and the harvest runner (the API wakes it when it queues a job)."""
    settings: CatalogSettings = app.state.settings
    app.state.dataset_cache = ResponseCache(
        settings.public_cache_seconds, max_bytes=settings.public_cache_max_bytes
    )
    app.state.search_counts = CountsCache(
        settings.search_counts_cache_seconds, max_bytes=settings.search_counts_cache_max_bytes
    )
    app.state.search_results = CountsCache(
        settings.search_results_cache_seconds, max_bytes=settings.search_results_cache_max_bytes
    )
    app.state.caches.extend(
        [app.state.dataset_cache, app.state.search_counts, app.state.search_results]
    )
    app.state.generation = Generation(app.state.caches)
    app.state.stored_bodies = None  # while the service runs: lookups_while_running
    app.state.file_store = FileStore(settings.upload_path, settings.max_upload_bytes)
    app.state.download_signer = download_signer(settings)
    app.state.harvest_runner = HarvestRunner(
        settings, app.state.file_store, app.state.download_signer
    )


async def generation_watch(app: FastAPI) -> None:
    """Every worker and replica drops its caches soon after another one's write."""
    settings: CatalogSettings = app.state.settings
    await follow_generation(
        app.state.engine, app.state.generation, settings.generation_poll_seconds
    )


def stored_bodies(settings: CatalogSettings) -> StoredBodies | None:
    """The event loop's lookups of stored bodies, on PostgreSQL (domain/lookups.py)."""
    url = make_url(settings.sqlalchemy_url)
    if url.get_backend_name() != "postgresql" or settings.lookup_connections == 0:
        return None
    conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return StoredBodies(conninfo, settings.lookup_connections)


async def lookups_while_running(app: FastAPI) -> None:
    """The stored bodies' lookups, from start-up (until then, reads take the ordinary path)
    to the service's stop, which closes their connections."""
    bodies = stored_bodies(app.state.settings)
    if bodies is None:
        return
    app.state.stored_bodies = bodies
    try:
        await asyncio.Event().wait()
    finally:
        app.state.stored_bodies = None
        await bodies.close()


def download_signer(settings: CatalogSettings) -> DownloadSigner:
    return DownloadSigner(
        settings.resolved_signing_key, settings.base_url, settings.signed_download_lifetime
    )


def create_app(settings: CatalogSettings | None = None) -> FastAPI:
    return create_service_app(
        ServiceSpec(
            settings=settings or CatalogSettings(),
            title="Bayanat catalog",
            description=DESCRIPTION,
            tables=messaging,
            migrations_dir=MIGRATIONS_DIR,
            routers=[router],
            handlers=HANDLERS,
            background=[harvest_worker, generation_watch, lookups_while_running],
            configure=configure,
        )
    )


def unit_of_work_factory(settings: CatalogSettings, *, migrate: bool = True) -> UnitOfWorkFactory:
    """Units of work on the catalog's database outside the app (operator commands): the relay
    of a running service sends what they publish."""
    if migrate:
        upgrade(MIGRATIONS_DIR, settings.sqlalchemy_url)
    engine = make_engine(settings.sqlalchemy_url)
    return UnitOfWorkFactory(engine, Outbox(messaging.outbox, settings.service_name))
