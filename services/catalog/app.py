"""The catalog service's app factory: ``uvicorn --factory services.catalog.app:create_app``."""

from pathlib import Path

from fastapi import FastAPI

from libs.service import ServiceSpec, create_service_app
from services.catalog import __doc__ as DESCRIPTION
from services.catalog.api import router
from services.catalog.handlers import HANDLERS
from services.catalog.models import messaging
from services.catalog.settings import CatalogSettings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
Settings = CatalogSettings


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
        )
    )
