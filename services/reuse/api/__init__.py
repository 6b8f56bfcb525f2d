"""HTTP routers of the reuse service (thin: parse, call the domain, shape the answer, commit)."""

from fastapi import APIRouter

from services.reuse.api import ckan, developers, reuses

router = APIRouter()
router.include_router(developers.router, prefix="/api/v1")
router.include_router(reuses.router, prefix="/api/v1")
router.include_router(ckan.router)
