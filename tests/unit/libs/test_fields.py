"""The input types: what user-supplied text may contain, and how it is stored."""

from __future__ import annotations

from typing import Annotated

import pytest
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from libs.fields import Email, HttpUrl, Line, Localized, LocalizedText, Text, clean_text


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("  budget général  ", "budget général"),
        ("e\u0301cole", "école"),  # NFC: one code point
        ("الإحصاءات السنوية", "الإحصاءات السنوية"),
        ("a\u200db", "a\u200db"),  # a zero-width joiner is text, not a control
    ],
)
def test_a_line_is_trimmed_and_composed(raw: str, stored: str) -> None:
    assert TypeAdapter(Line).validate_python(raw) == stored


@pytest.mark.parametrize(
    "raw", ["a\x00b", "a\x1bb", "a\x0bb", "a\nb", "a\x85b", "a\ufffeb", "a\ud800b"]
)
def test_a_line_refuses_controls_breaks_non_characters_and_surrogates(raw: str) -> None:
    with pytest.raises(ValidationError):
        TypeAdapter(Line).validate_python(raw)


def test_text_keeps_newlines_and_tabs_and_folds_carriage_returns() -> None:
    assert TypeAdapter(Text).validate_python("one\r\ntwo\tthree\rfour") == "one\ntwo\tthree\nfour"
    with pytest.raises(ValidationError):
        TypeAdapter(Text).validate_python("bell\x07")


def test_a_lone_surrogate_is_named() -> None:
    with pytest.raises(ValueError, match="surrogate"):
        clean_text("\udfff")


def test_a_shorter_maximum_is_one_more_constraint() -> None:
    short = TypeAdapter(Annotated[Line, Field(max_length=5)])
    assert short.validate_python("abcde") == "abcde"
    with pytest.raises(ValidationError):
        short.validate_python("abcdef")
    assert short.json_schema()["maxLength"] == 5


def test_localized_needs_arabic_or_french_and_keeps_only_what_is_given() -> None:
    assert Localized(ar=" عنوان ", en="").as_dict() == {"ar": "عنوان"}
    with pytest.raises(ValidationError, match="Arabic"):
        Localized(en="Only English")
    with pytest.raises(ValidationError):
        Localized(fr="x", de="nein")  # type: ignore[call-arg]
    assert LocalizedText(fr="ligne 1\nligne 2").as_dict() == {"fr": "ligne 1\nligne 2"}
    with pytest.raises(ValidationError):
        Localized(fr="ligne 1\nligne 2")


class Contact(BaseModel):
    url: HttpUrl
    email: Email


def test_urls_and_emails_are_checked() -> None:
    contact = Contact(url=" https://data.gov.ma/x ", email=" Data@Gov.MA ")
    assert (contact.url, contact.email) == ("https://data.gov.ma/x", "data@gov.ma")
    for url in ("ftp://x.org/", "http://", "http://x.org:99999/", "javascript:alert(1)"):
        with pytest.raises(ValidationError):
            Contact(url=url, email="a@b.ma")
    with pytest.raises(ValidationError):
        Contact(url="https://x.org", email="not an email")
