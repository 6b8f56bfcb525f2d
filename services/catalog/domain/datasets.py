"""Datasets: drafting, submission for review, publication, new data, withdrawal.

State machine::

    draft ──submit──▶ submitted ──ReviewDecided(approved)──▶ published ──withdraw──▶ withdrawn
      ▲                   │                                     │
      └──ReviewDecided(rejected, reasons)                       └──data update (stays published)

Only a draft can be edited (a submitted dataset is locked until the review decides). There is no
way to publish except a consumed approval of a submitted dataset (``apply_review_decision``).
Each command validates, authorises, changes the state, publishes its event and keeps the search
index in step, in the caller's unit of work, which commits it (the router, or the consumer for
an applied event): nothing here commits.
"""

from __future__ import annotations

import logging
import uuid
from datetime import date, datetime
from functools import partial
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from libs.auth import Principal
from libs.db import utcnow
from libs.events.schemas import (
    DatasetPublished,
    DatasetSubmitted,
    DatasetUpdated,
    DatasetWithdrawn,
    HarvestOrigin,
    ResourceSummary,
    ReviewDecided,
)
from libs.events.schemas import LocalizedText as EventText
from libs.fields import Email, Line, Localized, LocalizedText, ShortLine
from libs.http.problems import Conflict, InvalidInput
from libs.uow import UnitOfWork
from services.catalog.domain import validation
from services.catalog.domain.access import default_institution, ensure_can_write
from services.catalog.domain.institutions import (
    require_enrolled_for_new_dataset,
    require_enrolled_for_write,
)
from services.catalog.domain.search_index import reindex_dataset, remove_from_index
from services.catalog.domain.storage import FileStore
from services.catalog.domain.views import (
    DatasetView,
    get_dataset,
    is_uploaded,
    load_view,
    resource_url,
)
from services.catalog.models import (
    Dataset,
    DatasetState,
    DatasetTag,
    DatasetTheme,
    Resource,
)

log = logging.getLogger("bayanat.catalog.datasets")


# --- inputs ---------------------------------------------------------------------------------


CONTACT_NAME_MAX = 200
SPATIAL_MAX = 200
VERSION_MAX = 64
TITLE_DESCRIPTION = "In Arabic (ar) and/or French (fr); English (en) optional"


class ContactPointInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[Line, Field(max_length=CONTACT_NAME_MAX)] | None = None
    email: Email | None = None


class _DatasetMetadata(BaseModel):
    """Metadata a steward sets on a draft, but its title (every field optional)."""

    model_config = ConfigDict(extra="forbid")

    slug: ShortLine | None = Field(
        default=None,
        description="URL name: 2-100 of [a-z0-9_-]; made from the title when absent",
        examples=["budget-general-2024"],
    )
    description: LocalizedText | None = None
    tags: list[ShortLine] | None = Field(default=None, description="Free keywords, lower-cased")
    themes: list[ShortLine] | None = Field(default=None, description="Theme names (GET /themes)")
    license_id: ShortLine | None = Field(default=None, description="A licence id (GET /licenses)")
    frequency: ShortLine | None = Field(
        default=None, description="EU frequency code: DAILY, MONTHLY, ANNUAL, IRREG…"
    )
    temporal_start: date | None = None
    temporal_end: date | None = None
    spatial: list[Annotated[Line, Field(max_length=SPATIAL_MAX)]] | None = Field(
        default=None, description="Region codes (or region names) and commune names"
    )
    contact_point: ContactPointInput | None = None
    version: Annotated[ShortLine, Field(max_length=VERSION_MAX)] | None = None


class DatasetFields(_DatasetMetadata):
    """A draft's metadata to change: only the fields sent (a PATCH)."""

    title: Localized | None = Field(default=None, description=TITLE_DESCRIPTION)


class DatasetCreate(_DatasetMetadata):
    """A new draft: a title is required; the institution defaults to the steward's only one."""

    institution_id: uuid.UUID | None = Field(
        default=None, description="The institution publishing the dataset"
    )
    title: Localized = Field(description=TITLE_DESCRIPTION)


