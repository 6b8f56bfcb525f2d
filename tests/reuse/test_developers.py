"""A developer's way in: registration, the mail on a real SMTP server, verification, keys."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from httpx import Response
from sqlalchemy import select, update

from libs.events.schemas import ReuseDeclared
from libs.settings import PlatformSettings
from services.reuse.mail import SmtpSender
from services.reuse.models import metadata
from tests.reuse.conftest import (
    SMTP_LOGIN,
    Mailbox,
    ReuseHarness,
    reuse_body,
    reuse_events,
    running_reuse,
)
from tests.support.apps import isolated_platform
from tests.support.brokers import free_port
from tests.support.infra import PostgresDatabases


def test_registration_mail_verification_key_declaration(reuse: ReuseHarness) -> None:
    assert reuse.mailbox is not None
    reuse.publish_dataset("budget-general")
    address = f"salma-{uuid.uuid4().hex[:6]}@example.org"
    registered = reuse.client.post(
        "/api/v1/developers",
        json={
            "name": "Salma Bennani",
            "email": address.upper(),
            "organization": "Association Budget Ouvert",
            "accept_terms": True,
        },
    )
    assert registered.status_code == 202, registered.text
    assert registered.json()["email"] == address

    (mail,) = reuse.mailbox.to(address)
    assert SMTP_LOGIN in reuse.mailbox.logins, "the sender logged in with its credentials"
    assert mail["From"] == reuse.settings.mail_from
    body = mail.get_content()
    assert (
        "Salma Bennani" in body
        and "http://testserver/api/v1/developers/verification?token=" in body
    )
    token = reuse.mailbox.last_token(address)

    # The link lands on a page that changes nothing (mail scanners open links).
    for _ in range(2):
        landing = reuse.client.get("/api/v1/developers/verification", params={"token": token})
        assert landing.status_code == 200 and landing.json()["valid"] is True

    verified = reuse.client.post("/api/v1/developers/verification", json={"token": token})
    assert verified.status_code == 201, verified.text
    answer = verified.json()
    assert answer["developer"]["verified"] is True
    assert answer["developer"]["organization"] == "Association Budget Ouvert"
    key = answer["api_key"]["key"]
    assert key.startswith(f"bk_{answer['api_key']['prefix']}_")
    again = reuse.client.post("/api/v1/developers/verification", json={"token": token})
    assert (again.status_code, again.json()["type"]) == (
        409,
        "https://data.gov.ma/problems/link-used",
    )

    me = reuse.client.get("/api/v1/developers/me", headers={"X-API-Key": key})
    assert me.json()["email"] == address
    declared = reuse.client.post(
        "/api/v1/reuses",
        headers={"Authorization": f"Bearer {key}"},
        json=reuse_body("budget-general"),
    )
    assert declared.status_code == 201, declared.text
    reuse_id = declared.json()["id"]
    assert declared.json()["organization"] == "Association Budget Ouvert"
    (event,) = reuse_events(reuse.platform, subject=reuse_id, until=1)
    assert event.type == ReuseDeclared.event_type
    assert ReuseDeclared.model_validate(event.data).developer_id == uuid.UUID(
        answer["developer"]["id"]
    )


def test_registering_a_known_address_answers_alike_and_mails_a_new_key_link(
    reuse: ReuseHarness,
) -> None:
    assert reuse.mailbox is not None
    address = f"known-{uuid.uuid4().hex[:6]}@example.org"
    first_key = reuse.developer_key(address, name="Karim")
    before = reuse.counts()
    answer = reuse.client.post(
        "/api/v1/developers",
        json={"name": "Impostor", "email": address, "accept_terms": True},
    )
    unknown = reuse.client.post(
        "/api/v1/developers",
        json={
            "name": "New",
            "email": f"new-{uuid.uuid4().hex[:6]}@example.org",
            "accept_terms": True,
        },
    )
    assert answer.status_code == unknown.status_code == 202
    assert answer.json().keys() == unknown.json().keys()
    assert answer.json()["detail"] == unknown.json()["detail"]
    messages = reuse.mailbox.to(address)
    assert len(messages) == 2 and "nouvelle clé" in messages[-1]["Subject"]
    token = reuse.mailbox.last_token(address)
    second = reuse.client.post("/api/v1/developers/verification", json={"token": token})
    assert second.status_code == 201
    assert second.json()["developer"]["name"] == "Karim", "the account did not change"
    assert second.json()["api_key"]["key"] != first_key
    assert reuse.counts() == before


def test_registration_is_refused_precisely(reuse: ReuseHarness) -> None:
    base = {"name": "Salma", "email": "refused@example.org", "accept_terms": True}
    cases = [
        ({**base, "accept_terms": False}, "accept_terms"),
        ({**base, "email": "not-an-address"}, "email"),
        ({**base, "name": "x" * 201}, "name"),
        ({**base, "name": "Sal\u0000ma"}, "name"),
        ({**base, "role": "admin"}, "role"),
    ]
    for body, field in cases:
        answer = reuse.client.post("/api/v1/developers", json=body)
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        assert field in [error["field"] for error in answer.json()["errors"]]
    assert reuse.mailbox is not None and not reuse.mailbox.to("refused@example.org", timeout=0)
    for token, status in (("x" * 43, 404), ("short", 422)):
        answer = reuse.client.post("/api/v1/developers/verification", json={"token": token})
        assert answer.status_code == status


def test_an_expired_link_is_gone(reuse: ReuseHarness) -> None:
    assert reuse.mailbox is not None
    address = f"late-{uuid.uuid4().hex[:6]}@example.org"
    reuse.client.post(
        "/api/v1/developers", json={"name": "Late", "email": address, "accept_terms": True}
    )
    token = reuse.mailbox.last_token(address)
    links = metadata.tables["email_link"]
    with reuse.engine.begin() as connection:
        connection.execute(
            update(links)
            .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
            .where(
                links.c.developer_id.in_(
                    select(metadata.tables["developer"].c.id).where(
                        metadata.tables["developer"].c.email == address
                    )
                )
            )
        )
    answer = reuse.client.post("/api/v1/developers/verification", json={"token": token})
    assert answer.status_code == 410 and answer.json()["type"].endswith("/link-expired")


def test_registrations_are_rate_limited_and_a_mail_failure_keeps_nothing(
    kafka: PlatformSettings, postgres_databases: PostgresDatabases, mailbox: Mailbox
) -> None:
    with running_reuse(
        postgres_databases.create("reuse_limits"),
        isolated_platform(kafka, "reuselim"),
        mailbox,
        registration_limit_per_ip=4,
        registration_limit_per_email=2,
    ) as harness:

        def register(address: str) -> Response:
            body = {"name": "Salma", "email": address, "accept_terms": True}
            return harness.client.post("/api/v1/developers", json=body)

        links = metadata.tables["email_link"]

        def link_count() -> int:
            with harness.engine.connect() as connection:
                return len(connection.execute(select(links.c.digest)).all())

        first = f"a-{uuid.uuid4().hex[:6]}@example.org"
        assert [register(first).status_code for _ in range(2)] == [202, 202]
        per_email = register(first)
        assert per_email.status_code == 429 and int(per_email.headers["Retry-After"]) > 0
        assert per_email.json()["type"] == "https://data.gov.ma/problems/rate-limited"
        assert "links sent to this e-mail address" in per_email.json()["detail"]
        assert link_count() == 2 and len(mailbox.to(first)) == 2

        # A mail that cannot be sent fails the registration, which keeps nothing.
        harness.app.state.mail_sender = SmtpSender(
            harness.settings.model_copy(update={"smtp_port": free_port()})
        )
        second = f"b-{uuid.uuid4().hex[:6]}@example.org"
        before = harness.counts()
        failed = register(second)
        assert failed.status_code == 503 and failed.json()["type"].endswith("/mail-unavailable")
        developers = metadata.tables["developer"]
        with harness.engine.connect() as connection:
            assert (
                connection.execute(
                    select(developers.c.id).where(developers.c.email == second)
                ).first()
                is None
            )
        assert harness.counts() == before and link_count() == 2

        per_address = register(f"c-{uuid.uuid4().hex[:6]}@example.org")
        assert per_address.status_code == 429
        assert "registrations from this address" in per_address.json()["detail"]
