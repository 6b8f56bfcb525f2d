"""One demo run through the four public APIs: the admin enrols the institutions and their
staff, stewards draft and submit their datasets with uploaded CSV and JSON files, governance's
automatic checks run, reviewers approve, ask for changes or leave a review open, stewards
publish new data, developers register (reading the link in the mails kept under ``var/mail/``)
and declare reuses, the admin verifies most of them and runs the overdue check."""

from __future__ import annotations

import email
import email.policy
import re
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import httpx

from services.demo.picture import DEMO_NOTE, Developer, Institution
from services.demo.plan import Fate, Plan, PlannedDataset, PlannedReuse
from services.demo.tables import Table, table

T = TypeVar("T")
U = TypeVar("U")

# Parallel requests: the four services on a small machine answer best to a few at a time.
PARALLEL = 4
WAIT_SECONDS = 600
# How long the demo waits for a live feed it published to fall overdue (period + grace).
LIVE_FEED_WAIT_SECONDS = 120
LINK_TOKEN = re.compile(r"/api/v1/developers/verification\?token=([A-Za-z0-9_-]+)")
CHANGES_ASKED = (
    "Préciser la source des chiffres et la méthode de collecte dans la description.",
    "Ajouter un dictionnaire des colonnes (unités, définitions) en ressource.",
)


class DemoError(RuntimeError):
    """A step the platform refused: what was asked, and its answer."""


@dataclass(frozen=True)
class Urls:
    catalog: str
    governance: str
    reuse: str
    metrics: str


@dataclass
class Staff:
    steward: dict[str, str]
    reviewer: dict[str, str]


@dataclass
class Outcome:
    """What a run did, and the platform's figures once every service agrees."""

    already_loaded: bool = False
    institutions: int = 0
    datasets: dict[str, int] = field(default_factory=dict)
    developers: int = 0
    reuses: int = 0
    verified: int = 0
    overdue: int = 0
    seconds: float = 0.0


def expect(response: httpx.Response, *statuses: int) -> Any:
    if response.status_code not in statuses:
        raise DemoError(
            f"{response.request.method} {response.request.url} answered "
            f"{response.status_code}: {response.text[:1000]}"
        )
    return response.json() if response.content else None


def found(http: httpx.Client, path: str) -> bool:
    return http.get(path).status_code == 200


def wait(condition: Callable[[], T | None], what: str, timeout: float = WAIT_SECONDS) -> T:
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise DemoError(f"gave up after {timeout:.0f} s waiting for {what}")
        time.sleep(0.5)


def in_parallel(function: Callable[[T], U], items: Iterable[T]) -> list[U]:
    with ThreadPoolExecutor(PARALLEL) as pool:
        return list(pool.map(function, items))


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


