"""The year's satisfaction survey feeds the forecast's survey-based sub-criteria and fills an
assessment's, on a small hand-computed case:

- Sở Tư pháp, 100 dossiers: overall 5, 4, 2, 1 (2 of 4 satisfied); staff 5, 5, 5, 5 (4 of 4);
- TP Lào Cai, 300 dossiers: overall 5, 5, 4, 4, 4, 3 (5 of 6); staff 5, 5, 5, 5, 5, 2 (5 of 6).

Weighted by dossiers: overall (100·0.5 + 300·5/6) / 400 = 75 %; staff (100·1 + 300·5/6) / 400 =
87.5 %; deff = 10·(100²/4 + 300²/6) / 400² = 1.09375 for both.
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.utils import translation

from parindex.assessment import actions as assessment_actions
from parindex.assessment.models import Entry
from parindex.forecasting import satisfaction
from parindex.forecasting.gather import build
from parindex.methodology.models import Framework
from parindex.orgs.models import AuditEntry, User
from parindex.scoring import forecast as core
from parindex.surveys import actions as survey_actions
from parindex.surveys import stats
from parindex.surveys.models import Survey
from tests.conftest import LaoCai, YenBai
from tests.forecasting.support import Linked

D = Decimal
PLACES = D("0.0001")


def _survey(lao_cai: LaoCai, coordinator: User, year: int) -> Survey:
    survey = survey_actions.create_survey(
        by=coordinator,
        code="sipas-test",
        questionnaire=survey_actions.load_default_questionnaire(),
        province=lao_cai.province,
        starts_on=date(year, 1, 1),
        ends_on=date(year, 12, 31),
    )
    rows = ["agency,submitted_at,sat_overall,sat_staff"]
    for overall, staff in ((5, 5), (4, 5), (2, 5), (1, 5)):
        rows.append(f"so-tu-phap,{year}-02-10,{overall},{staff}")
    for overall, staff in ((5, 5), (5, 5), (4, 5), (4, 5), (4, 5), (3, 2)):
        rows.append(f"tp-lao-cai,{year}-05-20,{overall},{staff}")
    survey_actions.import_responses(
        "\n".join(rows).encode(), "phieu.csv", survey=survey, by=coordinator
    )
    volumes = "agency,period,dossiers\nso-tu-phap,all,100\ntp-lao-cai,all,300\n"
    survey_actions.import_volumes(volumes.encode(), "ho-so.csv", survey=survey, by=coordinator)
    return survey


@pytest.fixture(autouse=True)
def _tree_for_this_year(linked: Linked) -> None:
    """The illustrative tree is of 2020; the small plan is of this year."""
    Framework.objects.filter(pk=linked.framework.pk).update(first_year=None, last_year=None)
    linked.framework.refresh_from_db()


def _interval(share: Decimal) -> tuple[Decimal, Decimal]:
    effective = D(10) / D("1.09375")
    bounds = stats.wilson(share * effective, effective)
    assert bounds is not None
    return (bounds[0] * 100).quantize(PLACES), (bounds[1] * 100).quantize(PLACES)


def test_without_a_survey_the_satisfaction_leaves_have_no_measured_figure(
    linked: Linked,
) -> None:
    data = build(linked.plan.province, linked.year)
    assert data.survey is None
    assert all(
        data.result.facts.get(code) is None or data.result.facts[code].basis != "surveyed"
        for code in ("8.1.1", "8.1.2")
    )


def test_the_forecast_reads_the_years_survey_and_says_so(
    linked: Linked, lao_cai: LaoCai, coordinator: User
) -> None:
    survey = _survey(lao_cai, coordinator, linked.year)
    with translation.override("vi"):
        data = build(linked.plan.province, linked.year)
    assert data.survey == survey
    overall, staff = data.result.facts["8.1.1"], data.result.facts["8.1.2"]
    assert overall.basis == core.Basis.SURVEYED and staff.basis == core.Basis.SURVEYED
    assert overall.current is not None and overall.current.value == D(75)
    assert staff.current is not None and staff.current.value == D("87.5")
    assert (overall.low, overall.high) == _interval(D("0.75"))
    assert (staff.low, staff.high) == _interval(D("0.875"))
    low, high = _interval(D("0.75"))
    assert overall.source == (
        f"đo bằng khảo sát sipas-test, n = 10, khoảng tin cậy 95 %: "
        f"{str(low.quantize(D('0.01'))).replace('.', ',')}–"
        f"{str(high.quantize(D('0.01'))).replace('.', ',')} %, gia quyền theo số hồ sơ "
        f"(deff 1,09)"
    )
    expected = data.result.scenario("expected").result.nodes
    # 75 % is in the 70–80 % band (2 points); 87.5 % of 2 points is 1.75.
    assert expected["8.1.1"].points == D(2)
    assert expected["8.1.2"].points == D("1.75")
    worst = data.result.scenario("worst").result.nodes
    assert worst["8.1.2"].points == D(2) * low_of(staff) / 100


def low_of(facts: core.LeafFacts) -> Decimal:
    assert facts.low is not None
    return facts.low


def test_the_survey_takes_the_place_of_a_typed_entry_not_of_an_appraised_one(
    linked: Linked, lao_cai: LaoCai, coordinator: User
) -> None:
    assessment = assessment_actions.open_assessment(
        lao_cai.province,
        by=coordinator,
        framework=linked.framework,
        year=linked.year,
        scope="province",
        deadline=date(linked.year + 1, 1, 15),
    )
    assessment_actions.enter_survey_results(
        assessment,
        by=coordinator,
        results=[
            assessment_actions.SurveyResult(lao_cai.province.pk, "8.1.1", value=D(95)),
            assessment_actions.SurveyResult(lao_cai.province.pk, "8.1.2", value=D(95)),
        ],
    )
    before = build(linked.plan.province, linked.year).result.facts["8.1.1"]
    assert before.basis == core.Basis.ASSESSED
    _survey(lao_cai, coordinator, linked.year)
    after = build(linked.plan.province, linked.year).result.facts
    assert after["8.1.1"].basis == core.Basis.SURVEYED
    Entry.objects.filter(unit__assessment=assessment, node__code="8.1.2").update(
        appraisal="scored", appraised_points=D("1.5")
    )
    settled = build(linked.plan.province, linked.year).result.facts["8.1.2"]
    assert settled.basis == core.Basis.APPRAISED and settled.settled == D("1.5")


def test_a_coordinator_fills_an_assessments_survey_leaves_from_the_survey(
    linked: Linked, lao_cai: LaoCai, coordinator: User, reporter: User
) -> None:
    survey = _survey(lao_cai, coordinator, linked.year)
    province = assessment_actions.open_assessment(
        lao_cai.province,
        by=coordinator,
        framework=linked.framework,
        year=linked.year,
        scope="province",
        deadline=date(linked.year + 1, 1, 15),
    )
    departments = assessment_actions.open_assessment(
        lao_cai.province,
        by=coordinator,
        framework=linked.framework,
        year=linked.year,
        scope="departments",
        deadline=date(linked.year + 1, 1, 15),
    )
    with pytest.raises(PermissionDenied):
        satisfaction.fill_from_survey(departments, survey, by=reporter)
    assert satisfaction.fill_from_survey(province, survey, by=coordinator) == 2
    entries = {
        e.node.code: e
        for e in Entry.objects.filter(unit__assessment=province).select_related("node")
    }
    assert (entries["8.1.1"].value, entries["8.1.2"].value) == (D(75), D("87.5"))
    assert entries["8.1.1"].source.startswith("đo bằng khảo sát sipas-test, n = 10,")
    # An agency assessed gets its own counts; an agency the survey did not reach is left alone.
    assert satisfaction.fill_from_survey(departments, survey, by=coordinator) == 2
    justice = {
        e.node.code: (e.numerator, e.denominator)
        for e in Entry.objects.filter(
            unit__assessment=departments, unit__organisation=lao_cai.justice
        ).select_related("node")
    }
    assert justice["8.1.1"] == (D(2), D(4)) and justice["8.1.2"] == (D(4), D(4))
    office = Entry.objects.get(
        unit__assessment=departments, unit__organisation=lao_cai.office, node__code="8.1.1"
    )
    assert (office.value, office.numerator) == (None, None)
    assert AuditEntry.objects.filter(action="assessment.unit.survey").count() == 2


def test_a_survey_of_another_province_or_a_tree_without_a_mapping_is_refused(
    linked: Linked, lao_cai: LaoCai, coordinator: User, yen_bai: YenBai
) -> None:
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
    with pytest.raises(ValidationError, match="không thuộc tỉnh"):
        satisfaction.fill_from_survey(assessment, elsewhere, by=coordinator)
    survey = _survey(lao_cai, coordinator, linked.year)
    Framework.objects.filter(pk=linked.framework.pk).update(version=7)
    assessment.refresh_from_db()
    with pytest.raises(ValidationError, match="không có tiêu chí thành phần nào"):
        satisfaction.fill_from_survey(assessment, survey, by=coordinator)
    assert not Entry.objects.filter(unit__assessment=assessment).exclude(source="").exists()


def test_the_command_line_fills_from_a_survey(
    linked: Linked, lao_cai: LaoCai, coordinator: User
) -> None:
    _survey(lao_cai, coordinator, linked.year)
    assessment = assessment_actions.open_assessment(
        lao_cai.province,
        by=coordinator,
        framework=linked.framework,
        year=linked.year,
        scope="province",
        deadline=date(linked.year + 1, 1, 15),
    )
    out = io.StringIO()
    call_command(
        "assessment",
        "survey",
        str(assessment.pk),
        "--from-survey",
        "sipas-test",
        "--as",
        coordinator.username,
        stdout=out,
    )
    assert out.getvalue().startswith("2 survey results entered")
