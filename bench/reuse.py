"""Reuse benchmark: authenticated declarations and public search at 10,000 reuses.

1. A scratch PostgreSQL database gets the reuse service's migrations, then by ``COPY``: 2,000
   published datasets (the replica), 500 verified developers, N reuses (default 10,000) citing
   one to three datasets each, with their search words computed by the service's own
   ``index_terms`` (libs.text), and one API key per load connection.
2. The reuse service runs as a real uvicorn process on that database (relay and consumer on,
   against the local Kafka), its write rate limits raised so that they count every write
   without refusing any; a bare FastAPI app in its own uvicorn process answers the same two
   routes with a constant payload of the same size.
3. Declarations (``POST /api/v1/reuses`` with an API key, each a new URL citing two datasets)
   and searches (``GET /api/v1/reuses?q=…`` with Arabic and French words and filters) are
   driven over keep-alive HTTP/1.1 connections, rounds alternating with the bare app: req/s
   (median of rounds), p50 and p95 latency (over every request), and the ratio to the bare
   endpoint. The service's memory (RSS) is reported.

Results: JSON at the output path and a Markdown table next to it (``.md``). Never run by the
test suite. ``python -m bench --only reuse [--reuses 2000]`` or ``python -m bench.reuse``.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import psycopg
import uvloop
from fastapi import FastAPI

from bench.processes import (
    Requests,
    drive,
    drop_database,
    free_port,
    memory_of,
    percentile,
    scratch_database,
    sqlalchemy_url,
    uvicorn_process,
)
from libs.auth import generate_api_key
from libs.db import upgrade
from libs.settings import REPO_ROOT, var_dir
from services.reuse.domain.search import index_terms
from services.reuse.models import Reuse

# (French, Arabic, tags) of what reuses are about.
SUBJECTS: list[tuple[str, str, tuple[str, ...]]] = [
    ("Établissements de santé", "المؤسسات الصحية", ("santé", "hôpitaux")),
    ("Écoles primaires", "المدارس الابتدائية", ("éducation", "écoles")),
    ("Budget de l'État", "ميزانية الدولة", ("budget", "finances")),
    ("Qualité de l'air", "جودة الهواء", ("air", "pollution")),
    ("Ressources en eau", "الموارد المائية", ("eau", "barrages")),
    ("Production agricole", "الإنتاج الفلاحي", ("agriculture",)),
    ("Arrivées touristiques", "الوافدون السياحيون", ("tourisme",)),
    ("Accidents de la circulation", "حوادث السير", ("routes", "sécurité")),
    ("Consommation d'énergie", "استهلاك الطاقة", ("énergie",)),
    ("Demandeurs d'emploi", "طالبو الشغل", ("emploi", "chômage")),
]
DATASETS = 2_000
DEVELOPERS = 500
INSTITUTIONS = 40
BARE_PAYLOADS_ENV = "BENCH_REUSE_BARE_PAYLOADS"
TYPES = ["application", "visualization", "api", "article", "paper", "news", "idea", "other"]
TOPICS = ["health", "education", "economy", "environment", "agriculture", "transport", "energy"]
KINDS = [
    ("Carte", "خريطة"),
    ("Tableau de bord", "لوحة قيادة"),
    ("Application mobile", "تطبيق محمول"),
    ("Analyse", "تحليل"),
    ("API ouverte", "واجهة مفتوحة"),
]
REGIONS = [
    ("Souss-Massa", "سوس ماسة"),
    ("Casablanca-Settat", "الدار البيضاء سطات"),
    ("Rabat-Salé-Kénitra", "الرباط سلا القنيطرة"),
    ("Fès-Meknès", "فاس مكناس"),
    ("Oriental", "الشرق"),
    ("Drâa-Tafilalet", "درعة تافيلالت"),
]
# Typical searches: unaccented French, Arabic spelling variants, with and without filters.
SEARCHES: list[dict[str, str]] = [
    {"q": "carte ecoles"},
    {"q": "sante", "type": "application"},
    {"q": "budget de l'etat"},
    {"q": "خريطة المدارس"},
    {"q": "المؤسسات الصحيه"},
    {"q": "tableau qualite air", "verified": "true"},
    {"topic": "economy"},
    {"q": "souss"},
]


# --- Loading -----------------------------------------------------------------------------------


def _copy(cursor: psycopg.Cursor[Any], statement: str, rows: list[tuple[Any, ...]]) -> None:
    with cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def load(database_url: str, count: int, keys: int, seed: int = 11) -> dict[str, Any]:
    """Migrations, then the replica, developers, ``count`` reuses with their words, and
    ``keys`` API keys (returned), by COPY; seconds taken."""
    started = time.perf_counter()
    upgrade(REPO_ROOT / "services" / "reuse" / "migrations", sqlalchemy_url(database_url))
    rng = random.Random(seed)
    now = datetime.now(UTC)
    institutions = [uuid.UUID(int=0xA000 + n) for n in range(INSTITUTIONS)]
    datasets = []
    for n in range(DATASETS):
        fr, ar, _ = SUBJECTS[n % len(SUBJECTS)]
        region_fr, region_ar = REGIONS[n % len(REGIONS)]
        datasets.append(
            (
                uuid.UUID(int=0xD0000 + n),
                f"dataset-{n}",
                json.dumps({"fr": f"{fr} — {region_fr}", "ar": f"{ar} - {region_ar}"}),
                institutions[n % INSTITUTIONS],
                "published",
                now - timedelta(days=400),
                now - timedelta(days=400),
            )
        )
    developers = [
        (uuid.UUID(int=0xE0000 + n), f"Développeur {n}", f"dev{n}@bench.example.org", now, now, now)
        for n in range(DEVELOPERS)
    ]
    reuses: list[tuple[Any, ...]] = []
    cited: list[tuple[uuid.UUID, uuid.UUID, int]] = []
    terms: list[tuple[str, uuid.UUID, int]] = []
    for n in range(count):
        kind_fr, kind_ar = KINDS[n % len(KINDS)]
        fr, ar, tags = SUBJECTS[rng.randrange(len(SUBJECTS))]
        region_fr, region_ar = REGIONS[rng.randrange(len(REGIONS))]
        reuse = Reuse(
            id=uuid.UUID(int=rng.getrandbits(128) | (1 << 127)),
            slug=f"reuse-{n}",
            title={"fr": f"{kind_fr} : {fr} ({region_fr})", "ar": f"{kind_ar}: {ar} ({region_ar})"},
            description={
                "fr": f"{kind_fr} des données « {fr} » pour la région {region_fr}, mise à jour "
                "à chaque publication du jeu de données.",
            },
            reuse_type=TYPES[n % len(TYPES)],
            topic=TOPICS[n % len(TOPICS)],
            url=f"https://reuse-{n}.bench.example.org/",
            url_digest=uuid.uuid5(uuid.NAMESPACE_URL, f"reuse-{n}").hex * 2,
            tags=list(tags[:2]),
            developer_id=developers[n % DEVELOPERS][0],
            organization=None,
        )
        declared = now - timedelta(minutes=count - n)
        state = "verified" if n % 3 == 0 else "declared"
        reuses.append(
            (
                reuse.id,
                reuse.slug,
                json.dumps(reuse.title, ensure_ascii=False),
                json.dumps(reuse.description, ensure_ascii=False),
                reuse.reuse_type,
                reuse.topic,
                reuse.url,
                reuse.url_digest,
                json.dumps(reuse.tags, ensure_ascii=False),
                reuse.developer_id,
                state,
                declared,
                declared,
                declared if state == "verified" else None,
            )
        )
        for position, dataset in enumerate(rng.sample(datasets, 1 + rng.randrange(3))):
            cited.append((reuse.id, dataset[0], position))
        terms.extend((term, reuse.id, weight) for term, weight in index_terms(reuse).items())
    issued = [generate_api_key() for _ in range(keys)]
    with psycopg.connect(database_url) as connection, connection.cursor() as cursor:
        _copy(
            cursor,
            "COPY dataset_replica (id, slug, title, institution_id, state, published_at, "
            "changed_at) FROM STDIN",
            datasets,
        )
        _copy(
            cursor,
            "COPY developer (id, name, email, terms_accepted_at, verified_at, created_at) "
            "FROM STDIN",
            developers,
        )
        _copy(
            cursor,
            "COPY reuse (id, slug, title, description, reuse_type, topic, url, url_digest, tags, "
            "developer_id, state, declared_at, updated_at, verified_at) FROM STDIN",
            reuses,
        )
        _copy(cursor, "COPY reuse_dataset (reuse_id, dataset_id, position) FROM STDIN", cited)
        _copy(cursor, "COPY reuse_term (term, reuse_id, weight) FROM STDIN", terms)
        _copy(
            cursor,
            "COPY api_key (id, developer_id, prefix, digest, name, created_at, expires_at) "
            "FROM STDIN",
            [
                (
                    uuid.uuid4(),
                    developers[n][0],
                    key.prefix,
                    key.digest,
                    "bench",
                    now,
                    now + timedelta(days=1),
                )
                for n, key in enumerate(issued)
            ],
        )
        connection.commit()
    with psycopg.connect(database_url, autocommit=True) as connection:
        connection.execute("VACUUM ANALYZE")
    loaded = time.perf_counter()
    return {
        "reuses": count,
        "datasets": DATASETS,
        "developers": DEVELOPERS,
        "search_words": len(terms),
        "citations": len(cited),
        "load_seconds": round(loaded - started, 2),
        "keys": [key.key for key in issued],
    }


# --- The bare app ------------------------------------------------------------------------------


def bare_app() -> FastAPI:
    """Bare FastAPI endpoints with the service's two paths, answering constant payloads of the
    same size (``BENCH_REUSE_BARE_PAYLOADS`` names the JSON file holding them). ``def``
    endpoints, as the service's are."""
    payloads = json.loads(Path(os.environ[BARE_PAYLOADS_ENV]).read_text())
    app = FastAPI()

    @app.post("/api/v1/reuses", status_code=201)
    def declare(body: dict[str, Any]) -> dict[str, Any]:
        return dict(payloads["declaration"])

    @app.get("/api/v1/reuses")
    def search() -> dict[str, Any]:
        return dict(payloads["search"])

    return app


