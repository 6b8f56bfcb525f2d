"""Reuses: declared by verified developers, citing published datasets, moderated by admins.

::

    declare ──▶ declared ──verify (admin)──▶ verified
                   │  ▲                         │
                   │  └── the URL changes ──────┘
                   └──────reject (admin)──▶ rejected        delete (owner): gone, from any state

A declared reuse is public at once, as "declared, unverified". Events: ``reuse declared`` at
creation; ``reuse updated`` when what consumers keep of it changes (title, type, topic, URL,
cited datasets); ``reuse verified``; ``reuse removed`` when its owner deletes it or an admin
rejects it. Each carries the institutions that publish the cited datasets, from the replica.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, func, select

from libs.auth import Principal
from libs.db import utcnow
from libs.events.schemas import (
    LocalizedText,
    ReuseDeclared,
    ReuseRemoved,
    ReuseType,
    ReuseUpdated,
    ReuseVerified,
)
from libs.fields import Line, Localized, ShortLine, Text
from libs.fields import LocalizedText as LocalizedInput
from libs.http.pagination import Page, PageParams, paginate
from libs.http.problems import Conflict, NotFound, Unauthorized
from libs.text import normalise
from libs.uow import UnitOfWork
from services.reuse.domain import access
from services.reuse.domain.replica import as_uuid, find_dataset, resolve_citations
from services.reuse.domain.search import NEWEST_FIRST, reindex_reuse
from services.reuse.domain.urls import PublicUrl, url_digest
from services.reuse.domain.vocabulary import ReuseTopic
from services.reuse.models import (
    PUBLIC_STATES,
    DatasetReplica,
    Developer,
    Reuse,
    ReuseDataset,
    ReuseState,
)

# Bounds that keep every reuse event far below the broker's message size (about 1 MB): at
# most 50 dataset and institution ids, a title of 3 × 500 characters, a URL of 2,000.
MAX_DATASETS = 50
MAX_TAGS = 20
DESCRIPTION_MAX = 5_000
REASON_MAX = 2_000

DatasetReference = Annotated[str, Field(min_length=1, max_length=100)]
Tag = Annotated[ShortLine, Field(min_length=1, max_length=50)]
Summary = Annotated[Text, Field(max_length=DESCRIPTION_MAX)]
OrganizationName = Annotated[Line, Field(min_length=2, max_length=200)]


class ReuseDescription(LocalizedInput):
    """What the reuse does, in Arabic and/or French (English optional): a summary of at most
    5,000 characters per language."""

    ar: Summary | None = None
    fr: Summary | None = None
    en: Summary | None = None


class _ReuseExtras(BaseModel):
    """What a reuse may say besides its title, description, type, URL and datasets."""

    model_config = ConfigDict(extra="forbid")

    topic: ReuseTopic | None = Field(default=None, description="What it is about")
    image_url: PublicUrl | None = Field(default=None, description="A picture of the reuse")
    tags: list[Tag] = Field(default_factory=list, max_length=MAX_TAGS)
    organization: OrganizationName | None = Field(
        default=None, description="Who made it, when not the developer's own organisation"
    )


Datasets = Annotated[
    list[DatasetReference],
    Field(
        min_length=1,
        max_length=MAX_DATASETS,
        description="The published datasets it uses, by id or slug",
    ),
]


class ReuseDeclaration(_ReuseExtras):
    """A new reuse."""

    title: Localized
    description: ReuseDescription
    type: ReuseType
    url: PublicUrl = Field(description="The reuse itself; one reuse per URL")
    datasets: Datasets


class ReuseChanges(_ReuseExtras):
    """A change of a reuse: only the fields given change; ``null`` clears topic, image_url and
    organization."""

    title: Localized | None = None
    description: ReuseDescription | None = None
    type: ReuseType | None = None
    url: PublicUrl | None = None
    datasets: Datasets | None = None

    @model_validator(mode="after")
    def _required_stay_set(self) -> Self:
        for name in ("title", "description", "type", "url", "datasets", "tags"):
            if name in self.model_fields_set and getattr(self, name) is None:
                raise ValueError(f"{name} cannot be removed, only changed")
        return self


@dataclass(frozen=True)
class Citation:
    dataset: DatasetReplica

    @property
    def withdrawn(self) -> bool:
        return self.dataset.withdrawn_at is not None


@dataclass(frozen=True)
class ReuseView:
    """A reuse with what its pages show: its author and the datasets it cites."""

    reuse: Reuse
    author: Developer
    citations: list[Citation]

    @property
    def institution_ids(self) -> list[uuid.UUID]:
        return list(dict.fromkeys(c.dataset.institution_id for c in self.citations))


# --- reading -------------------------------------------------------------------------------------


def find_reuse(uow: UnitOfWork, reference: str | uuid.UUID) -> Reuse | None:
    """A reuse by its id or its slug."""
    key = reference if isinstance(reference, uuid.UUID) else as_uuid(reference)
    if key is not None:
        return uow.session.get(Reuse, key)
    return uow.session.exec(select(Reuse).where(col(Reuse.slug) == str(reference))).first()


def get_reuse(uow: UnitOfWork, actor: Principal | None, reference: str | uuid.UUID) -> Reuse:
    """404 also when the caller may not see it (a rejected reuse of someone else)."""
    reuse = find_reuse(uow, reference)
    if reuse is None or not access.can_view(actor, reuse):
        raise NotFound(f"no reuse {reference}", code="reuse-not-found")
    return reuse


def reuses_of(uow: UnitOfWork, actor: Principal, params: PageParams) -> Page[Reuse]:
    """A developer's own reuses, newest first, rejected ones included."""
    statement = (
        select(Reuse).where(col(Reuse.developer_id) == actor.subject).order_by(*NEWEST_FIRST)
    )
    return paginate(uow.session, statement, params)


