"""A 2020 satisfaction survey of Lào Cai with a few answers, entered the way staff enter them."""

from __future__ import annotations

from datetime import date, datetime, time

from django.utils import timezone

from parindex.orgs.models import Organisation
from parindex.surveys import actions
from parindex.surveys.models import Response, Survey
from tests.conftest import LaoCai


def survey_2020(lao_cai: LaoCai, code: str = "sipas-2020") -> Survey:
    return actions.create_survey(
        by=None,
        code=code,
        title="Khảo sát SIPAS 2020",
        questionnaire=actions.load_default_questionnaire(),
        province=lao_cai.province,
        starts_on=date(2020, 1, 1),
        ends_on=date(2020, 12, 31),
    )


def answer(
    survey: Survey, agency: Organisation, day: date, dossier: str = "", **answers: str
) -> Response:
    return actions.add_response(
        survey,
        by=None,
        agency=agency,
        submitted_at=timezone.make_aware(datetime.combine(day, time(10))),
        answers=answers,
        dossier_code=dossier,
    )


def some_answers(survey: Survey, lao_cai: LaoCai) -> None:
    """Sở Tư pháp: 3 answers in Q1 (2 satisfied with the staff), 1 in Q2; VP UBND: 2 in Q2."""
    justice, office = lao_cai.justice, lao_cai.office
    answer(
        survey,
        justice,
        date(2020, 2, 3),
        sat_staff="5",
        sat_overall="4",
        suggestion="Thái độ cán bộ rất tốt",
    )
    answer(
        survey,
        justice,
        date(2020, 2, 4),
        sat_staff="4",
        sat_overall="5",
        suggestion="thái độ nhiệt tình",
    )
    answer(survey, justice, date(2020, 3, 5), sat_staff="2", sat_overall="2")
    answer(survey, justice, date(2020, 5, 6), sat_staff="5", sat_overall="5")
    answer(
        survey,
        office,
        date(2020, 4, 7),
        sat_staff="3",
        sat_overall="3",
        suggestion="Thời gian chờ quá lâu",
    )
    answer(
        survey,
        office,
        date(2020, 6, 8),
        sat_staff="4",
        sat_overall="4",
        suggestion="thời gian giải quyết chậm",
    )
