"""One dataset, its lifecycle and its resources: ``/api/v1/datasets/{id or slug}``…

Reads of a published dataset are public; a draft or submitted dataset is seen only by its
institution's stewards (and reviewers) and national admins. Writes need a steward of the
dataset's institution (or a national admin). Publication has no route: it follows an approved
review (the ``review decided`` event). The list/search route ``GET /datasets`` lives in
search.py.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Header, Path, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ConfigDict, Field
from sqlmodel import col, select

from libs.auth import CurrentPrincipal, OptionalPrincipal, Principal, optional_principal
from libs.db import utcnow
from libs.fields import Text
from libs.http.downloads import attachment
from libs.http.openapi import problems
from libs.http.pagination import Page, PageParams, page_params
from libs.http.problems import NotFound, Problem
from libs.uow import UnitOfWork, UnitOfWorkDep
from services.catalog.api.deps import (
    PublicBase,
    SignerDep,
    StoreDep,
    dataset_cache,
    public_base,
    stored_bodies,
    units,
)
from services.catalog.api.downloads import (
    byte_range,
    etag_matches,
    file_chunks,
    served_media_type,
)
from services.catalog.api.schemas import (
    DatasetOut,
    DatasetSummary,
    ResourceOut,
    dataset_summaries,
)
from services.catalog.api.uploads import (
    form_model,
    is_multipart,
    json_body,
    receive_form,
    resource_form_data,
)
from services.catalog.domain import datasets as dataset_domain
from services.catalog.domain import renditions
from services.catalog.domain import resources as resource_domain
from services.catalog.domain.access import own_datasets_scope
from services.catalog.domain.cache import CachedResponse
from services.catalog.domain.datasets import DatasetCreate, DatasetFields
from services.catalog.domain.resources import DataUpdate, ResourceFields, discard_on_error
from services.catalog.domain.signing import EXPIRES_MAX
from services.catalog.domain.storage import FileStore, StoredFile
from services.catalog.domain.views import (
    get_dataset,
    get_resource,
    get_visible_dataset,
    get_visible_view,
    load_view,
)
from services.catalog.models import Dataset, DatasetState

router = APIRouter(tags=["datasets"])

DatasetRef = Annotated[str, Path(description="The dataset's id (UUID) or slug")]


def _dataset_out(uow: UnitOfWork, dataset: Dataset, base_url: str) -> DatasetOut:
    return DatasetOut.of(load_view(uow.session, dataset), base_url)


# What a write may answer besides the platform's own problems (401, 413, 422…).
WRITE_PROBLEMS = problems(
    s403="Not a steward of the dataset's institution",
    s404="No such dataset",
    s409="The dataset's state does not allow it (or its institution is not enrolled)",
)


# --- read -----------------------------------------------------------------------------------


@router.get(
    "/datasets/{id_or_slug}",
    response_model=DatasetOut,
    summary="One dataset by id or slug, with its resources and reuse count",
    responses=problems(s404="No such dataset (or not visible to you)"),
    # The optional bearer is read by hand (_reader), documented as the dependency would be.
    openapi_extra={"security": [{"HTTPBearer": []}]},
)
async def read_dataset(
    id_or_slug: DatasetRef,
    request: Request,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    actor = await _reader(request)
    # Anonymous reads of published datasets are most of the traffic: their stored body is
    # served from the response cache, else from one lookup on the event loop, without a unit
    # of work or a thread hop; only a body to render (or a 404, or a steward) opens a unit.
    cache = dataset_cache(request)
    cached = None
    if actor is None:
        cached = cache.get(id_or_slug) or await _stored(request, id_or_slug)
    if cached is not None:
        entry, public = cached, True
    else:
        entry, public = await run_in_threadpool(_render_dataset, request, id_or_slug, actor)
    headers = {
        "ETag": entry.etag,
        "Cache-Control": f"public, max-age={int(cache.ttl)}" if public else "private, no-cache",
    }
    if if_none_match and etag_matches(if_none_match, entry.etag):
        return Response(status_code=304, headers=headers)
    return Response(entry.body, media_type="application/json", headers=headers)


_BEARER = HTTPBearer(auto_error=False)


async def _reader(request: Request) -> Principal | None:
    """Who reads: most reads carry no credentials, and resolving them as a dependency took
    a good part of an anonymous read's time; a bearer is checked as OptionalPrincipal does."""
    if "authorization" not in request.headers:
        return None
    return await optional_principal(request, await _BEARER(request))


