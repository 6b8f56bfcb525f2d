"""Developers' accounts: registration, and the e-mail link that verifies an address.

Registration takes a name, an e-mail address, an optional organisation and the acceptance of
the terms of use, and mails a single-use link that expires (``REUSE_VERIFICATION_HOURS``).
Following it verifies the address and issues an API key (shown once). Registering again with
the same address changes nothing of the account and mails a new link: that is also how a
developer who lost their keys gets a new one. The answer is the same whether the address was
known or not, so that registration tells nobody who has an account.

Only a digest of the link's token is kept (the token is 256-bit random).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import update
from sqlmodel import col, select

from libs.auth import IssuedApiKey
from libs.db import utcnow
from libs.fields import Email, Line
from libs.http.problems import Conflict, NotFound, Problem
from libs.uow import UnitOfWork
from services.reuse.domain import keys
from services.reuse.models import ApiKey, Developer, EmailLink
from services.reuse.settings import ReuseSettings

Name = Annotated[Line, Field(min_length=2, max_length=200)]
OrganizationName = Annotated[Line, Field(min_length=2, max_length=200)]


class DeveloperRegistration(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name = Field(description="How the developer is shown as a reuse's author")
    email: Email = Field(description="Where the verification link is sent")
    organization: OrganizationName | None = Field(
        default=None, description="The company, association or lab the developer belongs to"
    )
    accept_terms: Literal[True] = Field(
        description="The developer accepts the portal's terms of use (must be true)"
    )


class LinkExpired(Problem):
    status, title, code = 410, "Gone", "link-expired"


@dataclass(frozen=True)
class Registration:
    developer: Developer
    message: EmailMessage  # to send before the unit commits


@dataclass(frozen=True)
class Confirmation:
    developer: Developer
    api_key: ApiKey
    issued: IssuedApiKey


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _message(
    settings: ReuseSettings, developer: Developer, link: str, hours: float
) -> EmailMessage:
    known = developer.verified_at is not None
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = developer.email
    if known:
        message["Subject"] = "Bayanat : nouvelle clé d'API — مفتاح جديد للواجهة البرمجية"
        why_fr = "Une nouvelle clé d'API a été demandée pour votre compte de développeur."
        why_ar = "طُلب مفتاح جديد للواجهة البرمجية لحسابك."
    else:
        message["Subject"] = "Bayanat : confirmez votre adresse — أكّد عنوانك"
        why_fr = (
            "Confirmez votre adresse pour recevoir votre clé d'API et déclarer vos réutilisations."
        )
        why_ar = "أكّد عنوانك لتحصل على مفتاح الواجهة البرمجية وتصرّح بإعادات الاستخدام."
    message.set_content(
        f"Bonjour {developer.name},\n\n{why_fr}\nCe lien sert une seule fois et expire dans "
        f"{hours:g} heures :\n\n{link}\n\nSi vous n'êtes pas à l'origine de cette demande, "
        "ignorez ce message.\n\n"
        f"مرحبا {developer.name}،\n\n{why_ar}\nهذا الرابط صالح لمرة واحدة وينتهي بعد "
        f"{hours:g} ساعة:\n\n{link}\n\nإذا لم تطلب ذلك، تجاهل هذه الرسالة.\n"
    )
    return message


def register_developer(
    uow: UnitOfWork,
    *,
    registration: DeveloperRegistration,
    settings: ReuseSettings,
    now: datetime | None = None,
) -> Registration:
    """The developer's account (created, or the one of that address) and the message carrying
    a new link; the caller sends it, then commits."""
    now = now or utcnow()
    session = uow.session
    developer = session.exec(
        select(Developer).where(col(Developer.email) == registration.email)
    ).first()
    if developer is None:
        developer = Developer(
            name=registration.name,
            email=registration.email,
            organization=registration.organization,
            terms_accepted_at=now,
            created_at=now,
        )
        session.add(developer)
        session.flush()
    token = secrets.token_urlsafe(32)
    hours = settings.verification_hours
    session.add(
        EmailLink(
            digest=_digest(token),
            developer_id=developer.id,
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    link = settings.verification_link(token)
    return Registration(developer, _message(settings, developer, link, hours))


def find_link(uow: UnitOfWork, *, token: str, now: datetime | None = None) -> EmailLink:
    """The link of ``token`` if it may still be followed: 404 unknown, 409 used, 410 expired."""
    now = now or utcnow()
    link = uow.session.get(EmailLink, _digest(token))
    if link is None:
        raise NotFound("no such verification link", code="link-unknown")
    if link.used_at is not None:
        raise Conflict(
            "this link was already used; register again to receive a new one", code="link-used"
        )
    if link.expires_at <= now:
        raise LinkExpired("this link has expired; register again to receive a new one")
    return link


def confirm_email(
    uow: UnitOfWork,
    *,
    token: str,
    settings: ReuseSettings,
    now: datetime | None = None,
) -> Confirmation:
    """Follow a link: the address is verified, the link used, and a new API key issued."""
    now = now or utcnow()
    link = find_link(uow, token=token, now=now)
    developer = uow.session.get(Developer, link.developer_id)
    if developer is None:  # the link's foreign key cascades: not reachable
        raise NotFound("no such developer", code="link-unknown")
    # Used once, even by two requests at the same moment: the second updates no row.
    claimed = uow.session.exec(
        update(EmailLink)
        .where(col(EmailLink.digest) == link.digest, col(EmailLink.used_at).is_(None))
        .values(used_at=now)
    )
    if claimed.rowcount != 1:
        raise Conflict("this link was already used", code="link-used")
    developer.verified_at = developer.verified_at or now
    uow.session.add(developer)
    api_key, issued = keys.issue_key(
        uow,
        developer,
        name=f"e-mail link of {now:%Y-%m-%d}",
        lifetime=timedelta(days=settings.key_lifetime_days),
        now=now,
    )
    return Confirmation(developer, api_key, issued)
