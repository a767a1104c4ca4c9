"""The `survey` export: the rows under each chart of the indices page and the free-text answers,
as XLSX and CSV, for whoever reads the survey and only their part of it."""

from __future__ import annotations

import csv
import io

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import translation

from parindex.exports.registry import ExportError, render
from parindex.orgs.models import User
from parindex.surveys.models import Survey
from tests.conftest import LaoCai
from tests.exports.reading import sheets
from tests.web.survey_data import some_answers, survey_2020


@pytest.fixture
def survey(lao_cai: LaoCai) -> Survey:
    found = survey_2020(lao_cai)
    some_answers(found, lao_cai)
    return found


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_indices_part_writes_every_agency_and_the_province_with_numbers_as_numbers(
    survey: Survey, coordinator: User
) -> None:
    with translation.override("en"):
        book = sheets(
            render("survey", "xlsx", user=coordinator, params={"survey": str(survey.pk)}).content
        )
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:7] == (
        "Agency code",
        "Agency",
        "Factor",
        "Time span",
        "Answers",
        "Satisfied",
        "Satisfied (%)",
    )
    justice_staff = next(r for r in rows if r[0] == "so-tu-phap" and r[2] == "The civil servant")
    assert justice_staff[4:10] == (4, 3, 75, 30.06, 95.44, 4)
    assert all(isinstance(v, int | float) for v in justice_staff[4:10])
    province = [r for r in rows if r[1] == "The whole province"]
    assert len(province) == 2 and province[0][12] == "no"


def test_an_agency_reporter_exports_only_its_own_rows_and_no_province(
    survey: Survey, reporter: User
) -> None:
    rows = csv_rows(
        render("survey", "csv", user=reporter, params={"survey": str(survey.pk)}).content
    )
    assert {r[0] for r in rows[1:]} == {"so-tu-phap"}


def test_the_trend_part_writes_each_factor_quarter_by_quarter(
    survey: Survey, coordinator: User
) -> None:
    with translation.override("en"):
        rows = csv_rows(
            render(
                "survey",
                "csv",
                user=coordinator,
                params={"survey": str(survey.pk), "part": "trend"},
            ).content
        )
    assert [(r[0], r[1], r[2]) for r in rows[1:]] == [
        ("2020Q1", "The civil servant", "3"),
        ("2020Q1", "Overall satisfaction", "3"),
        ("2020Q2", "The civil servant", "3"),
        ("2020Q2", "Overall satisfaction", "3"),
    ]


def test_the_comments_part_writes_one_row_per_answer_under_its_keyword(
    survey: Survey, coordinator: User
) -> None:
    params = {"survey": str(survey.pk), "part": "comments", "period": "2020Q2"}
    rows = csv_rows(render("survey", "csv", user=coordinator, params=params).content)
    assert [(r[0], r[2], r[4]) for r in rows[1:]] == [
        ("vp-ubnd", "thời gian", "Thời gian chờ quá lâu"),
        ("vp-ubnd", "thời gian", "thời gian giải quyết chậm"),
    ]


@pytest.mark.parametrize(
    ("params", "says"),
    [
        ({"part": "pie"}, "part 'pie'"),
        ({"period": "2021Q1"}, "period '2021Q1'"),
        ({"part": "agencies", "factor": "speed"}, "factor 'speed'"),
    ],
)
def test_a_bad_part_period_or_factor_is_refused_naming_it(
    survey: Survey, coordinator: User, params: dict[str, str], says: str
) -> None:
    with pytest.raises(ExportError, match=says):
        render("survey", "csv", user=coordinator, params={"survey": str(survey.pk), **params})


def test_a_survey_the_person_may_not_read_is_not_found(
    survey: Survey, outsider: User, appraiser: User
) -> None:
    for person in (outsider, appraiser, AnonymousUser()):
        with pytest.raises(ExportError, match="not found"):
            render("survey", "csv", user=person, params={"survey": str(survey.pk)})


def test_the_file_is_named_after_the_part_and_the_period(survey: Survey, coordinator: User) -> None:
    params = {"survey": str(survey.pk), "part": "agencies", "period": "2020Q2"}
    name = render("survey", "xlsx", user=coordinator, params=params).filename
    assert name.startswith(f"survey-{survey.pk}-agencies-2020Q2-") and name.endswith(".xlsx")
