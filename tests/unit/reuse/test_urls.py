"""When two URLs are one reuse, and which URLs a reuse may give."""

from __future__ import annotations

import pytest
from pydantic import TypeAdapter, ValidationError

from services.reuse.domain.urls import PublicUrl, normalise_url, url_digest

PUBLIC_URL: TypeAdapter[str] = TypeAdapter(PublicUrl)


@pytest.mark.parametrize(
    "variant",
    [
        "https://budget.example.org/app",
        "http://budget.example.org/app",
        "HTTPS://Budget.Example.ORG/app/",
        "https://budget.example.org:443/app#section",
        "https://budget.example.org./app",
        "https://budget.example.org/x/../app",
        "https://budget.example.org/./app?utm_source=newsletter&fbclid=1",
        "https://budget.example.org/%61pp",
    ],
)
def test_spellings_of_one_page_normalise_alike(variant: str) -> None:
    assert normalise_url(variant) == "budget.example.org/app"
    assert url_digest(variant) == url_digest("https://budget.example.org/app")


def test_what_tells_pages_apart_is_kept() -> None:
    assert normalise_url("https://a.example.org/b?y=2&x=1") == "a.example.org/b?x=1&y=2"
    assert normalise_url("https://a.example.org:8443/b") == "a.example.org:8443/b"
    assert normalise_url("https://a.example.org/B") != normalise_url("https://a.example.org/b")
    assert normalise_url("https://a.example.org/%2f") == "a.example.org/%2F"
    assert normalise_url("https://Bücher.example.org/") == "xn--bcher-kva.example.org"
    assert (
        normalise_url("https://a.example.org/تطبيق")
        == "a.example.org/%D8%AA%D8%B7%D8%A8%D9%8A%D9%82"
    )


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://files.example.org/app", "absolute http"),
        ("https://user:secret@example.org/", "user name or password"),
        ("http://127.0.0.1:8000/admin", "not a public address"),
        ("http://[::ffff:10.0.0.1]/", "not a public address"),
        ("http://169.254.169.254/latest/meta-data", "not a public address"),
        ("http://localhost/", "names this machine"),
        ("http://intranet/", "no dot"),
        ("https://a..example.org/", "not a valid domain name"),
        ("https://example.org/" + "a" * 2000, "at most 2000"),
        ("https://example.org/\u0000", "control character"),
    ],
)
def test_urls_that_cannot_be_public_pages_are_refused(url: str, why: str) -> None:
    with pytest.raises(ValidationError, match=why):
        PUBLIC_URL.validate_python(url)


def test_a_public_url_is_kept_as_given() -> None:
    assert PUBLIC_URL.validate_python(" https://Example.org/App ") == "https://Example.org/App"
    assert PUBLIC_URL.validate_python("https://8.8.8.8/dns") == "https://8.8.8.8/dns"
