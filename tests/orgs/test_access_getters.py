"""The per-object getters of the access rule: what a person may not see is not found, exactly as
what does not exist, and the `can_*` rules live in the access module."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.http import Http404

from parindex.orgs import access
from parindex.orgs.models import User
from parindex.reporting import actions
from parindex.reporting.models import Report, Round
from tests.conftest import LaoCai
from tests.web.reporting_data import SmallPlan

Getter = Callable[[Any, Any], Any]


@pytest.mark.parametrize(
    "getter",
    [access.report_for, access.round_for, access.plan_for, access.evidence_for],
    ids=lambda g: g.__name__,
)
def test_a_missing_object_and_one_out_of_reach_read_alike(
    getter: Getter, outsider: User, coordinator: User, justice_report: Report
) -> None:
    for pk in (justice_report.pk, 10**9, "x"):
        with pytest.raises(access.NotFound):
            getter(outsider, pk)
    # NotFound is an Http404, so views and the API answer 404 without more code.
    assert issubclass(access.NotFound, Http404)


def test_each_getter_returns_what_its_queryset_holds(
    coordinator: User,
    reporter: User,
    appraiser: User,
    justice_report: Report,
    office_report: Report,
    q4: Round,
    small_plan: SmallPlan,
    lao_cai: LaoCai,
) -> None:
    assert access.report_for(reporter, justice_report.pk) == justice_report
    with pytest.raises(access.NotFound):
        access.report_for(reporter, office_report.pk)
    with pytest.raises(access.NotFound):  # a draft is not the appraiser's to read
        access.report_for(appraiser, justice_report.pk)
    assert access.round_for(reporter, q4.pk) == q4  # Sở Tư pháp reports in it
    assert access.plan_for(reporter, small_plan.plan.pk) == small_plan.plan
    item = justice_report.items.first()
    assert item is not None
    assert access.item_for(reporter, justice_report, item.pk) == item
    with pytest.raises(access.NotFound):  # an item of another report
        other = office_report.items.first()
        assert other is not None
        access.item_for(reporter, justice_report, other.pk)
    assert access.province_for(coordinator, lao_cai.province.pk) == lao_cai.province
    with pytest.raises(access.NotFound):
        access.province_for(coordinator, lao_cai.justice.pk)  # an agency, not a province


def test_the_actions_check_the_rules_of_the_access_module() -> None:
    checked = vars(actions)
    for rule in ("can_edit", "can_submit", "can_review"):
        assert checked[rule] is getattr(access, rule)
