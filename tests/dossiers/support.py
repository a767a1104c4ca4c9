"""Hand-made dossier files in every format the import reads, and the store read back."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
from openpyxl import Workbook

from parindex.dossiers.reading import store_for
from parindex.dossiers.store import connect
from parindex.orgs.models import Organisation

HEADER = (
    "ma_ho_so",
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

# Sở Tư pháp's and the city's dossiers of spring 2024: received, due, finished (or pending).
ROWS: tuple[tuple[str, ...], ...] = (
    (
        "HS-001",
        "so-tu-phap",
        "1.001",
        "2",
        "4",
        "false",
        "DA_GIAI_QUYET",
        "2024-03-28",
        "2024-04-05",
        "2024-04-03",
    ),
    (
        "HS-002",
        "so-tu-phap",
        "1.002",
        "1",
        "",
        "true",
        "DA_GIAI_QUYET",
        "2024-04-02",
        "2024-04-10",
        "2024-04-10",
    ),
    (
        "HS-003",
        "so-tu-phap",
        "1.001",
        "3",
        "",
        "true",
        "DA_GIAI_QUYET",
        "2024-04-15",
        "2024-04-20",
        "2024-05-02",
    ),
    (
        "HS-004",
        "tp-lao-cai",
        "2.001",
        "2",
        "3",
        "false",
        "DANG_XU_LY",
        "2024-05-20",
        "2024-06-10",
        "",
    ),
    (
        "HS-005",
        "tp-lao-cai",
        "2.002",
        "1",
        "",
        "false",
        "TRA_LAI",
        "2024-06-03",
        "2024-06-12",
        "2024-06-05",
    ),
    ("HS-006", "000.00.12.H37", "3.001", "1", "", "false", "DANG_XU_LY", "2024-06-25", "", ""),
)


def csv_file(
    path: Path,
    rows: Sequence[Sequence[str]] = ROWS,
    header: Sequence[str] = HEADER,
    *,
    delimiter: str = ",",
    encoding: str = "utf-8",
) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def xlsx_file(
    path: Path, rows: Sequence[Sequence[object]] = ROWS, header: Sequence[str] = HEADER
) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    book.save(path)
    return path


def parquet_file(path: Path, rows: Sequence[Sequence[str]] = ROWS) -> Path:
    source = csv_file(path.with_suffix(".csv"), rows)
    with duckdb.connect() as con:
        con.execute(
            f"COPY (SELECT * REPLACE (CAST(ngay_tiep_nhan AS DATE) AS ngay_tiep_nhan) "
            f"FROM read_csv('{source}', all_varchar=true)) TO '{path}' (FORMAT parquet)"
        )
    return path


def stored(province: Organisation) -> dict[str, dict[str, Any]]:
    """ma_ho_so → the stored row."""
    store = store_for(province)
    with connect() as con:
        cursor = con.execute(f"SELECT * FROM {store.relation()} ORDER BY ma_ho_so")
        names = [d[0] for d in cursor.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
