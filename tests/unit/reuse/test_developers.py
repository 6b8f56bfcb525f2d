"""Registration and the e-mail link: single use, expiring, the same answer for any address."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select

from libs.auth import api_key_prefix
from libs.http.problems import Conflict, NotFound, Problem
from services.reuse.domain import developers
from services.reuse.domain.developers import DeveloperRegistration
from services.reuse.models import ApiKey, Developer, EmailLink
from services.reuse.settings import ReuseSettings
from tests.support.units import SqliteUnits
from tests.unit.reuse.conftest import count

SETTINGS = ReuseSettings(
    public_url="https://reuse.example.org", verification_hours=24, key_lifetime_days=90
)
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
LINK = re.compile(r"https://reuse\.example\.org/api/v1/developers/verification\?token=(\S+)")


def register(units: SqliteUnits, email: str = "Salma@Example.org", **fields: str) -> str:
    """Register; the token of the link in the message."""
    registration = DeveloperRegistration.model_validate(
        {"name": "Salma", "email": email, "accept_terms": True, **fields}
    )
    with units() as uow:
        outcome = developers.register_developer(
            uow, registration=registration, settings=SETTINGS, now=NOW
        )
        uow.commit()
    assert outcome.message["To"] == email.lower()
    match = LINK.search(outcome.message.get_content())
    assert match, outcome.message.get_content()
    return match.group(1)


def confirm(units: SqliteUnits, token: str, at: datetime = NOW) -> developers.Confirmation:
    with units() as uow:
        confirmation = developers.confirm_email(uow, token=token, settings=SETTINGS, now=at)
        uow.commit()
    return confirmation


def test_terms_must_be_accepted() -> None:
    with pytest.raises(ValueError, match="accept_terms"):
        DeveloperRegistration.model_validate(
            {"name": "Salma", "email": "s@example.org", "accept_terms": False}
        )


def test_the_link_verifies_the_address_once_and_issues_a_key(units: SqliteUnits) -> None:
    token = register(units, organization="Lab")
    with units() as uow:
        (developer,) = uow.session.exec(select(Developer)).all()
        assert developer.email == "salma@example.org" and developer.verified_at is None
        assert developer.terms_accepted_at == NOW and developer.organization == "Lab"
        (link,) = uow.session.exec(select(EmailLink)).all()
        assert link.digest != token and link.expires_at == NOW + timedelta(hours=24)

    confirmation = confirm(units, token, NOW + timedelta(hours=1))
    assert confirmation.developer.verified_at == NOW + timedelta(hours=1)
    assert api_key_prefix(confirmation.issued.key) == confirmation.api_key.prefix
    assert confirmation.api_key.expires_at == NOW + timedelta(hours=1, days=90)
    with pytest.raises(Conflict) as again:
        confirm(units, token)
    assert again.value.code == "link-used"
    assert count(units, ApiKey) == 1


def test_an_expired_or_unknown_link_is_refused(units: SqliteUnits) -> None:
    token = register(units)
    with pytest.raises(Problem) as expired:
        confirm(units, token, NOW + timedelta(hours=24))
    assert (expired.value.status, expired.value.code) == (410, "link-expired")
    with pytest.raises(NotFound):
        confirm(units, "x" * 43)
    assert count(units, ApiKey) == 0


def test_registering_again_keeps_the_account_and_mails_a_new_link(units: SqliteUnits) -> None:
    confirm(units, register(units))
    token = register(units, email="salma@example.org", name="Somebody Else")
    with units() as uow:
        (developer,) = uow.session.exec(select(Developer)).all()
        assert developer.name == "Salma", "a registration never changes an existing account"
    second = confirm(units, token)
    assert second.developer.verified_at == NOW
    assert count(units, ApiKey) == 2, "the new link is how a lost key is replaced"
