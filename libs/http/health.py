"""``/healthz`` (the process is alive) and ``/readyz`` (its database and Kafka answer)."""

from __future__ import annotations

import asyncio

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from libs.db import ping
from libs.http.problems import problem_response
from libs.messaging.kafka import kafka_reachable

router = APIRouter(tags=["health"])


@router.get("/healthz")
def healthz(request: Request) -> dict[str, str]:
    return {"status": "ok", "service": request.app.state.settings.service_name}


@router.get("/readyz")
async def readyz(request: Request) -> JSONResponse:
    state = request.app.state
    checks: dict[str, str] = {}
    try:
        await asyncio.wait_for(asyncio.to_thread(ping, state.engine), 3)
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"unreachable: {type(exc).__name__}"
    platform = state.settings.platform
    checks["kafka"] = "ok" if await kafka_reachable(platform, timeout=2) else "unreachable"
    failing = [name for name, value in checks.items() if value != "ok"]
    if failing:
        return problem_response(
            503,
            "Not ready",
            f"unreachable: {', '.join(failing)}",
            code="not-ready",
            status_text="not-ready",
            checks=checks,
        )
    return JSONResponse({"status": "ready", "checks": checks})
