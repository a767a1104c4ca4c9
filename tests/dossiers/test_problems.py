"""Data problems are counted and shown with rows and values, never dropped silently; a file
with refused rows changes nothing unless the good rows are asked for alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from parindex.dossiers import actions
from parindex.dossiers.models import DossierImport, ImportStatus
from parindex.dossiers.reading import store_for
from parindex.orgs.models import AuditEntry, User
from tests.conftest import LaoCai
from tests.dossiers.support import ROWS, csv_file, stored


def row(code: str, **changes: str) -> tuple[str, ...]:
    base = dict(
        zip(
            (
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
            ),
            (
                code,
                "so-tu-phap",
                "1.001",
                "1",
                "",
                "false",
                "DA_GIAI_QUYET",
                "2024-04-01",
                "2024-04-05",
                "2024-04-04",
            ),
            strict=True,
        )
    )
    base.update(changes)
    return tuple(base.values())


def problems_of(run: DossierImport) -> dict[tuple[str, str], dict[str, Any]]:
    return {(p["code"], p["column"]): p for p in run.problems}


BAD = (
    row("A1"),
    row("A2", ngay_tiep_nhan="31/02/2024"),
    row("A3", ngay_ket_thuc_xu_ly="2024-03-30"),
    row("A4", kenh_thuc_hien="9"),
    row("A5", trang_thai="???"),
    row("A6", ngay_hen_tra="soon"),
    row("", co_quan="so-tu-phap"),
    row("A8", co_quan=""),
)


def test_refusing_problems_refuse_the_whole_file_by_default(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_dossiers(
            lao_cai.province, csv_file(tmp_path / "bad.csv", BAD), by=coordinator
        )
    run = refused.value.run
    assert run.status == ImportStatus.REFUSED and run.refused_rows == 7 and run.rows == 8
    found = problems_of(run)
    assert found[("bad_date", "ngay_tiep_nhan")]["examples"] == [{"row": 3, "value": "31/02/2024"}]
    assert found[("finished_before_received", "ngay_ket_thuc_xu_ly")]["examples"] == [
        {"row": 4, "value": "2024-03-30"}
    ]
    assert found[("unknown_channel", "kenh_thuc_hien")]["examples"] == [{"row": 5, "value": "9"}]
    assert found[("unknown_status", "trang_thai")]["count"] == 1
    assert found[("bad_date", "ngay_hen_tra")]["examples"] == [{"row": 7, "value": "soon"}]
    assert found[("missing_code", "ma_ho_so")]["examples"] == [{"row": 8, "value": ""}]
    assert found[("missing_agency", "co_quan")]["examples"][0]["row"] == 9
    assert all(p["refused"] for p in run.problems)
    assert stored(lao_cai.province) == {}
    assert store_for(lao_cai.province).manifest().generation == 0
    assert AuditEntry.objects.filter(action="dossiers.import.refuse").count() == 1


def test_skipping_bad_rows_imports_the_good_ones_and_lists_the_others(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    run = actions.import_dossiers(
        lao_cai.province, csv_file(tmp_path / "bad.csv", BAD), by=coordinator, skip_bad_rows=True
    )
    assert (run.status, run.inserted, run.refused_rows) == (ImportStatus.DONE, 1, 7)
    assert list(stored(lao_cai.province)) == ["A1"]


def test_warnings_keep_the_row_and_are_counted(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    rows = (
        row("W1", ngay_hen_tra=""),
        row("W2", ngay_hen_tra=""),
        row("W3", muc_do="7"),
        row("W4", trang_thai="DA_GIAI_QUYET", ngay_ket_thuc_xu_ly=""),
        row("W5", ngay_hen_tra="2024-03-01"),
    )
    run = actions.import_dossiers(
        lao_cai.province, csv_file(tmp_path / "w.csv", rows), by=coordinator
    )
    assert run.status == ImportStatus.DONE and run.inserted == 5 and run.refused_rows == 0
    found = problems_of(run)
    assert found[("missing_due", "ngay_hen_tra")]["count"] == 2
    assert [e["row"] for e in found[("missing_due", "ngay_hen_tra")]["examples"]] == [2, 3]
    assert found[("unknown_level", "muc_do")]["examples"] == [{"row": 4, "value": "7"}]
    assert found[("finished_without_date", "ngay_ket_thuc_xu_ly")]["count"] == 1
    assert found[("due_before_received", "ngay_hen_tra")]["count"] == 1
    assert not any(p["refused"] for p in run.problems)
    assert stored(lao_cai.province)["W3"]["muc_do"] is None


def test_a_code_twice_in_a_file_keeps_the_last_row_and_says_so(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    rows = (
        row("D1", trang_thai="DANG_XU_LY", ngay_ket_thuc_xu_ly=""),
        row("D2"),
        row("D1", ngay_ket_thuc_xu_ly="2024-04-03"),
    )
    run = actions.import_dossiers(
        lao_cai.province, csv_file(tmp_path / "d.csv", rows), by=coordinator
    )
    assert (run.rows, run.accepted, run.inserted) == (3, 2, 2)
    assert problems_of(run)[("duplicate_code", "ma_ho_so")]["examples"] == [
        {"row": 2, "value": "D1"}
    ]
    kept = stored(lao_cai.province)["D1"]
    assert (
        kept["trang_thai"] == "DA_GIAI_QUYET" and str(kept["ngay_ket_thuc_xu_ly"]) == "2024-04-03"
    )


def test_dates_are_read_in_the_usual_ways(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    rows = (
        row("F1", ngay_tiep_nhan="01/04/2024 08:15:00", ngay_ket_thuc_xu_ly="2024-04-04T16:30:00"),
        row("F2", ngay_tiep_nhan="2024-04-01 17:59", ngay_ket_thuc_xu_ly="04-04-2024"),
        row("F3", ngay_tiep_nhan="1.4.2024", ngay_ket_thuc_xu_ly="2024-04-04T23:00:00+07:00"),
    )
    actions.import_dossiers(lao_cai.province, csv_file(tmp_path / "f.csv", rows), by=coordinator)
    found = stored(lao_cai.province)
    assert {str(r["ngay_tiep_nhan"]) for r in found.values()} == {"2024-04-01"}
    assert {str(r["ngay_ket_thuc_xu_ly"]) for r in found.values()} == {"2024-04-04"}


def test_a_file_without_a_needed_column_is_refused_naming_it(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    header = ("ma_ho_so", "co_quan", "ma_tthc", "kenh_thuc_hien", "trang_thai", "ngay_tiep_nhan")
    path = csv_file(tmp_path / "short.csv", [r[:4] + r[6:8] for r in ROWS], header)
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_dossiers(lao_cai.province, path, by=coordinator)
    assert "no column for ngay_hen_tra, ngay_ket_thuc_xu_ly" in refused.value.run.message


def test_an_empty_file_is_refused(lao_cai: LaoCai, coordinator: User, tmp_path: Path) -> None:
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_dossiers(lao_cai.province, csv_file(tmp_path / "e.csv", []), by=coordinator)
    assert "no dossier rows" in refused.value.run.message


def test_a_failure_while_writing_leaves_the_store_as_it_was(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    actions.import_dossiers(lao_cai.province, csv_file(tmp_path / "hs.csv"), by=coordinator)
    store = store_for(lao_cai.province)
    before, files = stored(lao_cai.province), sorted(store.root.rglob("*.parquet"))
    from parindex.dossiers import store as store_module

    def broken(self: object, new: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(store_module.Store, "_swap", broken)
    changed = [row("HS-001", co_quan="tp-lao-cai"), row("NEW-1", ngay_ket_thuc_xu_ly="")]
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_dossiers(
            lao_cai.province, csv_file(tmp_path / "more.csv", changed), by=coordinator
        )
    assert "disk full" in refused.value.run.message
    monkeypatch.undo()
    assert stored(lao_cai.province) == before
    assert sorted(store.root.rglob("*.parquet")) == files


def test_an_import_while_another_writes_is_refused_and_changes_nothing(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from parindex.dossiers import store as store_module

    monkeypatch.setattr(store_module, "LOCK_WAIT", 0.0)
    store = store_for(lao_cai.province)
    with store.lock(), pytest.raises(actions.ImportRefused) as refused:
        actions.import_dossiers(lao_cai.province, csv_file(tmp_path / "hs.csv"), by=coordinator)
    assert "another import is still writing" in refused.value.run.message
    assert stored(lao_cai.province) == {}


def test_when_the_import_cannot_be_recorded_the_store_is_left_as_it_was(
    lao_cai: LaoCai, coordinator: User, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.db import DatabaseError

    def broken(*args: object, **kwargs: object) -> None:
        raise DatabaseError("connection lost")

    monkeypatch.setattr(actions, "record", broken)
    with pytest.raises(DatabaseError):
        actions.import_dossiers(lao_cai.province, csv_file(tmp_path / "hs.csv"), by=coordinator)
    assert stored(lao_cai.province) == {}
    assert store_for(lao_cai.province).manifest().generation == 0
