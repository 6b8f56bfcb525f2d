"""Load benchmark: mixed reads and writes for 60 s against the four services as processes.

1. The stack: the four services as processes (``bayanat serve``, one worker each), each on a
   scratch PostgreSQL database of its own, on the local Kafka with topics of this run's own —
   the same harness the system tests use (tests/support/platform.py).
2. The data, through the public APIs only (the publication saga, as in production): an admin,
   institutions each with a steward and a reviewer, datasets drafted with an uploaded CSV,
   submitted, checked by governance, approved and published; developers with their API keys
   declare reuses of them, an admin verifies half.
3. The load: keep-alive HTTP/1.1 connections (a lean asyncio client), each sending, one after
   the other, requests drawn from a weighted mix — reads (catalog search, a dataset, CKAN
   ``package_show`` and ``package_search``, the indicators, the reuse registry's search) and
   writes (a steward's draft, an upload to it, a developer's reuse declaration) — for 60 s.
   Per endpoint: requests, req/s, p50 and p95 latency, error rate (an answer other than the
   endpoint's success status is an error; none is expected).

The reuse service's write rate limits (``REUSE_WRITE_LIMIT_PER_KEY`` and
``REUSE_WRITE_LIMIT_PER_IP``) are raised for the run so that every declaration is counted
against them and none refused: the load comes from one address and a handful of keys, far
above what one developer may write. No other limit applies to these endpoints.

Results: JSON at the output path (var/bench/load.json) and a Markdown table next to it (.md).
Never run by the test suite. ``python -m bench --only load [--load-seconds 60]``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

from bench.processes import exchange, memory_of, percentile
from libs.settings import PlatformSettings, var_dir
from tests.support.infra import PostgresDatabases
from tests.support.platform import (
    DATASET_FIELDS,
    GOOD_CSV,
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
    running_platform,
    submit,
    wait_for_state,
)

# Every write is counted against the reuse service's limits, none is refused (see above).
RAISED_LIMITS = {
    "REUSE_WRITE_LIMIT_PER_KEY": "1000000000",
    "REUSE_WRITE_LIMIT_PER_IP": "1000000000",
}
INSTITUTIONS = (
    ("hcp", {"fr": "Haut-Commissariat au Plan", "ar": "المندوبية السامية للتخطيط"}, "HCP"),
    ("men", {"fr": "Ministère de l'Éducation nationale", "ar": "وزارة التربية الوطنية"}, "MEN"),
    ("ms", {"fr": "Ministère de la Santé", "ar": "وزارة الصحة"}, "MS"),
    ("onee", {"fr": "Office national de l'électricité et de l'eau", "ar": "المكتب الوطني"}, "ONEE"),
)
# (French title, Arabic title, theme, tag) of what the datasets are about.
SUBJECTS = (
    ("Population des régions", "سكان الجهات", "population", "population"),
    ("Écoles primaires", "المدارس الابتدائية", "education", "écoles"),
    ("Établissements de santé", "المؤسسات الصحية", "sante", "santé"),
    ("Ressources en eau", "الموارد المائية", "environnement", "eau"),
    ("Budget des communes", "ميزانية الجماعات", "economie-finances", "budget"),
    ("Demandeurs d'emploi", "طالبو الشغل", "emploi", "emploi"),
)
WORDS = ("population", "écoles", "santé", "eau", "budget", "emploi", "régions", "المدارس")
UPLOAD_BOUNDARY = "bench-load-boundary"


@dataclass
class Seeded:
    """What the load works on."""

    steward: Person
    institution_id: str
    dataset_ids: list[str]
    slugs: list[str]
    developer_keys: list[str]
    reuses: int
    seconds: float


def _dataset_fields(n: int) -> dict[str, Any]:
    french, arabic, theme, tag = SUBJECTS[n % len(SUBJECTS)]
    return {
        "slug": f"{tag.replace('é', 'e')}-{n}-{uuid.uuid4().hex[:4]}",
        "title": {"fr": f"{french} ({2010 + n % 15})", "ar": arabic},
        "themes": [theme],
        "tags": [tag, "bench"],
    }


def seed(platform: Platform, datasets_per_institution: int, developers: int) -> Seeded:
    """Institutions, published datasets, developers and their reuses, through the saga."""
    began = time.monotonic()
    admin = make_admin(platform)
    institutions: list[Institution] = [
        enrol_institution(platform, admin, f"{slug}-{uuid.uuid4().hex[:4]}", name, acronym)
        for slug, name, acronym in INSTITUTIONS
    ]
    staff = [
        People(admin, i.steward, i.reviewer, i.id, i.slug, developer_key="") for i in institutions
    ]
    drafted: list[tuple[People, str, str]] = []
    for n in range(datasets_per_institution * len(staff)):
        people = staff[n % len(staff)]
        fields = _dataset_fields(n)
        drafted.append((people, draft_with_upload(platform, people, **fields), fields["slug"]))
    for people, dataset_id, _ in drafted:
        submit(platform, people, dataset_id)
    for people, dataset_id, _ in drafted:  # the checks run meanwhile, in governance
        review = review_with_report(platform, people, dataset_id)
        approve(platform, people, review)
    for people, dataset_id, _ in drafted:
        wait_for_state(platform, people, dataset_id, "published")
    print(f"load bench: {len(drafted)} datasets published", flush=True)

    keys = [
        register_developer(platform, f"dev-{n}-{uuid.uuid4().hex[:6]}@example.org")
        for n in range(developers)
    ]
    slugs = [slug for _, _, slug in drafted]
    reuse_ids: list[str] = []
    for n, key in enumerate(itertools.islice(itertools.cycle(keys), developers * 3)):
        cited = [slugs[(n * 7) % len(slugs)], slugs[(n * 11 + 3) % len(slugs)]]
        with platform["reuse"].client(**{"X-API-Key": key}) as http:
            body = _reuse_body(f"seed-{n}-{uuid.uuid4().hex[:6]}", sorted(set(cited)))
            reuse_ids.append(_expect(http.post("/api/v1/reuses", json=body), 201)["id"])
    with platform["reuse"].client(**admin.headers) as http:
        for reuse_id in reuse_ids[::2]:
            _expect(http.post(f"/api/v1/reuses/{reuse_id}/verification"), 200)
    return Seeded(
        steward=staff[0].steward,
        institution_id=str(staff[0].institution_id),
        dataset_ids=[dataset_id for _, dataset_id, _ in drafted],
        slugs=slugs,
        developer_keys=keys,
        reuses=len(reuse_ids),
        seconds=round(time.monotonic() - began, 1),
    )


def _reuse_body(name: str, slugs: list[str]) -> dict[str, Any]:
    return {
        "title": {"fr": f"Tableau de bord {name}", "ar": "لوحة قيادة"},
        "description": {"fr": "Les chiffres publiés, sur une carte et en tableaux."},
        "type": "visualization",
        "topic": "society",
        "url": f"https://{name}.bench.example.org/",
        "tags": ["bench"],
        "datasets": slugs,
    }


# --- Requests, as raw HTTP/1.1 ---------------------------------------------------------------


def _request(
    method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b""
) -> bytes:
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Accept: application/json"]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    if method != "GET":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def _json(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def _upload(filename: str, content: bytes) -> bytes:
    return (
        (
            f"--{UPLOAD_BOUNDARY}\r\n"
            f'Content-Disposition: form-data; name="file"; filename="{filename}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{UPLOAD_BOUNDARY}--\r\n".encode()
    )


@dataclass
class Connection:
    """One client of the load: a keep-alive connection to each service, opened on first use,
    and the draft it last made (where its uploads go)."""

    number: int
    streams: dict[int, tuple[asyncio.StreamReader, asyncio.StreamWriter]] = field(
        default_factory=dict
    )
    draft_id: str | None = None
    reopened: int = 0

    async def send(self, port: int, request: bytes) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if port not in self.streams:
                self.streams[port] = await asyncio.open_connection("127.0.0.1", port)
            reader, writer = self.streams[port]
            try:
                return await exchange(reader, writer, request)
            except (ConnectionError, asyncio.IncompleteReadError):
                # The server closed a keep-alive connection left idle (uvicorn's
                # timeout is 5 s) before reading the request: another one, once.
                writer.close()
                del self.streams[port]
                if attempt == 2:
                    raise
                self.reopened += 1
        raise AssertionError("unreachable")

    def close(self) -> None:
        for _, writer in self.streams.values():
            writer.close()


@dataclass(frozen=True)
class Endpoint:
    name: str
    service: str
    weight: int
    status: int
    # The raw request for a connection's n-th call (None: not possible yet for it).
    request: Callable[[Connection, int], bytes | None]
    # What a success teaches the connection (the id of its new draft, say).
    learn: Callable[[Connection, bytes], None] | None = None


def endpoints(seeded: Seeded, salt: str) -> list[Endpoint]:
    steward = {"Authorization": seeded.steward.headers["Authorization"]}
    ids, slugs, keys = seeded.dataset_ids, seeded.slugs, seeded.developer_keys

    def draft(connection: Connection, n: int) -> bytes:
        body = {
            **DATASET_FIELDS,
            "institution_id": seeded.institution_id,
            "title": {"fr": f"Brouillon de charge {connection.number}-{n}", "ar": "مسودة"},
            "slug": f"brouillon-{salt}-{connection.number}-{n}",
        }
        headers = {**steward, "Content-Type": "application/json"}
        return _request("POST", "/api/v1/datasets", headers, _json(body))

    def learn_draft(connection: Connection, answer: bytes) -> None:
        connection.draft_id = str(json.loads(answer)["id"])

    def upload(connection: Connection, n: int) -> bytes | None:
        if connection.draft_id is None:
            return None
        headers = {
            **steward,
            "Content-Type": f"multipart/form-data; boundary={UPLOAD_BOUNDARY}",
        }
        body = _upload(f"donnees-{n}.csv", GOOD_CSV)
        return _request("POST", f"/api/v1/datasets/{connection.draft_id}/resources", headers, body)

    def declare(connection: Connection, n: int) -> bytes:
        cited = sorted({slugs[(n * 7) % len(slugs)], slugs[(n * 13 + 1) % len(slugs)]})
        body = _reuse_body(f"load-{salt}-{connection.number}-{n}", cited)
        headers = {"X-API-Key": keys[connection.number % len(keys)]}
        headers["Content-Type"] = "application/json"
        return _request("POST", "/api/v1/reuses", headers, _json(body))

    def get(path: Callable[[int], str]) -> Callable[[Connection, int], bytes]:
        return lambda connection, n: _request("GET", path(n))

    def word(n: int) -> str:
        return WORDS[n % len(WORDS)]

    return [
        Endpoint(
            "catalog search", "catalog", 5, 200, get(lambda n: _q("/api/v1/datasets", word(n)))
        ),
        Endpoint(
            "dataset", "catalog", 5, 200, get(lambda n: f"/api/v1/datasets/{ids[n % len(ids)]}")
        ),
        Endpoint(
            "CKAN package_show",
            "catalog",
            4,
            200,
            get(lambda n: f"/api/3/action/package_show?id={slugs[n % len(slugs)]}"),
        ),
        Endpoint(
            "CKAN package_search",
            "catalog",
            4,
            200,
            get(lambda n: "/api/3/action/package_search?" + urlencode({"q": word(n), "rows": 10})),
        ),
        Endpoint("indicators", "metrics", 3, 200, get(lambda n: "/api/v1/indicators")),
        Endpoint("reuse search", "reuse", 3, 200, get(lambda n: _q("/api/v1/reuses", word(n)))),
        Endpoint("draft", "catalog", 1, 201, draft, learn_draft),
        Endpoint("upload", "catalog", 1, 201, upload),
        Endpoint("reuse declaration", "reuse", 1, 201, declare),
    ]


def _q(path: str, word: str) -> str:
    return f"{path}?{urlencode({'q': word})}"


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    errors: int = 0
    first_error: str | None = None


async def drive(
    platform: Platform, mix: list[Endpoint], seconds: float, connections: int
) -> tuple[dict[str, Tally], float, int]:
    """``connections`` clients sending the mix for ``seconds``: each endpoint's tally, the
    time taken, the idle connections the servers closed (opened again)."""
    ports = {name: urlsplit(service.url).port for name, service in platform.services.items()}
    tallies = {endpoint.name: Tally() for endpoint in mix}
    weighted = [endpoint for endpoint in mix for _ in range(endpoint.weight)]
    deadline = time.perf_counter() + seconds
    numbers = itertools.count()
    reopened: list[int] = []

    async def client(number: int) -> None:
        connection = Connection(number)
        draw = random.Random(number)
        try:
            while time.perf_counter() < deadline:
                endpoint = draw.choice(weighted)
                request = endpoint.request(connection, next(numbers))
                if request is None:
                    continue
                tally = tallies[endpoint.name]
                began = time.perf_counter()
                port = ports[endpoint.service]
                assert port is not None
                status, answer = await connection.send(port, request)
                tally.latencies.append(time.perf_counter() - began)
                tally.statuses[status] += 1
                if status != endpoint.status:
                    tally.errors += 1
                    tally.first_error = tally.first_error or f"{status} {answer[:300]!r}"
                elif endpoint.learn is not None:
                    endpoint.learn(connection, answer)
        finally:
            connection.close()
            reopened.append(connection.reopened)

    began = time.perf_counter()
    await asyncio.gather(*(client(n) for n in range(connections)))
    return tallies, time.perf_counter() - began, sum(reopened)


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def summarise(tallies: dict[str, Tally], elapsed: float) -> dict[str, Any]:
    endpoints: dict[str, Any] = {}
    for name, tally in tallies.items():
        count = len(tally.latencies)
        endpoints[name] = {
            "requests": count,
            "requests_per_second": round(count / elapsed, 1),
            "p50_ms": _ms(percentile(tally.latencies, 0.5)) if count else None,
            "p95_ms": _ms(percentile(tally.latencies, 0.95)) if count else None,
            "error_rate": round(tally.errors / count, 4) if count else None,
            "statuses": {str(status): n for status, n in sorted(tally.statuses.items())},
            "first_error": tally.first_error,
        }
    every = [value for tally in tallies.values() for value in tally.latencies]
    errors = sum(tally.errors for tally in tallies.values())
    total = {
        "requests": len(every),
        "requests_per_second": round(len(every) / elapsed, 1),
        "p50_ms": _ms(percentile(every, 0.5)),
        "p95_ms": _ms(percentile(every, 0.95)),
        "error_rate": round(errors / len(every), 4),
    }
    return {"elapsed_seconds": round(elapsed, 1), "endpoints": endpoints, "total": total}


@contextlib.contextmanager
def stack(directory: Path) -> Iterator[Platform]:
    """The four services as processes on scratch databases and this run's own topics."""
    databases = PostgresDatabases()
    settings = PlatformSettings(kafka_topic_prefix=f"bench-load-{uuid.uuid4().hex[:6]}.")
    try:
        with running_platform(
            settings, databases, directory, replicas=1, **RAISED_LIMITS
        ) as running:
            yield running
    finally:
        databases.drop_all()


