"""A source system's export with its own column names and codes imports through a mapping
saved for the source; agency codes are matched to organisations by a table."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parindex.dossiers import actions
from parindex.dossiers.models import SourceMapping
from parindex.dossiers.reading import matches
from parindex.orgs.models import User
from tests.conftest import LaoCai
from tests.dossiers.support import csv_file, stored

EXPORT_HEADER = (
    "MaHoSo",
    "DonViXuLy",
    "MaTTHC",
    "KenhThucHien",
    "MucDo",
    "HinhThuc",
    "TrangThaiHoSoId",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayKetThucXuLy",
    "ChuHoSo",
)
EXPORT = (
    (
        "000.12.H37-240401-0001",
        "STP",
        "1.001",
        "Trực tuyến",
        "TOAN_TRINH",
        "x",
        "10",
        "01/04/2024 08:00",
        "05/04/2024",
        "04/04/2024 15:00",
        "Lê Thị B",
    ),
    (
        "000.12.H37-240401-0002",
        "STP",
        "1.002",
        "DVC",
        "MOT_PHAN",
        "",
        "4",
        "02/04/2024 09:00",
        "09/04/2024",
        "",
        "Phạm Văn C",
    ),
    (
        "000.12.H37-240401-0003",
        "XYZ",
        "1.002",
        "BCCI",
        "",
        "",
        "7",
        "02/04/2024 09:00",
        "09/04/2024",
        "08/04/2024",
        "Hà D",
    ),
)
COLUMNS = {
    "MaHoSo": "ma_ho_so",
    "DonViXuLy": "co_quan",
    "MaTTHC": "ma_tthc",
    "KenhThucHien": "kenh_thuc_hien",
    "MucDo": "muc_do",
    "HinhThuc": "tra_kq_bcci",
    "TrangThaiHoSoId": "trang_thai",
    "NgayTiepNhan": "ngay_tiep_nhan",
    "NgayHenTra": "ngay_hen_tra",
    "NgayKetThucXuLy": "ngay_ket_thuc_xu_ly",
}
VALUES = {
    "trang_thai": {
        "2": "DANG_XU_LY",
        "4": "DANG_XU_LY",
        "7": "DA_GIAI_QUYET",
        "9": "DA_GIAI_QUYET",
        "10": "DA_GIAI_QUYET",
    },
}


def test_a_saved_mapping_imports_another_systems_export(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    actions.save_mapping(
        lao_cai.province, by=coordinator, source="motcua-vnpt", columns=COLUMNS, values=VALUES
    )
    path = csv_file(tmp_path / "export.csv", EXPORT, EXPORT_HEADER, delimiter=";")
    run = actions.import_dossiers(lao_cai.province, path, by=coordinator, source="motcua-vnpt")
    assert run.inserted == 3 and run.mapping == "default" and run.refused_rows == 0
    rows = stored(lao_cai.province)
    first = rows["000.12.H37-240401-0001"]
    assert (first["co_quan"], first["kenh_thuc_hien"], first["muc_do"]) == ("STP", 2, 4)
    assert first["trang_thai"] == "DA_GIAI_QUYET" and first["tra_kq_bcci"] is True
    assert first["extra"] == '{"ChuHoSo":"Lê Thị B"}'
    second = rows["000.12.H37-240401-0002"]
    assert (second["kenh_thuc_hien"], second["muc_do"], second["trang_thai"]) == (
        2,
        3,
        "DANG_XU_LY",
    )
    assert rows["000.12.H37-240401-0003"]["kenh_thuc_hien"] == 3


def test_without_the_mapping_the_export_is_refused_naming_the_missing_columns(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    path = csv_file(tmp_path / "export.csv", EXPORT, EXPORT_HEADER)
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_dossiers(lao_cai.province, path, by=coordinator)
    assert "no column for ma_ho_so, co_quan" in refused.value.run.message
    assert "MaHoSo" in refused.value.run.message


def test_a_named_mapping_that_does_not_exist_is_an_error(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    with pytest.raises(ValidationError):
        actions.import_dossiers(
            lao_cai.province,
            csv_file(tmp_path / "hs.csv"),
            by=coordinator,
            source="motcua",
            mapping="other",
        )


def test_a_mapping_to_an_unknown_target_or_value_is_refused(
    lao_cai: LaoCai, coordinator: User
) -> None:
    with pytest.raises(ValidationError) as error:
        actions.save_mapping(
            lao_cai.province,
            by=coordinator,
            source="motcua",
            columns={"MaHoSo": "dossier"},
            values={"trang_thai": {"7": "FINISHED"}},
        )
    text = " ".join(error.value.messages)
    assert "MaHoSo=dossier" in text and "trang_thai:7=FINISHED" in text
    assert not SourceMapping.objects.exists()


def test_only_coordinators_save_mappings(lao_cai: LaoCai, reporter: User) -> None:
    with pytest.raises(PermissionDenied):
        actions.save_mapping(lao_cai.province, by=reporter, source="motcua", columns=COLUMNS)


def test_agency_codes_match_by_the_table_else_by_the_same_organisation_code(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    actions.import_dossiers(lao_cai.province, csv_file(tmp_path / "hs.csv"), by=coordinator)
    found = matches(lao_cai.province)
    assert found["so-tu-phap"].organisation == lao_cai.justice
    assert found["so-tu-phap"].how == "same code" and found["so-tu-phap"].dossiers == 3
    assert found["000.00.12.H37"].organisation is None
    actions.set_agency_codes(lao_cai.province, by=coordinator, codes={"000.00.12.H37": "so-noi-vu"})
    again = matches(lao_cai.province)
    assert again["000.00.12.H37"].organisation == lao_cai.home_affairs
    assert again["000.00.12.H37"].how == "set"


def test_an_agency_code_cannot_point_at_an_unknown_organisation(
    lao_cai: LaoCai, coordinator: User
) -> None:
    with pytest.raises(ValidationError) as error:
        actions.set_agency_codes(lao_cai.province, by=coordinator, codes={"X": "so-khong-co"})
    assert "so-khong-co" in " ".join(error.value.messages)
