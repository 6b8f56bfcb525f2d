"""RFC 9457 problem details for every error a service returns."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("bayanat.http")

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_BASE = "https://data.gov.ma/problems/"


class Problem(Exception):
    """A client error the domain raises; rendered as ``application/problem+json``.

    ``code`` is a short slug (``slug-taken``) that becomes the problem ``type`` URI; ``extra``
    members are added to the body (``field``, ``errors``…); ``headers`` go on the response
    (``Retry-After`` on a 429, say).
    """

    status = 400
    title = "Bad request"
    code = "bad-request"

    def __init__(
        self,
        detail: str,
        *,
        status: int | None = None,
        title: str | None = None,
        code: str | None = None,
        headers: dict[str, str] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers
        if status is not None:
            self.status = status
        if title is not None:
            self.title = title
        if code is not None:
            self.code = code
        self.extra = extra


class NotFound(Problem):
    status, title, code = 404, "Not found", "not-found"


class Conflict(Problem):
    status, title, code = 409, "Conflict", "conflict"


class Unauthorized(Problem):
    status, title, code = 401, "Unauthorized", "unauthorized"


class Forbidden(Problem):
    status, title, code = 403, "Forbidden", "forbidden"


class InvalidInput(Problem):
    """Input that parses but breaks a rule; names the offending field."""

    status, title, code = 422, "Invalid input", "invalid-input"

    def __init__(self, field: str, detail: str, **extra: Any) -> None:
        super().__init__(
            f"{field}: {detail}", field=field, errors=[{"field": field, "message": detail}], **extra
        )


class PayloadTooLarge(Problem):
    status, title, code = 413, "Payload too large", "payload-too-large"


class TooManyRequests(Problem):
    """A rate limit reached: the response tells when to come back (``Retry-After``)."""

    status, title, code = 429, "Too many requests", "rate-limited"

    def __init__(self, detail: str, *, retry_after: int, **extra: Any) -> None:
        retry_after = max(1, int(retry_after))
        super().__init__(
            detail, headers={"Retry-After": str(retry_after)}, retry_after=retry_after, **extra
        )
        self.retry_after = retry_after


def problem_response(
    status: int,
    title: str,
    detail: str,
    *,
    code: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_BASE + code if code else "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    body.update(extra)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_CONTENT_TYPE, headers=headers)


def _field_path(location: tuple[Any, ...] | list[Any]) -> str:
    parts = [str(p) for p in location]
    if parts and parts[0] in {"body", "query", "path", "header", "cookie"}:
        source, rest = parts[0], parts[1:]
        return ".".join(rest) if rest else source
    return ".".join(parts)


def install_problem_handlers(app: FastAPI) -> None:
    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return problem_response(
            exc.status,
            exc.title,
            exc.detail,
            code=exc.code,
            instance=request.url.path,
            headers=exc.headers,
            **exc.extra,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": _field_path(error.get("loc", ())), "message": error.get("msg", "invalid")}
            for error in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors) or "invalid request"
        return problem_response(
            422,
            "Invalid input",
            detail,
            code="invalid-input",
            instance=request.url.path,
            errors=errors,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        title = {
            401: "Unauthorized",
            403: "Forbidden",
            404: "Not found",
            405: "Method not allowed",
        }.get(exc.status_code, "Error")
        detail = exc.detail if isinstance(exc.detail, str) else str(exc.detail)
        return problem_response(
            exc.status_code,
            title,
            detail,
            instance=request.url.path,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", extra={"path": request.url.path})
        return problem_response(
            500,
            "Internal server error",
            "The server could not complete the request; it has been logged.",
            instance=request.url.path,
        )
