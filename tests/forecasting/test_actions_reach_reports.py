"""An action that closes the gap reaches its owner's reports: those being written when it is
created, and those of every round opened later while it is open."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parindex.forecasting import actions
from parindex.forecasting.models import ActionLine, ActionStatus
from parindex.orgs import access
from parindex.orgs.models import AuditEntry, User
from parindex.reporting import actions as reporting_actions
from tests.conftest import LaoCai
from tests.forecasting.support import ON_TIME, Linked, make_action
from tests.web.reporting_data import fill, open_quarter, report_of, value_of


def lines_of(report_id: int) -> list[str]:
    return list(
        ActionLine.objects.filter(report_id=report_id).values_list("action__title", flat=True)
    )


def test_action_created_before_a_round_is_opened_is_a_line_in_the_owners_report_of_it(
    linked: Linked, lao_cai: LaoCai, coordinator: User
) -> None:
    action = make_action(linked, lao_cai.justice, by=coordinator)

    q4 = open_quarter(linked.plan, 4, date(linked.year + 1, 1, 10))

    assert lines_of(report_of(q4, lao_cai.justice).pk) == [action.title]
    assert lines_of(report_of(q4, lao_cai.office).pk) == []


def test_action_created_while_a_round_is_open_reaches_the_draft_report_not_a_submitted_one(
    linked: Linked, lao_cai: LaoCai, coordinator: User
) -> None:
    q4 = open_quarter(linked.plan, 4, date(linked.year + 1, 1, 10))
    submitted = report_of(q4, lao_cai.justice)
    fill(submitted, None, counts={value_of(submitted, linked.small.on_time_rate): ("9", "10")})
    reporting_actions.submit_report(submitted, by=None)

    # 9 of 10 on time: 3 of the 4 points, 1 left to win.
    for_justice = make_action(linked, lao_cai.justice, by=coordinator, points="1")
    for_office = make_action(
        linked, lao_cai.office, by=coordinator, title="Số hoá hồ sơ", points="0.5"
    )

    assert lines_of(submitted.pk) == []
    assert lines_of(report_of(q4, lao_cai.office).pk) == [for_office.title]
    assert for_justice.lines.count() == 0


def test_a_returned_report_gets_the_line_of_an_action_created_meanwhile(
    linked: Linked, lao_cai: LaoCai, coordinator: User
) -> None:
    q4 = open_quarter(linked.plan, 4, date(linked.year + 1, 1, 10))
    report = report_of(q4, lao_cai.justice)
    fill(report, None, counts={value_of(report, linked.small.on_time_rate): ("9", "10")})
    reporting_actions.submit_report(report, by=None)
    item = report.items.order_by("position").first()
    assert item is not None
    reporting_actions.review_item(item, by=None, accept=False, comment="Bổ sung số liệu")
    reporting_actions.accept_pending(report, by=None)
    reporting_actions.finish_review(report, by=None, notify=False)

    action = make_action(linked, lao_cai.justice, by=coordinator, points="1")

    assert lines_of(report.pk) == [action.title]


def test_a_done_or_dropped_action_gets_no_line_in_a_round_opened_later(
    linked: Linked, lao_cai: LaoCai, coordinator: User
) -> None:
    done = make_action(linked, lao_cai.justice, by=coordinator, title="Đã xong")
    dropped = make_action(linked, lao_cai.justice, by=coordinator, title="Bỏ")
    still = make_action(linked, lao_cai.justice, by=coordinator, title="Còn mở")
    actions.set_action_status(done, by=coordinator, status=ActionStatus.DONE)
    actions.set_action_status(dropped, by=coordinator, status=ActionStatus.DROPPED)

    q4 = open_quarter(linked.plan, 4, date(linked.year + 1, 1, 10))

    assert lines_of(report_of(q4, lao_cai.justice).pk) == [still.title]


def test_the_owners_reporter_reports_on_the_line_and_the_report_history_says_so(
    linked: Linked, lao_cai: LaoCai, coordinator: User, reporter: User
) -> None:
    make_action(linked, lao_cai.justice, by=coordinator)
    q4 = open_quarter(linked.plan, 4, date(linked.year + 1, 1, 10))
    line = ActionLine.objects.get(report=report_of(q4, lao_cai.justice))

    saved = actions.report_on_action(
        line, by=reporter, status="on_track", description="Đã rà soát 120 hồ sơ sắp đến hạn"
    )

    assert (saved.status, saved.description, saved.updated_by) == (
        "on_track",
        "Đã rà soát 120 hồ sơ sắp đến hạn",
        reporter,
    )
    entry = AuditEntry.objects.get(action="reporting.action_line.save")
    assert entry.object_id == str(line.report_id)


def test_a_line_of_a_submitted_report_cannot_be_changed(
    linked: Linked, lao_cai: LaoCai, coordinator: User, reporter: User
) -> None:
    make_action(linked, lao_cai.justice, by=coordinator)
    q4 = open_quarter(linked.plan, 4, date(linked.year + 1, 1, 10))
    report = report_of(q4, lao_cai.justice)
    fill(report, None, counts={value_of(report, linked.small.on_time_rate): ("9", "10")})
    reporting_actions.submit_report(report, by=None)
    line = ActionLine.objects.get(report=report)

    with pytest.raises(PermissionDenied):
        actions.report_on_action(line, by=reporter, status="done", description="Xong")
    line.refresh_from_db()
    assert line.status == ""


def test_a_reporter_of_another_agency_neither_sees_nor_reports_on_the_action(
    linked: Linked, lao_cai: LaoCai, coordinator: User, other_reporter: User
) -> None:
    action = make_action(linked, lao_cai.justice, by=coordinator)
    q4 = open_quarter(linked.plan, 4, date(linked.year + 1, 1, 10))
    line = ActionLine.objects.get(report=report_of(q4, lao_cai.justice))

    assert not access.gap_actions_for(other_reporter).filter(pk=action.pk).exists()
    assert not access.action_lines_for(other_reporter).filter(pk=line.pk).exists()
    with pytest.raises(PermissionDenied):
        actions.report_on_action(line, by=other_reporter, status="done", description="Xong")


def test_only_the_provinces_coordinators_create_and_change_actions(
    linked: Linked,
    lao_cai: LaoCai,
    reporter: User,
    head: User,
    leader: User,
    outsider: User,
    coordinator: User,
) -> None:
    for person in (reporter, head, leader, outsider):
        with pytest.raises(PermissionDenied):
            make_action(linked, lao_cai.justice, by=person)
    action = make_action(linked, lao_cai.justice, by=coordinator)
    for person in (reporter, head, leader, outsider):
        with pytest.raises(PermissionDenied):
            actions.set_action_status(action, by=person, status=ActionStatus.DONE)
        with pytest.raises(PermissionDenied):
            actions.update_action(action, by=person, title="Đổi")
    assert ActionLine.objects.count() == 0
    assert AuditEntry.objects.filter(action__startswith="forecasting.").count() == 1


def test_leaders_see_every_action_and_the_owners_people_their_own(
    linked: Linked,
    lao_cai: LaoCai,
    coordinator: User,
    leader: User,
    reporter: User,
    other_reporter: User,
) -> None:
    justice = make_action(linked, lao_cai.justice, by=coordinator)
    office = make_action(linked, lao_cai.office, by=coordinator)

    assert set(access.gap_actions_for(leader)) == {justice, office}
    assert set(access.gap_actions_for(reporter)) == {justice}
    assert set(access.gap_actions_for(other_reporter)) == {office}


def test_an_action_takes_a_leaf_with_points_to_win_and_at_most_those_points(
    linked: Linked, lao_cai: LaoCai, coordinator: User
) -> None:
    with pytest.raises(ValidationError) as refused:
        make_action(linked, lao_cai.justice, by=coordinator, points="4.5")
    assert "expected_points" in refused.value.message_dict
    with pytest.raises(ValidationError) as refused:
        make_action(linked, lao_cai.justice, by=coordinator, code="3.4")
    assert "node_code" in refused.value.message_dict
    action = make_action(linked, lao_cai.justice, by=coordinator, code=ON_TIME, points="4")
    assert action.baseline_points == 0
    assert action.framework == linked.framework
