"""Importing dossier files in the reference layout: every format, idempotence, updates that
touch only their partitions, and nothing half-saved."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from parindex.dossiers import actions
from parindex.dossiers.models import DossierImport, ImportStatus
from parindex.dossiers.reading import store_for
from parindex.dossiers.store import connect
from parindex.orgs.models import AuditEntry, User
from tests.conftest import LaoCai
from tests.dossiers.support import HEADER, ROWS, csv_file, parquet_file, stored, xlsx_file


@pytest.mark.parametrize("kind", ["csv", "xlsx", "parquet", "csv-utf16", "csv-semicolon"])
def test_each_format_in_the_reference_layout_imports_without_a_mapping(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path, kind: str
) -> None:
    path = {
        "csv": lambda: csv_file(tmp_path / "hs.csv"),
        "xlsx": lambda: xlsx_file(tmp_path / "hs.xlsx"),
        "parquet": lambda: parquet_file(tmp_path / "hs.parquet"),
        "csv-utf16": lambda: csv_file(tmp_path / "hs.csv", encoding="utf-16", delimiter="\t"),
        "csv-semicolon": lambda: csv_file(tmp_path / "hs.csv", delimiter=";"),
    }[kind]()
    run = actions.import_dossiers(lao_cai.province, path, by=coordinator)
    assert (run.status, run.rows, run.inserted, run.updated) == (ImportStatus.DONE, 6, 6, 0)
    rows = stored(lao_cai.province)
    assert sorted(rows) == [r[0] for r in ROWS]
    first = rows["HS-001"]
    assert first["co_quan"] == "so-tu-phap"
    assert first["kenh_thuc_hien"] == 2 and first["muc_do"] == 4
    assert first["tra_kq_bcci"] is False and rows["HS-002"]["tra_kq_bcci"] is True
    assert first["ngay_tiep_nhan"] == date(2024, 3, 28)
    assert first["ngay_ket_thuc_xu_ly"] == date(2024, 4, 3)
    assert rows["HS-004"]["ngay_ket_thuc_xu_ly"] is None
    assert rows["HS-006"]["ngay_hen_tra"] is None
    assert rows["HS-005"]["trang_thai"] == "TRA_LAI"


def test_partitions_are_the_finished_months_and_the_unfinished(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    actions.import_dossiers(lao_cai.province, csv_file(tmp_path / "hs.csv"), by=coordinator)
    assert store_for(lao_cai.province).partitions() == {
        "2024-04": 2,
        "2024-05": 1,
        "2024-06": 1,
        "open": 2,
    }


def test_the_same_file_twice_leaves_the_same_store(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    path = csv_file(tmp_path / "hs.csv")
    actions.import_dossiers(lao_cai.province, path, by=coordinator)
    before = {k: {**v, "lan_nhap": None} for k, v in stored(lao_cai.province).items()}
    again = actions.import_dossiers(lao_cai.province, path, by=coordinator)
    assert (again.inserted, again.updated) == (0, 6)
    after = {k: {**v, "lan_nhap": None} for k, v in stored(lao_cai.province).items()}
    assert after == before


def test_an_updated_dossier_changes_its_row_and_rewrites_only_the_partitions_it_touches(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    actions.import_dossiers(lao_cai.province, csv_file(tmp_path / "hs.csv"), by=coordinator)
    store = store_for(lao_cai.province)
    files_before = dict(store.manifest().data)
    # HS-004, pending in the first export, is finished in July; HS-007 is new in July.
    july = (
        (
            "HS-004",
            "tp-lao-cai",
            "2.001",
            "2",
            "3",
            "false",
            "DA_GIAI_QUYET",
            "2024-05-20",
            "2024-06-10",
            "2024-07-02",
        ),
        (
            "HS-007",
            "so-tu-phap",
            "1.003",
            "2",
            "4",
            "false",
            "DA_GIAI_QUYET",
            "2024-07-01",
            "2024-07-05",
            "2024-07-04",
        ),
    )
    run = actions.import_dossiers(
        lao_cai.province, csv_file(tmp_path / "july.csv", july), by=coordinator
    )
    assert (run.inserted, run.updated) == (1, 1)
    assert run.partitions == ["2024-07", "open"]
    files_after = store.manifest().data
    for part in ("2024-04", "2024-05", "2024-06"):
        assert files_after[part] == files_before[part]
    assert files_after["open"] != files_before["open"]
    rows = stored(lao_cai.province)
    assert len(rows) == 7
    assert rows["HS-004"]["ngay_ket_thuc_xu_ly"] == date(2024, 7, 2)
    assert rows["HS-004"]["trang_thai"] == "DA_GIAI_QUYET"
    assert store.partitions()["open"] == 1


def test_replaced_files_are_removed_by_the_next_write_not_the_one_that_replaced_them(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    path = csv_file(tmp_path / "hs.csv")
    actions.import_dossiers(lao_cai.province, path, by=coordinator)
    store = store_for(lao_cai.province)
    first = store.manifest()
    actions.import_dossiers(lao_cai.province, path, by=coordinator)
    assert all((store.root / name).exists() for name in first.data.values())
    actions.import_dossiers(lao_cai.province, path, by=coordinator)
    assert not any((store.root / name).exists() for name in first.data.values())
    assert store.check() == []


def test_other_columns_are_kept_as_extra_json(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    header = (
        *[
            h
            for h in (
                "ma_ho_so",
                "co_quan",
                "ma_tthc",
                "kenh_thuc_hien",
                "trang_thai",
                "ngay_tiep_nhan",
                "ngay_hen_tra",
                "ngay_ket_thuc_xu_ly",
            )
        ],
        "Chủ hồ sơ",
    )
    rows = [
        (
            "HS-1",
            "so-tu-phap",
            "1.001",
            "1",
            "DANG_XU_LY",
            "2024-04-01",
            "2024-04-09",
            "",
            "Nguyễn Văn A",
        )
    ]
    run = actions.import_dossiers(
        lao_cai.province, csv_file(tmp_path / "hs.csv", rows, header), by=coordinator
    )
    assert run.status == ImportStatus.DONE
    row = stored(lao_cai.province)["HS-1"]
    assert row["extra"] == '{"Chủ hồ sơ":"Nguyễn Văn A"}'
    assert row["muc_do"] is None and row["tra_kq_bcci"] is False


def test_the_import_is_recorded_and_audited(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    run = actions.import_dossiers(
        lao_cai.province, csv_file(tmp_path / "hs.csv"), by=coordinator, source="motcua"
    )
    assert run.created_by == coordinator and run.source == "motcua" and run.filename == "hs.csv"
    entry = AuditEntry.objects.get(action="dossiers.import")
    assert entry.changes["inserted"] == 6 and entry.province_id == lao_cai.province.pk
    assert stored(lao_cai.province)["HS-001"]["lan_nhap"] == run.pk


@pytest.mark.parametrize("role", ["reporter", "leader", "outsider"])
def test_only_the_provinces_coordinators_import(
    lao_cai: LaoCai, tmp_path: Path, request: pytest.FixtureRequest, role: str
) -> None:
    person = request.getfixturevalue(role)
    with pytest.raises(PermissionDenied):
        actions.import_dossiers(lao_cai.province, csv_file(tmp_path / "hs.csv"), by=person)
    assert not DossierImport.objects.exists()
    assert stored(lao_cai.province) == {}


def test_an_upload_from_the_screen_is_imported_like_a_file(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = csv_file(tmp_path / "hs.csv").read_bytes()
    run = actions.import_upload(
        lao_cai.province, SimpleUploadedFile("thang-6.csv", data), by=coordinator
    )
    assert (run.filename, run.inserted) == ("thang-6.csv", 6)


def test_an_upload_past_the_limit_is_refused_before_it_is_read(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path, settings: Any
) -> None:
    from django.core.exceptions import ValidationError
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.PARINDEX_MAX_DOSSIER_BYTES = 100
    data = csv_file(tmp_path / "hs.csv").read_bytes()
    with pytest.raises(ValidationError):
        actions.import_upload(lao_cai.province, SimpleUploadedFile("big.csv", data), by=coordinator)
    assert not DossierImport.objects.exists()


def test_progress_is_told_each_phase_up_to_the_whole(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    seen: list[tuple[str, float]] = []
    actions.import_dossiers(
        lao_cai.province,
        csv_file(tmp_path / "hs.csv"),
        by=coordinator,
        progress=lambda phase, done: seen.append((phase, done)),
    )
    assert [p for p, _ in seen][:3] == ["reading", "checking", "writing"]
    shares = [d for _, d in seen]
    assert shares == sorted(shares) and shares[-1] == 1.0


def test_a_workbook_with_real_dates_and_numbers_imports_as_the_text_would(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    from datetime import datetime

    rows = [
        ("HS-X", "so-tu-phap", "1.001", 2, 4, True, "DA_GIAI_QUYET",
         datetime(2024, 4, 1, 8, 30), date(2024, 4, 5), datetime(2024, 4, 3, 16, 0)),
    ]  # fmt: skip
    run = actions.import_dossiers(
        lao_cai.province, xlsx_file(tmp_path / "hs.xlsx", rows), by=coordinator
    )
    assert run.status == ImportStatus.DONE and run.problems == []
    row = stored(lao_cai.province)["HS-X"]
    assert (row["kenh_thuc_hien"], row["muc_do"], row["tra_kq_bcci"]) == (2, 4, True)
    assert (row["ngay_tiep_nhan"], row["ngay_ket_thuc_xu_ly"]) == (
        date(2024, 4, 1),
        date(2024, 4, 3),
    )


def test_a_workbook_formula_is_never_evaluated_nor_kept_as_a_formula(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    # openpyxl saves formulas without a calculated value: the cell reads as empty.
    rows = [("HS-F", '=CONCAT("so-","tu-phap")', *ROWS[0][2:])]
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_dossiers(
            lao_cai.province, xlsx_file(tmp_path / "f.xlsx", rows), by=coordinator
        )
    (problem,) = refused.value.run.problems
    assert (problem["code"], problem["examples"]) == ("missing_agency", [{"row": 2, "value": ""}])


def test_the_api_lists_import_runs_to_the_provinces_coordinators_and_leaders(
    lao_cai: LaoCai,
    coordinator: User,
    reporter: User,
    leader: User,
    tmp_path: Path,
    client_for: Any,
) -> None:
    actions.import_dossiers(lao_cai.province, csv_file(tmp_path / "hs.csv"), by=coordinator)
    listed = client_for(leader).get("/api/dossiers/imports").json()
    assert [(r["filename"], r["status"], r["inserted"]) for r in listed] == [("hs.csv", "done", 6)]
    assert listed[0]["problems"][0]["code"] == "missing_due"
    assert listed[0]["created_by"] == "Nguyễn Thị Hoa"
    assert client_for(reporter).get("/api/dossiers/imports").json() == []


def test_an_excel_csv_with_bom_semicolons_crlf_and_blank_lines_imports(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    lines = [";".join(HEADER), *(";".join(r) for r in ROWS[:2])]
    path = tmp_path / "excel.csv"
    path.write_bytes(("\ufeff" + "\r\n".join(lines) + "\r\n\r\n\r\n").encode("utf-8"))
    run = actions.import_dossiers(lao_cai.province, path, by=coordinator)
    assert (run.rows, run.inserted, run.refused_rows) == (2, 2, 0)
    assert sorted(stored(lao_cai.province)) == ["HS-001", "HS-002"]


def test_a_corrected_received_date_moves_the_dossier_instead_of_copying_it(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    actions.import_dossiers(lao_cai.province, csv_file(tmp_path / "hs.csv"), by=coordinator)
    store = store_for(lao_cai.province)
    # HS-001 was received in March; the source now says 2 April (a month with dossiers).
    corrected = [(*ROWS[0][:7], "2024-04-02", *ROWS[0][8:])]
    run = actions.import_dossiers(
        lao_cai.province, csv_file(tmp_path / "fix.csv", corrected), by=coordinator
    )
    assert (run.inserted, run.updated) == (0, 1)
    rows = stored(lao_cai.province)
    assert len(rows) == 6 and rows["HS-001"]["ngay_tiep_nhan"] == date(2024, 4, 2)
    assert "2024-03" not in store.manifest().keys  # its only dossier moved out
    with connect() as con:
        assert store.duplicates(con) == []
