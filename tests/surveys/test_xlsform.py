"""Questionnaires to and from XLSForm (KoboToolbox, ODK)."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from parindex.orgs.models import User
from parindex.surveys import actions, shipped, xlsform
from parindex.surveys.models import Questionnaire
from parindex.surveys.questions import QuestionnaireError
from tests.surveys.conftest import xlsx_bytes


def sheets(data: bytes) -> dict[str, list[tuple[object, ...]]]:
    book = load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in book.worksheets}


def test_the_default_questionnaire_survives_a_round_trip() -> None:
    spec = shipped.default_questionnaire()
    assert xlsform.read_xlsform(xlsform.write_xlsform(spec)) == spec


def test_the_export_speaks_xlsform() -> None:
    written = sheets(xlsform.write_xlsform(shipped.default_questionnaire()))
    survey = written["survey"]
    assert survey[0][:4] == ("type", "name", "label::Vietnamese (vi)", "label::English (en)")
    by_name = {row[1]: row for row in survey[1:]}
    assert by_name["sat_staff"][0] == "select_one scale_1_5"
    assert by_name["sat_staff"][4] == "yes"
    assert by_name["sat_feedback"][5] == "${gave_feedback} = 'yes'"
    assert by_name["late_days"][5] == "${on_time} = 'no'"
    assert by_name["ask_procedure"][0] == "select_multiple ask_procedure"
    assert by_name["trips"][0] == "decimal"
    assert by_name["suggestion"][0] == "text"
    assert by_name["access"][0] == "begin group"
    assert ("yes_no", "yes", "Có", "Yes") in written["choices"]
    assert written["settings"][1][:3] == (
        shipped.default_questionnaire().title_vi,
        "sipas-default",
        "1",
    )


def kobo_form(*survey: tuple[object, ...]) -> bytes:
    """A workbook laid out as KoboToolbox exports it (plain `label`, integer, true())."""
    book = io.BytesIO()
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "survey"
    ws.append(["type", "name", "label", "required", "relevant"])
    for row in survey:
        ws.append(list(row))
    choices = wb.create_sheet("choices")
    choices.append(["list_name", "name", "label"])
    for value in ("1", "2", "3", "4", "5"):
        choices.append(["hl", value, f"Mức {value}"])
    choices.append(["cokhong", "yes", "Có"])
    choices.append(["cokhong", "no", "Không"])
    settings = wb.create_sheet("settings")
    settings.append(["form_title", "form_id", "version"])
    settings.append(["Phiếu Kobo", "kobo-form", 3])
    wb.save(book)
    return book.getvalue()


def test_a_kobotoolbox_form_is_read_with_its_kinds_and_skip_conditions(
    db: None, coordinator: User
) -> None:
    data = kobo_form(
        ("select_one cokhong", "da_gop_y", "Đã góp ý?", "true()", ""),
        ("select_one hl", "hai_long", "Mức hài lòng", "", "${da_gop_y} = 'yes'"),
        ("integer", "so_lan", "Số lần đi lại", "", ""),
    )
    questionnaire = actions.import_xlsform(data, by=coordinator)
    assert (questionnaire.code, questionnaire.version) == ("kobo-form", 3)
    rows = list(
        questionnaire.questions.values_list(
            "code", "kind", "required", "show_if_question", "show_if_value"
        )
    )
    assert rows == [
        ("da_gop_y", "yes_no", True, "", ""),
        ("hai_long", "scale", False, "da_gop_y", "yes"),
        ("so_lan", "number", False, "", ""),
    ]


@pytest.mark.parametrize(
    ("row", "message"),
    [
        (("calculate", "x", "X", "", ""), "survey, row 2: the type 'calculate' is not read"),
        (("select_one nolist", "x", "X", "", ""), "no choices listed as 'nolist'"),
        (
            ("text", "x", "X", "", "${a} > 3"),
            "survey, row 2: relevant '${a} > 3': only ${q} = 'v' and selected(${q}, 'v') are read",
        ),
        (("text", "x", "", "", ""), "question x: no label"),
    ],
)
def test_a_form_parindex_cannot_read_is_refused_naming_the_row(
    db: None, row: tuple[object, ...], message: str
) -> None:
    before = Questionnaire.objects.count()
    with pytest.raises(QuestionnaireError) as refused:
        actions.import_xlsform(kobo_form(row), by=None)
    assert message in str(refused.value)
    assert Questionnaire.objects.count() == before


def test_a_spreadsheet_that_is_no_workbook_or_a_bomb_is_refused(
    db: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(QuestionnaireError, match="not an XLSX workbook"):
        actions.import_xlsform(b"type,name\n", by=None)
    monkeypatch.setattr(xlsform, "MAX_EXPANDED", 1_000)
    with pytest.raises(QuestionnaireError, match="expands to more than"):
        actions.import_xlsform(xlsx_bytes([("type", "name")]), by=None)


def test_the_commands_export_and_import_a_questionnaire(db: None, tmp_path: Path) -> None:
    path = tmp_path / "form.xlsx"
    out = io.StringIO()
    call_command("survey", "questionnaire-export", "sipas-default", "-o", str(path), stdout=out)
    assert out.getvalue().strip() == f"sipas-default v1 written to {path}"
    spec = xlsform.read_xlsform(path.read_bytes())
    path.write_bytes(xlsform.write_xlsform(replace(spec, version=2, title_vi="Phiếu 2021")))
    out = io.StringIO()
    call_command("survey", "questionnaire-import", str(path), stdout=out)
    assert out.getvalue().strip() == f"sipas-default v2: {len(spec.questions)} questions"
    with pytest.raises(CommandError) as error:
        call_command("survey", "questionnaire-export", "khac", "-o", str(path))
    assert error.value.returncode == 2
