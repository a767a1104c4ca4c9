"""Form 06 for every agency × every quarter, half-year and year of three years of dossiers: the
KPI engine against a bare scan and the straightforward pandas, polars and DuckDB SQL.

    make bench-dossiers                      # installs the bench group (pandas, polars), runs this
    .venv/bin/python -m bench.dossiers_kpis [--rows 10000000] [--repeat 3] [--skip pandas,sql]

Generates (or reuses) `var/bench/dossiers-<rows>.parquet` with bench/dossiers_gen.py and imports
it into a dossier store beside it (`…parquet.store/`, reused while its manifest has the monthly
summaries; about a minute and a half the first time), then runs each contender in a process of
its own, `--repeat` times there (the best time counts; the files are in the page cache after the
first read), and reads the process's peak resident memory from the operating system when it ends
(os.wait4), so the memory figures are the whole process's:

- **scan**: DuckDB reading every value of the nine columns the form reads (min/max of each) from
  the store's partitions, the floor under any engine that reads the dossiers;
- **engine**: `parindex.dossiers.kpis.compute_forms` for every agency and the 21 periods, as
  the application runs it: the store's partitions and their monthly summaries;
- **rows**: the same without the summaries, reading the dossiers (what a custom date range,
  or a store written before the summaries, costs);
- **sql**: plain DuckDB SQL, the reference definitions as written, one GROUP BY query per period;
- **polars** and **pandas**: the same definitions, period by period (bench/dossiers_reference.py),
  on the generated file.

Every contender's figures are checked equal to the engine's. Prints times, peak memory and the
ratios against the goals (engine ≤ 1.5 × scan, ≥ 1.5 × faster than polars, ≥ 7 × faster than
pandas, peak memory < 512 MiB). Figures: docs/benchmarks.md, "Dossier KPIs".
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter, process_time
from typing import Any

ROWS = 10_000_000
YEARS = (2022, 2023, 2024)
CONTENDERS = ("scan", "engine", "rows", "sql", "polars", "pandas")
MEMORY_LIMIT = "256MB"  # DuckDB's own limit in the engine's process; it spills beyond it


def data_file(rows: int) -> str:
    return os.path.join("var", "bench", f"dossiers-{rows}.parquet")


def store_folder(path: str) -> str:
    return path + ".store"


def ensure_store(path: str) -> None:
    """The generated dossiers imported as `parindex dossiers import` does (read, check, stage,
    merge), into a store beside the file; kept while it has its monthly summaries."""
    from parindex.dossiers.store import Store

    folder = store_folder(path)
    if Store(Path(folder)).summary() is not None:
        return
    from bench.dossiers_import import import_in_child

    shutil.rmtree(folder, ignore_errors=True)
    began = perf_counter()
    # In a process of its own: a child forked from a process that grew keeps its high-water
    # mark, which would show as every contender's peak memory.
    done = import_in_child(Path(folder), Path(path))
    print(
        f"imported {path} into {folder} ({done['rows']:,} dossiers, {done['store_mb']} MB) "
        f"in {perf_counter() - began:.1f} s",
        flush=True,
    )


def ensure_data(rows: int, path: str) -> None:
    if os.path.exists(path):
        return
    from bench import dossiers_gen

    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    began = perf_counter()
    partial = path + ".partial"
    dossiers_gen.generate(rows, partial)
    os.replace(partial, path)
    print(f"generated {path} ({rows:,} dossiers) in {perf_counter() - began:.1f} s", flush=True)


# --- one contender, in its own process ---------------------------------------------------------


def _relation(path: str) -> str:
    return "read_parquet('" + path.replace("'", "''") + "')"


def _work(name: str, path: str) -> dict[str, list[int]] | None:
    """Run contender `name` once; its forms as {"agency|period": counts}, None for the scan."""
    from parindex.dossiers import kpis
    from parindex.dossiers.periods import periods_of_years
    from parindex.dossiers.store import Store

    periods = periods_of_years(YEARS)
    store = Store(Path(store_folder(path)))
    if name == "scan":
        con = kpis.engine_connection(memory_limit=MEMORY_LIMIT)
        aggregates = ", ".join(
            f"min({c}), max({c})" if c != "tra_kq_bcci" else f"bool_or({c}), bool_and({c})"
            for c in kpis.COLUMNS
        )
        con.execute(f"SELECT {aggregates} FROM {store.relation()}").fetchall()
        return None
    if name in ("engine", "rows"):
        con = kpis.engine_connection(memory_limit=MEMORY_LIMIT)
        summary = store.summary() if name == "engine" else None
        if name == "engine" and summary is None:
            raise SystemExit(f"{store.root}: the store has no monthly summaries")
        rows = kpis.compute_forms(con, store.relation(), periods, summary=summary)
        return {f"{r.agency}|{r.period}": [r.counts[c] for c in kpis.FORM_COUNTS] for r in rows}
    from bench import dossiers_reference as reference

    if name == "sql":
        con = kpis.engine_connection(memory_limit="4GB")
        forms = reference.duckdb_forms(con, _relation(path), periods)
    elif name == "polars":
        forms = reference.polars_forms(path, periods)
    elif name == "pandas":
        forms = reference.pandas_forms(path, periods)
    else:
        raise ValueError(f"unknown contender {name!r}")
    return {f"{agency}|{period}": list(counts) for (agency, period), counts in forms.items()}


def child(name: str, path: str, repeat: int, out: str) -> None:
    times = []
    forms = None
    for _ in range(repeat):
        began, cpu = perf_counter(), process_time()
        forms = _work(name, path)
        times.append((perf_counter() - began, process_time() - cpu))
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"times": times, "forms": forms}, f)


@dataclass
class Result:
    name: str
    seconds: float  # the best wall time of the runs
    cpu: float  # the CPU time of all the process's threads in that run
    peak_mib: float
    forms: dict[str, list[int]] | None


def run_contender(name: str, path: str, repeat: int) -> Result:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = handle.name
    try:
        command = [sys.executable, "-m", "bench.dossiers_kpis", "--child", name]
        command += ["--file", path, "--repeat", str(repeat), "--out", out]
        process = subprocess.Popen(command)
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            raise SystemExit(f"{name} failed (exit {process.returncode})")
        with open(out, encoding="utf-8") as f:
            data: dict[str, Any] = json.load(f)
    finally:
        os.unlink(out)
    wall, cpu = min(data["times"])
    # ru_maxrss is in KiB on Linux.
    return Result(name, wall, cpu, usage.ru_maxrss / 1024, data["forms"])


# --- the report ----------------------------------------------------------------------------------


def compare(engine: dict[str, list[int]], other: dict[str, list[int]]) -> list[str]:
    """Differences, ignoring the engine's all-zero rows (the baselines print none)."""
    mine = {k: v for k, v in engine.items() if any(v)}
    theirs = {k: v for k, v in other.items() if any(v)}
    problems = [
        f"{k}: engine {mine.get(k)} other {theirs.get(k)}"
        for k in sorted(set(mine) | set(theirs))
        if mine.get(k) != theirs.get(k)
    ]
    return problems


