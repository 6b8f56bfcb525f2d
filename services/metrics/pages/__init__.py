"""The metrics service's public pages: the indicator dashboard and each institution's page,
server-rendered (Jinja2) from the read models the JSON API returns, with their styles,
scripts and the vendored charting library served by the service itself."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from services.metrics.domain.gauges import announced_version
from services.metrics.pages.live import LiveVersion
from services.metrics.pages.rendering import STATIC_DIR
from services.metrics.pages.routes import router
from services.metrics.settings import MetricsSettings

__all__ = ["configure", "live_watch", "router"]


def configure(app: FastAPI) -> None:
    """Mount the static files and make the live figures' watcher the streams share."""
    settings: MetricsSettings = app.state.settings
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.state.live = LiveVersion(settings.live_poll_seconds, settings.live_stream_seconds)


async def live_watch(app: FastAPI) -> None:
    """The service's background task: read the figures' version while pages listen."""

    def read() -> str:
        with app.state.unit_of_work() as uow:
            return announced_version(uow)

    await app.state.live.watch(read)
