"""The dossiers behind a figure of the form: the list under a count of Biểu số 06 (an agency's
late resolutions, its overdue pending dossiers, the ones received online, ...) and the
procedures with most late dossiers.

The conditions are the reference definitions of `kpis` (its module text) written once per
column, so a list's length is the form's count for the same agency, period and settings: late
= finished within the period after the due day and neither returned nor withdrawn; pending
overdue = not finished by the period's end and due before it. The queries read the store's
relation (`Store.relation(start, end)`) with DuckDB; `for_person` adds who may read which codes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

from parindex.dossiers import forms, reading
from parindex.dossiers.kpis import RETURNED_OR_WITHDRAWN, KpiSettings, shared_connection
from parindex.dossiers.periods import Period, parse_period
from parindex.dossiers.store import CANONICAL_NAMES
from parindex.orgs import access
from parindex.orgs.access import AnyUser
from parindex.orgs.models import Organisation

# Each countable column of the form (and the plan's rate parts) as a condition on an active
# dossier: dn received, dh due, dk finished, rut returned or withdrawn, kenh the channel.
KINDS: dict[str, str] = {
    "tong_so": "true",
    "nhan_moi": "dn >= $qs",
    "nhan_truc_tuyen": "dn >= $qs AND kenh = 2",
    "nhan_truc_tiep_bcci": "dn >= $qs AND kenh IN (1, 3)",
    "nhan_truc_tiep": "dn >= $qs AND kenh = 1",
    "nhan_bcci": "dn >= $qs AND kenh = 3",
    "tu_ky_truoc": "dn < $qs",
    "da_gq": "dk IS NOT NULL AND dk <= $qe",
    "da_gq_truoc_han": "dk IS NOT NULL AND dk <= $qe AND NOT rut AND dh IS NOT NULL AND dk < dh",
    "da_gq_dung_han": "dk IS NOT NULL AND dk <= $qe AND (rut OR dh IS NULL OR dk = dh)",
    "da_gq_qua_han": "dk IS NOT NULL AND dk <= $qe AND NOT rut AND dh IS NOT NULL AND dk > dh",
    "dang_gq": "dk IS NULL OR dk > $qe",
    "dang_gq_trong_han": "(dk IS NULL OR dk > $qe) AND (dh IS NULL OR dh >= $qe)",
    "dang_gq_qua_han": "(dk IS NULL OR dk > $qe) AND dh < $qe",
    "tra_kq_bcci": "dk IS NOT NULL AND dk <= $qe AND tra_kq_bcci",
}
# Short names a link or the API may use for the two lists asked for most.
ALIASES = {"late": "da_gq_qua_han", "pending_overdue": "dang_gq_qua_han"}
PAGE = 50
REFERENCE = KpiSettings()  # the reference definitions
COLUMNS = CANONICAL_NAMES  # a listed dossier's columns


class DrillError(ValueError):
    """A bad kind, agency or filter; the message says which."""


@dataclass(frozen=True)
class Filters:
    """Narrowing of a list beyond the form's own condition (each optional)."""

    procedure: str = ""  # ma_tthc, exactly
    status: str = ""  # trang_thai, exactly
    received_from: date | None = None
    received_to: date | None = None


@dataclass(frozen=True)
class LateProcedure:
    procedure: str
    late: int  # da_gq_qua_han
    resolved: int  # da_gq
    pending_overdue: int  # dang_gq_qua_han


def kind_of(text: str) -> str:
    kind = ALIASES.get(text, text)
    if kind not in KINDS:
        known = ", ".join([*ALIASES, *KINDS])
        raise DrillError(f"kind {text or '-'}: expected one of {known}")
    return kind


def _selection(
    relation: str, period: Period, kind: str, settings: KpiSettings, filters: Filters
) -> tuple[str, list[Any]]:
    """SQL of the active dossiers of `kind` among agency codes given as the first parameter."""
    rut = ", ".join("'" + s + "'" for s in RETURNED_OR_WITHDRAWN)
    carry = ">=" if settings.carried_over_from_start_day else ">"
    extra: list[str] = []
    params: list[Any] = []
    if filters.procedure:
        extra.append("ma_tthc = ?")
        params.append(filters.procedure)
    if filters.status:
        extra.append("trang_thai = ?")
        params.append(filters.status)
    if filters.received_from:
        extra.append("dn >= ?")
        params.append(filters.received_from)
    if filters.received_to:
        extra.append("dn <= ?")
        params.append(filters.received_to)
    sql = f"""
        WITH d AS (
            SELECT *, ngay_tiep_nhan::DATE AS dn, ngay_hen_tra::DATE AS dh,
                   ngay_ket_thuc_xu_ly::DATE AS dk, kenh_thuc_hien AS kenh,
                   trang_thai IN ({rut}) AS rut
            FROM {relation}
            WHERE co_quan IN (SELECT unnest(?::VARCHAR[]))
        )
        SELECT * FROM d
        WHERE dn <= $qe AND (dk IS NULL OR dk >= $qs)
          AND (dn >= $qs OR dk IS NULL OR dk {carry} $qs)
          AND ({KINDS[kind]})
          {"".join(" AND " + e for e in extra)}
    """
    sql = sql.replace("$qs", f"DATE '{period.start.isoformat()}'").replace(
        "$qe", f"DATE '{period.end.isoformat()}'"
    )
    return sql, params


