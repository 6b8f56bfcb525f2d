"""What can be measured: the measures an indicator is defined on, and the dimensions of their
breakdowns. Indicators are data (admins edit them); what each measure counts is code.

A measure counts the spans of one kind of object in some states at a moment (folds.py); a
*share* measure gives the percentage of them for which a value (``numerator``) is true — the
audit's findings. A measure may count other states *beside* its value (``companion``): the
reuse indicator counts verified reuses, and shows the declared but unverified ones next to it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.metrics.domain.facts import Aggregate


@dataclass(frozen=True)
class Measure:
    code: str
    aggregate: Aggregate
    states: tuple[str, ...]
    description: str
    numerator: str | None = None  # a yes/no span value: the share of the spans where it holds
    companion: tuple[str, ...] = ()

    @property
    def is_share(self) -> bool:
        return self.numerator is not None

    @property
    def all_states(self) -> tuple[str, ...]:
        return self.states + self.companion

    @property
    def dimensions(self) -> list[str]:
        return [code for code, d in DIMENSIONS.items() if self.aggregate in d.columns]


@dataclass(frozen=True)
class Dimension:
    """A breakdown: the span value it groups by, for each kind of object it applies to."""

    code: str
    columns: Mapping[Aggregate, str]
    # Yes/no values are grouped under these keys.
    yes_no: tuple[str, str] = ("yes", "no")
    # Keys named by the objects' own titles (institutions, datasets); else by labels.
    entity: Aggregate | None = None

    def keys(self, aggregate: Aggregate, value: Any) -> list[str]:
        """The keys of one span's value along this dimension."""
        if value is None:
            return []
        if isinstance(value, bool):
            return [self.yes_no[0] if value else self.yes_no[1]]
        if isinstance(value, list | tuple):
            return [str(v) for v in value]
        return [str(value)]


_D, _R, _I = Aggregate.DATASET, Aggregate.REUSE, Aggregate.INSTITUTION

DIMENSIONS: dict[str, Dimension] = {
    d.code: d
    for d in [
        Dimension(
            "institution",
            {_D: "institution_id", _R: "institutions"},
            entity=Aggregate.INSTITUTION,
        ),
        Dimension("theme", {_D: "themes"}),
        Dimension("region", {_D: "regions"}),
        Dimension("format", {_D: "formats"}),
        Dimension("licence", {_D: "licence_open"}, yes_no=("open", "not_open")),
        Dimension("openness", {_D: "stars"}),
        Dimension("machine_readable", {_D: "machine_readable"}),
        Dimension("bulk", {_D: "bulk"}),
        Dimension("up_to_date", {_D: "up_to_date"}),
        Dimension("reuse_type", {_R: "kind"}),
        Dimension("dataset", {_R: "datasets"}, entity=Aggregate.DATASET),
        Dimension("institution_kind", {_I: "kind"}),
    ]
}

_PUBLISHED = ("published",)

MEASURES: dict[str, Measure] = {
    m.code: m
    for m in [
        Measure(
            "institutions_taking_part",
            Aggregate.INSTITUTION,
            ("taking_part",),
            "Institutions enrolled in the open-data strategy (enrolled minus withdrawn).",
        ),
        Measure(
            "datasets_published",
            Aggregate.DATASET,
            _PUBLISHED,
            "Datasets published on the portal (published minus withdrawn; a new version or "
            "a data update does not count again).",
        ),
        Measure(
            "reuses_verified",
            Aggregate.REUSE,
            ("verified",),
            "Reuses verified by a national admin and not removed; declared but unverified "
            "ones are shown beside.",
            companion=("declared",),
        ),
        Measure(
            "reuses_declared",
            Aggregate.REUSE,
            ("declared", "verified"),
            "Reuses public on the portal, verified or not (declared minus removed).",
        ),
        Measure(
            "share_open_licence",
            Aggregate.DATASET,
            _PUBLISHED,
            "Share of the published datasets under an open licence.",
            numerator="licence_open",
        ),
        Measure(
            "share_machine_readable",
            Aggregate.DATASET,
            _PUBLISHED,
            "Share of the published datasets with at least one resource in a machine-readable, "
            "non-proprietary format.",
            numerator="machine_readable",
        ),
        Measure(
            "share_bulk_download",
            Aggregate.DATASET,
            _PUBLISHED,
            "Share of the published datasets downloadable in bulk (a whole file: uploaded, or "
            "in a file format).",
            numerator="bulk",
        ),
        Measure(
            "share_up_to_date",
            Aggregate.DATASET,
            _PUBLISHED,
            "Share of the published datasets up to date: not flagged overdue by governance "
            "since their last data update.",
            numerator="up_to_date",
        ),
    ]
}