def load_views(uow: UnitOfWork, reuses: Sequence[Reuse]) -> list[ReuseView]:
    """Views of ``reuses`` in two statements, whatever their number."""
    ids = [reuse.id for reuse in reuses]
    cited: dict[uuid.UUID, list[Citation]] = defaultdict(list)
    for reuse_id, dataset in uow.session.exec(
        select(ReuseDataset.reuse_id, DatasetReplica)
        .join(DatasetReplica, col(DatasetReplica.id) == col(ReuseDataset.dataset_id))
        .where(col(ReuseDataset.reuse_id).in_(ids))
        .order_by(col(ReuseDataset.reuse_id), col(ReuseDataset.position))
    ).all():
        cited[reuse_id].append(Citation(dataset))
    author_ids = {reuse.developer_id for reuse in reuses}
    authors = {
        developer.id: developer
        for developer in uow.session.exec(
            select(Developer).where(col(Developer.id).in_(author_ids))
        ).all()
    }
    return [ReuseView(reuse, authors[reuse.developer_id], cited[reuse.id]) for reuse in reuses]


def load_view(uow: UnitOfWork, reuse: Reuse) -> ReuseView:
    return load_views(uow, [reuse])[0]


def count_by(uow: UnitOfWork, column: Any) -> dict[str, int]:
    """Public reuses per value of ``column`` (Reuse.reuse_type or Reuse.topic)."""
    rows = uow.session.exec(
        select(column, func.count())
        .where(col(Reuse.state).in_(PUBLIC_STATES), column.is_not(None))
        .group_by(column)
    ).all()
    return {str(value): int(count) for value, count in rows}


def dataset_or_404(uow: UnitOfWork, reference: str) -> DatasetReplica:
    dataset = find_dataset(uow, reference)
    if dataset is None:
        raise NotFound(f"no published dataset {reference}", code="dataset-not-found")
    return dataset


# --- events --------------------------------------------------------------------------------------


def _what_consumers_keep(view: ReuseView) -> dict[str, Any]:
    reuse = view.reuse
    return {
        "reuse_id": reuse.id,
        "title": LocalizedText.model_validate(reuse.title),
        "reuse_type": reuse.reuse_type,
        "topic_name": reuse.topic,
        "url": reuse.url,
        "dataset_ids": [c.dataset.id for c in view.citations],
        "institution_ids": view.institution_ids,
    }


def _declared(view: ReuseView) -> ReuseDeclared:
    reuse = view.reuse
    return ReuseDeclared(
        **_what_consumers_keep(view),
        developer_id=reuse.developer_id,
        organization=reuse.organization,
        declared_at=reuse.declared_at,
    )