# --- helpers --------------------------------------------------------------------------------


def dataset_tags(session: Session, dataset_id: uuid.UUID) -> list[str]:
    statement = select(DatasetTag.tag).where(col(DatasetTag.dataset_id) == dataset_id)
    return list(session.exec(statement.order_by(col(DatasetTag.tag))))


def touch(uow: UnitOfWork, dataset: Dataset, *, at: datetime | None = None) -> None:
    """Mark a change: the modified time moves, the search index is refreshed, and what
    anonymous readers see (cached responses, search counts) is renewed once committed."""
    dataset.modified_at = at or utcnow()
    reindex_dataset(uow.session, dataset, dataset_tags(uow.session, dataset.id))
    uow.invalidate_caches()


def require_state(dataset: Dataset, allowed: DatasetState, action: str) -> None:
    """409 when ``dataset`` is not in the state ``action`` needs."""
    if dataset.state == allowed:
        return
    hints = {
        DatasetState.SUBMITTED: "it is submitted for review and locked until the decision",
        DatasetState.PUBLISHED: (
            "it is published: publish new data with POST .../data-updates, or withdraw it"
        ),
        DatasetState.WITHDRAWN: "it is withdrawn",
        DatasetState.DRAFT: "it is a draft: submit it for review first",
    }
    raise Conflict(
        f"cannot {action} dataset {dataset.slug!r}: {hints[DatasetState(dataset.state)]}",
        code="dataset-locked" if dataset.state == DatasetState.SUBMITTED else "invalid-state",
        state=str(dataset.state),
        required_state=str(allowed),
    )


def writable_dataset(
    uow: UnitOfWork,
    actor: Principal,
    ref: str | uuid.UUID,
    state: DatasetState,
    action: str,
    *,
    enrolled: bool = False,
) -> Dataset:
    """The dataset ``actor`` may ``action``: 404, 403 or 409 otherwise (and, with
    ``enrolled``, while its institution is not enrolled)."""
    dataset = get_dataset(uow.session, ref)
    ensure_can_write(actor, dataset.institution_id)
    require_state(dataset, state, action)
    if enrolled:
        require_enrolled_for_write(uow.session, dataset.institution_id)
    return dataset


def _slug_taken(session: Session, slug: str, except_id: uuid.UUID | None = None) -> bool:
    holder = session.exec(select(Dataset.id).where(col(Dataset.slug) == slug)).first()
    return holder is not None and holder != except_id


def _slug_conflict(slug: str) -> Conflict:
    return Conflict(
        f"slug: {slug!r} is already taken by another dataset",
        code="slug-taken",
        field="slug",
        errors=[{"field": "slug", "message": f"{slug!r} is already taken"}],
    )


def unique_slug(session: Session, title: dict[str, str]) -> str:
    """A free slug made from the title (French, else English, else Arabic transliterated)."""
    base = validation.slugify(validation.slug_source(title))
    if len(base) < 2:
        base = f"dataset-{base}".rstrip("-")
    candidate, n = base, 1
    while _slug_taken(session, candidate):
        n += 1
        candidate = f"{base}-{n}" if n < 1000 else f"{base}-{uuid.uuid4().hex[:8]}"
    return candidate


def _set_tags(session: Session, dataset_id: uuid.UUID, tags: list[str]) -> None:
    session.exec(delete(DatasetTag).where(col(DatasetTag.dataset_id) == dataset_id))
    session.add_all(DatasetTag(dataset_id=dataset_id, tag=tag) for tag in tags)


def _set_themes(session: Session, dataset_id: uuid.UUID, themes: list[str]) -> None:
    session.exec(delete(DatasetTheme).where(col(DatasetTheme.dataset_id) == dataset_id))
    session.add_all(DatasetTheme(dataset_id=dataset_id, theme_name=name) for name in themes)


