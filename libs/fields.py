"""The input types every user-supplied value goes through, in every service.

Text is stored once and shown everywhere (JSON, XML, Turtle, CSV, HTML), so it is cleaned at
the door: valid Unicode scalar values only (a lone UTF-16 surrogate cannot be encoded), NFC,
no control characters (newline and tab only where text has several lines), no XML
non-characters, trimmed, and within a maximum length per field. A refusal is a 422 naming the
field (libs.http.problems turns pydantic's errors into problem details).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any, Self
from urllib.parse import urlsplit

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from libs.http.problems import InvalidInput

# Lengths shared by the services' inputs.
LINE_MAX = 500  # a title, a name, a label
SHORT_MAX = 100  # a code, a version, a tag
TEXT_MAX = 20_000  # a description, a comment
URL_MAX = 2_000
EMAIL_MAX = 254

_MULTILINE_ALLOWED = frozenset("\n\t")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def clean_text(value: str, *, multiline: bool = False) -> str:
    """``value`` as the platform stores it, or ValueError saying what is wrong with it."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise ValueError("contains an invalid character (a lone UTF-16 surrogate)") from exc
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    for position, char in enumerate(value):
        if unicodedata.category(char) == "Cc":
            if multiline and char in _MULTILINE_ALLOWED:
                continue
            kind = "a line break" if char == "\n" else f"control character U+{ord(char):04X}"
            raise ValueError(f"contains {kind} (at {position}), which is not allowed here")
        if char in "\ufffe\uffff":
            raise ValueError(f"contains the non-character U+{ord(char):04X} (at {position})")
    return value.strip()


def clean_line(value: str) -> str:
    """One line of text (a title, a name): no line breaks."""
    return clean_text(value, multiline=False)


def clean_paragraphs(value: str) -> str:
    """Text of several lines (a description): newlines and tabs kept."""
    return clean_text(value, multiline=True)


# A shorter maximum is one more constraint: ``Annotated[Line, Field(max_length=64)]``.
Line = Annotated[str, Field(max_length=LINE_MAX), AfterValidator(clean_line)]
ShortLine = Annotated[str, Field(max_length=SHORT_MAX), AfterValidator(clean_line)]
Text = Annotated[str, Field(max_length=TEXT_MAX), AfterValidator(clean_paragraphs)]


def http_url(value: str) -> str:
    value = clean_line(value)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("must be an absolute http(s) URL")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number in range
    except ValueError as exc:
        raise ValueError(f"has an invalid port: {exc}") from exc
    return value


def email_address(value: str) -> str:
    value = clean_line(value).lower()
    if not _EMAIL.match(value):
        raise ValueError("must be an email address")
    return value


HttpUrl = Annotated[str, Field(max_length=URL_MAX), AfterValidator(http_url)]
Email = Annotated[str, Field(max_length=EMAIL_MAX), AfterValidator(email_address)]
Slug = Annotated[str, Field(min_length=2, max_length=100, pattern=SLUG_PATTERN)]


# Moments and days a user may send: within what every database and date arithmetic accept
# (a day's neighbours and any offset must still be representable).
MIN_DAY = date(1000, 1, 1)
MAX_DAY = date(2999, 12, 31)


def bounded_day(value: date) -> date:
    if not MIN_DAY <= value <= MAX_DAY:
        raise ValueError(f"must be between {MIN_DAY} and {MAX_DAY}")
    return value


def bounded_moment(value: datetime) -> datetime:
    """An aware UTC moment (a naive one is read as UTC) between MIN_DAY and MAX_DAY."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        value = value.astimezone(UTC)
        bounded_day((value + timedelta(days=1)).date())
        bounded_day((value - timedelta(days=1)).date())
    except OverflowError as exc:
        raise ValueError(f"must be between {MIN_DAY} and {MAX_DAY}") from exc
    return value


Day = Annotated[date, AfterValidator(bounded_day)]
Moment = Annotated[datetime, AfterValidator(bounded_moment)]


class _Multilingual(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="after")
    def _one_official_language(self) -> Self:
        if not (getattr(self, "ar", None) or getattr(self, "fr", None)):
            raise ValueError("give it in Arabic (ar) or French (fr); English (en) is optional")
        return self

    def as_dict(self) -> dict[str, str]:
        """The languages given, without empty ones: how multilingual text is stored."""
        return {k: v for k, v in self.model_dump().items() if v}


class Localized(_Multilingual):
    """Multilingual text on one line (a title, a name): Arabic and/or French (at least one),
    English optional."""

    ar: Line | None = None
    fr: Line | None = None
    en: Line | None = None


class LocalizedText(_Multilingual):
    """Multilingual text of several lines (a description): Arabic and/or French (at least
    one), English optional."""

    ar: Text | None = None
    fr: Text | None = None
    en: Text | None = None


def changes_of(command: BaseModel, not_null: Iterable[str] = ()) -> dict[str, Any]:
    """The fields a partial update (a PATCH) sent; those in ``not_null`` cannot be cleared
    (422 naming the field)."""
    changes = command.model_dump(exclude_unset=True)
    for name in not_null:
        if name in changes and changes[name] is None:
            raise InvalidInput(name, "cannot be null")
    return changes


__all__ = [
    "EMAIL_MAX",
    "LINE_MAX",
    "MAX_DAY",
    "MIN_DAY",
    "SHORT_MAX",
    "SLUG_PATTERN",
    "TEXT_MAX",
    "URL_MAX",
    "Day",
    "Email",
    "HttpUrl",
    "Line",
    "Localized",
    "LocalizedText",
    "Moment",
    "ShortLine",
    "Slug",
    "Text",
    "bounded_day",
    "bounded_moment",
    "changes_of",
    "clean_line",
    "clean_paragraphs",
    "clean_text",
    "email_address",
    "http_url",
]
