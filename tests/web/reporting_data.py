"""A small plan of Lào Cai's to report on, shared by the reporting screen, API and browser tests.

1. Công tác chỉ đạo, điều hành
   Tổ chức tập huấn CCHC                  VP UBND leads, Sở Tư pháp coordinates
2. Cải cách thủ tục hành chính
   Hồ sơ giải quyết đúng hạn ≥ 90 %       Sở Tư pháp and VP UBND lead
   Thủ tục được số hoá ≥ 10 (count)       Sở Tư pháp leads
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import pytest
from django.test import override_settings
from django.utils import timezone

from parindex.orgs.models import Organisation, User
from parindex.plans.models import Area, Plan, Quantity, Responsibility, Target, TargetAgency
from parindex.reporting import actions
from parindex.reporting.models import Item, Report, Round, Value

if TYPE_CHECKING:
    from tests.conftest import LaoCai


@dataclass(frozen=True)
class SmallPlan:
    plan: Plan
    training: Target
    on_time: Target
    digitised: Target
    on_time_rate: Quantity
    digitised_count: Quantity


def make_plan(province: Organisation, justice: Organisation, office: Organisation) -> SmallPlan:
    year = timezone.localdate().year
    plan = Plan.objects.create(
        province=province,
        number="15/KH-UBND",
        year=year,
        title=f"Kế hoạch cải cách hành chính năm {year}",
    )
    steering = Area.objects.create(
        plan=plan, number="1", title="Công tác chỉ đạo, điều hành", position=0
    )
    procedures = Area.objects.create(
        plan=plan, number="2", title="Cải cách thủ tục hành chính", position=1
    )
    training = Target.objects.create(
        plan=plan, area=steering, text="Tổ chức tập huấn nghiệp vụ CCHC", position=0
    )
    on_time = Target.objects.create(
        plan=plan,
        area=procedures,
        text="Tỷ lệ hồ sơ thủ tục hành chính giải quyết đúng hạn đạt từ 90% trở lên",
        position=1,
    )
    digitised = Target.objects.create(
        plan=plan,
        area=procedures,
        text="Số hoá ít nhất 10 thủ tục hành chính thuộc thẩm quyền",
        position=2,
    )
    rate = Quantity.objects.create(
        target=on_time,
        subject="Tỷ lệ hồ sơ giải quyết đúng hạn",
        comparator=">=",
        value=Decimal(90),
        unit="percent",
    )
    count = Quantity.objects.create(
        target=digitised,
        subject="Số thủ tục được số hoá",
        comparator=">=",
        value=Decimal(10),
        unit="count",
    )
    for target, agency, responsibility in [
        (training, office, Responsibility.LEAD),
        (training, justice, Responsibility.COORDINATING),
        (on_time, justice, Responsibility.LEAD),
        (on_time, office, Responsibility.LEAD),
        (digitised, justice, Responsibility.LEAD),
    ]:
        TargetAgency.objects.create(
            target=target, organisation=agency, responsibility=responsibility
        )
    return SmallPlan(plan, training, on_time, digitised, rate, count)


def open_quarter(plan: Plan, number: int, deadline: date, *, by: User | None = None) -> Round:
    return actions.open_round(
        plan, by=by, kind="quarter", number=number, deadline=deadline, notify=False
    )


def report_of(round_: Round, agency: Organisation) -> Report:
    return Report.objects.select_related("round", "agency").get(round=round_, agency=agency)


def item_of(report: Report, target: Target) -> Item:
    return Item.objects.get(report=report, target=target)


def value_of(report: Report, quantity: Quantity) -> Value:
    return Value.objects.select_related("quantity").get(item__report=report, quantity=quantity)


def fill(
    report: Report,
    by: User | None,
    *,
    counts: dict[Value, tuple[str | None, str | None]],
    status: str = "on_track",
) -> Report:
    """Save counts (and a progress status on every item) through the action, as a reporter."""
    report.refresh_from_db()
    inputs: dict[int, actions.ItemInput] = {}
    for item in report.items.all():
        inputs[item.pk] = actions.ItemInput(status=status, description="Đã triển khai")
    for value, (numerator, denominator) in counts.items():
        inputs[value.item_id].values[value.pk] = (
            None if numerator is None else Decimal(numerator),
            None if denominator is None else Decimal(denominator),
        )
    saved, errors = actions.save_report(report, by=by, version=report.version, items=inputs)
    assert not errors, errors
    return saved


# --- fixtures shared by the reporting screen and API tests (registered in tests/conftest.py) --


@pytest.fixture
def small_plan(lao_cai: LaoCai) -> SmallPlan:
    return make_plan(lao_cai.province, lao_cai.justice, lao_cai.office)


@pytest.fixture
def q4(small_plan: SmallPlan) -> Round:
    """This year's fourth quarter, due in the new year."""
    return open_quarter(small_plan.plan, 4, date(small_plan.plan.year + 1, 1, 10))


@pytest.fixture
def justice_report(q4: Round, lao_cai: LaoCai) -> Report:
    return report_of(q4, lao_cai.justice)


@pytest.fixture
def office_report(q4: Round, lao_cai: LaoCai) -> Report:
    return report_of(q4, lao_cai.office)


@pytest.fixture
def media(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Evidence files of one test in a folder of their own."""
    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("evidence")):
        yield
