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
from datetime import datetime
from functools import partial
from typing import Annotated, Any, Literal

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
    DecisionNotApplied,
    HarvestOrigin,
    ResourceSummary,
    ReviewDecided,
)
from libs.events.schemas import LocalizedText as EventText
from libs.fields import Day, Email
from libs.http.problems import Conflict, InvalidInput
from libs.uow import UnitOfWork
from services.catalog.domain import renditions, validation
from services.catalog.domain.access import default_institution, ensure_can_write
from services.catalog.domain.bounds import (
    SPATIAL_MAX,
    TAGS_MAX,
    THEMES_MAX,
    Code,
    ContactName,
    Description,
    SpatialEntry,
    Tag,
    Title,
    Version,
)
from services.catalog.domain.institutions import (
    require_enrolled_for_new_dataset,
    require_enrolled_for_write,
)
from services.catalog.domain.search_index import reindex_dataset, remove_from_index
from services.catalog.domain.signing import DownloadSigner
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

# DecisionNotApplied's reasons.
NotAppliedReason = Literal["unknown_dataset", "not_submitted", "stale_round", "other_institution"]


# --- inputs ---------------------------------------------------------------------------------


TITLE_DESCRIPTION = "In Arabic (ar) and/or French (fr); English (en) optional"


class ContactPointInput(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: ContactName | None = None
    email: Email | None = None


class _DatasetMetadata(BaseModel):
    """Metadata a steward sets on a draft, but its title (every field optional). The bounds
    (domain/bounds.py) are checked here, before any work that grows with the input."""

    model_config = ConfigDict(extra="forbid")

    slug: Code | None = Field(
        default=None,
        description="URL name: 2-100 of [a-z0-9_-]; made from the title when absent",
        examples=["budget-general-2024"],
    )
    description: Description | None = None
    tags: Annotated[list[Tag], Field(max_length=TAGS_MAX)] | None = Field(
        default=None, description=f"Free keywords, lower-cased (at most {TAGS_MAX})"
    )
    themes: Annotated[list[Code], Field(max_length=THEMES_MAX)] | None = Field(
        default=None, description=f"Theme names (GET /themes; at most {THEMES_MAX})"
    )
    license_id: Code | None = Field(default=None, description="A licence id (GET /licenses)")
    frequency: Code | None = Field(
        default=None, description="EU frequency code: DAILY, MONTHLY, ANNUAL, IRREG…"
    )
    temporal_start: Day | None = None
    temporal_end: Day | None = None
    spatial: Annotated[list[SpatialEntry], Field(max_length=SPATIAL_MAX)] | None = Field(
        default=None,
        description=f"Region codes (or region names) and commune names (at most {SPATIAL_MAX})",
    )
    contact_point: ContactPointInput | None = None
    version: Version | None = None


class DatasetFields(_DatasetMetadata):
    """A draft's metadata to change: only the fields sent (a PATCH)."""

    title: Title | None = Field(default=None, description=TITLE_DESCRIPTION)


class DatasetCreate(_DatasetMetadata):
    """A new draft: a title is required; the institution defaults to the steward's only one."""

    institution_id: uuid.UUID | None = Field(
        default=None, description="The institution publishing the dataset"
    )
    title: Title = Field(description=TITLE_DESCRIPTION)


# --- helpers --------------------------------------------------------------------------------


def dataset_tags(session: Session, dataset_id: uuid.UUID) -> list[str]:
    statement = select(DatasetTag.tag).where(col(DatasetTag.dataset_id) == dataset_id)
    return list(session.exec(statement.order_by(col(DatasetTag.tag))))


def touch(uow: UnitOfWork, dataset: Dataset, *, at: datetime | None = None) -> None:
    """Mark a change: the modified time moves, the search index is refreshed, the stored
    renditions are emptied in this unit, and what anonymous readers see (cached responses,
    search counts) is renewed once committed."""
    dataset.modified_at = at or utcnow()
    reindex_dataset(uow.session, dataset, dataset_tags(uow.session, dataset.id))
    renditions.stale(uow, [dataset.id])


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


def submitted_snapshot(
    view: DatasetView, actor: Principal, signer: DownloadSigner
) -> DatasetSubmitted:
    """Everything the review needs. An uploaded file is given by a signed download URL on
    the catalog's public URL, which works while the dataset is private, and its SHA-256, so
    that governance checks it reads the file that was submitted."""
    dataset = view.dataset
    assert dataset.submitted_at is not None

    def fetch_url(resource: Resource) -> str:
        if is_uploaded(resource):
            return signer.url(dataset.id, resource.id, now=submitted_at)
        return resource_url(resource, signer.base_url)

    submitted_at = dataset.submitted_at
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
                url=fetch_url(r),
                format=r.format,
                media_type=r.media_type,
                size=r.size,
                uploaded=is_uploaded(r),
                sha256=r.sha256,
            )
            for r in view.resources
        ],
    )


