"""The reuse service's app factory: ``uvicorn --factory services.reuse.app:create_app``."""

from pathlib import Path

from fastapi import FastAPI

from libs.ratelimit import RateLimiter
from libs.service import ServiceSpec, create_service_app
from services.reuse import __doc__ as DESCRIPTION
from services.reuse.api import router
from services.reuse.handlers import HANDLERS
from services.reuse.mail import make_sender
from services.reuse.models import messaging, rate_limits
from services.reuse.settings import ReuseSettings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
Settings = ReuseSettings


def create_app(settings: ReuseSettings | None = None) -> FastAPI:
    settings = settings or ReuseSettings()

    def configure(app: FastAPI) -> None:
        app.state.mail_sender = make_sender(settings)
        app.state.rate_limiter = RateLimiter(rate_limits)

    return create_service_app(
        ServiceSpec(
            settings=settings,
            title="Bayanat reuse",
            description=DESCRIPTION,
            tables=messaging,
            migrations_dir=MIGRATIONS_DIR,
            routers=[router],
            handlers=HANDLERS,
            openapi_tags=[
                {"name": "developers", "description": "Accounts, e-mail verification, API keys"},
                {"name": "reuses", "description": "Reuse projects and their search"},
                {"name": "moderation", "description": "National admins verify or reject"},
                {"name": "CKAN API", "description": "ckanext-showcase's read actions"},
            ],
            configure=configure,
        )
    )
