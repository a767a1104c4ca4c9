"""The procedure-dossier form (Biểu số 06/VPCP/KSTT) and the plan's rates, from dossier records.

Pure: DuckDB and the standard library, no Django. The definitions (dn received, dh due, dk
finished, all calendar days; rut = returned or withdrawn). A dossier is *active* in the period
[qs, qe] when dn <= qe and (dk is null or dk >= qs); for the active dossiers of an agency:

    tong_so (3)              all of them = tu_ky_truoc + nhan_moi = da_gq + dang_gq
    nhan_truc_tuyen (4)      dn >= qs, online (channel 2)
    nhan_truc_tiep_bcci (5)  dn >= qs, in person or postal (1, 3) = nhan_truc_tiep + nhan_bcci
    tu_ky_truoc (6)          dn < qs (carried over; KpiSettings for the dk = qs case)
    da_gq (7)                dk <= qe, split into
      da_gq_truoc_han (8)      not rut, dh known and dk < dh
      da_gq_dung_han (9)       rut, or no dh, or dk = dh
      da_gq_qua_han (10)       not rut, dh known and dk > dh
    dang_gq (11)             dk null or dk > qe, split into
      dang_gq_trong_han (12)   dh null or dh >= qe
      dang_gq_qua_han (13)     dh < qe
    nhan_moi                 dn >= qs
    tra_kq_bcci              da_gq and the result returned by post
    so_tthc_phat_sinh        distinct procedures among the nhan_moi dossiers
    so_tthc_tt34_bcci        the same, online at level 3/4 or postal

Rates (numerator, denominator; none when the denominator is 0): ty_le_dung_han = (8 + 9) / 7;
ty_le_dung_han_ca_dang_qua_han = (8 + 9) / (7 + 13); ty_le_truc_tuyen = 4 / nhan_moi;
ty_le_nhan_bcci = nhan_bcci / nhan_moi; ty_le_tra_bcci = tra_kq_bcci / 7; ty_le_tthc_tt34_bcci
= so_tthc_tt34_bcci / so_tthc_phat_sinh. `reference_forms` is this text written literally as
one SQL query per period; `compute_forms` agrees with it exactly (tests/dossiers).

How `compute_forms` reads the data once for any number of periods. Every comparison above is
between a dossier's date and a period boundary: dn >= qs, dn <= qe, dk >= qs (or dk > qs),
dk <= qe, dh < qe. Sort all those boundaries; a date's *segment* is the number of boundaries at
or before it, and each comparison becomes one of segment numbers. So one pass groups the dossiers
by (agency, segment of dn, of dk, of dh, channel, outcome, result by post) into a table of counts
that stays small (one dossier's dates are close together), and a second, narrower pass records
per (agency, dn segment, online-3/4-or-postal) the set of procedures as a bit string. Each
period's form is then a cheap evaluation over those small tables, for agencies and groups of
agencies alike: a group is evaluated from its members' counts and procedure sets, never from
other rows, since distinct procedure counts do not add up. Half-years and years are periods like
any other, computed from their own dates.

For periods of whole months the same passes can run over the monthly summaries the store keeps
beside its dossiers (`summary_counts_sql`, `summary_procedures_sql`, "the monthly summaries"
below), a small fraction of the rows, with the same result.
"""

from __future__ import annotations

import bisect
import os
import tempfile
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Literal

import duckdb

from parindex.dossiers.periods import Period, parse_period, previous_period

FORM_COUNTS: tuple[str, ...] = (
    "tong_so",
    "nhan_truc_tuyen",
    "nhan_truc_tiep_bcci",
    "tu_ky_truoc",
    "da_gq",
    "da_gq_truoc_han",
    "da_gq_dung_han",
    "da_gq_qua_han",
    "dang_gq",
    "dang_gq_trong_han",
    "dang_gq_qua_han",
    "nhan_moi",
    "nhan_truc_tiep",
    "nhan_bcci",
    "tra_kq_bcci",
    "so_tthc_phat_sinh",
    "so_tthc_tt34_bcci",
)

# Each rate as (numerator terms, denominator terms), all of them FORM_COUNTS names.
_RATE_PARTS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ty_le_dung_han": (("da_gq_truoc_han", "da_gq_dung_han"), ("da_gq",)),
    "ty_le_dung_han_ca_dang_qua_han": (
        ("da_gq_truoc_han", "da_gq_dung_han"),
        ("da_gq", "dang_gq_qua_han"),
    ),
    "ty_le_truc_tuyen": (("nhan_truc_tuyen",), ("nhan_moi",)),
    "ty_le_nhan_bcci": (("nhan_bcci",), ("nhan_moi",)),
    "ty_le_tra_bcci": (("tra_kq_bcci",), ("da_gq",)),
    "ty_le_tthc_tt34_bcci": (("so_tthc_tt34_bcci",), ("so_tthc_phat_sinh",)),
}
RATES: tuple[str, ...] = tuple(_RATE_PARTS)

