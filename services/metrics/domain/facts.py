"""What the metrics service keeps of each event it consumes: a fact about one object.

A fact names its object (an institution, a dataset or a reuse), what happened to it (its
``kind``), when it happened (``at``: the moment the payload gives — a publication's
``published_at``, an enrolment's day — not when the event was read) and the few attributes
the figures need. Facts are kept, one per event id, and an object's figures are always the
fold of all its facts in the order of :attr:`Fact.key`, whatever order they arrived in: that
is what makes the projections exact under redelivery, replay and out-of-order arrival across
topics (see ``folds.py``).

The functions below turn each consumed payload into its fact; the handlers call them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from libs.events import CloudEvent
from libs.events.schemas import (
    DatasetOverdue,
    DatasetPublished,
    DatasetSubmitted,
    DatasetUpdated,
    DatasetWithdrawn,
    InstitutionEnrolled,
    InstitutionWithdrawn,
    LocalizedText,
    ReuseDeclared,
    ReuseRemoved,
    ReuseUpdated,
    ReuseVerified,
    ReviewDecided,
    ReviewOpened,
)
from services.metrics.domain.openness import format_code


class Aggregate(StrEnum):
    """The kinds of objects the indicators count."""

    INSTITUTION = "institution"
    DATASET = "dataset"
    REUSE = "reuse"


class Kind(StrEnum):
    ENROLLED = "enrolled"
    SUBMITTED = "submitted"
    REVIEW_OPENED = "review_opened"
    REVIEW_DECIDED = "review_decided"
    PUBLISHED = "published"
    UPDATED = "updated"
    OVERDUE = "overdue"
    DECLARED = "declared"
    VERIFIED = "verified"
    WITHDRAWN = "withdrawn"
    REMOVED = "removed"


# Facts of one object at the same moment and recorded at the same time are applied in this
# order (the declaration of their enum): a life begins before it changes, and ends last.
_RANK = {kind: rank for rank, kind in enumerate(Kind)}

FactKey = tuple[datetime, datetime, int, str]


@dataclass(frozen=True, slots=True)
class Fact:
    event_id: str
    aggregate: Aggregate
    entity_id: str
    kind: Kind
    at: datetime  # when it happened, as the payload says
    recorded: datetime  # the event's time: orders facts of the same moment
    attrs: Mapping[str, Any] = field(default_factory=dict)
    # The order in which an object's facts are folded (computed once: folds sort by it).
    key: FactKey = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "key", (self.at, self.recorded, _RANK[self.kind], self.event_id))


def key_to_json(key: FactKey) -> list[Any]:
    return [key[0].isoformat(), key[1].isoformat(), key[2], key[3]]


def key_from_json(value: list[Any]) -> FactKey:
    return (moment(value[0]), moment(value[1]), int(value[2]), str(value[3]))


def moment(value: str | datetime) -> datetime:
    """An aware UTC datetime from its ISO form (or itself)."""
    parsed = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    zone = parsed.tzinfo
    if zone is UTC:
        return parsed
    # Already UTC under another name (the parsers' and drivers' own zones): only renamed.
    if zone is None or zone.utcoffset(parsed) == _NO_OFFSET:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


_NO_OFFSET = timedelta(0)


def start_of_day(day: date) -> datetime:
    """A day given without a time (an enrolment) happened at its start, UTC."""
    return datetime.combine(day, time.min, tzinfo=UTC)


def _iso(value: datetime | None) -> str | None:
    return moment(value).isoformat() if value is not None else None


def _text(value: LocalizedText | None) -> dict[str, str]:
    return value.model_dump(exclude_none=True) if value is not None else {}


def _fact(
    event: CloudEvent,
    aggregate: Aggregate,
    entity_id: object,
    kind: Kind,
    at: datetime,
    /,
    **attrs: Any,
) -> Fact:
    return Fact(
        event_id=str(event.id),
        aggregate=aggregate,
        entity_id=str(entity_id),
        kind=kind,
        at=moment(at),
        recorded=moment(event.time),
        attrs=attrs,
    )


# --- governance: institutions -----------------------------------------------------------------


def institution_enrolled(event: CloudEvent, data: InstitutionEnrolled) -> Fact:
    return _fact(
        event,
        Aggregate.INSTITUTION,
        data.institution_id,
        Kind.ENROLLED,
        start_of_day(data.enrolled_on),
        slug=data.slug,
        name=_text(data.name),
        acronym=data.acronym,
        kind=data.kind,
    )


def institution_withdrawn(event: CloudEvent, data: InstitutionWithdrawn) -> Fact:
    return _fact(
        event,
        Aggregate.INSTITUTION,
        data.institution_id,
        Kind.WITHDRAWN,
        start_of_day(data.withdrawn_on),
    )


# --- governance: reviews and schedules (facts about datasets) ---------------------------------


def review_opened(event: CloudEvent, data: ReviewOpened) -> Fact:
    return _fact(
        event,
        Aggregate.DATASET,
        data.dataset_id,
        Kind.REVIEW_OPENED,
        data.opened_at,
        institution_id=str(data.institution_id),
        quality_score=data.quality_score,
    )


def review_decided(event: CloudEvent, data: ReviewDecided) -> Fact:
    return _fact(
        event,
        Aggregate.DATASET,
        data.dataset_id,
        Kind.REVIEW_DECIDED,
        data.decided_at,
        institution_id=str(data.institution_id),
        decision=data.decision,
    )


def dataset_overdue(event: CloudEvent, data: DatasetOverdue) -> Fact:
    """Late from its due date; ``basis`` is the data update the alert was computed from: any
    later update answers it (see folds.DatasetMachine)."""
    return _fact(
        event,
        Aggregate.DATASET,
        data.dataset_id,
        Kind.OVERDUE,
        data.due_at,
        institution_id=str(data.institution_id),
        basis=_iso(data.last_data_update),
    )


# --- catalog: datasets --------------------------------------------------------------------


def dataset_submitted(event: CloudEvent, data: DatasetSubmitted) -> Fact:
    """The submission's snapshot: what a publication that follows will show, including what
    a publication does not carry (regions, uploaded files)."""
    return _fact(
        event,
        Aggregate.DATASET,
        data.dataset_id,
        Kind.SUBMITTED,
        data.submitted_at,
        slug=data.slug,
        title=_text(data.title),
        institution_id=str(data.institution_id),
        themes=list(data.themes),
        licence_id=data.license_id,
        licence_open=data.license_is_open,
        regions=list(data.spatial),
        formats=sorted({format_code(r.format or r.media_type) for r in data.resources} - {""}),
        uploaded=any(r.uploaded for r in data.resources),
    )


def dataset_published(event: CloudEvent, data: DatasetPublished) -> Fact:
    return _fact(
        event,
        Aggregate.DATASET,
        data.dataset_id,
        Kind.PUBLISHED,
        data.published_at,
        slug=data.slug,
        title=_text(data.title),
        institution_id=str(data.institution_id),
        themes=list(data.themes),
        licence_id=data.license_id,
        licence_open=data.license_is_open,
        formats=sorted({format_code(f) for f in data.formats} - {""}),
        frequency=data.frequency,
        data_at=_iso(data.last_data_update or data.published_at),
    )


def dataset_updated(event: CloudEvent, data: DatasetUpdated) -> Fact:
    return _fact(
        event,
        Aggregate.DATASET,
        data.dataset_id,
        Kind.UPDATED,
        data.updated_at,
        slug=data.slug,
        institution_id=str(data.institution_id),
        formats=sorted({format_code(f) for f in data.formats} - {""}),
        frequency=data.frequency,
        data_at=_iso(data.last_data_update),
    )


def dataset_withdrawn(event: CloudEvent, data: DatasetWithdrawn) -> Fact:
    return _fact(event, Aggregate.DATASET, data.dataset_id, Kind.WITHDRAWN, data.withdrawn_at)


# --- reuse ----------------------------------------------------------------------------------


def _reuse_description(data: ReuseDeclared | ReuseUpdated) -> dict[str, Any]:
    return {
        "title": _text(data.title),
        "reuse_type": data.reuse_type,
        "topic": data.topic_name,
        "url": data.url,
        "dataset_ids": sorted(str(d) for d in data.dataset_ids),
        "institution_ids": sorted(str(i) for i in data.institution_ids),
    }


def reuse_declared(event: CloudEvent, data: ReuseDeclared) -> Fact:
    return _fact(
        event,
        Aggregate.REUSE,
        data.reuse_id,
        Kind.DECLARED,
        data.declared_at,
        **_reuse_description(data),
    )


def reuse_updated(event: CloudEvent, data: ReuseUpdated) -> Fact:
    """The reuse as it now is, its verification included (an edit may undo it)."""
    return _fact(
        event,
        Aggregate.REUSE,
        data.reuse_id,
        Kind.UPDATED,
        data.updated_at,
        verified=data.verified,
        **_reuse_description(data),
    )


def reuse_verified(event: CloudEvent, data: ReuseVerified) -> Fact:
    return _fact(event, Aggregate.REUSE, data.reuse_id, Kind.VERIFIED, data.verified_at)


def reuse_removed(event: CloudEvent, data: ReuseRemoved) -> Fact:
    return _fact(
        event, Aggregate.REUSE, data.reuse_id, Kind.REMOVED, data.removed_at, cause=data.cause
    )
