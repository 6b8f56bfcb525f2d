"""The catalog's CKAN Action API against a CKAN (with Solr) holding the same corpus.

1. A scratch PostgreSQL database gets the catalog's migrations and the comparison corpus of
   bench/ckan_corpus.py (the first N datasets, default 10,000), the rows written straight into
   the tables as bench/ckan_load.py writes them for the compatibility tests; then their read
   model is rendered, as ``bayanat catalog render`` does after such a load.
2. The catalog runs as ``bayanat serve catalog``: its worker processes (one per core unless
   ``CATALOG_WORKERS`` says otherwise) on that database.
3. One lean asyncio HTTP/1.1 client (keep-alive connections, default 8) measures three calls
   on each system in turn, rounds alternating peer then catalog, each run a fixed time:

   - ``package_show`` of a random dataset name of the corpus,
   - ``package_search`` of a word (rotating over common corpus words), rows=10, three facet
     fields (organization, tags, res_format),
   - ``package_list`` with limit=1000, paging through the whole list.

   Per call and system: the median of the rounds' req/s, and p50/p95 latency over every
   request of every round; the ratio is catalog req/s / peer req/s.
4. Memory: the RSS of the catalog's processes (the server and its workers) and, when
   ``--peer-pids`` lists local process ids (e.g. CKAN's uWSGI master and Solr), of theirs and
   their children.

The peer must hold the same corpus (``package_list`` must answer the corpus's names); it is
never loaded by this module. Results: JSON at the output path and Markdown next to it.

    python -m bench --only ckan --peer http://127.0.0.1:5000 [--quick] [--datasets 10000]
"""

from __future__ import annotations

import json
import logging
import os
import random
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import count
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit

import httpx
import uvloop
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url

from bench.catalog import RENDER_PROCESSES, render_read_model
from bench.ckan_corpus import NAME_FORMAT
from bench.ckan_load import load_corpus
from bench.processes import (
    ADMIN_URL,
    Requests,
    drive,
    drop_database,
    free_port,
    percentile,
    scratch_database,
    sqlalchemy_url,
)
from libs.db import upgrade
from libs.settings import REPO_ROOT

ACTION = "/api/3/action"
SEARCH_WORDS = ["santé", "transport", "paris", "tunis", "budget", "الصحة", "eau", "tourisme"]
FACET_FIELDS = json.dumps(["organization", "tags", "res_format"])
LIST_PAGE = 1000
SHOW_SAMPLE = 5000
TARGET_RATIO = 2.0
# A loaded machine can take minutes to start the workers (each imports and connects).
READY_SECONDS = 300


@dataclass(frozen=True)
class Call:
    name: str
    label: str
    paths: list[str]


def calls(datasets: int, seed: int = 13) -> list[Call]:
    """The three calls, each as the request paths its connections take in turn."""
    rng = random.Random(seed)
    names = [NAME_FORMAT.format(1 + rng.randrange(datasets)) for _ in range(SHOW_SAMPLE)]
    show = [f"{ACTION}/package_show?id={name}" for name in names]
    search = [
        f"{ACTION}/package_search?"
        + urlencode({"q": word, "rows": 10, "facet.field": FACET_FIELDS}, quote_via=quote)
        for word in SEARCH_WORDS
    ]
    pages = range(0, datasets, LIST_PAGE)
    listing = [f"{ACTION}/package_list?limit={LIST_PAGE}&offset={offset}" for offset in pages]
    return [
        Call("package_show", "`package_show` (random name)", show),
        Call(
            "package_search",
            "`package_search` (a word, rows=10, 3 facet fields)",
            search,
        ),
        Call("package_list", f"`package_list` (limit {LIST_PAGE}, paged)", listing),
    ]


def requests(host: str, port: int, prefix: str, paths: list[str]) -> Requests:
    """Each request in turn takes the next path, whichever connection sends it."""
    tail = f"HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: application/json\r\n\r\n"
    encoded = [f"GET {prefix}{path} {tail}".encode() for path in paths]
    return lambda connection, number: encoded[number % len(encoded)]


def _target(url: str) -> tuple[str, int, str]:
    parts = urlsplit(url)
    if parts.scheme != "http" or not parts.hostname:
        raise SystemExit(f"the peer must be a plain http:// URL, not {url!r}")
    return parts.hostname, parts.port or 80, parts.path.rstrip("/")


