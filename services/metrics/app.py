"""The metrics service's app factory: ``uvicorn --factory services.metrics.app:create_app``."""

from pathlib import Path

from fastapi import FastAPI

from libs.service import ServiceSpec, create_service_app
from services.metrics import __doc__ as DESCRIPTION
from services.metrics.api import router
from services.metrics.handlers import HANDLERS
from services.metrics.models import messaging
from services.metrics.settings import MetricsSettings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
Settings = MetricsSettings


def create_app(settings: MetricsSettings | None = None) -> FastAPI:
    return create_service_app(
        ServiceSpec(
            settings=settings or MetricsSettings(),
            title="Bayanat metrics",
            description=DESCRIPTION,
            tables=messaging,
            migrations_dir=MIGRATIONS_DIR,
            routers=[router],
            handlers=HANDLERS,
        )
    )