def _apply_fields(
    session: Session,
    dataset: Dataset,
    fields: DatasetFields | DatasetCreate,
    present: set[str],
) -> None:
    """Validate and set the fields in ``present`` (all of them or a PATCH's)."""
    if "title" in present and fields.title is not None:
        dataset.title = fields.title.as_dict()
    if "description" in present:
        dataset.description = fields.description.as_dict() if fields.description else None
    if "slug" in present and fields.slug is not None:
        slug = validation.check_slug(fields.slug)
        if _slug_taken(session, slug, dataset.id):
            raise _slug_conflict(slug)
        dataset.slug = slug
    if "license_id" in present:
        licence = validation.license_id(session, fields.license_id)
        dataset.license_id = licence.id if licence else None
    if "frequency" in present:
        dataset.frequency = validation.frequency(fields.frequency)
    if "temporal_start" in present:
        dataset.temporal_start = fields.temporal_start
    if "temporal_end" in present:
        dataset.temporal_end = fields.temporal_end
    validation.temporal(dataset.temporal_start, dataset.temporal_end)
    if "spatial" in present:
        dataset.spatial = validation.spatial(fields.spatial or []) or None
    if "contact_point" in present:
        dataset.contact_point = validation.contact_point(
            fields.contact_point.model_dump() if fields.contact_point else None
        )
    if "version" in present:
        dataset.version = fields.version or None


def _flush_slug(uow: UnitOfWork, dataset: Dataset) -> None:
    """Write the changes so far: the unique index on ``slug`` may refuse a twin written
    concurrently (409; the unit is then left without a commit, and rolls back)."""
    try:
        uow.flush()
    except IntegrityError as exc:
        if "slug" in str(exc.orig).lower():
            raise _slug_conflict(dataset.slug) from exc
        raise


# --- steward commands -----------------------------------------------------------------------


def create_dataset(uow: UnitOfWork, actor: Principal, *, data: DatasetCreate) -> Dataset:
    """A new draft of ``data.institution_id`` (or the steward's only institution)."""
    session = uow.session
    institution_id = data.institution_id or default_institution(actor)
    ensure_can_write(actor, institution_id)
    require_enrolled_for_new_dataset(session, institution_id)
    tags = validation.tags(data.tags or [])
    themes = validation.themes(session, data.themes or [])
    now = utcnow()
    dataset = Dataset(
        id=uuid.uuid4(),
        slug="",
        title={},
        institution_id=institution_id,
        state=DatasetState.DRAFT,
        created_by=actor.subject,
        created_at=now,
        modified_at=now,
    )
    _apply_fields(session, dataset, data, set(DatasetFields.model_fields))
    if not dataset.slug:
        dataset.slug = unique_slug(session, dataset.title)
    session.add(dataset)
    _flush_slug(uow, dataset)
    _set_tags(session, dataset.id, tags)
    _set_themes(session, dataset.id, themes)
    session.flush()
    reindex_dataset(session, dataset, tags)
    uow.invalidate_caches()
    return dataset


def update_dataset(
    uow: UnitOfWork, actor: Principal, *, ref: str | uuid.UUID, changes: DatasetFields
) -> Dataset:
    """Change a draft's metadata: only the fields present in ``changes`` (a PATCH)."""
    dataset = writable_dataset(uow, actor, ref, DatasetState.DRAFT, "edit", enrolled=True)
    change_metadata(uow, dataset, changes)
    touch(uow, dataset)
    return dataset


def change_metadata(uow: UnitOfWork, dataset: Dataset, changes: DatasetFields) -> None:
    """Validate and set the fields present in ``changes``, whatever the dataset's state: the
    caller has authorised the change (a steward's draft, a harvest source's dataset)."""
    session = uow.session
    present = set(changes.model_fields_set)
    if "title" in present and changes.title is None:
        raise InvalidInput("title", "cannot be removed: a dataset needs a title in ar or fr")
    if "slug" in present and changes.slug is None:
        raise InvalidInput("slug", "cannot be removed (omit it to keep the current slug)")
    tags = validation.tags(changes.tags or []) if "tags" in present else None
    themes = validation.themes(session, changes.themes or []) if "themes" in present else None
    _apply_fields(session, dataset, changes, present)
    if tags is not None:
        _set_tags(session, dataset.id, tags)
    if themes is not None:
        _set_themes(session, dataset.id, themes)
    _flush_slug(uow, dataset)


