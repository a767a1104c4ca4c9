"""The command-line contracts of `parindex dossiers` (docs/dossiers.md)."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from parindex.dossiers.models import AgencyCode, KpiSetting, SourceMapping
from parindex.orgs.models import User
from tests.conftest import LaoCai
from tests.dossiers.support import ROWS, csv_file, stored


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("dossiers", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_reports_the_counts(lao_cai: LaoCai, tmp_path: Path) -> None:
    out, err = run("import", str(csv_file(tmp_path / "hs.csv")), "--province", "lao-cai")
    assert "hs.csv: 6 rows read, 6 dossiers added, 0 updated, 0 rows refused" in out
    assert "missing" not in err and "no due date" in err  # HS-006 has no due date
    assert "row 7" in err


def test_the_only_province_is_the_default(lao_cai: LaoCai, tmp_path: Path) -> None:
    run("import", str(csv_file(tmp_path / "hs.csv")))
    assert len(stored(lao_cai.province)) == 6


def test_several_provinces_need_to_be_named(
    lao_cai: LaoCai, outsider: User, tmp_path: Path
) -> None:
    with pytest.raises(CommandError) as error:
        run("import", str(csv_file(tmp_path / "hs.csv")))
    assert "--province" in str(error.value) and error.value.returncode == 2


def test_a_refused_import_exits_1_with_each_problem_on_standard_error(
    lao_cai: LaoCai, tmp_path: Path
) -> None:
    bad = [(*ROWS[0][:7], "hôm qua", *ROWS[0][8:])]
    err = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command(
            "dossiers",
            "import",
            str(csv_file(tmp_path / "bad.csv", bad)),
            stderr=err,
            stdout=io.StringIO(),
        )
    assert error.value.returncode == 1 and "nothing was imported" in str(error.value)
    assert "bad.csv: refused, ngay_tiep_nhan not a date" in err.getvalue()
    assert "row 2 “hôm qua”" in err.getvalue()
    assert stored(lao_cai.province) == {}


def test_a_missing_file_is_a_bad_argument(lao_cai: LaoCai, tmp_path: Path) -> None:
    with pytest.raises(CommandError) as error:
        run("import", str(tmp_path / "none.csv"))
    assert error.value.returncode == 2


def test_mapping_saves_columns_and_values_of_a_source(lao_cai: LaoCai) -> None:
    out, _err = run(
        "mapping",
        "--source",
        "motcua-vnpt",
        "MaHoSo=ma_ho_so",
        "ChuHoSo=",
        "--value",
        "trang_thai:7=DA_GIAI_QUYET",
        "--value",
        "kenh_thuc_hien:DVC=2",
    )
    assert "mapping motcua-vnpt/default saved: 2 columns, 2 values" in out
    saved = SourceMapping.objects.get()
    assert saved.columns == {"MaHoSo": "ma_ho_so", "ChuHoSo": ""}
    assert saved.values == {"trang_thai": {"7": "DA_GIAI_QUYET"}, "kenh_thuc_hien": {"DVC": "2"}}


def test_mapping_refuses_an_unknown_target(lao_cai: LaoCai) -> None:
    with pytest.raises(CommandError) as error:
        run("mapping", "--source", "motcua", "MaHoSo=dossier")
    assert "MaHoSo=dossier" in str(error.value) and error.value.returncode == 2


def test_agencies_lists_unmatched_codes_first_with_their_dossiers(
    lao_cai: LaoCai, tmp_path: Path
) -> None:
    run("import", str(csv_file(tmp_path / "hs.csv")))
    out, _err = run("agencies")
    lines = out.splitlines()
    assert lines[0] == "000.00.12.H37\t1\tunmatched"
    assert "so-tu-phap\t3\tso-tu-phap (same code)" in lines
    assert lines[-1] == "1 of 3 codes unmatched"
    out, _err = run("agencies", "--set", "000.00.12.H37=so-noi-vu", "--json")
    rows: list[dict[str, Any]] = json.loads(out)
    assert rows[0] == {
        "code": "000.00.12.H37",
        "organisation": "so-noi-vu",
        "how": "set",
        "dossiers": 1,
    }
    assert AgencyCode.objects.get().organisation == lao_cai.home_affairs


def test_agencies_refuses_an_unknown_organisation(lao_cai: LaoCai) -> None:
    with pytest.raises(CommandError) as error:
        run("agencies", "--set", "X=so-khong-co")
    assert "so-khong-co" in str(error.value)


def test_settings_default_to_the_reference_and_can_change(lao_cai: LaoCai) -> None:
    out, _err = run("settings")
    assert out.strip() == "lao-cai: carried over from start-day, on-time rate resolved"
    assert not KpiSetting.objects.exists()
    out, _err = run("settings", "--carried-over-from", "after-start-day", "--on-time-rate", "due")
    assert out.strip() == "lao-cai: carried over from after-start-day, on-time rate due"
    saved = KpiSetting.objects.get()
    assert (saved.carried_over_from_start_day, saved.on_time_rate) == (False, "due")


def test_check_counts_the_store_and_finds_a_dossier_stored_twice(
    lao_cai: LaoCai, tmp_path: Path
) -> None:
    run("import", str(csv_file(tmp_path / "hs.csv")))
    out, _err = run("check")
    assert out.strip() == (
        "lao-cai: 6 dossiers in 4 partitions, generation 1, monthly summaries up to date"
    )
    # The source corrected HS-001's received date from March into September, a month the
    # store holds no dossier of: the import looks for it there only, and stores it again.
    moved = [(*ROWS[0][:7], "2024-09-01", "2024-09-05", "2024-09-03")]
    run("import", str(csv_file(tmp_path / "moved.csv", moved)))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("dossiers", "check", stdout=io.StringIO(), stderr=err)
    assert "dossier HS-001 is stored 2 times" in err.getvalue()
