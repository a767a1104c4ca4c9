"""Measured satisfaction to survey-based sub-criteria, by hand: the mapping file, one factor's and
several factors' rates with their intervals, the PAR INDEX points of a SIPAS index, and the
forecast's three scenarios on a measured rate. Pure: no database."""

from __future__ import annotations

from decimal import Decimal

import pytest

from parindex.methodology.tree import BandSpec, FrameworkSpec, Method, NodeSpec, Scoring, Unit
from parindex.scoring import forecast
from parindex.scoring import satisfaction as core
from parindex.scoring.engine import CompiledTree, LeafInput, compile_tree, score
from parindex.surveys.models import Factor
from tests.methodology.support import ROOT

D = Decimal
FEEDS = ROOT / "parindex" / "forecasting" / "data" / "survey-feeds.yaml"


def _figure(factor: str, share: str, low: str, high: str, n: int) -> core.FactorFigure:
    return core.FactorFigure(factor, D(share), D(low), D(high), n, weighted=True, deff=D("1.2"))


def test_the_factors_a_leaf_can_be_fed_by_are_the_surveys_factors() -> None:
    assert set(core.FACTORS) == set(Factor.values)


def test_one_factor_gives_its_share_and_interval_in_percent_to_four_places() -> None:
    # 262 of 281 satisfied: 0.932384… with Wilson's interval [0.8968, 0.9563] (docs/surveys.md).
    figures = {"staff": _figure("staff", "0.93238434", "0.89682", "0.95634", 281)}
    found = core.measure(core.Feed("8.1.2", ("staff",)), figures)
    assert found is not None
    assert (found.rate, found.low, found.high, found.n) == (
        D("93.2384"),
        D("89.6820"),
        D("95.6340"),
        281,
    )
    assert found.weighted and found.deff == D("1.2")


def test_several_factors_give_the_mean_of_their_shares_and_of_their_bounds() -> None:
    figures = {
        "access": _figure("access", "0.90", "0.88", "0.92", 500),
        "procedure": _figure("procedure", "0.80", "0.77", "0.83", 480),
        "staff": _figure("staff", "0.95", "0.93", "0.97", 500),
        "result": _figure("result", "0.85", "0.82", "0.88", 500),
        "feedback": _figure("feedback", "0.70", "0.60", "0.79", 60),
    }
    feed = core.Feed("8.1.1", ("access", "procedure", "staff", "result", "feedback"))
    found = core.measure(feed, figures)
    assert found is not None
    # (90 + 80 + 95 + 85 + 70) / 5 = 84; bounds (88 + 77 + 93 + 82 + 60) / 5 = 80 and
    # (92 + 83 + 97 + 88 + 79) / 5 = 87.8; the smallest sample is feedback's 60.
    assert (found.rate, found.low, found.high, found.n) == (D(84), D(80), D("87.8"), 60)


def test_a_factor_without_answers_measures_nothing() -> None:
    figures = {"staff": _figure("staff", "0.9", "0.8", "0.95", 40)}
    assert core.measure(core.Feed("8.1.1", ("overall",)), figures) is None
    assert core.measure(core.Feed("8.1.1", ("staff", "overall")), figures) is None


@pytest.mark.parametrize(
    ("index", "maximum", "points"),
    [
        ("91.17", "10", "9.12"),  # Hà Tĩnh 2021 as published: 9,12 points for 91,17 %
        ("95.6", "10", "9.56"),  # Quảng Ninh 2020: 9,56 points
        ("83", "10", "8.30"),  # Lào Cai 2019's 8,30 points would be an 83 % index
        ("88.125", "2", "1.76"),  # 1.7625 → 1.76; half-up at the third place
        ("88.375", "2", "1.77"),  # 1.7675 → 1.77
        ("104", "10", "10.00"),  # never above the maximum
        ("0", "10", "0.00"),
    ],
)
def test_sipas_points_are_the_maximum_times_the_index_rounded_half_up(
    index: str, maximum: str, points: str
) -> None:
    assert core.sipas_points(D(index), D(maximum)) == D(points)


