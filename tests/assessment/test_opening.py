"""Opening an assessment: who may, which units it covers in its year, appraisers, classes."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parindex.assessment import actions
from parindex.assessment.models import (
    DEFAULT_CLASSES,
    AssessedUnit,
    Assessment,
    Entry,
    UnitStatus,
)
from parindex.methodology import actions as methodology
from parindex.methodology.models import Framework
from parindex.methodology.tree import ImportResult
from parindex.orgs import actions as orgs
from parindex.orgs.models import AuditEntry, Organisation, OrgKind, User
from tests.assessment.conftest import Open2020, import_tree, small_tree
from tests.conftest import LaoCai


def open_for(
    by: User | None,
    province: Organisation,
    tree: Framework,
    *,
    scope: str = "departments",
    year: int = 2020,
) -> Assessment:
    return actions.open_assessment(
        province, by=by, framework=tree, year=year, scope=scope, deadline=date(year + 1, 1, 15)
    )


def test_opening_creates_a_unit_per_department_and_an_entry_per_leaf(
    open_2020: Open2020, lao_cai: LaoCai
) -> None:
    assessment = open_2020.assessment
    names = sorted(assessment.units.values_list("organisation__name", flat=True))
    assert names == ["Sở Nội vụ", "Sở Tư pháp", "Văn phòng UBND tỉnh"]
    codes = list(
        Entry.objects.filter(unit=open_2020.justice)
        .order_by("position")
        .values_list("node__code", flat=True)
    )
    assert codes == ["1.1", "1.2", "1.3", "2.1", "2.2"]
    assert all(u.status == UnitStatus.DRAFT for u in assessment.units.all())
    assert assessment.classes == DEFAULT_CLASSES
    assert AuditEntry.objects.filter(
        action="assessment.open", object_id=str(assessment.pk)
    ).exists()


def test_the_appraiser_assigned_to_an_agency_becomes_its_units_appraiser(
    open_2020: Open2020, appraiser: User
) -> None:
    assert open_2020.justice.appraiser == appraiser
    assert open_2020.office.appraiser is None


@pytest.mark.parametrize(
    "who", ["reporter", "head", "district_head", "leader", "appraiser", "outsider", "citizen"]
)
def test_only_the_provinces_coordinator_opens_an_assessment(
    who: str, request: pytest.FixtureRequest, tree: Framework, lao_cai: LaoCai
) -> None:
    person: User = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        open_for(person, lao_cai.province, tree)
    assert not AssessedUnit.objects.exists()


def test_districts_are_assessed_in_years_before_the_2025_reorganisation_and_not_after(
    tree: Framework, lao_cai: LaoCai, coordinator: User
) -> None:
    for district in (lao_cai.city, lao_cai.bat_xat):
        orgs.close_organisation(district, by=coordinator, on=date(2025, 7, 1))
    assessment = actions.open_assessment(
        lao_cai.province,
        by=coordinator,
        framework=tree,
        year=2024,
        scope="districts",
        deadline=date(2025, 1, 15),
    )
    assert sorted(assessment.units.values_list("organisation__name", flat=True)) == [
        "UBND huyện Bát Xát",
        "UBND thành phố Lào Cai",
    ]
    with pytest.raises(ValidationError) as refused:
        open_for(coordinator, lao_cai.province, tree, scope="districts", year=2025)
    assert "31/12/2025" in str(refused.value)


def test_an_assessment_of_the_province_itself_has_one_unit(
    tree: Framework, lao_cai: LaoCai, coordinator: User
) -> None:
    assessment = open_for(coordinator, lao_cai.province, tree, scope="province")
    assert [u.organisation for u in assessment.units.all()] == [lao_cai.province]


def test_a_draft_tree_cannot_be_assessed_with(lao_cai: LaoCai, coordinator: User) -> None:
    spec = small_tree("nhap")
    spec.nodes = spec.nodes[:-1]  # domain 2 now sums to 2 of its 4 points: a gap
    framework = methodology.import_framework(
        ImportResult(spec),
        by=None,
        province=lao_cai.province,
    )
    assert not framework.is_valid
    with pytest.raises(ValidationError, match="draft"):
        open_for(coordinator, lao_cai.province, framework)


def test_a_tree_is_used_only_in_the_years_it_applies_to(
    tree: Framework, lao_cai: LaoCai, coordinator: User
) -> None:
    with pytest.raises(ValidationError, match="2018"):
        open_for(coordinator, lao_cai.province, tree, year=2018)


def test_the_same_assessment_is_not_opened_twice(
    open_2020: Open2020, tree: Framework, lao_cai: LaoCai, coordinator: User
) -> None:
    with pytest.raises(ValidationError, match="already open"):
        open_for(coordinator, lao_cai.province, tree)


def test_another_provinces_tree_is_refused(
    lao_cai: LaoCai, other_province: Organisation, coordinator: User
) -> None:
    theirs = import_tree(other_province, small_tree("yen-bai-tree"))
    with pytest.raises(ValidationError, match="another province"):
        open_for(coordinator, lao_cai.province, theirs)


def test_an_appraiser_must_hold_the_appraiser_role(
    tree: Framework, lao_cai: LaoCai, coordinator: User, reporter: User
) -> None:
    with pytest.raises(ValidationError, match="not an appraiser"):
        actions.open_assessment(
            lao_cai.province,
            by=coordinator,
            framework=tree,
            year=2020,
            scope="departments",
            deadline=date(2021, 1, 15),
            appraisers={lao_cai.office.pk: reporter},
        )


def test_classes_are_stored_best_first_and_checked(open_2020: Open2020, coordinator: User) -> None:
    classes: list[dict[str, object]] = [
        {"label": "Tốt", "min": "85,5"},
        {"label": "Chưa tốt", "min": 0},
    ]
    updated = actions.update_assessment(open_2020.assessment, by=coordinator, classes=classes)
    assert updated.classes == [{"label": "Tốt", "min": "85.5"}, {"label": "Chưa tốt", "min": "0"}]
    for bad in (
        [{"label": "Tốt", "min": "50"}, {"label": "Khá", "min": "70"}],
        [{"label": "Tốt", "min": "120"}],
        [{"label": "", "min": "10"}],
        [{"label": "Tốt", "min": "mười"}],
        [],
    ):
        with pytest.raises(ValidationError):
            actions.update_assessment(open_2020.assessment, by=coordinator, classes=bad)


def test_a_leader_cannot_change_an_assessment(open_2020: Open2020, leader: User) -> None:
    with pytest.raises(PermissionDenied):
        actions.update_assessment(open_2020.assessment, by=leader, title="Đổi tên")


def test_the_kind_of_units_follows_the_scope(lao_cai: LaoCai) -> None:
    communes = actions.units_in_scope(lao_cai.province, "communes", date(2020, 12, 31))
    assert [c.kind for c in communes] == [OrgKind.COMMUNE]


def test_messages_are_in_vietnamese_by_default(
    tree: Framework, lao_cai: LaoCai, coordinator: User
) -> None:
    from django.utils import translation

    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        open_for(coordinator, lao_cai.province, tree, year=2018)
    assert refused.value.message_dict["year"] == ["Bộ tiêu chí này không áp dụng cho năm 2018."]


def test_the_shipped_illustrative_tree_assesses_2020s_districts(
    lao_cai: LaoCai, coordinator: User
) -> None:
    from parindex.assessment.reading import results_of
    from tests.plans.support import illustrative_tree

    framework = illustrative_tree(lao_cai.province)
    assessment = actions.open_assessment(
        lao_cai.province,
        by=coordinator,
        framework=framework,
        year=2020,
        scope="districts",
        deadline=date(2021, 1, 15),
    )
    unit = assessment.units.get(organisation=lao_cai.city)
    leaves = Entry.objects.filter(unit=unit).count()
    assert leaves == framework.nodes.filter(children__isnull=True).count()
    computed = results_of(assessment)
    assert computed.maximum == 100
    assert [r.rank for r in computed.units] == [1, 1]
    assert {r.classification for r in computed.units} == {"Yếu"}
