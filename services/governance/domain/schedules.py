"""The scheduled overdue check, as a background task of the governance app."""

from __future__ import annotations

import asyncio
import logging

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlmodel import Session

from services.governance.domain.continuity import check_overdue
from services.governance.settings import GovernanceSettings

log = logging.getLogger("bayanat.governance.schedules")


def run_once(engine: Engine, settings: GovernanceSettings) -> int:
    with Session(engine, expire_on_commit=False) as session:
        return len(check_overdue(session, settings))


async def overdue_worker(app: FastAPI) -> None:
    settings: GovernanceSettings = app.state.settings
    if not settings.overdue_worker_enabled:
        return
    engine: Engine = app.state.engine
    while True:
        try:
            await asyncio.to_thread(run_once, engine, settings)
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("overdue check failed; retrying at the next interval")
        await asyncio.sleep(settings.overdue_check_interval_seconds)