# The columns the form reads (the rest of a dossier row is never touched).
COLUMNS: tuple[str, ...] = (
    "co_quan",
    "ma_tthc",
    "kenh_thuc_hien",
    "muc_do",
    "tra_kq_bcci",
    "trang_thai",
    "ngay_tiep_nhan",
    "ngay_hen_tra",
    "ngay_ket_thuc_xu_ly",
)
RETURNED_OR_WITHDRAWN: tuple[str, ...] = ("TRA_LAI", "RUT_HO_SO")


@dataclass(frozen=True)
class KpiSettings:
    """Where provinces' definitions differ; the defaults are the reference definitions.

    `carried_over_from_start_day`: a dossier received before the period and finished on its
    first day counts as carried over (True: dk >= qs, the reference and form 06's builder) or
    not (False: dk > qs, the QĐ 766 builder of the same one-stop code; then such a dossier is
    in no column of the period, and "carried over = previous period's pending" no longer holds
    exactly). `on_time_rate`: which on-time rate feeds the plan's ≥ 95 % target; both are
    always computed ("resolved": on time / resolved, "due": on time / (resolved + pending
    overdue)).
    """

    carried_over_from_start_day: bool = True
    on_time_rate: Literal["resolved", "due"] = "resolved"

    @property
    def on_time_rate_name(self) -> str:
        return (
            "ty_le_dung_han"
            if self.on_time_rate == "resolved"
            else "ty_le_dung_han_ca_dang_qua_han"
        )


@dataclass(frozen=True)
class FormRow:
    agency: str
    period: str
    counts: Mapping[str, int] = field(default_factory=dict)

    def rate(self, name: str) -> tuple[int, int] | None:
        """(numerator, denominator) of the rate `name`; None when the denominator is 0."""
        try:
            top, bottom = _RATE_PARTS[name]
        except KeyError:
            raise ValueError(f"unknown rate {name!r}: expected one of {', '.join(RATES)}") from None
        denominator = sum(self.counts[c] for c in bottom)
        if denominator == 0:
            return None
        return sum(self.counts[c] for c in top), denominator


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


_DAYS = "::DATE - DATE '1970-01-01'"
# Outcome when finished: 0 early, 1 on time (returned or withdrawn, no due date, or on the due
# day), 2 late; unfinished dossiers get 1. On the dossier's own dates (DATE columns dn, dh, dk).
_OUTCOME = (
    "CASE WHEN dk IS NULL OR dh IS NULL OR trang_thai IN ("
    + ", ".join(_sql_text(s) for s in RETURNED_OR_WITHDRAWN)
    + ") THEN 1 WHEN dk < dh THEN 0 WHEN dk = dh THEN 1 ELSE 2 END"
)
# Returned by post: counted once resolved.
_BY_POST = "(dk IS NOT NULL AND coalesce(tra_kq_bcci, false))"
# Received online at level 3/4, or by post: the procedures of so_tthc_tt34_bcci.
_TT34_BCCI = (
    "coalesce((kenh_thuc_hien = 2 AND coalesce(muc_do, 0) IN (3, 4)) OR kenh_thuc_hien = 3, false)"
)


# --- the monthly summaries -------------------------------------------------------------------
#
# Every comparison the form makes is between one of a dossier's dates and a period's first day,
# its last day or the day after its last (or, for carried over in the QĐ 766 reading, the day
# after its first). When every period starts on the 1st of a month and ends on the last day of
# one — quarters, half-years, years — those comparisons only need to know, of each date: its
# month; for dk, whether it is the month's first day; for dh, whether it is the month's last.
# So the dossiers can be summed ahead, when they are stored, into rows whose dates stand for
# their month (dn: the 1st; dk: the 1st when it was the 1st, else the 2nd; dh: the last day
# when it was the last, else the 1st), with the outcome (early, on time, late) and the result
# by post decided on the real dates: the engine run over those rows gives exactly the figures
# of the dossiers, for every month-aligned period, and reads a fraction of the rows. The
# procedures are kept apart (a set is not a count): distinct (agency, procedure, month
# received, online 3/4 or postal), with the finish day of a dossier finished before it was
# received. Both summaries of a part of the store add up: the engine sums and unites them.

# The summaries' definition: a store whose summaries were made by another one reads its dossiers
# until its next write makes them again (store.py). Raise it with any change to what they hold.
SUMMARY_VERSION = 1

_MONTH_OF_DN = "date_trunc('month', dn)::DATE"
_MONTH_OF_DK = "CASE WHEN day(dk) = 1 THEN dk ELSE date_trunc('month', dk)::DATE + 1 END"
_MONTH_OF_DH = "CASE WHEN dh = last_day(dh) THEN dh ELSE date_trunc('month', dh)::DATE END"
_OWN_DATES = "ngay_tiep_nhan::DATE AS dn, ngay_hen_tra::DATE AS dh, ngay_ket_thuc_xu_ly::DATE AS dk"


