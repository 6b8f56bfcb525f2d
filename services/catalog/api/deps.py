"""What the catalog's routers take from the app (made once by ``app.configure``), typed."""

from __future__ import annotations

from typing import Annotated, TypeVar

from fastapi import Depends, Request

from libs.uow import UnitOfWorkFactory
from services.catalog.domain.cache import CountsCache, ResponseCache
from services.catalog.domain.generation import Generation
from services.catalog.domain.lookups import StoredBodies
from services.catalog.domain.signing import DownloadSigner
from services.catalog.domain.storage import FileStore


def public_base(request: Request) -> str:
    """The service's public base URL, from its settings (CATALOG_PUBLIC_URL, else its host and
    port): never from the request, whose ``Host`` header anyone may forge, so that every URL the
    catalog emits (API, events, DCAT, CKAN, exports) is the same whoever asks."""
    base: str = request.app.state.settings.base_url
    return base


T = TypeVar("T")


def _of_app(request: Request, name: str, kind: type[T]) -> T:
    value = getattr(request.app.state, name)
    if not isinstance(value, kind):
        raise TypeError(f"app.state.{name} is a {type(value).__name__}, not a {kind.__name__}")
    return value


def dataset_cache(request: Request) -> ResponseCache:
    return _of_app(request, "dataset_cache", ResponseCache)


def stored_bodies(request: Request) -> StoredBodies | None:
    bodies = request.app.state.stored_bodies
    return bodies if isinstance(bodies, StoredBodies) else None


def search_counts(request: Request) -> CountsCache:
    return _of_app(request, "search_counts", CountsCache)


def search_results(request: Request) -> CountsCache:
    return _of_app(request, "search_results", CountsCache)


def generation(request: Request) -> Generation:
    return _of_app(request, "generation", Generation)


def file_store(request: Request) -> FileStore:
    return _of_app(request, "file_store", FileStore)


def download_signer(request: Request) -> DownloadSigner:
    return _of_app(request, "download_signer", DownloadSigner)


def units(request: Request) -> UnitOfWorkFactory:
    """For the code that opens a unit of its own (a stream, a read served from cache)."""
    return _of_app(request, "unit_of_work", UnitOfWorkFactory)


PublicBase = Annotated[str, Depends(public_base)]
SearchCounts = Annotated[CountsCache, Depends(search_counts)]
SearchResults = Annotated[CountsCache, Depends(search_results)]
GenerationDep = Annotated[Generation, Depends(generation)]
StoreDep = Annotated[FileStore, Depends(file_store)]
SignerDep = Annotated[DownloadSigner, Depends(download_signer)]