def delete_dataset(
    uow: UnitOfWork, actor: Principal, *, ref: str | uuid.UUID, store: FileStore
) -> None:
    """Delete a draft and its uploaded files (a published dataset is withdrawn instead)."""
    session = uow.session
    dataset = writable_dataset(uow, actor, ref, DatasetState.DRAFT, "delete")
    keys = session.exec(
        select(Resource.storage_key).where(
            col(Resource.dataset_id) == dataset.id, col(Resource.storage_key).is_not(None)
        )
    ).all()
    remove_from_index(session, dataset.id)
    session.exec(delete(Resource).where(col(Resource.dataset_id) == dataset.id))
    session.exec(delete(DatasetTag).where(col(DatasetTag.dataset_id) == dataset.id))
    session.exec(delete(DatasetTheme).where(col(DatasetTheme.dataset_id) == dataset.id))
    session.delete(dataset)
    session.flush()
    uow.invalidate_caches()
    # Once committed: a crash in between leaves an orphan file, which `bayanat catalog
    # orphan-uploads` removes; never a row pointing at a missing file.
    for key in keys:
        uow.after_commit(partial(store.delete, key))


def submitted_snapshot(view: DatasetView, actor: Principal, base_url: str) -> DatasetSubmitted:
    dataset = view.dataset
    assert dataset.submitted_at is not None
    return DatasetSubmitted(
        dataset_id=dataset.id,
        slug=dataset.slug,
        institution_id=dataset.institution_id,
        submitted_by=actor.subject,
        submitted_at=dataset.submitted_at,
        title=EventText(**dataset.title),
        description=EventText(**dataset.description) if dataset.description else None,
        tags=view.tags,
        themes=view.theme_names,
        license_id=dataset.license_id,
        license_is_open=view.is_open,
        frequency=dataset.frequency,
        contact_point=dict(dataset.contact_point) if dataset.contact_point else None,
        temporal_start=dataset.temporal_start,
        temporal_end=dataset.temporal_end,
        spatial=list(dataset.spatial or []),
        version=dataset.version,
        resources=[
            ResourceSummary(
                id=r.id,
                title=EventText(**r.title) if r.title else None,
                url=resource_url(r, base_url),
                format=r.format,
                media_type=r.media_type,
                size=r.size,
                uploaded=is_uploaded(r),
            )
            for r in view.resources
        ],
    )


def submit_dataset(
    uow: UnitOfWork,
    actor: Principal,
    *,
    ref: str | uuid.UUID,
    base_url: str,
    harvest: HarvestOrigin | None = None,
) -> Dataset:
    """draft → submitted, with the full snapshot for the review (DatasetSubmitted); a harvest
    source's submission says where the dataset comes from (``harvest``)."""
    dataset = writable_dataset(uow, actor, ref, DatasetState.DRAFT, "submit", enrolled=True)
    view = load_view(uow.session, dataset)
    if not view.resources:
        raise InvalidInput("resources", "add at least one resource before submitting")
    now = utcnow()
    dataset.state = DatasetState.SUBMITTED
    dataset.submitted_at = now
    dataset.rejection_reasons = None
    dataset.rejected_at = None
    touch(uow, dataset, at=now)
    snapshot = submitted_snapshot(view, actor, base_url)
    snapshot.harvest = harvest
    uow.publish(snapshot)
    return dataset


