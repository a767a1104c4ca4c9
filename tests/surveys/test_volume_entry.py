"""Dossier volumes entered one by one (the screen's grid): the same checks as a volumes table,
each refusal keyed by its agency and period, nothing saved when one is bad, a blank removing a
volume, and only the province's coordinators entering them."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parindex.orgs.models import AuditEntry, User
from parindex.surveys import actions
from parindex.surveys.models import Survey, Volume


def stored(survey: Survey) -> set[tuple[str, str, int]]:
    return set(
        Volume.objects.filter(survey=survey).values_list("agency__code", "period", "dossiers")
    )


def test_entered_volumes_are_set_and_replace_earlier_ones(
    survey: Survey, coordinator: User
) -> None:
    actions.set_volumes(survey, by=coordinator, entries={("so-tu-phap", "all"): "500"})
    count = actions.set_volumes(
        survey,
        by=coordinator,
        entries={("so-tu-phap", "all"): "1.234", ("so-tu-phap", "2020Q3"): "7"},
    )
    assert count == 2
    assert stored(survey) == {("so-tu-phap", "all", 1234), ("so-tu-phap", "2020Q3", 7)}
    entry = AuditEntry.objects.filter(action="surveys.volumes.set").latest("pk")
    assert entry.actor == coordinator
    assert entry.changes["volumes"] == {"so-tu-phap:all": 1234, "so-tu-phap:2020Q3": 7}


def test_a_blank_entry_removes_the_volume(survey: Survey, coordinator: User) -> None:
    actions.set_volumes(
        survey, by=coordinator, entries={("so-tu-phap", "all"): "500", ("vp-ubnd", "all"): "9"}
    )
    actions.set_volumes(survey, by=coordinator, entries={("so-tu-phap", "all"): " "})
    assert stored(survey) == {("vp-ubnd", "all", 9)}


def test_bad_entries_are_refused_by_agency_and_period_and_nothing_is_saved(
    survey: Survey, coordinator: User
) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.set_volumes(
            survey,
            by=coordinator,
            entries={
                ("so-tu-phap", "all"): "500",
                ("vp-ubnd", "2020Q2"): "-3",
                ("so-tu-phap", "2019Q4"): "10",
                ("so-khong-co", "all"): "10",
            },
        )
    problems = refused.value.message_dict
    assert problems["vp-ubnd:2020Q2"] == ["dossiers “-3” is not a whole number from 0."]
    assert problems["so-tu-phap:2019Q4"] == [
        "the period “2019Q4” is not a quarter of the survey (2020Q2)."
    ]
    assert problems["so-khong-co:all"] == ["no agency of the province has the code “so-khong-co”."]
    assert "so-tu-phap:all" not in problems
    assert not Volume.objects.exists()
    assert not AuditEntry.objects.filter(action="surveys.volumes.set").exists()


def test_only_the_provinces_coordinators_enter_volumes(
    survey: Survey, reporter: User, leader: User, outsider: User
) -> None:
    for person in (reporter, leader, outsider):
        with pytest.raises(PermissionDenied):
            actions.set_volumes(survey, by=person, entries={("so-tu-phap", "all"): "5"})
    assert not Volume.objects.exists()
