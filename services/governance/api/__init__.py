"""HTTP routers of the governance service (thin: parse, authorise, call the domain)."""

from fastapi import APIRouter

from services.governance.api import (
    accounts,
    audit,
    auth,
    guide,
    institutions,
    quality,
    reviews,
    schedules,
)

router = APIRouter(prefix="/api/v1")
for module in (auth, accounts, institutions, reviews, guide, quality, schedules, audit):
    router.include_router(module.router)
