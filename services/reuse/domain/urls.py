"""Reuse and image URLs: which ones a reuse may give, and when two of them are the same.

The service never fetches these URLs (no preview, no reachability check), so no request of its
own can be aimed at an internal address; should it ever fetch them, it must go through the
same guard as governance's quality checks. It still refuses URLs that cannot be public pages:
with credentials in them, on an IP address that is not globally routable, on ``localhost`` or on
a host name without a dot (an intranet name).

Two URLs are the same reuse when they normalise to the same text: scheme, default port,
fragment, trailing slash, dot segments, letter case of the host and of percent-escapes,
escaped unreserved characters, tracking parameters (``utm_*``, ``fbclid``, ``gclid``) and the
order of query parameters do not count.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
from typing import Annotated
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from pydantic import AfterValidator

from libs.fields import HttpUrl

_TRACKING = re.compile(r"^(utm_.*|fbclid|gclid|mc_cid|mc_eid)$", re.IGNORECASE)
_ESCAPE = re.compile(r"%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
# Characters a path keeps as they are: RFC 3986 reserved ones, unreserved ones, and escapes.
_PATH_SAFE = "/:@!$&'()*+,;=-._~%"
_DEFAULT_PORTS = {"http": 80, "https": 443}


def _why_not_public(host: str) -> str | None:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        if host == "localhost" or host.endswith(".localhost"):
            return "names this machine"
        if "." not in host:
            return "is not a public host name (it has no dot)"
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return None if address.is_global else "is not a public address"


def public_url(url: str) -> str:
    """``url`` if a reuse may show it (an absolute http(s) URL already), else ValueError."""
    parts = urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise ValueError("must not carry a user name or password")
    host = (parts.hostname or "").rstrip(".")
    reason = _why_not_public(host)
    if reason:
        raise ValueError(f"its host {host!r} {reason}")
    try:
        host.encode("idna")
    except UnicodeError as exc:
        raise ValueError(f"its host {host!r} is not a valid domain name") from exc
    return url


PublicUrl = Annotated[HttpUrl, AfterValidator(public_url)]


def _normal_escapes(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else f"%{match.group(1).upper()}"

    return _ESCAPE.sub(one, quote(text, safe=_PATH_SAFE))


def _without_dot_segments(path: str) -> str:
    kept: list[str] = []
    for segment in path.split("/"):
        if segment == "..":
            if len(kept) > 1:
                kept.pop()
        elif segment != ".":
            kept.append(segment)
    return "/".join(kept)


def normalise_url(url: str) -> str:
    """The form two URLs of one reuse share (no scheme: http and https are one page)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").rstrip(".").encode("idna").decode("ascii")
    port = parts.port
    netloc = host if port in (None, _DEFAULT_PORTS.get(parts.scheme.lower())) else f"{host}:{port}"
    path = _without_dot_segments(_normal_escapes(parts.path)).rstrip("/")
    query = sorted(
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING.match(name)
    )
    return netloc + path + (f"?{urlencode(query, quote_via=quote)}" if query else "")


def url_digest(url: str) -> str:
    """What the unique index holds: the SHA-256 of the normalised URL."""
    return hashlib.sha256(normalise_url(url).encode()).hexdigest()
