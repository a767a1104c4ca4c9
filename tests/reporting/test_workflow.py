"""Who may open, fill, submit and review reports, and what each step writes and records."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.mail import EmailMessage

from parindex.orgs.models import AuditEntry, User
from parindex.reporting import actions
from parindex.reporting.models import (
    Item,
    Report,
    ReportStatus,
    ReviewStatus,
    Round,
)
from tests.conftest import LaoCai
from tests.reporting.conftest import (
    SmallPlan,
    fill,
    filled,
    open_quarter,
    report_of,
    value_of,
)


def audit(action: str, report: Report | Round) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(
            action=action, object_type=report._meta.label_lower, object_id=str(report.pk)
        )
    )


def submitted(round_: Round, lao_cai: LaoCai, head: User, small_plan: SmallPlan) -> Report:
    """Sở Tư pháp's report, filled (92/100 on time, 12 procedures) and submitted by its head."""
    report = filled(
        report_of(round_, lao_cai.justice),
        counts={small_plan.on_time_rate: (92, 100), small_plan.digitised_count: (12, None)},
    )
    return actions.submit_report(report, by=head)


# --- opening a round ---------------------------------------------------------------------------


def test_the_coordinator_opens_a_round_and_it_is_recorded(
    small_plan: SmallPlan, coordinator: User
) -> None:
    round_ = open_quarter(small_plan.plan, by=coordinator)
    assert (round_.opened_by, round_.deadline) == (coordinator, date(2020, 7, 5))
    assert (round_.starts_on, round_.ends_on) == (date(2020, 4, 1), date(2020, 6, 30))
    assert "II/2020" in round_.title
    [entry] = audit("reporting.round.open", round_)
    assert entry.actor == coordinator
    assert entry.changes["reports"] == [None, 3]


@pytest.mark.parametrize(
    "person", ["reporter", "head", "district_head", "leader", "appraiser", "outsider", "citizen"]
)
def test_only_a_coordinator_of_the_province_opens_a_round(
    small_plan: SmallPlan, person: str, request: pytest.FixtureRequest
) -> None:
    user: User = request.getfixturevalue(person)
    with pytest.raises(PermissionDenied):
        open_quarter(small_plan.plan, by=user)
    assert not Round.objects.exists()
    assert not AuditEntry.objects.filter(action="reporting.round.open").exists()


# --- saving --------------------------------------------------------------------------------------


@pytest.mark.parametrize("person", ["reporter", "head"])
def test_the_agencys_reporter_or_head_saves_its_report(
    round_: Round,
    lao_cai: LaoCai,
    small_plan: SmallPlan,
    person: str,
    request: pytest.FixtureRequest,
) -> None:
    user: User = request.getfixturevalue(person)
    report = filled(
        report_of(round_, lao_cai.justice), user, counts={small_plan.on_time_rate: (92, 100)}
    )
    value = value_of(report, small_plan.on_time_rate)
    assert (value.numerator, value.denominator, report.version) == (D(92), D(100), 2)
    assert set(Item.objects.filter(report=report).values_list("status", flat=True)) == {"on_track"}
    [entry] = audit("reporting.report.save", report)
    assert entry.actor == user
    assert entry.changes["hồ sơ giải quyết đúng hạn"] == ["None/None", "92/100"]


@pytest.mark.parametrize(
    "person",
    [
        "other_reporter",  # another agency's reporter
        "district_head",  # head of another agency
        "coordinator",  # reviews, does not write the agency's report
        "appraiser",
        "leader",
        "outsider",
        "citizen",
    ],
)
def test_nobody_else_saves_an_agencys_report(
    round_: Round,
    lao_cai: LaoCai,
    small_plan: SmallPlan,
    person: str,
    request: pytest.FixtureRequest,
) -> None:
    user: User = request.getfixturevalue(person)
    report = report_of(round_, lao_cai.justice)
    with pytest.raises(PermissionDenied):
        fill(report, user, counts={small_plan.on_time_rate: (92, 100)})
    report.refresh_from_db()
    value = value_of(report, small_plan.on_time_rate)
    assert (value.numerator, report.version) == (None, 1)
    assert not audit("reporting.report.save", report)


def test_a_submitted_or_accepted_report_can_no_longer_be_saved(
    round_: Round,
    lao_cai: LaoCai,
    small_plan: SmallPlan,
    reporter: User,
    head: User,
    coordinator: User,
) -> None:
    report = submitted(round_, lao_cai, head, small_plan)
    with pytest.raises(PermissionDenied):
        fill(report, reporter, counts={small_plan.on_time_rate: (1, 100)})
    actions.accept_pending(report, by=coordinator)
    actions.finish_review(report, by=coordinator)
    for person in (reporter, head):
        with pytest.raises(PermissionDenied):
            fill(report, person, counts={small_plan.on_time_rate: (1, 100)})
    assert value_of(report, small_plan.on_time_rate).numerator == 92


