"""The demo's two reporting rounds of plan 165/KH-UBND: Q1 accepted, Q2 in every state."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.utils import timezone

from parindex.orgs import access
from parindex.orgs.models import AuditEntry, User
from parindex.plans.models import Plan
from parindex.reporting import actions, overview
from parindex.reporting.models import (
    Item,
    Report,
    ReportStatus,
    ReviewStatus,
    Round,
    Value,
)
from parindex.web.demo import Q1_DEADLINE, Q2_DEADLINE


@pytest.fixture
def rounds(loaded_demo: str) -> tuple[Round, Round]:
    plan = Plan.objects.get(number="165/KH-UBND")
    q1, q2 = plan.rounds.order_by("starts_on")
    return q1, q2


def test_the_demo_has_q1_accepted_and_q2_with_late_returned_and_missing_reports(
    rounds: tuple[Round, Round],
) -> None:
    q1, q2 = rounds
    assert (q1.number, q1.deadline, q2.number, q2.deadline) == (1, Q1_DEADLINE, 2, Q2_DEADLINE)
    assert (date(2020, 4, 5), date(2020, 7, 5)) == (Q1_DEADLINE, Q2_DEADLINE)
    assert (q1.title, q2.title) == ("Báo cáo quý I/2020", "Báo cáo quý II/2020")
    today = timezone.localdate()
    # Q1: every responsible agency reported in time and was accepted.
    q1_reports = list(q1.reports.select_related("round"))
    assert len(q1_reports) == 34
    assert {actions.state_on(r, today) for r in q1_reports} == {"accepted"}
    assert not Item.objects.filter(report__round=q1).exclude(review=ReviewStatus.ACCEPTED).exists()
    # Q2: some of each.
    view = overview.build(q2, today=today)
    assert set(view.counts) == {"accepted", "submitted", "late", "returned", "missing"}
    assert view.counts["late"] >= 2 and view.counts["missing"] >= 2
    assert sum(view.counts.values()) == 34
    for report in q2.reports.select_related("round"):
        if report.submitted_at is None:
            assert report.status == ReportStatus.DRAFT
            continue
        in_time = timezone.localdate(report.submitted_at) <= q2.deadline
        assert report.late is not in_time
        if report.status == ReportStatus.RETURNED:
            returned = report.items.filter(review=ReviewStatus.RETURNED)
            assert returned.exists()
            assert all(item.review_comment for item in returned)
    # Late submissions are told apart from the day they happened on, not today's date.
    assert sorted(
        timezone.localdate(r.submitted_at) for r in q2.reports.filter(late=True) if r.submitted_at
    ) == [date(2020, 7, 6), date(2020, 7, 8), date(2020, 7, 10)]


def test_the_demo_reporters_find_their_q2_reports_in_a_meaningful_state_with_possible_figures(
    rounds: tuple[Round, Round],
) -> None:
    _q1, q2 = rounds
    people = {u.username: u for u in User.objects.all()}

    def report(code: str) -> Report:
        return Report.objects.select_related("agency").get(round=q2, agency__code=code)

    justice, office, city = report("so-tu-phap"), report("van-phong-ubnd"), report("tp-lao-cai")
    # Sở Tư pháp: returned with a comment; its reporter may correct it, its head resubmit it.
    assert justice.status == ReportStatus.RETURNED
    assert justice.items.filter(review=ReviewStatus.RETURNED).exclude(review_comment="").exists()
    assert access.can_edit(people["tuphap"], justice)
    assert access.can_submit(people["tuphap.gd"], justice)
    # Văn phòng UBND tỉnh: a draft, partly filled in.
    assert office.status == ReportStatus.DRAFT and access.can_edit(people["vpubnd"], office)
    filled = office.items.exclude(status="").count()
    assert 0 < filled < office.items.count()
    # TP Lào Cai: submitted late by its head.
    assert (city.status, city.late, city.submitted_by) == (
        ReportStatus.SUBMITTED,
        True,
        people["tplaocai"],
    )
    # The figures the walk-through quotes: dossiers resolved on time at the office.
    value = Value.objects.get(
        item__report=office, quantity__subject__startswith="tỷ lệ hồ sơ TTHC do"
    )
    assert (value.numerator, value.denominator) == (Decimal(1180), Decimal(1215))
    # Every figure is possible and every sent item says what was done.
    values = Value.objects.filter(item__report__round__in=rounds).select_related("quantity")
    reported = [(v, v.numerator) for v in values if v.numerator is not None]
    assert len(reported) > 2000
    for value, numerator in reported:
        assert numerator >= 0, value
        if value.quantity.unit == "percent":
            assert value.denominator and numerator <= value.denominator, value
    sent = Item.objects.filter(report__round__in=rounds).exclude(report__status="draft")
    assert not sent.filter(status="").exists()
    assert not sent.filter(description="").exists()
    # Everything went through the actions and is in the history.
    assert AuditEntry.objects.filter(action="reporting.report.submit").count() == 34 + 1 + 29
