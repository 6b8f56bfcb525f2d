"""CKAN's Action API envelope, for the services that answer CKAN clients (the catalog's
datasets, the reuse service's showcases): how its answers and errors are documented.

Success: ``{"help": …, "success": true, "result": …}``; error: ``{"help": …, "success": false,
"error": {"__type": "Not Found Error", "message": …}}`` with CKAN's status codes. These routes
keep CKAN's format for their own errors (CKAN clients read ``__type``); the platform's problems
(body too large, invalid parameters) stay RFC 9457 problems, documented beside them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class CkanErrorBody(BaseModel):
    model_config = ConfigDict(extra="allow", populate_by_name=True)

    type: str = Field(alias="__type", description="Not Found Error, Validation Error…")
    message: str | None = None


class CkanSuccess(BaseModel):
    help: str
    success: Literal[True]
    result: Any


class CkanFailure(BaseModel):
    help: str
    success: Literal[False]
    error: CkanErrorBody


CKAN_ERRORS: dict[int, str] = {
    400: "Bad request: an unknown action, a parameter that does not parse (CKAN's envelope)",
    403: "Access denied (CKAN's Authorization Error)",
    404: "Not found (CKAN's Not Found Error)",
    409: "Invalid parameters (CKAN's Validation Error)",
}


def ckan_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """``responses=`` of a CKAN action route: its success envelope and the errors it answers."""
    responses: dict[int | str, dict[str, Any]] = {200: {"model": CkanSuccess}}
    for status in statuses or tuple(CKAN_ERRORS):
        responses[status] = {"model": CkanFailure, "description": CKAN_ERRORS[status]}
    return responses