def summary_counts_sql(relation: str) -> str:
    """SQL: the dossiers of `relation` (canonical columns) summed by agency, month-standing
    dates, channel, outcome (`ket_qua`: 0 early, 1 on time, 2 late) and result by post, with
    the number of dossiers (`so_ho_so`)."""
    return f"""
        SELECT co_quan, {_MONTH_OF_DN} AS ngay_tiep_nhan, {_MONTH_OF_DK} AS ngay_ket_thuc_xu_ly,
               {_MONTH_OF_DH} AS ngay_hen_tra, kenh_thuc_hien,
               ({_OUTCOME})::UTINYINT AS ket_qua, {_BY_POST} AS tra_kq_bcci,
               count(*)::BIGINT AS so_ho_so
        FROM (SELECT *, {_OWN_DATES} FROM {relation})
        GROUP BY ALL"""


def summary_procedures_sql(relation: str) -> str:
    """SQL: the distinct (agency, procedure, month received, online 3/4 or postal, and the
    month-standing finish day of a dossier finished before it was received) of `relation`."""
    return f"""
        SELECT DISTINCT co_quan, ma_tthc, {_MONTH_OF_DN} AS ngay_tiep_nhan,
               CASE WHEN dk < dn THEN {_MONTH_OF_DK} END AS ngay_ket_thuc_xu_ly,
               {_TT34_BCCI} AS tt34_bcci
        FROM (SELECT *, {_OWN_DATES} FROM {relation})
        WHERE ma_tthc IS NOT NULL"""


@dataclass(frozen=True)
class Summary:
    """Relations of `summary_counts_sql` and `summary_procedures_sql` rows covering the same
    dossiers (the union of the store's parts' summaries, say)."""

    counts: str
    procedures: str


def month_aligned(periods: Iterable[Period]) -> bool:
    """Whether every period starts on the 1st of a month and ends on the last day of one,
    so that the monthly summaries give its figures."""
    return all(p.start.day == 1 and (p.end + timedelta(days=1)).day == 1 for p in periods)


def engine_connection(
    database: str = ":memory:", *, memory_limit: str = "400MB"
) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection set up for the KPI pass: one thread per core this process may use
    and a memory limit (DuckDB spills beyond it instead of growing, into the system's temporary
    folder, never into the working directory of the process)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        cores = os.cpu_count() or 1
    con = duckdb.connect(
        database,
        config={"temp_directory": str(Path(tempfile.gettempdir()) / "parindex-duckdb")},
    )
    con.execute(f"SET threads = {max(1, cores)}")
    con.execute("SET memory_limit = ?", [memory_limit])
    con.execute("SET preserve_insertion_order = false")
    return con


_shared: tuple[int, duckdb.DuckDBPyConnection] | None = None
_shared_lock = threading.Lock()


def shared_connection() -> duckdb.DuckDBPyConnection:
    """A connection to this process's one in-memory DuckDB, set up as `engine_connection`'s
    on first use: opening a database costs 15–20 ms, a connection to an open one a fraction of
    a millisecond, which pages that read the dossiers want. One per request (or thread):
    closing it leaves the database open; the requests of a process share its memory limit. A
    process forked from one that opened it opens its own."""
    global _shared
    with _shared_lock:
        if _shared is None or _shared[0] != os.getpid():
            _shared = (os.getpid(), engine_connection())
        return _shared[1].cursor()


# --- the engine -----------------------------------------------------------------------------

_EPOCH = date(1970, 1, 1)
# Boundaries per pass, so that the packed group key stays far inside a BIGINT.
_MAX_BOUNDARIES = 200


def _day(d: date) -> int:
    return (d - _EPOCH).days


def _segment(bounds: Sequence[int], column: str) -> str:
    """SQL: the number of `bounds` (sorted day numbers) at or before the day number `column`,
    as a binary search of nested CASEs (a handful of integer comparisons per row)."""

    def between(lo: int, hi: int) -> str:  # the answer is in [lo, hi]
        if lo == hi:
            return str(lo)
        mid = (lo + hi + 1) // 2
        return f"CASE WHEN {column} >= {bounds[mid - 1]} THEN {between(mid, hi)} ELSE {between(lo, mid - 1)} END"

    return between(0, len(bounds))


@dataclass(frozen=True)
class _Bounds:
    """The sorted boundaries (day numbers) of one pass."""

    n: list[int]  # for dn: each qs and qe + 1
    k: list[int]  # for dk: the same, plus qs + 1 when carried over means dk > qs
    h: list[int]  # for dh: each qe

    @staticmethod
    def seg(bounds: list[int], day: int) -> int:
        return bisect.bisect_right(bounds, day)


