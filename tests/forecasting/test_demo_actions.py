"""The demo's two actions that close the gap: set after quarter I, reported on in the owners'
quarter II reports; one moved its points after quarter II, the other did not."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.test import Client

from parindex.forecasting import tracking
from parindex.forecasting.gather import build
from parindex.forecasting.models import ActionStatus, GapAction
from parindex.orgs.models import User
from parindex.plans.models import Plan


def test_the_demo_actions_reach_the_q2_reports_and_one_moved_its_points(loaded_demo: str) -> None:
    plan = Plan.objects.select_related("province").get(number="165/KH-UBND")
    satisfaction, laws = GapAction.objects.order_by("-node_code").select_related("owner")
    data = build(plan.province, 2020)

    rows = {r.action.node_code: r for r in tracking.track(data, [satisfaction, laws]).rows}

    # Created from the forecast of quarter I alone.
    assert {a.baseline_as_of for a in (satisfaction, laws)} == {date(2020, 3, 31)}
    assert satisfaction.created_by == User.objects.get(username="noivu")
    assert (satisfaction.node_code, satisfaction.owner.code) == ("8.1.1", "so-noi-vu")
    assert (rows["8.1.1"].effect, rows["8.1.1"].moved) == (tracking.Effect.MOVED, Decimal(2))
    assert (rows["2.2.2"].effect, rows["2.2.2"].moved) == (tracking.Effect.UNCHANGED, Decimal(0))
    assert satisfaction.status == ActionStatus.DONE and laws.status == ActionStatus.OPEN
    for action in (satisfaction, laws):
        (line,) = action.lines.select_related("report__round")
        assert line.report.round.title == "Báo cáo quý II/2020"
        assert line.status and line.description
    client = Client()
    client.force_login(User.objects.get(username="tuphap"))
    (line,) = laws.lines.all()
    page = client.get(f"/reports/{line.report_id}/").content.decode()
    assert f'data-action-line="{line.pk}"' in page