def run(
    output: Path,
    *,
    seconds: float = 60.0,
    connections: int = 12,
    datasets_per_institution: int = 15,
    developers: int = 4,
) -> dict[str, Any]:
    output.parent.mkdir(parents=True, exist_ok=True)
    directory = output.with_name("load-run")
    directory.mkdir(exist_ok=True)
    print("load bench: starting the four services…", flush=True)
    with stack(directory) as platform:
        seeded = seed(platform, datasets_per_institution, developers)
        print(f"load bench: seeded in {seeded.seconds} s; {seconds:.0f} s of load…", flush=True)
        mix = endpoints(seeded, uuid.uuid4().hex[:6])
        tallies, elapsed, reopened = asyncio.run(drive(platform, mix, seconds, connections))
        memory = {
            name: memory_of(service.process.pid)
            for name, service in platform.services.items()
            if service.process is not None
        }
    result = {
        "benchmark": "mixed load on the four services",
        "when": datetime.now(UTC).isoformat(),
        "cpus": os.cpu_count(),
        "connections": connections,
        "seconds": seconds,
        "data": {
            "institutions": len(INSTITUTIONS),
            "datasets_published": len(seeded.dataset_ids),
            "developers": len(seeded.developer_keys),
            "reuses": seeded.reuses,
            "seed_seconds": seeded.seconds,
        },
        "raised_limits": RAISED_LIMITS,
        "weights": {endpoint.name: endpoint.weight for endpoint in mix},
        **summarise(tallies, elapsed),
        "idle_connections_reopened": reopened,
        "memory": memory,
    }
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    markdown = output.with_suffix(".md")
    markdown.write_text(render_markdown(result))
    total = result["total"]
    print(
        f"load: {total['requests_per_second']} req/s, p50 {total['p50_ms']} ms, "
        f"p95 {total['p95_ms']} ms, error rate {total['error_rate']} → {output}, {markdown}",
        flush=True,
    )
    return result


