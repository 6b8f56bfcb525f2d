"""An OpenAPI document that tells the truth about errors.

Every error a service answers is ``application/problem+json`` (RFC 9457). Routes declare the
problems their domain may raise with ``responses=problems(403, 404, 409)``; the problems that
the platform's own layers may answer on any operation are added here, once:

- 422 (invalid input) on every operation that takes parameters or a body, as a problem with
  its ``errors`` list, instead of FastAPI's ``HTTPValidationError``;
- 400 (too many query parameters), 414 (query string too long) on every operation, 413 (body
  too large) and 400 (JSON too deep) where there is a body (libs/http/limits.py);
- 401 where the operation accepts credentials (a token that is invalid, expired or revoked is
  refused even where credentials are optional).
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel, ConfigDict, Field

from libs.http.problems import PROBLEM_CONTENT_TYPE

_SCHEMA_REF = "#/components/schemas/Problem"


class FieldError(BaseModel):
    field: str = Field(description="Where: a body field path, a parameter name")
    message: str


class ProblemDetails(BaseModel):
    """RFC 9457 problem details, with the members this platform adds."""

    model_config = ConfigDict(extra="allow", title="Problem")

    type: str = Field(description="A URI naming the kind of problem; about:blank when generic")
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldError] | None = Field(
        default=None, description="Each invalid field, for 422 and some 409 answers"
    )


DESCRIPTIONS: dict[int, str] = {
    400: "Bad request: a parameter or the body breaks a rule or a limit",
    401: "No valid credentials: missing, invalid, expired or revoked",
    403: "Authenticated, but not allowed to do this",
    404: "No such resource (or not visible to the caller)",
    409: "Conflicts with the current state",
    413: "The body is larger than allowed",
    414: "The query string is longer than allowed",
    422: "Invalid input: the problem lists each field and what is wrong with it",
    429: "Too many requests: come back after Retry-After seconds",
    502: "An upstream service did not answer as expected",
}


def _problem_response(status: int, description: str | None = None) -> dict[str, Any]:
    return {
        "description": description or DESCRIPTIONS.get(status, "Error"),
        "content": {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": _SCHEMA_REF}}},
    }


def problems(*statuses: int, **described: str) -> dict[int | str, dict[str, Any]]:
    """``responses=`` for a route: the problems its domain may answer.

    ``problems(404, 409)``; a specific description with ``problems(403, s404="No such
    review")``.
    """
    responses: dict[int | str, dict[str, Any]] = {}
    for status in statuses:
        responses[status] = {"model": ProblemDetails, "description": DESCRIPTIONS[status]}
    for key, description in described.items():
        status = int(key.lstrip("s"))
        responses[status] = {"model": ProblemDetails, "description": description}
    return responses


_GENERIC = ("/HTTPValidationError", "/ProblemDetails")


def _problem_content() -> dict[str, Any]:
    return {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": _SCHEMA_REF}}}


def _document_operation(operation: dict[str, Any]) -> None:
    responses: dict[str, Any] = operation.setdefault("responses", {})
    for status, response in list(responses.items()):
        if not status.isdigit() or int(status) < 400:
            continue
        content = response.get("content") or {}
        refs = [media.get("schema", {}).get("$ref", "") for media in content.values()]
        # FastAPI's validation error and the routes' problems are problems; an error body a
        # route documents in a format of its own (CKAN's envelope) is kept as it is.
        if not content or any(ref.endswith(_GENERIC) for ref in refs):
            response["content"] = _problem_content()
    platform_level = [400, 414]  # libs/http/limits.py, on every operation
    if operation.get("parameters") or "requestBody" in operation:
        platform_level.append(422)
    if "requestBody" in operation:
        platform_level.append(413)
    if operation.get("security"):
        platform_level.append(401)
    for code in platform_level:
        response = responses.setdefault(str(code), _problem_response(code))
        response.setdefault("content", {}).update(_problem_content())


def document_problems(app: FastAPI) -> None:
    """Replace ``app.openapi`` by one that documents every operation's problems."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title,
            version=app.version,
            openapi_version=app.openapi_version,
            summary=app.summary,
            description=app.description,
            routes=app.routes,
            tags=app.openapi_tags,
            servers=app.servers,
        )
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        components["Problem"] = ProblemDetails.model_json_schema(
            ref_template="#/components/schemas/{model}"
        )
        components["Problem"].pop("$defs", None)
        components["FieldError"] = FieldError.model_json_schema()
        components["Problem"]["properties"]["errors"] = {
            "anyOf": [
                {"type": "array", "items": {"$ref": "#/components/schemas/FieldError"}},
                {"type": "null"},
            ],
            "description": "Each invalid field, for 422 and some 409 answers",
        }
        for path_item in schema.get("paths", {}).values():
            for method, operation in path_item.items():
                if method in {"get", "put", "post", "delete", "patch", "head", "options"}:
                    _document_operation(operation)
        for unused in ("HTTPValidationError", "ValidationError", "ProblemDetails"):
            components.pop(unused, None)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented override
