"""What one demo run loads at a scale: which institutions, which of their datasets, what
becomes of each in the review workflow, and which reuses cite them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from itertools import zip_longest

from services.demo.picture import (
    DEVELOPERS,
    INSTITUTIONS,
    REGIONS,
    REUSES,
    Developer,
    Institution,
    Region,
    Reuse,
    Series,
)

LIVE_FREQUENCIES = frozenset({"1MIN", "15MIN"})


@dataclass(frozen=True)
class Scale:
    institutions: int
    datasets: int
    reuses: int

    @classmethod
    def parse(cls, text: str) -> Scale:
        """``full``, ``small``, or ``<institutions>:<datasets>:<reuses>`` (e.g. ``3:12:4``)."""
        if text in SCALES:
            return SCALES[text]
        match = re.fullmatch(r"(\d+):(\d+):(\d+)", text.strip())
        if not match:
            raise ValueError(
                f"scale {text!r}: one of {', '.join(SCALES)}, or institutions:datasets:reuses"
            )
        institutions, datasets, reuses = (int(group) for group in match.groups())
        if not 1 <= institutions <= len(INSTITUTIONS):
            raise ValueError(f"institutions: from 1 to {len(INSTITUTIONS)}")
        if not institutions <= datasets or reuses > len(REUSES):
            raise ValueError(f"at least one dataset per institution, at most {len(REUSES)} reuses")
        return cls(institutions, datasets, reuses)


SCALES = {"full": Scale(20, 300, 25), "small": Scale(3, 12, 4)}


class Fate(StrEnum):
    """What becomes of a dataset in the workflow."""

    PUBLISHED = "published"  # approved at the first review
    UPDATED = "updated"  # approved, then new data published
    CHANGES_REQUESTED = "changes_requested"  # sent back to its steward with reasons
    OPEN = "open"  # submitted, its checks run, the reviewer's decision still to come


@dataclass(frozen=True)
class PlannedDataset:
    institution: Institution
    series: Series
    region: Region | None
    edition: int | None
    fate: Fate

    @property
    def slug(self) -> str:
        parts = [self.series.key, self.region.code if self.region else None, self.edition]
        return "-".join(str(part) for part in parts if part)

    @property
    def live(self) -> bool:
        return self.series.frequency in LIVE_FREQUENCIES

    @property
    def published(self) -> bool:
        return self.fate in (Fate.PUBLISHED, Fate.UPDATED)


@dataclass(frozen=True)
class PlannedReuse:
    reuse: Reuse
    developer: Developer
    cites: tuple[PlannedDataset, ...]
    verified: bool


@dataclass(frozen=True)
class Plan:
    institutions: tuple[Institution, ...]
    datasets: tuple[PlannedDataset, ...]
    developers: tuple[Developer, ...]
    reuses: tuple[PlannedReuse, ...]

    @property
    def published(self) -> tuple[PlannedDataset, ...]:
        return tuple(d for d in self.datasets if d.published)


def _datasets_of(institution: Institution) -> list[tuple[Series, Region | None, int | None]]:
    """An institution's datasets, live feeds first, then one of each series in turn: a
    smaller scale still shows every kind."""
    by_series: list[list[tuple[Series, Region | None, int | None]]] = []
    for series in institution.series:
        if series.per_region:
            by_series.append([(series, region, None) for region in REGIONS])
        elif series.editions:
            # The newest editions first.
            by_series.append([(series, None, year) for year in reversed(series.editions)])
        else:
            by_series.append([(series, None, None)])
    by_series.sort(key=lambda group: group[0][0].frequency not in LIVE_FREQUENCIES)
    return [entry for turn in zip_longest(*by_series) for entry in turn if entry is not None]


def _fate(index: int, live: bool) -> Fate:
    if live:
        # A feed the demo publishes once and never feeds again: it falls overdue.
        return Fate.PUBLISHED
    if index % 12 == 5:
        return Fate.CHANGES_REQUESTED
    if index % 12 == 11:
        return Fate.OPEN
    return Fate.UPDATED if index % 5 == 2 else Fate.PUBLISHED


def make_plan(scale: Scale) -> Plan:
    institutions = INSTITUTIONS[: scale.institutions]
    queues = [_datasets_of(institution) for institution in institutions]
    chosen: list[tuple[Institution, Series, Region | None, int | None]] = []
    # One dataset of each institution in turn, until the scale's number.
    for turn in zip_longest(*queues):
        for institution, entry in zip(institutions, turn, strict=True):
            if entry is not None and len(chosen) < scale.datasets:
                chosen.append((institution, *entry))
    datasets = tuple(
        PlannedDataset(
            institution, series, region, edition, _fate(index, series.frequency in LIVE_FREQUENCIES)
        )
        for index, (institution, series, region, edition) in enumerate(chosen)
    )
    published = [d for d in datasets if d.published]
    developers = DEVELOPERS[: max(1, min(len(DEVELOPERS), -(-scale.reuses // 3)))]
    reuses = []
    for index, reuse in enumerate(REUSES[: scale.reuses]):
        of_themes = [d for d in published if set(d.series.themes) & set(reuse.themes)]
        # A smaller scale may lack the reuse's themes: it cites what is published.
        candidates = of_themes or published[index % len(published) :] + published
        cites = tuple(dict.fromkeys(candidates[: reuse.cites]))
        reuses.append(
            PlannedReuse(reuse, developers[index % len(developers)], cites, index % 4 != 3)
        )
    return Plan(institutions, datasets, developers, tuple(reuses))
