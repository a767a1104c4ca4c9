"""Form 06 for every agency × every quarter, half-year and year of three years of dossiers: the
KPI engine against a bare scan and the straightforward pandas, polars and DuckDB SQL.

    make bench-dossiers                      # installs the bench group (pandas, polars), runs this
    .venv/bin/python -m bench.dossiers_kpis [--rows 10000000] [--repeat 3] [--skip pandas,sql]

Generates (or reuses) `var/bench/dossiers-<rows>.parquet` with bench/dossiers_gen.py, then runs
each contender in a process of its own, `--repeat` times there (the best time counts; the file
is in the page cache after the first read), and reads the process's peak resident memory from
the operating system when it ends (os.wait4), so the memory figures are the whole process's:

- **scan**: DuckDB reading every value of the nine columns the form reads (min/max of each),
  the floor under any engine that reads them;
- **engine**: `parindex.dossiers.kpis.compute_forms` for every agency and the 21 periods;
- **sql**: plain DuckDB SQL, the reference definitions as written, one GROUP BY query per period;
- **polars** and **pandas**: the same definitions, period by period (bench/dossiers_reference.py).

Every contender's figures are checked equal to the engine's. Prints times, peak memory and the
ratios against the goals (engine ≤ 1.5 × scan, ≥ 1.5 × faster than polars, ≥ 7 × faster than
pandas, peak memory < 512 MiB). Figures: docs/benchmarks.md, "Dossier KPIs".
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from time import perf_counter
from typing import Any

ROWS = 10_000_000
YEARS = (2022, 2023, 2024)
CONTENDERS = ("scan", "engine", "sql", "polars", "pandas")
MEMORY_LIMIT = "256MB"  # DuckDB's own limit in the engine's process; it spills beyond it


def data_file(rows: int) -> str:
    return os.path.join("var", "bench", f"dossiers-{rows}.parquet")


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

    periods = periods_of_years(YEARS)
    if name == "scan":
        con = kpis.engine_connection(memory_limit=MEMORY_LIMIT)
        aggregates = ", ".join(
            f"min({c}), max({c})" if c != "tra_kq_bcci" else f"bool_or({c}), bool_and({c})"
            for c in kpis.COLUMNS
        )
        con.execute(f"SELECT {aggregates} FROM {_relation(path)}").fetchall()
        return None
    if name == "engine":
        con = kpis.engine_connection(memory_limit=MEMORY_LIMIT)
        rows = kpis.compute_forms(con, _relation(path), periods)
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
        began = perf_counter()
        forms = _work(name, path)
        times.append(perf_counter() - began)
    with open(out, "w", encoding="utf-8") as f:
        json.dump({"times": times, "forms": forms}, f)


@dataclass
class Result:
    name: str
    seconds: float
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
    # ru_maxrss is in KiB on Linux.
    return Result(name, min(data["times"]), usage.ru_maxrss / 1024, data["forms"])


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
    lines = []
    for name, r in results.items():
        lines.append(f"{name:8s} {r.seconds:8.3f} s   peak {r.peak_mib:7.1f} MiB")
    engine = results.get("engine")
    if engine is None:
        return lines
    lines.append(f"engine: {rows / engine.seconds / 1e6:.1f} million dossiers a second")

    def ratio(name: str, goal: str, good: bool, value: float) -> None:
        lines.append(f"{name:30s} {value:6.2f}   goal {goal:8s} {'met' if good else 'NOT met'}")

    if "scan" in results:
        v = engine.seconds / results["scan"].seconds
        ratio("engine / bare scan", "<= 1.5", v <= 1.5, v)
    for base, goal in (("polars", 1.5), ("pandas", 7.0), ("sql", 1.0)):
        if base in results:
            v = results[base].seconds / engine.seconds
            ratio(f"{base} / engine (times faster)", f">= {goal:g}", v >= goal, v)
    ratio("engine peak memory (MiB)", "< 512", engine.peak_mib < 512, engine.peak_mib)
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
        results[name] = run_contender(name, path, args.repeat)
        print(
            f"  {name}: {results[name].seconds:.3f} s, peak {results[name].peak_mib:.0f} MiB",
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
