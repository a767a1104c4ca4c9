"""Deadlines: late submissions stay late, unsent reports go missing, reminders go out once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.mail import EmailMessage

from parindex.orgs.models import AuditEntry, User
from parindex.reporting import actions
from parindex.reporting.models import Item, Reminder, ReportStatus, Round
from tests.conftest import LaoCai
from tests.reporting.conftest import DEADLINE, SmallPlan, at, filled, report_of

DAY = timedelta(days=1)


@pytest.mark.parametrize(
    ("submitted_on", "late"),
    [
        (DEADLINE - 3 * DAY, False),
        (DEADLINE, False),  # the deadline day itself is in time
        (DEADLINE + DAY, True),
        (DEADLINE + 30 * DAY, True),
    ],
)
def test_a_submission_after_the_deadline_is_recorded_as_late(
    round_: Round,
    lao_cai: LaoCai,
    small_plan: SmallPlan,
    head: User,
    submitted_on: date,
    late: bool,
) -> None:
    report = filled(report_of(round_, lao_cai.justice))
    report = actions.submit_report(report, by=head, at=at(submitted_on, hour=23))
    report.refresh_from_db()
    assert report.late is late
    assert report.submitted_at == at(submitted_on, hour=23)
    assert actions.state_on(report, DEADLINE + 60 * DAY) == ("late" if late else "submitted")
    entry = AuditEntry.objects.get(action="reporting.report.submit", object_id=str(report.pk))
    assert entry.changes.get("late") == ([None, True] if late else None)


def test_a_late_report_stays_late_once_accepted(
    round_: Round, lao_cai: LaoCai, head: User, coordinator: User
) -> None:
    report = filled(report_of(round_, lao_cai.justice))
    actions.submit_report(report, by=head, at=at(DEADLINE + 2 * DAY))
    actions.accept_pending(report, by=coordinator, at=at(DEADLINE + 3 * DAY))
    report = actions.finish_review(report, by=coordinator, at=at(DEADLINE + 3 * DAY))
    assert (report.status, report.late, report.accepted_at) == (
        ReportStatus.ACCEPTED,
        True,
        at(DEADLINE + 3 * DAY),
    )
    assert actions.state_on(report, DEADLINE + 60 * DAY) == "late"
    assert set(Item.objects.filter(report=report).values_list("reviewed_at", flat=True)) == {
        at(DEADLINE + 3 * DAY)
    }


def test_a_report_never_submitted_is_a_draft_until_the_deadline_then_missing(
    round_: Round, lao_cai: LaoCai
) -> None:
    report = filled(report_of(round_, lao_cai.office))
    assert actions.state_on(report, DEADLINE) == "draft"
    assert actions.state_on(report, DEADLINE + DAY) == "missing"


def test_a_report_returned_after_a_timely_submission_is_returned_not_late(
    round_: Round, lao_cai: LaoCai, head: User, coordinator: User
) -> None:
    report = filled(report_of(round_, lao_cai.justice))
    actions.submit_report(report, by=head, at=at(DEADLINE - DAY))
    [item, *_rest] = Item.objects.filter(report=report)
    actions.review_item(item, by=coordinator, accept=False, comment="Thiếu tài liệu kiểm chứng.")
    actions.accept_pending(report, by=coordinator)
    report = actions.finish_review(report, by=coordinator, at=at(DEADLINE + 2 * DAY))
    assert actions.state_on(report, DEADLINE + 3 * DAY) == "returned"
    # Resubmitted after the deadline: lateness is judged by the first submission.
    report = actions.submit_report(report, by=head, at=at(DEADLINE + 4 * DAY))
    assert not report.late
    assert actions.state_on(report, DEADLINE + 5 * DAY) == "submitted"


# --- reminders ---------------------------------------------------------------------------------


@pytest.fixture
def people(
    reporter: User, head: User, other_reporter: User, district_head: User
) -> dict[str, User]:
    return {"reporter": reporter, "head": head, "office": other_reporter, "city": district_head}


def recipients(outbox: list[EmailMessage]) -> list[set[str]]:
    return sorted((set(m.to) for m in outbox), key=sorted)


def test_reminders_go_before_and_after_the_deadline_only_once_to_agencies_yet_to_submit(
    round_: Round,
    lao_cai: LaoCai,
    people: dict[str, User],
    mailoutbox: list[EmailMessage],
) -> None:
    # Sở Tư pháp submits in time; the office and the city do not. Defaults: 3 days before,
    # then 1, 3 and 7 days after.
    justice = filled(report_of(round_, lao_cai.justice))
    actions.submit_report(justice, by=people["head"], at=at(DEADLINE - 5 * DAY))
    unsent = [{people["city"].email}, {people["office"].email}]

    assert actions.send_reminders(today=DEADLINE - 4 * DAY) == 0
    assert actions.send_reminders(today=DEADLINE - 3 * DAY) == 2
    assert recipients(mailoutbox) == sorted(unsent, key=sorted)
    assert all("05/07/2020" in m.subject for m in mailoutbox)
    assert actions.send_reminders(today=DEADLINE - 3 * DAY) == 0  # run again that day: nothing
    assert actions.send_reminders(today=DEADLINE - 2 * DAY) == 0
    assert actions.send_reminders(today=DEADLINE) == 0
    assert actions.send_reminders(today=DEADLINE + DAY) == 2
    assert actions.send_reminders(today=DEADLINE + DAY) == 0
    assert actions.send_reminders(today=DEADLINE + 2 * DAY) == 0
    assert actions.send_reminders(today=DEADLINE + 3 * DAY) == 2
    assert len(mailoutbox) == 6
    assert sorted(Reminder.objects.values_list("offset_days", flat=True).distinct()) == [-3, 1, 3]
    assert not Reminder.objects.filter(report=justice).exists()


def test_a_returned_report_is_reminded_and_a_closed_round_is_not(
    round_: Round,
    lao_cai: LaoCai,
    people: dict[str, User],
    coordinator: User,
    mailoutbox: list[EmailMessage],
) -> None:
    for agency in (lao_cai.office, lao_cai.city):
        actions.submit_report(filled(report_of(round_, agency)), by=None, at=at(DEADLINE))
    justice = filled(report_of(round_, lao_cai.justice))
    actions.submit_report(justice, by=people["head"], at=at(DEADLINE - 5 * DAY))
    [item, *_rest] = Item.objects.filter(report=justice)
    actions.review_item(item, by=coordinator, accept=False, comment="Bổ sung số liệu.")
    actions.accept_pending(justice, by=coordinator)
    actions.finish_review(justice, by=coordinator, notify=False)
    mailoutbox.clear()
    assert actions.send_reminders(today=DEADLINE + DAY) == 1
    assert recipients(mailoutbox) == [{people["reporter"].email, people["head"].email}]
    round_.closed_at = round_.opened_at
    round_.save()
    assert actions.send_reminders(today=DEADLINE + 3 * DAY) == 0
