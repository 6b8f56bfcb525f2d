"""The four services as separate processes, on the real broker and PostgreSQL, and the people
who use them — for the tests that treat the platform as one system.

:func:`running_platform` starts catalog, governance, reuse and metrics with ``bayanat serve``
(each on a free port, its own PostgreSQL database, this run's topic prefix, the reuse service
mailing a local SMTP server), waits until every one is ready, and hands back a
:class:`Platform`: each service's URL, process, log and database, and ways to stop, kill and
restart one. With ``replicas=2`` each service runs as two processes on the same database and
broker, behind a local round-robin balancer that stands for the load balancer of a deployment
(their public URL), and a client of the service spreads its requests over the live ones.
:meth:`Platform.people` then creates, through the public APIs only, a national
admin (with the ``bayanat governance create-admin`` command, as an operator would), an enrolled
institution with a steward and a reviewer, and a verified developer with an API key.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

from libs.settings import PlatformSettings
from tests.support.balancer import Balancer
from tests.support.brokers import REPO, free_port
from tests.support.infra import PostgresDatabases
from tests.support.mailbox import SMTP_LOGIN, SMTP_PASSWORD, Mailbox, running_mailbox

SERVICES = ("governance", "catalog", "reuse", "metrics")
T = TypeVar("T")

ADMIN_EMAIL = "admin@platform.example"
ADMIN_PASSWORD = "Platform-admin-2026!"
STAFF_PASSWORD = "Platform-staff-2026!"


def wait_for(
    condition: Callable[[], T | None], *, timeout: float, what: str, poll: float = 0.2
) -> T:
    """``condition()`` once it is truthy; AssertionError naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(poll)


class _RoundRobin(httpx.BaseTransport):
    """Sends each request to the next live process of a service, as a load balancer would."""

    def __init__(self, service: ServiceProcess) -> None:
        self.service = service
        self.transport = httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(port=self.service.next_replica().port)
        return self.transport.handle_request(request)

    def close(self) -> None:
        self.transport.close()


