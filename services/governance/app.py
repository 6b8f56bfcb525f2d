"""The governance service's app factory.

Run: ``uvicorn --factory services.governance.app:create_app``.
"""

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from libs.http.problems import problem_response
from libs.service import ServiceSpec, create_service_app
from services.governance import __doc__ as DESCRIPTION
from services.governance.api import router
from services.governance.domain.checks_runner import checks_worker
from services.governance.domain.schedules import overdue_worker
from services.governance.domain.sessions import TooManyAttempts
from services.governance.handlers import HANDLERS
from services.governance.models import messaging
from services.governance.settings import GovernanceSettings

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
Settings = GovernanceSettings


def _configure(app: FastAPI) -> None:
    @app.exception_handler(TooManyAttempts)
    async def _too_many(request: Request, exc: TooManyAttempts) -> JSONResponse:
        # The generic problem handler sets no headers; a 429 tells when to come back.
        return problem_response(
            exc.status,
            exc.title,
            exc.detail,
            code=exc.code,
            instance=request.url.path,
            headers={"Retry-After": str(exc.retry_after)},
            **exc.extra,
        )


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
            background=[checks_worker, overdue_worker],
            configure=_configure,
        )
    )
