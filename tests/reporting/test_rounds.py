"""Opening a round: one report per responsible agency, listing exactly its targets."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage

from parindex.orgs.models import User
from parindex.reporting import actions
from parindex.reporting.models import Item, PeriodKind, Report, Round, Value
from tests.conftest import LaoCai
from tests.reporting.conftest import SmallPlan, open_quarter


def duties(round_: Round) -> dict[str, set[tuple[str, bool]]]:
    """agency code → {(target text, lead)} for every item of the round."""
    result: dict[str, set[tuple[str, bool]]] = {}
    for code, text, lead in Item.objects.filter(report__round=round_).values_list(
        "report__agency__code", "target__text", "lead"
    ):
        result.setdefault(code, set()).add((text, lead))
    return result


def test_a_quarter_round_has_one_report_per_responsible_agency_with_exactly_its_targets(
    small_plan: SmallPlan,
) -> None:
    round_ = open_quarter(small_plan.plan)
    training, on_time, digitised = (
        small_plan.training.text,
        small_plan.on_time.text,
        small_plan.digitised.text,
    )
    assert duties(round_) == {
        "so-tu-phap": {(training, False), (on_time, True), (digitised, True)},
        "vp-ubnd": {(training, True)},  # the yearly summary is not reported quarterly
        "tp-lao-cai": {(on_time, False)},
    }
    assert Report.objects.filter(round=round_).count() == 3
    assert set(Report.objects.values_list("status", "version")) == {("draft", 1)}
    # One empty value per measurable quantity of each item.
    assert sorted(
        Value.objects.filter(item__report__round=round_).values_list(
            "item__report__agency__code", "quantity__subject", "numerator"
        )
    ) == [
        ("so-tu-phap", "hồ sơ giải quyết đúng hạn", None),
        ("so-tu-phap", "thủ tục được số hoá", None),
        ("tp-lao-cai", "hồ sơ giải quyết đúng hạn", None),
    ]


def test_a_year_round_includes_the_targets_reported_yearly(small_plan: SmallPlan) -> None:
    round_ = actions.open_round(
        small_plan.plan, by=None, kind=PeriodKind.YEAR, deadline=date(2021, 1, 10), notify=False
    )
    assert (round_.starts_on, round_.ends_on) == (date(2020, 1, 1), date(2020, 12, 31))
    assert duties(round_)["vp-ubnd"] == {
        (small_plan.training.text, True),
        (small_plan.yearly.text, True),
    }


def test_items_keep_the_plans_order(small_plan: SmallPlan, lao_cai: LaoCai) -> None:
    round_ = open_quarter(small_plan.plan)
    texts = list(
        Item.objects.filter(report__round=round_, report__agency=lao_cai.justice)
        .order_by("position")
        .values_list("target__text", flat=True)
    )
    assert texts == [small_plan.training.text, small_plan.on_time.text, small_plan.digitised.text]


def test_the_same_period_cannot_be_opened_twice(small_plan: SmallPlan) -> None:
    open_quarter(small_plan.plan)
    with pytest.raises(ValidationError):
        open_quarter(small_plan.plan, deadline=date(2020, 7, 10))
    assert Round.objects.count() == 1
    assert Report.objects.count() == 3


@pytest.mark.parametrize(
    ("kind", "number", "deadline", "dates", "field"),
    [
        (PeriodKind.QUARTER, 5, date(2020, 7, 5), {}, "number"),
        (PeriodKind.QUARTER, 2, date(2020, 3, 31), {}, "deadline"),  # before the period
        (PeriodKind.CUSTOM, 0, date(2020, 7, 5), {"starts_on": date(2020, 5, 1)}, "starts_on"),
        (
            PeriodKind.CUSTOM,
            0,
            date(2020, 7, 5),
            {"starts_on": date(2020, 6, 1), "ends_on": date(2020, 5, 1)},
            "ends_on",
        ),
    ],
)
def test_an_impossible_period_opens_nothing(
    small_plan: SmallPlan,
    kind: str,
    number: int,
    deadline: date,
    dates: dict[str, date],
    field: str,
) -> None:
    with pytest.raises(ValidationError) as refusal:
        actions.open_round(
            small_plan.plan,
            by=None,
            kind=kind,
            number=number,
            deadline=deadline,
            starts_on=dates.get("starts_on"),
            ends_on=dates.get("ends_on"),
            notify=False,
        )
    assert field in refusal.value.message_dict
    assert not Round.objects.exists()


def test_opening_a_round_tells_each_agencys_reporters_and_head(
    small_plan: SmallPlan,
    reporter: User,
    head: User,
    other_reporter: User,
    mailoutbox: list[EmailMessage],
) -> None:
    actions.open_round(
        small_plan.plan, by=None, kind=PeriodKind.QUARTER, number=2, deadline=date(2020, 7, 5)
    )
    # The city has nobody with an address yet: no message for it.
    assert sorted(sorted(m.to) for m in mailoutbox) == sorted(
        [sorted([reporter.email, head.email]), [other_reporter.email]]
    )
    assert all("05/07/2020" in m.subject for m in mailoutbox)
