"""Writing harvested records into the catalog, through the catalog's own commands.

A dataset's identity across jobs is its source and its identifier there (``harvest_record``).
For each record a job reads, ``judge`` decides, from what the catalog holds of it:

- new → a dataset of the source's institution is created (the source's URL name as its slug
  when free), its resources added, and it is submitted at once (``DatasetSubmitted`` with
  ``harvest``: where it comes from, and whether the source is trusted);
- unchanged (the same modification time at the source, or the same content once mapped, or
  the content a reviewer declined last time) → nothing is written;
- changed, and the dataset is a draft or submitted → the change is applied to it and it is
  submitted again (a new round of its review, with what will be published);
- changed, and the dataset is published → for a trusted source, a data update: metadata and
  resources replaced, ``DatasetUpdated``; for a source under review, the dataset stays as it
  is, the change waits on its record (``pending``) and is submitted for review
  (``DatasetSubmitted`` for the published dataset: governance opens a new round); the
  reviewer's approval applies it as a data update, a refusal drops it (and the same content is
  not submitted again);
- withdrawn → left alone: the harvest never publishes again what was withdrawn.

A record gone from the source: a published dataset is withdrawn (``DatasetWithdrawn``, its
record kept, ``removed_at`` set); a draft or a submitted one, never public, is deleted.

Each command runs in the unit of work its caller opened (one per record): a record that fails
leaves nothing of it behind.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlmodel import Session, col, select

from libs.auth import Principal
from libs.db import utcnow
from libs.events.schemas import DatasetSubmitted, ResourceSummary, ReviewDecided
from libs.events.schemas import LocalizedText as EventText
from libs.uow import UnitOfWork
from libs.vocabularies import FORMATS
from services.catalog.domain import renditions, validation
from services.catalog.domain.access import ensure_can_write
from services.catalog.domain.datasets import (
    DatasetCreate,
    DatasetFields,
    change_metadata,
    create_dataset,
    delete_dataset,
    record_data_update,
    submit_dataset,
    withdraw_dataset,
)
from services.catalog.domain.harvest.mapping import MappedDataset, Vocabulary, content_fields
from services.catalog.domain.harvest.readers import Known
from services.catalog.domain.harvest.sources import SourceConfig, source_actor
from services.catalog.domain.institutions import require_enrolled_for_write
from services.catalog.domain.resources import ResourceFields, new_resource
from services.catalog.domain.signing import DownloadSigner
from services.catalog.domain.storage import FileStore
from services.catalog.domain.views import find_dataset, resource_url
from services.catalog.models import (
    Dataset,
    DatasetState,
    HarvestRecord,
    HarvestSource,
    License,
    Resource,
    Theme,
)

log = logging.getLogger("bayanat.catalog.harvest")

# A resource announced in a pending change gets a stable id until it exists.
RESOURCE_NAMESPACE = uuid.UUID("0d7a3c4e-52f1-4a8b-9e36-1f2b7c9d5e80")


class Action(StrEnum):
    CREATE = "create"
    UNCHANGED = "unchanged"
    RESUBMIT = "resubmit"  # a draft or submitted dataset, changed at the source
    DATA_UPDATE = "data-update"  # a published dataset of a trusted source, changed
    HOLD_FOR_REVIEW = "hold-for-review"  # a published dataset of a reviewed source, changed


@dataclass(frozen=True)
class Stored:
    """What the catalog holds of a record."""

    dataset_id: uuid.UUID
    state: DatasetState
    source_modified: datetime | None
    content_hash: str
    pending_hash: str | None
    declined_hash: str | None


@dataclass(frozen=True)
class Target:
    """Where a job writes: its source, the signer of the catalog's download URLs (it knows
    the catalog's public URL), the upload store."""

    source: SourceConfig
    signer: DownloadSigner
    store: FileStore


# --- reading what is held -------------------------------------------------------------------


def load_vocabulary(session: Session) -> Vocabulary:
    return Vocabulary(
        licenses={lic.id: lic.url for lic in session.exec(select(License))},
        themes=frozenset(session.exec(select(Theme.name))),
    )


