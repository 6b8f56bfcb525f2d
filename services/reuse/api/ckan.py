"""ckanext-showcase's read actions at ``/api/3/action/{name}`` and ``/api/action/{name}``.

GET with query parameters, or POST with a JSON object (``ckanapi`` posts JSON) or a form;
answered in CKAN's envelope ``{help, success, result}``, errors as ``{help, success: false,
error: {__type, …}}`` with CKAN's status codes. The paths answer with a trailing slash too:
``ckanapi`` does not follow redirects.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from libs.http.ckan import ckan_responses
from libs.uow import UnitOfWorkDep
from services.reuse.domain.ckan import ACTIONS, CkanError, run_action
from services.reuse.domain.ckan import __doc__ as ACTIONS_DOC

router = APIRouter(tags=["CKAN API"])


async def action_params(request: Request) -> dict[str, Any] | CkanError:
    """The query's parameters (repeated ones as a list) and the body's; a body that is not a
    JSON object is CKAN's "Bad Request"."""
    params: dict[str, Any] = {}
    for key in request.query_params:
        values = request.query_params.getlist(key)
        params[key] = values if len(values) > 1 else values[0]
    body = await request.body() if request.method == "POST" else b""
    if not body.strip():
        return params
    if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
        form = await request.form()
        params.update({key: value for key, value in form.items() if isinstance(value, str)})
        return params
    try:
        document = json.loads(body)
    except ValueError as exc:
        return CkanError(400, "Bad Request", f"Bad request - JSON Error: {exc}")
    if not isinstance(document, dict):
        return CkanError(400, "Bad Request", "Bad request - JSON Error: not a JSON object")
    params.update(document)
    return params


DESCRIPTION = (ACTIONS_DOC or "") + "\n\nActions: " + ", ".join(sorted(ACTIONS))


ANSWERS = ckan_responses(400, 404, 409)


@router.get(
    "/api/3/action/{name}",
    operation_id="ckan_action_get",
    description=DESCRIPTION,
    responses=ANSWERS,
)
@router.post(
    "/api/3/action/{name}",
    operation_id="ckan_action_post",
    description=DESCRIPTION,
    responses=ANSWERS,
)
@router.get(
    "/api/action/{name}",
    operation_id="ckan_legacy_action_get",
    description=DESCRIPTION,
    responses=ANSWERS,
)
@router.post(
    "/api/action/{name}",
    operation_id="ckan_legacy_action_post",
    description=DESCRIPTION,
    responses=ANSWERS,
)
@router.api_route("/api/3/action/{name}/", methods=["GET", "POST"], include_in_schema=False)
@router.api_route("/api/action/{name}/", methods=["GET", "POST"], include_in_schema=False)
def ckan_action(
    name: str,
    request: Request,
    uow: UnitOfWorkDep,
    params: dict[str, Any] | CkanError = Depends(action_params),
) -> JSONResponse:
    """A ckanext-showcase action, in CKAN's envelope."""
    # From the settings, never from the request's Host header.
    help_url = f"{request.app.state.settings.base_url}/api/3/action/help_show?name={name}"
    try:
        if isinstance(params, CkanError):
            raise params
        result = run_action(uow, name, params)
    except CkanError as error:
        body = {"help": help_url, "success": False, "error": error.body()}
        return JSONResponse(body, status_code=error.status)
    return JSONResponse({"help": help_url, "success": True, "result": result})