class Mailbox:
    """The mails the reuse service's development sender keeps as ``.eml`` files."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def token_for(self, address: str, after: float) -> str | None:
        """The verification token of the newest mail to ``address`` kept after ``after``."""
        if not self.directory.is_dir():
            return None
        for path in sorted(self.directory.glob("*.eml"), reverse=True):
            if path.stat().st_mtime < after - 1:
                break
            message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
            if str(message["To"]).strip().lower() != address.lower():
                continue
            body = message.get_body(preferencelist=("plain",))
            found = LINK_TOKEN.search(body.get_content() if body else "")
            if found:
                return found.group(1)
        return None


class Demo:
    def __init__(
        self,
        urls: Urls,
        *,
        admin_email: str,
        admin_password: str,
        mailbox: Mailbox,
        say: Callable[[str], None],
    ) -> None:
        def client(url: str) -> httpx.Client:
            limits = httpx.Limits(max_connections=PARALLEL * 2)
            return httpx.Client(base_url=url, timeout=60, trust_env=False, limits=limits)

        self.catalog = client(urls.catalog)
        self.governance = client(urls.governance)
        self.reuse = client(urls.reuse)
        self.metrics = client(urls.metrics)
        self.admin_email = admin_email
        self.password = admin_password
        self.mailbox = mailbox
        self.say = say
        self.admin: dict[str, str] = {}
        self.institution_ids: dict[str, str] = {}
        self.staff: dict[str, Staff] = {}
        self.dataset_ids: dict[str, str] = {}
        self.csv_resources: dict[str, str] = {}
        self.today = datetime.now(UTC).date()

    def close(self) -> None:
        for http in (self.catalog, self.governance, self.reuse, self.metrics):
            http.close()

    # --- people ------------------------------------------------------------------------------

    def login(self, address: str) -> dict[str, str]:
        body = expect(
            self.governance.post(
                "/api/v1/auth/login", json={"email": address, "password": self.password}
            ),
            200,
        )
        return bearer(body["access_token"])

    def already_loaded(self, plan: Plan) -> bool:
        first = plan.institutions[0].slug
        page = expect(self.governance.get("/api/v1/institutions", params={"q": first}), 200)
        return any(item["slug"] == first for item in page["items"])

    def enrol(self, institution: Institution) -> None:
        created = expect(
            self.governance.post(
                "/api/v1/institutions",
                headers=self.admin,
                json={
                    "slug": institution.slug,
                    "name": {"fr": institution.fr, "ar": institution.ar},
                    "acronym": institution.acronym,
                    "kind": institution.kind,
                },
            ),
            201,
        )
        institution_id = str(created["id"])
        reference = "CNDO" if institution.steering_committee else "PNDO"
        expect(
            self.governance.post(
                f"/api/v1/institutions/{institution_id}/enrol",
                headers=self.admin,
                json={
                    "enrolled_on": institution.enrolled_on.isoformat(),
                    "commitment_reference": f"{reference}-{institution.enrolled_on.year}",
                },
            ),
            200,
        )
        for role in ("steward", "reviewer"):
            expect(
                self.governance.post(
                    "/api/v1/accounts",
                    headers=self.admin,
                    json={
                        "email": staff_address(role, institution),
                        "display_name": f"{role.title()} {institution.acronym}",
                        "password": self.password,
                        "roles": [{"institution_id": institution_id, "role": role}],
                    },
                ),
                201,
            )
        self.institution_ids[institution.slug] = institution_id

    def sign_in_staff(self, institution: Institution) -> None:
        self.staff[institution.slug] = Staff(
            steward=self.login(staff_address("steward", institution)),
            reviewer=self.login(staff_address("reviewer", institution)),
        )

    # --- datasets ----------------------------------------------------------------------------

    def table_of(self, dataset: PlannedDataset, revision: int = 0) -> Table:
        return table(
            dataset.series,
            region=dataset.region,
            edition=dataset.edition,
            now=self.today,
            revision=revision,
        )

    def draft_and_submit(self, dataset: PlannedDataset) -> None:
        series, institution = dataset.series, dataset.institution
        figures = self.table_of(dataset)
        title_fr, title_ar = series.fr, series.ar
        if dataset.region:
            title_fr, title_ar = (
                f"{title_fr} — {dataset.region.fr}",
                f"{title_ar} — {dataset.region.ar}",
            )
        if dataset.edition:
            title_fr, title_ar = f"{title_fr} {dataset.edition}", f"{title_ar} {dataset.edition}"
        spatial = [
            code for code in (dataset.region and dataset.region.code, institution.region) if code
        ]
        if institution.commune:
            spatial.append(institution.commune)
        steward = self.staff[institution.slug].steward
        created = expect(
            self.catalog.post(
                "/api/v1/datasets",
                headers=steward,
                json={
                    "institution_id": self.institution_ids[institution.slug],
                    "slug": dataset.slug,
                    "title": {"fr": title_fr, "ar": title_ar},
                    "description": {
                        "fr": f"{series.about_fr}\n\n{DEMO_NOTE['fr']}",
                        "ar": f"{series.about_ar}\n\n{DEMO_NOTE['ar']}",
                    },
                    "tags": list(series.tags),
                    "themes": list(series.themes),
                    "license_id": institution.licence,
                    "frequency": series.frequency,
                    "temporal_start": figures.temporal_start.isoformat(),
                    "temporal_end": figures.temporal_end.isoformat(),
                    "spatial": list(dict.fromkeys(spatial)),
                    "contact_point": {
                        "name": f"Open data — {institution.acronym}",
                        "email": f"opendata@{institution.slug}.demo.example",
                    },
                },
            ),
            201,
        )
        dataset_id = str(created["id"])
        self.dataset_ids[dataset.slug] = dataset_id
        for name, content, media in (
            (f"{dataset.slug}.csv", figures.as_csv(), "text/csv"),
            (f"{dataset.slug}.json", figures.as_json(), "application/json"),
        ):
            resource = expect(
                self.catalog.post(
                    f"/api/v1/datasets/{dataset_id}/resources",
                    headers=steward,
                    files={"file": (name, content, media)},
                ),
                201,
            )
            if media == "text/csv":
                self.csv_resources[dataset.slug] = str(resource["id"])
        expect(self.catalog.post(f"/api/v1/datasets/{dataset_id}/submit", headers=steward), 200)

    def checked_reviews(self, datasets: list[PlannedDataset]) -> dict[str, dict[str, Any]]:
        """Each dataset's open review once its automatic checks have run, by dataset id."""
        wanted = {self.dataset_ids[d.slug] for d in datasets}

        def all_checked() -> dict[str, dict[str, Any]] | None:
            found = {
                review["dataset_id"]: review
                for review in self.pages(
                    self.governance, "/api/v1/reviews", self.admin, state="open"
                )
                if review["dataset_id"] in wanted and review["checks_status"] in ("done", "failed")
            }
            return found if len(found) == len(wanted) else None

        return wait(all_checked, f"the automatic checks of {len(wanted)} datasets")

    def decide(self, dataset: PlannedDataset, summary: dict[str, Any]) -> None:
        if dataset.fate is Fate.OPEN:
            return
        reviewer = self.staff[dataset.institution.slug].reviewer
        path = f"/api/v1/reviews/{summary['id']}"
        review = expect(self.governance.get(path, headers=reviewer), 200)
        if dataset.fate is Fate.CHANGES_REQUESTED:
            expect(
                self.governance.post(
                    f"{path}/request-changes",
                    headers=reviewer,
                    json={"reasons": list(CHANGES_ASKED)},
                ),
                200,
            )
            return
        if review["blocking_failures"]:
            raise DemoError(f"{dataset.slug}: blocking checks failed: {review['quality_report']}")
        answers = [
            {"item_id": item["id"], "answer": "yes"}
            for stage in review["stages"]
            for item in stage["checklist"]
        ]
        expect(
            self.governance.put(f"{path}/checklist", headers=reviewer, json={"answers": answers}),
            200,
        )
        expect(self.governance.post(f"{path}/approve", headers=reviewer, json={}), 200)

    def publish_new_data(self, dataset: PlannedDataset) -> None:
        """The steward's next release: the CSV's content replaced by revised figures."""
        newer = self.table_of(dataset, revision=1)
        expect(
            self.catalog.post(
                f"/api/v1/datasets/{self.dataset_ids[dataset.slug]}/data-updates",
                headers=self.staff[dataset.institution.slug].steward,
                data={"replace_resource_id": self.csv_resources[dataset.slug]},
                files={"file": (f"{dataset.slug}.csv", newer.as_csv(), "text/csv")},
            ),
            200,
        )

    # --- reuses ------------------------------------------------------------------------------

    def register(self, developer: Developer) -> str:
        """Registration, the link in the mail, verification: the developer's API key."""
        asked = time.time()
        body: dict[str, Any] = {
            "name": developer.name,
            "email": developer.email,
            "accept_terms": True,
        }
        if developer.organization:
            body["organization"] = developer.organization
        expect(self.reuse.post("/api/v1/developers", json=body), 202)
        token = wait(
            lambda: self.mailbox.token_for(developer.email, asked),
            f"the verification mail to {developer.email} in {self.mailbox.directory}",
            timeout=30,
        )
        verified = expect(
            self.reuse.post("/api/v1/developers/verification", json={"token": token}), 201
        )
        return str(verified["api_key"]["key"])

    def declare(self, planned: PlannedReuse, key: str) -> str:
        reuse = planned.reuse
        ids = [self.dataset_ids[d.slug] for d in planned.cites]
        for dataset_id in ids:
            wait(
                partial(found, self.reuse, f"/api/v1/datasets/{dataset_id}/reuses"),
                "the reuse service's replica of the published datasets",
            )
        created = expect(
            self.reuse.post(
                "/api/v1/reuses",
                headers={"X-API-Key": key},
                json={
                    "title": {"fr": reuse.fr, "ar": reuse.ar},
                    "description": {"fr": reuse.about_fr, "ar": reuse.about_ar},
                    "type": reuse.type,
                    "topic": reuse.topic,
                    "url": f"https://{reuse.key}.example.org/",
                    "tags": list(reuse.tags),
                    "datasets": ids,
                },
            ),
            201,
        )
        return str(created["id"])

    def wait_for_live_feeds_due(self, plan: Plan) -> None:
        """A live feed the demo never feeds again is overdue once its period (and governance's
        grace) is past: wait for that moment when it is near, so that the check flags it."""
        live = {self.dataset_ids[d.slug] for d in plan.datasets if d.live and d.published}
        due = [
            datetime.fromisoformat(row["due_at"])
            for row in self.pages(self.governance, "/api/v1/schedules")
            if row["dataset_id"] in live and row["due_at"]
        ]
        if not due:
            return
        seconds = (min(due) - datetime.now(UTC)).total_seconds()
        if 0 < seconds <= LIVE_FEED_WAIT_SECONDS:
            self.say(f"waiting {seconds:.0f} s for a live feed to fall overdue")
            time.sleep(seconds + 1)

    # --- reading -----------------------------------------------------------------------------

    def pages(
        self, http: httpx.Client, path: str, headers: dict[str, str] | None = None, **params: str
    ) -> Iterator[dict[str, Any]]:
        page = 1
        while True:
            body = expect(
                http.get(path, headers=headers, params={**params, "page": page, "page_size": 100}),
                200,
            )
            yield from body["items"]
            if page >= body["pages"]:
                return
            page += 1

    def total(self, http: httpx.Client, path: str, **params: str | list[str]) -> int:
        return int(expect(http.get(path, params={**params, "page_size": 1}), 200)["total"])

    # --- the run -----------------------------------------------------------------------------

    def run(self, plan: Plan) -> Outcome:
        started = time.monotonic()
        outcome = Outcome()
        self.admin = self.login(self.admin_email)
        if self.already_loaded(plan):
            outcome.already_loaded = True
            return outcome

        self.say(
            f"enrolling {len(plan.institutions)} institutions, with a steward and a reviewer each"
        )
        in_parallel(self.enrol, plan.institutions)
        for institution_id in self.institution_ids.values():
            wait(
                partial(found, self.catalog, f"/api/v1/institutions/{institution_id}"),
                "the catalog's replica of the enrolled institutions",
            )
        in_parallel(self.sign_in_staff, plan.institutions)
        outcome.institutions = len(plan.institutions)

        self.say(
            f"drafting {len(plan.datasets)} datasets with their CSV and JSON files; submitting them"
        )
        in_parallel(self.draft_and_submit, plan.datasets)
        self.say("waiting for governance's automatic checks, then reviewing")
        reviews = self.checked_reviews(list(plan.datasets))
        in_parallel(lambda d: self.decide(d, reviews[self.dataset_ids[d.slug]]), plan.datasets)
        published = plan.published
        institutions = [institution.slug for institution in plan.institutions]
        wait(
            lambda: (
                self.total(self.catalog, "/api/v1/datasets", institution=institutions)
                >= len(published)
            ),
            f"the publication of {len(published)} datasets",
        )
        updated = [d for d in plan.datasets if d.fate is Fate.UPDATED]
        self.say(f"publishing new data for {len(updated)} datasets")
        in_parallel(self.publish_new_data, updated)
        outcome.datasets = {fate.value: sum(d.fate is fate for d in plan.datasets) for fate in Fate}

        self.say(
            f"registering {len(plan.developers)} developers, declaring {len(plan.reuses)} reuses"
        )
        keys = {d.email: self.register(d) for d in plan.developers}
        reuse_ids = in_parallel(lambda r: self.declare(r, keys[r.developer.email]), plan.reuses)
        for planned, reuse_id in zip(plan.reuses, reuse_ids, strict=True):
            if planned.verified:
                expect(
                    self.reuse.post(f"/api/v1/reuses/{reuse_id}/verification", headers=self.admin),
                    200,
                )
        outcome.developers = len(plan.developers)
        outcome.reuses = len(plan.reuses)
        outcome.verified = sum(r.verified for r in plan.reuses)

        self.wait_for_live_feeds_due(plan)
        checked = expect(self.governance.post("/api/v1/schedules/check", headers=self.admin), 200)
        outcome.overdue = int(checked["count"])
        outcome.seconds = time.monotonic() - started
        return outcome


def staff_address(role: str, institution: Institution) -> str:
    return f"{role}@{institution.slug}.demo.example"


def load(
    urls: Urls,
    plan: Plan,
    *,
    admin_email: str,
    admin_password: str,
    mail_directory: Path,
    say: Callable[[str], None],
) -> Outcome:
    demo = Demo(
        urls,
        admin_email=admin_email,
        admin_password=admin_password,
        mailbox=Mailbox(mail_directory),
        say=say,
    )
    try:
        return demo.run(plan)
    finally:
        demo.close()
