"""Importing dossiers into the store: a whole province, then one more month (docs/benchmarks.md,
"Dossier import").

    .venv/bin/python -m bench.dossiers_gen --rows 10000000 -o var/bench/dossiers-10000000.parquet
    .venv/bin/python -m bench.dossiers_gen --rows 10000000 -o var/bench/2025-01.parquet --month 2025-01
    .venv/bin/python -m bench.dossiers_import var/bench/dossiers-10000000.parquet var/bench/2025-01.parquet

Runs three imports, each in a process of its own so that its peak memory is its own: the base
file into an empty store; the month into that store (the dossiers it finishes move out of the
unfinished partition); the same month into an empty store (the month's own cost). Importing the
month into the full store should cost about what it costs alone: the store's other partitions
are not opened. Each import is the command's: read, check every row, stage, merge.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from time import perf_counter

from parindex.dossiers import importing
from parindex.dossiers.store import Store, connect


def one_import(store: Path, path: Path) -> dict[str, object]:
    started = perf_counter()
    with connect() as con:
        names = importing.read_file(con, path)
        staged = importing.stage(con, names, source="bench", import_run=1)
        checked = perf_counter()
        outcome = Store(store).merge(con, "_staged")
    done = perf_counter()
    files = sorted(p for p in store.rglob("*.parquet"))
    return {
        "rows": staged.rows,
        "inserted": outcome.inserted,
        "updated": outcome.updated,
        "partitions_written": len(outcome.partitions),
        "partitions": len(Store(store).partitions()),
        "read_check_s": round(checked - started, 2),
        "merge_s": round(done - checked, 2),
        "total_s": round(done - started, 2),
        "store_mb": round(sum(p.stat().st_size for p in files) / 1e6, 1),
        "peak_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }


def import_in_child(store: Path, path: Path) -> dict[str, object]:
    found = subprocess.run(
        [sys.executable, "-m", "bench.dossiers_import", "--one", str(store), str(path)],
        check=True,
        capture_output=True,
        text=True,
    )
    result: dict[str, object] = json.loads(found.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("base", nargs="?")
    parser.add_argument("month", nargs="?")
    parser.add_argument("--one", nargs=2, metavar=("STORE", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(one_import(Path(args.one[0]), Path(args.one[1]))))
        return
    if not args.base or not args.month:
        parser.error("give the base file and the month's file")
    work = Path(tempfile.mkdtemp(prefix="parindex-bench-"))
    try:
        steps = {
            "base into an empty store": import_in_child(work / "full", Path(args.base)),
            "month into the full store": import_in_child(work / "full", Path(args.month)),
            "month into an empty store": import_in_child(work / "alone", Path(args.month)),
        }
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(
        f"{'import':<28}{'rows':>12}{'added':>11}{'updated':>9}{'parts':>7}"
        f"{'read+check':>12}{'merge':>8}{'total':>8}{'store MB':>10}{'peak MiB':>10}"
    )
    for name, r in steps.items():
        print(
            f"{name:<28}{r['rows']:>12,}{r['inserted']:>11,}{r['updated']:>9,}"
            f"{r['partitions_written']:>7}{r['read_check_s']:>11}s{r['merge_s']:>7}s"
            f"{r['total_s']:>7}s{r['store_mb']:>10}{r['peak_mib']:>10}"
        )


if __name__ == "__main__":
    main()
