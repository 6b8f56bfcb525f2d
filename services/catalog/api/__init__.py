"""HTTP routers of the catalog service (thin: parse, authorise, call the domain)."""

from fastapi import APIRouter

from services.catalog.api import (
    ckan,
    datasets,
    dcat,
    exports,
    harvest,
    institutions,
    reference,
    search,
)

router = APIRouter()
# Order matters where paths overlap: DCAT first (its /api/v1/datasets/{id}.ttl suffix routes and
# its Accept-only RDF route must win over /api/v1/datasets/{id_or_slug}), exports before
# institutions (/api/v1/institutions/{id}/exports/...), the list/search route before the
# one-dataset route.
router.include_router(dcat.router)
router.include_router(exports.router)
router.include_router(search.router, prefix="/api/v1")
router.include_router(datasets.router, prefix="/api/v1")
router.include_router(institutions.router, prefix="/api/v1")
router.include_router(reference.router, prefix="/api/v1")
router.include_router(harvest.router, prefix="/api/v1")
router.include_router(ckan.router)
