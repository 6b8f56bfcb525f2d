"""One scripted year of the programme, as events, and the figures it must give.

Institutions A and B take part from early 2019; C leaves in June; D enrols, leaves and
enrols again. Six datasets: d1 published (and a new version published again: it counts once),
updated, flagged overdue then updated; d2 published closed, withdrawn, re-published open;
d3 an API, overdue and never updated; d4 rejected at review, never published; d5 published
and withdrawn within days; d6 published under a closed licence, with an overdue alert that
an earlier update already answered. Four reuses: r1 verified; r2 declared only; r3 verified
then removed; r4 verified through an update, its events arriving in reverse.

``events()`` gives them in a delivery order with duplicates and with facts of one object
arriving out of order across topics (an overdue alert before the publication it concerns,
reviews after it, institutions last).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from functools import cache

from libs.events import CloudEvent
from tests.support import metrics_events as ev
from tests.support.metrics_events import at

A, B, C, D = (uuid.UUID(f"00000000-0000-4000-8000-00000000000{n}") for n in range(1, 5))
d1, d2, d3, d4, d5, d6 = (uuid.UUID(f"00000000-0000-4000-9000-00000000000{n}") for n in range(1, 7))
r1, r2, r3, r4 = (uuid.UUID(f"00000000-0000-4000-a000-00000000000{n}") for n in range(1, 5))

MID = date(2019, 6, 30)
END = date(2019, 12, 31)


def moment(month: int, day: int, hour: int = 12) -> datetime:
    return at(date(2019, month, day), hour)


def _catalog() -> list[CloudEvent]:
    d1_published = ev.published(d1, A, moment(2, 5), formats=["CSV"], themes=["sante"])
    d3_published = ev.published(
        d3, B, moment(3, 15), formats=["API"], themes=["sante", "transport"]
    )
    return [
        ev.submitted(d1, A, moment(2, 1), formats=["CSV"], uploaded=True, spatial=["souss-massa"]),
        d1_published,
        d1_published,  # delivered twice
        ev.published(
            d2, A, moment(3, 1), formats=["PDF"], themes=["education"], licence_open=False
        ),
        d3_published,
        ev.updated(d1, A, moment(4, 1), formats=["CSV", "JSON"]),
        ev.submitted(d4, B, moment(4, 10)),
        ev.published(d5, B, moment(5, 1), formats=["GEOJSON"]),
        ev.dataset_withdrawn(d5, B, moment(5, 10)),
        ev.updated(d1, A, moment(7, 15), formats=["CSV", "JSON"]),
        # A new version of d1: published again, still one dataset.
        ev.published(d1, A, moment(8, 1), formats=["CSV", "JSON"], themes=["sante"]),
        ev.dataset_withdrawn(d2, A, moment(9, 1)),
        ev.published(d2, A, moment(10, 1), formats=["XLSX"], themes=["education"]),
        ev.published(
            d6, A, moment(11, 1), formats=["RDF"], themes=["environnement"], licence_open=False
        ),
        d3_published,  # redelivered much later
        ev.updated(d6, A, moment(12, 10), formats=["RDF"]),
    ]


def _governance() -> list[CloudEvent]:
    return [
        ev.review_opened(d1, A, moment(2, 2), 80),
        ev.review_decided(d1, A, moment(2, 4), "approved"),
        ev.review_opened(d4, B, moment(4, 11), 40),
        ev.review_decided(d4, B, moment(4, 12), "rejected"),
    ]


def _schedules() -> list[CloudEvent]:
    return [
        # d1: due on 1 June from its update of 1 April; answered by the update of 15 July.
        ev.overdue(d1, A, moment(6, 1, 0), basis=moment(4, 1)),
        # d3: never updated.
        ev.overdue(d3, B, moment(11, 1, 0), basis=None),
        # d6: computed from its publication; the update of 10 December came first.
        ev.overdue(d6, A, moment(12, 15, 0), basis=moment(11, 1)),
    ]


def _institutions() -> list[CloudEvent]:
    return [
        ev.enrolled(A, date(2019, 1, 10), name="A"),
        ev.enrolled(B, date(2019, 2, 1), name="B"),
        ev.enrolled(C, date(2019, 3, 1), name="C"),
        ev.enrolled(D, date(2019, 5, 1), name="D", kind="ministry"),
        ev.institution_withdrawn(D, date(2019, 5, 20)),
        ev.institution_withdrawn(C, date(2019, 6, 1)),
        ev.enrolled(D, date(2019, 7, 1), name="D", kind="ministry"),
    ]


def _reuses() -> list[CloudEvent]:
    r4_events = [
        ev.reuse_declared(r4, moment(7, 1), reuse_type="article", datasets=[d2], institutions=[A]),
        ev.reuse_updated(
            r4, moment(7, 2), verified=True, reuse_type="article", datasets=[d2], institutions=[A]
        ),
    ]
    return [
        ev.reuse_declared(r1, moment(4, 1), datasets=[d1], institutions=[A]),
        ev.reuse_verified(r1, moment(4, 10)),
        ev.reuse_declared(
            r2, moment(5, 1), reuse_type="visualization", datasets=[d3], institutions=[B]
        ),
        ev.reuse_declared(
            r3, moment(6, 1), reuse_type="api", datasets=[d1, d3], institutions=[A, B]
        ),
        ev.reuse_verified(r3, moment(6, 5)),
        ev.reuse_removed(r3, moment(8, 1)),
        *reversed(r4_events),  # the update arrives before the declaration
    ]


@cache
def streams() -> dict[str, list[CloudEvent]]:
    """Each topic's events in the order its producer published them (the same events, ids
    included, at every call: replaying them is replaying the log)."""
    return {
        "catalog": _catalog(),
        "governance": _governance(),
        "schedules": _schedules(),
        "institutions": _institutions(),
        "reuses": _reuses(),
    }


def events() -> list[CloudEvent]:
    """One delivery order: schedules first (alerts before what they concern), then the
    catalog, the reviews, the reuses, and the institutions last."""
    s = streams()
    return [*s["schedules"], *s["catalog"], *s["governance"], *s["reuses"], *s["institutions"]]


# The figures the scenario must give: {indicator: value} at each date.
EXPECTED = {
    MID: {
        "institutions_taking_part": 2,  # A, B (C left on 1 June, D on 20 May)
        "datasets_published": 3,  # d1, d2, d3 (d5 withdrawn)
        "reuse_initiatives": 2,  # r1, r3
        "open_licence": 66.67,  # d1, d3 of d1, d2, d3
        "machine_readable": 66.67,  # d1 (CSV, JSON), d3 (API)
        "bulk_download": 66.67,  # d1 (CSV), d2 (PDF)
        "up_to_date": 66.67,  # d1 overdue since 1 June
    },
    END: {
        "institutions_taking_part": 3,  # A, B, D
        "datasets_published": 4,  # d1, d2, d3, d6
        "reuse_initiatives": 2,  # r1, r4
        "open_licence": 75.0,  # not d6
        "machine_readable": 75.0,  # not d2 (XLSX)
        "bulk_download": 75.0,  # not d3 (API)
        "up_to_date": 75.0,  # not d3
    },
}
UNVERIFIED = {MID: 1, END: 1}  # r2
# Published datasets by month of 2019 (at each month's end).
PUBLISHED_BY_MONTH = [0, 1, 3, 3, 3, 3, 3, 3, 2, 3, 4, 4]
OPENNESS_AT_END = {0: 1, 1: 0, 2: 1, 3: 2, 4: 0, 5: 0}  # d6 closed; d2 XLSX; d1, d3
BY_INSTITUTION_AT_END = {str(A): 3, str(B): 1}
BY_THEME_AT_END = {"sante": 2, "transport": 1, "education": 1, "environnement": 1}
REUSES_BY_TYPE_AT_END = {"application": (1, 0), "article": (1, 0), "visualization": (0, 1)}
SEEDED_OVERALL_PROGRESS = 95.71  # (100 + 100 + 90 + 100 + 90 + 100 + 90) / 7