def _updated(view: ReuseView) -> ReuseUpdated:
    reuse = view.reuse
    return ReuseUpdated(
        **_what_consumers_keep(view),
        verified=reuse.state == ReuseState.VERIFIED,
        updated_at=reuse.updated_at,
    )


# --- commands ------------------------------------------------------------------------------------


def _slug(uow: UnitOfWork, title: dict[str, str], reuse_id: uuid.UUID) -> str:
    """A URL name from the French (else English) title; Arabic-only titles get "reuse"."""
    words = normalise(title.get("fr") or title.get("en") or "")
    base = re.sub(r"[^a-z0-9]+", "-", words).strip("-")[:80].rstrip("-") or "reuse"
    taken = uow.session.exec(select(Reuse.id).where(col(Reuse.slug) == base)).first()
    return f"{base}-{reuse_id.hex[:8]}" if taken or base == "reuse" else base


def _ensure_url_free(uow: UnitOfWork, digest: str, url: str, reuse_id: uuid.UUID) -> None:
    other = uow.session.exec(select(Reuse.id).where(col(Reuse.url_digest) == digest)).first()
    if other is not None and other != reuse_id:
        raise Conflict(f"a reuse of {url} is already declared", code="url-taken", field="url")


def _tags(tags: list[str]) -> list[str]:
    return list(dict.fromkeys(tag.lower() for tag in tags))


def _cite(
    uow: UnitOfWork, reuse: Reuse, datasets: list[DatasetReplica], *, new: bool = False
) -> list[Citation]:
    """Make ``datasets`` the reuse's citations (``new``: it has none yet)."""
    session = uow.session
    if not new:
        session.exec(delete(ReuseDataset).where(col(ReuseDataset.reuse_id) == reuse.id))
    session.add_all(
        ReuseDataset(reuse_id=reuse.id, dataset_id=dataset.id, position=position)
        for position, dataset in enumerate(datasets)
    )
    return [Citation(dataset) for dataset in datasets]


def _flush_unique(uow: UnitOfWork, url: str) -> None:
    """Flush; two declarations of one URL at the same moment: the second is a 409."""
    try:
        uow.flush()
    except IntegrityError as exc:
        raise Conflict(f"a reuse of {url} is already declared", code="url-taken") from exc


def _developer(uow: UnitOfWork, actor: Principal) -> Developer:
    access.ensure_developer(actor)
    developer = uow.session.get(Developer, actor.subject)
    if developer is None:  # its key authenticated it: not reachable
        raise Unauthorized("no such developer", code="invalid-api-key")
    return developer


def declare_reuse(
    uow: UnitOfWork,
    actor: Principal,
    *,
    declaration: ReuseDeclaration,
    now: datetime | None = None,
) -> ReuseView:
    now = now or utcnow()
    developer = _developer(uow, actor)
    access.ensure_can_declare(developer)
    datasets = resolve_citations(uow, declaration.datasets)
    digest = url_digest(declaration.url)
    reuse_id = uuid.uuid4()
    _ensure_url_free(uow, digest, declaration.url, reuse_id)
    title = declaration.title.as_dict()
    reuse = Reuse(
        id=reuse_id,
        slug=_slug(uow, title, reuse_id),
        title=title,
        description=declaration.description.as_dict(),
        reuse_type=declaration.type,
        topic=declaration.topic,
        url=declaration.url,
        url_digest=digest,
        image_url=declaration.image_url,
        tags=_tags(declaration.tags),
        developer_id=developer.id,
        organization=declaration.organization or developer.organization,
        state=ReuseState.DECLARED,
        declared_at=now,
        updated_at=now,
    )
    uow.session.add(reuse)
    _flush_unique(uow, declaration.url)
    view = ReuseView(reuse, developer, _cite(uow, reuse, datasets, new=True))
    reindex_reuse(uow, reuse, new=True)
    uow.publish(_declared(view))
    return view


