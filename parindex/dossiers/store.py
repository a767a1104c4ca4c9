"""The dossier store: one province's one-stop-shop dossiers as Parquet files read by DuckDB.

Layout under the store's folder (docs/dossiers.md, "Store layout"):

    manifest.json                      which files make up the store now (swapped atomically)
    data/finished=2024-05/g17.parquet  dossiers finished in May 2024, sorted by received date
    data/finished=open/g18.parquet     dossiers not finished yet
    summary/finished=2024-05/g17.counts.parquet      the partition's dossiers summed by month
    summary/finished=2024-05/g17.procedures.parquet  and its procedures by month (kpis.py)
    keys/received=2024-05/g18.parquet  ma_ho_so → partition, for dossiers received in May 2024
    .lock                              held while a write is under way

A period [qs, qe] needs the dossiers active in it: received on or before qe and not finished
before qs. Those live in the partitions finished in qs's month or later plus the unfinished
one, and inside each partition the rows are sorted by received date, so Parquet's row-group
statistics skip the rows received after qe. `relation()` names only those files; `summary()`
names the same partitions' monthly summaries, which give the form of whole months (quarters,
half-years, years) from a fraction of the rows.

A write (`merge`) rewrites only the partitions its dossiers land in or leave, and the key files
of the months they were received in: importing one more month touches that month, the
unfinished partition and the keys of the month, whatever the store's size. (Other months' keys
are read only for dossiers missing from a month that already has keys: a received date the
source corrected.) New files get a new
generation's name; the manifest is then replaced in one `os.replace`, so a reader sees the old
store or the new one, never a mixture, and a failed write leaves the old store as it was. The
files a write replaces are deleted by the next write, so a reader still holding the previous
manifest finds its files. Writes are serialised by an exclusive lock on `.lock`.

Pure: DuckDB and the standard library, no Django.
"""

from __future__ import annotations

import fcntl
import itertools
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import duckdb

from parindex.dossiers.kpis import (
    SUMMARY_VERSION,
    Summary,
    summary_counts_sql,
    summary_procedures_sql,
)

# The columns the KPI engine reads (the contract), then the store's own.
CANONICAL: tuple[tuple[str, str], ...] = (
    ("ma_ho_so", "VARCHAR"),
    ("co_quan", "VARCHAR"),
    ("ma_tthc", "VARCHAR"),
    ("kenh_thuc_hien", "UTINYINT"),
    ("muc_do", "UTINYINT"),
    ("tra_kq_bcci", "BOOLEAN"),
    ("trang_thai", "VARCHAR"),
    ("ngay_tiep_nhan", "DATE"),
    ("ngay_hen_tra", "DATE"),
    ("ngay_ket_thuc_xu_ly", "DATE"),
)
# `extra`: the file's other columns as a JSON object of texts; `nguon`: the source system;
# `lan_nhap`: the import run that last wrote the row.
OWN: tuple[tuple[str, str], ...] = (
    ("extra", "VARCHAR"),
    ("nguon", "VARCHAR"),
    ("lan_nhap", "BIGINT"),
)
COLUMNS: tuple[tuple[str, str], ...] = CANONICAL + OWN
CANONICAL_NAMES: tuple[str, ...] = tuple(name for name, _ in CANONICAL)
COLUMN_NAMES: tuple[str, ...] = tuple(name for name, _ in COLUMNS)

OPEN = "open"  # the partition of dossiers not finished yet
MANIFEST = "manifest.json"
LOCK = ".lock"
# Seconds a write waits for another one to finish before giving up.
LOCK_WAIT = 120.0
# Rows per Parquet row group: small enough that a period's date range skips most groups of an
# old partition, large enough to keep the scan columnar.
ROW_GROUP = 65_536


# DuckDB shares the machine with the web and database servers: two threads and a memory cap,
# past which it spills to disk instead of growing.
THREADS = 2
MEMORY_LIMIT = "1GB"