async def _stored(request: Request, id_or_slug: str) -> CachedResponse | None:
    """The stored body, read on the event loop when the service can (domain/lookups.py)."""
    bodies = stored_bodies(request)
    if bodies is None:
        return None
    cache = dataset_cache(request)
    generation = cache.generation  # before reading: a write that lands meanwhile wins
    found = await bodies.find(id_or_slug, "native", public_base(request))
    if found is None:
        return None
    keys = list(dict.fromkeys([str(found.dataset_id), id_or_slug]))
    return cache.put(keys, found.body, generation)


def _render_dataset(
    request: Request, id_or_slug: str, actor: Principal | None
) -> tuple[CachedResponse, bool]:
    cache = dataset_cache(request)
    generation = cache.generation  # before reading: a write that lands meanwhile wins
    base_url = public_base(request)
    with units(request)() as uow:
        if actor is None:
            # Anyone's read of a published dataset: its stored rendition, else rendered once
            # and stored for the next reader (of any worker or replica).
            served = renditions.serve(uow.session, id_or_slug, "native", base_url)
            if served is not None:
                if served.rendered:
                    uow.commit()
                keys = list(dict.fromkeys([str(served.dataset_id), id_or_slug]))
                return cache.put(keys, served.body, generation), True
        view = get_visible_view(uow.session, id_or_slug, actor)
        body = DatasetOut.of(view, base_url).model_dump_json().encode()
        public = view.dataset.state == DatasetState.PUBLISHED
    return cache.put([], body, generation), public


@router.get(
    "/me/datasets",
    response_model=Page[DatasetSummary],
    summary="The datasets of the caller's institutions, in every state",
    tags=["datasets"],
)
def my_datasets(
    uow: UnitOfWorkDep,
    actor: CurrentPrincipal,
    base_url: PublicBase,
    params: Annotated[PageParams, Depends(page_params)],
    state: Annotated[DatasetState | None, Query(description="Only this state")] = None,
) -> Page[DatasetSummary]:
    institutions = own_datasets_scope(actor)
    statement = select(Dataset)
    if institutions is not None:
        statement = statement.where(col(Dataset.institution_id).in_(institutions))
    if state is not None:
        statement = statement.where(col(Dataset.state) == state)
    statement = statement.order_by(col(Dataset.modified_at).desc(), col(Dataset.slug))
    return dataset_summaries(uow.session, statement, params, base_url)


# --- write ----------------------------------------------------------------------------------


@router.post(
    "/datasets",
    response_model=DatasetOut,
    status_code=201,
    summary="Create a draft dataset",
    responses=WRITE_PROBLEMS,
)
def create_dataset(
    data: DatasetCreate,
    response: Response,
    uow: UnitOfWorkDep,
    actor: CurrentPrincipal,
    base_url: PublicBase,
) -> DatasetOut:
    dataset = dataset_domain.create_dataset(uow, actor, data=data)
    out = _dataset_out(uow, dataset, base_url)
    uow.commit()
    response.headers["Location"] = out.url
    return out


@router.patch(
    "/datasets/{id_or_slug}",
    response_model=DatasetOut,
    summary="Edit a draft's metadata (only the fields sent)",
    responses=WRITE_PROBLEMS,
)
def update_dataset(
    id_or_slug: DatasetRef,
    changes: DatasetFields,
    uow: UnitOfWorkDep,
    actor: CurrentPrincipal,
    base_url: PublicBase,
) -> DatasetOut:
    dataset = dataset_domain.update_dataset(uow, actor, ref=id_or_slug, changes=changes)
    out = _dataset_out(uow, dataset, base_url)
    uow.commit()
    return out


@router.delete(
    "/datasets/{id_or_slug}",
    status_code=204,
    summary="Delete a draft (a published dataset is withdrawn instead)",
    responses=WRITE_PROBLEMS,
)
def delete_dataset(
    id_or_slug: DatasetRef, uow: UnitOfWorkDep, actor: CurrentPrincipal, store: StoreDep
) -> Response:
    dataset_domain.delete_dataset(uow, actor, ref=id_or_slug, store=store)
    uow.commit()
    return Response(status_code=204)


@router.post(
    "/datasets/{id_or_slug}/submit",
    response_model=DatasetOut,
    summary="Submit a draft for review (event: dataset submitted)",
    description="The dataset is locked until the review decides: an approval publishes it, a "
    "rejection returns it to draft with the reviewer's reasons (`rejection_reasons`).",
    responses={
        **WRITE_PROBLEMS,
        **problems(s413="The dataset's event would be larger than the platform sends"),
    },
)
def submit_dataset(
    id_or_slug: DatasetRef,
    uow: UnitOfWorkDep,
    actor: CurrentPrincipal,
    base_url: PublicBase,
    signer: SignerDep,
) -> DatasetOut:
    dataset = dataset_domain.submit_dataset(uow, actor, ref=id_or_slug, signer=signer)
    out = _dataset_out(uow, dataset, base_url)
    uow.commit()
    return out


