"""Small hand-made dossier sets in an in-memory DuckDB, with the canonical columns."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

import duckdb

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
