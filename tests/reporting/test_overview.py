"""The round overview: states, province values from submitted counts, a fixed number of queries."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pytest_django import DjangoAssertNumQueries

from parindex.orgs import actions as org_actions
from parindex.orgs.models import Organisation, OrgKind, User
from parindex.plans.models import (
    Comparator,
    Plan,
    Quantity,
    QuantityUnit,
    Responsibility,
    Target,
    TargetAgency,
)
from parindex.reporting import actions, overview, progress
from parindex.reporting.models import Round
from tests.conftest import LaoCai
from tests.reporting.conftest import DEADLINE, SmallPlan, at, filled, open_quarter, report_of

AFTER = date(2020, 7, 20)


def test_the_province_rate_adds_the_submitted_counts_and_leaves_drafts_out(
    small_plan: SmallPlan, lao_cai: LaoCai, head: User, district_head: User
) -> None:
    round_ = open_quarter(small_plan.plan)
    rate, count = small_plan.on_time_rate, small_plan.digitised_count
    justice = filled(report_of(round_, lao_cai.justice), counts={rate: (60, 66), count: (4, None)})
    actions.submit_report(justice, by=head, at=at(DEADLINE))
    city = filled(report_of(round_, lao_cai.city), counts={rate: (39, 44)})
    actions.submit_report(city, by=district_head, at=at(DEADLINE))
    # The office's training item stays a draft.
    filled(report_of(round_, lao_cai.office), status="not_started")
    view = overview.build(round_, today=AFTER)
    rows = {row.target.pk: row for row in view.targets}
    [on_time] = rows[small_plan.on_time.pk].quantities
    # 60/66 and 39/44: 99/110 = 90 %, green against ≥ 90 %.
    assert (on_time.aggregate.numerator, on_time.aggregate.denominator) == (
        Decimal(99),
        Decimal(110),
    )
    assert on_time.aggregate.value == Decimal(90)
    assert on_time.light == progress.Light.GREEN
    assert len(on_time.by_agency) == 2
    [digitised] = rows[small_plan.digitised.pk].quantities
    assert (digitised.aggregate.value, digitised.light) == (Decimal(4), progress.Light.RED)
    # The draft's "not started" does not count; the justice's "on track" does.
    assert rows[small_plan.training.pk].statuses == {"on_track": 1}
    assert rows[small_plan.training.pk].light == progress.Light.GREEN
    assert view.counts == {"submitted": 2, "missing": 1}
    assert overview.value_text(on_time.aggregate.value) == "90"


def test_a_target_nobody_reported_on_has_no_light(small_plan: SmallPlan) -> None:
    round_ = open_quarter(small_plan.plan)
    view = overview.build(round_, today=DEADLINE)
    assert {row.light for row in view.targets} == {progress.Light.NONE}
    assert view.counts == {"draft": 3}


def province_of(size: int, lao_cai: LaoCai) -> Round:
    """A plan of three targets (a rate, a count, a status) shared by `size` departments, each
    with its report filled; every other one submitted."""
    agencies: list[Organisation] = [
        org_actions.create_organisation(
            by=None,
            province=lao_cai.province,
            kind=OrgKind.DEPARTMENT,
            name=f"Sở thử nghiệm {n:02d}",
            code=f"so-thu-nghiem-{n:02d}",
        )
        for n in range(size)
    ]
    plan = Plan.objects.create(province=lao_cai.province, number="8/KH-UBND", year=2020, title="KH")
    targets = [Target.objects.create(plan=plan, text=f"Nhiệm vụ {n}", position=n) for n in range(3)]
    rate = Quantity.objects.create(
        target=targets[0],
        subject="tỷ lệ",
        comparator=Comparator.GE,
        value=Decimal(90),
        unit=QuantityUnit.PERCENT,
    )
    count = Quantity.objects.create(
        target=targets[1],
        subject="số",
        comparator=Comparator.GE,
        value=Decimal(5),
        unit=QuantityUnit.COUNT,
    )
    TargetAgency.objects.bulk_create(
        TargetAgency(
            target=target,
            organisation=agency,
            responsibility=Responsibility.LEAD if n == 0 else Responsibility.COORDINATING,
        )
        for target in targets
        for n, agency in enumerate(agencies)
    )
    round_ = open_quarter(plan)
    for n, agency in enumerate(agencies):
        report = filled(
            report_of(round_, agency), counts={rate: (90 + n % 10, 100), count: (n % 3, None)}
        )
        if n % 2 == 0:
            actions.submit_report(report, by=None, at=at(DEADLINE))
    return round_


# Reports, the plan, its targets, their quantities, the items, the values: whatever the size.
OVERVIEW_QUERIES = 6


@pytest.mark.parametrize("size", [3, 30])
def test_the_overview_takes_the_same_number_of_queries_for_3_or_30_agencies(
    size: int, lao_cai: LaoCai, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    round_ = Round.objects.get(pk=province_of(size, lao_cai).pk)
    with django_assert_num_queries(OVERVIEW_QUERIES):
        view = overview.build(round_, today=AFTER)
    assert len(view.reports) == size
    assert view.counts == {"submitted": (size + 1) // 2, "missing": size // 2}
    [rate_row] = view.targets[0].quantities
    assert rate_row.aggregate.reporting == (size + 1) // 2
