"""A small plan of the cast province to report on, and helpers that fill reports through the actions.

    Kế hoạch 9/KH-UBND (Lào Cai, 2020)
    1. Tổ chức tập huấn CCHC               lead Văn phòng UBND, with Sở Tư pháp     (no quantity)
    2. Hồ sơ giải quyết đúng hạn ≥ 90 %    lead Sở Tư pháp, with UBND TP Lào Cai    (a rate)
    3. Số hoá ít nhất 10 thủ tục           lead Sở Tư pháp                          (a count)
    4. Tổng kết năm                        lead Văn phòng UBND, reported yearly only

Rounds are opened for the second quarter of 2020, due 05/07/2020.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from parindex.orgs.models import Organisation, User
from parindex.plans.models import (
    Area,
    Comparator,
    Plan,
    Quantity,
    QuantityUnit,
    Responsibility,
    Target,
    TargetAgency,
)
from parindex.reporting import actions
from parindex.reporting.models import Item, PeriodKind, Report, ReviewStatus, Round, Value
from tests.conftest import LaoCai

DEADLINE = date(2020, 7, 5)
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def at(day: date, hour: int = 10) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=LOCAL)


@dataclass(frozen=True)
class SmallPlan:
    plan: Plan
    training: Target
    on_time: Target
    digitised: Target
    yearly: Target
    on_time_rate: Quantity
    digitised_count: Quantity


def make_plan(province: Organisation, agencies: dict[str, Organisation]) -> SmallPlan:
    """The plan above; `agencies` maps justice, office and city to organisations."""
    plan = Plan.objects.create(
        province=province, number="9/KH-UBND", year=2020, title="Kế hoạch CCHC năm 2020"
    )
    area = Area.objects.create(plan=plan, number="1", title="Cải cách hành chính")
    quarterly = ["quarter", "half_year", "year"]

    def target(text: str, position: int, periods: list[str]) -> Target:
        return Target.objects.create(
            plan=plan, area=area, text=text, position=position, periods=periods
        )

    training = target("Tổ chức tập huấn nghiệp vụ CCHC", 0, quarterly)
    on_time = target("Tỷ lệ hồ sơ giải quyết đúng hạn đạt từ 90% trở lên", 1, quarterly)
    digitised = target("Số hoá ít nhất 10 thủ tục hành chính", 2, quarterly)
    yearly = target("Tổng kết công tác CCHC năm 2020", 3, ["year"])
    rate = Quantity.objects.create(
        target=on_time,
        subject="hồ sơ giải quyết đúng hạn",
        comparator=Comparator.GE,
        value=Decimal(90),
        unit=QuantityUnit.PERCENT,
    )
    count = Quantity.objects.create(
        target=digitised,
        subject="thủ tục được số hoá",
        comparator=Comparator.GE,
        value=Decimal(10),
        unit=QuantityUnit.COUNT,
    )
    lead, coordinating = Responsibility.LEAD, Responsibility.COORDINATING
    for duty_target, agency, responsibility in [
        (training, agencies["office"], lead),
        (training, agencies["justice"], coordinating),
        (on_time, agencies["justice"], lead),
        (on_time, agencies["city"], coordinating),
        (digitised, agencies["justice"], lead),
        (yearly, agencies["office"], lead),
    ]:
        TargetAgency.objects.create(
            target=duty_target, organisation=agency, responsibility=responsibility
        )
    return SmallPlan(plan, training, on_time, digitised, yearly, rate, count)


@pytest.fixture
def small_plan(lao_cai: LaoCai) -> SmallPlan:
    return make_plan(
        lao_cai.province,
        {"justice": lao_cai.justice, "office": lao_cai.office, "city": lao_cai.city},
    )


def open_quarter(plan: Plan, *, by: User | None = None, deadline: date = DEADLINE) -> Round:
    return actions.open_round(
        plan, by=by, kind=PeriodKind.QUARTER, number=2, deadline=deadline, notify=False
    )


@pytest.fixture
def round_(small_plan: SmallPlan) -> Round:
    return open_quarter(small_plan.plan)


def report_of(round_: Round, agency: Organisation) -> Report:
    return Report.objects.select_related("round", "agency").get(round=round_, agency=agency)


def value_of(report: Report, quantity: Quantity) -> Value:
    return Value.objects.select_related("quantity").get(item__report=report, quantity=quantity)


def fill(
    report: Report,
    by: User | None = None,
    *,
    counts: dict[Quantity, tuple[int | None, int | None]] | None = None,
    status: str = "on_track",
    description: str = "Đã triển khai theo kế hoạch.",
) -> tuple[Report, dict[str, str]]:
    """Save a status on every open item and `counts` for their quantities, through the action
    (accepted items are frozen: the form does not send them)."""
    report.refresh_from_db()
    inputs: dict[int, actions.ItemInput] = {
        item.pk: actions.ItemInput(status=status, description=description)
        for item in Item.objects.filter(report=report).exclude(review=ReviewStatus.ACCEPTED)
    }
    for quantity, (numerator, denominator) in (counts or {}).items():
        value = value_of(report, quantity)
        if value.item_id not in inputs:
            continue
        inputs[value.item_id].values[value.pk] = (
            None if numerator is None else Decimal(numerator),
            None if denominator is None else Decimal(denominator),
        )
    return actions.save_report(report, by=by, version=report.version, items=inputs)


def filled(
    report: Report,
    by: User | None = None,
    *,
    counts: dict[Quantity, tuple[int | None, int | None]] | None = None,
    status: str = "on_track",
) -> Report:
    """`fill` that must succeed."""
    saved, errors = fill(report, by, counts=counts, status=status)
    assert not errors, errors
    return saved
