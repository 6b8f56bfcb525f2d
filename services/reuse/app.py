"""The reuse service's app factory: ``uvicorn --factory services.reuse.app:create_app``."""

from pathlib import Path

from fastapi import FastAPI

from libs.service import ServiceSpec, create_service_app
from services.reuse import __doc__ as DESCRIPTION
from services.reuse.api import router
from services.reuse.handlers import HANDLERS
from services.reuse.models import messaging
from services.reuse.settings import ReuseSettings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
Settings = ReuseSettings


def create_app(settings: ReuseSettings | None = None) -> FastAPI:
    return create_service_app(
        ServiceSpec(
            settings=settings or ReuseSettings(),
            title="Bayanat reuse",
            description=DESCRIPTION,
            tables=messaging,
            migrations_dir=MIGRATIONS_DIR,
            routers=[router],
            handlers=HANDLERS,
        )
    )