# --- Load ------------------------------------------------------------------------------------


def declaration_body(n: int, salt: str) -> bytes:
    datasets = [f"dataset-{(n * 7) % DATASETS}", f"dataset-{(n * 13 + 1) % DATASETS}"]
    body = {
        "title": {"fr": f"Déclaration de charge {n}", "ar": f"تصريح تجريبي {n}"},
        "description": {"fr": "Une application qui réutilise deux jeux de données publiés."},
        "type": TYPES[n % len(TYPES)],
        "topic": TOPICS[n % len(TOPICS)],
        "url": f"https://load-{salt}-{n}.bench.example.org/",
        "tags": ["bench", "charge"],
        "datasets": datasets,
    }
    return json.dumps(body, ensure_ascii=False).encode()


def post_request(path: str, body: bytes, key: str) -> bytes:
    head = (
        f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        f"X-API-Key: {key}\r\nContent-Length: {len(body)}\r\n\r\n"
    )
    return head.encode() + body


def get_request(path: str) -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: application/json\r\n\r\n".encode()


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 2)


def compare(
    service_port: int,
    bare_port: int,
    requests: Requests,
    expected_status: int,
    *,
    seconds: float,
    rounds: int,
    connections: int,
) -> dict[str, Any]:
    """Rounds alternating between the bare app and the service; rates, latencies, ratio."""
    runs: dict[str, list[dict[str, Any]]] = {"bare": [], "service": []}
    numbers = itertools.count()
    for _ in range(rounds):
        for name, port in (("bare", bare_port), ("service", service_port)):
            run = drive(port, requests, numbers, seconds, connections)
            runs[name].append(uvloop.run(run))
    summary: dict[str, Any] = {"connections": connections, "rounds": rounds, "seconds": seconds}
    for name, results in runs.items():
        for result in results:
            if set(result["statuses"]) != {expected_status}:
                raise RuntimeError(f"{name}: unexpected answers {result['statuses']}")
        latencies = [value for result in results for value in result["latencies"]]
        summary[name] = {
            "requests_per_second": statistics.median(r["requests_per_second"] for r in results),
            "requests": len(latencies),
            "p50_ms": _ms(percentile(latencies, 0.5)),
            "p95_ms": _ms(percentile(latencies, 0.95)),
            "rounds_requests_per_second": [r["requests_per_second"] for r in results],
        }
    summary["ratio"] = round(
        summary["service"]["requests_per_second"] / summary["bare"]["requests_per_second"], 3
    )
    return summary


