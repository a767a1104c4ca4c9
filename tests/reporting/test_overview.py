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
    Measure,
    Plan,
    Quantity,
    QuantityUnit,
    Responsibility,
    Target,
    TargetAgency,
)
from parindex.reporting import actions, overview, progress
from parindex.reporting.models import PeriodKind, Round
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


def add_target(plan: Plan, agency: Organisation, text: str, **quantity: object) -> Quantity:
    """A target of the small plan that `agency` leads, with one quantity."""
    target = Target.objects.create(
        plan=plan,
        area=plan.areas.get(),
        text=text,
        position=plan.targets.count(),
        periods=["quarter", "half_year", "year"],
    )
    TargetAgency.objects.create(
        target=target, organisation=agency, responsibility=Responsibility.LEAD
    )
    return Quantity.objects.create(target=target, subject=text, **quantity)


def quantity_row(view: overview.Overview, quantity: Quantity) -> overview.QuantityRow:
    return next(q for row in view.targets for q in row.quantities if q.quantity == quantity)


def target_row(view: overview.Overview, target: Target) -> overview.TargetRow:
    return next(row for row in view.targets if row.target == target)


def open_year(plan: Plan) -> Round:
    return actions.open_round(
        plan, by=None, kind=PeriodKind.YEAR, deadline=date(2021, 1, 15), notify=False
    )


@pytest.mark.parametrize(
    ("collected", "planned", "yearly", "expected"),
    [
        # 26 % of the plan collected is not "exceeding the plan by 4 %", at no time of year.
        (1300, 5000, False, progress.Light.RED),
        (1300, 5000, True, progress.Light.RED),
        # By 30/06 the path to 104 % is 52 %; by 31/12 it is 104 %.
        (2650, 5000, False, progress.Light.GREEN),
        (2650, 5000, True, progress.Light.RED),
        (5250, 5000, True, progress.Light.GREEN),
    ],
)
def test_a_budget_to_exceed_by_4_percent_is_judged_on_collected_over_planned(
    collected: int,
    planned: int,
    yearly: bool,
    expected: progress.Light,
    small_plan: SmallPlan,
    lao_cai: LaoCai,
    head: User,
) -> None:
    budget = add_target(
        small_plan.plan,
        lao_cai.justice,
        "Thu ngân sách vượt chỉ tiêu từ 4% trở lên so với Kế hoạch",
        comparator=Comparator.GE,
        value=Decimal(4),
        unit=QuantityUnit.PERCENT,
        relative_kind="plan",
        measure=Measure.ABOVE_REFERENCE,
    )
    round_ = open_year(small_plan.plan) if yearly else open_quarter(small_plan.plan)
    justice = filled(report_of(round_, lao_cai.justice), counts={budget: (collected, planned)})
    actions.submit_report(justice, by=head, at=at(round_.deadline))
    row = quantity_row(overview.build(round_, today=round_.deadline), budget)
    assert row.aggregate.value == Decimal(collected) * 100 / Decimal(planned)
    assert row.light == expected


@pytest.mark.parametrize(
    ("digitised", "yearly", "expected"),
    [
        # At least 10 by the year end: 5 by 30/06 is on the path, 4 is not.
        (5, False, progress.Light.GREEN),
        (4, False, progress.Light.RED),
        (5, True, progress.Light.RED),
        (10, True, progress.Light.GREEN),
    ],
)
def test_a_yearly_count_is_held_to_the_pro_rated_path_at_mid_year(
    digitised: int,
    yearly: bool,
    expected: progress.Light,
    small_plan: SmallPlan,
    lao_cai: LaoCai,
    head: User,
) -> None:
    round_ = open_year(small_plan.plan) if yearly else open_quarter(small_plan.plan)
    counts: dict[Quantity, tuple[int | None, int | None]] = {
        small_plan.digitised_count: (digitised, None)
    }
    justice = filled(report_of(round_, lao_cai.justice), counts=counts)
    actions.submit_report(justice, by=head, at=at(round_.deadline))
    view = overview.build(round_, today=round_.deadline)
    assert quantity_row(view, small_plan.digitised_count).light == expected
    assert target_row(view, small_plan.digitised).light == expected