def withdraw_dataset(
    uow: UnitOfWork, actor: Principal, *, ref: str | uuid.UUID, reason: str | None = None
) -> Dataset:
    """published → withdrawn (DatasetWithdrawn); it leaves the public catalogue."""
    dataset = writable_dataset(uow, actor, ref, DatasetState.PUBLISHED, "withdraw")
    now = utcnow()
    dataset.state = DatasetState.WITHDRAWN
    dataset.withdrawn_at = now
    touch(uow, dataset, at=now)
    uow.publish(
        DatasetWithdrawn(
            dataset_id=dataset.id,
            slug=dataset.slug,
            institution_id=dataset.institution_id,
            withdrawn_at=now,
            reason=(reason or "").strip() or None,
        )
    )
    return dataset


def record_data_update(uow: UnitOfWork, dataset: Dataset, *, at: datetime | None = None) -> None:
    """New data for a published dataset: last_data_update moves (DatasetUpdated)."""
    now = at or utcnow()
    dataset.last_data_update = now
    touch(uow, dataset, at=now)
    view = load_view(uow.session, dataset)
    uow.publish(
        DatasetUpdated(
            dataset_id=dataset.id,
            slug=dataset.slug,
            institution_id=dataset.institution_id,
            frequency=dataset.frequency,
            formats=view.formats,
            last_data_update=now,
            updated_at=now,
        )
    )


# --- review decisions (consumed events) -----------------------------------------------------


def publish_submitted(uow: UnitOfWork, dataset: Dataset, *, at: datetime | None = None) -> None:
    """submitted → published (DatasetPublished). Only an approved review leads here."""
    if dataset.state != DatasetState.SUBMITTED:
        raise ValueError(f"dataset {dataset.id} is {dataset.state}, not submitted")
    now = at or utcnow()
    dataset.state = DatasetState.PUBLISHED
    dataset.published_at = now
    dataset.rejection_reasons = None
    # The data arrives with the first publication; data updates move it afterwards.
    if dataset.last_data_update is None:
        dataset.last_data_update = now
    touch(uow, dataset, at=now)
    view = load_view(uow.session, dataset)
    uow.publish(
        DatasetPublished(
            dataset_id=dataset.id,
            slug=dataset.slug,
            institution_id=dataset.institution_id,
            title=EventText(**dataset.title),
            themes=view.theme_names,
            license_id=dataset.license_id,
            license_is_open=view.is_open,
            formats=view.formats,
            frequency=dataset.frequency,
            published_at=now,
            last_data_update=dataset.last_data_update,
        )
    )


def return_to_draft(
    uow: UnitOfWork, dataset: Dataset, reasons: list[str], *, at: datetime | None = None
) -> None:
    """submitted → draft with the reviewer's reasons, which the steward sees on the dataset."""
    dataset.state = DatasetState.DRAFT
    dataset.rejection_reasons = [r for r in reasons if r and r.strip()] or [
        "rejected without a stated reason"
    ]
    dataset.rejected_at = at or utcnow()
    touch(uow, dataset)


def apply_review_decision(uow: UnitOfWork, data: ReviewDecided) -> Dataset | None:
    """Publish or return to draft a submitted dataset; anything else is ignored (logged).

    A decision for a dataset that is not (or no longer) submitted is a replay or a stale
    decision: applying it twice must not publish twice, so it is logged and dropped.
    """
    context: dict[str, Any] = {
        "dataset_id": str(data.dataset_id),
        "review_id": str(data.review_id),
        "decision": data.decision,
    }
    dataset = uow.session.get(Dataset, data.dataset_id)
    if dataset is None:
        log.warning("review decided for an unknown dataset; ignored", extra=context)
        return None
    if dataset.state != DatasetState.SUBMITTED:
        log.info(
            "review decided for a dataset that is %s, not submitted; ignored",
            dataset.state,
            extra=context,
        )
        return None
    if data.institution_id != dataset.institution_id:
        log.warning(
            "review decided for another institution than the dataset's; ignored", extra=context
        )
        return None
    if data.decision == "approved":
        publish_submitted(uow, dataset)
    else:
        return_to_draft(uow, dataset, data.reasons, at=data.decided_at)
    return dataset