def stored_records(
    session: Session, source_id: uuid.UUID, original_ids: list[str]
) -> dict[str, Stored]:
    """What the catalog holds of these records of the source, by original identifier."""
    if not original_ids:
        return {}
    rows = session.exec(
        select(HarvestRecord, Dataset.state)
        .join(Dataset, col(Dataset.id) == col(HarvestRecord.dataset_id))
        .where(
            col(HarvestRecord.source_id) == source_id,
            col(HarvestRecord.original_id).in_(original_ids),
        )
    )
    return {
        record.original_id: Stored(
            dataset_id=record.dataset_id,
            state=DatasetState(state),
            source_modified=record.source_modified,
            content_hash=record.content_hash,
            pending_hash=record.pending_hash,
            declined_hash=record.declined_hash,
        )
        for record, state in rows
    }


@dataclass(frozen=True)
class Held(Known):
    dataset_id: uuid.UUID


def held_records(session: Session, source_id: uuid.UUID) -> list[Held]:
    """The source's records whose datasets are not withdrawn (what a removal concerns)."""
    rows = session.exec(
        select(HarvestRecord.original_id, HarvestRecord.original_uri, HarvestRecord.dataset_id)
        .join(Dataset, col(Dataset.id) == col(HarvestRecord.dataset_id))
        .where(
            col(HarvestRecord.source_id) == source_id,
            col(Dataset.state) != DatasetState.WITHDRAWN,
        )
    )
    return [Held(original_id, uri, dataset_id) for original_id, uri, dataset_id in rows]


# --- deciding -------------------------------------------------------------------------------


def unchanged_at_source(stored: Stored | None, modified: datetime | None, *, full: bool) -> bool:
    """Whether the record can be left as it is without mapping it: withdrawn, or the same
    modification time at the source as when last written (unless the job reads everything)."""
    if stored is None:
        return False
    if stored.state == DatasetState.WITHDRAWN:
        return True
    return not full and modified is not None and stored.source_modified == modified


def judge(stored: Stored | None, mapped: MappedDataset, *, trusted: bool) -> Action:
    if stored is None:
        return Action.CREATE
    digest = mapped.content_hash
    if stored.state == DatasetState.WITHDRAWN or digest in (
        stored.content_hash,
        stored.pending_hash,
        stored.declined_hash,
    ):
        return Action.UNCHANGED
    if stored.state != DatasetState.PUBLISHED:
        return Action.RESUBMIT
    return Action.DATA_UPDATE if trusted else Action.HOLD_FOR_REVIEW


# --- writing --------------------------------------------------------------------------------


def sync_resources(uow: UnitOfWork, dataset: Dataset, wanted: tuple[ResourceFields, ...]) -> None:
    """The dataset's linked resources become ``wanted``: a resource whose URL stays keeps its
    id (and is refreshed), new URLs are added, the others removed. Files uploaded here stay."""
    session = uow.session
    current = session.exec(select(Resource).where(col(Resource.dataset_id) == dataset.id)).all()
    by_url = {r.url: r for r in current if r.storage_key is None and r.url}
    now = utcnow()
    for fields in wanted:
        resource = by_url.pop(fields.url or "", None)
        if resource is None:
            new_resource(session, dataset, fields)
            continue
        code = fields.format or resource.format or "TXT"
        if fields.title is not None:
            resource.title = fields.title.as_dict()
        resource.description = fields.description.as_dict() if fields.description else None
        resource.format = code
        resource.media_type = fields.media_type or (
            FORMATS[code].media_type if code in FORMATS else None
        )
        resource.size = fields.size
        resource.position = fields.position if fields.position is not None else resource.position
        resource.modified_at = now
        session.add(resource)
    for resource in by_url.values():
        session.delete(resource)
    session.flush()


def _record(
    uow: UnitOfWork, dataset_id: uuid.UUID, source: SourceConfig, mapped: MappedDataset
) -> HarvestRecord:
    """The dataset's harvest record, created or refreshed with what was just written."""
    now = utcnow()
    record = uow.session.get(HarvestRecord, dataset_id)
    if record is None:
        record = HarvestRecord(
            dataset_id=dataset_id,
            source_id=source.id,
            original_id=mapped.original_id,
            content_hash="",
            first_harvested_at=now,
            harvested_at=now,
        )
    record.original_uri = mapped.original_uri
    record.source_modified = mapped.source_modified
    record.content_hash = mapped.content_hash
    record.harvested_at = now
    record.pending = record.pending_hash = record.pending_submitted_at = None
    uow.session.add(record)
    # Its provenance is shown with the dataset (native JSON, CKAN extras).
    renditions.stale(uow, [dataset_id])
    return record


def _slug(session: Session, hint: str | None) -> str | None:
    return hint if hint and find_dataset(session, hint) is None else None


