"""Importing responses in the flat layout: every bad row named with its reason, nothing saved
unless the good rows are asked for."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from parindex.lib import archives
from parindex.orgs.models import AuditEntry, User
from parindex.surveys import actions
from parindex.surveys.messages import describe_problem
from parindex.surveys.models import Answer, Response, ResponseChannel, Survey
from tests.surveys.conftest import csv_bytes, xlsx_bytes

HEADER = ("agency", "submitted_at", "dossier_code", "sat_staff", "sat_overall", "on_time")


def refused_rows(survey: Survey, rows: list[tuple[object, ...]]) -> list[str]:
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_responses(csv_bytes([HEADER, *rows]), "r.csv", survey=survey, by=None)
    return [describe_problem(p) for p in refused.value.problems]


def test_good_rows_are_saved_with_their_answers_as_rows_per_question(survey: Survey) -> None:
    outcome = actions.import_responses(
        csv_bytes(
            [
                HEADER,
                ("so-tu-phap", "2020-04-15 09:30", "H01", 5, 4, "có"),
                ("so-noi-vu", "15/05/2020", "", 3, "", ""),
            ]
        ),
        "responses.csv",
        survey=survey,
        by=None,
    )
    assert (outcome.saved, outcome.skipped) == (2, [])
    first = Response.objects.get(dossier_code="H01")
    assert first.agency.code == "so-tu-phap"
    assert first.channel == ResponseChannel.IMPORT
    assert timezone.localtime(first.submitted_at).replace(tzinfo=None) == datetime(
        2020, 4, 15, 9, 30
    )
    answers = {a.question.code: (a.number, a.text) for a in first.answers.all()}
    assert answers == {
        "sat_staff": (Decimal(5), ""),
        "sat_overall": (Decimal(4), ""),
        "on_time": (None, "yes"),
    }
    # A blank cell is no answer at all.
    second = Response.objects.get(agency__code="so-noi-vu")
    assert [a.question.code for a in second.answers.all()] == ["sat_staff"]


def test_every_bad_row_is_listed_with_its_reason_and_nothing_is_saved(survey: Survey) -> None:
    messages = refused_rows(
        survey,
        [
            ("so-tu-phap", "2020-04-15", "H01", 5, 4, "yes"),  # row 2: good
            ("so-y-te", "2020-04-15", "H02", 5, 4, "yes"),  # row 3: no such agency
            ("so-tu-phap", "2020-04-15", "H03", 6, 4, "yes"),  # row 4: off the scale
            ("so-tu-phap", "2020-04-15", "H01", 4, 4, "yes"),  # row 5: dossier twice
            ("so-tu-phap", "2021-01-01", "H05", 4, 4, "yes"),  # row 6: after the survey
            ("so-tu-phap", "2020-04-15", "H06", 4, 4, "maybe"),  # row 7: not yes or no
        ],
    )
    assert messages == [
        "Row 3: no agency of the province has the code “so-y-te”.",
        "Row 4: sat_staff: “6” is not on the scale 1 to 5.",
        "Row 5: dossier H01 was already answered on row 2.",
        "Row 6: submitted_at 2021-01-01 is outside the survey (01/01/2020 to 31/12/2020).",
        "Row 7: on_time: “maybe” is neither yes nor no.",
    ]
    assert not Response.objects.exists()
    assert not Answer.objects.exists()
    assert not AuditEntry.objects.filter(action="surveys.responses.import").exists()


def test_skip_bad_rows_keeps_the_good_ones_and_names_the_skipped(survey: Survey) -> None:
    rows = [
        HEADER,
        ("so-tu-phap", "2020-04-15", "H01", 5, 4, "yes"),
        ("so-tu-phap", "2020-04-15", "H02", 0, 4, "yes"),
        ("so-noi-vu", "2020-07-01", "H03", 4, 4, "no"),
    ]
    outcome = actions.import_responses(
        csv_bytes(rows), "r.csv", survey=survey, by=None, skip_bad_rows=True
    )
    assert outcome.saved == 2
    assert [describe_problem(p) for p in outcome.skipped] == [
        "Row 3: sat_staff: “0” is not on the scale 1 to 5."
    ]
    assert sorted(Response.objects.values_list("dossier_code", flat=True)) == ["H01", "H03"]
    entry = AuditEntry.objects.get(action="surveys.responses.import")
    assert entry.changes["saved"] == 2 and entry.changes["skipped_rows"] == [3]


def test_a_dossier_answered_in_an_earlier_import_is_refused(survey: Survey) -> None:
    actions.import_responses(
        csv_bytes([HEADER, ("so-tu-phap", "2020-04-15", "H01", 5, 4, "yes")]),
        "first.csv",
        survey=survey,
        by=None,
    )
    messages = refused_rows(survey, [("so-noi-vu", "2020-05-15", "H01", 3, 3, "")])
    assert messages == ["Row 2: dossier H01 already has a response in this survey."]
    assert Response.objects.count() == 1


def test_a_choice_outside_the_questions_choices_is_refused(survey: Survey) -> None:
    data = csv_bytes(
        [
            ("agency", "submitted_at", "expect_staff", "ask_procedure", "trips"),
            ("so-tu-phap", "2020-04-15", "nhanh", "bang web", "2"),
            ("so-tu-phap", "2020-04-15", "thai-do", "bang fax", "-1"),
        ]
    )
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_responses(data, "r.csv", survey=survey, by=None)
    assert [describe_problem(p) for p in refused.value.problems] == [
        "Row 2: expect_staff: “nhanh” is not one of the choices (thai-do, huong-dan, thoi-gian).",
        # In the questionnaire's order: trips comes before ask_procedure.
        "Row 3: trips: -1 is not a number from 0 with at most two decimal places.",
        "Row 3: ask_procedure: “fax” is not one of the choices (bang, web, khong-thay).",
    ]


def test_an_answer_to_a_question_its_skip_condition_hides_is_refused(survey: Survey) -> None:
    # sat_feedback is asked only of those who gave feedback (gave_feedback = yes).
    data = csv_bytes(
        [
            ("agency", "submitted_at", "gave_feedback", "sat_feedback"),
            ("so-tu-phap", "2020-04-15", "yes", "4"),
            ("so-tu-phap", "2020-04-15", "no", "4"),
            ("so-tu-phap", "2020-04-15", "", "2"),
        ]
    )
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_responses(data, "r.csv", survey=survey, by=None)
    assert [describe_problem(p) for p in refused.value.problems] == [
        "Row 3: sat_feedback is answered, but it is asked only when gave_feedback is yes.",
        "Row 4: sat_feedback is answered, but it is asked only when gave_feedback is yes.",
    ]


def test_columns_that_are_no_question_refuse_the_file(survey: Survey) -> None:
    data = csv_bytes([("agency", "submitted_at", "sat_staf"), ("so-tu-phap", "2020-04-15", "4")])
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_responses(data, "r.csv", survey=survey, by=None, skip_bad_rows=True)
    assert [describe_problem(p) for p in refused.value.problems] == [
        "Columns that are neither agency, submitted_at, dossier_code nor a question of the "
        "questionnaire: sat_staf."
    ]


def test_an_xlsx_workbook_imports_like_a_csv_file(survey: Survey) -> None:
    data = xlsx_bytes(
        [
            HEADER,
            ("so-tu-phap", datetime(2020, 4, 15, 9, 30), "H01", 5, 4.0, "yes"),
            ("so-tu-phap", "2020-04-16", "H02", 7, 4, "yes"),
        ]
    )
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_responses(data, "r.xlsx", survey=survey, by=None)
    assert [describe_problem(p) for p in refused.value.problems] == [
        "Row 3: sat_staff: “7” is not on the scale 1 to 5."
    ]
    outcome = actions.import_responses(data, "r.xlsx", survey=survey, by=None, skip_bad_rows=True)
    assert outcome.saved == 1
    assert Answer.objects.get(question__code="sat_overall").number == 4


def test_a_workbook_that_expands_too_far_is_refused_before_it_is_read(
    survey: Survey, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = xlsx_bytes([HEADER, ("so-tu-phap", "2020-04-15", "H01", 5, 4, "yes")])
    monkeypatch.setattr("parindex.surveys.flat.MAX_EXPANDED", 1_000)
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_responses(data, "bomb.xlsx", survey=survey, by=None)
    assert [p.code for p in refused.value.problems] == ["file_too_large"]
    assert archives.is_zip(data)
    assert not Response.objects.exists()


def test_only_the_provinces_coordinators_import(
    survey: Survey, reporter: User, leader: User, outsider: User, coordinator: User
) -> None:
    data = csv_bytes([HEADER, ("so-tu-phap", "2020-04-15", "H01", 5, 4, "yes")])
    for person in (reporter, leader, outsider):
        with pytest.raises(PermissionDenied):
            actions.import_responses(data, "r.csv", survey=survey, by=person)
    assert not Response.objects.exists()
    assert actions.import_responses(data, "r.csv", survey=survey, by=coordinator).saved == 1
    entry = AuditEntry.objects.get(action="surveys.responses.import")
    assert (entry.actor, entry.province_id) == (coordinator, survey.province_id)


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("2020-04-15", datetime(2020, 4, 15)),
        ("15/04/2020", datetime(2020, 4, 15)),
        ("2020-04-15 09:30", datetime(2020, 4, 15, 9, 30)),
        ("15/4/2020 09:30:05", datetime(2020, 4, 15, 9, 30, 5)),
        # ODK and KoboToolbox write the offset: read as the time it was in the province.
        ("2020-04-15T09:30:00.000+07:00", datetime(2020, 4, 15, 9, 30)),
        ("2020-04-15T02:30:00Z", datetime(2020, 4, 15, 9, 30)),
        ("2020-04-14T20:30:00-0500", datetime(2020, 4, 15, 8, 30)),
        ("2020-02-30", None),
        ("15.04.2020", None),
        ("2020-04-15T09:30:00+25:00", None),
    ],
)
def test_submitted_at_is_read_in_the_provinces_time(text: str, moment: datetime | None) -> None:
    from parindex.surveys.flat import parse_moment

    assert parse_moment(text) == moment
