"""Creating surveys, and who reads which results."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parindex.orgs import access
from parindex.orgs.models import AuditEntry, User
from parindex.surveys import actions
from parindex.surveys.indices import survey_indices
from parindex.surveys.models import Survey
from tests.conftest import LaoCai
from tests.surveys.conftest import csv_bytes


def create(by: User | None, lao_cai: LaoCai, **changes: object) -> Survey:
    options: dict[str, object] = {
        "code": "sipas-2020",
        "questionnaire": actions.load_default_questionnaire(),
        "province": lao_cai.province,
        "starts_on": date(2020, 1, 1),
        "ends_on": date(2020, 12, 31),
        **changes,
    }
    return actions.create_survey(by=by, **options)  # type: ignore[arg-type]


def test_a_coordinator_creates_a_survey_of_their_province(
    lao_cai: LaoCai, coordinator: User
) -> None:
    survey = create(coordinator, lao_cai)
    assert (survey.province, survey.questionnaire.code) == (lao_cai.province, "sipas-default")
    entry = AuditEntry.objects.get(action="surveys.survey.create")
    assert (entry.actor, entry.province_id) == (coordinator, lao_cai.province.pk)


def test_nobody_else_creates_a_survey(
    lao_cai: LaoCai, reporter: User, head: User, leader: User, outsider: User
) -> None:
    for person in (reporter, head, leader, outsider):
        with pytest.raises(PermissionDenied):
            create(person, lao_cai)
    assert not Survey.objects.exists()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"code": "SIPAS 2020!"}, "code"),
        ({"code": "x" * 65}, "code"),
        ({"ends_on": date(2019, 12, 31)}, "ends_on"),
        ({"title": "T" * 256}, "title"),
    ],
)
def test_a_bad_survey_is_refused_naming_the_field(
    lao_cai: LaoCai, coordinator: User, changes: dict[str, object], field: str
) -> None:
    with pytest.raises(ValidationError) as refused:
        create(coordinator, lao_cai, **changes)
    assert field in refused.value.message_dict
    assert not Survey.objects.exists()


def test_a_survey_code_is_used_once(lao_cai: LaoCai, coordinator: User) -> None:
    create(coordinator, lao_cai)
    with pytest.raises(ValidationError) as refused:
        create(coordinator, lao_cai)
    assert "exists" in refused.value.message_dict["code"][0]


def test_a_province_is_needed(lao_cai: LaoCai, coordinator: User) -> None:
    with pytest.raises((ValidationError, PermissionDenied)):
        create(coordinator, lao_cai, province=lao_cai.justice)


# --- who reads what --------------------------------------------------------------------------


@pytest.fixture
def answered(survey: Survey) -> Survey:
    """Two answers of Sở Tư pháp (5 and 3) and one of Sở Nội vụ (4) on the civil servant."""
    actions.import_responses(
        csv_bytes(
            [
                ("agency", "submitted_at", "sat_staff"),
                ("so-tu-phap", "2020-02-01", "5"),
                ("so-tu-phap", "2020-05-01", "3"),
                ("so-noi-vu", "2020-05-02", "4"),
            ]
        ),
        "r.csv",
        survey=survey,
        by=None,
    )
    return survey


def agencies_read(user: User, survey: Survey) -> list[str]:
    return sorted({row.agency for row in survey_indices(user, survey).rows})


def test_agency_people_see_only_their_own_agencys_results(
    answered: Survey, reporter: User, head: User
) -> None:
    for person in (reporter, head):
        found = survey_indices(person, answered)
        assert [(r.agency, r.factor, r.n, r.satisfied) for r in found.rows] == [
            ("so-tu-phap", "staff", 2, 1)
        ]
        # The province's figure pools other agencies: not theirs to read.
        assert found.province == []


def test_coordinators_and_leaders_see_every_agency_and_the_province(
    answered: Survey, coordinator: User, leader: User
) -> None:
    for person in (coordinator, leader):
        found = survey_indices(person, answered)
        assert agencies_read(person, answered) == ["so-noi-vu", "so-tu-phap"]
        assert [(r.factor, r.n, r.satisfied) for r in found.province] == [("staff", 3, 2)]


def test_people_of_another_agency_or_province_see_nothing(
    answered: Survey, other_reporter: User, outsider: User, citizen: User
) -> None:
    assert agencies_read(other_reporter, answered) == []
    for person in (outsider, citizen):
        assert not access.surveys_for(person).exists()
        assert agencies_read(person, answered) == []
    assert access.surveys_for(other_reporter).filter(pk=answered.pk).exists()


def test_a_quarter_counts_only_its_answers(answered: Survey, coordinator: User) -> None:
    found = survey_indices(coordinator, answered, period="2020Q2")
    assert found.period == "2020Q2"
    assert [(r.agency, r.n, r.satisfied) for r in found.rows] == [
        ("so-noi-vu", 1, 1),
        ("so-tu-phap", 1, 0),
    ]


def test_volumes_give_the_required_sample_and_weight_the_province(
    answered: Survey, coordinator: User
) -> None:
    found = survey_indices(coordinator, answered, volumes={"so-tu-phap": 1000, "so-noi-vu": 100})
    required = {r.agency: r.required for r in found.rows}
    assert required == {"so-tu-phap": 286, "so-noi-vu": 80}
    # (1000·0.5 + 100·1) / 1100
    (province,) = found.province
    assert province.weighted
    assert str(province.share)[:6] == "0.5454"


def test_indices_take_the_same_queries_for_ten_answers_as_for_three(
    survey: Survey, coordinator: User
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            survey_indices(coordinator, survey)
        return len(captured)

    rows = [("agency", "submitted_at", "sat_staff", "sat_access")]
    rows += [("so-tu-phap", "2020-02-01", "5", "4")] * 3
    actions.import_responses(csv_bytes(rows), "a.csv", survey=survey, by=None)
    few = queries()
    more = [("agency", "submitted_at", "sat_staff", "sat_result")]
    more += [("so-noi-vu", "2020-03-01", "2", "4")] * 7
    actions.import_responses(csv_bytes(more), "b.csv", survey=survey, by=None)
    assert queries() == few
    assert sum(r.n for r in survey_indices(coordinator, survey).rows) == 20
