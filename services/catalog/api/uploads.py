"""Receiving a file in a ``multipart/form-data`` request, streamed straight to the file store.

The body is parsed as it arrives (python-multipart's push parser): the file part goes chunk
by chunk into storage.UploadWriter, which hashes and measures it and stops at the size limit
(413, nothing kept); the other parts are small form fields. A declared Content-Length above the
limit is refused before a byte is read.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError
from python_multipart.multipart import MultipartParser, parse_options_header

from libs.http.problems import InvalidInput, Problem
from services.catalog.domain.storage import FileStore, StoredFile, UploadTooLarge, UploadWriter

if TYPE_CHECKING:  # the parser's callbacks, typed for checkers only
    from python_multipart.multipart import MultipartCallbacks

M = TypeVar("M", bound=BaseModel)

FILE_FIELD = "file"
MAX_FIELD_BYTES = 64 * 1024
# Room for the form fields and part headers around the file itself.
FORM_OVERHEAD_BYTES = 256 * 1024


def is_multipart(request: Request) -> bool:
    return request.headers.get("content-type", "").lower().startswith("multipart/form-data")


@dataclass
class ReceivedForm:
    fields: dict[str, str] = field(default_factory=dict)
    file: StoredFile | None = None


class _FormCollector:
    """The parser's callbacks: routes the file part to the store, buffers the fields."""

    def __init__(self, store: FileStore) -> None:
        self.store = store
        self.form = ReceivedForm()
        self.writer: UploadWriter | None = None
        self._header_field = b""
        self._header_value = b""
        self._headers: dict[str, bytes] = {}
        self._field_name: str | None = None
        self._field_value = bytearray()
        self._in_file = False

    def callbacks(self) -> MultipartCallbacks:
        return {
            "on_part_begin": self.part_begin,
            "on_header_field": self.header_field,
            "on_header_value": self.header_value,
            "on_header_end": self.header_end,
            "on_headers_finished": self.headers_finished,
            "on_part_data": self.part_data,
            "on_part_end": self.part_end,
        }

    def part_begin(self) -> None:
        self._headers = {}
        self._field_name = None
        self._field_value = bytearray()
        self._in_file = False

    def header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_field += data[start:end]

    def header_value(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def header_end(self) -> None:
        name = self._header_field.decode("latin-1").strip().lower()
        # Raw bytes: file names arrive as UTF-8, which a str round trip through latin-1 breaks.
        self._headers[name] = self._header_value.strip()
        self._header_field = b""
        self._header_value = b""

    def headers_finished(self) -> None:
        _, options = parse_options_header(self._headers.get("content-disposition", b""))
        name = options.get(b"name", b"").decode("utf-8", "replace")
        raw_filename = options.get(b"filename")
        if name == FILE_FIELD or raw_filename is not None:
            if name != FILE_FIELD:
                raise InvalidInput(
                    name or "file", f"send the file in the form field {FILE_FIELD!r}"
                )
            if self.writer is not None:
                raise InvalidInput(FILE_FIELD, "one file per request")
            sent = (raw_filename or b"").decode("utf-8", "replace")
            # Browsers on Windows used to send the whole path: keep its last segment.
            filename = sent.replace("\\", "/").rsplit("/", 1)[-1] or None
            content_type = self._headers.get("content-type", b"").decode("latin-1") or None
            self.writer = self.store.writer(filename, content_type)
            self._in_file = True
        else:
            self._field_name = name

    def part_data(self, data: bytes, start: int, end: int) -> None:
        if self._in_file:
            assert self.writer is not None
            self.writer.write(data[start:end])
            return
        self._field_value += data[start:end]
        if len(self._field_value) > MAX_FIELD_BYTES:
            raise InvalidInput(self._field_name or "form", f"at most {MAX_FIELD_BYTES} bytes")

    def part_end(self) -> None:
        if self._in_file:
            assert self.writer is not None
            self.form.file = self.writer.finish()
            self._in_file = False
        elif self._field_name:
            self.form.fields[self._field_name] = self._field_value.decode("utf-8", "replace")

    def discard(self) -> None:
        if self.writer is not None and not self.writer.done:
            self.writer.abort()
        if self.form.file is not None:
            self.store.delete(self.form.file.key)


async def receive_form(request: Request, store: FileStore) -> ReceivedForm:
    """Parse the multipart body, storing its file; on any failure nothing stays stored."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > store.max_bytes + FORM_OVERHEAD_BYTES:
        raise UploadTooLarge(store.max_bytes)
    _, options = parse_options_header(request.headers.get("content-type"))
    boundary = options.get(b"boundary")
    if not boundary:
        raise InvalidInput("file", "a multipart/form-data body with a boundary is expected")
    collector = _FormCollector(store)
    parser = MultipartParser(boundary, collector.callbacks())
    try:
        async for chunk in request.stream():
            if chunk:
                # Disk writes happen in the parser's callbacks: keep them off the event loop.
                await asyncio.to_thread(parser.write, chunk)
        parser.finalize()
        if collector.writer is not None and not collector.writer.done:
            raise InvalidInput(FILE_FIELD, "the file part is incomplete")
    except Problem:
        collector.discard()
        raise
    except Exception as exc:
        collector.discard()
        raise InvalidInput("file", f"malformed multipart body: {exc}") from exc
    return collector.form


def form_model(model: type[M], data: dict[str, Any], prefix: str = "") -> M:
    """Validate form data with a request model; 422 naming each offending field."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [
            {
                "field": prefix + ".".join(str(p) for p in error["loc"]),
                "message": error["msg"],
            }
            for error in exc.errors()
        ]
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        raise Problem(
            detail,
            status=422,
            title="Invalid input",
            code="invalid-input",
            field=errors[0]["field"] if errors else None,
            errors=errors,
        ) from exc


LOCALIZED_FORM_FIELDS = ("title", "description")


def resource_form_data(
    fields: dict[str, str], allowed_extra: tuple[str, ...] = ()
) -> dict[str, Any]:
    """Resource metadata from a form: a JSON ``metadata`` field and/or flat fields
    (``format``, ``media_type``, ``position``, ``title_ar``, ``title_fr``, ``description_fr``…).
    """
    data = json_field(fields, "metadata")
    for name, value in fields.items():
        if name == "metadata" or name in allowed_extra:
            continue
        base, _, language = name.rpartition("_")
        if base in LOCALIZED_FORM_FIELDS:
            data.setdefault(base, {})[language] = value
        elif name in ("format", "media_type", "position"):
            data[name] = value
        else:
            raise InvalidInput(name, "unknown form field")
    return data


def json_field(fields: dict[str, str], name: str) -> dict[str, Any]:
    """A form field holding a JSON object (``metadata``); absent means {}."""
    raw = fields.get(name)
    if raw is None or not raw.strip():
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidInput(name, f"not JSON: {exc.msg}") from exc
    if not isinstance(value, dict):
        raise InvalidInput(name, "a JSON object is expected")
    return value


async def json_body(request: Request) -> dict[str, Any]:
    try:
        value = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput("body", f"not JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise InvalidInput("body", "a JSON object is expected")
    return value
