"""Synthetic one-stop-shop dossiers for the dossier benchmarks, as Parquet with the canonical
columns (docs/benchmarks.md, "Dossier KPIs").

    .venv/bin/python -m bench.dossiers_gen --rows 10000000 -o var/bench/dossiers-10m.parquet
    .venv/bin/python -m bench.dossiers_gen --rows 10000000 -o var/bench/2025-01.parquet --month 2025-01

What a province's one-stop shops look like over three years (2022-01-01 .. 2024-12-31, as of
the last day): 180 agencies (departments, districts, communes) of very different sizes; 1 800
procedure codes whose popularity falls off like Zipf's law, each agency with its own favourites;
70 % of dossiers received in person, 25 % online, 5 % by post (BCCI), the online share varying
by agency; the service level (`muc_do` 2/3/4) of each procedure; about 10 % of results returned
by post; due dates counted in working days from the day of receipt (weekends and public holidays
skipped, same-day procedures due the day they are received); most dossiers resolved early or on
time, lateness concentrated in a handful of agencies; some returned or withdrawn; dossiers still
pending at the end (finished after the as-of date), some waiting for a supplement or suspended;
a few without a due date. Deterministic for a given seed and row count.

`--month YYYY-MM` writes, instead, what one more month's export would hold: the dossiers
received that month (as of its last day) and the updates of the dossiers pending at the end of
the base file generated with the same `--rows` and `--seed` (same `ma_ho_so`, now finished).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from time import perf_counter

import duckdb
import numpy as np

START = date(2022, 1, 1)
END = date(2024, 12, 31)
AGENCIES = 180
PROCEDURES = 1800
SEED = 20241231
EPOCH = date(1970, 1, 1)

# Public holidays of 2022-2025 (Tết and the Hùng Kings' day follow the lunar calendar).
_HOLIDAYS = [
    *(f"{y}-01-01" for y in range(2022, 2026)),
    *(f"{y}-04-30" for y in range(2022, 2026)),
    *(f"{y}-05-01" for y in range(2022, 2026)),
    *(f"{y}-09-02" for y in range(2022, 2026)),
    "2022-01-31", "2022-02-01", "2022-02-02", "2022-02-03", "2022-02-04", "2022-04-11",
    "2023-01-20", "2023-01-23", "2023-01-24", "2023-01-25", "2023-01-26", "2023-05-02",
    "2023-05-03", "2024-02-08", "2024-02-09", "2024-02-12", "2024-02-13", "2024-02-14",
    "2024-04-18", "2025-01-27", "2025-01-28", "2025-01-29", "2025-01-30", "2025-01-31",
]  # fmt: skip
HOLIDAYS = np.array(sorted(set(_HOLIDAYS)), dtype="datetime64[D]")

STATUS = ("DANG_XU_LY", "DA_GIAI_QUYET", "TRA_LAI", "RUT_HO_SO", "BO_SUNG", "TAM_DUNG")
_S_PENDING, _S_DONE, _S_RETURNED, _S_WITHDRAWN, _S_SUPPLEMENT, _S_SUSPENDED = range(6)
# Legal time limits (working days) a procedure may have, and how common each is.
_LIMITS = np.array([0, 1, 2, 3, 5, 7, 10, 12, 15, 20, 30, 45])
_LIMIT_P = np.array([8, 6, 5, 12, 14, 10, 14, 5, 10, 8, 6, 2], dtype=float)


def agency_codes(n: int = AGENCIES) -> list[str]:
    """Agency identification codes as one-stop systems write them (`000.<kind>.<unit>.H33`)."""
    departments = min(20, n)
    districts = min(9, n - departments)
    codes = [f"000.00.{i + 1:02d}.H33" for i in range(departments)]
    codes += [f"000.00.{30 + i + 1:02d}.H33" for i in range(districts)]
    codes += [f"000.{21 + i // 20:02d}.{i % 20 + 1:02d}.H33" for i in range(n - len(codes))]
    return codes


def procedure_codes(n: int = PROCEDURES) -> list[str]:
    """National procedure codes (`1.001234`, `2.000123`)."""
    return [f"{1 + i % 3}.{i * 7 + 100:06d}" for i in range(n)]


@dataclass
class Drawn:
    """Dossiers as drawn: true finish day and final status, before any as-of snapshot."""

    ids: np.ndarray  # int64 dossier number (the key is made from it)
    agency: np.ndarray  # int16 index into agency_codes()
    procedure: np.ndarray  # int16 index into procedure_codes()
    channel: np.ndarray  # uint8 1/2/3
    level: np.ndarray  # int8 2/3/4, -1 = unknown
    bcci_return: np.ndarray  # bool
    received: np.ndarray  # datetime64[D]
    due: np.ndarray  # datetime64[D]; NaT = missing
    finished: np.ndarray  # datetime64[D]; the day it will be (or was) finished
    status: np.ndarray  # uint8 final status index into STATUS


class _Model:
    """The per-agency and per-procedure traits, drawn once from the seed."""

    def __init__(self, seed: int) -> None:
        rng = np.random.default_rng([seed, 0])
        # Agencies: departments and districts are large, communes small, sizes lognormal.
        size = rng.lognormal(0.0, 0.9, AGENCIES)
        size[:29] *= 6.0
        self.agency_p = size / size.sum()
        self.online = np.clip(rng.beta(4, 12, AGENCIES), 0.05, 0.6)  # mean 0.25
        self.postal = np.clip(rng.beta(2, 38, AGENCIES), 0.0, 0.2)  # mean 0.05
        late = rng.uniform(0.002, 0.02, AGENCIES)
        worst = rng.choice(AGENCIES, 8, replace=False)
        late[worst] = rng.uniform(0.12, 0.35, len(worst))
        self.late = late
        self.offset = rng.integers(0, PROCEDURES, AGENCIES)  # each agency's favourite procedures
        # Procedures: Zipf-like popularity by rank, a legal time limit, a service level.
        rank = np.arange(1, PROCEDURES + 1, dtype=float)
        zipf = rank**-1.1
        self.rank_p = zipf / zipf.sum()
        self.limit = rng.choice(_LIMITS, PROCEDURES, p=_LIMIT_P / _LIMIT_P.sum())
        self.level = rng.choice(np.array([2, 3, 4], dtype=np.int8), PROCEDURES, p=[0.35, 0.35, 0.3])


def _working_days(start: np.ndarray, days: np.ndarray) -> np.ndarray:
    """`days` working days after `start` (rolled forward to a working day first)."""
    return np.busday_offset(start, days, roll="forward", holidays=HOLIDAYS)


_ID_LIMIT = 10**9


def draw(n: int, first: date, last: date, seed: int, stream: int, first_id: int) -> Drawn:
    """`n` dossiers received between `first` and `last`, sorted by day of receipt."""
    model = _Model(seed)
    rng = np.random.default_rng([seed, stream])
    span = (last - first).days + 1
    received = np.datetime64(first, "D") + np.sort(rng.integers(0, span, n)).astype(
        "timedelta64[D]"
    )
    agency = rng.choice(AGENCIES, n, p=model.agency_p).astype(np.int16)
    rank = rng.choice(PROCEDURES, n, p=model.rank_p)
    procedure = ((rank + model.offset[agency]) % PROCEDURES).astype(np.int16)
    u = rng.random(n)
    online = model.online[agency]
    postal = model.postal[agency]
    channel = np.where(u < online, 2, np.where(u < online + postal, 3, 1)).astype(np.uint8)
    level = model.level[procedure].copy()
    level[rng.random(n) < 0.01] = -1
    bcci_return = rng.random(n) < np.where(channel == 3, 0.6, 0.08)
    # Counters receive on working days; online and postal dossiers are logged the next one.
    drawn_day = received
    received = np.busday_offset(drawn_day, 0, roll="forward", holidays=HOLIDAYS)
    past = received > np.datetime64(last, "D")  # the last days off: the working day before
    received[past] = np.busday_offset(drawn_day[past], 0, roll="backward", holidays=HOLIDAYS)
    limit = model.limit[procedure]
    due = _working_days(received, limit)
    # Outcome: late (agency's rate), early (finished before the due day), else on the day.
    v = rng.random(n)
    late = v < model.late[agency]
    early = (~late) & (v < model.late[agency] + 0.55) & (limit > 0)
    took = limit.copy()
    took[early] = np.floor(rng.random(int(early.sum())) * limit[early]).astype(took.dtype)
    took[late] += rng.geometric(0.15, int(late.sum()))
    finished = _working_days(received, took)
    status = np.full(n, _S_DONE, dtype=np.uint8)
    w = rng.random(n)
    returned = w < 0.02
    withdrawn = (w >= 0.02) & (w < 0.03)
    status[returned] = _S_RETURNED
    status[withdrawn] = _S_WITHDRAWN
    # Returned or withdrawn somewhere between receipt and the due day.
    stop = returned | withdrawn
    finished[stop] = _working_days(
        received[stop], np.floor(rng.random(int(stop.sum())) * (limit[stop] + 1)).astype(int)
    )
    due[rng.random(n) < 0.003] = np.datetime64("NaT")
    # Waiting for a supplement or suspended: these are still pending while unfinished.
    x = rng.random(n)
    status[(x < 0.01) & (status == _S_DONE)] = _S_SUPPLEMENT
    status[(x > 0.995) & (status == _S_DONE)] = _S_SUSPENDED
    ids = np.arange(first_id, first_id + n, dtype=np.int64)
    if n and ids[-1] >= _ID_LIMIT:
        # The key's number has nine digits; a longer one would be cut and keys would repeat.
        raise ValueError(f"dossier numbers past {_ID_LIMIT - 1} do not fit the key")
    return Drawn(
        ids, agency, procedure, channel, level, bcci_return, received, due, finished, status
    )


def snapshot(d: Drawn, as_of: date) -> dict[str, np.ndarray]:
    """The dossiers as an export on `as_of` shows them: unfinished ones have no finish day and a
    pending status; supplement and suspension are only visible while pending."""
    cut = np.datetime64(as_of, "D")
    open_ = d.finished > cut
    status = d.status.copy()
    late_pending = open_ & (
        (status == _S_DONE) | (status == _S_RETURNED) | (status == _S_WITHDRAWN)
    )
    status[late_pending] = _S_PENDING
    status[~open_ & ((status == _S_SUPPLEMENT) | (status == _S_SUSPENDED))] = _S_DONE
    epoch = np.datetime64(EPOCH, "D")
    finished = (d.finished - epoch).astype(np.int32)
    finished[open_] = -1
    due = (d.due - epoch).astype(np.int64)
    due[np.isnat(d.due)] = -1
    return {
        "id": d.ids,
        "agency": d.agency,
        "procedure": d.procedure,
        "channel": d.channel,
        "level": d.level,
        "bcci_return": d.bcci_return,
        "status": status,
        "received": (d.received - epoch).astype(np.int32),
        "due": due.astype(np.int32),
        "finished": finished,
    }


def _write(arrays: dict[str, np.ndarray], path: str) -> None:
    """Strings and dates are made by DuckDB from the integer columns, written as Parquet."""
    con = duckdb.connect()
    con.execute("SET preserve_insertion_order = true")
    con.register("drawn", arrays)
    con.execute("CREATE TEMP TABLE agencies (i SMALLINT, code VARCHAR)")
    con.executemany("INSERT INTO agencies VALUES (?, ?)", list(enumerate(agency_codes())))
    con.execute("CREATE TEMP TABLE procedures (i SMALLINT, code VARCHAR)")
    con.executemany("INSERT INTO procedures VALUES (?, ?)", list(enumerate(procedure_codes())))
    statuses = ", ".join(f"'{s}'" for s in STATUS)
    con.execute(
        f"""
        COPY (
            SELECT
                'H33-' || strftime(DATE '1970-01-01' + d.received, '%y%m%d') || '-'
                    || lpad(d.id::VARCHAR, 9, '0') AS ma_ho_so,
                a.code AS co_quan,
                p.code AS ma_tthc,
                d.channel::UTINYINT AS kenh_thuc_hien,
                CASE WHEN d.level < 0 THEN NULL ELSE d.level END::UTINYINT AS muc_do,
                d.bcci_return AS tra_kq_bcci,
                ([{statuses}])[d.status + 1] AS trang_thai,
                DATE '1970-01-01' + d.received AS ngay_tiep_nhan,
                DATE '1970-01-01' + NULLIF(d.due, -1) AS ngay_hen_tra,
                DATE '1970-01-01' + NULLIF(d.finished, -1) AS ngay_ket_thuc_xu_ly
            FROM drawn d
            JOIN agencies a ON a.i = d.agency
            JOIN procedures p ON p.i = d.procedure
            ORDER BY d.received, d.id
        ) TO '{path.replace("'", "''")}' (FORMAT parquet, COMPRESSION zstd)
        """
    )
    con.close()


def generate(rows: int, path: str, *, seed: int = SEED) -> None:
    """The base file: `rows` dossiers received from START to END, as of END."""
    _write(snapshot(draw(rows, START, END, seed, 1, 0), END), path)


def _month_bounds(month: str) -> tuple[date, date]:
    try:
        year, mon = (int(part) for part in month.split("-"))
        first = date(year, mon, 1)
    except ValueError as error:
        raise ValueError(f"--month: expected YYYY-MM, got {month!r}") from error
    nxt = date(year + mon // 12, mon % 12 + 1, 1)
    if first <= END:
        raise ValueError(f"--month: {month} is not after the base file's last day {END}")
    return first, nxt - timedelta(days=1)


def generate_month(rows: int, month: str, path: str, *, seed: int = SEED) -> None:
    """One more month after the base file of `rows` dossiers: its new dossiers (as many per day
    as the base has) and the base's pending dossiers finished by the month's end."""
    first, last = _month_bounds(month)
    base = draw(rows, START, END, seed, 1, 0)
    pending = base.finished > np.datetime64(END, "D")
    done_by = pending & (base.finished <= np.datetime64(last, "D"))
    updated = Drawn(*(getattr(base, f)[done_by] for f in Drawn.__dataclass_fields__))
    days = (last - first).days + 1
    fresh_n = max(1, round(rows * days / ((END - START).days + 1)))
    stream = 1000 + first.year * 12 + first.month
    # Fresh numbers follow the base's: a key is its day of receipt and a nine-digit number, so
    # the month's keys differ from the base's (later days) and from each other.
    fresh = draw(fresh_n, first, last, seed, stream, rows)
    parts = [snapshot(updated, last), snapshot(fresh, last)]
    arrays = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    _write(arrays, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=10_000_000, help="dossiers in the base file")
    parser.add_argument("-o", "--output", required=True, help="Parquet file to write")
    parser.add_argument("--month", help="YYYY-MM after 2024-12: write that month's export instead")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    folder = os.path.dirname(os.path.abspath(args.output))
    os.makedirs(folder, exist_ok=True)
    began = perf_counter()
    try:
        if args.month:
            generate_month(args.rows, args.month, args.output, seed=args.seed)
        else:
            generate(args.rows, args.output, seed=args.seed)
    except ValueError as error:
        parser.error(str(error))
    with duckdb.connect() as con:
        count = con.execute("SELECT count(*) FROM read_parquet(?)", [args.output]).fetchone()
    print(f"{args.output}: {count[0] if count else 0:,} dossiers in {perf_counter() - began:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
