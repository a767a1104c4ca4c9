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
"""

from __future__ import annotations

import bisect
import os
import tempfile
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


# --- the engine -----------------------------------------------------------------------------

_EPOCH = date(1970, 1, 1)
# Boundaries per pass, so that the packed group key stays far inside a BIGINT.
_MAX_BOUNDARIES = 200


def _day(d: date) -> int:
    return (d - _EPOCH).days


def _sql_text(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


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


def _scan_sql(relation: str, periods: Sequence[Period], members: Sequence[str] | None) -> str:
    """The rows that can be active in one of the periods, with day numbers for the dates."""
    first = min(p.start for p in periods)
    last = max(p.end for p in periods)
    # Never active in any of the periods: received after the last, finished before the first.
    where = [
        f"ngay_tiep_nhan <= DATE '{last.isoformat()}'",
        f"(ngay_ket_thuc_xu_ly IS NULL OR ngay_ket_thuc_xu_ly >= DATE '{first.isoformat()}')",
    ]
    if members is not None:
        where.append(f"co_quan IN ({', '.join(_sql_text(m) for m in members) or 'NULL'})")
    return f"""
        SELECT co_quan, ma_tthc, kenh_thuc_hien AS kenh, muc_do, tra_kq_bcci, trang_thai,
               ngay_tiep_nhan::DATE - DATE '1970-01-01' AS dn,
               ngay_hen_tra::DATE - DATE '1970-01-01' AS dh,
               ngay_ket_thuc_xu_ly::DATE - DATE '1970-01-01' AS dk
        FROM {relation}
        WHERE {" AND ".join(where)}"""


def _counts_sql(scan: str, b: _Bounds) -> str:
    """Pass 1: the number of dossiers per (agency, packed key)."""
    nk, nh = len(b.k) + 1, len(b.h) + 1  # segments; a missing dk or dh is past every boundary
    rut = ", ".join(_sql_text(s) for s in RETURNED_OR_WITHDRAWN)
    # dn's segment among the dk boundaries: the same as sn unless dk has boundaries of its own.
    sn_k = "sn" if b.k == b.n else _segment(b.k, "dn")
    return f"""
        SELECT co_quan, k, count(*) AS n
        FROM (
            SELECT co_quan,
                   ((((sn::BIGINT * {nk} + sk) * {nh}
                       -- a dossier finished with no dk boundary after its dn is pending at no
                       -- period's end: its due date does not matter, most dossiers share 0
                       + CASE WHEN sk = {sn_k} THEN 0
                              WHEN dh IS NULL THEN {nh - 1} ELSE {_segment(b.h, "dh")} END)
                       * {_K_KENH} + coalesce(kenh, 0)) * {_K_CLS}
                       -- outcome when finished: 0 early, 1 on time (returned or withdrawn, no
                       -- due date, or on the due day), 2 late; unfinished dossiers get 1
                       + CASE WHEN dk IS NULL OR dh IS NULL OR trang_thai IN ({rut}) THEN 1
                              WHEN dk < dh THEN 0 WHEN dk = dh THEN 1 ELSE 2 END) * {_K_TRA}
                       + (dk IS NOT NULL AND coalesce(tra_kq_bcci, false))::INTEGER
                   AS k
            FROM (
                SELECT *, {_segment(b.n, "dn")} AS sn,
                       CASE WHEN dk IS NULL THEN {nk - 1} ELSE {_segment(b.k, "dk")} END AS sk
                FROM ({scan})
            )
        )
        GROUP BY co_quan, k"""


def _procedures_sql(scan: str, b: _Bounds, procedures: int) -> str:
    """Pass 2: per (agency, dn segment, online 3/4 or postal) the set of procedures, as a bit
    string over the dictionary `dict`. A dossier finished "before" it was received is active
    in a period only if that day is in it too (dk >= qs): it keeps its dk segment apart."""
    tt = "((kenh = 2)::INTEGER * (coalesce(muc_do, 0) IN (3, 4))::INTEGER) | (kenh = 3)::INTEGER"
    return f"""
        SELECT co_quan, sn, tt, skn, bitstring_agg(i, 1, {max(1, procedures)}) AS procs
        FROM (
            SELECT co_quan, i, {_segment(b.n, "dn")} AS sn, coalesce({tt}, 0) AS tt,
                   CASE WHEN dk < dn THEN {_segment(b.n, "dk")} ELSE -1 END AS skn
            FROM ({scan}) d JOIN dict USING (ma_tthc)
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
    scan: str,
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
) -> list[FormRow]:
    """The form of every agency (those in `agencies`, else every agency with a dossier received
    by the last period's end and not finished before the first one's start) and of every group
    (from its members' dossiers) for every period, sorted by agency then period start and end;
    a row of zeros where nothing happened."""
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
    codes = [
        row[0]
        for row in con.execute(
            f"SELECT DISTINCT ma_tthc FROM ({_scan_sql(relation, unique, members)}) "
            "WHERE ma_tthc IS NOT NULL"
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
    for batch in _batches(unique):
        b = _bounds(batch, settings)
        sql = _evaluate_sql(
            _scan_sql(relation, batch, members),
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
