"""Who sees which assessment and which unit's self-assessment, before and after publication."""

from __future__ import annotations

import pytest
from django.http import Http404

from parindex.assessment import actions
from parindex.orgs import access
from parindex.orgs.models import User
from tests.assessment.conftest import Open2020, complete, fresh

ALL = {"justice", "office", "home_affairs"}


def visible_units(person: User, open_2020: Open2020) -> set[str]:
    names = {
        open_2020.justice.pk: "justice",
        open_2020.office.pk: "office",
        open_2020.home_affairs.pk: "home_affairs",
    }
    return {names[pk] for pk in access.units_for(person).values_list("pk", flat=True)}


def publish(open_2020: Open2020, coordinator: User) -> None:
    for unit in (open_2020.justice, open_2020.office, open_2020.home_affairs):
        complete(unit, None)
        actions.submit_unit(fresh(unit), by=None)
        actions.finish_unit_appraisal(fresh(unit), by=coordinator)
    actions.close_appraisal(open_2020.assessment, by=coordinator)
    actions.publish_results(open_2020.assessment, by=coordinator)


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("coordinator", ALL),
        ("leader", ALL),
        ("appraiser", {"justice"}),
        ("reporter", {"justice"}),
        ("head", {"justice"}),
        ("other_reporter", {"office"}),
        ("district_head", set()),
        ("outsider", set()),
        ("citizen", set()),
    ],
)
def test_before_publication_each_role_sees_only_its_units(
    open_2020: Open2020, who: str, sees: set[str], request: pytest.FixtureRequest
) -> None:
    person: User = request.getfixturevalue(who)
    assert visible_units(person, open_2020) == sees


def test_a_unit_cannot_open_another_units_self_assessment_before_publication(
    open_2020: Open2020, reporter: User
) -> None:
    with pytest.raises(Http404):
        access.unit_for(reporter, open_2020.office.pk)
    assert access.unit_for(reporter, open_2020.justice.pk) == open_2020.justice


def test_an_appraiser_sees_only_the_units_assigned_to_them(
    open_2020: Open2020, appraiser: User
) -> None:
    with pytest.raises(Http404):
        access.unit_for(appraiser, open_2020.office.pk)
    assert not access.can_read_results(appraiser, open_2020.assessment)


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("reporter", ALL),
        ("other_reporter", ALL),
        ("district_head", ALL),
        ("appraiser", ALL),
        ("outsider", set()),
        ("citizen", set()),
    ],
)
def test_after_publication_everyone_in_the_province_sees_every_unit_and_the_ranking(
    open_2020: Open2020, coordinator: User, who: str, sees: set[str], request: pytest.FixtureRequest
) -> None:
    person: User = request.getfixturevalue(who)
    publish(open_2020, coordinator)
    assert visible_units(person, open_2020) == sees
    assert access.can_read_results(person, fresh(open_2020.justice).assessment) == bool(sees)


def test_the_ranking_is_for_coordinators_and_leaders_until_published(
    open_2020: Open2020, coordinator: User, leader: User, reporter: User
) -> None:
    assessment = open_2020.assessment
    assert access.can_read_results(coordinator, assessment)
    assert access.can_read_results(leader, assessment)
    assert not access.can_read_results(reporter, assessment)


def test_the_assessment_is_listed_to_those_who_take_part_in_it(
    open_2020: Open2020, reporter: User, district_head: User, outsider: User, appraiser: User
) -> None:
    assert list(access.assessments_for(reporter)) == [open_2020.assessment]
    assert list(access.assessments_for(appraiser)) == [open_2020.assessment]
    assert list(access.assessments_for(district_head)) == []
    assert list(access.assessments_for(outsider)) == []


def test_documents_follow_their_unit(
    open_2020: Open2020, reporter: User, other_reporter: User
) -> None:
    document = actions.add_document(fresh(open_2020.justice), by=reporter, number="12/KH-STP")
    assert access.document_for(reporter, document.pk) == document
    with pytest.raises(Http404):
        access.document_for(other_reporter, document.pk)


def test_a_units_history_is_read_by_whoever_reads_its_self_assessment(
    open_2020: Open2020, reporter: User, other_reporter: User, appraiser: User, leader: User
) -> None:
    from parindex.assessment.actions import EntryInput
    from tests.assessment.conftest import save

    save(open_2020.justice, reporter, _2_1=EntryInput(value="3"))
    unit = fresh(open_2020.justice)
    for person in (reporter, appraiser, leader):
        assert [e.action for e in access.history_of(person, unit)] == ["assessment.unit.save"]
    assert not access.history_of(other_reporter, unit).exists()
