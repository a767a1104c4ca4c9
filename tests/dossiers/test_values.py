"""How the import reads the values sources write: channels, levels, statuses, yes/no and dates,
table-driven through the same SQL the import runs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pytest

from parindex.dossiers import importing
from tests.dossiers.support import HEADER, csv_file


def staged_value(tmp_path: Path, column: str, value: str) -> object:
    row = dict(
        zip(
            HEADER,
            ("A", "so-tu-phap", "1.001", "1", "", "", "DANG_XU_LY", "2024-04-01", "", ""),
            strict=True,
        )
    )
    row[column] = value
    path = csv_file(tmp_path / "one.csv", [tuple(row.values())])
    with duckdb.connect() as con:
        names = importing.read_file(con, path)
        importing.stage(con, names)
        found = con.execute(f"SELECT {column} FROM _staged").fetchall()
    return found[0][0] if found else "refused"


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("1", 1),
        ("Trực tiếp", 1),
        ("TRUC_TIEP", 1),
        ("2", 2),
        ("Trực tuyến", 2),
        ("trực-tuyến", 2),
        ("DVC", 2),
        ("online", 2),
        ("3", 3),
        ("BCCI", 3),
        ("Bưu chính công ích", 3),
        ("4", "refused"),
        ("", "refused"),
    ],
)
def test_channels(tmp_path: Path, written: str, read: object) -> None:
    assert staged_value(tmp_path, "kenh_thuc_hien", written) == read


@pytest.mark.parametrize(
    ("written", "read"),
    [("3", 3), ("4", 4), ("Một phần", 3), ("TOAN_TRINH", 4), ("toàn trình", 4), ("", None)],
)
def test_levels(tmp_path: Path, written: str, read: object) -> None:
    assert staged_value(tmp_path, "muc_do", written) == read


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("DA_GIAI_QUYET", "DA_GIAI_QUYET"),
        ("Đã giải quyết", "DA_GIAI_QUYET"),
        ("đang xử lý", "DANG_XU_LY"),
        ("Trả lại", "TRA_LAI"),
        ("rút hồ sơ", "RUT_HO_SO"),
        ("Chờ bổ sung", "BO_SUNG"),
        ("tạm dừng", "TAM_DUNG"),
        ("7", "refused"),
    ],
)
def test_statuses(tmp_path: Path, written: str, read: object) -> None:
    assert staged_value(tmp_path, "trang_thai", written) == read


@pytest.mark.parametrize(
    ("written", "read"),
    [("x", True), ("Có", True), ("1", True), ("", False), ("không", False), ("maybe", "refused")],
)
def test_returned_by_post(tmp_path: Path, written: str, read: object) -> None:
    assert staged_value(tmp_path, "tra_kq_bcci", written) == read


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("2024-04-01", date(2024, 4, 1)),
        ("2024-4-1", date(2024, 4, 1)),
        ("01/04/2024", date(2024, 4, 1)),
        ("1/4/2024 17:30", date(2024, 4, 1)),
        ("01-04-2024", date(2024, 4, 1)),
        ("01.04.2024", date(2024, 4, 1)),
        ("2024-04-01T23:59:59+07:00", date(2024, 4, 1)),
        ("2024-04-01 08:00:00.123", date(2024, 4, 1)),
        (" 2024-04-01 ", date(2024, 4, 1)),
        ("04/31/2024", "refused"),
        ("2024-13-01", "refused"),
        ("1899-12-31", "refused"),
        ("45383", "refused"),
        ("hôm nay", "refused"),
    ],
)
def test_received_dates(tmp_path: Path, written: str, read: object) -> None:
    assert staged_value(tmp_path, "ngay_tiep_nhan", written) == read


def test_a_source_value_mapping_adds_to_the_values_every_source_is_read_with() -> None:
    mapping = importing.ColumnMap(values={"trang_thai": {"10": "DA_GIAI_QUYET"}})
    assert importing.check_mapping(mapping) == []
    assert importing.value_key(" Trực_Tuyến ") == importing.value_key("truc tuyen")