def report(results: dict[str, Result], rows: int) -> list[str]:
    lines = [f"{'':8s} {'wall':>9s} {'cpu':>9s} {'peak memory':>12s}"]
    for name, r in results.items():
        lines.append(f"{name:8s} {r.seconds:7.3f} s {r.cpu:7.3f} s {r.peak_mib:8.1f} MiB")
    engine = results.get("engine")
    if engine is None:
        return lines
    lines.append(f"engine: {rows / engine.seconds / 1e6:.1f} million dossiers a second")
    lines.append(f"{'ratio':34s} {'wall':>6s} {'cpu':>6s}   goal")

    def ratio(
        label: str, goal: str, wall: float, cpu: float, met: bool | None, basis: str = "wall"
    ) -> None:
        verdict = "" if met is None else f"{'met' if met else 'NOT met'} ({basis})"
        lines.append(f"{label:34s} {wall:6.2f} {cpu:6.2f}   {goal:8s} {verdict}")

    if "scan" in results:
        scan = results["scan"]
        wall, cpu = engine.seconds / scan.seconds, engine.cpu / scan.cpu
        ratio("engine / bare scan", "<= 1.5", wall, cpu, wall <= 1.5 and cpu <= 1.5, "wall and cpu")
        if "rows" in results:
            rows_only = results["rows"]
            wall, cpu = rows_only.seconds / scan.seconds, rows_only.cpu / scan.cpu
            ratio("rows (no summaries) / bare scan", "-", wall, cpu, None)
    for base, goal in (("polars", 1.5), ("pandas", 7.0), ("sql", 1.0)):
        if base in results:
            wall, cpu = results[base].seconds / engine.seconds, results[base].cpu / engine.cpu
            ratio(f"{base} / engine (times faster)", f">= {goal:g}", wall, cpu, wall >= goal)
    met = engine.peak_mib < 512
    lines.append(
        f"{'engine peak memory':34s} {engine.peak_mib:6.0f} MiB      < 512    {'met' if met else 'NOT met'}"
    )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--file", help="Parquet file of dossiers (default var/bench/dossiers-<rows>.parquet)"
    )
    parser.add_argument("--skip", default="", help="contenders to leave out, comma-separated")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    path = args.file or data_file(args.rows)
    if args.child:
        child(args.child, path, args.repeat, args.out)
        return 0
    skip = {s.strip() for s in args.skip.split(",") if s.strip()}
    if skip - set(CONTENDERS):
        parser.error(f"--skip: unknown {', '.join(sorted(skip - set(CONTENDERS)))}")
    ensure_data(args.rows, path)
    if {"scan", "engine", "rows"} - skip:
        ensure_store(path)
    import duckdb

    print(
        f"Dossier KPIs: {args.rows:,} dossiers ({os.path.getsize(path) / 2**20:.0f} MiB Parquet), "
        f"{len(YEARS) * 7} periods · DuckDB {duckdb.__version__} · Python {platform.python_version()} "
        f"· {os.cpu_count()} CPUs · {platform.machine()}",
        flush=True,
    )
    results: dict[str, Result] = {}
    for name in CONTENDERS:
        if name in skip:
            continue
        r = results[name] = run_contender(name, path, args.repeat)
        print(
            f"  {name}: {r.seconds:.3f} s (cpu {r.cpu:.3f} s), peak {r.peak_mib:.0f} MiB",
            flush=True,
        )
    engine = results.get("engine")
    failed = False
    for name, r in results.items():
        if engine is None or r.forms is None or name == "engine":
            continue
        problems = compare(engine.forms or {}, r.forms)
        print(f"  {name} equals the engine: {'yes' if not problems else 'NO'}")
        for line in problems[:5]:
            print(f"    {line}")
        failed = failed or bool(problems)
    print("\n".join(report(results, args.rows)))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
