"""Validation of tabular resources (CSV, TSV) with frictionless, summarised for reviewers.

What is checked: the encoding (the guide asks for UTF-8), the header (blank or duplicate
labels), blank rows, missing or extra cells, and type errors against the schema frictionless
infers from the data. The summary keeps the counts by error type and the first errors.
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import Any

from frictionless import Resource, validate

log = logging.getLogger("bayanat.governance.quality")

FIRST_ERRORS = 10
ERROR_LIMIT = 1000  # frictionless stops counting there; the summary says so
_ERROR_PLACES = {
    "row_number": "row",
    "field_name": "field",
    "field_number": "column",
    "cell": "cell",
}


def validate_table(content: bytes, *, fmt: str = "csv") -> dict[str, Any]:
    """A JSON-ready summary of the validation of ``content`` (bytes already downloaded)."""
    errors: list[dict[str, Any]] = []
    declared = "utf-8-sig" if content.startswith(b"\xef\xbb\xbf") else "utf-8"
    encoding: str | None = declared
    try:
        content.decode(declared)
    except UnicodeDecodeError as exc:
        encoding = None  # let frictionless detect it, to go on and check the structure
        errors.append(
            {
                "type": "encoding-error",
                "message": f"the file is not UTF-8: {exc.reason} at byte {exc.start}",
            }
        )
    try:
        resource = Resource(content, format=fmt, encoding=encoding)
        report = validate(resource, limit_errors=ERROR_LIMIT)
    except Exception as exc:  # frictionless raises on some malformed sources
        log.info("frictionless could not validate a resource: %r", exc)
        errors.append({"type": "source-error", "message": f"cannot be read as {fmt}: {exc}"})
        return _summary(errors, encoding=encoding, rows=None, fields=None, labels=[])
    task = report.tasks[0]
    for error in task.errors:
        entry: dict[str, Any] = {"type": error.type, "message": error.message}
        for attribute, key in _ERROR_PLACES.items():
            value = getattr(error, attribute, None)
            if value not in (None, ""):
                entry[key] = value
        errors.append(entry)
    stats = task.stats or {}
    summary = _summary(
        errors,
        encoding=encoding or getattr(resource, "encoding", None),
        rows=stats.get("rows"),
        fields=stats.get("fields"),
        labels=list(task.labels or []),
    )
    summary["truncated"] = len(task.errors) >= ERROR_LIMIT
    return summary


def _summary(
    errors: list[dict[str, Any]],
    *,
    encoding: str | None,
    rows: int | None,
    fields: int | None,
    labels: list[str],
) -> dict[str, Any]:
    return {
        "validated": True,
        "valid": not errors,
        "encoding": encoding,
        "rows": rows,
        "fields": fields,
        "header": labels[:50],
        "error_count": len(errors),
        "errors_by_type": dict(Counter(e["type"] for e in errors)),
        "first_errors": errors[:FIRST_ERRORS],
    }