@dataclass
class ServiceProcess:
    """One service running as its own process (``bayanat serve <name>``), and the other
    processes (``replicas``) that serve the same service on the same database, if any."""

    name: str
    port: int
    database_url: str
    env: dict[str, str]
    log: Path
    process: subprocess.Popen[bytes] | None = None
    replicas: list[ServiceProcess] = field(default_factory=list, repr=False)
    _turn: int = field(default=0, repr=False)
    # Requests a client of the service sent to this process (counted with replicas only).
    served: int = field(default=0, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def processes(self) -> list[ServiceProcess]:
        """This process and its replicas."""
        return [self, *self.replicas]

    def next_replica(self) -> ServiceProcess:
        """The next live process of the service, in turn."""
        live = [p for p in self.processes if p.alive()] or [self]
        self._turn += 1
        chosen = live[self._turn % len(live)]
        chosen.served += 1
        return chosen

    def client(self, **headers: str) -> httpx.Client:
        """A client of the service: of this process, or of each live replica in turn."""
        transport = _RoundRobin(self) if self.replicas else None
        return httpx.Client(
            base_url=self.url, headers=headers, timeout=30, trust_env=False, transport=transport
        )

    def launch(self) -> None:
        """Start the process (:meth:`wait_ready` waits until it answers)."""
        with self.log.open("ab") as output:
            self.process = subprocess.Popen(
                [str(REPO / ".venv" / "bin" / "bayanat"), "serve", self.name],
                env=self.env,
                cwd=REPO,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its workers are stopped with it, as a group
            )

    def wait_ready(self, timeout: float = 90) -> None:
        wait_for(self.ready, timeout=timeout, what=f"{self.name} to be ready\n{self.tail()}")

    def start(self, timeout: float = 90) -> None:
        self.launch()
        self.wait_ready(timeout)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def ready(self) -> bool:
        if self.process is None or self.process.poll() is not None:
            raise AssertionError(f"{self.name} exited:\n{self.tail()}")
        try:
            return httpx.get(f"{self.url}/readyz", timeout=2, trust_env=False).is_success
        except httpx.HTTPError:
            return False

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 30) -> None:
        """Stop the service (SIGKILL: as a crash would, with no chance to clean up)."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

    def kill(self) -> None:
        self.stop(signal.SIGKILL)

    def pause(self) -> None:
        """Freeze the process (SIGSTOP), as a stalled machine would; :meth:`resume` thaws it."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGCONT)

    def restart(self, **env: str) -> None:
        """Stop, then start again (with these environment variables changed)."""
        self.stop()
        self.env.update(env)
        self.start()

    def rss_mib(self) -> float:
        """Resident memory of the service's processes (the server and its workers), in MiB."""
        assert self.process is not None
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
        total = 0
        for pid in pids:
            with contextlib.suppress(FileNotFoundError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        return round(total / 1024, 1)

    def tail(self, characters: int = 4000) -> str:
        return self.log.read_text(errors="replace")[-characters:] if self.log.exists() else ""


@dataclass
class Person:
    email: str
    token: str
    account_id: uuid.UUID | None = None

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@dataclass
class People:
    admin: Person
    steward: Person
    reviewer: Person
    institution_id: uuid.UUID
    institution_slug: str
    developer_key: str

    @property
    def developer_headers(self) -> dict[str, str]:
        return {"X-API-Key": self.developer_key}


@dataclass
class Platform:
    settings: PlatformSettings
    services: dict[str, ServiceProcess]
    mailbox: Mailbox
    directory: Path
    _people: People | None = field(default=None, repr=False)

    def __getitem__(self, name: str) -> ServiceProcess:
        return self.services[name]

    def processes(self) -> list[ServiceProcess]:
        """Every process of every service."""
        return [process for service in self.services.values() for process in service.processes]

    def people(self) -> People:
        """The admin, an enrolled institution with its steward and reviewer, a developer."""
        if self._people is None:
            self._people = _make_people(self)
        return self._people

    def operator(self, *args: str, stdin: str | None = None) -> str:
        """Run ``bayanat <args>`` as an operator would, with governance's settings."""
        result = subprocess.run(
            [str(REPO / ".venv" / "bin" / "bayanat"), *args],
            env=self.services["governance"].env,
            cwd=REPO,
            input=stdin,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, f"bayanat {' '.join(args)}: {result.stdout}{result.stderr}"
        return result.stdout


def _service_env(
    name: str,
    port: int,
    database_url: str,
    platform: PlatformSettings,
    local_state: Path,
    directory: Path,
    mailbox: Mailbox,
    public_urls: dict[str, str],
    overrides: Mapping[str, str],
) -> dict[str, str]:
    prefix = name.upper() + "_"
    env = {
        **os.environ,
        "KAFKA_TOPIC_PREFIX": platform.kafka_topic_prefix,
        "KAFKA_BOOTSTRAP_SERVERS": platform.kafka_bootstrap_servers,
        "JWT_SECRET": platform.resolved_jwt_secret(),
        "BAYANAT_VAR": str(local_state),
        "LOG_JSON": "false",
        f"{prefix}DATABASE_URL": database_url,
        f"{prefix}HOST": "127.0.0.1",
        f"{prefix}PORT": str(port),
        f"{prefix}PUBLIC_URL": public_urls[name],
        f"{prefix}WORKERS": "1",
        f"{prefix}OUTBOX_POLL_SECONDS": "0.2",
    }
    catalog_url = public_urls["catalog"]
    if name == "catalog":
        # Shared by its replicas, as a volume and a secret would be in a deployment.
        env["CATALOG_UPLOAD_DIR"] = str(directory / "uploads")
        env["CATALOG_SIGNING_KEY"] = f"signing-{platform.kafka_topic_prefix}"
    if name == "governance":
        # The catalog's origin, which governance trusts for the files under review.
        env["GOVERNANCE_CATALOG_URL"] = catalog_url
        env["GOVERNANCE_CHECKS_POLL_SECONDS"] = "0.5"
    if name == "reuse":
        env.update(
            {
                "REUSE_MAIL_SENDER": "smtp",
                "REUSE_SMTP_HOST": "127.0.0.1",
                "REUSE_SMTP_PORT": str(mailbox.port),
                "REUSE_SMTP_SECURITY": "none",
                "REUSE_SMTP_USERNAME": SMTP_LOGIN,
                "REUSE_SMTP_PASSWORD": SMTP_PASSWORD,
            }
        )
    env.update({k: v for k, v in overrides.items() if k.startswith(prefix) or k.isupper()})
    local_state.mkdir(parents=True, exist_ok=True)
    return env


@contextlib.contextmanager
def running_platform(
    platform: PlatformSettings,
    databases: PostgresDatabases,
    directory: Path,
    *,
    replicas: int = 1,
    **overrides: str,
) -> Iterator[Platform]:
    """The four services as processes (``replicas`` of each, on one database per service),
    ready; stopped (and their databases kept for the session's clean-up) at the end.
    ``overrides`` are environment variables."""
    with contextlib.ExitStack() as stack:
        mailbox = stack.enter_context(running_mailbox())
        ports = {name: [free_port() for _ in range(replicas)] for name in SERVICES}
        public_urls = {name: f"http://127.0.0.1:{ports[name][0]}" for name in SERVICES}
        if replicas > 1:
            # Each service's public URL is a balancer over its replicas, as in a deployment.
            for name in SERVICES:
                balancer = stack.enter_context(Balancer(ports[name]))
                public_urls[name] = balancer.url
        services: dict[str, ServiceProcess] = {}
        for name in SERVICES:
            url = databases.create(name)
            processes = [
                ServiceProcess(
                    name=name,
                    port=port,
                    database_url=url,
                    env=_service_env(
                        name,
                        port,
                        url,
                        platform,
                        directory / (name if n == 0 else f"{name}-{n + 1}"),
                        directory,
                        mailbox,
                        public_urls,
                        overrides,
                    ),
                    log=directory / (f"{name}.log" if n == 0 else f"{name}-{n + 1}.log"),
                )
                for n, port in enumerate(ports[name])
            ]
            services[name] = processes[0]
            processes[0].replicas = processes[1:]
        running = Platform(platform, services, mailbox, directory)
        try:
            # All at once: each spends most of its start-up importing and migrating.
            for process in running.processes():
                process.launch()
            for process in running.processes():
                process.wait_ready()
            yield running
        finally:
            for process in running.processes():
                process.stop()


def _expect(response: httpx.Response, status: int) -> Any:
    assert response.status_code == status, (
        f"{response.request.method} {response.request.url}: expected {status}, "
        f"got {response.status_code}: {response.text[:2000]}"
    )
    return response.json() if response.content else None


def login(governance: ServiceProcess, email: str, password: str) -> Person:
    with governance.client() as http:
        body = _expect(
            http.post("/api/v1/auth/login", json={"email": email, "password": password}), 200
        )
    return Person(
        email=email, token=body["access_token"], account_id=uuid.UUID(body["account"]["id"])
    )


def make_admin(platform: Platform) -> Person:
    """The first national admin, made with the operator's command; logged in."""
    platform.operator(
        "governance",
        "create-admin",
        "--email",
        ADMIN_EMAIL,
        "--password-stdin",
        stdin=ADMIN_PASSWORD + "\n",
    )
    return login(platform["governance"], ADMIN_EMAIL, ADMIN_PASSWORD)


@dataclass
class Institution:
    id: uuid.UUID
    slug: str
    steward: Person
    reviewer: Person


def enrol_institution(
    platform: Platform,
    admin: Person,
    slug: str,
    name: dict[str, str],
    acronym: str,
    kind: str = "public_body",
) -> Institution:
    """An institution created and enrolled by the admin, with a steward and a reviewer, once
    the catalog has its replica of it."""
    with platform["governance"].client(**admin.headers) as http:
        institution = _expect(
            http.post(
                "/api/v1/institutions",
                json={"slug": slug, "name": name, "acronym": acronym, "kind": kind},
            ),
            201,
        )
        institution_id = institution["id"]
        _expect(
            http.post(
                f"/api/v1/institutions/{institution_id}/enrol",
                json={"commitment_reference": "CNDO-2019-12"},
            ),
            200,
        )
        for role in ("steward", "reviewer"):
            _expect(
                http.post(
                    "/api/v1/accounts",
                    json={
                        "email": f"{role}@{slug}.example",
                        "display_name": role.title(),
                        "password": STAFF_PASSWORD,
                        "roles": [{"institution_id": institution_id, "role": role}],
                    },
                ),
                201,
            )
    with platform["catalog"].client() as http:
        wait_for(
            lambda: http.get(f"/api/v1/institutions/{institution_id}").status_code == 200,
            timeout=60,
            what="the catalog's replica of the enrolled institution",
        )
    governance = platform["governance"]
    return Institution(
        id=uuid.UUID(institution_id),
        slug=slug,
        steward=login(governance, f"steward@{slug}.example", STAFF_PASSWORD),
        reviewer=login(governance, f"reviewer@{slug}.example", STAFF_PASSWORD),
    )


def _make_people(platform: Platform) -> People:
    admin = make_admin(platform)
    institution = enrol_institution(
        platform,
        admin,
        f"hcp-{uuid.uuid4().hex[:6]}",
        {"fr": "Haut-Commissariat au Plan", "ar": "المندوبية السامية للتخطيط"},
        "HCP",
    )
    return People(
        admin=admin,
        steward=institution.steward,
        reviewer=institution.reviewer,
        institution_id=institution.id,
        institution_slug=institution.slug,
        developer_key=register_developer(platform, f"dev-{uuid.uuid4().hex[:8]}@example.org"),
    )


def register_developer(platform: Platform, address: str, name: str = "Salma") -> str:
    """Registration → the mail on the local SMTP server → verification: the API key."""
    with platform["reuse"].client() as http:
        _expect(
            http.post(
                "/api/v1/developers",
                json={"name": name, "email": address, "accept_terms": True},
            ),
            202,
        )
        token = platform.mailbox.last_token(address)
        verified = _expect(http.post("/api/v1/developers/verification", json={"token": token}), 201)
    return str(verified["api_key"]["key"])


# --- the publication saga, through the public APIs -------------------------------------------

GOOD_CSV = (
    "region,annee,population\n"
    "Souss-Massa,2024,3020431\n"
    "Casablanca-Settat,2024,7688967\n"
    "Rabat-Salé-Kénitra,2024,5132639\n"
).encode()

DATASET_FIELDS: dict[str, Any] = {
    "title": {"fr": "Population légale des régions", "ar": "السكان القانونيون للجهات"},
    "description": {
        "fr": "Population légale de chacune des douze régions, par année, issue des "
        "recensements généraux de la population et de l'habitat et de leurs projections.",
        "ar": "السكان القانونيون لكل جهة من الجهات الاثنتي عشرة حسب السنة، من الإحصاءات "
        "العامة للسكان والسكنى وإسقاطاتها، كما تنشرها المندوبية السامية للتخطيط كل سنة.",
    },
    "tags": ["population", "recensement"],
    "themes": ["population"],
    "license_id": "odc-odbl",
    "frequency": "ANNUAL",
    "temporal_start": "2004-01-01",
    "temporal_end": "2024-12-31",
    "spatial": ["souss-massa"],
    "contact_point": {"name": "Service des statistiques", "email": "stat@hcp.example"},
}


def draft_with_upload(
    platform: Platform,
    people: People,
    content: bytes = GOOD_CSV,
    filename: str = "population.csv",
    **fields: Any,
) -> str:
    """A steward's draft with one uploaded file: its id."""
    body = {**DATASET_FIELDS, "institution_id": str(people.institution_id), **fields}
    with platform["catalog"].client(**people.steward.headers) as http:
        dataset_id = str(_expect(http.post("/api/v1/datasets", json=body), 201)["id"])
        _expect(
            http.post(
                f"/api/v1/datasets/{dataset_id}/resources",
                files={"file": (filename, content, "text/csv")},
            ),
            201,
        )
    return dataset_id


def submit(platform: Platform, people: People, dataset_id: str) -> None:
    with platform["catalog"].client(**people.steward.headers) as http:
        sent = _expect(http.post(f"/api/v1/datasets/{dataset_id}/submit"), 200)
    assert sent["state"] == "submitted"


def review_with_report(platform: Platform, people: People, dataset_id: str) -> dict[str, Any]:
    """The dataset's review once its automatic checks have run (as the reviewer sees it)."""
    with platform["governance"].client(**people.reviewer.headers) as http:

        def found() -> dict[str, Any] | None:
            page = _expect(http.get("/api/v1/reviews", params={"dataset_id": dataset_id}), 200)
            if not page["items"]:
                return None
            review = _expect(http.get(f"/api/v1/reviews/{page['items'][0]['id']}"), 200)
            return review if review["checks_status"] in ("done", "failed") else None

        return wait_for(found, timeout=90, what=f"the checked review of {dataset_id}")


def approve(platform: Platform, people: People, review: dict[str, Any]) -> None:
    answers = [
        {"item_id": item["id"], "answer": "yes"}
        for stage in review["stages"]
        for item in stage["checklist"]
    ]
    with platform["governance"].client(**people.reviewer.headers) as http:
        _expect(
            http.put(f"/api/v1/reviews/{review['id']}/checklist", json={"answers": answers}), 200
        )
        _expect(http.post(f"/api/v1/reviews/{review['id']}/approve", json={}), 200)


def dataset_state(platform: Platform, people: People, dataset_id: str) -> str:
    with platform["catalog"].client(**people.steward.headers) as http:
        return str(_expect(http.get(f"/api/v1/datasets/{dataset_id}"), 200)["state"])


def wait_for_state(platform: Platform, people: People, dataset_id: str, state: str) -> None:
    wait_for(
        lambda: dataset_state(platform, people, dataset_id) == state,
        timeout=60,
        what=f"dataset {dataset_id} to be {state}",
    )


def publish(platform: Platform, people: People, **fields: Any) -> str:
    """The whole saga for one dataset with an uploaded CSV: draft → published. Its id."""
    dataset_id = draft_with_upload(platform, people, **fields)
    submit(platform, people, dataset_id)
    review = review_with_report(platform, people, dataset_id)
    assert review["blocking_failures"] == [], review["quality_report"]
    approve(platform, people, review)
    wait_for_state(platform, people, dataset_id, "published")
    return dataset_id


def indicator(platform: Platform, code: str) -> dict[str, Any]:
    with platform["metrics"].client() as http:
        return dict(_expect(http.get(f"/api/v1/indicators/{code}"), 200))


def reuse_body(dataset_id: str) -> dict[str, Any]:
    """A reuse of ``dataset_id``, as a developer declares it (a URL of its own each time)."""
    return {
        "title": {"fr": "Carte de la population", "ar": "خريطة السكان"},
        "description": {"fr": "La population de chaque région sur une carte."},
        "type": "visualization",
        "topic": "society",
        "url": f"https://carte-{uuid.uuid4().hex[:8]}.example.org/",
        "tags": ["population"],
        "datasets": [dataset_id],
    }
