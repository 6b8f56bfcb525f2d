"""Folding an object's facts into its spans: the periods in which it counts, and as what.

Every figure is a count of **spans**. A span says that an object (an institution, a dataset, a
reuse) counted from ``valid_from`` until ``valid_to`` (open: still counts) with constant
values: its state (an institution *taking part*; a dataset *published*; a reuse *declared* or
*verified*) and what the breakdowns and findings read (its institution, themes, formats,
licence, openness stars, whether it is up to date…). A withdrawal closes the span; a
re-publication opens another; an update that changes a value closes one and opens the next.

A machine per kind of object applies facts one by one in the order of ``Fact.key`` (the
moment each thing happened), so the spans are a function of the *set* of facts: the same facts
in any arrival order, or twice, give the same spans. The projection stores each object's
machine state with its last fact's key; a fact that comes after it is applied from that state
(the common case, in the order things happen), any other makes the object fold again from all
its facts (projection.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar, Generic, Protocol, TypeVar

from services.metrics.domain.facts import Aggregate, Fact, FactKey, Kind, moment
from services.metrics.domain.openness import bulk_download, machine_readable, stars

if TYPE_CHECKING:
    from _typeshed import DataclassInstance


@dataclass(frozen=True, slots=True)
class SpanValues:
    """What an object counts as while a span lasts (None: not known or not relevant)."""

    state: str
    institution_id: str | None = None
    kind: str | None = None  # an institution's kind, a reuse's type
    licence_open: bool | None = None
    machine_readable: bool | None = None
    bulk: bool | None = None
    up_to_date: bool | None = None
    stars: int | None = None
    themes: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    formats: tuple[str, ...] = ()
    institutions: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Span:
    valid_from: datetime
    valid_to: datetime | None
    values: SpanValues


@dataclass(frozen=True, slots=True)
class EntityView:
    """An object as it is now, for lists and labels."""

    slug: str | None
    title: dict[str, str]
    institution_id: str | None
    status: str
    properties: dict[str, Any]


S = TypeVar("S")


class Machine(Protocol[S]):
    aggregate: ClassVar[Aggregate]

    def initial(self) -> S: ...

    def apply(self, state: S, fact: Fact) -> None: ...

    def values(self, state: S) -> SpanValues | None:
        """What the object counts as in this state; None while it does not count."""
        ...

    def view(self, state: S, values: SpanValues | None) -> EntityView:
        """The object as it is now; ``values``: what it counts as (``values(state)``, which
        its fold already computed)."""
        ...

    def dump(self, state: S) -> dict[str, Any]: ...

    def load(self, data: dict[str, Any]) -> S: ...


@dataclass
class Carry(Generic[S]):
    """Where an object's fold stopped: its machine state, the start of its open span and the
    key of the last fact applied."""

    state: S
    open_since: datetime | None = None
    last_key: FactKey | None = None


@dataclass
class Folded(Generic[S]):
    carry: Carry[S]
    spans: list[Span]  # in order; the last one may be open

    @property
    def open_span(self) -> Span | None:
        return self.spans[-1] if self.spans and self.spans[-1].valid_to is None else None


def fold(machine: Machine[S], facts: Iterable[Fact], carry: Carry[S] | None = None) -> Folded[S]:
    """Apply ``facts`` (in key order) from ``carry`` (or from nothing): the spans opened or
    closed on the way, the open one last, and where the fold stopped."""
    if carry is None:
        carry = Carry(machine.initial())
    state, since = carry.state, carry.open_since
    current = machine.values(state) if since is not None else None
    last_key = carry.last_key
    spans: list[Span] = []
    for fact in sorted(facts, key=lambda f: f.key):
        machine.apply(state, fact)
        last_key = fact.key
        values = machine.values(state)
        if values == current:
            continue
        if current is not None and since is not None and fact.at > since:
            spans.append(Span(since, fact.at, current))
        since, current = (fact.at, values) if values is not None else (None, None)
    if current is not None and since is not None:
        spans.append(Span(since, None, current))
    return Folded(Carry(state, since, last_key), spans)


# --- institutions ---------------------------------------------------------------------------


@dataclass
class InstitutionState:
    slug: str | None = None
    name: dict[str, str] = field(default_factory=dict)
    acronym: str | None = None
    kind: str | None = None
    taking_part: bool = False
    enrolled_at: str | None = None
    withdrawn_at: str | None = None


class InstitutionMachine:
    """Taking part from its enrolment to its withdrawal (and again if enrolled again)."""

    aggregate: ClassVar[Aggregate] = Aggregate.INSTITUTION

    def initial(self) -> InstitutionState:
        return InstitutionState()

    def apply(self, state: InstitutionState, fact: Fact) -> None:
        if fact.kind == Kind.ENROLLED:
            state.slug = fact.attrs.get("slug") or state.slug
            state.name = dict(fact.attrs.get("name") or state.name)
            state.acronym = fact.attrs.get("acronym")
            state.kind = fact.attrs.get("kind") or state.kind
            state.taking_part = True
            state.enrolled_at = fact.at.isoformat()
        elif fact.kind == Kind.WITHDRAWN:
            state.taking_part = False
            state.withdrawn_at = fact.at.isoformat()

    def values(self, state: InstitutionState) -> SpanValues | None:
        if not state.taking_part:
            return None
        return SpanValues(state="taking_part", kind=state.kind)

    def view(self, state: InstitutionState, values: SpanValues | None) -> EntityView:
        return EntityView(
            slug=state.slug,
            title=state.name,
            institution_id=None,
            status="taking_part" if state.taking_part else "withdrawn",
            properties={
                "acronym": state.acronym,
                "kind": state.kind,
                "enrolled_at": state.enrolled_at,
                "withdrawn_at": state.withdrawn_at,
            },
        )

    def dump(self, state: InstitutionState) -> dict[str, Any]:
        return _dump(state)

    def load(self, data: dict[str, Any]) -> InstitutionState:
        return _load(InstitutionState, data)


# --- datasets -------------------------------------------------------------------------------


@dataclass
class DatasetState:
    slug: str | None = None
    title: dict[str, str] = field(default_factory=dict)
    institution_id: str | None = None
    # draft | submitted | published | withdrawn: a published dataset submitted again (a new
    # version) stays published until the new version is.
    status: str = "draft"
    themes: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    licence_id: str | None = None
    licence_open: bool | None = None
    formats: list[str] = field(default_factory=list)
    uploaded: bool = False
    frequency: str | None = None
    # The last submission's snapshot, which the next publication shows.
    pending: dict[str, Any] | None = None
    data_at: str | None = None  # the latest data update (ISO)
    # Unanswered overdue alerts: the data update each was computed from (None: none yet).
    alerts: list[str | None] = field(default_factory=list)
    quality_score: int | None = None
    review: str | None = None  # open | approved | rejected
    published_at: str | None = None
    withdrawn_at: str | None = None


class DatasetMachine:
    """Published from a publication to a withdrawal; its values from the publication (and the
    submission before it), data updates, and overdue alerts.

    An overdue alert makes the dataset not up to date from its due date until a data update
    later than the one the alert was computed from (``basis``) — whichever order the alert and
    the update arrive in: an update already applied when the alert comes answers it at once.
    A withdrawal clears the alerts (governance stops tracking the dataset).
    """

    aggregate: ClassVar[Aggregate] = Aggregate.DATASET

    def initial(self) -> DatasetState:
        return DatasetState()

    def apply(self, state: DatasetState, fact: Fact) -> None:
        attrs = fact.attrs
        state.institution_id = attrs.get("institution_id") or state.institution_id
        state.slug = attrs.get("slug") or state.slug
        state.title = dict(attrs.get("title") or state.title)
        if fact.kind == Kind.SUBMITTED:
            state.pending = {
                "themes": attrs.get("themes", []),
                "regions": attrs.get("regions", []),
                "licence_id": attrs.get("licence_id"),
                "licence_open": attrs.get("licence_open"),
                "formats": attrs.get("formats", []),
                "uploaded": bool(attrs.get("uploaded")),
            }
            if state.status != "published":
                state.status = "submitted"
        elif fact.kind == Kind.REVIEW_OPENED:
            state.review = "open"
            if attrs.get("quality_score") is not None:
                state.quality_score = int(attrs["quality_score"])
        elif fact.kind == Kind.REVIEW_DECIDED:
            state.review = str(attrs.get("decision"))
            if state.review == "rejected" and state.status == "submitted":
                state.status = "draft"
        elif fact.kind == Kind.PUBLISHED:
            self._publish(state, fact)
        elif fact.kind == Kind.UPDATED:
            state.formats = list(attrs.get("formats") or state.formats)
            state.frequency = attrs.get("frequency", state.frequency)
            self._data_update(state, attrs.get("data_at") or fact.at.isoformat())
        elif fact.kind == Kind.OVERDUE:
            # An alert that names no data update was computed from the last one known.
            basis = attrs.get("basis") or state.data_at
            answered = self._answered(state, basis) or basis in state.alerts
            if state.status == "published" and not answered:
                state.alerts.append(basis)
        elif fact.kind == Kind.WITHDRAWN:
            state.status = "withdrawn"
            state.withdrawn_at = fact.at.isoformat()
            state.alerts = []

    def _publish(self, state: DatasetState, fact: Fact) -> None:
        attrs = fact.attrs
        pending, state.pending = state.pending or {}, None
        state.status = "published"
        state.published_at = fact.at.isoformat()
        state.regions = list(pending.get("regions", state.regions))
        state.uploaded = bool(pending.get("uploaded", state.uploaded))
        state.themes = list(attrs.get("themes", pending.get("themes", state.themes)))
        state.licence_id = attrs.get("licence_id", pending.get("licence_id"))
        state.licence_open = attrs.get("licence_open", pending.get("licence_open"))
        state.formats = list(attrs.get("formats") or pending.get("formats") or state.formats)
        state.frequency = attrs.get("frequency", state.frequency)
        self._data_update(state, attrs.get("data_at") or fact.at.isoformat())

    @staticmethod
    def _answered(state: DatasetState, basis: str | None) -> bool:
        if state.data_at is None:
            return False
        return basis is None or moment(state.data_at) > moment(basis)

    def _data_update(self, state: DatasetState, at: str) -> None:
        if state.data_at is None or moment(at) > moment(state.data_at):
            state.data_at = at
        state.alerts = [basis for basis in state.alerts if not self._answered(state, basis)]

    def values(self, state: DatasetState) -> SpanValues | None:
        if state.status != "published":
            return None
        formats = tuple(sorted(set(state.formats)))
        return SpanValues(
            state="published",
            institution_id=state.institution_id,
            licence_open=bool(state.licence_open),
            machine_readable=machine_readable(formats),
            bulk=bulk_download(formats, state.uploaded),
            up_to_date=not state.alerts,
            stars=stars(state.licence_open, formats),
            themes=tuple(sorted(set(state.themes))),
            regions=tuple(sorted(set(state.regions))),
            formats=formats,
        )

    def view(self, state: DatasetState, values: SpanValues | None) -> EntityView:
        return EntityView(
            slug=state.slug,
            title=state.title,
            institution_id=state.institution_id,
            status=state.status,
            properties={
                "themes": sorted(set(state.themes)),
                "regions": sorted(set(state.regions)),
                "formats": sorted(set(state.formats)),
                "licence_id": state.licence_id,
                "licence_open": state.licence_open,
                "stars": values.stars if values else None,
                "machine_readable": values.machine_readable if values else None,
                "bulk": values.bulk if values else None,
                "up_to_date": values.up_to_date if values else None,
                "frequency": state.frequency,
                "last_data_update": state.data_at,
                "quality_score": state.quality_score,
                "review": state.review,
                "published_at": state.published_at,
                "withdrawn_at": state.withdrawn_at,
            },
        )

    def dump(self, state: DatasetState) -> dict[str, Any]:
        return _dump(state)

    def load(self, data: dict[str, Any]) -> DatasetState:
        return _load(DatasetState, data)


# --- reuses ---------------------------------------------------------------------------------


@dataclass
class ReuseState:
    title: dict[str, str] = field(default_factory=dict)
    reuse_type: str | None = None
    topic: str | None = None
    url: str | None = None
    dataset_ids: list[str] = field(default_factory=list)
    institution_ids: list[str] = field(default_factory=list)
    present: bool = False
    verified: bool = False
    removed: str | None = None  # deleted | rejected
    declared_at: str | None = None
    verified_at: str | None = None


class ReuseMachine:
    """Declared (public, unverified) until verified; counted as verified until removed. An
    update carries the reuse's whole description and whether it is still verified."""

    aggregate: ClassVar[Aggregate] = Aggregate.REUSE

    def initial(self) -> ReuseState:
        return ReuseState()

    def apply(self, state: ReuseState, fact: Fact) -> None:
        attrs = fact.attrs
        if fact.kind in (Kind.DECLARED, Kind.UPDATED):
            state.title = dict(attrs.get("title") or state.title)
            state.reuse_type = attrs.get("reuse_type") or state.reuse_type
            state.topic = attrs.get("topic")
            state.url = attrs.get("url") or state.url
            state.dataset_ids = list(attrs.get("dataset_ids", state.dataset_ids))
            state.institution_ids = list(attrs.get("institution_ids", state.institution_ids))
            if fact.kind == Kind.DECLARED:
                state.declared_at = fact.at.isoformat()
            else:
                state.verified = bool(attrs.get("verified"))
        elif fact.kind == Kind.VERIFIED:
            state.verified = True
            state.verified_at = fact.at.isoformat()
        if fact.kind == Kind.REMOVED:
            state.present, state.verified = False, False
            state.removed = str(attrs.get("cause") or "deleted")
        elif state.removed is None:
            state.present = True

    def values(self, state: ReuseState) -> SpanValues | None:
        if not state.present:
            return None
        return SpanValues(
            state="verified" if state.verified else "declared",
            kind=state.reuse_type or "other",
            institutions=tuple(sorted(set(state.institution_ids))),
            datasets=tuple(sorted(set(state.dataset_ids))),
        )

    def view(self, state: ReuseState, values: SpanValues | None) -> EntityView:
        status = state.removed or ("verified" if state.verified else "declared")
        return EntityView(
            slug=None,
            title=state.title,
            institution_id=None,
            status=status if state.present or state.removed else "unknown",
            properties={
                "reuse_type": state.reuse_type,
                "topic": state.topic,
                "url": state.url,
                "dataset_ids": state.dataset_ids,
                "institution_ids": state.institution_ids,
                "declared_at": state.declared_at,
                "verified_at": state.verified_at,
            },
        )

    def dump(self, state: ReuseState) -> dict[str, Any]:
        return _dump(state)

    def load(self, data: dict[str, Any]) -> ReuseState:
        return _load(ReuseState, data)


D = TypeVar("D", bound="DataclassInstance")


@cache
def _names(cls: type[DataclassInstance]) -> tuple[str, ...]:
    return tuple(f.name for f in fields(cls))


def _dump(state: DataclassInstance) -> dict[str, Any]:
    """A state as JSON-able data: its fields as they are (lists and dicts of plain values)."""
    return dict(vars(state))  # a dataclass without slots keeps its fields, and only them, there


def _load(cls: type[D], data: dict[str, Any]) -> D:
    """A state from its dump, ignoring what an older or newer version wrote."""
    return cls(**{name: data[name] for name in _names(cls) if name in data})


MACHINES: dict[Aggregate, Machine[Any]] = {
    Aggregate.INSTITUTION: InstitutionMachine(),
    Aggregate.DATASET: DatasetMachine(),
    Aggregate.REUSE: ReuseMachine(),
}
