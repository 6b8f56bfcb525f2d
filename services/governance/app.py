"""The governance service's app factory.

Run: ``uvicorn --factory services.governance.app:create_app``.
"""

from pathlib import Path

from fastapi import FastAPI

from libs.service import ServiceSpec, create_service_app
from services.governance import __doc__ as DESCRIPTION
from services.governance.api import router
from services.governance.handlers import HANDLERS
from services.governance.models import messaging
from services.governance.settings import GovernanceSettings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
Settings = GovernanceSettings


def create_app(settings: GovernanceSettings | None = None) -> FastAPI:
    return create_service_app(
        ServiceSpec(
            settings=settings or GovernanceSettings(),
            title="Bayanat governance",
            description=DESCRIPTION,
            tables=messaging,
            migrations_dir=MIGRATIONS_DIR,
            routers=[router],
            handlers=HANDLERS,
        )
    )
