"""Dossier rates to the sub-criteria they measure, by hand: the shipped mapping checked against
the trees it names, malformed mappings refused, a leaf's rate with the province's on-time
choice, the days the records cover, and the forecast's three scenarios on a computed rate.
Pure: no database."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from parindex.dossiers import kpis
from parindex.methodology.formats.yaml_format import load_yaml
from parindex.methodology.tree import BandSpec, FrameworkSpec, Method, NodeSpec, Scoring, Unit
from parindex.scoring import dossier_feeds as core
from parindex.scoring import forecast, satisfaction
from parindex.scoring.engine import LeafInput, compile_tree
from tests.methodology.support import DATA, ROOT

D = Decimal
FEEDS = ROOT / "parindex" / "forecasting" / "data" / "dossier-feeds.yaml"
SURVEY_FEEDS = ROOT / "parindex" / "forecasting" / "data" / "survey-feeds.yaml"


def _shipped() -> dict[tuple[str, int], tuple[core.Feed, ...]]:
    return core.read_feeds(FEEDS.read_text(encoding="utf-8"))


def test_the_rates_a_leaf_can_be_fed_by_are_the_kpi_engines() -> None:
    assert core.RATES == kpis.RATES
    assert set(core.ON_TIME_RATES) <= set(core.RATES)


def test_the_shipped_mapping_feeds_the_demo_trees_procedure_leaves() -> None:
    assert core.feeds_for(_shipped(), "demo-lao-cai-2020-illustrative", 1) == (
        core.Feed("3.4.1", core.ON_TIME),
        core.Feed("7.2.1", "ty_le_tthc_tt34_bcci"),
        core.Feed("7.2.2", "ty_le_truc_tuyen"),
        core.Feed("7.3.1", "ty_le_tthc_tt34_bcci"),
        core.Feed("7.3.2", "ty_le_nhan_bcci"),
    )
    # The official trees shipped have no leaf a dossier rate measures (the file says why).
    assert set(_shipped()) == {("demo-lao-cai-2020-illustrative", 1)}


def test_every_mapped_leaf_is_a_self_assessed_rate_leaf_of_its_tree_never_a_survey_one() -> None:
    trees = {}
    for path in DATA.glob("*.yaml"):
        spec = load_yaml(path.read_bytes()).spec
        assert spec is not None
        trees[(spec.code, spec.version)] = spec
    surveyed = satisfaction.read_feeds(SURVEY_FEEDS.read_text(encoding="utf-8"))
    for key, feeds in _shipped().items():
        spec = trees[key]
        parents = {n.parent_code for n in spec.nodes}
        survey_codes = {f.code for f in surveyed.get(key, ())}
        for feed in feeds:
            node = spec.node(feed.code)
            assert node is not None and node.code not in parents, feed
            assert node.unit == Unit.PERCENT and node.method != Method.SURVEY, feed
            assert feed.code not in survey_codes, feed


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("format: parindex-survey-feeds/1\ntrees: []", "format"),
        ("format: parindex-dossier-feeds/1\ntrees: {}", "trees"),
        (
            "format: parindex-dossier-feeds/1\ntrees:\n - {code: t, version: 1, leaves: "
            "[{code: '1', rate: ty_le_hai_long}]}",
            "unknown rate 'ty_le_hai_long'",
        ),
        (
            "format: parindex-dossier-feeds/1\ntrees:\n - {code: t, version: 1, leaves: "
            "[{code: '1', rate: on_time}, {code: '1', rate: ty_le_truc_tuyen}]}",
            "mapped twice",
        ),
        (
            "format: parindex-dossier-feeds/1\ntrees:\n - {code: t, version: 1, leaves: "
            "[{code: '1', rate: on_time, factors: [staff]}]}",
            "unknown key factors",
        ),
        (
            "format: parindex-dossier-feeds/1\ntrees:\n - {code: t, version: true, leaves: []}",
            "version",
        ),
        (
            "format: parindex-dossier-feeds/1\ntrees:\n - {code: t, version: 1, leaves: []}",
            "leaves",
        ),
        ("format: [", "not YAML"),
    ],
)
def test_a_malformed_mapping_is_refused_saying_where(text: str, message: str) -> None:
    with pytest.raises(core.FeedError, match=message):
        core.read_feeds(text)


RATES: dict[str, tuple[int, int] | None] = {
    "ty_le_dung_han": (3, 5),
    "ty_le_dung_han_ca_dang_qua_han": (3, 6),
    "ty_le_truc_tuyen": (2, 7),
    "ty_le_nhan_bcci": None,
}


@pytest.mark.parametrize(
    ("feed", "on_time", "expected"),
    [
        (core.Feed("3.4.1", core.ON_TIME), "ty_le_dung_han", (3, 5, D(60))),
        (core.Feed("3.4.1", core.ON_TIME), "ty_le_dung_han_ca_dang_qua_han", (3, 6, D(50))),
        # A rate named in the mapping is read whatever the province's on-time choice.
        (core.Feed("3.4.1", "ty_le_dung_han"), "ty_le_dung_han_ca_dang_qua_han", (3, 5, D(60))),
        (core.Feed("7.2.2", "ty_le_truc_tuyen"), "ty_le_dung_han", (2, 7, D("28.5714"))),
        (core.Feed("7.3.2", "ty_le_nhan_bcci"), "ty_le_dung_han", None),  # no denominator
        (core.Feed("7.3.1", "ty_le_tthc_tt34_bcci"), "ty_le_dung_han", None),  # not computed
    ],
)
def test_a_leaf_reads_its_rate_with_numerator_and_denominator(
    feed: core.Feed, on_time: str, expected: tuple[int, int, Decimal] | None
) -> None:
    found = core.measure(feed, RATES, on_time)
    if expected is None:
        assert found is None
        return
    assert found is not None
    assert (found.numerator, found.denominator, found.percent) == expected


def test_an_unknown_on_time_choice_is_an_error() -> None:
    with pytest.raises(ValueError, match="on-time rate"):
        core.measure(core.Feed("3.4.1", core.ON_TIME), RATES, "ty_le_truc_tuyen")


@pytest.mark.parametrize(
    ("latest", "past_end", "expected"),
    [
        (date(2020, 6, 30), False, (date(2020, 1, 1), date(2020, 6, 30))),
        (date(2020, 1, 1), False, (date(2020, 1, 1), date(2020, 1, 1))),
        (date(2020, 12, 31), False, (date(2020, 1, 1), date(2020, 12, 31))),
        (None, True, (date(2020, 1, 1), date(2020, 12, 31))),  # records go past the year
        (date(2020, 6, 30), True, (date(2020, 1, 1), date(2020, 12, 31))),
        (None, False, None),
        (date(2019, 12, 31), False, None),
    ],
)
def test_the_period_so_far_ends_on_the_latest_dossier_date(
    latest: date | None, past_end: bool, expected: tuple[date, date] | None
) -> None:
    assert core.so_far(date(2020, 1, 1), date(2020, 12, 31), latest, past_end) == expected


def test_a_computed_rate_is_a_level_in_every_scenario_and_the_target_met_at_best() -> None:
    bands = [
        BandSpec("≥ 95 %", D(4), lower=D(95)),
        BandSpec("90–95 %", D(3), lower=D(90), upper=D(95), upper_inclusive=False),
        BandSpec("< 90 %", D(0), upper=D(90), upper_inclusive=False),
    ]
    tree = compile_tree(
        FrameworkSpec(
            name="t",
            nodes=[
                NodeSpec("3", "TTHC", D(4)),
                NodeSpec(
                    "3.1",
                    "Đúng hạn",
                    D(4),
                    scoring=Scoring.RANGES,
                    unit=Unit.PERCENT,
                    bands=bands,
                ),
            ],
        )
    )
    facts = {
        "3.1": forecast.LeafFacts(
            "3.1",
            basis=forecast.Basis.COMPUTED,
            current=LeafInput.ratio(D(92), D(100)),
            covered=D("0.5"),  # half the year: a rate is not pro-rated
            target=forecast.TargetFacts(">=", D(95)),
        )
    }
    result = forecast.forecast(tree, facts)
    points = [result.scenario(n).result.nodes["3.1"].points for n in forecast.SCENARIOS]
    assert points == [D(3), D(3), D(4)]
    assert result.inputs["expected"]["3.1"] == LeafInput.ratio(D(92), D(100))
