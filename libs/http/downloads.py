"""Files and tables handed to browsers and spreadsheets, safely.

- ``attachment(filename)``: a ``Content-Disposition`` whose file name cannot break the header
  (RFC 6266: an ASCII fallback and the exact name as RFC 8187 ``filename*``).
- ``safe_cell(value)``: a CSV cell a spreadsheet shows as text, never runs as a formula
  (OWASP's advice: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
  return is prefixed with a quote).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import quote

_UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._ ()\[\]-]+")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_filename(filename: str | None, default: str = "download") -> str:
    """The name without path, controls or characters a file system or header chokes on."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return name[:200] or default


def attachment(filename: str | None, *, inline: bool = False) -> str:
    name = safe_filename(filename)
    fallback = _UNSAFE_ASCII.sub("_", unicodedata.normalize("NFKD", name)).strip("_") or "download"
    disposition = "inline" if inline else "attachment"
    return f"{disposition}; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def safe_cell(value: Any) -> Any:
    """A value for a CSV cell: text that a spreadsheet would take for a formula gets a quote."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