def count(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    period: Period,
    kind: str,
    agencies: list[str],
    *,
    settings: KpiSettings = REFERENCE,
    filters: Filters = Filters(),
) -> int:
    sql, params = _selection(relation, period, kind_of(kind), settings, filters)
    found = con.execute(f"SELECT count(*) FROM ({sql})", [agencies, *params]).fetchone()
    return int(found[0]) if found else 0


def dossiers(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    period: Period,
    kind: str,
    agencies: list[str],
    *,
    settings: KpiSettings = REFERENCE,
    filters: Filters = Filters(),
    limit: int | None = PAGE,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """The dossiers of `kind`, latest received first (then by code), `limit` from `offset`."""
    sql, params = _selection(relation, period, kind_of(kind), settings, filters)
    page = f" LIMIT {int(limit)} OFFSET {int(offset)}" if limit is not None else ""
    cursor = con.execute(
        f"SELECT {', '.join(COLUMNS)} FROM ({sql}) ORDER BY ngay_tiep_nhan DESC, ma_ho_so{page}",
        [agencies, *params],
    )
    return [dict(zip(COLUMNS, row, strict=True)) for row in cursor.fetchall()]


def late_procedures(
    con: duckdb.DuckDBPyConnection,
    relation: str,
    period: Period,
    agencies: list[str],
    *,
    settings: KpiSettings = REFERENCE,
    limit: int = 20,
) -> list[LateProcedure]:
    """The procedures with most late resolutions in the period (then most overdue pending)."""
    sql, params = _selection(relation, period, "tong_so", settings, Filters())
    rows = con.execute(
        f"""SELECT ma_tthc,
                   count(*) FILTER (WHERE {KINDS["da_gq_qua_han"]}) AS late,
                   count(*) FILTER (WHERE {KINDS["da_gq"]}) AS resolved,
                   count(*) FILTER (WHERE {KINDS["dang_gq_qua_han"]}) AS pending_overdue
            FROM ({sql}) GROUP BY ma_tthc
            HAVING late > 0 OR pending_overdue > 0
            ORDER BY late DESC, pending_overdue DESC, ma_tthc
            LIMIT {int(limit)}""".replace("$qe", f"DATE '{period.end.isoformat()}'"),
        [agencies, *params],
    ).fetchall()
    return [LateProcedure(str(r[0] or ""), int(r[1]), int(r[2]), int(r[3])) for r in rows]


# --- for a person ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Listing:
    period: Period
    kind: str
    agency: str  # a code, a group (`forms.GROUP_PREFIX`), or "" for every code the person reads
    total: int
    rows: list[dict[str, Any]]
    page: int
    pages: int


def codes_for(user: AnyUser, province: Organisation, agency: str = "") -> list[str]:
    """The agency codes a list covers: one code, a group's members (for those who read the
    whole province), or every code the person reads; the same codes as `forms.form_rows`."""
    matches = reading.matches(province)
    readable = access.dossier_organisations_for(user, province.pk)
    codes = [
        code
        for code, match in matches.items()
        if readable is None
        or (match.organisation is not None and match.organisation.pk in readable)
    ]
    if not agency:
        return codes
    if agency.startswith(forms.GROUP_PREFIX) and readable is None:
        groups = forms.groups_of(province, matches)
        if agency not in groups:
            raise DrillError(f"agency {agency}: not found")
        return groups[agency]
    if agency not in codes:
        raise DrillError(f"agency {agency}: not found")
    return [agency]


def _period(text: str) -> Period:
    try:
        return parse_period(text)
    except ValueError as error:
        raise DrillError(str(error)) from None


def listing(
    user: AnyUser,
    province: Organisation,
    period: str,
    kind: str,
    agency: str = "",
    *,
    filters: Filters = Filters(),
    page: int = 1,
    per_page: int | None = PAGE,
) -> Listing:
    """A page of the dossiers behind a count of the form (every one with `per_page` None)."""
    chosen = _period(period)
    kind = kind_of(kind)
    codes = codes_for(user, province, agency)
    relation = reading.store_for(province).relation(chosen.start, chosen.end)
    settings = forms.engine_settings(province)
    with shared_connection() as con:
        total = count(con, relation, chosen, kind, codes, settings=settings, filters=filters)
        pages = max(1, -(-total // per_page)) if per_page else 1
        page = min(max(1, page), pages)
        rows = dossiers(
            con,
            relation,
            chosen,
            kind,
            codes,
            settings=settings,
            filters=filters,
            limit=per_page,
            offset=(page - 1) * per_page if per_page else 0,
        )
    return Listing(chosen, kind, agency, total, rows, page, pages)


def worst_procedures(
    user: AnyUser, province: Organisation, period: str, agency: str = "", *, limit: int = 20
) -> list[LateProcedure]:
    chosen = _period(period)
    codes = codes_for(user, province, agency)
    relation = reading.store_for(province).relation(chosen.start, chosen.end)
    with shared_connection() as con:
        return late_procedures(
            con, relation, chosen, codes, settings=forms.engine_settings(province), limit=limit
        )
