"""Appraisal: accept, score with a reason, ask for more evidence, the unit answers; closing and
publishing; survey results entered by Home Affairs."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from parindex.assessment import actions
from parindex.assessment.actions import EntryInput
from parindex.assessment.models import (
    Appraisal,
    AssessedUnit,
    AssessmentStatus,
    Entry,
    UnitStatus,
)
from parindex.orgs.models import AuditEntry, User
from tests.assessment.conftest import Open2020, complete, fresh, save

D = Decimal


@pytest.fixture
def submitted(open_2020: Open2020, head: User) -> AssessedUnit:
    """Sở Tư pháp, self-assessed at 5.9 and submitted."""
    complete(open_2020.justice, head)
    return actions.submit_unit(fresh(open_2020.justice), by=head)


def entry(unit: AssessedUnit, code: str) -> Entry:
    return Entry.objects.get(unit=unit, node__code=code)


def test_the_appraiser_accepts_and_sets_scores_side_by_side_with_the_self_scores(
    submitted: AssessedUnit, appraiser: User
) -> None:
    actions.appraise_entry(fresh(submitted), "1.1", by=appraiser, decision="accept")
    actions.appraise_entry(
        fresh(submitted),
        "1.2",
        by=appraiser,
        decision="score",
        points="0,5",
        comment="Kế hoạch chỉ hoàn thành 65%",
    )
    unit = fresh(submitted)
    assert unit.self_total == D("5.9")
    assert unit.appraised_total == D("2.5")  # 2 accepted + 0.5 set
    assert unit.final_total == D("5.4")  # 5.9 with 1.2 at 0.5 instead of 1
    assert D(unit.scores["appraised"]["1"]) == D("2.5")
    assert "2" not in unit.scores["appraised"]  # nothing of domain 2 is appraised yet
    scored = entry(unit, "1.2")
    assert (scored.self_points, scored.appraised_points) == (D(1), D("0.5"))
    assert scored.appraisal == Appraisal.SCORED
    assert scored.appraisal_comment == "Kế hoạch chỉ hoàn thành 65%"
    assert scored.appraised_by == appraiser


def test_a_score_needs_a_reason_and_stays_within_the_leafs_maximum(
    submitted: AssessedUnit, appraiser: User
) -> None:
    with pytest.raises(ValidationError, match="reason"):
        actions.appraise_entry(fresh(submitted), "1.2", by=appraiser, decision="score", points="1")
    with pytest.raises(ValidationError, match="between 0 and 2"):
        actions.appraise_entry(
            fresh(submitted), "1.2", by=appraiser, decision="score", points="2,5", comment="x"
        )
    with pytest.raises(ValidationError):
        actions.appraise_entry(fresh(submitted), "1.2", by=appraiser, decision="maybe")
    assert entry(submitted, "1.2").appraisal == Appraisal.PENDING


def test_a_request_for_evidence_returns_the_item_and_the_unit_answers(
    submitted: AssessedUnit, appraiser: User, head: User, reporter: User
) -> None:
    actions.appraise_entry(
        fresh(submitted),
        "2.1",
        by=appraiser,
        decision="request",
        comment="Gửi quyết định công nhận",
    )
    assert fresh(submitted).status == UnitStatus.RETURNED
    # Only the returned item can change while the unit is returned.
    unit = fresh(submitted)
    _saved, errors = actions.save_entries(
        unit, by=reporter, version=unit.version, entries={"1.1": EntryInput(band="Không ban hành")}
    )
    assert "1.1-value" in errors
    document = actions.add_document(fresh(submitted), by=reporter, number="25/QĐ-STP")
    save(submitted, reporter, _2_1=EntryInput(value="3", documents=[document.pk]))
    actions.answer_entry(fresh(submitted), "2.1", by=head, answer="Đã bổ sung Quyết định 25/QĐ-STP")
    unit = fresh(submitted)
    assert unit.status == UnitStatus.ANSWERED
    assert unit.self_total == D("6.9")
    answered = entry(unit, "2.1")
    assert answered.appraisal == Appraisal.ANSWERED
    assert answered.answer == "Đã bổ sung Quyết định 25/QĐ-STP"
    actions.appraise_entry(fresh(submitted), "2.1", by=appraiser, decision="accept")
    finished = actions.finish_unit_appraisal(fresh(submitted), by=appraiser)
    assert finished.status == UnitStatus.APPRAISED
    assert finished.final_total == finished.appraised_total == D("6.9")
    history = list(
        AuditEntry.objects.filter(
            object_id=str(submitted.pk), object_type="assessment.assessedunit"
        )
        .order_by("at", "id")
        .values_list("action", flat=True)
    )
    assert history[-5:] == [
        "assessment.document.add",
        "assessment.unit.save",
        "assessment.unit.answer",
        "assessment.unit.appraise",
        "assessment.unit.appraised",
    ]


def test_the_appraisal_cannot_finish_while_a_request_is_open(
    submitted: AssessedUnit, appraiser: User
) -> None:
    actions.appraise_entry(
        fresh(submitted), "2.1", by=appraiser, decision="request", comment="Thiếu"
    )
    with pytest.raises(ValidationError, match="answers"):
        actions.finish_unit_appraisal(fresh(submitted), by=appraiser)


def test_only_a_request_can_be_answered_and_only_by_the_unit(
    submitted: AssessedUnit, appraiser: User, head: User, other_reporter: User
) -> None:
    with pytest.raises(PermissionDenied):
        actions.answer_entry(fresh(submitted), "2.1", by=head, answer="?")  # not returned
    actions.appraise_entry(
        fresh(submitted), "2.1", by=appraiser, decision="request", comment="Thiếu"
    )
    with pytest.raises(ValidationError, match="No evidence was requested"):
        actions.answer_entry(fresh(submitted), "1.1", by=head, answer="?")
    with pytest.raises(PermissionDenied):
        actions.answer_entry(fresh(submitted), "2.1", by=other_reporter, answer="?")
    with pytest.raises(ValidationError):
        actions.answer_entry(fresh(submitted), "2.1", by=head, answer="  ")


@pytest.mark.parametrize(
    "who", ["reporter", "head", "other_reporter", "district_head", "leader", "outsider", "citizen"]
)
def test_only_the_units_appraiser_or_a_coordinator_appraises(
    submitted: AssessedUnit, who: str, request: pytest.FixtureRequest
) -> None:
    person: User = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        actions.appraise_entry(fresh(submitted), "1.1", by=person, decision="accept")


def test_an_appraiser_does_not_appraise_a_unit_not_assigned_to_them(
    open_2020: Open2020, appraiser: User, coordinator: User
) -> None:
    complete(open_2020.office, None)
    office = actions.submit_unit(fresh(open_2020.office), by=None)
    with pytest.raises(PermissionDenied):
        actions.appraise_entry(office, "1.1", by=appraiser, decision="accept")
    actions.appraise_entry(fresh(office), "1.1", by=coordinator, decision="accept")


def test_a_draft_is_not_appraised(open_2020: Open2020, appraiser: User) -> None:
    with pytest.raises(ValidationError, match="submitted"):
        actions.appraise_entry(fresh(open_2020.justice), "1.1", by=appraiser, decision="accept")


def test_finishing_accepts_the_self_score_of_every_leaf_not_appraised(
    submitted: AssessedUnit, appraiser: User
) -> None:
    actions.appraise_entry(
        fresh(submitted), "1.1", by=appraiser, decision="score", points="1", comment="Ban hành muộn"
    )
    unit = actions.finish_unit_appraisal(fresh(submitted), by=appraiser)
    assert unit.final_total == unit.appraised_total == D("4.9")
    assert set(Entry.objects.filter(unit=unit).values_list("appraisal", flat=True)) == {
        Appraisal.ACCEPTED,
        Appraisal.SCORED,
    }


def test_the_assessment_closes_when_every_unit_is_appraised_then_publishes(
    open_2020: Open2020, coordinator: User, leader: User
) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.close_appraisal(open_2020.assessment, by=coordinator)
    assert len(refused.value.messages) == 3
    with pytest.raises(ValidationError, match="Close the appraisal"):
        actions.publish_results(open_2020.assessment, by=coordinator)
    for unit in (open_2020.justice, open_2020.office, open_2020.home_affairs):
        complete(unit, None)
        actions.submit_unit(fresh(unit), by=None)
        actions.finish_unit_appraisal(fresh(unit), by=coordinator)
    with pytest.raises(PermissionDenied):
        actions.close_appraisal(open_2020.assessment, by=leader)
    closed = actions.close_appraisal(open_2020.assessment, by=coordinator)
    assert closed.status == AssessmentStatus.CLOSED
    with pytest.raises(PermissionDenied):
        actions.appraise_entry(fresh(open_2020.justice), "1.1", by=coordinator, decision="accept")
    published = actions.publish_results(closed, by=coordinator)
    assert published.status == AssessmentStatus.PUBLISHED
    assert published.published_at is not None


def test_survey_results_are_entered_by_home_affairs_and_rescore_the_unit(
    open_2020: Open2020, coordinator: User, reporter: User
) -> None:
    complete(open_2020.justice, reporter)
    count = actions.enter_survey_results(
        open_2020.assessment,
        by=coordinator,
        results=[
            actions.SurveyResult(
                organisation_id=open_2020.justice.organisation_id,
                code="2.2",
                numerator=D(450),
                denominator=D(500),
                source="Khảo sát SIPAS 2020",
            )
        ],
    )
    assert count == 1
    unit = fresh(open_2020.justice)
    assert unit.self_total == D("7.7")  # 5.9 + 2 × 90%
    surveyed = entry(unit, "2.2")
    assert surveyed.source == "Khảo sát SIPAS 2020"
    assert unit.scores["missing"] == []


def test_entering_survey_results_rewrites_only_the_entries_it_changes(
    open_2020: Open2020, coordinator: User, reporter: User
) -> None:
    complete(open_2020.justice, reporter)
    survey = entry(fresh(open_2020.justice), "2.2")
    with CaptureQueriesContext(connection) as queries:
        actions.enter_survey_results(
            open_2020.assessment,
            by=coordinator,
            results=[
                actions.SurveyResult(
                    organisation_id=open_2020.justice.organisation_id,
                    code="2.2",
                    value=D(90),
                )
            ],
        )
    updates = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].startswith('UPDATE "assessment_entry"')
    ]
    assert len(updates) == 1
    # One row: the survey leaf (its "WHEN" once per column written), not the unit's five others.
    assert updates[0].count("WHEN") == 7
    assert str(survey.pk) in updates[0]


def test_survey_results_are_all_or_nothing_and_only_for_survey_leaves(
    open_2020: Open2020, coordinator: User, reporter: User
) -> None:
    good = actions.SurveyResult(open_2020.justice.organisation_id, "2.2", value=D(80))
    with pytest.raises(ValidationError, match="Row 2"):
        actions.enter_survey_results(
            open_2020.assessment,
            by=coordinator,
            results=[
                good,
                actions.SurveyResult(open_2020.justice.organisation_id, "1.1", value=D(1)),
            ],
        )
    assert entry(open_2020.justice, "2.2").value is None
    with pytest.raises(PermissionDenied):
        actions.enter_survey_results(open_2020.assessment, by=reporter, results=[good])