def _bounds(periods: Sequence[Period], settings: KpiSettings) -> _Bounds:
    n = {_day(p.start) for p in periods} | {_day(p.end) + 1 for p in periods}
    k = set(n)
    if not settings.carried_over_from_start_day:
        k |= {_day(p.start) + 1 for p in periods}
    return _Bounds(sorted(n), sorted(k), sorted({_day(p.end) for p in periods}))


def _batches(periods: Sequence[Period]) -> list[list[Period]]:
    """Periods split so that no pass has more than _MAX_BOUNDARIES boundaries of a kind."""
    out: list[list[Period]] = []
    current: list[Period] = []
    edges: set[date] = set()
    for p in sorted(periods, key=lambda p: (p.start, p.end)):
        mine = {p.start, p.start + timedelta(days=1), p.end, p.end + timedelta(days=1)}
        if current and len(edges | mine) > _MAX_BOUNDARIES:
            out.append(current)
            current, edges = [], set()
        current.append(p)
        edges |= mine
    if current:
        out.append(current)
    return out


# The packed group key of the counts: ((((sn·NK + sk)·NH + sh)·256 + channel)·3 + outcome)·2 + by post.
_K_TRA, _K_CLS, _K_KENH = 2, 3, 256
_K_LOW = _K_TRA * _K_CLS * _K_KENH


def _where(periods: Sequence[Period], members: Sequence[str] | None) -> str:
    """The rows that can be active in one of the periods: never received after the last one,
    never finished before the first one."""
    first = min(p.start for p in periods)
    last = max(p.end for p in periods)
    where = [
        f"ngay_tiep_nhan <= DATE '{last.isoformat()}'",
        f"(ngay_ket_thuc_xu_ly IS NULL OR ngay_ket_thuc_xu_ly >= DATE '{first.isoformat()}')",
    ]
    if members is not None:
        where.append(f"co_quan IN ({', '.join(_sql_text(m) for m in members) or 'NULL'})")
    return " AND ".join(where)


@dataclass(frozen=True)
class _Scans:
    """The two passes' inputs. counts: co_quan, kenh, cls, tra, n (dossiers the row stands
    for, NULL for one) and the day numbers dn, dh, dk; procedures: co_quan, ma_tthc, tt, dn and
    dkb (dk when the dossier was finished before it was received, else NULL)."""

    counts: str
    procedures: str
    weighted: bool


def _raw_scans(relation: str, periods: Sequence[Period], members: Sequence[str] | None) -> _Scans:
    where = _where(periods, members)
    dates = "ngay_tiep_nhan::DATE AS dn, ngay_hen_tra::DATE AS dh, ngay_ket_thuc_xu_ly::DATE AS dk"
    counts = f"""
        SELECT co_quan, kenh_thuc_hien AS kenh, {_OUTCOME} AS cls, {_BY_POST}::INTEGER AS tra,
               NULL::BIGINT AS n, dn - DATE '1970-01-01' AS dn, dh - DATE '1970-01-01' AS dh,
               dk - DATE '1970-01-01' AS dk
        FROM (SELECT *, {dates} FROM {relation} WHERE {where})"""
    procedures = f"""
        SELECT co_quan, ma_tthc, {_TT34_BCCI}::INTEGER AS tt,
               ngay_tiep_nhan{_DAYS} AS dn,
               CASE WHEN ngay_ket_thuc_xu_ly::DATE < ngay_tiep_nhan::DATE
                    THEN ngay_ket_thuc_xu_ly{_DAYS} END AS dkb
        FROM {relation} WHERE {where}"""
    return _Scans(counts, procedures, weighted=False)


def _summary_scans(
    summary: Summary, periods: Sequence[Period], members: Sequence[str] | None
) -> _Scans:
    where = _where(periods, members)
    counts = f"""
        SELECT co_quan, kenh_thuc_hien AS kenh, ket_qua AS cls, tra_kq_bcci::INTEGER AS tra,
               so_ho_so AS n, ngay_tiep_nhan{_DAYS} AS dn, ngay_hen_tra{_DAYS} AS dh,
               ngay_ket_thuc_xu_ly{_DAYS} AS dk
        FROM {summary.counts} WHERE {where}"""
    procedures = f"""
        SELECT co_quan, ma_tthc, tt34_bcci::INTEGER AS tt, ngay_tiep_nhan{_DAYS} AS dn,
               ngay_ket_thuc_xu_ly{_DAYS} AS dkb
        FROM {summary.procedures} WHERE {where}"""
    return _Scans(counts, procedures, weighted=True)


