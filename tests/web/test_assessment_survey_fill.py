"""The assessment page's survey card takes the figures of one of the province's satisfaction
surveys: the coordinator's alone, a survey of another province refused in words."""

from __future__ import annotations

from datetime import date

from django.test import Client

from parindex.assessment import actions as assessment_actions
from parindex.assessment.models import Entry
from parindex.methodology.models import Framework
from parindex.orgs.models import User
from parindex.surveys import actions as survey_actions
from parindex.surveys.models import Survey
from tests.conftest import LaoCai, YenBai
from tests.forecasting.support import Linked, linked

__all__ = ["linked"]


def _survey(lao_cai: LaoCai, coordinator: User, year: int) -> Survey:
    survey = survey_actions.create_survey(
        by=coordinator,
        code="sipas-man-hinh",
        questionnaire=survey_actions.load_default_questionnaire(),
        province=lao_cai.province,
        starts_on=date(year, 1, 1),
        ends_on=date(year, 12, 31),
    )
    rows = "agency,submitted_at,sat_overall,sat_staff\n" + "".join(
        f"tp-lao-cai,{year}-03-0{day},{overall},5\n"
        for day, overall in ((1, 5), (2, 4), (3, 4), (4, 2))
    )
    survey_actions.import_responses(rows.encode(), "p.csv", survey=survey, by=coordinator)
    return survey


def test_the_coordinator_takes_the_survey_figures_from_the_assessment_page(
    linked: Linked,
    lao_cai: LaoCai,
    yen_bai: YenBai,
    coordinator: User,
    reporter: User,
    client_for: object,
) -> None:
    Framework.objects.filter(pk=linked.framework.pk).update(first_year=None, last_year=None)
    linked.framework.refresh_from_db()
    survey = _survey(lao_cai, coordinator, linked.year)
    elsewhere = survey_actions.create_survey(
        by=None,
        code="sipas-yen-bai",
        questionnaire=survey_actions.load_default_questionnaire(),
        province=yen_bai.province,
        starts_on=date(linked.year, 1, 1),
        ends_on=date(linked.year, 12, 31),
    )
    assessment = assessment_actions.open_assessment(
        lao_cai.province,
        by=coordinator,
        framework=linked.framework,
        year=linked.year,
        scope="province",
        deadline=date(linked.year + 1, 1, 15),
    )
    url = f"/assessments/{assessment.pk}/survey/"
    coordinating: Client = client_for(coordinator)  # type: ignore[operator]
    page = coordinating.get(f"/assessments/{assessment.pk}/").content.decode()
    assert "data-survey-fill" in page and "sipas-man-hinh" in page
    assert "sipas-yen-bai" not in page

    assert client_for(reporter).post(url, {"survey": survey.pk}).status_code in (403, 404)  # type: ignore[operator]
    refused = coordinating.post(url, {"survey": elsewhere.pk})
    assert refused.status_code == 200
    assert "Chọn một cuộc khảo sát của tỉnh." in refused.content.decode()
    assert not Entry.objects.filter(unit__assessment=assessment).exclude(source="").exists()

    answer = coordinating.post(url, {"survey": survey.pk})
    assert answer.status_code == 302
    overall = Entry.objects.get(unit__assessment=assessment, node__code="8.1.1")
    assert overall.value == 75 and overall.source.startswith("đo bằng khảo sát sipas-man-hinh")
