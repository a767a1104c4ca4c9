"""The form per agency code from the store: `parindex dossiers form`, the API and the exporter
give the same rows, each person reading the codes they may."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import CommandError, call_command
from django.test import Client
from openpyxl import load_workbook

from parindex.dossiers import actions
from parindex.exports.registry import ExportError, render
from parindex.orgs.models import AuditEntry, User
from tests.conftest import LaoCai
from tests.dossiers.support import csv_file

JUSTICE = {
    "agency": "so-tu-phap",
    "period": "2024Q2",
    "tong_so": 3,
    "nhan_truc_tuyen": 0,
    "nhan_truc_tiep_bcci": 2,
    "tu_ky_truoc": 1,
    "da_gq": 3,
    "da_gq_truoc_han": 1,
    "da_gq_dung_han": 1,
    "da_gq_qua_han": 1,
    "dang_gq": 0,
    "dang_gq_trong_han": 0,
    "dang_gq_qua_han": 0,
    "tra_kq_bcci": 2,
    "so_tthc_phat_sinh": 2,
    "so_tthc_tt34_bcci": 1,
    "ty_le_dung_han": 0.6667,
    "ty_le_dung_han_ca_dang_qua_han": 0.6667,
    "ty_le_truc_tuyen": 0.0,
    "ty_le_nhan_bcci": 0.5,
    "ty_le_tra_bcci": 0.6667,
    "ty_le_tthc_tt34_bcci": 0.5,
    "matched": True,
}
CITY = {
    **JUSTICE,
    "agency": "tp-lao-cai",
    "tong_so": 2,
    "nhan_truc_tuyen": 1,
    "nhan_truc_tiep_bcci": 1,
    "tu_ky_truoc": 0,
    "da_gq": 1,
    "da_gq_truoc_han": 0,
    "da_gq_dung_han": 1,
    "da_gq_qua_han": 0,
    "dang_gq": 1,
    "dang_gq_trong_han": 0,
    "dang_gq_qua_han": 1,
    "tra_kq_bcci": 0,
    "so_tthc_phat_sinh": 2,
    "so_tthc_tt34_bcci": 1,
    "ty_le_dung_han": 1.0,
    "ty_le_dung_han_ca_dang_qua_han": 0.5,
    "ty_le_truc_tuyen": 0.5,
    "ty_le_nhan_bcci": 0.0,
    "ty_le_tra_bcci": 0.0,
    "ty_le_tthc_tt34_bcci": 0.5,
}
UNMATCHED = {
    **JUSTICE,
    "agency": "000.00.12.H37",
    "tong_so": 1,
    "nhan_truc_tuyen": 0,
    "nhan_truc_tiep_bcci": 1,
    "tu_ky_truoc": 0,
    "da_gq": 0,
    "da_gq_truoc_han": 0,
    "da_gq_dung_han": 0,
    "da_gq_qua_han": 0,
    "dang_gq": 1,
    "dang_gq_trong_han": 1,
    "dang_gq_qua_han": 0,
    "tra_kq_bcci": 0,
    "so_tthc_phat_sinh": 1,
    "so_tthc_tt34_bcci": 0,
    "ty_le_dung_han": None,
    "ty_le_dung_han_ca_dang_qua_han": None,
    "ty_le_truc_tuyen": 0.0,
    "ty_le_nhan_bcci": 0.0,
    "ty_le_tra_bcci": None,
    "ty_le_tthc_tt34_bcci": 0.0,
    "matched": False,
}


@pytest.fixture
def imported(lao_cai: LaoCai, coordinator: User, tmp_path: Path) -> None:
    actions.import_dossiers(lao_cai.province, csv_file(tmp_path / "hs.csv"), by=coordinator)


def form_json(*args: str) -> Any:
    out = io.StringIO()
    call_command("dossiers", "form", *args, stdout=out)
    return json.loads(out.getvalue())


def test_the_json_is_one_row_per_agency_code_with_the_reference_names(
    imported: None, lao_cai: LaoCai
) -> None:
    rows = form_json("--period", "2024Q2", "--format", "json")
    assert rows == [UNMATCHED, JUSTICE, CITY]
    assert list(rows[0]) == list(JUSTICE)
    entry = AuditEntry.objects.get(action="exports.export.all")
    assert entry.object_id == "dossier-form"


def test_one_agency_and_one_persons_view(imported: None, reporter: User) -> None:
    assert form_json("--period", "2024Q2", "--agency", "tp-lao-cai") == [CITY]
    assert form_json("--period", "2024Q2", "--as", reporter.username) == [JUSTICE]


def test_a_bad_period_or_an_unknown_agency_is_a_clear_error(imported: None) -> None:
    with pytest.raises(CommandError) as error:
        form_json("--period", "2024Q5")
    assert "2024Q5" in str(error.value)
    with pytest.raises(CommandError) as error:
        form_json("--period", "2024Q2", "--agency", "so-khong-co")
    assert "so-khong-co" in str(error.value)


def test_an_empty_store_gives_no_rows(lao_cai: LaoCai) -> None:
    assert form_json("--period", "2024Q2") == []


@pytest.mark.parametrize(
    ("role", "agencies"),
    [
        ("coordinator", ["000.00.12.H37", "so-tu-phap", "tp-lao-cai"]),
        ("leader", ["000.00.12.H37", "so-tu-phap", "tp-lao-cai"]),
        ("reporter", ["so-tu-phap"]),
        ("head", ["so-tu-phap"]),
        ("district_head", ["tp-lao-cai"]),
    ],
)
def test_the_api_gives_each_person_the_codes_they_read(
    imported: None,
    client_for: Callable[[User], Client],
    request: pytest.FixtureRequest,
    role: str,
    agencies: list[str],
) -> None:
    person = request.getfixturevalue(role)
    response = client_for(person).get("/api/dossiers/form?period=2024Q2")
    assert response.status_code == 200
    assert [row["agency"] for row in response.json()] == agencies
    if role == "coordinator":
        assert response.json() == [UNMATCHED, JUSTICE, CITY]


def test_the_api_refuses_outsiders_and_another_agencys_code(
    imported: None,
    client_for: Callable[[User], Client],
    outsider: User,
    reporter: User,
    appraiser: User,
) -> None:
    # Yên Bái's coordinator reads Yên Bái's (empty) store, not Lào Cai's.
    assert client_for(outsider).get("/api/dossiers/form?period=2024Q2").json() == []
    lao_cai = "/api/dossiers/form?period=2024Q2&province=lao-cai"
    assert client_for(outsider).get(lao_cai).status_code == 404
    assert client_for(appraiser).get(lao_cai).status_code == 404
    assert Client().get("/api/dossiers/form?period=2024Q2").status_code == 401
    other = client_for(reporter).get("/api/dossiers/form?period=2024Q2&agency=tp-lao-cai")
    assert other.status_code == 404
    bad = client_for(reporter).get("/api/dossiers/form?period=soon")
    assert bad.status_code == 422


def test_an_unmatched_code_is_flagged_in_csv_and_xlsx(imported: None, coordinator: User) -> None:
    params = {"province": "lao-cai", "period": "2024Q2"}
    table = list(
        csv.DictReader(
            io.StringIO(
                render("dossier-form", "csv", user=coordinator, params=params).content.decode(
                    "utf-8-sig"
                )
            )
        )
    )
    assert [(r["agency"], r["matched"], r["organisation"]) for r in table] == [
        ("000.00.12.H37", "false", ""),
        ("so-tu-phap", "true", "Sở Tư pháp"),
        ("tp-lao-cai", "true", "UBND thành phố Lào Cai"),
    ]
    assert table[1]["tong_so"] == "3" and table[1]["ty_le_dung_han"] == "0.6667"
    content = render("dossier-form", "xlsx", user=coordinator, params=params).content
    book = load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    assert sheet["A1"].value == "Biểu số 06/VPCP/KSTT"
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    numbers = next(v for v in values if v[0] == "(1)")
    assert numbers[:13] == [f"({n})" for n in range(1, 14)]
    justice = next(v for v in values if v[1] == "Sở Tư pháp")
    assert justice[2:13] == [3, 0, 2, 1, 3, 1, 1, 1, 0, 0, 0]
    assert justice[13:] == ["so-tu-phap", "Có"]
    unmatched = next(v for v in values if v[13] == "000.00.12.H37")
    assert unmatched[14] == "Chưa khớp"
    total = next(v for v in values if v[1] == "Tổng cộng")
    assert total[2] == 6
    rates = book["Tỷ lệ"]
    on_time = next(
        r
        for r in rates.iter_rows(values_only=True)
        if r[0] == "so-tu-phap"
        and str(r[3]).startswith("Tỷ lệ giải quyết đúng hạn (trên số đã giải quyết)")
    )
    assert on_time[4:] == (2, 3, 0.6667)


def test_the_exporter_refuses_who_may_not_read_the_province(imported: None, outsider: User) -> None:
    with pytest.raises(ExportError):
        render(
            "dossier-form", "csv", user=outsider, params={"province": "lao-cai", "period": "2024Q2"}
        )


def test_the_provinces_carried_over_boundary_is_used(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    # Received in March, finished on 1 April: carried into Q2 by the reference reading only.
    rows = [
        (
            "B-1",
            "so-tu-phap",
            "1.001",
            "1",
            "",
            "false",
            "DA_GIAI_QUYET",
            "2024-03-20",
            "2024-04-02",
            "2024-04-01",
        )
    ]
    actions.import_dossiers(lao_cai.province, csv_file(tmp_path / "b.csv", rows), by=coordinator)
    (first,) = form_json("--period", "2024Q2")
    assert (first["tu_ky_truoc"], first["da_gq"]) == (1, 1)
    actions.save_kpi_settings(
        lao_cai.province, by=coordinator, carried_over_from_start_day=False, on_time_rate="due"
    )
    # Finished on the first day and received before it: in no column of the period.
    (after,) = form_json("--period", "2024Q2")
    assert after == {
        **first,
        "tong_so": 0,
        "tu_ky_truoc": 0,
        "da_gq": 0,
        "da_gq_truoc_han": 0,
        "ty_le_dung_han": None,
        "ty_le_dung_han_ca_dang_qua_han": None,
        "ty_le_tra_bcci": None,
    }


def test_only_coordinators_change_the_settings(lao_cai: LaoCai, leader: User) -> None:
    with pytest.raises(PermissionDenied):
        actions.save_kpi_settings(
            lao_cai.province, by=leader, carried_over_from_start_day=False, on_time_rate="due"
        )


def test_groups_are_computed_from_their_members_dossiers(
    imported: None, lao_cai: LaoCai, coordinator: User
) -> None:
    rows = {r["agency"]: r for r in form_json("--period", "2024Q2", "--groups")}
    province = rows["group:province"]
    assert province["tong_so"] == 6 and province["matched"] is True
    # Distinct procedures of the new dossiers over the whole province.
    assert province["so_tthc_phat_sinh"] == 5
    assert rows["group:departments"]["tong_so"] == 3
    assert rows["group:tp-lao-cai"]["tong_so"] == 2
    assert rows["group:bat-xat"]["tong_so"] == 0
    content = render(
        "dossier-form",
        "xlsx",
        user=coordinator,
        params={"province": "lao-cai", "period": "2024Q2", "groups": "1"},
    ).content
    names = [
        r[1] for r in load_workbook(io.BytesIO(content)).worksheets[0].iter_rows(values_only=True)
    ]
    assert "Toàn tỉnh (Tỉnh Lào Cai)" in names and "Các sở, ban, ngành" in names
    assert "UBND thành phố Lào Cai và các xã, phường" in names


def test_agency_people_get_no_group_rows(imported: None, reporter: User) -> None:
    assert [
        r["agency"] for r in form_json("--period", "2024Q2", "--groups", "--as", "minh.stp")
    ] == ["so-tu-phap"]


def test_the_forms_identities_hold_on_the_imported_records(
    imported: None, lao_cai: LaoCai, coordinator: User
) -> None:
    from parindex.dossiers import forms

    rows = forms.form_rows(coordinator, lao_cai.province, "2024Q2", groups=True)
    assert rows and forms.identity_problems(lao_cai.province, rows) == []
    broken = [
        forms.FormRow(
            rows[0].agency,
            rows[0].period,
            None,
            {**rows[0].counts, "da_gq": rows[0].counts["da_gq"] + 1},
            rows[0].rates,
        )
    ]
    assert any("tong_so" in p for p in forms.identity_problems(lao_cai.province, broken))