def create_harvested(uow: UnitOfWork, target: Target, mapped: MappedDataset) -> Dataset:
    """A new dataset from the record, submitted for its review at once."""
    source = target.source
    actor = source.actor
    data = DatasetCreate.model_validate(
        {
            **mapped.content["fields"],
            "slug": _slug(uow.session, mapped.slug_hint),
            "institution_id": source.institution_id,
        }
    )
    dataset = create_dataset(uow, actor, data=data)
    for fields in mapped.resources:
        new_resource(uow.session, dataset, fields)
    origin = source.origin(mapped.original_id, mapped.original_uri)
    submit_dataset(uow, actor, ref=dataset.id, signer=target.signer, harvest=origin)
    _record(uow, dataset.id, source, mapped)
    return dataset


def _writable(uow: UnitOfWork, actor: Principal, dataset_id: uuid.UUID) -> Dataset:
    dataset = uow.session.get_one(Dataset, dataset_id)
    ensure_can_write(actor, dataset.institution_id)
    require_enrolled_for_write(uow.session, dataset.institution_id)
    return dataset


def resubmit_harvested(
    uow: UnitOfWork, target: Target, stored: Stored, mapped: MappedDataset
) -> Dataset:
    """A draft or submitted dataset changed at the source: the change applied, submitted
    again (a new round of its review)."""
    source = target.source
    dataset = _writable(uow, source.actor, stored.dataset_id)
    # A submitted dataset is locked for stewards; its source takes it back to change it.
    dataset.state = DatasetState.DRAFT
    change_metadata(uow, dataset, mapped.fields)
    sync_resources(uow, dataset, mapped.resources)
    origin = source.origin(mapped.original_id, mapped.original_uri)
    submit_dataset(uow, source.actor, ref=dataset.id, signer=target.signer, harvest=origin)
    _record(uow, dataset.id, source, mapped)
    return dataset


def _replace_published(
    uow: UnitOfWork,
    actor: Principal,
    dataset: Dataset,
    fields: DatasetFields,
    resources: tuple[ResourceFields, ...],
) -> None:
    """A published dataset's metadata and resources replaced: a data update."""
    ensure_can_write(actor, dataset.institution_id)
    require_enrolled_for_write(uow.session, dataset.institution_id)
    change_metadata(uow, dataset, fields)
    sync_resources(uow, dataset, resources)
    record_data_update(uow, dataset)


def update_published(
    uow: UnitOfWork, target: Target, stored: Stored, mapped: MappedDataset
) -> Dataset:
    """A trusted source's change to a published dataset, applied at once."""
    dataset = uow.session.get_one(Dataset, stored.dataset_id)
    _replace_published(uow, target.source.actor, dataset, mapped.fields, mapped.resources)
    _record(uow, dataset.id, target.source, mapped)
    return dataset


def _resource_summaries(
    session: Session, dataset: Dataset, resources: tuple[ResourceFields, ...], base_url: str
) -> list[ResourceSummary]:
    current = session.exec(select(Resource).where(col(Resource.dataset_id) == dataset.id)).all()
    ids = {r.url: r.id for r in current if r.url}
    summaries = [
        ResourceSummary(
            id=ids.get(r.url or "") or uuid.uuid5(RESOURCE_NAMESPACE, f"{dataset.id}:{r.url}"),
            title=EventText(**r.title.as_dict()) if r.title else None,
            url=r.url or "",
            format=r.format,
            media_type=r.media_type,
            size=r.size,
        )
        for r in resources
    ]
    # Files uploaded here stay with the dataset: the review sees them too.
    summaries += [
        ResourceSummary(
            id=r.id,
            title=EventText(**r.title) if r.title else None,
            url=resource_url(r, base_url),
            format=r.format,
            media_type=r.media_type,
            size=r.size,
            uploaded=True,
            sha256=r.sha256,
        )
        for r in current
        if r.storage_key is not None
    ]
    return summaries


