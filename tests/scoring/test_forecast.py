"""The forecast's arithmetic, leaf kind by leaf kind: the three scenarios, the ranks, the points at
stake and what-if. Pure: a small tree, no database."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pytest

from parindex.benchmark.ranks import Row, rank_bounds
from parindex.methodology.tree import BandSpec, FrameworkSpec, Method, NodeSpec, Scoring, Unit
from parindex.scoring import forecast as core
from parindex.scoring.engine import CompiledTree, LeafInput, compile_tree
from tests.methodology.support import ROOT

D = Decimal


def _tree() -> CompiledTree:
    """Four leaves of 10 points: an on-time rate, initiatives counted, a choice, a survey."""
    rate = [
        BandSpec("≥ 95 %", D(4), lower=D(95)),
        BandSpec("90–95 %", D(3), lower=D(90), upper=D(95), upper_inclusive=False),
        BandSpec("< 90 %", D(0), upper=D(90), upper_inclusive=False),
    ]
    count = [
        BandSpec("≥ 3", D(2), lower=D(3)),
        BandSpec("1–2", D(1), lower=D(1), upper=D(3), upper_inclusive=False),
        BandSpec("none", D(0), upper=D(1), upper_inclusive=False),
    ]
    choice = [BandSpec("Đúng hạn", D(3)), BandSpec("Chậm", D(1)), BandSpec("Không", D(0))]
    return compile_tree(
        FrameworkSpec(
            name="t",
            code="t",
            nodes=[
                NodeSpec("1", "Domain one", D(9)),
                NodeSpec(
                    "1.1", "On time", D(4), scoring=Scoring.RANGES, unit=Unit.PERCENT, bands=rate
                ),
                NodeSpec(
                    "1.2", "Initiatives", D(2), scoring=Scoring.RANGES, unit=Unit.COUNT, bands=count
                ),
                NodeSpec("1.3", "Plan issued", D(3), scoring=Scoring.CATEGORICAL, bands=choice),
                NodeSpec("2", "Domain two", D(1)),
                NodeSpec(
                    "2.1",
                    "Satisfaction",
                    D(1),
                    method=Method.SURVEY,
                    scoring=Scoring.PROPORTIONAL,
                    unit=Unit.PERCENT,
                ),
            ],
        )
    )


TREE = _tree()
HALF = D("0.5")


def _points(result: core.ScenarioResult, code: str) -> Decimal:
    return result.result.nodes[code].points


def test_a_reported_rate_stays_as_it_is_in_the_worst_and_expected_cases_and_meets_its_target_at_best() -> (
    None
):
    facts = {
        "1.1": core.LeafFacts(
            "1.1",
            basis=core.Basis.REPORTED,
            current=LeafInput.ratio(93, 100),
            covered=HALF,
            target=core.TargetFacts(">=", D(95)),
        )
    }
    found = core.forecast(TREE, facts)
    assert [_points(found.scenario(n), "1.1") for n in core.SCENARIOS] == [D(3), D(3), D(4)]


def test_a_count_so_far_is_pro_rated_to_the_year_in_the_expected_case_whole_items_only() -> None:
    facts = {
        "1.2": core.LeafFacts(
            "1.2",
            basis=core.Basis.REPORTED,
            current=LeafInput.number(1),
            covered=D("0.4"),
            accumulates=True,
        )
    }
    found = core.forecast(TREE, facts)
    # 1 so far at 40 % of the year: 2.5 a year, 2 whole initiatives → band 1–2.
    assert found.inputs["expected"]["1.2"] == LeafInput.number(2)
    assert [_points(found.scenario(n), "1.2") for n in core.SCENARIOS] == [D(1), D(1), D(1)]


def test_a_share_of_the_year_plan_is_pro_rated_but_never_past_the_whole_plan() -> None:
    facts = {
        "1.1": core.LeafFacts(
            "1.1",
            basis=core.Basis.REPORTED,
            current=LeafInput.ratio(60, 100),
            covered=HALF,
            accumulates=True,
        )
    }
    found = core.forecast(TREE, facts)
    assert found.inputs["expected"]["1.1"] == LeafInput.number(D("100.00"))
    assert _points(found.scenario("worst"), "1.1") == 0
    assert _points(found.scenario("expected"), "1.1") == 4


@pytest.mark.parametrize(
    ("status", "worst", "expected", "best"),
    [
        ("done", 3, 3, 3),
        ("on_track", 0, 3, 3),
        ("at_risk", 0, 1, 3),
        ("not_started", 0, 0, 3),
    ],
)
def test_a_choice_leaf_follows_the_progress_reported_on_its_target(
    status: str, worst: int, expected: int, best: int
) -> None:
    facts = {"1.3": core.LeafFacts("1.3", basis=core.Basis.STATUS, status=status)}
    found = core.forecast(TREE, facts)
    assert [_points(found.scenario(n), "1.3") for n in core.SCENARIOS] == [
        D(worst),
        D(expected),
        D(best),
    ]


def test_appraised_points_are_settled_in_every_scenario() -> None:
    facts = {
        "1.1": core.LeafFacts(
            "1.1", basis=core.Basis.APPRAISED, settled=D(3), target=core.TargetFacts(">=", D(95))
        )
    }
    found = core.forecast(TREE, facts)
    assert [_points(found.scenario(n), "1.1") for n in core.SCENARIOS] == [D(3)] * 3
    assert all(s.code != "1.1" or s.next_gain == 0 for s in found.stakes)


def test_a_leaf_with_no_figure_scores_nothing_at_worst_last_years_rate_expected_and_its_maximum_at_best() -> (
    None
):
    found = core.forecast(TREE, {}, fallback_rate=D("82.85"))
    # The survey leaf is proportional: 1 point × 82.85 %.
    assert _points(found.scenario("expected"), "2.1") == D("0.8285")
    assert _points(found.scenario("worst"), "2.1") == 0
    assert _points(found.scenario("best"), "2.1") == 1
    assert found.scenario("best").total == TREE.max_total


def test_the_scenarios_are_ordered_worst_expected_best_whatever_the_facts() -> None:
    facts = {
        "1.1": core.LeafFacts(
            "1.1",
            basis=core.Basis.REPORTED,
            current=LeafInput.ratio(80, 100),
            target=core.TargetFacts(">=", D(95)),
        ),
        "1.2": core.LeafFacts(
            "1.2",
            basis=core.Basis.REPORTED,
            current=LeafInput.number(0),
            covered=HALF,
            accumulates=True,
        ),
        "1.3": core.LeafFacts("1.3", basis=core.Basis.ASSESSED, current=LeafInput.choice("Chậm")),
    }
    found = core.forecast(TREE, facts, fallback_rate=D(50))
    worst, expected, best = (found.scenario(n).total for n in core.SCENARIOS)
    assert worst <= expected <= best


def test_points_at_stake_come_most_recoverable_first_with_the_next_band_and_its_worth() -> None:
    facts = {
        "1.1": core.LeafFacts(
            "1.1",
            basis=core.Basis.REPORTED,
            current=LeafInput.ratio(93, 100),
            target=core.TargetFacts(">=", D(95)),
        ),
        "1.2": core.LeafFacts("1.2", basis=core.Basis.REPORTED, current=LeafInput.number(3)),
        "1.3": core.LeafFacts("1.3", basis=core.Basis.ASSESSED, current=LeafInput.choice("Chậm")),
        "2.1": core.LeafFacts("2.1", basis=core.Basis.ASSESSED, current=LeafInput.ratio(9, 10)),
    }
    found = core.forecast(TREE, facts)
    assert [(s.code, s.recoverable) for s in found.stakes] == [
        ("1.3", D(2)),
        ("1.1", D(1)),
        ("2.1", D("0.1")),
    ]
    on_time = found.stakes[1]
    assert (on_time.next_label, on_time.next_value, on_time.next_gain) == ("≥ 95 %", D(95), D(1))
    assert on_time.gap == D(2)
    assert found.stakes[0].next_label == "Đúng hạn"


def test_what_if_rescores_the_expected_case_and_leaves_the_forecast_untouched() -> None:
    others = core.Others(
        year=2019,
        of=5,
        partial=False,
        last=[
            Row("a", "A", D(9), 1),
            Row("b", "B", D(8), 2),
            Row("c", "C", D(7), 3),
            Row("d", "D", D(6), 4),
        ],
    )
    facts = {
        "1.1": core.LeafFacts("1.1", basis=core.Basis.REPORTED, current=LeafInput.ratio(93, 100)),
        "1.2": core.LeafFacts("1.2", basis=core.Basis.REPORTED, current=LeafInput.number(1)),
        "1.3": core.LeafFacts("1.3", basis=core.Basis.ASSESSED, current=LeafInput.choice("Chậm")),
    }
    found = core.forecast(TREE, facts, others=others)
    before = dict(found.inputs["expected"])
    assert (found.scenario("expected").total, found.scenario("expected").rank) == (D(5), 5)
    changed = core.what_if(found, {"1.1": LeafInput.number(96)})
    assert (changed.total, changed.rank) == (D(6), 4)  # ties share a rank
    assert found.inputs["expected"] == before
    assert found.scenario("expected").total == D(5)


def test_a_what_if_with_an_unusable_value_is_a_problem_not_an_exception() -> None:
    found = core.forecast(TREE, {})
    changed = core.what_if(found, {"1.3": LeafInput.choice("Không có nhãn này")})
    assert [p.kind for p in changed.result.problems] == ["unknown_label"]


@pytest.mark.parametrize(
    ("score", "expected"),
    [
        # 82.57 is below the province's own 82.85 (published 15th): 14 others were above it.
        ("82.57", (15, 16)),
        # Above the 17th's 82.30 and below the 5th's 84.33: between 6th and the 15th.
        ("83.00", (6, 15)),
        ("84.33", (5, 5)),  # a tie shares the 5th's rank
        ("95.00", (1, 1)),
        ("60.00", (63, 63)),  # below the last: last
    ],
)
def test_rank_bounds_use_the_published_ranks_as_well_as_the_scores(
    score: str, expected: tuple[int, int]
) -> None:
    rows = [
        Row("qn", "Quảng Ninh", D("90.09"), 1),
        Row("hn", "Hà Nội", D("84.64"), 2),
        Row("dt", "Đồng Tháp", D("84.43"), 3),
        Row("hp", "Hải Phòng", D("84.35"), 4),
        Row("la", "Long An", D("84.33"), 5),
        Row("bd", "Bình Dương", D("82.30"), 17),
        Row("tn", "Tây Ninh", D("80.05"), 44),
        Row("bt", "Bến Tre", D("73.87"), 63),
    ]
    own = Row("lc", "Lào Cai", D("82.85"), 15)
    assert rank_bounds(D(score), rows, of=63, own=own) == expected


def test_the_forecast_core_does_not_import_django() -> None:
    script = "import parindex.scoring.forecast, sys; print('django' in sys.modules)"
    out = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"