REASON_MAX = 2000


class WithdrawRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Annotated[Text, Field(max_length=REASON_MAX)] | None = None


@router.post(
    "/datasets/{id_or_slug}/withdraw",
    response_model=DatasetOut,
    summary="Withdraw a published dataset (event: dataset withdrawn)",
    responses=WRITE_PROBLEMS,
)
def withdraw_dataset(
    id_or_slug: DatasetRef,
    uow: UnitOfWorkDep,
    actor: CurrentPrincipal,
    base_url: PublicBase,
    body: Annotated[WithdrawRequest | None, Body()] = None,
) -> DatasetOut:
    reason = body.reason if body else None
    dataset = dataset_domain.withdraw_dataset(uow, actor, ref=id_or_slug, reason=reason)
    out = _dataset_out(uow, dataset, base_url)
    uow.commit()
    return out


def _inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its definitions inlined (for a hand-written request body,
    whose models FastAPI does not add to the components)."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return inline(definitions[ref.removeprefix("#/$defs/")])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    return inline(schema)


_UPLOAD_FORM: dict[str, Any] = {
    "type": "object",
    "required": ["file"],
    "properties": {
        "file": {"type": "string", "format": "binary", "description": "The file, streamed"},
        "metadata": {
            "type": "string",
            "description": "Optional JSON object of the resource fields (no url, size, sha256)",
        },
        "format": {"type": "string"},
        "media_type": {"type": "string"},
        "title_ar": {"type": "string"},
        "title_fr": {"type": "string"},
        "title_en": {"type": "string"},
        "description_ar": {"type": "string"},
        "description_fr": {"type": "string"},
        "description_en": {"type": "string"},
    },
}
_RESOURCE_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": _inline_schema(ResourceFields)},
            "multipart/form-data": {"schema": _UPLOAD_FORM},
        },
    }
}
_DATA_UPDATE_FORM = {
    **_UPLOAD_FORM,
    "required": [],
    "properties": {
        **_UPLOAD_FORM["properties"],
        "replace_resource_id": {"type": "string", "format": "uuid"},
    },
}
_DATA_UPDATE_BODY = {
    "requestBody": {
        "required": False,
        "content": {
            "application/json": {"schema": _inline_schema(DataUpdate)},
            "multipart/form-data": {"schema": _DATA_UPDATE_FORM},
        },
    }
}
UPLOAD_PROBLEMS = {
    **WRITE_PROBLEMS,
    **problems(s413="The file is over CATALOG_MAX_UPLOAD_BYTES"),
}


def _precheck(
    uow: UnitOfWork, actor: Principal, ref: str, state: DatasetState, action: str
) -> None:
    """Refuse before a byte of the file is stored (the domain checks again when writing)."""
    dataset = dataset_domain.writable_dataset(uow, actor, ref, state, action)
    if state == DatasetState.DRAFT:  # a new resource: is there room for one more?
        resource_domain.ensure_room_for_a_resource(uow.session, dataset)


def _add_resource(
    uow: UnitOfWork,
    actor: Principal,
    ref: str,
    fields: ResourceFields,
    upload: StoredFile | None,
    base: str,
) -> ResourceOut:
    resource = resource_domain.add_resource(uow, actor, ref=ref, data=fields, upload=upload)
    out = ResourceOut.of(resource, base)
    uow.commit()
    return out