def _counts_sql(scan: _Scans, b: _Bounds) -> str:
    """Pass 1: the number of dossiers per (agency, packed key)."""
    nk, nh = len(b.k) + 1, len(b.h) + 1  # segments; a missing dk or dh is past every boundary
    # dn's segment among the dk boundaries: the same as sn unless dk has boundaries of its own.
    sn_k = "sn" if b.k == b.n else _segment(b.k, "dn")
    weight = "sum(n)" if scan.weighted else "count(*)"
    return f"""
        SELECT co_quan, k, {weight}::BIGINT AS n
        FROM (
            SELECT co_quan, n,
                   ((((sn::BIGINT * {nk} + sk) * {nh}
                       -- a dossier finished with no dk boundary after its dn is pending at no
                       -- period's end: its due date does not matter, most dossiers share 0
                       + CASE WHEN sk = {sn_k} THEN 0
                              WHEN dh IS NULL THEN {nh - 1} ELSE {_segment(b.h, "dh")} END)
                       * {_K_KENH} + coalesce(kenh, 0)) * {_K_CLS} + cls) * {_K_TRA} + tra
                   AS k
            FROM (
                SELECT *, {_segment(b.n, "dn")} AS sn,
                       CASE WHEN dk IS NULL THEN {nk - 1} ELSE {_segment(b.k, "dk")} END AS sk
                FROM ({scan.counts})
            )
        )
        GROUP BY co_quan, k"""


def _procedures_sql(scan: _Scans, b: _Bounds, procedures: int) -> str:
    """Pass 2: per (agency, dn segment, online 3/4 or postal) the set of procedures, as a bit
    string over the dictionary `dict`. A dossier finished "before" it was received is active
    in a period only if that day is in it too (dk >= qs): it keeps its dk segment apart."""
    return f"""
        SELECT co_quan, sn, tt, skn, bitstring_agg(i, 1, {max(1, procedures)}) AS procs
        FROM (
            SELECT co_quan, i, {_segment(b.n, "dn")} AS sn, tt,
                   CASE WHEN dkb IS NULL THEN -1 ELSE {_segment(b.n, "dkb")} END AS skn
            FROM ({scan.procedures}) d JOIN dict USING (ma_tthc)
        )
        GROUP BY ALL"""


def _periods_values(periods: Sequence[Period], b: _Bounds, settings: KpiSettings) -> str:
    """The periods, one row per (period, dn segment that can be active in it): whether such
    dossiers are new, the first dk segment that keeps them active, the first dk segment past
    the period, and dh's segment of the period's last day."""
    rows = []
    for i, p in enumerate(periods):
        qs, qe = _day(p.start), _day(p.end)
        n_qs, n_qe1 = b.seg(b.n, qs), b.seg(b.n, qe + 1)
        k_qs = b.seg(b.k, qs)
        k_carry = b.seg(b.k, qs if settings.carried_over_from_start_day else qs + 1)
        k_qe1, h_qe = b.seg(b.k, qe + 1), b.seg(b.h, qe)
        for sn in range(n_qe1):
            new = sn >= n_qs
            rows.append(f"({i}, {sn}, {new}, {n_qs}, {k_qs if new else k_carry}, {k_qe1}, {h_qe})")
    return "(VALUES " + ", ".join(rows) + ") AS p(pid, sn, new, n_qs, k_min, k_qe1, h_qe)"


def _period_ids(periods: Sequence[Period]) -> str:
    return "(VALUES " + ", ".join(f"({i})" for i in range(len(periods))) + ") AS p(pid)"


# Each count as a condition on an active dossier's segments and flags (the reference
# definitions, with "dn >= qs" as `new` and "dk <= qe" as `done`).
_COUNT_FILTERS: dict[str, str] = {
    "tong_so": "true",
    "nhan_truc_tuyen": "new AND kenh = 2",
    "nhan_truc_tiep_bcci": "new AND kenh IN (1, 3)",
    "tu_ky_truoc": "NOT new",
    "da_gq": "done",
    "da_gq_truoc_han": "done AND cls = 0",
    "da_gq_dung_han": "done AND cls = 1",
    "da_gq_qua_han": "done AND cls = 2",
    "dang_gq": "NOT done",
    "dang_gq_trong_han": "NOT done AND sh >= h_qe",
    "dang_gq_qua_han": "NOT done AND sh < h_qe",
    "nhan_moi": "new",
    "nhan_truc_tiep": "new AND kenh = 1",
    "nhan_bcci": "new AND kenh = 3",
    "tra_kq_bcci": "done AND tra = 1",
}


