"""DCAT-AP 3 routes: the catalogue and one dataset as Turtle, RDF/XML and JSON-LD.

- ``/catalog.ttl``, ``/catalog.rdf``, ``/catalog.jsonld``: the published catalogue, 100
  datasets a page (``?page=N``, Hydra links), ``?modified_since=`` for harvesters.
- ``/catalog``: the same, in the serialisation the ``Accept`` header asks for.
- ``/api/v1/datasets/{id_or_slug}.ttl|.rdf|.jsonld``: one published dataset.
- ``/api/v1/datasets/{id_or_slug}/dcat``: one dataset, serialisation by ``Accept``.
- ``/api/v1/datasets/{id_or_slug}`` with an ``Accept`` that prefers RDF over JSON: the dataset's
  URI dereferences to its RDF (a route that only matches such requests; any other request
  falls through to the JSON route of the datasets router).

``dataset_router`` (the per-dataset routes) is included before the datasets router so that the
suffix routes win over ``/api/v1/datasets/{id_or_slug}`` (a slug never holds a dot).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from fastapi.routing import APIRoute
from sqlmodel import Session
from starlette.routing import Match
from starlette.types import Scope

from libs.http.openapi import problems
from libs.http.pagination import MAX_PAGE
from libs.http.problems import NotFound, Problem
from libs.uow import UnitOfWorkDep
from services.catalog.api.deps import public_base, stored_bodies, units
from services.catalog.api.search import moment_parameter
from services.catalog.domain import dcat, renditions
from services.catalog.domain.exports import Links
from services.catalog.domain.rendering import DCAT_BY_SUFFIX

router = APIRouter(tags=["DCAT-AP"])
# One dataset's RDF: included before the datasets router, whose JSON route has the same path.
dataset_router = APIRouter(tags=["DCAT-AP"])

RDF_MEDIA_TYPES = {media_type: suffix for suffix, (_, media_type) in dcat.SERIALISATIONS.items()}
# Preference when the client accepts several equally: Turtle, then JSON-LD, then RDF/XML.
PREFERENCE = ("text/turtle", "application/ld+json", "application/rdf+xml")
ALIASES = {"application/x-turtle": "text/turtle"}

NOT_PUBLISHED = problems(s404="Unknown, or not published")
RDF_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "DCAT-AP 3.0.1",
        "content": {media_type: {} for media_type in PREFERENCE},
    },
    **NOT_PUBLISHED,
}
NEGOTIATED_RESPONSES = {
    **RDF_RESPONSES,
    **problems(s406="The Accept header allows none of the three serialisations"),
}


# --- Content negotiation --------------------------------------------------------------------


def _accept_ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        fields = [f.strip() for f in part.split(";")]
        media_range = ALIASES.get(fields[0].lower(), fields[0].lower())
        if not media_range:
            continue
        quality = 1.0
        for parameter in fields[1:]:
            key, _, value = parameter.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranges.append((media_range, quality))
    return ranges


def _quality(media_type: str, ranges: list[tuple[str, float]]) -> float:
    """The quality the client gives ``media_type``: from its most specific matching range."""
    kind = media_type.split("/")[0]
    best: tuple[int, float] | None = None
    for media_range, quality in ranges:
        if media_range == media_type:
            specificity = 2
        elif media_range == f"{kind}/*":
            specificity = 1
        elif media_range == "*/*":
            specificity = 0
        else:
            continue
        if best is None or specificity > best[0]:
            best = (specificity, quality)
    return best[1] if best else 0.0


def negotiate(accept: str | None) -> str | None:
    """The suffix of the serialisation to send, or None when the client accepts none."""
    if not accept or not accept.strip():
        return "ttl"
    ranges = _accept_ranges(accept)
    scored = [(_quality(t, ranges), -PREFERENCE.index(t), t) for t in PREFERENCE]
    quality, _, media_type = max(scored)
    return RDF_MEDIA_TYPES[media_type] if quality > 0 else None


def prefers_rdf(accept: str | None) -> bool:
    """True when the client asks for RDF rather than JSON (``*/*`` alone means JSON)."""
    if not accept:
        return False
    ranges = _accept_ranges(accept)
    rdf = max(_quality(t, ranges) for t in PREFERENCE)
    return rdf > 0 and rdf > _quality("application/json", ranges)


class RdfAcceptRoute(APIRoute):
    """Matches only requests whose ``Accept`` prefers an RDF serialisation to JSON."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child_scope = super().matches(scope)
        if match is Match.NONE:
            return match, child_scope
        accept = next(
            (
                value.decode("latin-1")
                for key, value in scope.get("headers", [])
                if key == b"accept"
            ),
            None,
        )
        if not prefers_rdf(accept):
            return Match.NONE, {}
        return match, child_scope


def _not_acceptable(accept: str | None) -> Problem:
    return Problem(
        f"cannot answer with any of '{accept}'; available: {', '.join(PREFERENCE)}",
        status=406,
        title="Not acceptable",
        code="not-acceptable",
        available=list(PREFERENCE),
    )


# --- Responses ------------------------------------------------------------------------------


def _links(request: Request) -> Links:
    return Links(request.app.state.settings.base_url)


def _rdf_response(body: bytes, suffix: str, *, negotiated: bool) -> Response:
    _, media_type = dcat.SERIALISATIONS[suffix]
    headers = {"Vary": "Accept"} if negotiated else {}
    charset = "" if suffix == "jsonld" else "; charset=utf-8"
    return Response(body, media_type=media_type + charset, headers=headers)


def _catalog(
    request: Request,
    session: Session,
    suffix: str,
    page: int,
    modified_since: str | None,
    *,
    path: str,
    negotiated: bool = False,
) -> Response:
    since = moment_parameter("modified_since", modified_since)
    links = _links(request)
    result = dcat.catalog_page(session, page, since)

    def page_url(number: int) -> str:
        query = {"page": number} | ({"modified_since": modified_since} if since else {})
        return f"{links.base}{path}?{urlencode(query)}"

    graph = dcat.catalog_graph(session, result, links, page_url)
    return _rdf_response(dcat.serialise(graph, suffix), suffix, negotiated=negotiated)


PAGE = Query(
    1, ge=1, le=MAX_PAGE, description="Page of the catalogue (100 datasets a page), from 1"
)
MODIFIED_SINCE = Query(
    None,
    description="Only datasets modified at or after this ISO 8601 date or date-time",
    examples=["2024-01-31", "2024-01-31T12:00:00Z"],
)


def _catalog_route(suffix: str) -> Callable[..., Response]:
    def catalog_serialised(
        request: Request,
        uow: UnitOfWorkDep,
        page: int = PAGE,
        modified_since: str | None = MODIFIED_SINCE,
    ) -> Response:
        return _catalog(
            request, uow.session, suffix, page, modified_since, path=f"/catalog.{suffix}"
        )

    catalog_serialised.__name__ = f"catalog_{suffix}"
    return catalog_serialised


for _suffix, (_, _media_type) in dcat.SERIALISATIONS.items():
    router.add_api_route(
        f"/catalog.{_suffix}",
        _catalog_route(_suffix),
        methods=["GET"],
        summary=f"The published catalogue in DCAT-AP 3 ({_media_type})",
        response_class=Response,
        responses={200: {"content": {_media_type: {}}}, **NOT_PUBLISHED},
    )


@router.get(
    "/catalog",
    summary="The published catalogue in DCAT-AP 3, serialisation by Accept",
    response_class=Response,
    responses=NEGOTIATED_RESPONSES,
)
def catalog_negotiated(
    request: Request,
    uow: UnitOfWorkDep,
    page: int = PAGE,
    modified_since: str | None = MODIFIED_SINCE,
) -> Response:
    accept = request.headers.get("accept")
    suffix = negotiate(accept)
    if suffix is None:
        raise _not_acceptable(accept)
    return _catalog(
        request,
        uow.session,
        suffix,
        page,
        modified_since,
        path=f"/catalog.{suffix}",
        negotiated=True,
    )


async def _dataset(request: Request, id_or_slug: str, suffix: str, negotiated: bool) -> Response:
    """The published dataset's stored DCAT document: looked up on the event loop when the
    service can (domain/lookups.py), else read (and rendered and stored if it has none) in a
    unit of work."""
    representation = DCAT_BY_SUFFIX[suffix]
    bodies = stored_bodies(request)
    found = None
    if bodies is not None:
        found = await bodies.find(id_or_slug, representation, public_base(request))
    body = found.body if found else await run_in_threadpool(_served, request, id_or_slug, suffix)
    return _rdf_response(body, suffix, negotiated=negotiated)


def _served(request: Request, id_or_slug: str, suffix: str) -> bytes:
    with units(request)() as uow:
        served = renditions.serve(
            uow.session, id_or_slug, DCAT_BY_SUFFIX[suffix], public_base(request)
        )
        if served is None:
            raise NotFound(
                f"no published dataset has the id or slug '{id_or_slug}'",
                code="dataset-not-found",
            )
        if served.rendered:
            uow.commit()
        return served.body


def _dataset_route(suffix: str) -> Callable[..., Awaitable[Response]]:
    async def dataset_serialised(request: Request, id_or_slug: str) -> Response:
        return await _dataset(request, id_or_slug, suffix, negotiated=False)

    dataset_serialised.__name__ = f"dataset_{suffix}"
    return dataset_serialised


for _suffix, (_, _media_type) in dcat.SERIALISATIONS.items():
    dataset_router.add_api_route(
        f"/api/v1/datasets/{{id_or_slug}}.{_suffix}",
        _dataset_route(_suffix),
        methods=["GET"],
        summary=f"One published dataset in DCAT-AP 3 ({_media_type})",
        response_class=Response,
        responses={200: {"content": {_media_type: {}}}, **NOT_PUBLISHED},
    )


@dataset_router.get(
    "/api/v1/datasets/{id_or_slug}/dcat",
    summary="One published dataset in DCAT-AP 3, serialisation by Accept",
    response_class=Response,
    responses=NEGOTIATED_RESPONSES,
)
async def dataset_negotiated(request: Request, id_or_slug: str) -> Response:
    accept = request.headers.get("accept")
    suffix = negotiate(accept)
    if suffix is None:
        raise _not_acceptable(accept)
    return await _dataset(request, id_or_slug, suffix, negotiated=True)


async def dataset_by_accept(request: Request, id_or_slug: str) -> Response:
    suffix = negotiate(request.headers.get("accept")) or "ttl"
    return await _dataset(request, id_or_slug, suffix, negotiated=True)


# Documented by the datasets router's route of the same path; this one only takes RDF requests.
dataset_router.add_api_route(
    "/api/v1/datasets/{id_or_slug}",
    dataset_by_accept,
    methods=["GET"],
    response_class=Response,
    include_in_schema=False,
    route_class_override=RdfAcceptRoute,
)
