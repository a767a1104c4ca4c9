"""The demo's 2020 assessments: the districts published with a ranking, the departments partly
appraised, every state of the workflow present, all written through the actions and audited."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import call_command

from parindex.assessment.models import (
    Appraisal,
    AssessedUnit,
    Assessment,
    AssessmentStatus,
    Entry,
    UnitStatus,
)
from parindex.assessment.reading import results_of
from parindex.exports.registry import ExportError, render
from parindex.orgs.models import AuditEntry, User
from parindex.web.demo_assessment import ANSWERED, DEMO_MARK, REQUESTED_CODE
from tests.exports.reading import rows, sheets


@pytest.fixture
def assessments(loaded_demo: str) -> tuple[Assessment, Assessment]:
    districts = Assessment.objects.get(scope="districts", year=2020)
    departments = Assessment.objects.get(scope="departments", year=2020)
    return districts, departments


def test_the_demo_has_2020s_districts_published_and_departments_partly_appraised(
    assessments: tuple[Assessment, Assessment],
) -> None:
    districts, departments = assessments
    for assessment in assessments:
        assert DEMO_MARK in assessment.title
        assert assessment.framework.code == "demo-lao-cai-2020-illustrative"
    assert districts.status == AssessmentStatus.PUBLISHED
    assert set(districts.units.values_list("status", flat=True)) == {UnitStatus.APPRAISED}
    assert districts.units.count() == 9
    assert departments.status == AssessmentStatus.OPEN
    statuses = list(departments.units.values_list("status", flat=True))
    assert set(statuses) == {
        UnitStatus.DRAFT,
        UnitStatus.SUBMITTED,
        UnitStatus.ANSWERED,
        UnitStatus.APPRAISED,
    }
    assert statuses.count(UnitStatus.APPRAISED) > len(statuses) / 2
    assert statuses.count(UnitStatus.DRAFT) == 2
    # One unit was asked for more evidence and answered, with a document added for it.
    answered = departments.units.get(organisation__code=ANSWERED)
    assert answered.status == UnitStatus.ANSWERED
    item = answered.entries.get(node__code=REQUESTED_CODE)
    assert (item.appraisal, bool(item.appraisal_comment), bool(item.answer)) == (
        Appraisal.ANSWERED,
        True,
        True,
    )
    assert item.documents.filter(number="08/KH-STP").exists()
    # Appraisers lowered some scores, each with a reason.
    scored = Entry.objects.filter(unit__assessment__in=assessments, appraisal=Appraisal.SCORED)
    assert scored.count() >= 10
    for lowered in scored:
        assert lowered.appraisal_comment
        assert (lowered.appraised_points or 0) < (lowered.self_points or 0)
    # Rates come with their counts, documents with number, date and issuer, and units explain
    # what fell short of the best band.
    entries = Entry.objects.filter(unit__assessment=districts, node__unit="percent")
    assert all(e.numerator is not None and e.denominator for e in entries)
    assert Entry.objects.filter(unit__assessment=districts).exclude(explanation="").exists()
    unit = districts.units.first()
    assert unit is not None
    document = unit.documents.first()
    assert document is not None and document.number and document.date and document.issuer


def test_the_demos_ranking_is_computable_and_exported_for_a_units_head(
    assessments: tuple[Assessment, Assessment], tmp_path: Path
) -> None:
    districts, departments = assessments
    results = results_of(districts)
    assert [r.rank for r in results.units] == sorted(r.rank for r in results.units)
    assert results.units[0].rank == 1
    assert {r.classification for r in results.units} <= {"Xuất sắc", "Tốt", "Khá", "Trung bình"}
    for row in results.units:
        assert sum((d.final_points for d in row.domains), start=row.final_total * 0) == (
            row.final_total
        )
    assert len(results_of(departments).units) == departments.units.count()

    # The district head of the city exports the published ranking from the command line...
    out = tmp_path / "xep-hang.xlsx"
    call_command(
        "export",
        "assessment-ranking",
        "--format",
        "xlsx",
        "-o",
        str(out),
        "--as",
        "tplaocai",
        "--param",
        f"assessment={districts.pk}",
        stdout=io.StringIO(),
    )
    table = rows(sheets(out.read_bytes()).worksheets[0])
    assert len(table) == 1 + 9
    assert "UBND thành phố Lào Cai" in [row[1] for row in table]
    # ...but not the departments' ranking before it is published, nor a department's scores.
    head = User.objects.get(username="tplaocai")
    with pytest.raises(ExportError):
        render("assessment-ranking", "csv", user=head, params={"assessment": str(departments.pk)})
    justice = departments.units.get(organisation__code=ANSWERED)
    with pytest.raises(ExportError, match="not found"):
        render("assessment-unit", "csv", user=head, params={"unit": str(justice.pk)})
    own = render(
        "assessment-unit",
        "docx",
        user=User.objects.get(username="tuphap"),
        params={"unit": str(justice.pk)},
    )
    assert own.content


def test_the_demo_assessments_are_written_through_the_actions_and_audited(
    assessments: tuple[Assessment, Assessment],
) -> None:
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {
        "assessment.open",
        "assessment.unit.save",
        "assessment.document.add",
        "assessment.unit.submit",
        "assessment.unit.appraise",
        "assessment.unit.answer",
        "assessment.unit.appraised",
        "assessment.unit.survey",
        "assessment.close",
        "assessment.publish",
    } <= actions
    units = AssessedUnit.objects.filter(assessment__in=assessments)
    saved = set(
        AuditEntry.objects.filter(action="assessment.unit.save").values_list("object_id", flat=True)
    )
    assert {str(pk) for pk in units.values_list("pk", flat=True)} <= saved
    # The people of the demo did their own units' work.
    submitted = AuditEntry.objects.filter(
        action="assessment.unit.submit", object_id=str(units.get(organisation__code=ANSWERED).pk)
    ).get()
    assert submitted.actor is not None and submitted.actor.username == "tuphap.gd"