# --- submitting ----------------------------------------------------------------------------------


def test_the_head_submits_and_it_is_recorded(
    round_: Round, lao_cai: LaoCai, small_plan: SmallPlan, head: User
) -> None:
    report = submitted(round_, lao_cai, head, small_plan)
    report.refresh_from_db()
    assert (report.status, report.submitted_by, report.late) == (
        ReportStatus.SUBMITTED,
        head,
        True,  # submitted today, long after 05/07/2020
    )
    assert report.submitted_at is not None
    [entry] = audit("reporting.report.submit", report)
    assert (entry.actor, entry.changes["status"]) == (head, ["draft", "submitted"])


@pytest.mark.parametrize(
    "person", ["reporter", "coordinator", "appraiser", "leader", "district_head", "outsider"]
)
def test_only_the_head_submits(
    round_: Round,
    lao_cai: LaoCai,
    small_plan: SmallPlan,
    person: str,
    request: pytest.FixtureRequest,
) -> None:
    user: User = request.getfixturevalue(person)
    report = filled(report_of(round_, lao_cai.justice))
    with pytest.raises(PermissionDenied):
        actions.submit_report(report, by=user)
    report.refresh_from_db()
    assert (report.status, report.submitted_at) == (ReportStatus.DRAFT, None)
    assert not audit("reporting.report.submit", report)


def test_an_empty_report_cannot_be_submitted(round_: Round, lao_cai: LaoCai, head: User) -> None:
    report = report_of(round_, lao_cai.justice)
    with pytest.raises(ValidationError) as refusal:
        actions.submit_report(report, by=head)
    assert len(refusal.value.messages) == 3  # one per target with nothing reported
    report.refresh_from_db()
    assert report.status == ReportStatus.DRAFT
    assert not audit("reporting.report.submit", report)


# --- reviewing -----------------------------------------------------------------------------------


@pytest.mark.parametrize("person", ["coordinator", "appraiser"])
def test_the_coordinator_or_the_assigned_appraiser_reviews_and_accepts(
    round_: Round,
    lao_cai: LaoCai,
    small_plan: SmallPlan,
    head: User,
    person: str,
    request: pytest.FixtureRequest,
) -> None:
    reviewer: User = request.getfixturevalue(person)
    report = submitted(round_, lao_cai, head, small_plan)
    items = list(Item.objects.filter(report=report).order_by("position"))
    actions.review_item(items[0], by=reviewer, accept=True)
    assert actions.accept_pending(report, by=reviewer) == len(items) - 1
    report = actions.finish_review(report, by=reviewer)
    assert report.status == ReportStatus.ACCEPTED and report.accepted_at is not None
    assert {(i.review, i.reviewed_by_id) for i in Item.objects.filter(report=report)} == {
        (ReviewStatus.ACCEPTED, reviewer.pk)
    }
    assert len(audit("reporting.item.review", report)) == 2  # one item, then the rest at once
    [entry] = audit("reporting.report.accept", report)
    assert (entry.actor, entry.changes["status"]) == (reviewer, ["submitted", "accepted"])


def test_returning_a_target_returns_the_report_with_the_comment_and_tells_the_agency(
    round_: Round,
    lao_cai: LaoCai,
    small_plan: SmallPlan,
    head: User,
    reporter: User,
    coordinator: User,
    mailoutbox: list[EmailMessage],
) -> None:
    report = submitted(round_, lao_cai, head, small_plan)
    item = Item.objects.get(report=report, target=small_plan.on_time)
    with pytest.raises(ValidationError):
        actions.review_item(item, by=coordinator, accept=False, comment="  ")
    actions.review_item(item, by=coordinator, accept=False, comment="Bổ sung danh sách hồ sơ.")
    actions.accept_pending(report, by=coordinator)
    mailoutbox.clear()
    report = actions.finish_review(report, by=coordinator)
    assert report.status == ReportStatus.RETURNED
    item.refresh_from_db()
    assert (item.review, item.review_comment) == (
        ReviewStatus.RETURNED,
        "Bổ sung danh sách hồ sơ.",
    )
    [message] = mailoutbox
    assert set(message.to) == {reporter.email, head.email}
    assert audit("reporting.report.return", report)[0].actor == coordinator


