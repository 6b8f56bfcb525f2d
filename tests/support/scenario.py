"""One small, complete scenario of the platform at work, written once and run on any platform
(tests/system/test_faults.py runs it with and without each fault, and compares the ends).

Two institutions are enrolled; their stewards draft five datasets with uploaded CSVs (one
also links a file that takes seconds to fetch, so that its checks are seen running) and submit
them; governance checks them; reviewers approve three, send one back and leave one open; a
developer declares three reuses, an admin verifies two; a steward publishes a data update of
one dataset and withdraws another.

A :class:`Fault` is told of each moment of the run (:data:`Moment`) and may act then: stop the
broker, kill a service, restart the database, put poison on a topic. :func:`picture` is the end
state as the public APIs show it (catalog states, reviews, reuses and their counts, every
indicator's value); :func:`ledger` is the events' bookkeeping (every outbox row sent and on its
topic, the events of each type on the topics, those each service applied, the dead letters).
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from aiokafka.structs import ConsumerRecord
from sqlalchemy import MetaData, create_engine, func, pool, select

from libs.events import CloudEvent, EventParseError, Topic, dead_letter_topic
from libs.messaging.tables import messaging_tables
from tests.support.file_server import FileServer, Served
from tests.support.infra import read_log
from tests.support.platform import (
    GOOD_CSV,
    SERVICES,
    Institution,
    People,
    Person,
    Platform,
    _expect,
    approve,
    draft_with_upload,
    enrol_institution,
    make_admin,
    register_developer,
    review_with_report,
    submit,
    wait_for,
    wait_for_state,
)

Moment = Literal["enrolled", "submitted", "checking", "decided", "declared", "written"]

# A linked file the checks take this long to fetch: its checks are seen running.
SLOW_SECONDS = 4.0
SLOW_PATH = "/paced/recensement.csv"

# What the platform may be given beside its defaults for the scenario: the checks may fetch the
# slow file from this machine, and a run whose process died is taken up again quickly.
SETTINGS = {
    "GOVERNANCE_QUALITY_URL_ALLOWLIST": '["127.0.0.1"]',
    "GOVERNANCE_CHECKS_LEASE_SECONDS": "6",
}


class Fault(Protocol):
    def at(self, moment: Moment, run: Run) -> None:
        """Act at ``moment`` of ``run`` (or not)."""


@dataclass(frozen=True)
class DatasetPlan:
    slug: str
    institution: str
    title: dict[str, str]
    decision: Literal["approve", "request-changes"] | None
    slow: bool = False


INSTITUTIONS = {
    "hcp": ({"fr": "Haut-Commissariat au Plan", "ar": "المندوبية السامية للتخطيط"}, "HCP"),
    "men": ({"fr": "Ministère de l'Éducation nationale", "ar": "وزارة التربية الوطنية"}, "MEN"),
}
DATASETS = (
    DatasetPlan("population-regions", "hcp", {"fr": "Population des régions"}, "approve"),
    DatasetPlan("chomage-regions", "hcp", {"fr": "Chômage par région"}, "approve"),
    DatasetPlan("budget-communes", "hcp", {"fr": "Budget des communes"}, None),
    DatasetPlan("ecoles-primaires", "men", {"fr": "Écoles primaires"}, "approve", slow=True),
    DatasetPlan("routes-scolaires", "men", {"fr": "Transport scolaire"}, "request-changes"),
)
# A reuse (its URL) of datasets (slugs), verified by an admin or only declared.
REUSES = (
    ("https://carte-population.example.org/", ("population-regions",), True),
    ("https://ecoles-emploi.example.org/", ("ecoles-primaires", "chomage-regions"), True),
    ("https://atlas-regions.example.org/", ("population-regions",), False),
)
UPDATED = "population-regions"
WITHDRAWN = "chomage-regions"
SENT_BACK_REASON = "Ajouter la source des chiffres"
# The end of the scenario, as the metrics service must count it.
EXPECTED = {
    "institutions_taking_part": (2.0, None),
    "datasets_published": (2.0, None),
    "reuse_initiatives": (2.0, 1),
}


@dataclass
class Run:
    platform: Platform
    files: FileServer
    admin: Person
    institutions: dict[str, Institution]
    developer_key: str
    datasets: dict[str, str] = field(default_factory=dict)  # slug → id
    reuses: dict[str, str] = field(default_factory=dict)  # URL → id

    def people(self, institution: str) -> People:
        """An institution's staff, as the saga's helpers take them."""
        staff = self.institutions[institution]
        return People(
            admin=self.admin,
            steward=staff.steward,
            reviewer=staff.reviewer,
            institution_id=staff.id,
            institution_slug=staff.slug,
            developer_key=self.developer_key,
        )

    @property
    def slow_url(self) -> str:
        return self.files.url(SLOW_PATH)

    def checks_fetching(self) -> bool:
        """The slow file is being fetched by the checks right now."""
        return self.files.in_flight > 0


class NoFault:
    def at(self, moment: Moment, run: Run) -> None:
        pass


@contextmanager
def slow_files() -> Iterator[FileServer]:
    with FileServer() as files:
        files.serve(SLOW_PATH, Served(GOOD_CSV, delay=SLOW_SECONDS))
        yield files


def run_scenario(platform: Platform, files: FileServer, fault: Fault | None = None) -> Run:
    """The scenario, through the public APIs, with ``fault`` told of each moment; returns once
    every write is made (the events may still be on their way: see :func:`settle`)."""
    fault = fault or NoFault()
    admin = make_admin(platform)
    institutions = {
        slug: enrol_institution(platform, admin, slug, name, acronym)
        for slug, (name, acronym) in INSTITUTIONS.items()
    }
    run = Run(
        platform,
        files,
        admin,
        institutions,
        register_developer(platform, f"dev-{uuid.uuid4().hex[:8]}@example.org"),
    )
    fault.at("enrolled", run)

    for plan in DATASETS:
        people = run.people(plan.institution)
        dataset_id = draft_with_upload(platform, people, slug=plan.slug, title=plan.title)
        if plan.slow:
            with platform["catalog"].client(**people.steward.headers) as http:
                link = {"url": run.slow_url, "format": "CSV", "title": {"fr": "Recensement"}}
                _expect(http.post(f"/api/v1/datasets/{dataset_id}/resources", json=link), 201)
        run.datasets[plan.slug] = dataset_id
    for plan in DATASETS:
        submit(platform, run.people(plan.institution), run.datasets[plan.slug])
    fault.at("submitted", run)
    wait_for(run.checks_fetching, timeout=90, what="the checks fetching the slow file")
    fault.at("checking", run)

    for plan in DATASETS:
        people = run.people(plan.institution)
        review = review_with_report(platform, people, run.datasets[plan.slug])
        assert review["blocking_failures"] == [], review["quality_report"]
        if plan.decision == "approve":
            approve(platform, people, review)
        elif plan.decision == "request-changes":
            with platform["governance"].client(**people.reviewer.headers) as http:
                _expect(
                    http.post(
                        f"/api/v1/reviews/{review['id']}/request-changes",
                        json={"reasons": [SENT_BACK_REASON]},
                    ),
                    200,
                )
    fault.at("decided", run)
    for plan in DATASETS:
        state = {"approve": "published", "request-changes": "draft", None: "submitted"}
        wait_for_state(
            platform, run.people(plan.institution), run.datasets[plan.slug], state[plan.decision]
        )

    developer = {"X-API-Key": run.developer_key}
    with platform["reuse"].client(**developer) as http:
        for url, slugs, _ in REUSES:
            for slug in slugs:
                path = f"/api/v1/datasets/{slug}/reuses"
                wait_for(
                    lambda: http.get(path).is_success,  # noqa: B023 - called at once
                    timeout=90,
                    what=f"the reuse service's replica of {slug}",
                )
            body = _reuse(url, slugs)
            run.reuses[url] = _expect(http.post("/api/v1/reuses", json=body), 201)["id"]
    fault.at("declared", run)

    with platform["reuse"].client(**admin.headers) as http:
        for url, _, verified in REUSES:
            if verified:
                _expect(http.post(f"/api/v1/reuses/{run.reuses[url]}/verification"), 200)
    steward = run.people("hcp").steward
    with platform["catalog"].client(**steward.headers) as http:
        _expect(
            http.post(
                f"/api/v1/datasets/{run.datasets[UPDATED]}/data-updates",
                files={"file": ("population-2025.csv", GOOD_CSV, "text/csv")},
            ),
            200,
        )
        _expect(
            http.post(
                f"/api/v1/datasets/{run.datasets[WITHDRAWN]}/withdraw",
                json={"reason": "remplacé par une série révisée"},
            ),
            200,
        )
    fault.at("written", run)
    return run


def _reuse(url: str, slugs: tuple[str, ...]) -> dict[str, Any]:
    return {
        "title": {"fr": f"Réutilisation de {', '.join(slugs)}"},
        "description": {"fr": "Les chiffres des régions, sur une carte et en tableaux."},
        "type": "visualization",
        "topic": "society",
        "url": url,
        "datasets": list(slugs),
    }


# --- the end state, as the public APIs show it ----------------------------------------------


def picture(run: Run) -> dict[str, Any]:
    """What every service shows of the scenario, keyed by what does not change from one run
    to another (slugs and URLs, not ids)."""
    platform, admin = run.platform, run.admin.headers
    shown: dict[str, Any] = {}
    with platform["catalog"].client(**admin) as http:
        for slug, dataset_id in run.datasets.items():
            dataset = _expect(http.get(f"/api/v1/datasets/{dataset_id}"), 200)
            shown[f"catalog {slug}"] = {
                "state": dataset["state"],
                "resources": dataset["num_resources"],
                "formats": sorted(dataset["formats"]),
                "reuse_count": dataset["reuse_count"],
                "rejection_reasons": dataset["rejection_reasons"],
                "data_updated": dataset["last_data_update"] is not None,
            }
    with platform["catalog"].client() as http:
        search = _expect(http.get("/api/v1/datasets", params={"page_size": 50}), 200)
        shown["catalog search"] = sorted(item["slug"] for item in search["items"])
        ckan = _expect(http.get("/api/3/action/package_search", params={"rows": 0}), 200)
        shown["ckan count"] = ckan["result"]["count"]
    with platform["governance"].client(**admin) as http:
        reviews = _expect(http.get("/api/v1/reviews", params={"page_size": 50}), 200)["items"]
        for review in reviews:
            shown[f"review {review['slug']}"] = {
                key: review[key]
                for key in ("state", "round", "checks_status", "quality_score", "decision")
            } | {"decision_applied": review["publication"] is None}
    with platform["reuse"].client(**admin) as http:
        for url, reuse_id in run.reuses.items():
            reuse = _expect(http.get(f"/api/v1/reuses/{reuse_id}"), 200)
            shown[f"reuse {url}"] = {
                "state": reuse["state"],
                "datasets": sorted((d["slug"], d["withdrawn"]) for d in reuse["datasets"]),
            }
        for slug in run.datasets:
            cited = http.get(f"/api/v1/datasets/{slug}/reuses")
            shown[f"reuses of {slug}"] = cited.json()["total"] if cited.is_success else None
        types = _expect(http.get("/api/v1/reuse-types"), 200)
        shown["reuse types"] = {t["code"]: t["count"] for t in types if t["count"]}
    with platform["metrics"].client() as http:
        for report in _expect(http.get("/api/v1/indicators"), 200):
            shown[f"indicator {report['code']}"] = {
                key: report[key] for key in ("value", "count", "numerator", "companion")
            }
        findings = _expect(http.get("/api/v1/findings"), 200)
        findings.pop("as_of", None)
        shown["findings"] = findings
        for slug in run.institutions:
            page = _expect(http.get(f"/api/v1/institutions/{slug}"), 200)
            shown[f"metrics {slug}"] = {
                "datasets_published": page["institution"]["datasets_published"],
                "findings": page["findings"],
                "openness": page["openness"],
                "average_quality_score": page["average_quality_score"],
                "reuses_verified": page["reuses_verified"],
                "reuses_declared": page["reuses_declared"],
            }
    return shown


def expected_reached(run: Run) -> bool:
    """The metrics count what the scenario did (the last of its events have arrived)."""
    with run.platform["metrics"].client() as http:
        for code, (value, companion) in EXPECTED.items():
            report = http.get(f"/api/v1/indicators/{code}").json()
            if (report["value"], report["companion"]) != (value, companion):
                return False
    return True


def settle(run: Run, timeout: float = 120) -> dict[str, Any]:
    """The end state once the scenario's events have all been applied: the metrics count
    what it did, and the picture no longer changes."""
    wait_for(lambda: expected_reached(run), timeout=timeout, what="the scenario's figures")
    last: dict[str, Any] = {}

    def stable() -> dict[str, Any] | None:
        nonlocal last
        now = picture(run)
        same, last = now == last, now
        return now if same else None

    return wait_for(stable, timeout=timeout, poll=2, what="a picture that no longer changes")


def differences(expected: dict[str, Any], found: dict[str, Any]) -> list[str]:
    """What differs between two pictures or ledgers, key by key."""
    return [
        f"{key}: {expected.get(key)!r} → {found.get(key)!r}"
        for key in sorted(set(expected) | set(found))
        if expected.get(key) != found.get(key)
    ]


# --- the events' bookkeeping ----------------------------------------------------------------

EVENT_TOPICS = [topic.value for topic in Topic]
DEAD_LETTER_TOPICS = {name: dead_letter_topic(name) for name in SERVICES}
# Announced whenever a figure changes: how many depends on how the events were batched when
# applied, not on what they say (the figures themselves are compared).
DERIVED = {"indicator.changed.v1"}


@dataclass
class DeadLetter:
    consumer: str
    original_topic: str
    error: str
    value: bytes


@dataclass
class Ledger:
    """Where every event is: the outboxes, the topics, the inboxes, the dead letters."""

    published: dict[str, dict[str, int]]  # service → event type → rows in its outbox
    unsent: dict[str, int]  # service → outbox rows not sent yet
    on_topics: dict[str, int]  # event type → distinct events on the topics
    missing: list[str]  # event ids in an outbox and on no topic
    foreign: int  # events on the topics that no service published (poison)
    applied: dict[str, dict[str, int]]  # service → event type → events in its inbox
    dead_letters: list[DeadLetter]
    duplicates: int  # records of an event already on its topic (a redelivery's copy)
    # Events of a subject on its topic before one written earlier in the outbox.
    out_of_order: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, Any]:
        """What must be the same at the end of any run of the scenario."""

        def kept(types: dict[str, int]) -> dict[str, int]:
            return {t: n for t, n in types.items() if t not in DERIVED}

        return {
            **{f"published by {s}": kept(types) for s, types in self.published.items()},
            **{f"unsent by {s}": count for s, count in self.unsent.items()},
            "on the topics": kept(self.on_topics),
            "missing from the topics": self.missing,
            **{f"applied by {s}": kept(types) for s, types in self.applied.items()},
        }


def _table_counts(database_url: str) -> tuple[dict[str, int], int, dict[str, int], dict[str, int]]:
    """A service's outbox (rows by type, unsent rows, each event's row id) and inbox."""
    tables = messaging_tables(MetaData())
    outbox, processed = tables.outbox, tables.processed_events
    engine = create_engine(database_url, poolclass=pool.NullPool)
    try:
        with engine.connect() as connection:
            published: dict[str, int] = dict(
                connection.execute(
                    select(outbox.c.event_type, func.count()).group_by(outbox.c.event_type)
                ).all()
            )
            unsent = connection.execute(
                select(func.count()).select_from(outbox).where(outbox.c.sent_at.is_(None))
            ).scalar_one()
            ids: dict[str, int] = dict(
                connection.execute(select(outbox.c.event_id, outbox.c.id)).tuples().all()
            )
            applied: dict[str, int] = dict(
                connection.execute(
                    select(processed.c.event_type, func.count()).group_by(processed.c.event_type)
                ).all()
            )
    finally:
        engine.dispose()
    return published, int(unsent), ids, applied


def _short(event_type: str) -> str:
    return event_type.removeprefix("ma.gov.data.")


def _dead_letter(consumer: str, record: ConsumerRecord) -> DeadLetter:
    headers = dict(record.headers)
    return DeadLetter(
        consumer=consumer,
        original_topic=headers.get("bayanat-original-topic", b"").decode(),
        error=headers.get("bayanat-error", b"").decode(),
        value=record.value or b"",
    )


def ledger(run: Run) -> Ledger:
    platform = run.platform
    published: dict[str, dict[str, int]] = {}
    unsent: dict[str, int] = {}
    applied: dict[str, dict[str, int]] = {}
    outbox_ids: dict[str, tuple[str, int]] = {}  # event id → its service and outbox row
    for name in SERVICES:
        types, pending, ids, inbox = _table_counts(platform[name].database_url)
        published[name] = {_short(t): n for t, n in sorted(types.items())}
        unsent[name] = pending
        applied[name] = {_short(t): n for t, n in sorted(inbox.items())}
        outbox_ids |= {event_id: (name, row) for event_id, row in ids.items()}
    log = asyncio.run(read_log(platform.settings, EVENT_TOPICS + list(DEAD_LETTER_TOPICS.values())))
    # An outbox row may be written and sent while the topics are read (the metrics announce
    # changed indicators every few seconds): every event in an outbox before the topics were
    # read must be on them, and an event on them is foreign only if no outbox has it after.
    expected = set(outbox_ids)
    for name in SERVICES:
        outbox_ids |= {
            event_id: (name, row)
            for event_id, row in _table_counts(platform[name].database_url)[2].items()
            if event_id not in outbox_ids
        }
    seen: set[str] = set()
    on_topics: Counter[str] = Counter()
    duplicates = foreign = 0
    # The outbox row of the last event of each subject (a topic, a key: one partition) met.
    last_row: dict[tuple[str, bytes | None, str], int] = {}
    out_of_order: list[str] = []
    for topic in EVENT_TOPICS:
        for record in log[topic]:
            try:
                event = CloudEvent.from_bytes(record.value)
            except EventParseError:
                continue  # not an event: no service published it
            event_id = str(event.id)
            if event_id not in outbox_ids:
                foreign += 1
            elif event_id in seen:
                duplicates += 1
            else:
                seen.add(event_id)
                on_topics[_short(event.type)] += 1
                service, row = outbox_ids[event_id]
                subject = (topic, record.key, service)
                if row < last_row.get(subject, 0):
                    out_of_order.append(f"{topic} {record.key!r}: {_short(event.type)} {event_id}")
                last_row[subject] = max(row, last_row.get(subject, 0))
    dead_letters = [
        _dead_letter(name, record)
        for name, topic in DEAD_LETTER_TOPICS.items()
        for record in log[topic]
    ]
    return Ledger(
        published=published,
        unsent=unsent,
        on_topics=dict(sorted(on_topics.items())),
        missing=sorted(expected - seen),
        out_of_order=out_of_order,
        foreign=foreign,
        applied=applied,
        dead_letters=dead_letters,
        duplicates=duplicates,
    )


def assert_every_event_in_place(books: Ledger) -> None:
    assert set(books.unsent.values()) == {0}, books.unsent
    assert books.missing == [], "events in an outbox and on no topic"
    assert books.out_of_order == [], "events of a subject out of their order"


def assert_ends_as_written(shown: dict[str, Any], books: Ledger) -> None:
    """The scenario's end, as it is written above: what it did, counted once."""
    assert shown["indicator datasets_published"]["value"] == 2
    assert shown["catalog chomage-regions"]["state"] == "withdrawn"
    assert shown["review routes-scolaires"]["decision"] == "rejected"
    assert shown["reuse https://ecoles-emploi.example.org/"]["datasets"] == [
        ("chomage-regions", True),
        ("ecoles-primaires", False),
    ]
    assert_every_event_in_place(books)
    assert books.dead_letters == [], [
        (letter.consumer, letter.original_topic, letter.error) for letter in books.dead_letters
    ]
    assert books.foreign == 0, f"{books.foreign} events on the topics that no service published"
    # Every service applied what it consumes, once.
    assert books.applied["metrics"]["dataset.submitted.v1"] == 5
    assert books.applied["catalog"]["review.decided.v1"] == 4