def compare(
    catalog_url: str,
    peer_url: str,
    datasets: int,
    *,
    seconds: float,
    rounds: int,
    connections: int,
) -> list[dict[str, Any]]:
    """Every call on both systems, rounds alternating; one result per call."""
    systems = {"peer": _target(peer_url), "catalog": _target(catalog_url)}
    results = []
    for call in calls(datasets):
        runs: dict[str, list[dict[str, Any]]] = {"peer": [], "catalog": []}
        for _ in range(rounds):
            for system, (host, port, prefix) in systems.items():
                run = uvloop.run(
                    drive(
                        port,
                        requests(host, port, prefix, call.paths),
                        count(),
                        seconds,
                        connections,
                        host,
                    )
                )
                if set(run["statuses"]) != {200}:
                    raise RuntimeError(f"{system} {call.name}: non-200 answers {run['statuses']}")
                runs[system].append(run)
        figures: dict[str, Any] = {"call": call.name, "label": call.label}
        for system, system_runs in runs.items():
            latencies = [latency for run in system_runs for latency in run["latencies"]]
            figures[system] = {
                "requests_per_second": statistics.median(
                    run["requests_per_second"] for run in system_runs
                ),
                "rounds": [run["requests_per_second"] for run in system_runs],
                "p50_ms": round(percentile(latencies, 0.5) * 1000, 1),
                "p95_ms": round(percentile(latencies, 0.95) * 1000, 1),
            }
        figures["ratio"] = round(
            figures["catalog"]["requests_per_second"] / figures["peer"]["requests_per_second"], 2
        )
        results.append(figures)
        print(
            f"ckan bench: {call.name}: catalog {figures['catalog']['requests_per_second']} req/s, "
            f"peer {figures['peer']['requests_per_second']} req/s, ratio {figures['ratio']}",
            flush=True,
        )
    return results


def check_peer(peer_url: str, datasets: int) -> dict[str, Any]:
    """The peer answers the corpus: how many of its first ``datasets`` it holds (its
    ``package_search`` count, the corpus being loaded in order), checked by showing the first
    and the last of them; and its version."""
    with httpx.Client(base_url=peer_url.rstrip("/"), timeout=30) as client:
        status = client.get(f"{ACTION}/status_show").raise_for_status().json()["result"]
        search = client.get(f"{ACTION}/package_search", params={"rows": 0})
        held = min(datasets, int(search.raise_for_status().json()["result"]["count"]))
        for name in (NAME_FORMAT.format(1), NAME_FORMAT.format(max(held, 1))):
            if client.get(f"{ACTION}/package_show", params={"id": name}).status_code != 200:
                raise SystemExit(f"the peer at {peer_url} does not hold {name}: load the corpus")
    return {"url": peer_url, "ckan_version": status.get("ckan_version"), "datasets": held}


# --- Memory --------------------------------------------------------------------------------


def process_tree(pid: int) -> list[int]:
    """A process and its descendants (Linux /proc)."""
    found = [pid]
    for task in Path(f"/proc/{pid}/task").glob("*"):
        children = (task / "children").read_text().split()
        for child in children:
            found.extend(process_tree(int(child)))
    return found


def rss_mib(pids: list[int]) -> list[float]:
    sizes = []
    for pid in pids:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(round(int(line.split()[1]) / 1024, 1))
    return sizes


def memory(root_pids: list[int]) -> dict[str, Any]:
    sizes = rss_mib([pid for root in root_pids for pid in process_tree(root)])
    return {"processes": len(sizes), "rss_mib_each": sizes, "rss_mib_total": round(sum(sizes), 1)}


# --- The catalog ---------------------------------------------------------------------------


