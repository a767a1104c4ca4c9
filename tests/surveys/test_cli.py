"""The command-line contracts of `parindex survey` (docs/surveys.md)."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from parindex.orgs import actions as orgs
from parindex.orgs.models import AuditEntry, Organisation, OrgKind, User
from parindex.surveys.models import Response, Survey
from tests.surveys.conftest import csv_bytes, xlsx_bytes


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("survey", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def lao_cai_1991(db: None) -> Organisation:
    province = orgs.create_province(
        by=None,
        name="Tỉnh Lào Cai",
        code="lao-cai-1991",
        valid_from=date(1991, 10, 1),
        valid_to=date(2025, 7, 1),
    )
    for code, name in (("so-y-te", "Sở Y tế"), ("so-tu-phap", "Sở Tư pháp")):
        orgs.create_organisation(
            by=None, province=province, kind=OrgKind.DEPARTMENT, name=name, code=code
        )
    return province


@pytest.fixture
def created(lao_cai_1991: Organisation) -> Survey:
    run(
        "create", "--code", "sipas-2020", "--questionnaire", "sipas-default",
        "--province", "lao-cai-1991", "--from", "2020-01-01", "--to", "2020-12-31",
    )  # fmt: skip
    return Survey.objects.get(code="sipas-2020")


def test_create_runs_the_default_questionnaire_for_the_province(created: Survey) -> None:
    assert (created.province.code, created.questionnaire.code) == ("lao-cai-1991", "sipas-default")
    assert (created.starts_on, created.ends_on) == (date(2020, 1, 1), date(2020, 12, 31))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--province", "lao-cai-2025"), "--province lao-cai-2025: no such province"),
        (("--questionnaire", "khac"), "--questionnaire khac: no such questionnaire"),
        (("--from", "01/01/2020"), "--from 01/01/2020: give a date such as 2020-01-01"),
        (("--to", "2019-01-01"), "ends_on: The survey ends before it starts."),
    ],
)
def test_create_refuses_bad_arguments_with_status_two(
    lao_cai_1991: Organisation, args: tuple[str, ...], message: str
) -> None:
    options = {
        "--code": "s",
        "--questionnaire": "sipas-default",
        "--province": "lao-cai-1991",
        "--from": "2020-01-01",
        "--to": "2020-12-31",
    }
    options.update(dict(zip(args[::2], args[1::2], strict=True)))
    with pytest.raises(CommandError) as error:
        run("create", *[x for pair in options.items() for x in pair])
    assert str(error.value) == message
    assert error.value.returncode == 2


def test_import_then_indices_print_one_row_per_agency_and_factor(
    created: Survey, tmp_path: Path
) -> None:
    path = tmp_path / "responses.csv"
    path.write_bytes(
        csv_bytes(
            [
                ("agency", "submitted_at", "dossier_code", "sat_staff", "sat_access"),
                ("so-y-te", "2020-04-01", "A1", "5", "2"),
                ("so-y-te", "2020-04-02", "A2", "4", ""),
                ("so-y-te", "2020-01-02", "A3", "3", ""),
                ("so-tu-phap", "2020-04-03", "", "5", ""),
            ]
        )
    )
    out, _err = run("import", str(path), "--survey", "sipas-2020")
    assert out.strip() == "4 responses imported into sipas-2020"
    out, _err = run("indices", "--survey", "sipas-2020", "--json")
    assert json.loads(out) == [
        {
            "agency": "so-tu-phap",
            "factor": "staff",
            "n": 1,
            "satisfied": 1,
            "share": "1.0000",
            "ci95": ["0.2065", "1.0000"],
            "mean": "5.00",
        },
        {
            "agency": "so-y-te",
            "factor": "access",
            "n": 1,
            "satisfied": 0,
            "share": "0.0000",
            "ci95": ["0.0000", "0.7935"],
            "mean": "2.00",
        },
        {
            "agency": "so-y-te",
            "factor": "staff",
            "n": 3,
            "satisfied": 2,
            "share": "0.6667",
            "ci95": ["0.2077", "0.9385"],
            "mean": "4.00",
        },
    ]
    out, _err = run("indices", "--survey", "sipas-2020", "--json", "--period", "2020Q1")
    assert [(r["agency"], r["factor"], r["n"]) for r in json.loads(out)] == [
        ("so-y-te", "staff", 1)
    ]


def test_a_refused_import_lists_every_bad_row_and_saves_nothing(
    created: Survey, tmp_path: Path
) -> None:
    path = tmp_path / "responses.xlsx"
    path.write_bytes(
        xlsx_bytes(
            [
                ("agency", "submitted_at", "dossier_code", "sat_staff"),
                ("so-y-te", "2020-04-01", "A1", 5),
                ("so-noi-vu", "2020-04-01", "A2", 5),
                ("so-y-te", "2020-04-01", "A1", 4),
            ]
        )
    )
    with pytest.raises(CommandError) as error:
        run("import", str(path), "--survey", "sipas-2020")
    assert (str(error.value), error.value.returncode) == ("nothing was imported", 1)
    assert not Response.objects.exists()
    out, err = run("import", str(path), "--survey", "sipas-2020", "--skip-bad-rows")
    assert out.strip() == "1 responses imported into sipas-2020"
    assert err.splitlines() == [
        "skipped: Row 3: no agency of the province has the code “so-noi-vu”.",
        "skipped: Row 4: dossier A1 was already answered on row 2.",
    ]


def test_the_refusal_is_written_to_standard_error(created: Survey, tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_bytes(csv_bytes([("agency", "submitted_at", "sat_staff"), ("so-y-te", "x", "9")]))
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("survey", "import", str(path), "--survey", "sipas-2020", stderr=err)
    assert err.getvalue().splitlines() == [
        "Row 2: submitted_at “x” is not a date (2020-04-15 or 15/04/2020).",
        "Row 2: sat_staff: “9” is not on the scale 1 to 5.",
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("indices", "--survey", "khac", "--json"), "--survey khac: no such survey"),
        (
            ("indices", "--survey", "sipas-2020", "--period", "2020-Q2"),
            "--period 2020-Q2: give a quarter such as 2020Q2",
        ),
        (
            ("import", "/nonexistent.csv", "--survey", "sipas-2020"),
            "/nonexistent.csv: no such file",
        ),
    ],
)
def test_bad_arguments_exit_with_status_two(
    created: Survey, args: tuple[str, ...], message: str
) -> None:
    with pytest.raises(CommandError) as error:
        run(*args)
    assert (str(error.value), error.value.returncode) == (message, 2)


def test_load_default_is_idempotent(db: None) -> None:
    first, _err = run("load-default")
    again, _err = run("load-default")
    assert first == again
    assert first.startswith("sipas-default v1: ")


def test_indices_as_a_person_show_what_they_may_see_and_the_operators_read_is_logged(
    survey: Survey, reporter: User
) -> None:
    from parindex.surveys import actions

    actions.import_responses(
        csv_bytes(
            [
                ("agency", "submitted_at", "sat_staff"),
                ("so-tu-phap", "2020-02-01", "5"),
                ("so-noi-vu", "2020-05-02", "4"),
            ]
        ),
        "r.csv",
        survey=survey,
        by=None,
    )
    out, _err = run("indices", "--survey", "sipas-2020", "--json", "--as", reporter.username)
    assert [r["agency"] for r in json.loads(out)] == ["so-tu-phap"]
    assert not AuditEntry.objects.filter(object_id="survey-indices").exists()
    out, _err = run("indices", "--survey", "sipas-2020", "--json")
    assert [r["agency"] for r in json.loads(out)] == ["so-noi-vu", "so-tu-phap"]
    entry = AuditEntry.objects.get(object_id="survey-indices")
    assert entry.province_id == survey.province_id
    out, _err = run("indices", "--survey", "sipas-2020")
    assert "(province)\tstaff\tn=2\tshare=1.0000 [0.3424, 1.0000]\tmean=4.50" in out