def _evaluate_sql(
    scan: _Scans,
    dictionary: str,
    periods_values: str,
    period_ids: str,
    b: _Bounds,
    units: str,
    procedures: int,
) -> str:
    """From the two passes' small tables to one row per (unit, period): the _COUNT_FILTERS
    columns, then the two distinct procedure counts."""
    nk, nh = len(b.k) + 1, len(b.h) + 1
    decode = f"""
        k // ({_K_LOW} * {nh} * {nk}) AS sn,
        (k // ({_K_LOW} * {nh})) % {nk} AS sk,
        (k // {_K_LOW}) % {nh} AS sh,
        (k // ({_K_CLS * _K_TRA})) % {_K_KENH} AS kenh,
        (k // {_K_TRA}) % {_K_CLS} AS cls,
        k % {_K_TRA} AS tra"""
    sums = ",\n".join(
        f"coalesce(sum(n) FILTER (WHERE {cond}), 0)::BIGINT AS {name}"
        for name, cond in _COUNT_FILTERS.items()
    )
    return f"""
        WITH dict(ma_tthc, i) AS ({dictionary}),
        hot AS MATERIALIZED ({_counts_sql(scan, b)}),
        procs AS MATERIALIZED ({_procedures_sql(scan, b, procedures)}),
        units(kind, u, co_quan) AS MATERIALIZED ({units}),
        counts AS (
            SELECT kind, u, sn, sk, sh, kenh, cls, tra, sum(n) AS n
            FROM (SELECT co_quan, n, {decode} FROM hot) a
            JOIN units USING (co_quan)
            GROUP BY ALL
        ),
        form AS (
            SELECT kind, u, pid, {sums}
            FROM (
                SELECT kind, u, pid, n, kenh, cls, tra, sh, h_qe, new, sk < k_qe1 AS done
                FROM counts JOIN {periods_values} USING (sn)
                WHERE sk >= k_min
            )
            GROUP BY ALL
        ),
        sets AS (
            SELECT kind, u, pid,
                   bit_count(bit_or(procs)) AS so_tthc_phat_sinh,
                   coalesce(bit_count(bit_or(procs) FILTER (WHERE tt = 1)), 0) AS so_tthc_tt34_bcci
            FROM procs JOIN units USING (co_quan) JOIN {periods_values} USING (sn)
            WHERE new AND (skn < 0 OR skn >= n_qs)
            GROUP BY ALL
        )
        SELECT x.kind, x.u, p.pid,
               {", ".join(f"coalesce(f.{name}, 0)" for name in _COUNT_FILTERS)},
               coalesce(s.so_tthc_phat_sinh, 0), coalesce(s.so_tthc_tt34_bcci, 0)
        FROM (SELECT DISTINCT kind, u FROM units) x
        CROSS JOIN {period_ids}
        LEFT JOIN form f ON f.kind = x.kind AND f.u = x.u AND f.pid = p.pid
        LEFT JOIN sets s ON s.kind = x.kind AND s.u = x.u AND s.pid = p.pid
    """


def _check_arguments(
    periods: Sequence[Period],
    agencies: Sequence[str] | None,
    groups: Mapping[str, Sequence[str]] | None,
) -> None:
    if isinstance(agencies, str):
        raise ValueError("agencies: expected a list of agency codes, not one text")
    for p in periods:
        if not isinstance(p, Period):
            raise ValueError(f"periods: expected Period values (parse_period), got {p!r}")
    for code, members in (groups or {}).items():
        if isinstance(members, str):
            raise ValueError(f"group {code!r}: expected a list of agency codes, not one text")
        if agencies is not None and code in agencies:
            raise ValueError(f"group {code!r} has the code of an agency in the list")


def _unique(periods: Sequence[Period]) -> list[Period]:
    """The periods without repeats; two different periods with one code are an error."""
    seen: dict[str, Period] = {}
    for p in periods:
        if seen.setdefault(p.code, p) != p:
            raise ValueError(f"periods: two different periods are both called {p.code!r}")
    return list(seen.values())


