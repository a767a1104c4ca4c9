"""The command line: the demo loader, criteria import/check/export, orgs list and load, exports."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from parindex.methodology import store
from parindex.methodology.importing import read_tree
from parindex.methodology.models import Band, Framework, FrameworkStatus, Node
from parindex.orgs.models import AuditEntry, Organisation, OrgKind, Role, RoleAssignment, User
from parindex.web.demo import DEMO_PASSWORD, DEMO_PROVINCE, MERGED_PROVINCE, PEOPLE
from tests.conftest import LaoCai

ROOT = Path(__file__).resolve().parents[2]
CA_MAU = ROOT / "tests" / "methodology" / "data" / "reference" / "raw" / "camau-1880-01.txt"
BAD_TABLE = "1 | Lĩnh vực | 4\n1.1 | Tiêu chí | hai\n  Đạt: 2\n"
PARINDEX = Path(sys.executable).parent / "parindex"


def run(*args: str) -> tuple[str, str]:
    """Run a management command in process; (stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts() -> tuple[int, int, int, int, int, int]:
    return (
        Organisation.objects.count(),
        User.objects.count(),
        RoleAssignment.objects.count(),
        Framework.objects.count(),
        Node.objects.count() + Band.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def demo(loaded_demo: str) -> str:
    return loaded_demo


# --- the demo ----------------------------------------------------------------------------------


def test_the_demo_is_lao_cai_in_2020_with_its_nine_district_level_units(demo: str) -> None:
    province = Organisation.objects.get(code=DEMO_PROVINCE, province__isnull=True)
    districts = Organisation.objects.filter(province=province, kind=OrgKind.DISTRICT)
    in_2020 = districts.as_of(date(2020, 6, 11))
    assert in_2020.count() == 9
    assert "UBND thị xã Sa Pa" in set(in_2020.values_list("name", flat=True))
    assert "UBND huyện Sa Pa" not in set(in_2020.values_list("name", flat=True))
    # No district level anywhere after 1 July 2025.
    assert not Organisation.objects.filter(kind=OrgKind.DISTRICT).as_of(date(2025, 8, 1)).exists()
    assert "Loaded the demo province" in demo


def test_the_demo_has_three_criteria_trees_and_the_illustrative_one_is_valid(demo: str) -> None:
    trees = {f.code: f for f in Framework.objects.all()}
    assert len(trees) == 3
    illustrative = trees["demo-lao-cai-2020-illustrative"]
    assert illustrative.status == FrameworkStatus.VALID
    assert illustrative.province is not None and illustrative.province.code == DEMO_PROVINCE
    # The Cà Mau fragment is, honestly, a draft.
    assert trees["ca-mau-1880-2013"].status == FrameworkStatus.DRAFT


def test_the_demo_people_sign_in_with_the_demo_password(demo: str) -> None:
    assert DEMO_PASSWORD in demo
    for person in PEOPLE:
        assert person.username in demo
        client = Client()
        response = client.post("/login/", {"username": person.username, "password": DEMO_PASSWORD})
        assert response.status_code == 302, person.username
        assert client.get("/").status_code == 200
        roles = RoleAssignment.objects.filter(user__username=person.username)
        assert set(roles.values_list("role", flat=True)) == {person.role}
        # Home Affairs and the leadership hold their role in the merged province too.
        provinces = set(roles.values_list("organisation__code", flat=True))
        if person.role in (Role.COORDINATOR, Role.LEADER):
            assert provinces == {DEMO_PROVINCE, MERGED_PROVINCE}
        else:
            assert MERGED_PROVINCE not in provinces


def test_the_demo_is_written_through_the_actions_and_audited_as_cli(demo: str) -> None:
    channels = set(AuditEntry.objects.values_list("channel", flat=True))
    assert channels == {"cli"}
    assert AuditEntry.objects.filter(action="orgs.organisation.close").exists()
    # The reporting rounds as well: opened, filled, submitted, returned and accepted.
    assert {
        "reporting.round.open",
        "reporting.report.save",
        "reporting.report.submit",
        "reporting.item.review",
        "reporting.report.return",
        "reporting.report.accept",
    } <= set(AuditEntry.objects.values_list("action", flat=True))


def test_loading_the_demo_again_only_if_empty_is_harmless(demo: str) -> None:
    before = counts()
    for _ in range(2):
        out, _err = run("demo", "--if-empty")
        assert "already loaded" in out
        assert DEMO_PASSWORD in out  # the logins are printed again
    assert counts() == before


def test_loading_the_demo_twice_without_the_flag_is_an_error(demo: str) -> None:
    before = counts()
    with pytest.raises(CommandError, match="already loaded"):
        run("demo")
    assert counts() == before


def test_orgs_list_shows_the_province_as_it_was_on_a_date(demo: str) -> None:
    in_2020, _err = run("orgs", "list", "--as-of", "2020-06-11")
    in_2025, _err = run("orgs", "list", "--as-of", "01/08/2025")
    assert "UBND thị xã Sa Pa" in in_2020
    assert "11/06/2020" in in_2020
    assert "UBND thị xã Sa Pa" not in in_2025
    districts_2025, _err = run("orgs", "list", "--as-of", "2025-08-01", "--kind", "district")
    assert "UBND" not in districts_2025


def test_orgs_list_without_a_date_shows_the_province_as_it_is_today(demo: str) -> None:
    today = timezone.localdate()
    out, _err = run("orgs", "list")
    assert out.startswith(f"Tỉnh Lào Cai [{MERGED_PROVINCE}] — {today:%d/%m/%Y}")
    assert f"[{DEMO_PROVINCE}]" not in out and "[yen-bai-1991]" not in out
    assert "phuong-lao-cai-02647" in out and "UBND phường Lào Cai" in out
    communes, _err = run("orgs", "list", "--kind", "commune")
    assert communes.count("UBND xã ") + communes.count("UBND phường ") == 99


def test_orgs_list_without_a_date_follows_the_local_date(
    demo: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(timezone, "localdate", lambda *args: date(2020, 6, 11))
    out, _err = run("orgs", "list")
    assert out.startswith(f"Tỉnh Lào Cai [{DEMO_PROVINCE}] — 11/06/2020")
    assert "UBND thị xã Sa Pa" in out and "02647" not in out


def test_the_demo_shows_the_merged_province_with_its_99_communes_after_july_2025(
    demo: str,
) -> None:
    merged = Organisation.objects.get(code=MERGED_PROVINCE, province__isnull=True)
    communes = Organisation.objects.filter(province=merged, kind=OrgKind.COMMUNE)
    assert communes.as_of(date(2025, 8, 1)).count() == 99
    assert not communes.as_of(date(2025, 6, 30)).exists()
    # The 2020 wards of thành phố Lào Cai lead to the wards that took them over.
    old = Organisation.objects.get(province__code=DEMO_PROVINCE, code="phuong-coc-leu")
    assert [s.successor.code for s in old.successions_out.all()] == ["phuong-lao-cai-02647"]
    city = Organisation.objects.get(province__code=DEMO_PROVINCE, code="tp-lao-cai")
    assert "phuong-cam-duong-02671" in {s.successor.code for s in city.successions_out.all()}
    # Lào Cai 2020 keeps its history.
    assert (
        Organisation.objects.filter(province__code=DEMO_PROVINCE).as_of(date(2020, 6, 11)).count()
        > 30
    )


def test_orgs_load_on_the_demo_changes_nothing(demo: str) -> None:
    before = counts()
    out, _err = run("orgs", "load", "--province", "Lào Cai")
    assert "Nothing to change" in out
    assert counts() == before


def test_orgs_list_refuses_an_unreadable_date(db: None) -> None:
    with pytest.raises(CommandError, match="31/02/2020"):
        run("orgs", "list", "--as-of", "31/02/2020")


# --- criteria -----------------------------------------------------------------------------------


def test_criteria_import_saves_a_draft_and_reports_its_gaps(
    lao_cai: LaoCai, capsys: pytest.CaptureFixture[str]
) -> None:
    out, err = run(
        "criteria", "import", str(CA_MAU), "--province", "lao-cai", "--name", "Cà Mau 1880"
    )
    framework = Framework.objects.get()
    assert (framework.province, framework.status, framework.name) == (
        lao_cai.province,
        FrameworkStatus.DRAFT,
        "Cà Mau 1880",
    )
    assert f"imported #{framework.pk} ca-mau-1880 v1: 10 criteria, status draft" in out
    assert err.count("gap:") == 3
    assert AuditEntry.objects.get(action="methodology.framework.import").channel == "cli"


def test_criteria_import_with_the_total_and_level(lao_cai: LaoCai, tmp_path: Path) -> None:
    run(
        "criteria",
        "import",
        str(CA_MAU),
        "--province",
        "lao-cai",
        "--name",
        "Cà Mau 1880",
        "--level",
        "district",
        "--total",
        "20",
    )
    framework = Framework.objects.get()
    assert (framework.level, str(framework.declared_total)) == ("district", "20.00")


def test_criteria_import_of_a_malformed_file_fails_naming_the_line_and_saves_nothing(
    lao_cai: LaoCai, tmp_path: Path
) -> None:
    bad = tmp_path / "hong.txt"
    bad.write_text(BAD_TABLE, encoding="utf-8")
    before = counts()
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was saved"):
        call_command("criteria", "import", str(bad), "--name", "Hỏng", stderr=err)
    assert counts() == before
    assert "error:" in err.getvalue()
    assert "2" in err.getvalue().split("error:")[1]  # the line of "hai"


def test_criteria_import_of_a_table_without_a_name_says_to_give_it_with_name(
    lao_cai: LaoCai,
) -> None:
    before = counts()
    with pytest.raises(CommandError) as refused:
        run("criteria", "import", str(CA_MAU), "--province", "lao-cai")
    assert "--name" in str(refused.value) and "nothing was saved" in str(refused.value)
    assert counts() == before


def test_criteria_import_of_a_missing_file_or_unknown_province_fails(lao_cai: LaoCai) -> None:
    with pytest.raises(CommandError, match="no such file"):
        run("criteria", "import", "/nonexistent/table.txt")
    with pytest.raises(CommandError, match="no province"):
        run("criteria", "import", str(CA_MAU), "--province", "ha-giang", "--name", "X")
    assert Framework.objects.count() == 0


def test_criteria_check_reads_and_validates_without_saving(db: None, tmp_path: Path) -> None:
    before = counts()
    out, err = run("criteria", "check", str(CA_MAU))
    assert "10 criteria, a draft with 3 gap(s)" in out
    assert "warning:" in err
    bad = tmp_path / "hong.txt"
    bad.write_text(BAD_TABLE, encoding="utf-8")
    with pytest.raises(CommandError, match="malformed"):
        run("criteria", "check", str(bad))
    assert counts() == before


def test_criteria_export_as_yaml_imports_back_to_the_same_tree(
    lao_cai: LaoCai, tmp_path: Path
) -> None:
    path = ROOT / "parindex" / "methodology" / "data" / "demo-lao-cai-2020-illustrative.yaml"
    run("criteria", "import", str(path), "--province", "lao-cai")
    original = Framework.objects.get()
    text, _err = run("criteria", "export", original.code, "--format", "yaml")
    exported = tmp_path / "tree.yaml"
    exported.write_text(text, encoding="utf-8")
    run("criteria", "import", str(exported), "--province", "lao-cai")
    copy = Framework.objects.get(version=2)
    first, second = store.spec_from_framework(original), store.spec_from_framework(copy)
    assert (second.nodes, second.name, second.declared_total) == (
        first.nodes,
        first.name,
        first.declared_total,
    )
    # By code, export takes the latest version; by id, that one.
    latest, _err = run("criteria", "export", original.code)
    assert "version: 2" in latest
    by_id, _err = run("criteria", "export", str(original.pk))
    assert "version: 1" in by_id


def test_criteria_export_as_xlsx_needs_an_output_file(lao_cai: LaoCai, tmp_path: Path) -> None:
    run("criteria", "import", str(CA_MAU), "--name", "Cà Mau 1880")
    with pytest.raises(CommandError, match="--output"):
        run("criteria", "export", "ca-mau-1880", "--format", "xlsx")
    target = tmp_path / "tree.xlsx"
    out, _err = run("criteria", "export", "ca-mau-1880", "--format", "xlsx", "-o", str(target))
    assert str(target) in out
    result = read_tree(target.read_bytes(), target.name)
    assert result.spec is not None
    assert [n.code for n in result.spec.nodes][:3] == ["1", "1.1", "1.1.1"]


def test_criteria_list_names_every_tree_and_its_status(lao_cai: LaoCai) -> None:
    run("criteria", "import", str(CA_MAU), "--province", "lao-cai", "--name", "Cà Mau 1880")
    out, _err = run("criteria", "list")
    assert "ca-mau-1880 v1  [draft]  lao-cai  Cà Mau 1880" in out


# --- exports ------------------------------------------------------------------------------------


def test_export_people_as_a_reporter_contains_only_their_agency(
    reporter: User, head: User, other_reporter: User, coordinator: User, tmp_path: Path
) -> None:
    target = tmp_path / "people.xlsx"
    out, _err = run("export", "people", "--as", reporter.username, "-o", str(target))
    assert str(target) in out
    sheet = load_workbook(target, read_only=True).worksheets[0]
    usernames = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True) if row[0]}
    assert usernames == {reporter.username, head.username}


def test_export_needs_a_person_and_a_known_export(reporter: User, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"--as USERNAME .* or --all"):
        run("export", "people")
    with pytest.raises(CommandError, match="no active person"):
        run("export", "people", "--as", "nobody")
    with pytest.raises(CommandError, match="unknown export"):
        run("export", "nothing", "--as", reporter.username, "-o", str(tmp_path / "x.xlsx"))
    listing, _err = run("export")
    assert "people" in listing and "organisations" in listing


def test_export_organisations_as_of_a_date_as_csv(
    coordinator: User, lao_cai: LaoCai, tmp_path: Path
) -> None:
    target = tmp_path / "orgs.csv"
    run(
        "export",
        "organisations",
        "--as",
        coordinator.username,
        "--format",
        "csv",
        "--param",
        "as_of=11/06/2020",
        "-o",
        str(target),
    )
    text = target.read_text(encoding="utf-8-sig")
    assert "so-tu-phap" in text and "UBND phường Cốc Lếu" in text


def test_export_all_reads_everyone_and_is_recorded_in_the_audit_log(
    reporter: User, outsider: User, tmp_path: Path
) -> None:
    target = tmp_path / "people.csv"
    run("export", "people", "--all", "--format", "csv", "-o", str(target))
    text = target.read_text(encoding="utf-8-sig")
    assert reporter.username in text and outsider.username in text  # both provinces
    entry = AuditEntry.objects.get(action="exports.export.all")
    assert (entry.channel, entry.object_id, entry.object_repr) == ("cli", "people", "people.csv")
    assert entry.actor is None and "--all" in entry.actor_name


# --- the console script -------------------------------------------------------------------------


@pytest.mark.parametrize("args", [["--help"], ["criteria", "--help"], ["orgs", "list", "--help"]])
def test_the_parindex_command_answers_help(args: list[str]) -> None:
    assert PARINDEX.exists(), f"{PARINDEX} is not installed (make install)"
    result = subprocess.run(
        [str(PARINDEX), *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout.lower() or "Type 'parindex help" in result.stdout
    if args[0] == "criteria":
        assert "import" in result.stdout and "export" in result.stdout


@pytest.mark.parametrize(
    "args", [["orgs", "list"], ["criteria", "list"], ["report", "rounds"], ["demo"]]
)
def test_a_command_on_a_database_that_is_not_migrated_says_to_run_migrate(
    args: list[str], tmp_path: Path
) -> None:
    empty = tmp_path / "empty.sqlite3"
    empty.touch()
    result = subprocess.run(
        [str(PARINDEX), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONWARNINGS": "ignore", "DATABASE_URL": f"sqlite:///{empty}"},
        check=False,
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "Run `parindex migrate` first" in result.stderr
    assert str(empty) in result.stderr
