"""What the catalog's routers take from the app (made once by ``app.configure``), typed."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from libs.uow import UnitOfWorkFactory
from services.catalog.domain.cache import CountsCache, ResponseCache
from services.catalog.domain.storage import FileStore


def public_base(request: Request) -> str:
    """The service's public base URL: CATALOG_PUBLIC_URL, else the one the request came to."""
    configured = request.app.state.settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


def dataset_cache(request: Request) -> ResponseCache:
    cache: ResponseCache = request.app.state.dataset_cache
    return cache


def search_counts(request: Request) -> CountsCache:
    counts: CountsCache = request.app.state.search_counts
    return counts


def file_store(request: Request) -> FileStore:
    store: FileStore = request.app.state.file_store
    return store


def units(request: Request) -> UnitOfWorkFactory:
    """For the code that opens a unit of its own (a stream, a read served from cache)."""
    factory: UnitOfWorkFactory = request.app.state.unit_of_work
    return factory


PublicBase = Annotated[str, Depends(public_base)]
SearchCounts = Annotated[CountsCache, Depends(search_counts)]
StoreDep = Annotated[FileStore, Depends(file_store)]