def update_reuse(
    uow: UnitOfWork,
    actor: Principal,
    *,
    reuse_id: uuid.UUID,
    changes: ReuseChanges,
    now: datetime | None = None,
) -> ReuseView:
    """Change what the owner gives; a new URL takes a verified reuse back to declared."""
    now = now or utcnow()
    reuse = get_reuse(uow, actor, reuse_id)
    access.ensure_owner(actor, reuse)
    if reuse.state == ReuseState.REJECTED:
        raise Conflict("a rejected reuse cannot be changed; delete it", code="reuse-rejected")
    view = load_view(uow, reuse)
    before = _updated(view).model_dump(exclude={"updated_at"})
    given = changes.model_fields_set
    if changes.title is not None:
        reuse.title = changes.title.as_dict()
    if changes.description is not None:
        reuse.description = changes.description.as_dict()
    if changes.type is not None:
        reuse.reuse_type = changes.type
    if "topic" in given:
        reuse.topic = changes.topic
    if "image_url" in given:
        reuse.image_url = changes.image_url
    if "organization" in given:
        reuse.organization = changes.organization
    if "tags" in given:
        reuse.tags = _tags(changes.tags)
    if changes.url is not None:
        digest = url_digest(changes.url)
        if digest != reuse.url_digest:
            _ensure_url_free(uow, digest, changes.url, reuse.id)
            if reuse.state == ReuseState.VERIFIED:  # what an admin verified was another page
                reuse.state, reuse.verified_at, reuse.verified_by = ReuseState.DECLARED, None, None
        reuse.url, reuse.url_digest = changes.url, digest
    if changes.datasets is not None:
        cited = frozenset(c.dataset.id for c in view.citations)
        datasets = resolve_citations(uow, changes.datasets, already_cited=cited)
        view = ReuseView(reuse, view.author, _cite(uow, reuse, datasets))
    reuse.updated_at = now
    uow.session.add(reuse)
    _flush_unique(uow, reuse.url)
    reindex_reuse(uow, reuse)
    after = _updated(view)
    if after.model_dump(exclude={"updated_at"}) != before:
        uow.publish(after)
    return view


def delete_reuse(
    uow: UnitOfWork, actor: Principal, *, reuse_id: uuid.UUID, now: datetime | None = None
) -> None:
    """The owner removes the reuse; consumers are told unless it was already rejected."""
    reuse = get_reuse(uow, actor, reuse_id)
    access.ensure_owner(actor, reuse)
    if reuse.state in PUBLIC_STATES:
        view = load_view(uow, reuse)
        uow.publish(
            ReuseRemoved(
                reuse_id=reuse.id,
                dataset_ids=[c.dataset.id for c in view.citations],
                removed_at=now or utcnow(),
                cause="deleted",
            )
        )
    uow.session.delete(reuse)
    uow.flush()


def _moderated(uow: UnitOfWork, actor: Principal, reuse_id: uuid.UUID) -> Reuse:
    access.ensure_can_moderate(actor)
    reuse = get_reuse(uow, actor, reuse_id)
    if reuse.state == ReuseState.REJECTED:
        raise Conflict(f"reuse {reuse_id} was rejected", code="reuse-rejected")
    return reuse


def verify_reuse(
    uow: UnitOfWork, actor: Principal, *, reuse_id: uuid.UUID, now: datetime | None = None
) -> ReuseView:
    reuse = _moderated(uow, actor, reuse_id)
    if reuse.state == ReuseState.VERIFIED:
        raise Conflict(f"reuse {reuse_id} is already verified", code="reuse-verified")
    now = now or utcnow()
    reuse.state, reuse.verified_at, reuse.verified_by = ReuseState.VERIFIED, now, actor.subject
    uow.session.add(reuse)
    uow.publish(ReuseVerified(reuse_id=reuse.id, verified_by=actor.subject, verified_at=now))
    return load_view(uow, reuse)


def reject_reuse(
    uow: UnitOfWork,
    actor: Principal,
    *,
    reuse_id: uuid.UUID,
    reason: str,
    now: datetime | None = None,
) -> ReuseView:
    """No longer public; its owner sees why. Consumers are told it is removed."""
    reuse = _moderated(uow, actor, reuse_id)
    now = now or utcnow()
    view = load_view(uow, reuse)
    reuse.state, reuse.rejected_at, reuse.rejected_by = ReuseState.REJECTED, now, actor.subject
    reuse.rejection_reason = reason
    uow.session.add(reuse)
    uow.publish(
        ReuseRemoved(
            reuse_id=reuse.id,
            dataset_ids=[c.dataset.id for c in view.citations],
            removed_at=now,
            cause="rejected",
            reason=reason,
        )
    )
    return view