def connect() -> duckdb.DuckDBPyConnection:
    """A connection for imports and reads of the store. What spills past the memory limit goes
    to the system's temporary folder, never to the working directory of the process."""
    return duckdb.connect(
        config={
            "threads": THREADS,
            "memory_limit": MEMORY_LIMIT,
            "temp_directory": str(Path(tempfile.gettempdir()) / "parindex-duckdb"),
        }
    )


class StoreBusy(RuntimeError):
    """Another write held the store longer than `LOCK_WAIT`."""


class StoreDamaged(RuntimeError):
    """The manifest is unreadable or names a file that is missing."""


@dataclass
class Manifest:
    generation: int = 0
    data: dict[str, str] = field(default_factory=dict)  # partition → file, relative to the root
    keys: dict[str, str] = field(default_factory=dict)  # received month → key file
    rows: dict[str, int] = field(default_factory=dict)  # partition → rows
    # partition → its monthly summaries (kpis.summary_counts_sql, summary_procedures_sql)
    counts: dict[str, str] = field(default_factory=dict)
    procedures: dict[str, str] = field(default_factory=dict)
    summary_version: int = 0  # kpis.SUMMARY_VERSION of the summaries; 0 before there were any
    retired: list[str] = field(default_factory=list)  # replaced files, deleted by the next write

    def summary_files(self, part: str) -> list[str]:
        """The partition's monthly summary files, as the manifest names them."""
        return [files[part] for files in (self.counts, self.procedures) if part in files]

    def files(self) -> set[str]:
        return (
            set(self.data.values())
            | set(self.keys.values())
            | set(self.counts.values())
            | set(self.procedures.values())
        )


@dataclass(frozen=True)
class MergeOutcome:
    inserted: int
    updated: int
    partitions: tuple[str, ...]  # data partitions written (or emptied)
    key_months: tuple[str, ...]  # key files written
    generation: int


def quote(path: Path | str) -> str:
    """A SQL string literal."""
    return "'" + str(path).replace("'", "''") + "'"


def empty_relation() -> str:
    columns = ", ".join(f"CAST(NULL AS {kind}) AS {name}" for name, kind in COLUMNS)
    return f"(SELECT {columns} WHERE false)"


