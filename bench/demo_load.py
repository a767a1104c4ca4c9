"""`parindex demo` on PostgreSQL against SQLite, measured in the same run.

    .venv/bin/python -m bench.demo_load [--rounds 2]

Loads the demo province (`web.demo.load_demo`, what `parindex demo` runs) into a throwaway SQLite
database and into a throwaway PostgreSQL 15 cluster (`scripts/pgcluster.py`, as `make test-pg`
starts one; PARINDEX_PG_BIN names its binaries), each in a fresh process, the two in turn
`--rounds` times so that both meet the same load on a shared machine. Only the load is timed,
not the migrations. Prints, per database, the best wall time, the CPU time of the loading process
(PostgreSQL's own work is not in it), the queries and the time spent waiting for them, and the
ratio PostgreSQL / SQLite: the goal is under 2. Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter, process_time
from typing import Any

from bench.harness import django_benchmark

GOAL = 2.0
MARK = "DEMO-LOAD "
ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Figure:
    seconds: float
    cpu: float
    queries: int
    query_seconds: float
    vendor: str


def child() -> int:
    """In a fresh process: load the demo into the harness's throwaway database, print figures."""
    with django_benchmark("Demo load"):
        from django.db import connection

        from parindex.orgs.audit import channel
        from parindex.web.demo import load_demo

        counted = {"queries": 0, "seconds": 0.0}

        def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            start = perf_counter()
            try:
                return execute(sql, params, many, context)
            finally:
                counted["queries"] += 1
                counted["seconds"] += perf_counter() - start

        start, start_cpu = perf_counter(), process_time()
        with connection.execute_wrapper(count), channel("cli"):
            load_demo()
        figure = Figure(
            perf_counter() - start,
            process_time() - start_cpu,
            int(counted["queries"]),
            counted["seconds"],
            connection.vendor,
        )
        print(MARK + json.dumps(figure.__dict__), flush=True)
    return 0


def measure(database: str) -> Figure:
    python = sys.executable
    command = [python, "-m", "bench.demo_load", "--child"]
    env = dict(os.environ)
    if database == "sqlite":
        env.pop("DATABASE_URL", None)
    else:
        env.setdefault("PARINDEX_PG_BIN", "/usr/lib/postgresql/15/bin")
        command = [python, str(ROOT / "scripts" / "pgcluster.py"), "run", "--", *command]
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    for line in done.stdout.splitlines():
        if line.startswith(MARK):
            return Figure(**json.loads(line.removeprefix(MARK)))
    raise RuntimeError(f"{database}: no figures\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")


def best(figures: list[Figure]) -> Figure:
    return min(figures, key=lambda f: f.seconds)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.demo_load", description=__doc__)
    parser.add_argument("--rounds", type=int, default=2, help="loads per database, in turn")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        return child()
    runs: dict[str, list[Figure]] = {"sqlite": [], "postgresql": []}
    for _round in range(args.rounds):
        for database in runs:
            runs[database].append(measure(database))
            figure = runs[database][-1]
            print(f"{database}: {figure.seconds:.1f} s wall, {figure.cpu:.1f} s cpu", flush=True)
    sqlite, postgresql = best(runs["sqlite"]), best(runs["postgresql"])
    print("\n| database | wall (best) | cpu of the loader | queries | waiting for queries |")
    print("|---|---:|---:|---:|---:|")
    for name, figure in (("SQLite", sqlite), ("PostgreSQL 15", postgresql)):
        print(
            f"| {name} | {figure.seconds:.1f} s | {figure.cpu:.1f} s | {figure.queries} | "
            f"{figure.query_seconds:.1f} s |"
        )
    ratio = postgresql.seconds / sqlite.seconds
    verdict = "meets" if ratio < GOAL else "misses"
    print(f"\nPostgreSQL / SQLite = {ratio:.2f} ({verdict} the goal of under {GOAL:.0f}×)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