@router.post(
    "/datasets/{id_or_slug}/resources",
    response_model=ResourceOut,
    status_code=201,
    summary="Add a resource to a draft: a link (JSON) or an upload (multipart, field `file`)",
    description="An upload is streamed to storage; its size and SHA-256 are measured by the "
    "catalog. The format is normalised (CSV, JSON, XLSX…) and guessed from the file name, the "
    "URL or the media type when absent; an unknown one is refused naming `format`.",
    openapi_extra=_RESOURCE_BODY,
    responses=UPLOAD_PROBLEMS,
)
async def add_resource(
    id_or_slug: DatasetRef,
    request: Request,
    response: Response,
    uow: UnitOfWorkDep,
    actor: CurrentPrincipal,
    store: StoreDep,
    base_url: PublicBase,
) -> ResourceOut:
    upload = None
    if is_multipart(request):
        await run_in_threadpool(
            _precheck, uow, actor, id_or_slug, DatasetState.DRAFT, "change the resources of"
        )
        form = await receive_form(request, store)
        upload = form.file
        if upload is None:
            raise Problem(
                "file: required in a multipart request (or send JSON with a url)",
                status=422,
                title="Invalid input",
                code="invalid-input",
                field="file",
            )
        with discard_on_error(store, upload):
            fields = form_model(ResourceFields, resource_form_data(form.fields))
    else:
        fields = form_model(ResourceFields, await json_body(request))
    # The stored file goes if the resource is not written (refused, or the commit fails).
    with discard_on_error(store, upload):
        out = await run_in_threadpool(
            _add_resource, uow, actor, id_or_slug, fields, upload, base_url
        )
    response.headers["Location"] = (
        base_url + f"/api/v1/datasets/{out.dataset_id}/resources/{out.id}"
    )
    return out


@router.get(
    "/datasets/{id_or_slug}/resources/{resource_id}",
    response_model=ResourceOut,
    summary="One resource of a dataset",
    responses=problems(s404="No such dataset or resource"),
)
def read_resource(
    id_or_slug: DatasetRef,
    resource_id: str,
    uow: UnitOfWorkDep,
    actor: OptionalPrincipal,
    base_url: PublicBase,
) -> ResourceOut:
    dataset = get_visible_dataset(uow.session, id_or_slug, actor)
    return ResourceOut.of(get_resource(uow.session, dataset, resource_id), base_url)


@router.patch(
    "/datasets/{id_or_slug}/resources/{resource_id}",
    response_model=ResourceOut,
    summary="Edit a draft's resource (only the fields sent)",
    responses=WRITE_PROBLEMS,
)
def update_resource(
    id_or_slug: DatasetRef,
    resource_id: str,
    changes: ResourceFields,
    uow: UnitOfWorkDep,
    actor: CurrentPrincipal,
    base_url: PublicBase,
) -> ResourceOut:
    resource = resource_domain.update_resource(
        uow, actor, ref=id_or_slug, resource_id=resource_id, changes=changes
    )
    out = ResourceOut.of(resource, base_url)
    uow.commit()
    return out


@router.delete(
    "/datasets/{id_or_slug}/resources/{resource_id}",
    status_code=204,
    summary="Remove a resource from a draft (and its uploaded file)",
    responses=WRITE_PROBLEMS,
)
def delete_resource(
    id_or_slug: DatasetRef,
    resource_id: str,
    uow: UnitOfWorkDep,
    actor: CurrentPrincipal,
    store: StoreDep,
) -> Response:
    resource_domain.delete_resource(
        uow, actor, ref=id_or_slug, resource_id=resource_id, store=store
    )
    uow.commit()
    return Response(status_code=204)


def _publish_data_update(
    uow: UnitOfWork,
    actor: Principal,
    ref: str,
    update: DataUpdate,
    upload: StoredFile | None,
    store: FileStore,
    base_url: str,
) -> DatasetOut:
    dataset = resource_domain.publish_data_update(
        uow, actor, ref=ref, update=update, upload=upload, store=store
    )
    out = _dataset_out(uow, dataset, base_url)
    uow.commit()
    return out


@router.post(
    "/datasets/{id_or_slug}/data-updates",
    response_model=DatasetOut,
    summary="Publish new data for a published dataset (event: dataset updated)",
    description="`last_data_update` moves to now. Without a body: the existing resources now "
    "serve newer data. With a resource (JSON `resource` with a url, or a multipart `file`): a "
    "new resource, or, with `replace_resource_id`, new content for that resource.",
    openapi_extra=_DATA_UPDATE_BODY,
    responses=UPLOAD_PROBLEMS,
)
async def publish_data_update(
    id_or_slug: DatasetRef,
    request: Request,
    uow: UnitOfWorkDep,
    actor: CurrentPrincipal,
    store: StoreDep,
    base_url: PublicBase,
) -> DatasetOut:
    upload = None
    if is_multipart(request):
        await run_in_threadpool(
            _precheck, uow, actor, id_or_slug, DatasetState.PUBLISHED, "publish new data for"
        )
        form = await receive_form(request, store)
        upload = form.file
        with discard_on_error(store, upload):
            resource_data = resource_form_data(form.fields, ("replace_resource_id",))
            data: dict[str, Any] = {"resource": resource_data if resource_data else None}
            if form.fields.get("replace_resource_id"):
                data["replace_resource_id"] = form.fields["replace_resource_id"]
            update = form_model(DataUpdate, data)
    else:
        body = await request.body()
        update = form_model(DataUpdate, await json_body(request)) if body.strip() else DataUpdate()
    with discard_on_error(store, upload):
        return await run_in_threadpool(
            _publish_data_update, uow, actor, id_or_slug, update, upload, store, base_url
        )


