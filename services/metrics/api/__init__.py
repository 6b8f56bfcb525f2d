"""HTTP routers of the metrics service (thin: parse, call the domain, shape, commit)."""

from fastapi import APIRouter

from services.metrics.api import commitments, exports, indicators, institutions, overview

router = APIRouter(prefix="/api/v1")
for module in (indicators, commitments, institutions, overview, exports):
    router.include_router(module.router)
