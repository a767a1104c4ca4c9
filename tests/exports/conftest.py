"""A small plan of the cast province and a reporting round in which three agencies report:

    Kế hoạch 165/KH-UBND (Lào Cai, 2020)
    1. Công tác chỉ đạo, điều hành CCHC
       1.1. periodic reports                     lead Văn phòng UBND tỉnh, with Sở Tư pháp
    3. Cải cách thủ tục hành chính
       3.1. dossiers resolved on time ≥ 95 %     lead Sở Tư pháp, with Văn phòng, TP Lào Cai
       3.2. ≥ 10 procedures resolved jointly     lead UBND thành phố Lào Cai

In the round of quarter II, Sở Tư pháp submits on time (60/66 dossiers on time), Văn phòng UBND
tỉnh submits after the deadline (39/44), and the city never submits (a draft value of 4 stays
out of every province value). The province's rate is therefore 99/110 = 90,00 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from parindex.orgs.models import User
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
from parindex.reporting.models import Item, PeriodKind, Report, Round
from tests.conftest import LaoCai

PLAN_TITLE = (
    "Duy trì, cải thiện và nâng cao Chỉ số cải cách hành chính cấp tỉnh (PAR INDEX) "
    "của tỉnh Lào Cai năm 2020"
)
JUSTICE_DONE = "Đã giải quyết 60/66 hồ sơ đúng hạn; 6 hồ sơ quá hạn do phải xác minh thêm."
JUSTICE_NARRATIVE = "Quý II, Sở Tư pháp tập trung rà soát thủ tục hành chính."
OFFICE_DONE = "Tiếp nhận 44 hồ sơ tại Bộ phận Một cửa."
EVIDENCE_NAME = "bao-cao-quy-2.pdf"


@dataclass(frozen=True)
class SmallPlan:
    plan: Plan
    reports_duty: Target  # 1.1, no quantity
    on_time: Target  # 3.1, a rate
    on_time_rate: Quantity
    joint: Target  # 3.2, a count
    joint_count: Quantity


@pytest.fixture
def small_plan(lao_cai: LaoCai) -> SmallPlan:
    plan = Plan.objects.create(
        province=lao_cai.province,
        number="165/KH-UBND",
        date=date(2020, 6, 11),
        issuer="UBND tỉnh Lào Cai",
        signer="Đặng Xuân Phong",
        title=PLAN_TITLE,
        year=2020,
    )
    steering = Area.objects.create(
        plan=plan, number="1", title="Công tác chỉ đạo, điều hành CCHC", position=0
    )
    procedures = Area.objects.create(
        plan=plan, number="3", title="Cải cách thủ tục hành chính", position=1
    )
    reports_duty = Target.objects.create(
        plan=plan,
        area=steering,
        text="Thực hiện nghiêm túc chế độ báo cáo định kỳ về công tác CCHC.",
        position=0,
    )
    on_time = Target.objects.create(
        plan=plan,
        area=procedures,
        text="Tỷ lệ hồ sơ TTHC được giải quyết đúng hạn đạt từ 95% trở lên.",
        position=1,
    )
    joint = Target.objects.create(
        plan=plan,
        area=procedures,
        text="Có ít nhất 10 TTHC được giải quyết theo hình thức liên thông.",
        position=2,
    )
    on_time_rate = Quantity.objects.create(
        target=on_time,
        subject="hồ sơ TTHC được giải quyết đúng hạn",
        comparator=Comparator.GE,
        value=Decimal(95),
        unit=QuantityUnit.PERCENT,
    )
    joint_count = Quantity.objects.create(
        target=joint,
        subject="TTHC được giải quyết liên thông",
        comparator=Comparator.GE,
        value=Decimal(10),
        unit=QuantityUnit.COUNT,
    )
    lead, coordinating = Responsibility.LEAD, Responsibility.COORDINATING
    TargetAgency.objects.bulk_create(
        [
            TargetAgency(target=reports_duty, organisation=lao_cai.office, responsibility=lead),
            TargetAgency(
                target=reports_duty, organisation=lao_cai.justice, responsibility=coordinating
            ),
            TargetAgency(target=on_time, organisation=lao_cai.justice, responsibility=lead),
            TargetAgency(target=on_time, organisation=lao_cai.office, responsibility=coordinating),
            TargetAgency(target=on_time, organisation=lao_cai.city, responsibility=coordinating),
            TargetAgency(target=joint, organisation=lao_cai.city, responsibility=lead),
        ]
    )
    return SmallPlan(plan, reports_duty, on_time, on_time_rate, joint, joint_count)


def fill(
    report: Report,
    *,
    by: User | None,
    narrative: str = "",
    items: dict[Target, tuple[str, str, dict[Quantity, tuple[int, int | None]]]],
) -> Report:
    """Type into a report what `items` says: target → (status, description, values)."""
    inputs: dict[int, actions.ItemInput] = {}
    for item in Item.objects.filter(report=report).prefetch_related("values"):
        if item.target not in items:
            continue
        status, description, values = items[item.target]
        by_quantity = {v.quantity_id: v.pk for v in item.values.all()}
        inputs[item.pk] = actions.ItemInput(
            status=status,
            description=description,
            values={
                by_quantity[q.pk]: (Decimal(num), None if den is None else Decimal(den))
                for q, (num, den) in values.items()
            },
        )
    saved, errors = actions.save_report(
        report, by=by, version=report.version, narrative=narrative, items=inputs
    )
    assert not errors, errors
    return saved


@dataclass(frozen=True)
class FilledRound:
    round: Round
    plan: SmallPlan
    justice: Report
    office: Report
    city: Report


@pytest.fixture
def filled_round(
    small_plan: SmallPlan,
    lao_cai: LaoCai,
    coordinator: User,
    reporter: User,
    head: User,
    other_reporter: User,
) -> FilledRound:
    round_ = actions.open_round(
        small_plan.plan,
        by=coordinator,
        kind=PeriodKind.QUARTER,
        number=2,
        deadline=timezone.localdate() + timedelta(days=30),
        notify=False,
    )
    reports = {r.agency_id: r for r in round_.reports.all()}
    justice = fill(
        reports[lao_cai.justice.pk],
        by=reporter,
        narrative=JUSTICE_NARRATIVE,
        items={
            small_plan.reports_duty: ("done", "Gửi đầy đủ, đúng hạn các báo cáo.", {}),
            small_plan.on_time: ("on_track", JUSTICE_DONE, {small_plan.on_time_rate: (60, 66)}),
        },
    )
    item = Item.objects.get(report=justice, target=small_plan.on_time)
    actions.add_evidence(
        item,
        by=reporter,
        upload=SimpleUploadedFile(EVIDENCE_NAME, b"%PDF-1.4\n% bao cao\n", "application/pdf"),
    )
    justice = actions.submit_report(justice, by=head)
    office = fill(
        reports[lao_cai.office.pk],
        by=other_reporter,
        items={
            small_plan.reports_duty: ("on_track", "Tổng hợp báo cáo của các sở.", {}),
            small_plan.on_time: ("at_risk", OFFICE_DONE, {small_plan.on_time_rate: (39, 44)}),
        },
    )
    city = fill(
        reports[lao_cai.city.pk],
        by=None,
        items={
            small_plan.joint: (
                "on_track",
                "Đang xây dựng quy trình.",
                {small_plan.joint_count: (4, None)},
            )
        },
    )
    # The deadline passes: the office submits late; the city never does.
    Round.objects.filter(pk=round_.pk).update(deadline=date(2020, 7, 10))
    round_.refresh_from_db()
    office = actions.submit_report(office, by=None)
    return FilledRound(round_, small_plan, justice, office, city)
