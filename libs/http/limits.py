"""Bounds on what a request may carry, checked before any work that grows with the input.

A pure ASGI middleware in front of every service refuses, with a problem that names the limit:

- a body above ``max_body_bytes`` (413), from its ``Content-Length`` before a byte is read, or
  as it arrives when the length is not declared; multipart uploads are left to the route,
  which streams them to storage under a limit of its own;
- a JSON body nested deeper than ``max_json_depth`` (400): deep nesting costs recursion in
  every layer that walks the document;
- a query string above ``max_query_bytes`` (414) or with more than ``max_query_params``
  parameters (400): each repeated filter or sort key is work for the database.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from libs.http.problems import problem_response

_BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Bodies that routes stream themselves (uploads), under their own limit.
_STREAMED_TYPES = ("multipart/form-data", "application/octet-stream")


@dataclass(frozen=True)
class InputLimits:
    max_body_bytes: int = 1024 * 1024
    max_json_depth: int = 32
    max_query_bytes: int = 8 * 1024
    max_query_params: int = 100


class _TooLarge(Exception):
    pass


def json_depth_exceeds(body: bytes, limit: int) -> bool:
    """True when the JSON document ``body`` nests arrays/objects deeper than ``limit`` (or
    cannot be parsed for its depth). Cheap for ordinary bodies: without enough brackets in
    all, no document can be that deep."""
    if body.count(b"[") + body.count(b"{") <= limit:
        return False
    try:
        document = json.loads(body)
    except RecursionError:
        return True
    except ValueError:
        return False  # not JSON: the route's own parsing says so
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False


def count_query_params(query: bytes) -> int:
    return sum(1 for part in query.replace(b";", b"&").split(b"&") if part)


class InputLimitsMiddleware:
    def __init__(self, app: ASGIApp, limits: InputLimits) -> None:
        self.app = app
        self.limits = limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limits = self.limits
        query: bytes = scope.get("query_string", b"")
        if len(query) > limits.max_query_bytes:
            await self._refuse(
                scope,
                send,
                414,
                "query-too-long",
                f"the query string has {len(query)} bytes; at most {limits.max_query_bytes}",
                limit=limits.max_query_bytes,
                title="URI too long",
            )
            return
        if count_query_params(query) > limits.max_query_params:
            await self._refuse(
                scope,
                send,
                400,
                "too-many-query-parameters",
                f"more than {limits.max_query_params} query parameters",
                limit=limits.max_query_params,
            )
            return
        if scope.get("method") not in _BODY_METHODS:
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        content_type = headers.get(b"content-type", b"").decode("latin-1").lower()
        if content_type.startswith(_STREAMED_TYPES):
            await self.app(scope, receive, send)
            return
        declared = headers.get(b"content-length", b"").decode("latin-1").strip()
        if declared.isdigit() and int(declared) > limits.max_body_bytes:
            await self._too_large(scope, send)
            return
        try:
            body = await self._read_body(receive)
        except _TooLarge:
            await self._too_large(scope, send)
            return
        if "json" in content_type and json_depth_exceeds(body, limits.max_json_depth):
            await self._refuse(
                scope,
                send,
                400,
                "json-too-deep",
                f"the JSON body nests deeper than {limits.max_json_depth} levels",
                limit=limits.max_json_depth,
            )
            return
        await self.app(scope, _replay(body, receive), send)

    async def _read_body(self, receive: Receive) -> bytes:
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.limits.max_body_bytes:
                raise _TooLarge
            chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks)

    async def _too_large(self, scope: Scope, send: Send) -> None:
        limit = self.limits.max_body_bytes
        await self._refuse(
            scope,
            send,
            413,
            "payload-too-large",
            f"the request body is larger than {limit} bytes",
            limit=limit,
            title="Payload too large",
        )

    @staticmethod
    async def _refuse(
        scope: Scope,
        send: Send,
        status: int,
        code: str,
        detail: str,
        *,
        title: str = "Bad request",
        **extra: Any,
    ) -> None:
        response = problem_response(
            status, title, detail, code=code, instance=scope.get("path"), **extra
        )

        async def no_body() -> Message:
            return {"type": "http.disconnect"}

        await response(scope, no_body, send)


def _replay(body: bytes, receive: Receive) -> Receive:
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
