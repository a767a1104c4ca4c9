"""The small plan of tests.web.reporting_data, matched to the illustrative criteria tree so the
year has a forecast: the on-time rate measures 3.4.1 (4 points, bands at 80, 90 and 95 %) and
the count of digitised procedures 1.5 (1 point, bands at 1 and 3)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from parindex.forecasting import actions
from parindex.forecasting.models import GapAction
from parindex.methodology.models import Framework
from parindex.orgs.models import Organisation, User
from parindex.plans.models import Plan, TargetNode
from tests.conftest import LaoCai
from tests.plans.support import illustrative_tree
from tests.web.reporting_data import SmallPlan

ON_TIME = "3.4.1"
DIGITISED = "1.5"


@dataclass(frozen=True)
class Linked:
    small: SmallPlan
    framework: Framework

    @property
    def plan(self) -> Plan:
        return self.small.plan

    @property
    def year(self) -> int:
        return self.small.plan.year


def link_plan(small: SmallPlan, province: Organisation) -> Linked:
    framework = illustrative_tree(province)
    Plan.objects.filter(pk=small.plan.pk).update(framework=framework)
    small.plan.refresh_from_db()
    for target, code in ((small.on_time, ON_TIME), (small.digitised, DIGITISED)):
        TargetNode.objects.create(
            target=target, node=framework.nodes.get(code=code), confirmed=True
        )
    return Linked(small, framework)


@pytest.fixture
def linked(small_plan: SmallPlan, lao_cai: LaoCai) -> Linked:
    return link_plan(small_plan, lao_cai.province)


def end_of_year(linked: Linked) -> date:
    return date(linked.year, 12, 31)


def make_action(
    linked: Linked,
    owner: Organisation,
    *,
    by: User | None = None,
    code: str = ON_TIME,
    points: str = "1.5",
    title: str = "Rà soát, đôn đốc hồ sơ sắp đến hạn tại bộ phận một cửa",
) -> GapAction:
    return actions.create_action(
        linked.plan.province,
        by=by,
        year=linked.year,
        node_code=code,
        title=title,
        owner=owner,
        deadline=end_of_year(linked),
        expected_points=Decimal(points),
    )
