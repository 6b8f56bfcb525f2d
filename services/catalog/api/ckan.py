"""CKAN's Action API (read actions) at ``/api/3/action/{name}`` and ``/api/action/{name}``.

GET with query parameters (a repeated parameter is a list) or POST with a JSON body (or a
form), answered in CKAN's envelope ``{help, success, result}``; errors are CKAN's
``{help, success: false, error: {__type, message}}`` with CKAN's status codes. No redirect
ever: ``ckanapi`` posts without following one, so the paths also answer with a trailing slash.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Hashable
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response
from sqlmodel import Session

from libs.http.ckan import ckan_responses
from libs.uow import UnitOfWork
from services.catalog.api.deps import (
    generation,
    public_base,
    search_counts,
    search_results,
    stored_bodies,
    units,
)
from services.catalog.domain.ckan import (
    ACTIONS,
    BadRequest,
    CkanError,
    Params,
    current_package_list_body,
    package_show_body,
    run_action,
    run_action_body,
)
from services.catalog.domain.ckan_dicts import Site, json_bytes

router = APIRouter(tags=["CKAN API"])

PREFIXES = ("/api/3/action", "/api/action")


def _without_nul(value: Any) -> Any:
    """Strings a database takes: without NUL characters (PostgreSQL refuses them; no CKAN
    value holds one) nor lone UTF-16 surrogates (a JSON ``"\\ud800"``, which no encoding
    can write), replaced as undecodable text is."""
    if isinstance(value, str):
        return value.replace("\x00", "").encode("utf-8", "replace").decode("utf-8")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {key: _without_nul(item) for key, item in value.items()}
    return value


async def action_params(request: Request) -> Params | CkanError:
    """The action's parameters; a body that cannot be read is returned as CKAN's error."""
    values: dict[str, Any] = {}

    def put(key: str, value: Any) -> None:
        value = _without_nul(value)
        if key in values:
            current = values[key]
            values[key] = [*current, value] if isinstance(current, list) else [current, value]
        else:
            values[key] = value

    for key, value in request.query_params.multi_items():
        put(key, value)
    if request.method != "POST":
        return Params(values)
    body = await request.body()
    if not body.strip():
        return Params(values)
    content_type = request.headers.get("content-type", "").lower()
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        for key, field in form.multi_items():
            if isinstance(field, str):  # CKAN's actions read no files
                put(key, field)
        return Params(values)
    try:
        data = json.loads(body)
    except ValueError as exc:
        return BadRequest(f"JSON Error: {exc}")
    if not isinstance(data, dict):
        return BadRequest(
            f"JSON Error: Request data JSON decoded to {data!r} but it needs to be a dictionary."
        )
    values.update(_without_nul(data))
    return Params(values)


def _site(request: Request) -> Site:
    return Site(url=public_base(request), counts=search_counts(request))


DESCRIPTION = (
    "CKAN 2.10 read actions, for CKAN clients and harvesters: "
    + ", ".join(sorted(ACTIONS))
    + ". GET with query parameters or POST with a JSON body. `package_search` takes q and fq "
    'with CKAN\'s meaning (words, "phrases", AND, OR, NOT, -word, +word, parentheses, '
    "field:value, field:prefix*, field:*, ranges [a TO b]; fields text, title, notes, name, "
    "id, tags, groups, organization, owner_org, license_id, license, isopen, res_format, "
    "version, num_resources, num_tags, metadata_created, metadata_modified with Solr date "
    "math, state, capacity, dataset_type; every form of an Arabic or French word is found), "
    "rows (default 10, at most 1000), start, sort, facet.field (a list or a JSON string), "
    "facet.limit and facet.mincount; what the catalog cannot answer as CKAN does (fuzzy ~, "
    "boosts ^, regular expressions, local parameters, other fields) is a Search Query Error "
    "naming it. Write actions answer with an Authorization Error: the catalog is written "
    "through /api/v1/."
)


# Actions answered with the read model's bytes (domain/renditions.py).
FROM_READ_MODEL: dict[str, Callable[[Session, Params, Site], bytes]] = {
    "package_show": package_show_body,
    "current_package_list_with_resources": current_package_list_body,
}

# Reads whose whole answer is kept per process while the catalogue generation stands
# (domain/generation.py), as Solr's caches keep results until a commit.
CACHED_SEARCHES = frozenset({"package_search", "package_list"})


def _frozen(value: Any) -> Hashable:
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    if isinstance(value, dict):
        return tuple(sorted((str(k), _frozen(v)) for k, v in value.items()))
    return value if isinstance(value, (str, int, float, bool)) or value is None else repr(value)


def _search_key(params: Params) -> Hashable | None:
    """The parameters as a key; None for a search whose answer depends on the time (Solr's
    date math, NOW), which is never reused."""
    key = _frozen(params.values)
    if "NOW" in repr(key):
        return None
    return key


def _cached_search(
    request: Request,
    uow: UnitOfWork,
    name: str,
    params: Params,
    site: Site,
    help_url: str,
    key: Hashable,
) -> Response:
    cache = search_results(request)
    stamp = generation(request).value  # before reading: a result of an older one is not kept
    body = cache.get((name, key), stamp) if stamp is not None else None
    if body is None:
        body = run_action_body(name, uow.session, params, site)
        uow.commit()  # the renditions it stored, if any
        if stamp is not None:
            cache.put((name, key), stamp, body)
    return Response(_envelope(help_url, body), media_type="application/json")


def _envelope(help_url: str, result: bytes) -> bytes:
    """CKAN's success envelope around a result's JSON, as JSONResponse would write it."""
    return b'{"help":' + json_bytes(help_url) + b',"success":true,"result":' + result + b"}"


async def _action(
    name: str,
    request: Request,
    parsed: Params | CkanError = Depends(action_params),
) -> Response:
    site = _site(request)
    help_url = f"{site.url}/api/3/action/help_show?name={name}"
    if name == "package_show" and isinstance(parsed, Params):
        # Most of CKAN's traffic: the stored package dict, looked up on the event loop.
        body = await _stored_package(request, parsed, site)
        if body is not None:
            return Response(_envelope(help_url, body), media_type="application/json")
    return await run_in_threadpool(_run_action, name, request, parsed, site, help_url)


async def _stored_package(request: Request, params: Params, site: Site) -> bytes | None:
    """``package_show``'s stored result, when the service reads it on the event loop
    (domain/lookups.py); None: ask the unit of work."""
    bodies = stored_bodies(request)
    ref = params.raw("id")
    if bodies is None or not isinstance(ref, str) or not ref.strip():
        return None
    found = await bodies.find(ref.strip(), "ckan", site.url)
    return None if found is None else found.body


def _run_action(
    name: str, request: Request, parsed: Params | CkanError, site: Site, help_url: str
) -> Response:
    with units(request)() as uow:
        try:
            if isinstance(parsed, CkanError):
                raise parsed
            if name in FROM_READ_MODEL:
                # The stored renditions' bytes, in the envelope JSONResponse would write.
                body = FROM_READ_MODEL[name](uow.session, parsed, site)
                uow.commit()
                return Response(_envelope(help_url, body), media_type="application/json")
            key = _search_key(parsed) if name in CACHED_SEARCHES else None
            if key is not None:
                return _cached_search(request, uow, name, parsed, site, help_url, key)
            result = run_action(name, uow.session, parsed, site)
        except CkanError as error:
            return JSONResponse(
                {"help": help_url, "success": False, "error": error.error()},
                status_code=error.status,
            )
    return JSONResponse({"help": help_url, "success": True, "result": result})


# The parameters of a POST, read by hand (``action_params``): documented so that clients
# know a body is taken, and so that the limits on bodies are documented too.
_ACTION_BODY: dict[str, Any] = {
    "requestBody": {
        "required": False,
        "content": {
            "application/json": {"schema": {"type": "object", "additionalProperties": True}},
            "application/x-www-form-urlencoded": {"schema": {"type": "object"}},
        },
    }
}

for _prefix in PREFIXES:
    for _method in ("GET", "POST"):
        router.add_api_route(
            f"{_prefix}/{{name}}",
            _action,
            methods=[_method],
            operation_id=f"ckan{_prefix.replace('/', '_')}_{_method.lower()}",
            summary=f"A CKAN action, {_method} {_prefix}/…",
            description=DESCRIPTION,
            response_class=JSONResponse,
            responses=ckan_responses(),
            openapi_extra=_ACTION_BODY if _method == "POST" else None,
        )
    router.add_api_route(
        f"{_prefix}/{{name}}/", _action, methods=["GET", "POST"], include_in_schema=False
    )
