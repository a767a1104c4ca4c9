"""`parindex assessment list | results`, beside the engine's `score` in the same command."""

from __future__ import annotations

import io
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from parindex.assessment import actions
from parindex.assessment.actions import EntryInput
from parindex.orgs.models import AuditEntry, User
from tests.assessment.conftest import Open2020, complete, fresh, save

SCORING_DATA = Path(__file__).resolve().parents[1] / "scoring" / "data"


def run(*args: str) -> str:
    out = io.StringIO()
    call_command("assessment", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


@pytest.fixture
def appraised(open_2020: Open2020, coordinator: User) -> Open2020:
    """Every department self-assessed at 5.9 but Sở Tư pháp, at 6.9; all appraised."""
    for unit in (open_2020.justice, open_2020.office, open_2020.home_affairs):
        complete(unit, None)
    save(open_2020.justice, None, _1_2=EntryInput(numerator="95", denominator="100"))
    for unit in (open_2020.justice, open_2020.office, open_2020.home_affairs):
        actions.submit_unit(fresh(unit), by=None)
        actions.finish_unit_appraisal(fresh(unit), by=coordinator)
    return open_2020


def test_list_shows_each_assessment_with_its_units_and_state(open_2020: Open2020) -> None:
    line = run("list").strip()
    assert line.split()[:6] == [
        str(open_2020.assessment.pk),
        "2020",
        "lao-cai",
        "departments",
        "open",
        "3",
    ]
    assert run("list", "--year", "2019").strip() == "No assessments."


def test_results_as_json_rank_the_units_with_exact_points(appraised: Open2020) -> None:
    data = json.loads(run("results", str(appraised.assessment.pk), "--json", "--all"))
    assert data["max"] == "10.00"
    assert [(u["rank"], u["name"], u["final"]) for u in data["units"]] == [
        (1, "Sở Tư pháp", "6.900000"),
        (2, "Sở Nội vụ", "5.900000"),
        (2, "Văn phòng UBND tỉnh", "5.900000"),
    ]
    first = data["units"][0]
    assert first["final_display"] == "6.90"
    assert first["class"] == "Trung bình"
    assert first["lost"]["2.2"] == "2.00"


def test_results_as_a_table(appraised: Open2020) -> None:
    table = run("results", str(appraised.assessment.pk), "--all").splitlines()
    assert table[0] == appraised.assessment.title
    assert table[3].split()[:4] == ["1", "Sở", "Tư", "pháp"]


def test_results_as_a_person_follow_the_access_rule(
    appraised: Open2020, reporter: User, coordinator: User
) -> None:
    with pytest.raises(CommandError, match="not found"):
        run("results", str(appraised.assessment.pk), "--as", reporter.username)
    assert "Sở Tư pháp" in run(
        "results", str(appraised.assessment.pk), "--as", coordinator.username
    )
    with pytest.raises(CommandError, match="not found"):
        run("results", "999999", "--all")


def test_results_name_whose_view_they_show_and_a_full_read_is_in_the_audit_log(
    appraised: Open2020,
) -> None:
    with pytest.raises(CommandError, match="--as USERNAME"):
        run("results", str(appraised.assessment.pk))
    run("results", str(appraised.assessment.pk), "--all")
    entry = AuditEntry.objects.get(action="exports.export.all")
    assert entry.object_id == "assessment-results"
    assert entry.channel == "cli"


def test_the_engines_score_subcommand_is_still_there(db: None) -> None:
    tree = SCORING_DATA / "small-tree.yaml"
    inputs = SCORING_DATA / "small-inputs.json"
    data = json.loads(run("score", "--tree", str(tree), "--inputs", str(inputs), "--json"))
    assert set(data) == {"total", "nodes", "missing"}


def test_survey_results_are_imported_from_a_csv_file(
    open_2020: Open2020, coordinator: User, tmp_path: Path
) -> None:
    results = tmp_path / "sipas-2020.csv"
    results.write_text(
        "unit,code,value,numerator,denominator,source\n"
        'so-tu-phap,2.2,"87,5",,,SIPAS 2020\n'
        "vp-ubnd,2.2,,450,500,SIPAS 2020\n",
        encoding="utf-8",
    )
    out = run("survey", str(open_2020.assessment.pk), str(results), "--as", coordinator.username)
    assert out.startswith("2 survey results entered")
    assert fresh(open_2020.justice).self_total == Decimal("1.75")
    assert fresh(open_2020.office).self_total == Decimal("1.8")


def test_a_bad_survey_file_enters_nothing_and_names_the_line(
    open_2020: Open2020, coordinator: User, reporter: User, tmp_path: Path
) -> None:
    results = tmp_path / "sipas-2020.csv"
    results.write_text(
        "unit,code,value\nso-tu-phap,2.2,90\nso-tu-phap,2.2,chín mươi\n", encoding="utf-8"
    )
    with pytest.raises(CommandError, match="line 3"):
        run("survey", str(open_2020.assessment.pk), str(results), "--as", coordinator.username)
    results.write_text("unit,code,value\nso-tu-phap,1.1,90\n", encoding="utf-8")
    with pytest.raises(CommandError, match="nothing was entered"):
        run("survey", str(open_2020.assessment.pk), str(results), "--as", coordinator.username)
    with pytest.raises(CommandError, match="may not"):
        run("survey", str(open_2020.assessment.pk), str(results), "--as", reporter.username)
    assert fresh(open_2020.justice).self_total == 0