def month_of(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


class Store:
    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    # --- reading ---------------------------------------------------------------------------

    def manifest(self) -> Manifest:
        path = self.root / MANIFEST
        if not path.exists():
            return Manifest()
        try:
            raw = json.loads(path.read_text("utf-8"))
            return Manifest(
                generation=int(raw["generation"]),
                data=dict(raw["data"]),
                keys=dict(raw["keys"]),
                rows={k: int(v) for k, v in raw.get("rows", {}).items()},
                counts=dict(raw.get("counts", {})),
                procedures=dict(raw.get("procedures", {})),
                summary_version=int(raw.get("summary_version", 0)),
                retired=list(raw.get("retired", [])),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise StoreDamaged(f"{path}: unreadable manifest ({error})") from None

    def partitions(self) -> dict[str, int]:
        """Partition → dossiers in it."""
        return dict(sorted(self.manifest().rows.items()))

    def size(self) -> int:
        return sum(self.manifest().rows.values())

    def files_for(self, start: date | None = None, manifest: Manifest | None = None) -> list[Path]:
        """The data files a period starting on `start` needs (every file without a start)."""
        manifest = manifest or self.manifest()
        first = month_of(start) if start is not None else ""
        return [
            self.root / name
            for part, name in sorted(manifest.data.items())
            if part == OPEN or part >= first
        ]

    def relation(self, start: date | None = None, end: date | None = None) -> str:
        """A SQL relation with the canonical columns for the dossiers active in [start, end]
        (all dossiers without bounds; the rows outside are left for the KPI query to drop,
        the bounds only choose files and give DuckDB the received-date filter to skip row
        groups with)."""
        files = self.files_for(start)
        if not files:
            return empty_relation()
        names = ", ".join(quote(f) for f in files)
        scan = f"read_parquet([{names}])"
        if end is not None:
            return f"(SELECT * FROM {scan} WHERE ngay_tiep_nhan <= DATE {quote(end.isoformat())})"
        return scan

    def summary(self, start: date | None = None) -> Summary | None:
        """The monthly summaries of the partitions `relation(start, …)` reads, for
        `kpis.compute_forms`; None when a partition has none (a store written before there
        were summaries, until its next write adds them) or the store is empty."""
        manifest = self.manifest()
        first = month_of(start) if start is not None else ""
        parts = [part for part in sorted(manifest.data) if part == OPEN or part >= first]
        if (
            not parts
            or manifest.summary_version != SUMMARY_VERSION
            or any(part not in manifest.counts or part not in manifest.procedures for part in parts)
        ):
            return None

        def scan(files: dict[str, str]) -> str:
            return "read_parquet([" + ", ".join(quote(self.root / files[p]) for p in parts) + "])"

        return Summary(counts=scan(manifest.counts), procedures=scan(manifest.procedures))

    # --- writing ---------------------------------------------------------------------------

    @contextmanager
    def lock(self, wait: float | None = None) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK, "a+b") as handle:
            deadline = time.monotonic() + (LOCK_WAIT if wait is None else wait)
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise StoreBusy(
                            f"{self.root}: another import is still writing the store"
                        ) from None
                    time.sleep(0.2)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def merge(
        self,
        con: duckdb.DuckDBPyConnection,
        staged: str,
        *,
        before_swap: Callable[[MergeOutcome], None] | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> MergeOutcome:
        """Insert or update the dossiers of the table `staged` (the store's columns, one row per
        ma_ho_so). Holds the lock; on any error the new files are removed and the store is
        left as it was. `before_swap` is given the outcome just before the manifest is swapped
        (the caller records the write there, and may still raise to abandon it); `progress` is
        told the partitions and key files done so far and how many there are to do."""
        with self.lock():
            old = self.manifest()
            self._sweep(old)
            written: list[Path] = []
            try:
                outcome, new = self._write(con, staged, old, written, progress)
                if before_swap is not None:
                    before_swap(outcome)
                self._swap(new)
            except BaseException:
                for path in written:
                    path.unlink(missing_ok=True)
                raise
            return outcome

    def _write(
        self,
        con: duckdb.DuckDBPyConnection,
        staged: str,
        old: Manifest,
        written: list[Path],
        progress: Callable[[int, int], None] | None = None,
    ) -> tuple[MergeOutcome, Manifest]:
        generation = old.generation + 1
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _incoming AS
            SELECT *, strftime(ngay_tiep_nhan, '%Y-%m') AS _received,
                   coalesce(strftime(ngay_ket_thuc_xu_ly, '%Y-%m'), '{OPEN}') AS _part
            FROM {staged} ORDER BY _part, ngay_tiep_nhan"""
        )
        months = [r[0] for r in con.execute("SELECT DISTINCT _received FROM _incoming").fetchall()]
        key_files = [self.root / old.keys[m] for m in months if m in old.keys]
        if key_files:
            scan = ", ".join(quote(f) for f in key_files)
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE _known AS SELECT * FROM read_parquet([{scan}])"
            )
        else:
            con.execute(
                "CREATE OR REPLACE TEMP TABLE _known "
                "(ma_ho_so VARCHAR, part VARCHAR, received VARCHAR)"
            )
        # A dossier not found in the keys of the month it says it was received in, where that
        # month already has dossiers, may be one whose received date the source corrected: only
        # then are the other months' keys read for it (a new month's import reads none).
        known_months = [m for m in months if m in old.keys]
        others = [self.root / name for m, name in old.keys.items() if m not in months]
        if known_months and others:
            listed = ", ".join(quote(m) for m in known_months)
            scan = ", ".join(quote(f) for f in others)
            con.execute(
                f"""INSERT INTO _known SELECT * FROM read_parquet([{scan}])
                WHERE ma_ho_so IN (
                    SELECT i.ma_ho_so FROM _incoming i ANTI JOIN _known k USING (ma_ho_so)
                    WHERE i._received IN ({listed}))"""
            )
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _moves AS
            SELECT i.ma_ho_so, i._part AS new_part, k.part AS old_part
            FROM _incoming i LEFT JOIN _known k USING (ma_ho_so)"""
        )
        # The keys the import replaces, by the month they are filed under now; their months'
        # key files are rewritten, the incoming months' and any a dossier moved out of.
        con.execute(
            """CREATE OR REPLACE TEMP TABLE _replaced AS
            SELECT k.ma_ho_so, k.received FROM _known k SEMI JOIN _incoming i USING (ma_ho_so)"""
        )
        months = sorted(
            {
                *months,
                *(r[0] for r in con.execute("SELECT DISTINCT received FROM _replaced").fetchall()),
            }
        )
        updated = con.execute("SELECT count(*) FROM _moves WHERE old_part IS NOT NULL").fetchone()
        total = con.execute("SELECT count(*) FROM _moves").fetchone()
        assert updated is not None and total is not None
        touched = sorted(
            {
                r[0]
                for r in con.execute(
                    "SELECT new_part FROM _moves UNION SELECT old_part FROM _moves "
                    "WHERE old_part IS NOT NULL"
                ).fetchall()
            }
        )
        new = Manifest(
            generation=generation,
            data=dict(old.data),
            keys=dict(old.keys),
            rows=dict(old.rows),
            counts=dict(old.counts),
            procedures=dict(old.procedures),
            summary_version=SUMMARY_VERSION,
            retired=[],
        )
        columns = ", ".join(COLUMN_NAMES)
        # Partitions written before the store kept summaries, or whose summaries another
        # definition made, get theirs now, once.
        stale = old.summary_version != SUMMARY_VERSION
        missing = [
            part
            for part in sorted(old.data)
            if part not in touched
            and (stale or part not in old.counts or part not in old.procedures)
        ]
        steps = len(touched) + len(months) + len(missing)
        step = itertools.count(1)
        for part in touched:
            keep = ""
            if part in old.data:
                keep = (
                    f"SELECT {columns} FROM read_parquet({quote(self.root / old.data[part])}) "
                    "WHERE ma_ho_so NOT IN (SELECT ma_ho_so FROM _moves WHERE old_part = "
                    f"{quote(part)}) UNION ALL "
                )
            rows = f"{keep}SELECT {columns} FROM _incoming WHERE _part = {quote(part)}"
            name = f"data/finished={part}/g{generation}.parquet"
            count = self._copy(con, rows, name, "ngay_tiep_nhan, co_quan, ma_ho_so", written)
            if part in old.data:
                new.retired.append(old.data[part])
            new.retired += old.summary_files(part)
            if count:
                new.data[part] = name
                new.rows[part] = count
                self._summarise(con, part, name, generation, new, written)
            else:
                new.rows.pop(part, None)
                for files in (new.data, new.counts, new.procedures):
                    files.pop(part, None)
            if progress is not None:
                progress(next(step), steps)
        for part in missing:
            new.retired += old.summary_files(part)
            self._summarise(con, part, old.data[part], generation, new, written)
            if progress is not None:
                progress(next(step), steps)
        for month in months:
            keep = ""
            if month in old.keys:
                keep = (
                    "SELECT ma_ho_so, part, received FROM read_parquet("
                    f"{quote(self.root / old.keys[month])}) WHERE ma_ho_so NOT IN "
                    f"(SELECT ma_ho_so FROM _replaced WHERE received = {quote(month)}) "
                    "UNION ALL "
                )
            rows = (
                f"{keep}SELECT ma_ho_so, _part AS part, _received AS received FROM _incoming "
                f"WHERE _received = {quote(month)}"
            )
            name = f"keys/received={month}/g{generation}.parquet"
            count = self._copy(con, rows, name, "ma_ho_so", written)
            if month in old.keys:
                new.retired.append(old.keys[month])
            if count:
                new.keys[month] = name
            else:
                new.keys.pop(month, None)
            if progress is not None:
                progress(next(step), steps)
        for table in ("_incoming", "_known", "_moves", "_replaced"):
            con.execute(f"DROP TABLE IF EXISTS {table}")
        outcome = MergeOutcome(
            inserted=total[0] - updated[0],
            updated=updated[0],
            partitions=tuple(touched),
            key_months=tuple(sorted(months)),
            generation=generation,
        )
        return outcome, new

    def _summarise(
        self,
        con: duckdb.DuckDBPyConnection,
        part: str,
        data: str,
        generation: int,
        new: Manifest,
        written: list[Path],
    ) -> None:
        """Write the monthly summaries of the partition file `data` and name them in `new`."""
        rows = f"read_parquet({quote(self.root / data)})"
        for kind, sql, files in (
            ("counts", summary_counts_sql(rows), new.counts),
            ("procedures", summary_procedures_sql(rows), new.procedures),
        ):
            name = f"summary/finished={part}/g{generation}.{kind}.parquet"
            self._copy(con, sql, name, "co_quan, ngay_tiep_nhan", written)
            files[part] = name

    def _copy(
        self,
        con: duckdb.DuckDBPyConnection,
        rows: str,
        name: str,
        order: str,
        written: list[Path],
    ) -> int:
        path = self.root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        written.append(path)
        con.execute(
            f"COPY (SELECT * FROM ({rows}) ORDER BY {order}) TO {quote(path)} "
            f"(FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE {ROW_GROUP})"
        )
        meta = con.execute(
            f"SELECT coalesce(sum(num_rows), 0) FROM parquet_file_metadata({quote(path)})"
        ).fetchone()
        assert meta is not None
        return int(meta[0])

    def _swap(self, new: Manifest) -> None:
        path = self.root / MANIFEST
        temporary = self.root / f"{MANIFEST}.g{new.generation}.tmp"
        body = {
            "generation": new.generation,
            "data": dict(sorted(new.data.items())),
            "keys": dict(sorted(new.keys.items())),
            "rows": dict(sorted(new.rows.items())),
            "counts": dict(sorted(new.counts.items())),
            "procedures": dict(sorted(new.procedures.items())),
            "summary_version": new.summary_version,
            "retired": sorted(new.retired),
        }
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump(body, handle, indent=1)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        directory = os.open(self.root, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def _sweep(self, current: Manifest) -> None:
        """Delete the files the previous write replaced, and any file no manifest names (what a
        write interrupted by a crash left behind)."""
        for name in current.retired:
            (self.root / name).unlink(missing_ok=True)
        keep = current.files()
        for folder in ("data", "keys", "summary"):
            base = self.root / folder
            if not base.is_dir():
                continue
            for path in base.rglob("*.parquet"):
                if str(path.relative_to(self.root)) not in keep:
                    path.unlink(missing_ok=True)
            for sub in base.iterdir():
                if sub.is_dir() and not any(sub.iterdir()):
                    sub.rmdir()
        for leftover in self.root.glob(f"{MANIFEST}.g*.tmp"):
            leftover.unlink(missing_ok=True)
        if current.retired:
            current.retired = []

    def check(self, manifest: Manifest | None = None) -> Sequence[str]:
        """Files the manifest names that are missing."""
        manifest = manifest or self.manifest()
        return sorted(name for name in manifest.files() if not (self.root / name).exists())

    def duplicates(self, con: duckdb.DuckDBPyConnection, limit: int = 20) -> list[tuple[str, int]]:
        """Dossier codes stored more than once, with how often. A write finds a dossier again
        by the month it was received in (and, for one missing there, the other months' keys);
        a received date corrected into a month with no dossiers yet makes a second row, which
        this reading of every key finds."""
        files = [self.root / name for name in self.manifest().keys.values()]
        if not files:
            return []
        scan = ", ".join(quote(f) for f in files)
        rows = con.execute(
            f"SELECT ma_ho_so, count(*) FROM read_parquet([{scan}]) GROUP BY ma_ho_so "
            f"HAVING count(*) > 1 ORDER BY ma_ho_so LIMIT {int(limit)}"
        ).fetchall()
        return [(str(code), int(count)) for code, count in rows]