# --- download -------------------------------------------------------------------------------


@router.head(
    "/datasets/{id_or_slug}/resources/{resource_id}/download",
    include_in_schema=False,
)
@router.get(
    "/datasets/{id_or_slug}/resources/{resource_id}/download",
    summary="Download an uploaded file (Range, ETag/If-None-Match supported)",
    description="Served with Content-Length, an ETag that is the file's SHA-256, and "
    "`Accept-Ranges: bytes` (a single range gives 206 with Content-Range; If-Range is "
    "honoured). A linked resource is not held by the catalog: the answer is a 404 problem "
    "(`code` not-uploaded) whose `url` member is the resource's own URL. The file of a "
    "dataset that is not public is served to its institution's stewards, or to the holder of "
    "the signed URL the catalog gave for its review (`expires` and `signature`, short-lived); "
    "a signature that is altered or expired is a 403 naming which.",
    response_class=StreamingResponse,
    responses={
        # Its own type when it is inert (text/csv…), application/octet-stream otherwise.
        200: {"description": "The file", "content": {"*/*": {}}},
        206: {"description": "The requested byte range", "content": {"*/*": {}}},
        304: {"description": "Not modified (If-None-Match)"},
        **problems(
            s403="A signed URL that was altered (signature-invalid) or has expired "
            "(signature-expired)",
            s404="No such upload; a link's URL is given in `url`",
            s416="Range not satisfiable",
        ),
    },
)
def download_resource(
    id_or_slug: DatasetRef,
    resource_id: str,
    request: Request,
    uow: UnitOfWorkDep,
    actor: OptionalPrincipal,
    store: StoreDep,
    signer: SignerDep,
    expires: Annotated[
        int | None, Query(ge=0, le=EXPIRES_MAX, description="Of a signed URL: its expiry")
    ] = None,
    signature: Annotated[
        str | None, Query(max_length=128, description="Of a signed URL: its signature")
    ] = None,
    range_header: Annotated[str | None, Header(alias="Range")] = None,
    if_none_match: Annotated[str | None, Header()] = None,
    if_range: Annotated[str | None, Header()] = None,
) -> Response:
    signed = expires is not None or signature is not None
    if signed:
        # The holder of a signed URL reads that file whatever the dataset's state; a URL that
        # was altered or has expired opens nothing.
        dataset = get_dataset(uow.session, id_or_slug)
        resource = get_resource(uow.session, dataset, resource_id)
        signer.verify(resource.id, expires, signature, now=utcnow())
    else:
        dataset = get_visible_dataset(uow.session, id_or_slug, actor)
        resource = get_resource(uow.session, dataset, resource_id)
    if resource.storage_key is None:
        raise NotFound(
            f"resource {resource.id} is a link, not a file held by the catalog: "
            f"fetch {resource.url}",
            code="not-uploaded",
            url=resource.url,
        )
    path = store.path(resource.storage_key)
    if not path.is_file():
        raise NotFound(
            f"the file of resource {resource.id} is missing from storage",
            code="upload-missing",
        )
    size = path.stat().st_size
    etag = f'"{resource.sha256}"'
    headers = {
        "ETag": etag,
        "Accept-Ranges": "bytes",
        "Cache-Control": "public, max-age=300"
        if dataset.state == DatasetState.PUBLISHED and not signed
        else "private, no-store",
        "Content-Disposition": attachment(
            resource.filename or f"{resource.id}.{(resource.format or 'bin').lower()}"
        ),
    }
    media_type = served_media_type(resource.media_type)
    if etag_matches(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    # A client whose copy is another version (If-Range) gets the whole file.
    same_version = if_range is None or if_range.strip() == etag
    wanted = byte_range(range_header, size) if same_version else None
    status = 200
    first, length = 0, size
    if wanted is not None:
        first, last = wanted
        length = last - first + 1
        status = 206
        headers["Content-Range"] = f"bytes {first}-{last}/{size}"
    headers["Content-Length"] = str(length)
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type=media_type)
    return StreamingResponse(
        file_chunks(path, first, length),
        status_code=status,
        headers=headers,
        media_type=media_type,
    )
