"""Satisfaction statistics on small cases worked by hand (docs/surveys.md has the formulas)."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest

from parindex.surveys import stats
from parindex.surveys.stats import Score, Tally


def q(value: Decimal | None, places: str = "0.0001") -> str | None:
    return None if value is None else str(value.quantize(Decimal(places)))


@pytest.mark.parametrize(
    ("satisfied", "n", "low", "high"),
    [
        # 8/10: p = 0.8, centre 0.7170, half 0.2266 (Wilson 1927; Newcombe 1998, table I).
        (8, 10, "0.4902", "0.9433"),
        # 0/10 and 10/10: the interval does not collapse to a point at the edges.
        (0, 10, "0.0000", "0.2775"),
        (10, 10, "0.7225", "1.0000"),
        (1, 1, "0.2065", "1.0000"),
        # The example row: 262 satisfied out of 281.
        (262, 281, "0.8968", "0.9563"),
    ],
)
def test_wilson_interval_matches_hand_computed_bounds(
    satisfied: int, n: int, low: str, high: str
) -> None:
    bounds = stats.wilson(satisfied, n)
    assert bounds is not None
    assert (q(bounds[0]), q(bounds[1])) == (low, high)


def test_wilson_interval_of_no_answers_is_none() -> None:
    assert stats.wilson(0, 0) is None


@pytest.mark.parametrize(
    ("volume", "margin", "needed"),
    [
        # 1000 / (1 + 1000·0.0025) = 285.71… → 286
        (1000, "0.05", 286),
        # 100 / 1.25 = 80 exactly: not rounded up past 80
        (100, "0.05", 80),
        # 20000 / 51 = 392.16… → 393
        (20000, "0.05", 393),
        # 1000 / (1 + 1000·0.01) = 90.9… → 91
        (1000, "0.10", 91),
        (0, "0.05", 0),
    ],
)
def test_minimum_sample_is_n_over_one_plus_n_e_squared_rounded_up(
    volume: int, margin: str, needed: int
) -> None:
    assert stats.minimum_sample(volume, Decimal(margin)) == needed


@pytest.mark.parametrize(
    ("day", "period"),
    [
        (date(2020, 1, 1), "2020Q1"),
        (date(2020, 3, 31), "2020Q1"),
        (date(2020, 4, 1), "2020Q2"),
        (date(2020, 9, 30), "2020Q3"),
        (date(2020, 12, 31), "2020Q4"),
    ],
)
def test_a_day_falls_in_its_quarter(day: date, period: str) -> None:
    assert stats.quarter(day) == period


def test_share_mean_and_sample_size_per_agency_factor_and_period() -> None:
    scores = [
        # so-y-te, staff, Q1: 5, 4, 3, 2 → n 4, satisfied 2, share 0.5, mean 3.5
        *(Score("so-y-te", "staff", "2020Q1", v) for v in (5, 4, 3, 2)),
        # so-y-te, staff, Q2: 4, 4, 5 → n 3, satisfied 3, share 1, mean 4.33
        *(Score("so-y-te", "staff", "2020Q2", v) for v in (4, 4, 5)),
        # so-tu-phap, access, Q1: 1 → n 1, satisfied 0, mean 1
        Score("so-tu-phap", "access", "2020Q1", 1),
    ]
    rows, _province = stats.indices(scores)
    got = [
        (r.agency, r.factor, r.period, r.n, r.satisfied, q(r.share), q(r.mean, "0.01"))
        for r in rows
    ]
    assert got == [
        ("so-tu-phap", "access", "2020Q1", 1, 0, "0.0000", "1.00"),
        ("so-y-te", "staff", "2020Q1", 4, 2, "0.5000", "3.50"),
        ("so-y-te", "staff", "2020Q2", 3, 3, "1.0000", "4.33"),
    ]


def test_json_row_has_the_contract_shape_with_exact_strings() -> None:
    row = stats.index("so-y-te", "staff", "all", Tally(n=281, satisfied=262, total=1239))
    assert stats.as_text(row) == {
        "agency": "so-y-te",
        "factor": "staff",
        "n": 281,
        "satisfied": 262,
        "share": "0.9324",
        "ci95": ["0.8968", "0.9563"],
        # 1239 / 281 = 4.4092…
        "mean": "4.41",
    }


def test_json_row_without_answers_has_no_share_interval_or_mean() -> None:
    row = stats.index("so-y-te", "staff", "all", Tally())
    text = stats.as_text(row)
    assert (text["n"], text["share"], text["ci95"], text["mean"]) == (0, None, None, None)


@pytest.mark.parametrize(
    ("counted", "volume", "flags"),
    [
        # 95/100, interval 0.8882–0.9785 holds 0.90: cannot tell which side.
        (Tally(100, 95, 460), None, ("straddles_target",)),
        # 290/300 → 0.9397–0.9818 lies above the target: no flag.
        (Tally(300, 290, 1420), None, ()),
        # 80/100 → 0.7112–0.8666: below, and the whole interval is below.
        (Tally(100, 80, 400), None, ("below_target",)),
        # 88/100 → 0.8019–0.9300: below, and the interval reaches the target.
        (Tally(100, 88, 430), None, ("below_target", "straddles_target")),
        # 20 answers, all satisfied: fewer than 30 with no volume to size the sample, and
        # 0.8389–1 still holds the target.
        (Tally(20, 20, 100), None, ("straddles_target", "too_few")),
        # 290/300 but the agency handled 1000 dossiers: it needs 286, has 300: enough.
        (Tally(300, 290, 1420), 1000, ()),
        # 290/300 for 20000 dossiers: it needs 393.
        (Tally(300, 290, 1420), 20000, ("too_few",)),
    ],
)
def test_flags_name_agencies_below_target_straddling_it_or_with_too_few_answers(
    counted: Tally, volume: int | None, flags: tuple[str, ...]
) -> None:
    row = stats.index("so-y-te", "staff", "all", counted, volume=volume)
    assert row.flags == flags


def test_the_required_sample_is_shown_beside_the_actual_one() -> None:
    row = stats.index("so-y-te", "staff", "all", Tally(300, 290, 1420), volume=1000)
    assert (row.n, row.required) == (300, 286)
    assert stats.details(row)["required"] == 286


def test_province_figure_weights_agencies_by_dossier_volume_with_kish_design_effect() -> None:
    # a: 2 answers, 1 satisfied (p 0.5, mean 3.5), 300 dossiers;
    # b: 4 answers, all satisfied (p 1, mean 4.5), 100 dossiers.
    # p_w = (300·0.5 + 100·1) / 400 = 0.625; mean_w = (300·3.5 + 100·4.5) / 400 = 3.75
    # w = 150 for a's answers, 25 for b's: deff = 6·(2·150² + 4·25²) / 400² = 1.78125
    # n_eff = 6 / 1.78125 = 3.3684…
    agencies = {"a": Tally(2, 1, 7), "b": Tally(4, 4, 18)}
    row = stats.province_index("staff", "all", agencies, volumes={"a": 300, "b": 100})
    assert row.weighted
    assert (row.n, row.satisfied) == (6, 5)
    assert row.share == Decimal("0.625")
    assert row.mean == Decimal("3.75")
    assert row.deff == Decimal("1.78125")
    assert q(row.effective_n) == "3.3684"
    # Wilson at p 0.625 with 3.3684 answers
    assert (q(row.low), q(row.high)) == ("0.1988", "0.9180")
    assert stats.details(row)["deff"] == "1.78"


def test_equal_weights_give_the_pooled_share_and_a_design_effect_of_one() -> None:
    # Volumes proportional to the samples: every answer weighs the same.
    agencies = {"a": Tally(10, 8, 40), "b": Tally(30, 27, 130)}
    row = stats.province_index("staff", "all", agencies, volumes={"a": 100, "b": 300})
    assert row.share == Decimal("0.875")  # 35 / 40
    assert row.deff == Decimal(1)
    assert row.effective_n == Decimal(40)


def test_province_figure_without_every_volume_is_pooled_and_names_the_missing() -> None:
    agencies = {"a": Tally(2, 1, 7), "b": Tally(4, 4, 18)}
    row = stats.province_index("staff", "all", agencies, volumes={"a": 300})
    assert not row.weighted
    assert row.missing_volume == ("b",)
    assert (q(row.share), row.deff) == ("0.8333", Decimal(1))


def test_indices_give_the_province_per_factor_and_period() -> None:
    scores = [
        Score("a", "staff", "2020Q1", 5),
        Score("b", "staff", "2020Q1", 2),
        Score("a", "staff", "2020Q2", 4),
        Score("a", "access", "2020Q1", 3),
    ]
    _rows, province = stats.indices(scores)
    got = [(r.agency, r.factor, r.period, r.n, r.satisfied) for r in province]
    assert got == [
        ("", "access", "2020Q1", 1, 0),
        ("", "staff", "2020Q1", 2, 1),
        ("", "staff", "2020Q2", 1, 1),
    ]


def test_only_four_and_five_count_as_satisfied() -> None:
    counted = stats.tally(Score("a", "staff", "all", v) for v in (1, 2, 3, 4, 5))
    assert counted[("a", "staff", "all")] == Tally(n=5, satisfied=2, total=15)


def test_statistics_do_not_import_django() -> None:
    code = (
        "import sys, parindex.surveys.stats; "
        "sys.exit(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