def test_the_index_score_is_not_yet_due_at_mid_year_but_the_rate_is_judged_as_it_is(
    small_plan: SmallPlan, lao_cai: LaoCai, head: User
) -> None:
    score = add_target(
        small_plan.plan,
        lao_cai.justice,
        "Chỉ số CCHC đạt tổng số điểm từ 90 trở lên",
        comparator=Comparator.GE,
        value=Decimal(90),
        unit=QuantityUnit.POINTS,
    )
    round_ = open_quarter(small_plan.plan)
    counts: dict[Quantity, tuple[int | None, int | None]] = {
        score: (70, None),
        small_plan.on_time_rate: (80, 100),
    }
    justice = filled(report_of(round_, lao_cai.justice), counts=counts)
    actions.submit_report(justice, by=head, at=at(DEADLINE))
    view = overview.build(round_, today=AFTER)
    assert quantity_row(view, score).light == progress.Light.NOT_DUE
    assert target_row(view, score.target).light == progress.Light.NOT_DUE
    assert quantity_row(view, small_plan.on_time_rate).light == progress.Light.RED


def test_a_target_whose_figures_nobody_gave_is_grey_not_red_for_a_not_started_status(
    small_plan: SmallPlan, lao_cai: LaoCai, head: User
) -> None:
    round_ = open_quarter(small_plan.plan)
    justice = filled(report_of(round_, lao_cai.justice), status="not_started")
    actions.submit_report(justice, by=head, at=at(DEADLINE))
    view = overview.build(round_, today=AFTER)
    assert target_row(view, small_plan.digitised).statuses == {"not_started": 1}
    assert target_row(view, small_plan.digitised).light == progress.Light.NONE
    # A target without figures to give is still judged on the statuses its agencies gave.
    assert target_row(view, small_plan.training).light == progress.Light.RED


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


# Targets with their areas, their quantities, the items counted per target and state, the sums
# per quantity.
SUMMARY_QUERIES = 4


@pytest.mark.parametrize("size", [3, 30])
def test_the_summary_takes_the_same_number_of_queries_for_3_or_30_agencies(
    size: int, lao_cai: LaoCai, django_assert_num_queries: DjangoAssertNumQueries
) -> None:
    # Read with its plan, as the screen reads it (`access.round_for`).
    round_ = Round.objects.select_related("plan").get(pk=province_of(size, lao_cai).pk)
    reports = list(round_.reports.select_related("agency"))
    with django_assert_num_queries(SUMMARY_QUERIES):
        summary = overview.summarise(round_, today=AFTER, reports=reports)
    rate_line = summary.targets[0]
    assert rate_line.states == {"submitted": (size + 1) // 2, "missing": size // 2}
    assert (rate_line.agencies, rate_line.reported) == (size, (size + 1) // 2)


def test_the_summary_gives_the_province_values_and_lights_of_the_full_reading(
    small_plan: SmallPlan, lao_cai: LaoCai, head: User, district_head: User
) -> None:
    round_ = open_quarter(small_plan.plan)
    rate, count = small_plan.on_time_rate, small_plan.digitised_count
    justice = filled(report_of(round_, lao_cai.justice), counts={rate: (60, 66), count: (2, None)})
    actions.submit_report(justice, by=head, at=at(DEADLINE))
    city = filled(report_of(round_, lao_cai.city), counts={rate: (39, 44)})
    actions.submit_report(city, by=district_head, at=at(DEADLINE))
    # A draft's counts are left out of both; an empty denominator leaves a pair out.
    filled(report_of(round_, lao_cai.office), status="not_started")
    full = overview.build(round_, today=AFTER)
    summary = overview.summarise(round_, today=AFTER, reports=list(round_.reports.all()))
    assert [line.target.pk for line in summary.targets] == [row.target.pk for row in full.targets]
    for line, row in zip(summary.targets, full.targets, strict=True):
        assert (line.light, line.statuses) == (row.light, row.statuses)
        assert [(q.aggregate, q.light) for q in line.quantities] == [
            (q.aggregate, q.light) for q in row.quantities
        ]
    assert summary.counts == full.counts
    [digitised] = {line.target.pk: line for line in summary.targets}[
        small_plan.digitised.pk
    ].quantities
    assert digitised.aggregate.value == Decimal(2)
