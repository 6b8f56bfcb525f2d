"""The metrics service's app factory: ``uvicorn --factory services.metrics.app:create_app``.

Besides its API, the service's lifespan registers the indicators' Prometheus gauges and runs
the check that announces indicator changes. Routers are mounted from ``api``; the public
pages (``pages``: the dashboard and the institutions' pages) are one more router, with their
static files mounted through ``ServiceSpec.configure``, reading the same read models
(domain/reports.py, domain/dashboard.py); their live figures follow the announcements.
"""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from fastapi import FastAPI
from prometheus_client import REGISTRY

from libs.service import ServiceSpec, create_service_app
from services.metrics import __doc__ as DESCRIPTION
from services.metrics import pages
from services.metrics.api import router
from services.metrics.domain.gauges import IndicatorGauges, announce_changes
from services.metrics.handlers import HANDLERS
from services.metrics.models import messaging
from services.metrics.settings import MetricsSettings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
Settings = MetricsSettings
log = logging.getLogger("bayanat.metrics")


async def indicator_gauges(app: FastAPI) -> None:
    """Every indicator on /metrics while the app runs."""
    settings: MetricsSettings = app.state.settings
    collector = IndicatorGauges(app.state.unit_of_work, settings.margins)
    REGISTRY.register(collector)
    try:
        await asyncio.Event().wait()
    finally:
        REGISTRY.unregister(collector)


async def indicator_watch(app: FastAPI) -> None:
    """Announce each indicator's changes (``indicator changed``) every few seconds."""
    settings: MetricsSettings = app.state.settings
    if not settings.indicator_check_seconds:
        return

    def check() -> None:
        with app.state.unit_of_work() as uow:
            announce_changes(uow, settings.margins)
            uow.commit()

    while True:
        await asyncio.sleep(settings.indicator_check_seconds)
        try:
            await asyncio.to_thread(check)
        except Exception as exc:  # the next check tries again
            log.warning("indicator check failed: %r", exc)


def create_app(settings: MetricsSettings | None = None) -> FastAPI:
    return create_service_app(
        ServiceSpec(
            settings=settings or MetricsSettings(),
            title="Bayanat metrics",
            description=DESCRIPTION,
            tables=messaging,
            migrations_dir=MIGRATIONS_DIR,
            routers=[router, pages.router],
            handlers=HANDLERS,
            background=[indicator_gauges, indicator_watch, pages.live_watch],
            configure=pages.configure,
            openapi_tags=[
                {"name": "indicators", "description": "Values, history, breakdowns"},
                {"name": "commitments", "description": "The commitment and its activities"},
                {"name": "institutions", "description": "Each institution's figures"},
                {"name": "overview", "description": "Dashboard, findings, projections"},
                {"name": "exports", "description": "CSV and JSON"},
            ],
        )
    )