def compute_forms(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    periods: Sequence[Period],
    *,
    agencies: Sequence[str] | None = None,
    groups: Mapping[str, Sequence[str]] | None = None,
    settings: KpiSettings = KpiSettings(),
    summary: Summary | None = None,
) -> list[FormRow]:
    """The form of every agency (those in `agencies`, else every agency with a dossier received
    by the last period's end and not finished before the first one's start) and of every group
    (from its members' dossiers) for every period, sorted by agency then period start and end;
    a row of zeros where nothing happened. With `summary` (the monthly summaries of the same
    dossiers as `relation`) and only month-aligned periods, the summaries are read instead of
    the dossiers, with the same result."""
    _check_arguments(periods, agencies, groups)
    unique = _unique(periods)
    if not unique:
        return []
    group_map = {code: list(dict.fromkeys(members)) for code, members in (groups or {}).items()}
    members: list[str] | None = None
    if agencies is not None:
        members = sorted({*agencies, *(m for ms in group_map.values() for m in ms)})
    member_rows = [
        f"SELECT 1, {_sql_text(code)}, {_sql_text(m)}" for code, ms in group_map.items() for m in ms
    ] + [f"SELECT 1, {_sql_text(code)}, NULL" for code, ms in group_map.items() if not ms]
    if agencies is None:
        agency_rows = ["SELECT DISTINCT 0, co_quan, co_quan FROM hot"]
    else:
        agency_rows = [f"SELECT 0, {_sql_text(a)}, {_sql_text(a)}" for a in dict.fromkeys(agencies)]
    units = " UNION ALL ".join(agency_rows + member_rows) or "SELECT 0, NULL, NULL WHERE false"
    # The procedure dictionary: each code a bit of the per-group bit strings. (Read first, as
    # the bit string's length must be a constant of the main query.)
    # Whole months are read from the summaries when there are some, other periods from the
    # dossiers; each pass reads one of the two.
    whole = [p for p in unique if summary is not None and month_aligned([p])]
    others = [p for p in unique if p not in whole]
    batches = _batches(whole) + _batches(others)
    passes = [
        _summary_scans(summary, batch, members)
        if summary is not None and batch[0] in whole
        else _raw_scans(relation, batch, members)
        for batch in batches
    ]
    codes = [
        row[0]
        for row in con.execute(
            "SELECT DISTINCT ma_tthc FROM ("
            + " UNION ALL ".join(f"SELECT ma_tthc FROM ({scan.procedures})" for scan in passes)
            + ") WHERE ma_tthc IS NOT NULL"
        ).fetchall()
    ]
    dictionary = (
        "SELECT * FROM (VALUES "
        + ", ".join(f"({_sql_text(c)}, {i})" for i, c in enumerate(codes, start=1))
        + ")"
        if codes
        else "SELECT NULL::VARCHAR, NULL::INTEGER WHERE false"
    )
    out: dict[tuple[str, str], FormRow] = {}
    for batch, scan in zip(batches, passes, strict=True):
        b = _bounds(batch, settings)
        sql = _evaluate_sql(
            scan,
            dictionary,
            _periods_values(batch, b, settings),
            _period_ids(batch),
            b,
            units,
            len(codes),
        )
        for row in con.execute(sql).fetchall():
            kind, unit, pid = row[0], row[1], row[2]
            if unit is None:
                continue
            if kind == 0 and unit in group_map:
                raise ValueError(f"group {unit!r} has the code of an agency with dossiers")
            named = dict(
                zip(
                    [*_COUNT_FILTERS, "so_tthc_phat_sinh", "so_tthc_tt34_bcci"],
                    row[3:],
                    strict=True,
                )
            )
            counts = {c: int(named[c]) for c in FORM_COUNTS}
            out[(unit, batch[pid].code)] = FormRow(unit, batch[pid].code, counts)
    order = {p.code: (p.start, p.end) for p in unique}
    return sorted(out.values(), key=lambda r: (r.agency, order[r.period]))


# --- identities -----------------------------------------------------------------------------


def check_identities(
    rows: Sequence[FormRow], *, settings: KpiSettings = KpiSettings()
) -> list[str]:
    """A message for every broken identity of the form: (3) = (7) + (11), (3) = new + carried
    over = (4) + (5) + (6), (7) = (8) + (9) + (10), (11) = (12) + (13), the channel split, and
    (6) of a period = (11) of the previous period of the same kind when both are in `rows`
    (only "at most" under carried_over_from_start_day=False, which drops the dossiers finished
    on the period's first day)."""
    problems: list[str] = []
    by_key = {(r.agency, r.period): r for r in rows}

    def check(r: FormRow, left: str, right: Iterable[str]) -> None:
        terms = list(right)
        total = sum(r.counts[t] for t in terms)
        if r.counts[left] != total:
            problems.append(
                f"{r.agency} {r.period}: {left} = {r.counts[left]} but {' + '.join(terms)} = {total}"
            )

    for r in rows:
        check(r, "tong_so", ["da_gq", "dang_gq"])
        check(r, "tong_so", ["nhan_moi", "tu_ky_truoc"])
        check(r, "tong_so", ["nhan_truc_tuyen", "nhan_truc_tiep_bcci", "tu_ky_truoc"])
        check(r, "da_gq", ["da_gq_truoc_han", "da_gq_dung_han", "da_gq_qua_han"])
        check(r, "dang_gq", ["dang_gq_trong_han", "dang_gq_qua_han"])
        check(r, "nhan_truc_tiep_bcci", ["nhan_truc_tiep", "nhan_bcci"])
        if r.counts["so_tthc_tt34_bcci"] > r.counts["so_tthc_phat_sinh"]:
            problems.append(f"{r.agency} {r.period}: so_tthc_tt34_bcci > so_tthc_phat_sinh")
        try:
            before = previous_period(parse_period(r.period))
        except ValueError:
            before = None
        prior = by_key.get((r.agency, before.code)) if before else None
        if prior is None:
            continue
        carried, pending = r.counts["tu_ky_truoc"], prior.counts["dang_gq"]
        broken = (
            carried > pending if not settings.carried_over_from_start_day else carried != pending
        )
        if broken:
            problems.append(
                f"{r.agency} {r.period}: tu_ky_truoc = {carried} but dang_gq of {prior.period} = {pending}"
            )
    return problems


# --- the reference: the definitions written literally, one query per period ------------------


