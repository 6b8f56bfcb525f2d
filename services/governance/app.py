"""The governance service's app factory.

Run: ``uvicorn --factory services.governance.app:create_app``.
"""

from pathlib import Path

from fastapi import FastAPI

from libs.service import ServiceSpec, create_service_app
from services.governance import __doc__ as DESCRIPTION
from services.governance.api import router
from services.governance.handlers import handlers
from services.governance.models import messaging
from services.governance.settings import GovernanceSettings
from services.governance.workers import ChecksRunner, checks_worker, overdue_worker

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
Settings = GovernanceSettings


def create_app(settings: GovernanceSettings | None = None) -> FastAPI:
    settings = settings or GovernanceSettings()
    # Made with the app: the submission handler wakes it, the checks route awaits it.
    runner = ChecksRunner(settings)

    def keep_runner(app: FastAPI) -> None:
        app.state.checks_runner = runner

    return create_service_app(
        ServiceSpec(
            settings=settings,
            title="Bayanat governance",
            description=DESCRIPTION,
            tables=messaging,
            migrations_dir=MIGRATIONS_DIR,
            routers=[router],
            handlers=handlers(runner),
            background=[checks_worker, overdue_worker],
            configure=keep_runner,
        )
    )
