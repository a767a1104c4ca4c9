"""Small hand-made dossier sets in an in-memory DuckDB, with the canonical columns."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import duckdb

from parindex.dossiers.kpis import Summary, summary_counts_sql, summary_procedures_sql

COLUMNS_SQL = """
    ma_ho_so VARCHAR NOT NULL, co_quan VARCHAR NOT NULL, ma_tthc VARCHAR NOT NULL,
    kenh_thuc_hien UTINYINT NOT NULL, muc_do UTINYINT, tra_kq_bcci BOOLEAN NOT NULL,
    trang_thai VARCHAR NOT NULL, ngay_tiep_nhan DATE NOT NULL, ngay_hen_tra DATE,
    ngay_ket_thuc_xu_ly DATE
"""


@dataclass(frozen=True)
class D:
    """One dossier; unfinished (dk None) ones are DANG_XU_LY unless a status is given."""

    dn: date
    dh: date | None = None
    dk: date | None = None
    co_quan: str = "A"
    ma_tthc: str = "P1"
    kenh: int = 1
    muc_do: int | None = 2
    tra_bcci: bool = False
    trang_thai: str | None = None

    def status(self) -> str:
        if self.trang_thai:
            return self.trang_thai
        return "DA_GIAI_QUYET" if self.dk else "DANG_XU_LY"

    def but(self, **changes: object) -> D:
        return replace(self, **changes)  # type: ignore[arg-type]


def dossier_table(dossiers: list[D], name: str = "ho_so") -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"CREATE TABLE {name} ({COLUMNS_SQL})")
    if not dossiers:
        return con
    con.executemany(
        f"INSERT INTO {name} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            (
                f"HS{i:05d}",
                d.co_quan,
                d.ma_tthc,
                d.kenh,
                d.muc_do,
                d.tra_bcci,
                d.status(),
                d.dn,
                d.dh,
                d.dk,
            )
            for i, d in enumerate(dossiers)
        ],
    )
    return con


def summarised(con: duckdb.DuckDBPyConnection, name: str = "ho_so") -> Summary:
    """The monthly summaries of table `name`, made part by part as the store makes them (one
    part per month of finishing, one for the unfinished) and read as their union."""
    parts = [
        row[0]
        for row in con.execute(
            f"SELECT DISTINCT coalesce(strftime(ngay_ket_thuc_xu_ly, '%Y-%m'), 'open') FROM {name}"
        ).fetchall()
    ]
    counts, procedures = [], []
    for i, part in enumerate(parts):
        rows = (
            f"(SELECT * FROM {name} WHERE "
            f"coalesce(strftime(ngay_ket_thuc_xu_ly, '%Y-%m'), 'open') = '{part}')"
        )
        con.execute(f"CREATE TABLE {name}_counts_{i} AS {summary_counts_sql(rows)}")
        con.execute(f"CREATE TABLE {name}_procedures_{i} AS {summary_procedures_sql(rows)}")
        counts.append(f"SELECT * FROM {name}_counts_{i}")
        procedures.append(f"SELECT * FROM {name}_procedures_{i}")
    if not parts:
        con.execute(f"CREATE TABLE {name}_counts_0 AS {summary_counts_sql(name)}")
        con.execute(f"CREATE TABLE {name}_procedures_0 AS {summary_procedures_sql(name)}")
        counts.append(f"SELECT * FROM {name}_counts_0")
        procedures.append(f"SELECT * FROM {name}_procedures_0")
    return Summary(
        counts="(" + " UNION ALL ".join(counts) + ")",
        procedures="(" + " UNION ALL ".join(procedures) + ")",
    )