def submit_dataset(
    uow: UnitOfWork,
    actor: Principal,
    *,
    ref: str | uuid.UUID,
    signer: DownloadSigner,
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
    snapshot = submitted_snapshot(view, actor, signer)
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


def _already_applied(dataset: Dataset, data: ReviewDecided) -> bool:
    """Whether ``dataset`` already shows the effect of this decision on its current round (a
    copy of a decision that was applied): nothing to do, and nothing to report."""
    if data.decision == "approved":
        return dataset.state in (DatasetState.PUBLISHED, DatasetState.WITHDRAWN)
    return dataset.state == DatasetState.DRAFT and dataset.rejected_at == data.decided_at


def _why_not_applicable(
    dataset: Dataset | None, data: ReviewDecided
) -> tuple[NotAppliedReason, str] | None:
    """Why the catalog cannot apply ``data`` (a reason and a sentence for people), or None."""
    if dataset is None:
        return "unknown_dataset", "the catalog has no such dataset (it may have been deleted)"
    if data.institution_id != dataset.institution_id:
        return "other_institution", (
            f"the decision names institution {data.institution_id}, but the dataset belongs to "
            f"institution {dataset.institution_id}"
        )
    if data.submitted_at is not None and data.submitted_at != dataset.submitted_at:
        current = dataset.submitted_at.isoformat() if dataset.submitted_at else "none"
        return "stale_round", (
            f"the decision answers the submission of {data.submitted_at.isoformat()}, but the "
            f"dataset's current submission is of {current}"
        )
    if dataset.state != DatasetState.SUBMITTED:
        return "not_submitted", f"the dataset is {dataset.state}, not submitted for review"
    return None


def apply_review_decision(uow: UnitOfWork, data: ReviewDecided) -> Dataset | None:
    """Publish, or return to draft, the submitted dataset a review decided on.

    A decision the catalog cannot apply (an unknown dataset, another institution's, an older
    round than the dataset's current submission, a dataset no longer submitted) changes
    nothing here and is answered with DecisionNotApplied, so that governance never shows
    "approved" for a dataset that is not published. A copy of a decision already applied is
    dropped quietly (the consumer's processed events already drop a redelivered one).
    """
    dataset = uow.session.get(Dataset, data.dataset_id)
    context: dict[str, Any] = {
        "dataset_id": str(data.dataset_id),
        "review_id": str(data.review_id),
        "decision": data.decision,
    }
    refusal = _why_not_applicable(dataset, data)
    if refusal is None:
        assert dataset is not None
        if data.decision == "approved":
            publish_submitted(uow, dataset)
        else:
            return_to_draft(uow, dataset, data.reasons, at=data.decided_at)
        return dataset
    reason, detail = refusal
    if dataset is not None and reason == "not_submitted" and _already_applied(dataset, data):
        log.info("review decision already applied; ignored", extra=context)
        return None
    log.warning("review decision not applied: %s", detail, extra={**context, "reason": reason})
    uow.publish(
        DecisionNotApplied(
            dataset_id=data.dataset_id,
            review_id=data.review_id,
            institution_id=data.institution_id,
            decision=data.decision,
            reason=reason,
            detail=detail,
            dataset_state=str(dataset.state) if dataset is not None else None,
            noticed_at=utcnow(),
        )
    )
    return None
