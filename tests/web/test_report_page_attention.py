"""The long report page points at what needs attention: a summary at the top with a link to
each target returned, awaiting review, changed since the last review or not filled in; domains
folded unless something in them needs attention; after a refused save, a link to each field in
error; and, for a resubmitted target, what it said at the last review beside what it says now."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from parindex.orgs.models import User
from parindex.plans.models import Quantity, Responsibility, Target, TargetAgency
from parindex.reporting import actions
from parindex.reporting.models import Report, ReviewStatus
from parindex.reporting.reading import read_report
from tests.conftest import LaoCai
from tests.web.pages import Element, page, vi
from tests.web.reporting_data import SmallPlan, fill, item_of, open_quarter, report_of, value_of
from tests.web.test_reporting_screens import form_data

ClientFor = Callable[[User], Client]


def attention(doc: Element) -> dict[str, list[str]]:
    """The summary at the top: kind → the anchors its links go to."""
    return {
        group.attrs["data-attention-kind"]: [a.attrs["href"] for a in group.select("a")]
        for group in doc.select(data_attention_kind=True)
    }


def open_domains(doc: Element) -> dict[str, bool]:
    return {d.attrs["data-area"]: "open" in d.attrs for d in doc.select("details", data_area=True)}


def returned_and_resubmitted(
    report: Report, plan: SmallPlan, reporter: User, head: User, coordinator: User
) -> None:
    """Sent in with 85/100 on time, the on-time target returned, corrected to 90/100, resent."""
    rate = value_of(report, plan.on_time_rate)
    fill(report, reporter, counts={rate: ("85", "100")})
    actions.submit_report(report, by=head)
    on_time = item_of(report, plan.on_time)
    for item in report.items.exclude(pk=on_time.pk):
        actions.review_item(item, by=coordinator, accept=True)
    actions.review_item(on_time, by=coordinator, accept=False, comment="Kiểm tra lại số hồ sơ")
    actions.finish_review(report, by=coordinator, notify=False)
    report.refresh_from_db()
    inputs = {
        item.pk: actions.ItemInput(status=item.status, description=item.description)
        for item in report.items.exclude(review=ReviewStatus.ACCEPTED)
    }
    inputs[on_time.pk] = actions.ItemInput(
        status="done",
        description="Đã đối chiếu với sổ theo dõi",
        values={rate.pk: (Decimal(90), Decimal(100))},
    )
    saved, errors = actions.save_report(report, by=reporter, version=report.version, items=inputs)
    assert not errors
    actions.submit_report(saved, by=head)


def test_the_reviewer_sees_a_resubmitted_target_as_it_was_at_the_review_and_as_it_is_now(
    reporter: User,
    head: User,
    coordinator: User,
    client_for: ClientFor,
    justice_report: Report,
    small_plan: SmallPlan,
) -> None:
    returned_and_resubmitted(justice_report, small_plan, reporter, head, coordinator)
    on_time = item_of(justice_report, small_plan.on_time)
    doc = page(client_for(coordinator).get(f"/reports/{justice_report.pk}/"))

    changes = doc.one(data_item=str(on_time.pk)).one(data_since_review=True)
    lines = [
        (c.one("dt").text, c.one(data_before=True).text, c.one(data_after=True).text)
        for c in changes.select(data_change=True)
    ]
    at_review, now = vi("At the last review:"), vi("Now:")
    assert lines == [
        ("Tỷ lệ hồ sơ giải quyết đúng hạn", f"{at_review} 85 / 100", f"{now} 90 / 100"),
        (vi("Progress"), f"{at_review} {vi('On track')}", f"{now} {vi('Done')}"),
        (vi("What was done"), f"{at_review} Đã triển khai", f"{now} Đã đối chiếu với sổ theo dõi"),
    ]
    # The targets accepted and left alone show no before → after.
    assert len(doc.select(data_since_review=True)) == 1
    # The summary leads to it, as changed and as awaiting review.
    assert attention(doc) == {
        "changed": [f"#item-{on_time.pk}"],
        "pending": [f"#item-{on_time.pk}"],
    }


def test_the_read_model_gives_api_and_exports_the_same_changes_since_the_review(
    reporter: User, head: User, coordinator: User, justice_report: Report, small_plan: SmallPlan
) -> None:
    returned_and_resubmitted(justice_report, small_plan, reporter, head, coordinator)
    seen = read_report(coordinator, justice_report)
    changed = {line.item.target_id: line.since_review for line in seen.items if line.since_review}
    assert list(changed) == [small_plan.on_time.pk]
    since = changed[small_plan.on_time.pk]
    assert since is not None
    assert [(c.before, c.after) for c in since.values] == [
        ((Decimal(85), Decimal(100)), (Decimal(90), Decimal(100)))
    ]
    assert since.status == ("on_track", "done")


def test_accepting_all_pending_targets_keeps_what_each_was_accepted_with(
    head: User, coordinator: User, justice_report: Report, small_plan: SmallPlan
) -> None:
    rate = value_of(justice_report, small_plan.on_time_rate)
    fill(justice_report, None, counts={rate: ("7", "8")})
    actions.submit_report(justice_report, by=head)
    assert actions.accept_pending(justice_report, by=coordinator) == 3
    state = item_of(justice_report, small_plan.on_time).reviewed_state.state
    assert state == {
        "status": "on_track",
        "description": "Đã triển khai",
        "values": {str(rate.pk): ["7", "8"]},
    }


def test_the_reporter_is_led_to_each_target_not_filled_in_and_to_its_first_empty_field(
    reporter: User, client_for: ClientFor, justice_report: Report, small_plan: SmallPlan
) -> None:
    rate = value_of(justice_report, small_plan.on_time_rate)
    count = value_of(justice_report, small_plan.digitised_count)
    training = item_of(justice_report, small_plan.training)
    fill(justice_report, reporter, counts={rate: (None, "100")}, status="")
    doc = page(client_for(reporter).get(f"/reports/{justice_report.pk}/"))
    anchors = attention(doc)["empty"]
    # Training has no quantity, so its progress; the rate its missing count; the count itself.
    assert anchors == [
        f"#i{training.pk}-status",
        f"#v{rate.pk}-numerator",
        f"#v{count.pk}-numerator",
    ]
    for anchor in anchors:
        assert doc.has(id=anchor[1:])
    # Both domains have something to fill, so both are open.
    assert open_domains(doc) == {"1": True, "2": True}


def test_domains_are_folded_unless_something_in_them_needs_the_readers_attention(
    head: User,
    coordinator: User,
    client_for: ClientFor,
    justice_report: Report,
    small_plan: SmallPlan,
) -> None:
    fill(
        justice_report, None, counts={value_of(justice_report, small_plan.on_time_rate): ("1", "2")}
    )
    actions.submit_report(justice_report, by=head)
    actions.review_item(item_of(justice_report, small_plan.training), by=coordinator, accept=True)
    doc = page(client_for(coordinator).get(f"/reports/{justice_report.pk}/"))
    # Domain 1 holds only the accepted training target; domain 2 waits for the reviewer.
    assert open_domains(doc) == {"1": False, "2": True}
    counts = doc.one("details", data_area="2").one(data_area_counts=True)
    assert counts.one(data_count="pending").text.startswith("2 ")
    # Once the report is accepted nothing needs attention: no summary, every domain folded.
    actions.accept_pending(justice_report, by=coordinator)
    actions.finish_review(justice_report, by=coordinator)
    doc = page(client_for(coordinator).get(f"/reports/{justice_report.pk}/"))
    assert not doc.has(data_attention=True)
    assert open_domains(doc) == {"1": False, "2": False}


def test_a_refused_save_lists_each_field_in_error_with_a_link_to_it(
    reporter: User, client_for: ClientFor, justice_report: Report, small_plan: SmallPlan
) -> None:
    rate = value_of(justice_report, small_plan.on_time_rate)
    count = value_of(justice_report, small_plan.digitised_count)
    doc = page(
        client_for(reporter).post(
            f"/reports/{justice_report.pk}/",
            form_data(
                justice_report,
                **{
                    f"v{rate.pk}-numerator": "12x",
                    f"v{rate.pk}-denominator": "100",
                    f"v{count.pk}-numerator": "mười",
                },
            ),
        )
    )
    summary = doc.one(data_error_summary=True)
    links = [a.attrs["href"] for a in summary.select("a")]
    assert links == [f"#v{rate.pk}-numerator", f"#v{count.pk}-numerator"]
    for link in links:
        field = doc.one(id=link[1:])
        assert field.tag == "input" and field.attrs.get("aria-invalid") == "true"
    # The domain holding them is open.
    assert open_domains(doc)["2"] is True


def test_the_report_page_costs_the_same_queries_for_3_targets_or_12(
    coordinator: User, client_for: ClientFor, small_plan: SmallPlan, lao_cai: LaoCai
) -> None:
    for n in range(10):
        target = Target.objects.create(
            plan=small_plan.plan,
            area=small_plan.on_time.area,
            text=f"Chỉ tiêu {n}",
            position=10 + n,
        )
        Quantity.objects.create(
            target=target, subject=f"Số lượng {n}", comparator=">=", value=Decimal(1), unit="count"
        )
        TargetAgency.objects.create(
            target=target, organisation=lao_cai.office, responsibility=Responsibility.LEAD
        )
    round_ = open_quarter(small_plan.plan, 4, date(small_plan.plan.year + 1, 1, 10))
    client = client_for(coordinator)

    def queries(report: Report) -> int:
        fill(report, None, counts={})
        actions.submit_report(report, by=None)
        for item in report.items.order_by("pk")[::2]:
            actions.review_item(item, by=None, accept=item.pk % 4 == 0, comment="Bổ sung")
        client.get(f"/reports/{report.pk}/")
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/reports/{report.pk}/").status_code == 200
        return len(captured.captured_queries)

    justice, office = report_of(round_, lao_cai.justice), report_of(round_, lao_cai.office)
    assert (justice.items.count(), office.items.count()) == (3, 12)
    assert queries(office) == queries(justice)


def test_a_reopening_without_a_reason_links_to_the_reason_box_from_the_top(
    head: User,
    coordinator: User,
    client_for: ClientFor,
    justice_report: Report,
    small_plan: SmallPlan,
) -> None:
    fill(justice_report, None, counts={})
    actions.submit_report(justice_report, by=head)
    training = item_of(justice_report, small_plan.training)
    actions.accept_pending(justice_report, by=coordinator)
    actions.finish_review(justice_report, by=coordinator)
    doc = page(
        client_for(coordinator).post(
            f"/reports/{justice_report.pk}/items/{training.pk}/reopen/", {"comment": " "}
        )
    )
    links = [a.attrs["href"] for a in doc.one(data_error_summary=True).select("a")]
    assert links == [f"#reopen-{training.pk}"]
    assert doc.one(id=f"reopen-{training.pk}").tag == "textarea"
    # The accepted target's domain would be folded; its error opens it.
    assert open_domains(doc)["1"] is True
