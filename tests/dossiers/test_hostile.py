"""Hostile files: formulas, control characters, huge numbers, wrong encodings, zip bombs and
things that are not tables at all. Each gets a message naming the file (and the row and column
where there is one), never a traceback, and nothing reaches the store."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from parindex.dossiers import actions
from parindex.dossiers.models import ImportStatus
from parindex.orgs.models import User
from tests.conftest import LaoCai
from tests.dossiers.support import HEADER, ROWS, csv_file, stored


def refused_message(lao_cai: LaoCai, coordinator: User, path: Path) -> str:
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_dossiers(lao_cai.province, path, by=coordinator)
    assert stored(lao_cai.province) == {}
    return refused.value.run.message


def test_formulas_are_kept_as_the_text_they_are(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    rows = [('=HYPERLINK("http://x")', "@SUM(A1)", "+1.001", *ROWS[0][3:])]
    run = actions.import_dossiers(
        lao_cai.province, csv_file(tmp_path / "f.csv", rows), by=coordinator
    )
    assert run.status == ImportStatus.DONE
    row = stored(lao_cai.province)['=HYPERLINK("http://x")']
    assert (row["co_quan"], row["ma_tthc"]) == ("@SUM(A1)", "+1.001")


def test_control_characters_are_removed_and_counted(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    rows = [("HS\x07-1", "so-tu\x00-phap", *ROWS[0][2:])]
    run = actions.import_dossiers(
        lao_cai.province, csv_file(tmp_path / "c.csv", rows), by=coordinator
    )
    assert list(stored(lao_cai.province)) == ["HS-1"]
    assert stored(lao_cai.province)["HS-1"]["co_quan"] == "so-tu-phap"
    problem = next(p for p in run.problems if p["code"] == "control_characters")
    assert problem["examples"] == [{"row": 2, "value": "HS\\x07-1"}]


def test_huge_numbers_and_far_dates_are_refused_rows(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    rows = [
        ("H1", "so-tu-phap", "1.001", "9" * 400, *ROWS[0][4:]),
        ("H2", "so-tu-phap", "1.001", "1", "", "false", "DANG_XU_LY", "99999-01-01", "", ""),
        ("H3", "so-tu-phap", "1.001", "1", "", "false", "DANG_XU_LY", "0001-01-01", "", ""),
        ("H4", "x" * 5000, *ROWS[0][2:]),
    ]
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_dossiers(
            lao_cai.province, csv_file(tmp_path / "h.csv", rows), by=coordinator
        )
    codes = {(p["code"], p["column"]): p for p in refused.value.run.problems}
    assert codes[("unknown_channel", "kenh_thuc_hien")]["examples"][0]["row"] == 2
    assert codes[("unknown_channel", "kenh_thuc_hien")]["examples"][0]["value"].endswith("…")
    assert codes[("bad_date", "ngay_tiep_nhan")]["count"] == 2
    assert codes[("too_long", "co_quan")]["examples"][0]["row"] == 5


def test_a_file_in_neither_utf8_nor_utf16_is_refused_naming_it(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    path = csv_file(tmp_path / "latin.csv", [("HS-1", "Café", *ROWS[0][2:])], encoding="latin-1")
    message = refused_message(lao_cai, coordinator, path)
    assert message.startswith("latin.csv") and "UTF-8" in message


def test_a_row_longer_than_the_header_is_refused_with_its_line(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    path = tmp_path / "long.csv"
    path.write_text(",".join(HEADER) + "\n" + ",".join(ROWS[0]) + ",extra,more\n", "utf-8")
    message = refused_message(lao_cai, coordinator, path)
    assert message.startswith("long.csv") and "more fields than the header" in message


def test_a_column_named_twice_is_refused(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    path = csv_file(tmp_path / "twice.csv", [(*ROWS[0], "x")], (*HEADER, "MA_HO_SO"))
    message = refused_message(lao_cai, coordinator, path)
    assert "'ma_ho_so' appears twice (columns 1 and 11)" in message


def test_a_zip_bomb_workbook_is_refused_before_it_is_opened(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * 80_000_000)
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(buffer.getvalue())
    message = refused_message(lao_cai, coordinator, path)
    assert message.startswith("bomb.xlsx") and "expands to more than" in message


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "old Excel (.xls)"),
        ("broken.xlsx", b"PK\x03\x04garbage", "not a readable XLSX workbook"),
        ("broken.parquet", b"PAR1garbage", "not a readable Parquet file"),
        ("empty.csv", b"", "empty"),
    ],
)
def test_files_that_are_not_tables_are_refused_naming_them(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    message = refused_message(lao_cai, coordinator, path)
    assert message.startswith(name) and expected in message