def test_the_engine_scores_a_proportional_leaf_as_sipas_points_do() -> None:
    tree = compile_tree(
        FrameworkSpec(
            name="t",
            nodes=[
                NodeSpec("8", "Impact", D(10)),
                NodeSpec(
                    "8.1",
                    "SIPAS",
                    D(10),
                    method=Method.SURVEY,
                    scoring=Scoring.PROPORTIONAL,
                    unit=Unit.PERCENT,
                ),
            ],
        )
    )
    result = score(tree, {"8.1": LeafInput.number(D("91.17"))})
    assert result.total.quantize(D("0.01")) == core.sipas_points(D("91.17"), D(10))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("format: other\ntrees: []", "format"),
        ("format: parindex-survey-feeds/1\ntrees: {}", "trees"),
        (
            "format: parindex-survey-feeds/1\ntrees:\n - {code: t, version: 1, leaves: "
            "[{code: '1', factors: [happiness]}]}",
            "unknown factor happiness",
        ),
        (
            "format: parindex-survey-feeds/1\ntrees:\n - {code: t, version: 1, leaves: "
            "[{code: '1', factors: [staff]}, {code: '1', factors: [overall]}]}",
            "mapped twice",
        ),
        ("format: parindex-survey-feeds/1\ntrees:\n - {code: t, leaves: []}", "version"),
        ("format: [", "not YAML"),
    ],
)
def test_a_malformed_mapping_is_refused_saying_where(text: str, message: str) -> None:
    with pytest.raises(core.FeedError, match=message):
        core.read_feeds(text)


def test_the_shipped_mapping_feeds_the_demo_trees_survey_leaves() -> None:
    feeds = core.read_feeds(FEEDS.read_text(encoding="utf-8"))
    assert core.feeds_for(feeds, "demo-lao-cai-2020-illustrative", 1) == (
        core.Feed("8.1.1", ("overall",)),
        core.Feed("8.1.2", ("staff",)),
    )
    assert core.feeds_for(feeds, "demo-lao-cai-2020-illustrative", 2) == ()


def _survey_tree() -> CompiledTree:
    bands = [
        BandSpec("≥ 90 %", D(6), lower=D(90)),
        BandSpec("80–90 %", D(4), lower=D(80), upper=D(90), upper_inclusive=False),
        BandSpec("< 80 %", D(0), upper=D(80), upper_inclusive=False),
    ]
    return compile_tree(
        FrameworkSpec(
            name="t",
            nodes=[
                NodeSpec("8", "Impact", D(8)),
                NodeSpec(
                    "8.1",
                    "Satisfied",
                    D(6),
                    method=Method.SURVEY,
                    scoring=Scoring.RANGES,
                    unit=Unit.PERCENT,
                    bands=bands,
                ),
                NodeSpec(
                    "8.2",
                    "Staff",
                    D(2),
                    method=Method.SURVEY,
                    scoring=Scoring.PROPORTIONAL,
                    unit=Unit.PERCENT,
                ),
            ],
        )
    )


def test_a_measured_rate_is_expected_as_measured_and_its_interval_bounds_the_other_cases() -> None:
    tree = _survey_tree()
    facts = {
        # 91 % measured, interval 89–93 %: the worst case falls a band, the best stays.
        "8.1": forecast.LeafFacts(
            "8.1",
            basis=forecast.Basis.SURVEYED,
            current=LeafInput.number(D(91)),
            low=D(89),
            high=D(93),
        ),
        # 94 % of 2 points: 1.88; interval 92–96 %: 1.84 and 1.92.
        "8.2": forecast.LeafFacts(
            "8.2",
            basis=forecast.Basis.SURVEYED,
            current=LeafInput.number(D(94)),
            low=D(92),
            high=D(96),
        ),
    }
    found = forecast.forecast(tree, facts)
    points = {
        name: (
            found.scenario(name).result.nodes["8.1"].points,
            found.scenario(name).result.nodes["8.2"].points,
        )
        for name in forecast.SCENARIOS
    }
    assert points == {
        "worst": (D(4), D("1.84")),
        "expected": (D(6), D("1.88")),
        "best": (D(6), D("1.92")),
    }
    # The measured leaf stands at stake with what its lower bound risks.
    (stake,) = [s for s in found.stakes if s.code == "8.1"]
    assert stake.at_risk == D(2) and stake.facts.basis == forecast.Basis.SURVEYED


def test_a_measured_rate_below_its_target_is_met_in_the_best_case() -> None:
    tree = _survey_tree()
    facts = {
        "8.1": forecast.LeafFacts(
            "8.1",
            basis=forecast.Basis.SURVEYED,
            current=LeafInput.number(D(85)),
            low=D(83),
            high=D(87),
            target=forecast.TargetFacts(">=", D(90)),
        )
    }
    found = forecast.forecast(tree, facts)
    assert [found.scenario(n).result.nodes["8.1"].points for n in forecast.SCENARIOS] == [
        D(4),
        D(4),
        D(6),
    ]
