"""``python -m bench``: runs the benchmarks and writes their results to a file.

Options: ``--output DIR`` (default var/bench), ``--only
relay|catalog|reuse|metrics|harvest|load|ckan``, ``--datasets N`` (catalog size, default
100000), ``--reuses N`` (reuse registry size, default 10000), ``--events N`` (metrics events,
default 100000), ``--harvest-datasets N`` (datasets of the harvested CKAN source, default
10000), ``--load-seconds S`` (the mixed load's length, default 60), ``--peer URL`` (a CKAN
Action API holding the comparison corpus: the CKAN comparison runs, with ``--ckan-datasets N``,
default 10000, and ``--quick`` for short runs; ``--peer-pids`` to report the peer's memory).
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
from pathlib import Path

from bench import relay
from bench.processes import ADMIN_URL
from libs.settings import var_dir


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("--output", type=Path, default=var_dir() / "bench")
    parser.add_argument(
        "--only", choices=["relay", "catalog", "reuse", "metrics", "harvest", "load", "ckan"]
    )
    parser.add_argument("--datasets", type=int, default=100_000)
    parser.add_argument("--reuses", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--peer", help="a CKAN Action API URL holding the comparison corpus")
    parser.add_argument("--ckan-datasets", type=int, default=10_000)
    parser.add_argument("--quick", action="store_true", help="short CKAN comparison runs")
    parser.add_argument(
        "--peer-pids", type=int, nargs="*", help="the peer's local process ids, for its memory"
    )
    parser.add_argument("--harvest-datasets", type=int, default=10_000)
    parser.add_argument("--load-seconds", type=float, default=60.0)
    args = parser.parse_args()
    args.output.mkdir(parents=True, exist_ok=True)

    if args.only in (None, "relay"):
        result = asyncio.run(relay.run(ADMIN_URL))
        path = args.output / "relay.json"
        path.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
        print(
            f"relay: {result['relay_events_per_second']} ev/s, raw "
            f"{result['raw_events_per_second']} ev/s, ratio {result['ratio']} "
            f"(target >= {result['target_ratio']}) → {path}"
        )
    if args.only in (None, "catalog"):
        catalog = importlib.import_module("bench.catalog")
        catalog.main(args.output / "catalog.json", datasets=args.datasets)
    if args.only in (None, "reuse"):
        reuse = importlib.import_module("bench.reuse")
        reuse.main(args.output / "reuse.json", reuses=args.reuses)
    if args.only in (None, "metrics"):
        metrics = importlib.import_module("bench.metrics")
        metrics.main(args.output / "metrics.json", events=args.events)
    if args.only in (None, "harvest"):
        harvest = importlib.import_module("bench.harvest")
        harvest.main(args.output / "harvest.json", datasets=args.harvest_datasets)
    if args.only in (None, "load"):
        load = importlib.import_module("bench.load")
        load.main(args.output / "load.json", seconds=args.load_seconds)
    if args.only == "ckan" or (args.only is None and args.peer):
        ckan = importlib.import_module("bench.ckan")
        ckan.main(
            args.output / "ckan.json",
            args.peer,
            args.ckan_datasets,
            quick=args.quick,
            peer_pids=args.peer_pids,
        )


if __name__ == "__main__":
    main()