# --- The run -----------------------------------------------------------------------------------


def _payloads(api: str, key: str, output: Path) -> Path:
    """One real answer of each route, for the bare app to return."""
    with httpx.Client(base_url=api, timeout=30) as client:
        declared = client.post(
            "/api/v1/reuses",
            content=declaration_body(0, "sample"),
            headers={"X-API-Key": key, "Content-Type": "application/json"},
        )
        declared.raise_for_status()
        searched = [
            client.get(f"/api/v1/reuses?{urlencode(params)}").raise_for_status().content
            for params in SEARCHES
        ]
    median = sorted(searched, key=len)[len(searched) // 2]
    path = output.with_name("reuse-bare-payloads.json")
    path.write_text(
        json.dumps({"declaration": declared.json(), "search": json.loads(median)}),
        encoding="utf-8",
    )
    return path


def run(
    output: Path,
    reuses: int = 10_000,
    *,
    seconds: float = 5.0,
    rounds: int = 3,
    connections: int = 8,
) -> dict[str, Any]:
    output.parent.mkdir(parents=True, exist_ok=True)
    log = output.with_suffix(".log")
    log.write_text("")
    name, database_url = scratch_database("reuse")
    try:
        print(f"reuse bench: loading {reuses} reuses into {name}…", flush=True)
        loading = load(database_url, reuses, keys=connections + 1)
        keys = loading.pop("keys")
        print(f"reuse bench: loaded in {loading['load_seconds']} s", flush=True)
        port, bare_port = free_port(), free_port()
        env = {
            "REUSE_DATABASE_URL": database_url,
            "REUSE_RUN_MIGRATIONS": "false",
            "REUSE_PORT": str(port),
            # Every write is counted against the limits, none is refused.
            "REUSE_WRITE_LIMIT_PER_KEY": "1000000000",
            "REUSE_WRITE_LIMIT_PER_IP": "1000000000",
            "KAFKA_TOPIC_PREFIX": f"bench-{uuid.uuid4().hex[:6]}.",
            "LOG_LEVEL": "WARNING",
        }
        with uvicorn_process("services.reuse.app:create_app", port, env, log, "/healthz") as app:
            payloads = _payloads(f"http://127.0.0.1:{port}", keys[-1], output)
            with uvicorn_process(
                "bench.reuse:bare_app",
                bare_port,
                {BARE_PAYLOADS_ENV: str(payloads)},
                log,
                "/docs",
            ):
                salt = uuid.uuid4().hex[:6]
                paths = [f"/api/v1/reuses?{urlencode(params)}" for params in SEARCHES]
                print("reuse bench: declarations…", flush=True)
                declarations = compare(
                    port,
                    bare_port,
                    lambda c, n: post_request(
                        "/api/v1/reuses", declaration_body(n, salt), keys[c % len(keys)]
                    ),
                    201,
                    seconds=seconds,
                    rounds=rounds,
                    connections=connections,
                )
                print("reuse bench: searches…", flush=True)
                searches = compare(
                    port,
                    bare_port,
                    lambda c, n: get_request(paths[n % len(paths)]),
                    200,
                    seconds=seconds,
                    rounds=rounds,
                    connections=connections,
                )
                memory = memory_of(app.pid)
    finally:
        drop_database(name)
    result = {
        "benchmark": "reuse declarations and search",
        "when": datetime.now(UTC).isoformat(),
        "cpus": os.cpu_count(),
        "loading": loading,
        "searches": SEARCHES,
        "declaration": declarations,
        "search": searches,
        "reuse_memory": memory,
    }
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    markdown = output.with_suffix(".md")
    markdown.write_text(render_markdown(result))
    print(
        f"reuse: declarations {declarations['service']['requests_per_second']} req/s "
        f"(p95 {declarations['service']['p95_ms']} ms, ratio {declarations['ratio']}), "
        f"search {searches['service']['requests_per_second']} req/s "
        f"(p95 {searches['service']['p95_ms']} ms, ratio {searches['ratio']}) → "
        f"{output}, {markdown}",
        flush=True,
    )
    return result


def render_markdown(result: dict[str, Any]) -> str:
    loading = result["loading"]
    lines = [
        f"# Reuse benchmark ({result['when'][:19]}Z, {result['cpus']} CPUs)",
        "",
        f"{loading['reuses']} reuses ({loading['citations']} citations, "
        f"{loading['search_words']} search words) of {loading['datasets']} datasets by "
        f"{loading['developers']} developers, loaded by COPY in {loading['load_seconds']} s.",
        "",
        "| scenario | server | req/s (median of rounds) | p50 ms | p95 ms | ratio |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for label, key in (
        ("declaration `POST /api/v1/reuses` (API key)", "declaration"),
        ("search `GET /api/v1/reuses?q=…`", "search"),
    ):
        scenario = result[key]
        for server in ("service", "bare"):
            figures = scenario[server]
            ratio = scenario["ratio"] if server == "service" else 1
            name = "reuse service" if server == "service" else "bare FastAPI, constant payload"
            lines.append(
                f"| {label} | {name} | {figures['requests_per_second']} | "
                f"{figures['p50_ms']} | {figures['p95_ms']} | {ratio} |"
            )
    declaration = result["declaration"]
    memory = result["reuse_memory"]
    lines += [
        "",
        f"{declaration['connections']} keep-alive connections (one API key each), "
        f"{declaration['rounds']} rounds of {declaration['seconds']} s per server, alternating. "
        "Each declaration is a new URL citing two datasets: it writes the reuse, its citations, "
        "its search words and its event, and counts against the rate limits (per key and per "
        "address, in the database). Searches cycle through: "
        + "; ".join(urlencode(s) for s in result["searches"])
        + ".",
        "",
        f"Reuse process memory: RSS {memory['rss_mib']} MiB (peak {memory['peak_rss_mib']} MiB).",
        "",
    ]
    return "\n".join(lines)


def main(output: Path, reuses: int = 10_000, **options: Any) -> dict[str, Any]:
    """Entry point of ``python -m bench``: results to ``output`` (JSON) and ``.md`` next to it."""
    return run(output, reuses, **options)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m bench.reuse", description=__doc__.split("\n")[0]
    )
    parser.add_argument("--output", type=Path, default=var_dir() / "bench" / "reuse.json")
    parser.add_argument("--reuses", type=int, default=10_000)
    parser.add_argument("--seconds", type=float, default=5.0, help="per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    main(
        args.output,
        args.reuses,
        seconds=args.seconds,
        rounds=args.rounds,
        connections=args.connections,
    )