def render_markdown(result: dict[str, Any]) -> str:
    data = result["data"]
    lines = [
        f"# Load benchmark ({result['when'][:19]}Z, {result['cpus']} CPUs)",
        "",
        f"The four services as processes (one worker each) on PostgreSQL and Kafka, with "
        f"{data['institutions']} institutions, {data['datasets_published']} datasets published "
        f"through the saga, {data['developers']} developers and {data['reuses']} reuses (seeded "
        f"through the public APIs in {data['seed_seconds']} s). {result['connections']} "
        f"keep-alive connections for {result['elapsed_seconds']} s, each request drawn from the "
        "mix by its weight.",
        "",
        "| endpoint | weight | requests | req/s | p50 ms | p95 ms | error rate |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for name, figures in result["endpoints"].items():
        lines.append(
            f"| {name} | {result['weights'][name]} | {figures['requests']} | "
            f"{figures['requests_per_second']} | {figures['p50_ms']} | {figures['p95_ms']} | "
            f"{figures['error_rate']} |"
        )
    total = result["total"]
    lines += [
        f"| **all** | | {total['requests']} | {total['requests_per_second']} | "
        f"{total['p50_ms']} | {total['p95_ms']} | {total['error_rate']} |",
        "",
        "Limits raised for the run (every write counted, none refused: the load comes from one "
        "address and a few keys): "
        + ", ".join(f"`{name}={value}`" for name, value in result["raised_limits"].items())
        + ".",
        "",
        "Memory (RSS, MiB): "
        + ", ".join(f"{name} {m['rss_mib']}" for name, m in result["memory"].items())
        + ".",
        "",
    ]
    return "\n".join(lines)


def main(output: Path, **options: Any) -> dict[str, Any]:
    """Entry point of ``python -m bench``: results to ``output`` (JSON) and ``.md`` next to it."""
    return run(output, **options)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m bench.load", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--output", type=Path, default=var_dir() / "bench" / "load.json")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--connections", type=int, default=12)
    parser.add_argument("--datasets-per-institution", type=int, default=15)
    args = parser.parse_args()
    main(
        args.output,
        seconds=args.seconds,
        connections=args.connections,
        datasets_per_institution=args.datasets_per_institution,
    )