def hold_for_review(
    uow: UnitOfWork, target: Target, stored: Stored, mapped: MappedDataset
) -> Dataset:
    """A reviewed source's change to a published dataset: kept on its record and submitted
    for review; the published dataset does not change until a reviewer approves it."""
    session = uow.session
    source = target.source
    dataset = _writable(uow, source.actor, stored.dataset_id)
    fields = mapped.fields
    licence = validation.license_id(session, fields.license_id)
    now = utcnow()
    submission = DatasetSubmitted(
        dataset_id=dataset.id,
        slug=dataset.slug,
        institution_id=dataset.institution_id,
        submitted_by=source.id,
        submitted_at=now,
        title=EventText(**fields.title.as_dict()) if fields.title else EventText(),
        description=EventText(**fields.description.as_dict()) if fields.description else None,
        tags=validation.tags(fields.tags or []),
        themes=validation.themes(session, fields.themes or []),
        license_id=licence.id if licence else None,
        license_is_open=bool(licence and licence.is_open),
        frequency=fields.frequency,
        contact_point=fields.contact_point.model_dump(exclude_none=True)
        if fields.contact_point
        else None,
        temporal_start=fields.temporal_start,
        temporal_end=fields.temporal_end,
        spatial=validation.spatial(fields.spatial or []),
        version=fields.version,
        resources=_resource_summaries(session, dataset, mapped.resources, target.signer.base_url),
        harvest=source.origin(mapped.original_id, mapped.original_uri),
    )
    record = session.get_one(HarvestRecord, dataset.id)
    record.pending = mapped.content
    record.pending_hash = mapped.content_hash
    record.pending_submitted_at = now
    record.original_uri = mapped.original_uri
    record.source_modified = mapped.source_modified
    session.add(record)
    uow.publish(submission)
    return dataset


def write_record(
    uow: UnitOfWork, target: Target, action: Action, stored: Stored | None, mapped: MappedDataset
) -> None:
    """Carry out ``judge``'s decision (nothing for an unchanged record)."""
    if action == Action.CREATE:
        create_harvested(uow, target, mapped)
    elif stored is None or action == Action.UNCHANGED:
        return
    elif action == Action.RESUBMIT:
        resubmit_harvested(uow, target, stored, mapped)
    elif action == Action.DATA_UPDATE:
        update_published(uow, target, stored, mapped)
    else:
        hold_for_review(uow, target, stored, mapped)


def remove_gone(uow: UnitOfWork, target: Target, dataset_id: uuid.UUID) -> bool:
    """A record gone from the source: its published dataset withdrawn, a draft or submitted
    one deleted. False when there was nothing left to do."""
    session = uow.session
    source = target.source
    dataset = session.get(Dataset, dataset_id)
    record = session.get(HarvestRecord, dataset_id)
    if dataset is None or record is None or dataset.state == DatasetState.WITHDRAWN:
        return False
    if dataset.state == DatasetState.PUBLISHED:
        reason = f"removed from its source (harvest source {source.name})"
        withdraw_dataset(uow, source.actor, ref=dataset.id, reason=reason)
        record.removed_at = utcnow()
        record.pending = record.pending_hash = record.pending_submitted_at = None
        session.add(record)
        return True
    # Never public: it goes, with its record. A submitted one is taken back from its review.
    dataset.state = DatasetState.DRAFT
    session.delete(record)
    session.flush()
    delete_dataset(uow, source.actor, ref=dataset.id, store=target.store)
    return True


# --- a reviewer's decision on a pending change ----------------------------------------------


def apply_pending_decision(uow: UnitOfWork, data: ReviewDecided) -> bool:
    """A review decision on a harvested change of a published dataset: approved, the change
    is applied (a data update); declined, it is dropped. False when the decision is not about
    such a change (the catalog's usual handling applies)."""
    session = uow.session
    record = session.get(HarvestRecord, data.dataset_id)
    dataset = session.get(Dataset, data.dataset_id)
    if record is None or record.pending is None or dataset is None:
        return False
    if dataset.state != DatasetState.PUBLISHED:
        return False
    context = {"dataset_id": str(data.dataset_id), "review_id": str(data.review_id)}
    if data.submitted_at is None or data.submitted_at != record.pending_submitted_at:
        log.info("decision on an older round of a harvested change; ignored", extra=context)
        return True
    if data.decision == "approved":
        source = session.get_one(HarvestSource, record.source_id)
        actor = source_actor(source.id, source.slug, source.institution_id)
        fields, resources = content_fields(record.pending)
        _replace_published(uow, actor, dataset, fields, resources)
        record.content_hash = record.pending_hash or record.content_hash
        record.harvested_at = utcnow()
    else:
        record.declined_hash = record.pending_hash
        log.info("harvested change declined by its review", extra=context)
    record.pending = record.pending_hash = record.pending_submitted_at = None
    session.add(record)
    return True
