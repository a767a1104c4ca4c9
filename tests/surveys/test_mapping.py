"""Responses exported by KoboToolbox or ODK, imported through a saved column mapping."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from parindex.orgs.models import User
from parindex.surveys import actions
from parindex.surveys.messages import describe_problem
from parindex.surveys.models import ColumnMapping, Response, Survey
from tests.surveys.conftest import csv_bytes

# As KoboToolbox exports a form made from `parindex survey questionnaire-export`: group paths,
# its own columns, and the agency and dossier under the names the form gave them.
KOBO = [
    (
        "start",
        "co_quan",
        "ma_ho_so",
        "staff/sat_staff",
        "result/on_time",
        "_id",
        "_uuid",
        "_submission_time",
    ),
    ("x", "so-tu-phap", "H01", "5", "yes", "1", "a-1", "2020-04-15T09:30:00"),
    ("x", "so-noi-vu", "H02", "2", "no", "2", "a-2", "2020-05-15T10:00:00"),
]
COLUMNS = {
    "co_quan": "agency",
    "ma_ho_so": "dossier_code",
    "_submission_time": "submitted_at",
    "start": "",
}


def test_a_kobotoolbox_export_imports_through_its_mapping(
    survey: Survey, coordinator: User
) -> None:
    mapping = actions.save_mapping(survey, by=coordinator, name="kobo", columns=COLUMNS)
    outcome = actions.import_responses(
        csv_bytes(KOBO), "kobo.csv", survey=survey, by=coordinator, mapping=mapping
    )
    assert outcome.saved == 2
    first = Response.objects.get(dossier_code="H01")
    assert first.agency.code == "so-tu-phap"
    assert sorted(a.question.code for a in first.answers.all()) == ["on_time", "sat_staff"]


def test_without_the_mapping_the_same_file_is_refused(survey: Survey) -> None:
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_responses(csv_bytes(KOBO), "kobo.csv", survey=survey, by=None)
    assert [describe_problem(p) for p in refused.value.problems] == [
        "Columns that are neither agency, submitted_at, dossier_code nor a question of the "
        "questionnaire: start, co_quan, ma_ho_so, staff/sat_staff, result/on_time, _id, _uuid, "
        "_submission_time.",
        "Columns missing: agency, submitted_at.",
    ]


def test_a_mapping_to_no_field_or_question_is_refused(survey: Survey, reporter: User) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.save_mapping(survey, by=None, name="kobo", columns={"co_quan": "co_quan"})
    assert refused.value.message_dict == {
        "columns": ["Not questions of the questionnaire: co_quan."]
    }
    with pytest.raises(PermissionDenied):
        actions.save_mapping(survey, by=reporter, name="kobo", columns=COLUMNS)
    assert not ColumnMapping.objects.exists()


def test_the_commands_save_a_mapping_and_import_with_it(survey: Survey, tmp_path: Path) -> None:
    out = io.StringIO()
    call_command(
        "survey", "mapping", "--survey", "sipas-2020", "--name", "kobo",
        *(f"{k}={v}" for k, v in COLUMNS.items()), stdout=out,
    )  # fmt: skip
    assert out.getvalue().strip() == "mapping kobo saved for sipas-2020: 4 columns"
    path = tmp_path / "kobo.csv"
    path.write_bytes(csv_bytes(KOBO))
    out = io.StringIO()
    call_command(
        "survey", "import", str(path), "--survey", "sipas-2020", "--mapping", "kobo", stdout=out
    )
    assert out.getvalue().strip() == "2 responses imported into sipas-2020"
