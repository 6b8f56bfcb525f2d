"""What the reuse service answers: typed response models, built from the domain's objects."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from libs.auth import IssuedApiKey
from libs.events.schemas import ReuseType
from libs.http.pagination import Page
from libs.uow import UnitOfWork
from services.reuse.domain.reuses import Citation, ReuseView, load_views
from services.reuse.models import ApiKey, Developer, Reuse, ReuseState


class Multilingual(BaseModel):
    """Text in Arabic and/or French, English optional."""

    ar: str | None = None
    fr: str | None = None
    en: str | None = None


class DeveloperOut(BaseModel):
    id: uuid.UUID
    name: str
    email: str
    organization: str | None
    verified: bool
    verified_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, developer: Developer) -> DeveloperOut:
        return cls(
            id=developer.id,
            name=developer.name,
            email=developer.email,
            organization=developer.organization,
            verified=developer.verified_at is not None,
            verified_at=developer.verified_at,
            created_at=developer.created_at,
        )


class RegistrationOut(BaseModel):
    status: Literal["link-sent"] = "link-sent"
    email: str
    detail: str = Field(
        default=(
            "A link was sent to this address. Follow it to verify the address and receive "
            "an API key; registering again sends a new link."
        )
    )


class LinkOut(BaseModel):
    """A verification link that may still be followed (POST its token to confirm)."""

    valid: Literal[True] = True
    expires_at: datetime
    confirm_with: str = 'POST /api/v1/developers/verification {"token": …}'


class ApiKeyOut(BaseModel):
    """A key as listed: never its secret."""

    id: uuid.UUID
    prefix: str = Field(description="The visible start of the key: bk_<prefix>_…")
    name: str
    created_at: datetime
    expires_at: datetime | None
    last_used_at: datetime | None = Field(description="To the minute")
    revoked_at: datetime | None
    active: bool

    @classmethod
    def of(cls, api_key: ApiKey, now: datetime) -> ApiKeyOut:
        expired = api_key.expires_at is not None and api_key.expires_at <= now
        return cls(
            id=api_key.id,
            prefix=api_key.prefix,
            name=api_key.name,
            created_at=api_key.created_at,
            expires_at=api_key.expires_at,
            last_used_at=api_key.last_used_at,
            revoked_at=api_key.revoked_at,
            active=api_key.revoked_at is None and not expired,
        )


class IssuedKeyOut(ApiKeyOut):
    key: str = Field(description="The key itself: shown this once, keep it safe")

    @classmethod
    def issued(cls, api_key: ApiKey, issued: IssuedApiKey, now: datetime) -> IssuedKeyOut:
        return cls(**ApiKeyOut.of(api_key, now).model_dump(), key=issued.key)


class VerificationOut(BaseModel):
    developer: DeveloperOut
    api_key: IssuedKeyOut


class CitedDatasetOut(BaseModel):
    id: uuid.UUID
    slug: str
    title: Multilingual
    institution_id: uuid.UUID
    withdrawn: bool = Field(description="Withdrawn from the catalog since it was cited")
    withdrawn_at: datetime | None

    @classmethod
    def of(cls, citation: Citation) -> CitedDatasetOut:
        dataset = citation.dataset
        return cls(
            id=dataset.id,
            slug=dataset.slug,
            title=Multilingual.model_validate(dataset.title),
            institution_id=dataset.institution_id,
            withdrawn=citation.withdrawn,
            withdrawn_at=dataset.withdrawn_at,
        )


class AuthorOut(BaseModel):
    id: uuid.UUID
    name: str


class RejectionOut(BaseModel):
    reason: str
    rejected_at: datetime


class ReuseOut(BaseModel):
    id: uuid.UUID
    slug: str
    title: Multilingual
    description: Multilingual
    type: ReuseType
    topic: str | None
    url: str
    image_url: str | None
    tags: list[str]
    datasets: list[CitedDatasetOut]
    institution_ids: list[uuid.UUID] = Field(
        description="The institutions that publish the cited datasets"
    )
    author: AuthorOut
    organization: str | None
    state: ReuseState = Field(description="declared (public, unverified), verified, rejected")
    verified: bool
    declared_at: datetime
    updated_at: datetime
    verified_at: datetime | None
    rejection: RejectionOut | None = Field(
        default=None, description="Why it was rejected (seen by its owner and admins)"
    )

    @classmethod
    def of(cls, view: ReuseView) -> ReuseOut:
        reuse = view.reuse
        rejection = None
        if reuse.rejected_at is not None:
            rejection = RejectionOut(
                reason=reuse.rejection_reason or "", rejected_at=reuse.rejected_at
            )
        return cls(
            id=reuse.id,
            slug=reuse.slug,
            title=Multilingual.model_validate(reuse.title),
            description=Multilingual.model_validate(reuse.description),
            type=reuse.reuse_type,
            topic=reuse.topic,
            url=reuse.url,
            image_url=reuse.image_url,
            tags=reuse.tags,
            datasets=[CitedDatasetOut.of(citation) for citation in view.citations],
            institution_ids=view.institution_ids,
            author=AuthorOut(id=view.author.id, name=view.author.name),
            organization=reuse.organization,
            state=ReuseState(reuse.state),
            verified=reuse.state == ReuseState.VERIFIED,
            declared_at=reuse.declared_at,
            updated_at=reuse.updated_at,
            verified_at=reuse.verified_at,
            rejection=rejection,
        )


def reuse_page(uow: UnitOfWork, page: Page[Reuse]) -> Page[ReuseOut]:
    """A page of reuses as answered: their datasets and authors read in one go."""
    return page.with_items([ReuseOut.of(view) for view in load_views(uow, page.items)])


class VocabularyCount(BaseModel):
    """A reuse type or topic, its names, and how many public reuses have it."""

    code: str
    title: Multilingual
    count: int