def reference_forms(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    periods: Sequence[Period],
    *,
    agencies: Sequence[str] | None = None,
    groups: Mapping[str, Sequence[str]] | None = None,
    settings: KpiSettings = KpiSettings(),
) -> list[FormRow]:
    """The same rows as compute_forms, by the reference definitions applied literally: one
    query per period and unit. Slow; the oracle of the tests and the benchmark's plain SQL."""
    _check_arguments(periods, agencies, groups)
    unique = _unique(periods)
    if not unique:
        return []
    rut = ", ".join(_sql_text(s) for s in RETURNED_OR_WITHDRAWN)
    carry = ">=" if settings.carried_over_from_start_day else ">"
    if agencies is None:
        first = min(p.start for p in unique)
        last = max(p.end for p in unique)
        found = con.execute(
            f"SELECT DISTINCT co_quan FROM {relation} WHERE ngay_tiep_nhan <= ? "
            "AND (ngay_ket_thuc_xu_ly IS NULL OR ngay_ket_thuc_xu_ly >= ?) AND co_quan IS NOT NULL",
            [last, first],
        ).fetchall()
        agency_list = [row[0] for row in found]
    else:
        agency_list = list(dict.fromkeys(agencies))
    units: list[tuple[str, list[str]]] = [(a, [a]) for a in agency_list]
    units += [(code, list(ms)) for code, ms in (groups or {}).items()]
    rows: list[FormRow] = []
    for p in unique:
        sql = f"""
            WITH d AS (
                SELECT ngay_tiep_nhan::DATE AS dn, ngay_hen_tra::DATE AS dh,
                       ngay_ket_thuc_xu_ly::DATE AS dk, kenh_thuc_hien AS kenh, muc_do,
                       tra_kq_bcci, ma_tthc, trang_thai IN ({rut}) AS rut
                FROM {relation}
                WHERE co_quan IN (SELECT unnest(?::VARCHAR[]))
            ),
            active AS (
                SELECT * FROM d
                WHERE dn <= $qe AND (dk IS NULL OR dk >= $qs)
                  AND (dn >= $qs OR dk IS NULL OR dk {carry} $qs)
            )
            SELECT
                count(*),
                count(*) FILTER (WHERE dn >= $qs AND kenh = 2),
                count(*) FILTER (WHERE dn >= $qs AND kenh IN (1, 3)),
                count(*) FILTER (WHERE dn < $qs),
                count(*) FILTER (WHERE dk IS NOT NULL AND dk <= $qe),
                count(*) FILTER (WHERE dk IS NOT NULL AND dk <= $qe
                                 AND NOT rut AND dh IS NOT NULL AND dk < dh),
                count(*) FILTER (WHERE dk IS NOT NULL AND dk <= $qe
                                 AND (rut OR dh IS NULL OR dk = dh)),
                count(*) FILTER (WHERE dk IS NOT NULL AND dk <= $qe
                                 AND NOT rut AND dh IS NOT NULL AND dk > dh),
                count(*) FILTER (WHERE dk IS NULL OR dk > $qe),
                count(*) FILTER (WHERE (dk IS NULL OR dk > $qe) AND (dh IS NULL OR dh >= $qe)),
                count(*) FILTER (WHERE (dk IS NULL OR dk > $qe) AND dh < $qe),
                count(*) FILTER (WHERE dn >= $qs),
                count(*) FILTER (WHERE dn >= $qs AND kenh = 1),
                count(*) FILTER (WHERE dn >= $qs AND kenh = 3),
                count(*) FILTER (WHERE dk IS NOT NULL AND dk <= $qe AND tra_kq_bcci),
                count(DISTINCT ma_tthc) FILTER (WHERE dn >= $qs),
                count(DISTINCT ma_tthc) FILTER (
                    WHERE dn >= $qs AND ((kenh = 2 AND muc_do IN (3, 4)) OR kenh = 3))
            FROM active
        """
        sql = sql.replace("$qs", f"DATE '{p.start.isoformat()}'").replace(
            "$qe", f"DATE '{p.end.isoformat()}'"
        )
        names = [
            "tong_so", "nhan_truc_tuyen", "nhan_truc_tiep_bcci", "tu_ky_truoc", "da_gq",
            "da_gq_truoc_han", "da_gq_dung_han", "da_gq_qua_han", "dang_gq",
            "dang_gq_trong_han", "dang_gq_qua_han", "nhan_moi", "nhan_truc_tiep", "nhan_bcci",
            "tra_kq_bcci", "so_tthc_phat_sinh", "so_tthc_tt34_bcci",
        ]  # fmt: skip
        for code, ms in units:
            got = con.execute(sql, [ms]).fetchone()
            assert got is not None
            counts = {n: int(v) for n, v in zip(names, got, strict=True)}
            rows.append(FormRow(code, p.code, {c: counts[c] for c in FORM_COUNTS}))
    order = {p.code: (p.start, p.end) for p in unique}
    return sorted(rows, key=lambda r: (r.agency, order[r.period]))