def test_a_returned_report_is_corrected_and_resubmitted_without_reopening_accepted_targets(
    round_: Round,
    lao_cai: LaoCai,
    small_plan: SmallPlan,
    head: User,
    reporter: User,
    coordinator: User,
) -> None:
    report = submitted(round_, lao_cai, head, small_plan)
    returned = Item.objects.get(report=report, target=small_plan.on_time)
    actions.review_item(returned, by=coordinator, accept=False, comment="Sai số liệu.")
    actions.accept_pending(report, by=coordinator)
    actions.finish_review(report, by=coordinator, notify=False)
    # The reporter corrects what is open; the accepted count is frozen and left as it was.
    filled(
        report,
        reporter,
        counts={small_plan.on_time_rate: (95, 100), small_plan.digitised_count: (1, None)},
        status="done",
    )
    report = actions.submit_report(report, by=head)
    reviews = dict(Item.objects.filter(report=report).values_list("target_id", "review"))
    assert reviews[small_plan.on_time.pk] == ReviewStatus.PENDING
    assert reviews[small_plan.digitised.pk] == ReviewStatus.ACCEPTED
    assert value_of(report, small_plan.on_time_rate).numerator == 95
    assert value_of(report, small_plan.digitised_count).numerator == 12
    assert report.status == ReportStatus.SUBMITTED


def test_a_review_is_finished_only_when_every_target_is_decided(
    round_: Round, lao_cai: LaoCai, small_plan: SmallPlan, head: User, coordinator: User
) -> None:
    report = submitted(round_, lao_cai, head, small_plan)
    with pytest.raises(ValidationError):
        actions.finish_review(report, by=coordinator)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED


def test_a_draft_cannot_be_reviewed(round_: Round, lao_cai: LaoCai, coordinator: User) -> None:
    report = filled(report_of(round_, lao_cai.justice))
    item = Item.objects.filter(report=report).first()
    assert item is not None
    for review in (
        lambda: actions.review_item(item, by=coordinator, accept=True),
        lambda: actions.accept_pending(report, by=coordinator),
        lambda: actions.finish_review(report, by=coordinator),
    ):
        with pytest.raises(ValidationError):
            review()
    assert not AuditEntry.objects.filter(action__startswith="reporting.item").exists()


def test_an_appraiser_reviews_only_the_agencies_assigned(
    round_: Round, lao_cai: LaoCai, small_plan: SmallPlan, appraiser: User
) -> None:
    office = actions.submit_report(filled(report_of(round_, lao_cai.office)), by=None)
    item = Item.objects.filter(report=office).first()
    assert item is not None
    with pytest.raises(PermissionDenied):
        actions.review_item(item, by=appraiser, accept=True)
    with pytest.raises(PermissionDenied):
        actions.accept_pending(office, by=appraiser)
    item.refresh_from_db()
    assert item.review == ReviewStatus.PENDING


# --- people with no part in it -------------------------------------------------------------------


PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.mark.parametrize("person", ["leader", "outsider", "citizen"])
def test_a_leader_an_outsider_or_a_citizen_changes_nothing(
    round_: Round,
    lao_cai: LaoCai,
    small_plan: SmallPlan,
    head: User,
    person: str,
    request: pytest.FixtureRequest,
) -> None:
    user: User = request.getfixturevalue(person)
    justice = submitted(round_, lao_cai, head, small_plan)
    office = filled(report_of(round_, lao_cai.office))
    office_item = Item.objects.filter(report=office).first()
    justice_item = Item.objects.filter(report=justice).first()
    assert office_item is not None and justice_item is not None
    before = AuditEntry.objects.count()
    attempts: list[Callable[[], object]] = [
        lambda: open_quarter(small_plan.plan, by=user, deadline=date(2020, 10, 5)),
        lambda: fill(office, user),
        lambda: actions.submit_report(office, by=user),
        lambda: actions.add_evidence(
            office_item, by=user, upload=SimpleUploadedFile("bien-ban.pdf", PDF)
        ),
        lambda: actions.review_item(justice_item, by=user, accept=True),
        lambda: actions.accept_pending(justice, by=user),
        lambda: actions.finish_review(justice, by=user),
    ]
    for attempt in attempts:
        with pytest.raises(PermissionDenied):
            attempt()
    assert AuditEntry.objects.count() == before
    assert dict(Report.objects.values_list("agency_id", "status")) == {
        lao_cai.justice.pk: ReportStatus.SUBMITTED,
        lao_cai.office.pk: ReportStatus.DRAFT,
        lao_cai.city.pk: ReportStatus.DRAFT,
    }
    assert not Item.objects.exclude(review=ReviewStatus.PENDING).exists()
