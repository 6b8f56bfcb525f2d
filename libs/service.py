"""The app factory every service uses: one lifespan, one set of conventions.

A service supplies its settings, routers, tables, event handlers and migrations; this module
wires the engine, migrations, outbox relay, consumer, topics, health, metrics and problems.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine

from libs.auth import Revocations, record_revocation
from libs.db import make_engine, upgrade
from libs.events import CloudEvent, Topic, dead_letter_topic
from libs.events.schemas import TokensRevoked
from libs.http.health import router as health_router
from libs.http.limits import InputLimitsMiddleware
from libs.http.observability import RequestContextMiddleware, metrics_router
from libs.http.openapi import document_problems
from libs.http.problems import install_problem_handlers
from libs.logs import configure_logging
from libs.messaging.consumer import EventConsumer, Handler
from libs.messaging.kafka import ensure_topics
from libs.messaging.outbox import Outbox, OutboxRelay
from libs.messaging.tables import MessagingTables
from libs.settings import ServiceSettings
from libs.uow import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger("bayanat.service")

BackgroundTask = Callable[[FastAPI], Coroutine[Any, Any, None]]
Handlers = Mapping[str, Handler]


@dataclass
class ServiceSpec:
    settings: ServiceSettings
    title: str
    description: str
    tables: MessagingTables
    migrations_dir: Path
    routers: Sequence[APIRouter] = ()
    # The consumed events' handlers, by type; or a function of the app that builds them with
    # what they need from it (bootstrap: a worker to wake, say).
    handlers: Handlers | Callable[[FastAPI], Handlers] = field(default_factory=dict)
    background: Sequence[BackgroundTask] = ()
    version: str = "0.1.0"
    openapi_tags: list[dict[str, str]] | None = None
    configure: Callable[[FastAPI], None] | None = None


async def _ensure_topics_until_done(settings: ServiceSettings) -> None:
    topics = [t.value for t in Topic] + [dead_letter_topic(settings.service_name)]
    delay = 0.5
    while True:
        try:
            await ensure_topics(settings.platform, topics)
            return
        except Exception as exc:
            log.warning("cannot create topics yet, retrying in %.1fs: %r", delay, exc)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10)


def platform_handlers(
    service_name: str, tables: MessagingTables, own: Mapping[str, Handler]
) -> dict[str, Handler]:
    """What every service consumes besides its own events: token revocations (except in the
    service that publishes them, which records them in the unit that revokes)."""
    if TokensRevoked.event_type in own or TokensRevoked.topic.value.startswith(
        f"bayanat.{service_name}."
    ):
        return {}

    def on_tokens_revoked(uow: UnitOfWork, event: CloudEvent, data: TokensRevoked) -> None:
        record_revocation(uow.session, tables.token_revocations, data)

    return {TokensRevoked.event_type: on_tokens_revoked}


async def _follow_revocations(engine: Engine, revocations: Revocations, every: float) -> None:
    def refresh() -> None:
        with engine.connect() as connection:
            revocations.refresh(connection)

    while True:
        try:
            await asyncio.to_thread(refresh)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the database may be restarting: try again
            log.warning("cannot read token revocations: %r", exc)
        await asyncio.sleep(every)


# Allocations between two collections of the cyclic garbage collector's youngest generation
# (Python's default: 700). Consumers parse and apply events in batches of thousands, whose
# objects all live until the batch commits: at the default, the collector walks them again and
# again, and takes as long as the work itself. Garbage without cycles is still freed at once.
GC_YOUNGEST_THRESHOLD = 10_000


def tune_garbage_collector() -> None:
    """Collect the youngest generation less often (:data:`GC_YOUNGEST_THRESHOLD`), the older
    ones as often relative to it; a process that applies events in bulk calls it at start."""
    _, middle, oldest = gc.get_threshold()
    gc.set_threshold(GC_YOUNGEST_THRESHOLD, middle, oldest)


def create_service_app(spec: ServiceSpec) -> FastAPI:
    settings = spec.settings

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        platform = settings.platform
        configure_logging(settings.service_name, platform.log_level, platform.log_json)
        tune_garbage_collector()
        engine = make_engine(settings.sqlalchemy_url)
        if settings.run_migrations:
            await asyncio.to_thread(upgrade, spec.migrations_dir, settings.sqlalchemy_url)
        app.state.engine = engine
        relay = OutboxRelay(
            engine=engine,
            table=spec.tables.outbox,
            platform=platform,
            service_name=settings.service_name,
            batch_size=settings.outbox_batch_size,
            poll_seconds=settings.outbox_poll_seconds,
        )
        app.state.relay = relay
        # Caches registered by the service's own set-up stay registered across restarts.
        factory = UnitOfWorkFactory(
            engine,
            Outbox(spec.tables.outbox, settings.service_name),
            wake_relay=relay.wake,
            caches=app.state.caches,
            # Room for the record's key, headers and framing.
            max_event_bytes=platform.kafka_max_message_bytes - 16 * 1024,
            public_url=settings.base_url,
        )
        app.state.unit_of_work = factory
        handlers = app.state.handlers
        revocations = Revocations(spec.tables.token_revocations)
        app.state.revocations = revocations
        app.state.consumer = EventConsumer(
            service_name=settings.service_name,
            unit_of_work=factory,
            processed_table=spec.tables.processed_events,
            platform=platform,
            handlers=handlers,
            max_attempts=settings.consumer_max_attempts,
            commit_interval_seconds=settings.consumer_commit_interval_seconds,
            batch_size=settings.consumer_batch_size,
        )
        topics = asyncio.create_task(_ensure_topics_until_done(settings), name="topics")
        tasks = [topics]
        if settings.relay_enabled:
            tasks.append(asyncio.create_task(app.state.relay.run(), name="outbox-relay"))
        if settings.consumer_enabled and handlers:

            async def consume() -> None:
                # A consumer subscribed to a topic that does not exist yet only sees it at its
                # next metadata refresh, minutes later: subscribe once the topics exist.
                await asyncio.shield(topics)
                await app.state.consumer.run()

            tasks.append(asyncio.create_task(consume(), name="consumer"))
        tasks.append(
            asyncio.create_task(
                _follow_revocations(engine, revocations, settings.revocation_poll_seconds),
                name="revocations",
            )
        )
        tasks.extend(asyncio.create_task(task(app)) for task in spec.background)
        log.info(
            "service started",
            extra={"port": settings.bind_port, "database": engine.dialect.name},
        )
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            engine.dispose()

    app = FastAPI(
        title=spec.title,
        description=spec.description,
        version=spec.version,
        lifespan=lifespan,
        openapi_tags=spec.openapi_tags,
    )
    app.state.settings = settings
    # The service's in-process read caches, cleared by units of work that invalidate them.
    app.state.caches = []
    install_problem_handlers(app)
    app.add_middleware(InputLimitsMiddleware, limits=settings.input_limits)
    app.add_middleware(RequestContextMiddleware, service=settings.service_name)
    app.include_router(health_router)
    app.include_router(metrics_router)
    for router in spec.routers:
        app.include_router(router)
    if spec.configure:
        spec.configure(app)
    # Every consumed event type and its handler (the service's, then the platform's).
    handlers = dict(spec.handlers(app) if callable(spec.handlers) else spec.handlers)
    handlers.update(platform_handlers(settings.service_name, spec.tables, handlers))
    app.state.handlers = handlers
    document_problems(app)
    return app