def _wait_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + READY_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the catalog exited with {process.returncode}; see {log}")
        try:
            if httpx.get(f"{url}/readyz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"the catalog did not become ready; see {log}")


def render(database_url: str, public_url: str) -> dict[str, Any]:
    """The read model of the datasets loaded straight into the tables, as ``bayanat catalog
    render`` writes it (a write through the API renders its own as it commits), one process
    a core."""
    return render_read_model(database_url, RENDER_PROCESSES, public_url)


def serve_catalog(
    database_url: str, port: int, public_url: str, log: Path
) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CATALOG_DATABASE_URL": sqlalchemy_url(database_url),
        "CATALOG_PORT": str(port),
        "CATALOG_PUBLIC_URL": public_url,
        "CATALOG_RUN_MIGRATIONS": "false",
        "KAFKA_TOPIC_PREFIX": f"bench-{uuid.uuid4().hex[:6]}.",
        "LOG_LEVEL": "WARNING",
    }
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.cli", "serve", "catalog"],
            cwd=REPO_ROOT,
            env=env,
            stdout=output,
            stderr=output,
        )
    try:
        _wait_ready(process, f"http://127.0.0.1:{port}", log)
    except BaseException:
        process.terminate()
        process.wait()
        raise
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def run(
    output: Path,
    peer: str,
    datasets: int = 10_000,
    *,
    quick: bool = False,
    peer_pids: list[int] | None = None,
    database: str | None = None,
) -> dict[str, Any]:
    """Load (or reuse ``database``, already loaded), serve, compare, write the results."""
    output.parent.mkdir(parents=True, exist_ok=True)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    seconds, rounds = (3.0, 1) if quick else (15.0, 3)
    peer_info = check_peer(peer, datasets)
    peer_datasets = peer_info["datasets"]
    log = output.with_suffix(".log")
    log.write_text("")
    loading: dict[str, Any]
    if database:
        name = database
        database_url = make_url(ADMIN_URL).set(database=database).render_as_string(False)
        loading = {"reused_database": database}
    else:
        name, database_url = scratch_database("ckan")
        print(f"ckan bench: loading {datasets} corpus datasets into {name}…", flush=True)
        began = time.perf_counter()
        upgrade(REPO_ROOT / "services" / "catalog" / "migrations", sqlalchemy_url(database_url))
        engine = create_engine(sqlalchemy_url(database_url))
        try:
            load_corpus(engine, datasets)
        finally:
            engine.dispose()
        loading = {"datasets": datasets, "load_seconds": round(time.perf_counter() - began, 1)}
    try:
        port = free_port()
        public_url = f"http://127.0.0.1:{port}"
        loading |= render(database_url, public_url)
        catalog = serve_catalog(database_url, port, public_url, log)
        try:
            catalog_url = f"http://127.0.0.1:{port}"
            results = compare(
                catalog_url,
                peer,
                peer_datasets,
                seconds=seconds,
                rounds=rounds,
                connections=8,
            )
            catalog_memory = memory([catalog.pid])
        finally:
            stop(catalog)
    finally:
        if not database:
            drop_database(name)
    result: dict[str, Any] = {
        "benchmark": "CKAN Action API: this catalog vs a CKAN peer on the same corpus",
        "when": datetime.now(UTC).isoformat(),
        "cpus": os.cpu_count(),
        "catalog_datasets": datasets,
        "peer_datasets": peer_datasets,
        "peer": peer_info,
        "loading": loading,
        "connections": 8,
        "seconds_per_run": seconds,
        "rounds": rounds,
        "calls": results,
        "catalog_memory": catalog_memory,
        "peer_memory": memory(peer_pids) if peer_pids else None,
        "target_ratio": TARGET_RATIO,
    }
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    markdown = output.with_suffix(".md")
    markdown.write_text(render_markdown(result))
    print(f"ckan bench → {output}, {markdown}", flush=True)
    return result


def render_markdown(result: dict[str, Any]) -> str:
    peer = result["peer"]
    lines = [
        f"# CKAN Action API comparison ({result['when'][:19]}Z, {result['cpus']} CPUs)",
        "",
        f"This catalog with {result['catalog_datasets']} datasets of the comparison corpus, "
        f"on PostgreSQL, against CKAN {peer['ckan_version']} at {peer['url']} "
        + (
            "holding the same datasets. "
            if result.get("peer_datasets", result["catalog_datasets"]) == result["catalog_datasets"]
            else f"(holding the first {result['peer_datasets']} of the same corpus; the "
            "requests ask for those only). "
        )
        + f"{result['connections']} keep-alive connections, runs of {result['seconds_per_run']} s "
        f"alternating peer then catalog, {result['rounds']} round(s): req/s is the median of "
        "the rounds, p50/p95 over every request.",
        "",
        "| call | peer req/s | catalog req/s | ratio | p50 peer / catalog ms "
        "| p95 peer / catalog ms |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for call in result["calls"]:
        p, c = call["peer"], call["catalog"]
        lines.append(
            f"| {call['label']} | {p['requests_per_second']} | {c['requests_per_second']} | "
            f"{call['ratio']} | {p['p50_ms']} / {c['p50_ms']} | {p['p95_ms']} / {c['p95_ms']} |"
        )
    target = result.get("target_ratio", TARGET_RATIO)
    below = [call["call"] for call in result["calls"] if call["ratio"] < target]
    search = next((call for call in result["calls"] if call["call"] == "package_search"), None)
    verdict = f"Target: ratio ≥ {target} on every call — " + (
        "met." if not below else f"not met on {', '.join(below)}."
    )
    if search is not None:
        here, there = search["catalog"]["p95_ms"], search["peer"]["p95_ms"]
        relation = "below it" if here < there else "NOT below it"
        verdict += f" Search p95: {here} ms here, {there} ms on the peer ({relation})."
    lines += ["", verdict]
    catalog_memory = result["catalog_memory"]
    lines += [
        "",
        f"Catalog memory: {catalog_memory['processes']} processes, RSS "
        f"{catalog_memory['rss_mib_total']} MiB in all ({catalog_memory['rss_mib_each']}).",
    ]
    if result["peer_memory"]:
        peer_memory = result["peer_memory"]
        lines.append(
            f"Peer memory: {peer_memory['processes']} processes, RSS "
            f"{peer_memory['rss_mib_total']} MiB in all ({peer_memory['rss_mib_each']})."
        )
    lines.append("")
    return "\n".join(lines)


def main(output: Path, peer: str | None, datasets: int = 10_000, **options: Any) -> None:
    """Entry point of ``python -m bench --only ckan``."""
    if not peer:
        raise SystemExit("--peer URL (a CKAN Action API holding the comparison corpus) is needed")
    run(output, peer, datasets, **options)
