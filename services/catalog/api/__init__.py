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
# Order matters where paths overlap, and for the time each request takes to find its route:
# one dataset's RDF first (its /api/v1/datasets/{id}.ttl suffix routes and its Accept-only RDF
# route must win over /api/v1/datasets/{id_or_slug}), then the datasets (an anonymous read of
# one is most of the traffic: it is matched after a few routes only), exports before
# institutions (/api/v1/institutions/{id}/exports/...).
router.include_router(dcat.dataset_router)
router.include_router(datasets.router, prefix="/api/v1")
router.include_router(dcat.router)
router.include_router(exports.router)
router.include_router(search.router, prefix="/api/v1")
router.include_router(institutions.router, prefix="/api/v1")
router.include_router(reference.router, prefix="/api/v1")
router.include_router(harvest.router, prefix="/api/v1")
router.include_router(ckan.router)
