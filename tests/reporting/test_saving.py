"""Saving a report: stale forms are refused, impossible values save nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest

from parindex.orgs.models import AuditEntry, User
from parindex.reporting import actions
from parindex.reporting.models import Item, Report, Round
from tests.conftest import LaoCai
from tests.reporting.conftest import SmallPlan, fill, report_of, value_of


def save_count(report: Report) -> int:
    return AuditEntry.objects.filter(
        action="reporting.report.save", object_id=str(report.pk)
    ).count()


def test_a_save_from_a_form_opened_before_the_last_save_is_refused_and_the_first_stays(
    round_: Round,
    lao_cai: LaoCai,
    small_plan: SmallPlan,
    reporter: User,
    head: User,
) -> None:
    report = report_of(round_, lao_cai.justice)
    opened_version = report.version  # both open the form now
    value = value_of(report, small_plan.on_time_rate)
    first, errors = actions.save_report(
        report,
        by=head,
        version=opened_version,
        items={value.item_id: actions.ItemInput(values={value.pk: (Decimal(90), Decimal(100))})},
    )
    assert not errors and first.version == opened_version + 1
    with pytest.raises(actions.StaleReport) as refusal:
        actions.save_report(
            report,
            by=reporter,
            version=opened_version,
            items={value.item_id: actions.ItemInput(values={value.pk: (Decimal(1), Decimal(100))})},
        )
    # The refusal says who saved what meanwhile.
    assert refusal.value.changes == [f"{head.full_name}: hồ sơ giải quyết đúng hạn"]
    value.refresh_from_db()
    report.refresh_from_db()
    assert (value.numerator, value.denominator, report.version) == (Decimal(90), Decimal(100), 2)
    assert save_count(report) == 1


@pytest.mark.parametrize(
    ("quantity", "numerator", "denominator", "field"),
    [
        ("rate", 11, 10, "numerator"),  # more dossiers on time than dossiers
        ("rate", -1, 10, "numerator"),
        ("rate", 5, -10, "denominator"),
        ("rate", 5, None, "denominator"),  # a rate without the total it is a share of
        ("rate", 3, 0, "denominator"),
        ("count", -2, None, "numerator"),
    ],
)
def test_an_impossible_value_saves_nothing_of_the_report(
    round_: Round,
    lao_cai: LaoCai,
    small_plan: SmallPlan,
    reporter: User,
    quantity: str,
    numerator: int,
    denominator: int | None,
    field: str,
) -> None:
    report = report_of(round_, lao_cai.justice)
    bad = small_plan.on_time_rate if quantity == "rate" else small_plan.digitised_count
    good = small_plan.digitised_count if quantity == "rate" else small_plan.on_time_rate
    good_pair = (7, None) if quantity == "rate" else (80, 100)
    returned, errors = fill(
        report,
        reporter,
        counts={bad: (numerator, denominator), good: good_pair},
        description="Đã triển khai",
    )
    key = f"v{value_of(report, bad).pk}"
    assert f"{key}-{field}" in errors
    assert {name.split("-")[0] for name in errors} == {key}  # the good value is not blamed
    # Nothing landed: neither the good value, nor the statuses, nor a new version or history.
    report.refresh_from_db()
    assert returned.version == report.version == 1
    assert value_of(report, good).numerator is None
    assert value_of(report, bad).numerator is None
    assert set(Item.objects.filter(report=report).values_list("status", "description")) == {
        ("", "")
    }
    assert save_count(report) == 0


def test_an_unknown_progress_status_saves_nothing(
    round_: Round, lao_cai: LaoCai, small_plan: SmallPlan, reporter: User
) -> None:
    report = report_of(round_, lao_cai.justice)
    _report, errors = fill(
        report, reporter, counts={small_plan.on_time_rate: (80, 100)}, status="finished"
    )
    assert len(errors) == 3 and all(key.endswith("-status") for key in errors)
    assert value_of(report, small_plan.on_time_rate).numerator is None
    assert save_count(report) == 0


def test_zero_of_zero_is_a_valid_rate_and_an_empty_value_is_allowed(
    round_: Round, lao_cai: LaoCai, small_plan: SmallPlan, reporter: User
) -> None:
    report = report_of(round_, lao_cai.justice)
    saved, errors = fill(
        report,
        reporter,
        counts={small_plan.on_time_rate: (0, 0), small_plan.digitised_count: (None, None)},
    )
    assert not errors and saved.version == 2
    assert value_of(report, small_plan.on_time_rate).rate is None  # no dossiers: no rate
