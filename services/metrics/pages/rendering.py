"""Rendering a page: the Jinja2 templates, the page's language and links, and the headers
every page carries (a Content-Security-Policy that lets only the service's own scripts and
styles run: the pages have no inline script and no inline style)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from services.metrics.pages import views
from services.metrics.pages.i18n import Digits, Lang, Locale, parse_digits, parse_lang

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
TEMPLATES = Jinja2Templates(directory=HERE / "templates")
TEMPLATES.env.trim_blocks = True
TEMPLATES.env.lstrip_blocks = True

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "connect-src 'self'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    # The figures move: a page is never served from a cache without asking.
    "Cache-Control": "no-cache",
}


@cache
def fingerprint(path: str) -> str:
    """A static file's digest, appended to its URL so that a new version is fetched anew."""
    return hashlib.sha256((STATIC_DIR / path).read_bytes()).hexdigest()[:12]


class PageError(Exception):
    """A request a page cannot answer: rendered as an HTML page with its status."""

    def __init__(self, status: int, title: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.title = title
        self.message = message


@dataclass(frozen=True)
class Page:
    """One request's page: its language and digits, what the reader asked for explicitly
    (kept by the switcher's links), and the links it makes."""

    request: Request
    locale: Locale
    asked: dict[str, str]

    @classmethod
    def of(cls, request: Request, zone: str) -> Page:
        params = request.query_params
        lang = parse_lang(params.get("lang"))
        digits = parse_digits(params.get("digits"), lang)
        asked = {
            name: params[name]
            for name, allowed in (
                ("lang", {x.value for x in Lang}),
                ("digits", {x.value for x in Digits}),
            )
            if params.get(name) in allowed
        }
        if "as_of" in params:
            asked["as_of"] = params["as_of"]
        return cls(request, Locale(lang, digits, ZoneInfo(zone)), asked)

    def as_of(self, default: date) -> date:
        value = self.request.query_params.get("as_of")
        if value is None:
            return default
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise PageError(400, "bad_request", "bad_date") from None

    def root(self, path: str) -> str:
        return self.request.scope.get("root_path", "") + path

    def static(self, path: str) -> str:
        return self.root(f"/static/{path}?v={fingerprint(path)}")

    def link(self, path: str, **params: str | None) -> str:
        """A link to a page of the service in this page's language and digits."""
        kept = {k: v for k, v in self.asked.items() if k in ("lang", "digits")}
        merged = {k: v for k, v in {**kept, **params}.items() if v is not None}
        return self.root(path) + (f"?{urlencode(merged)}" if merged else "")

    def switch(self, **params: str | None) -> str:
        """This page with other parameters (the language and digits switcher)."""
        merged = {k: v for k, v in {**self.asked, **params}.items() if v is not None}
        if "lang" in params and "digits" not in self.asked:
            merged.pop("digits", None)  # the new language's own digits
        query = urlencode(merged)
        return self.request.url.path + (f"?{query}" if query else "")

    def api(self, path: str, **params: str | None) -> str:
        query = urlencode({k: v for k, v in params.items() if v is not None})
        return self.root(f"/api/v1{path}") + (f"?{query}" if query else "")


def render(page: Page, template: str, status: int = 200, **context: Any) -> HTMLResponse:
    locale = page.locale
    return TEMPLATES.TemplateResponse(
        page.request,
        template,
        {
            "page": page,
            "loc": locale,
            "w": locale.word,
            "views": views,
            "raw": views.raw,
            **context,
        },
        status_code=status,
        headers=PAGE_HEADERS,
    )


def render_error(page: Page, error: PageError) -> HTMLResponse:
    return render(page, "error.html", status=error.status, title=error.title, message=error.message)
