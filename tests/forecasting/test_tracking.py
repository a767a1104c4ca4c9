"""Following actions: open, late and done counts, and whether an action's points moved, said
only once a round ending after its baseline has counted figures."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.template.loader import render_to_string

from parindex.forecasting import actions, tracking
from parindex.forecasting.gather import build
from parindex.forecasting.models import ActionStatus, GapAction
from parindex.orgs.models import User
from parindex.reporting import actions as reporting_actions
from parindex.reporting.models import Round
from tests.conftest import LaoCai
from tests.forecasting.support import ON_TIME, Linked, make_action
from tests.web.reporting_data import fill, open_quarter, report_of, value_of


def report_rate(linked: Linked, round_: Round, lao_cai: LaoCai, on_time: str) -> None:
    """Sở Tư pháp sends `on_time` of 100 dossiers resolved on time."""
    report = report_of(round_, lao_cai.justice)
    fill(report, None, counts={value_of(report, linked.small.on_time_rate): (on_time, "100")})
    reporting_actions.submit_report(report, by=None)


def tracked(linked: Linked, action: GapAction, today: date | None = None) -> tracking.Tracked:
    data = build(linked.plan.province, linked.year)
    return tracking.track(data, [action], today=today).rows[0]


def test_points_moved_are_shown_after_the_next_round_has_figures(
    linked: Linked, lao_cai: LaoCai, coordinator: User
) -> None:
    year = linked.year
    q1 = open_quarter(linked.plan, 1, date(year, 4, 5))
    report_rate(linked, q1, lao_cai, "85")  # 85 %: 1,5 of 4 points
    action = make_action(linked, lao_cai.justice, by=coordinator, points="2.5")
    assert (action.baseline_points, action.baseline_as_of) == (Decimal("1.5"), date(year, 3, 31))

    q2 = open_quarter(linked.plan, 2, date(year, 7, 5))
    before = tracked(linked, action)
    assert (before.effect, before.moved) == (tracking.Effect.WAITING, None)

    report_rate(linked, q2, lao_cai, "96")  # 96 %: the best band, 4 points
    after = tracked(linked, action)

    assert (after.effect, after.current, after.moved) == (
        tracking.Effect.MOVED,
        Decimal(4),
        Decimal("2.5"),
    )


def test_an_action_whose_leaf_stayed_in_its_band_did_not_move(
    linked: Linked, lao_cai: LaoCai, coordinator: User
) -> None:
    year = linked.year
    report_rate(linked, open_quarter(linked.plan, 1, date(year, 4, 5)), lao_cai, "85")
    action = make_action(linked, lao_cai.justice, by=coordinator, points="1.5")
    report_rate(linked, open_quarter(linked.plan, 2, date(year, 7, 5)), lao_cai, "88")

    row = tracked(linked, action)

    assert (row.effect, row.moved) == (tracking.Effect.UNCHANGED, Decimal(0))


def test_counts_of_open_late_and_done_actions(
    linked: Linked, lao_cai: LaoCai, coordinator: User
) -> None:
    late = make_action(linked, lao_cai.justice, by=coordinator, title="Trễ hạn")
    make_action(linked, lao_cai.office, by=coordinator, title="Đang làm")
    done = make_action(linked, lao_cai.justice, by=coordinator, title="Xong")
    actions.set_action_status(done, by=coordinator, status=ActionStatus.DONE)
    data = build(linked.plan.province, linked.year)
    after_deadline = date(linked.year + 1, 1, 1)

    counted = tracking.track(data, GapAction.objects.order_by("pk"), today=after_deadline)

    assert (counted.open, counted.late, counted.done) == (2, 2, 1)
    html = render_to_string("web/forecast/_actions.html", {"tracking": counted})
    assert 'data-count="late"' in html and f'data-action="{late.pk}"' in html
    assert "waiting for the next round" in html or "chờ kỳ báo cáo sau" in html


def test_tracking_for_a_reporter_holds_only_their_agencys_actions(
    linked: Linked, lao_cai: LaoCai, coordinator: User, reporter: User, leader: User
) -> None:
    own = make_action(linked, lao_cai.justice, by=coordinator, code=ON_TIME)
    make_action(linked, lao_cai.office, by=coordinator)
    data = build(linked.plan.province, linked.year)

    assert [r.action for r in tracking.tracking_for(reporter, data).rows] == [own]
    assert tracking.tracking_for(leader, data).total == 2
