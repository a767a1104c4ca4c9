"""The dossier form computed the straightforward way, as baselines of bench/dossiers_kpis.py:
the reference definitions applied period by period with pandas, with polars and with plain
DuckDB SQL (one GROUP BY query per period). Each returns {(agency, period): counts in
FORM_COUNTS order}, only for agencies with at least one active dossier in the period.

pandas and polars come from the `bench` dependency group (never needed at run time).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb

from parindex.dossiers.kpis import COLUMNS, FORM_COUNTS, RETURNED_OR_WITHDRAWN
from parindex.dossiers.periods import Period

Forms = dict[tuple[str, str], tuple[int, ...]]


def _row(counts: dict[str, Any]) -> tuple[int, ...]:
    return tuple(int(counts[c]) for c in FORM_COUNTS)


def pandas_forms(path: str, periods: Sequence[Period]) -> Forms:
    import pandas as pd
    import pyarrow.parquet as pq

    df = pq.read_table(path, columns=list(COLUMNS)).to_pandas(date_as_object=False)
    df["rut"] = df["trang_thai"].isin(RETURNED_OR_WITHDRAWN)
    df["tt34"] = ((df["kenh_thuc_hien"] == 2) & df["muc_do"].isin([3, 4])) | (
        df["kenh_thuc_hien"] == 3
    )
    dn, dk = df["ngay_tiep_nhan"], df["ngay_ket_thuc_xu_ly"]
    out: Forms = {}
    for p in periods:
        qs, qe = pd.Timestamp(p.start), pd.Timestamp(p.end)
        a = df[(dn <= qe) & (dk.isna() | (dk >= qs))]
        a_dn, a_dh, a_dk, kenh = (
            a["ngay_tiep_nhan"],
            a["ngay_hen_tra"],
            a["ngay_ket_thuc_xu_ly"],
            a["kenh_thuc_hien"],
        )
        new = a_dn >= qs
        done = a_dk.notna() & (a_dk <= qe)
        pending = ~done
        flags = pd.DataFrame(
            {
                "co_quan": a["co_quan"],
                "tong_so": True,
                "nhan_truc_tuyen": new & (kenh == 2),
                "nhan_truc_tiep_bcci": new & kenh.isin([1, 3]),
                "tu_ky_truoc": ~new,
                "da_gq": done,
                "da_gq_truoc_han": done & ~a["rut"] & a_dh.notna() & (a_dk < a_dh),
                "da_gq_dung_han": done & (a["rut"] | a_dh.isna() | (a_dk == a_dh)),
                "da_gq_qua_han": done & ~a["rut"] & a_dh.notna() & (a_dk > a_dh),
                "dang_gq": pending,
                "dang_gq_trong_han": pending & (a_dh.isna() | (a_dh >= qe)),
                "dang_gq_qua_han": pending & (a_dh < qe),
                "nhan_moi": new,
                "nhan_truc_tiep": new & (kenh == 1),
                "nhan_bcci": new & (kenh == 3),
                "tra_kq_bcci": done & a["tra_kq_bcci"],
            }
        )
        sums = flags.groupby("co_quan").sum()
        received = a[new]
        sums["so_tthc_phat_sinh"] = received.groupby("co_quan")["ma_tthc"].nunique()
        sums["so_tthc_tt34_bcci"] = (
            received[received["tt34"]].groupby("co_quan")["ma_tthc"].nunique()
        )
        sums = sums.fillna(0)
        for agency, values in sums.iterrows():
            out[(str(agency), p.code)] = _row(values.to_dict())
    return out


def polars_forms(path: str, periods: Sequence[Period]) -> Forms:
    import polars as pl

    df = pl.read_parquet(path, columns=list(COLUMNS)).with_columns(
        rut=pl.col("trang_thai").is_in(list(RETURNED_OR_WITHDRAWN)),
        tt34=((pl.col("kenh_thuc_hien") == 2) & pl.col("muc_do").is_in([3, 4]).fill_null(False))
        | (pl.col("kenh_thuc_hien") == 3),
    )
    dn, dh, dk = pl.col("ngay_tiep_nhan"), pl.col("ngay_hen_tra"), pl.col("ngay_ket_thuc_xu_ly")
    kenh = pl.col("kenh_thuc_hien")
    frames = []
    for p in periods:
        qs, qe = pl.lit(p.start), pl.lit(p.end)
        new = dn >= qs
        done = dk.is_not_null() & (dk <= qe)
        pending = ~done
        conditions = {
            "nhan_truc_tuyen": new & (kenh == 2),
            "nhan_truc_tiep_bcci": new & kenh.is_in([1, 3]),
            "tu_ky_truoc": ~new,
            "da_gq": done,
            "da_gq_truoc_han": done & ~pl.col("rut") & dh.is_not_null() & (dk < dh),
            "da_gq_dung_han": done & (pl.col("rut") | dh.is_null() | (dk == dh)).fill_null(False),
            "da_gq_qua_han": done & ~pl.col("rut") & dh.is_not_null() & (dk > dh),
            "dang_gq": pending,
            "dang_gq_trong_han": pending & (dh.is_null() | (dh >= qe)).fill_null(False),
            "dang_gq_qua_han": pending & (dh < qe).fill_null(False),
            "nhan_moi": new,
            "nhan_truc_tiep": new & (kenh == 1),
            "nhan_bcci": new & (kenh == 3),
            "tra_kq_bcci": done & pl.col("tra_kq_bcci"),
        }
        frames.append(
            df.lazy()
            .filter((dn <= qe) & (dk.is_null() | (dk >= qs)))
            .group_by("co_quan")
            .agg(
                pl.len().alias("tong_so"),
                *(c.fill_null(False).sum().alias(name) for name, c in conditions.items()),
                pl.col("ma_tthc").filter(new).n_unique().alias("so_tthc_phat_sinh"),
                pl.col("ma_tthc")
                .filter(new & pl.col("tt34"))
                .n_unique()
                .alias("so_tthc_tt34_bcci"),
            )
            .with_columns(period=pl.lit(p.code))
        )
    out: Forms = {}
    for frame in pl.collect_all(frames):
        for record in frame.iter_rows(named=True):
            out[(record["co_quan"], record["period"])] = _row(record)
    return out


def duckdb_forms(con: duckdb.DuckDBPyConnection, relation: str, periods: Sequence[Period]) -> Forms:
    """Plain SQL, the definitions as written: one GROUP BY co_quan query per period."""
    rut = ", ".join(f"'{s}'" for s in RETURNED_OR_WITHDRAWN)
    out: Forms = {}
    for p in periods:
        qs, qe = f"DATE '{p.start.isoformat()}'", f"DATE '{p.end.isoformat()}'"
        done = f"(dk IS NOT NULL AND dk <= {qe})"
        pending = f"(dk IS NULL OR dk > {qe})"
        conditions = {
            "tong_so": "true",
            "nhan_truc_tuyen": f"dn >= {qs} AND kenh = 2",
            "nhan_truc_tiep_bcci": f"dn >= {qs} AND kenh IN (1, 3)",
            "tu_ky_truoc": f"dn < {qs}",
            "da_gq": done,
            "da_gq_truoc_han": f"{done} AND NOT rut AND dh IS NOT NULL AND dk < dh",
            "da_gq_dung_han": f"{done} AND (rut OR dh IS NULL OR dk = dh)",
            "da_gq_qua_han": f"{done} AND NOT rut AND dh IS NOT NULL AND dk > dh",
            "dang_gq": pending,
            "dang_gq_trong_han": f"{pending} AND (dh IS NULL OR dh >= {qe})",
            "dang_gq_qua_han": f"{pending} AND dh < {qe}",
            "nhan_moi": f"dn >= {qs}",
            "nhan_truc_tiep": f"dn >= {qs} AND kenh = 1",
            "nhan_bcci": f"dn >= {qs} AND kenh = 3",
            "tra_kq_bcci": f"{done} AND tra_kq_bcci",
        }
        columns = ", ".join(f"count(*) FILTER (WHERE {c}) AS {n}" for n, c in conditions.items())
        sql = f"""
            SELECT co_quan, {columns},
                   count(DISTINCT ma_tthc) FILTER (WHERE dn >= {qs}) AS so_tthc_phat_sinh,
                   count(DISTINCT ma_tthc) FILTER (
                       WHERE dn >= {qs} AND ((kenh = 2 AND muc_do IN (3, 4)) OR kenh = 3)
                   ) AS so_tthc_tt34_bcci
            FROM (
                SELECT co_quan, ma_tthc, kenh_thuc_hien AS kenh, muc_do, tra_kq_bcci,
                       trang_thai IN ({rut}) AS rut, ngay_tiep_nhan AS dn,
                       ngay_hen_tra AS dh, ngay_ket_thuc_xu_ly AS dk
                FROM {relation}
            )
            WHERE dn <= {qe} AND (dk IS NULL OR dk >= {qs})
            GROUP BY co_quan
        """
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        for values in cursor.fetchall():
            record = dict(zip(names, values, strict=True))
            out[(record["co_quan"], p.code)] = _row(record)
    return out
