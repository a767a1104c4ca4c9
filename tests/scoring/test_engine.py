"""The scoring engine, table by table: every band kind and boundary, missing, ratios, problems."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from parindex.methodology.tree import (
    BandSpec,
    FrameworkSpec,
    Method,
    NodeSpec,
    Scoring,
    Unit,
)
from parindex.scoring.engine import (
    LeafInput,
    Outcome,
    Result,
    TreeError,
    compile_tree,
    display,
    parse_inputs,
    points_text,
    score,
    score_leaf,
)


def D(text: str | int) -> Decimal:
    return Decimal(str(text))


def band(
    label: str,
    points: str,
    lower: str | None = None,
    upper: str | None = None,
    *,
    lower_inclusive: bool = True,
    upper_inclusive: bool = True,
) -> BandSpec:
    return BandSpec(
        label=label,
        points=D(points),
        lower=None if lower is None else D(lower),
        lower_inclusive=lower_inclusive,
        upper=None if upper is None else D(upper),
        upper_inclusive=upper_inclusive,
    )


def one_leaf(
    scoring: Scoring,
    bands: list[BandSpec] | None = None,
    *,
    unit: Unit = Unit.NONE,
    max_points: str = "2",
    method: Method = Method.SELF,
) -> FrameworkSpec:
    """A tree of one domain "1" with one leaf "1.1"."""
    return FrameworkSpec(
        name="t",
        declared_total=D(max_points),
        nodes=[
            NodeSpec("1", "Lĩnh vực", D(max_points)),
            NodeSpec(
                "1.1",
                "Tiêu chí",
                D(max_points),
                method=method,
                scoring=scoring,
                unit=unit,
                bands=bands or [],
            ),
        ],
    )


def leaf_of(spec: FrameworkSpec, entry: LeafInput | None) -> tuple[Result, str]:
    result = score(compile_tree(spec), {} if entry is None else {"1.1": entry})
    return result, points_text(result.nodes["1.1"])


# A percent leaf with every kind of end: [0, 50) · [50, 90] · (90, ∞)
PERCENT = one_leaf(
    Scoring.RANGES,
    [
        band("Dưới 50%", "0", upper="50", upper_inclusive=False),
        band("Từ 50% đến 90%", "1", "50", "90"),
        band("Trên 90%", "2", "90", lower_inclusive=False),
    ],
    unit=Unit.PERCENT,
)


@pytest.mark.parametrize(
    ("value", "points", "label"),
    [
        ("0", "0", "Dưới 50%"),
        ("49.999", "0", "Dưới 50%"),
        ("50", "1", "Từ 50% đến 90%"),  # inclusive lower
        ("90", "1", "Từ 50% đến 90%"),  # inclusive upper
        ("90.0001", "2", "Trên 90%"),  # exclusive lower
        ("100", "2", "Trên 90%"),
        ("250", "2", "Trên 90%"),  # open upper end
    ],
)
def test_a_percent_falls_in_the_band_whose_ends_include_it(
    value: str, points: str, label: str
) -> None:
    result, shown = leaf_of(PERCENT, LeafInput.number(value))
    node = result.nodes["1.1"]
    assert (node.points, shown, node.band and node.band.label) == (D(points), points, label)
    assert node.outcome == Outcome.BAND and node.value == D(value)
    assert result.ok and result.missing == ()


def test_the_trace_says_which_range_holds_the_value() -> None:
    node = leaf_of(PERCENT, LeafInput.number("93.5"))[0].nodes["1.1"]
    assert node.trace == "93.5% is within (90%, ∞)"
    node = leaf_of(PERCENT, LeafInput.number("90"))[0].nodes["1.1"]
    assert node.trace == "90% is within [50%, 90%]"


# A count leaf: 0 · [1, 3) · [3, 5] · (5, ∞), with an exclusive upper and an exclusive lower.
COUNT = one_leaf(
    Scoring.RANGES,
    [
        band("Không có", "0", "0", "0"),
        band("Từ 1 đến dưới 3", "0.5", "1", "3", upper_inclusive=False),
        band("Từ 3 đến 5", "1.5", "3", "5"),
        band("Trên 5", "2", "5", lower_inclusive=False),
    ],
    unit=Unit.COUNT,
)


@pytest.mark.parametrize(
    ("count", "points", "shown"),
    [
        ("0", "0", "0"),
        ("1", "0.5", "0.5"),
        ("2", "0.5", "0.5"),
        ("3", "1.5", "1.5"),
        ("5", "1.5", "1.5"),
        ("6", "2", "2"),
        ("1000", "2", "2"),
    ],
)
def test_a_count_falls_in_the_band_whose_ends_include_it(
    count: str, points: str, shown: str
) -> None:
    result, text = leaf_of(COUNT, LeafInput.number(count))
    assert (result.nodes["1.1"].points, text) == (D(points), shown)
    assert result.total == D(points)


def test_a_count_is_whole_and_not_a_ratio() -> None:
    result, _ = leaf_of(COUNT, LeafInput.number("2.5"))
    assert [p.kind for p in result.problems] == ["not_whole"]
    assert result.nodes["1.1"].points == 0 and result.nodes["1.1"].outcome == Outcome.INVALID
    result, _ = leaf_of(COUNT, LeafInput.ratio(1, 2))
    assert [p.kind for p in result.problems] == ["wrong_kind"]


def test_a_value_no_band_holds_is_a_problem_naming_the_leaf_and_the_ranges() -> None:
    gappy = one_leaf(
        Scoring.RANGES,
        [band("Đạt", "2", "80", "100"), band("Chưa đạt", "0", "0", "50")],
        unit=Unit.PERCENT,
    )
    result, _ = leaf_of(gappy, LeafInput.number("60"))
    (problem,) = result.problems
    assert problem.kind == "no_band" and problem.code == "1.1"
    assert problem.message == "1.1: no band holds 60%; the bands cover [80%, 100%], [0%, 50%]."
    assert result.total == 0


@pytest.mark.parametrize(
    ("numerator", "denominator", "points", "trace"),
    [
        (45, 50, "1", "45/50 = 90% is within [50%, 90%]"),
        (181, 200, "2", "181/200 = 90.5% is within (90%, ∞)"),
        (2, 3, "1", "2/3 = ≈66.6667% is within [50%, 90%]"),
        (0, 7, "0", "0/7 = 0% is within (-∞, 50%)"),
    ],
)
def test_a_rate_is_numerator_over_denominator_in_percent(
    numerator: int, denominator: int, points: str, trace: str
) -> None:
    node = leaf_of(PERCENT, LeafInput.ratio(numerator, denominator))[0].nodes["1.1"]
    assert (node.points, node.trace) == (D(points), trace)
    # Exact when the rate ends; otherwise to 40 significant digits.
    assert node.value is not None
    assert abs(node.value * denominator - numerator * 100) < Decimal("1e-35")


def test_a_zero_denominator_is_a_problem_not_a_crash() -> None:
    result, shown = leaf_of(PERCENT, LeafInput.ratio(3, 0))
    assert [(p.code, p.kind) for p in result.problems] == [("1.1", "zero_denominator")]
    assert (result.total, shown) == (D(0), "0.00")


PROPORTIONAL = one_leaf(Scoring.PROPORTIONAL, max_points="1.5", unit=Unit.PERCENT)


@pytest.mark.parametrize(
    ("entry", "points", "shown"),
    [
        (LeafInput.number("83.5"), "1.2525", "1.25"),
        (LeafInput.number("8.5"), "0.1275", "0.13"),
        (LeafInput.number("75"), "1.125", "1.13"),  # half-up, not half-even
        (LeafInput.number("100"), "1.5", "1.50"),
        (LeafInput.number("130"), "1.5", "1.50"),  # capped at the maximum
        (LeafInput.number("0"), "0", "0.00"),
        (LeafInput.ratio(1, 3), "0.5", "0.50"),  # one division: exact
        (LeafInput.ratio(91, 120), "1.1375", "1.14"),
        (LeafInput.ratio(7, 5), "1.5", "1.50"),
    ],
)
def test_proportional_points_are_exact_and_rounded_only_for_display(
    entry: LeafInput, points: str, shown: str
) -> None:
    result, text = leaf_of(PROPORTIONAL, entry)
    node = result.nodes["1.1"]
    assert (node.points, text, node.outcome, node.band) == (D(points), shown, Outcome.RATE, None)
    assert result.total == D(points)


def test_a_capped_rate_says_so() -> None:
    node = leaf_of(PROPORTIONAL, LeafInput.number("130"))[0].nodes["1.1"]
    assert node.trace == "130% × 1.5 = 1.95, capped at the maximum 1.5"


CATEGORICAL = one_leaf(
    Scoring.CATEGORICAL,
    [
        band("Ban hành kịp thời", "2"),
        band("Ban hành không kịp thời", "0.5"),
        band("Không ban hành", "0"),
    ],
)


@pytest.mark.parametrize(
    ("typed", "label"),
    [
        ("Ban hành kịp thời", "Ban hành kịp thời"),
        ("  ban   HÀNH\u00a0kịp thời ", "Ban hành kịp thời"),
        # The same letters in decomposed form (NFD), as some keyboards and PDFs write them.
        ("Ban ha\u0300nh kho\u0302ng ki\u0323p tho\u031bi", "Ban hành không kịp thời"),
        ("KHONG BAN HANH", "Không ban hành"),  # no tone marks, still one band
    ],
)
def test_a_categorical_band_is_chosen_by_its_label_whatever_the_case_and_spacing(
    typed: str, label: str
) -> None:
    node = leaf_of(CATEGORICAL, LeafInput.choice(typed))[0].nodes["1.1"]
    assert node.band is not None and node.band.label == label
    assert node.trace == f"“{label}” chosen"


def test_an_unknown_label_names_the_leaf_and_the_labels_allowed() -> None:
    result, _ = leaf_of(CATEGORICAL, LeafInput.choice("Xuất sắc"))
    (problem,) = result.problems
    assert problem.message == (
        "1.1: “Xuất sắc” is not one of its bands; choose one of: “Ban hành kịp thời”; "
        "“Ban hành không kịp thời”; “Không ban hành”."
    )


def test_labels_that_differ_only_by_tone_marks_need_the_marks() -> None:
    spec = one_leaf(Scoring.CATEGORICAL, [band("Có", "2"), band("Cô", "0")])
    assert leaf_of(spec, LeafInput.choice("cô"))[0].nodes["1.1"].points == 0
    result, _ = leaf_of(spec, LeafInput.choice("co"))
    assert [p.kind for p in result.problems] == ["unknown_label"]


@pytest.mark.parametrize(
    ("spec", "entry", "kind"),
    [
        (CATEGORICAL, LeafInput.number(2), "wrong_kind"),
        (PERCENT, LeafInput.choice("Trên 90%"), "wrong_kind"),
        (PERCENT, LeafInput.number("-1"), "negative"),
        (PERCENT, LeafInput.number("NaN"), "not_a_number"),
        (PERCENT, LeafInput.number("Infinity"), "not_a_number"),
        (PERCENT, LeafInput.number("1e15"), "too_large"),
        (PERCENT, LeafInput.number("1e-999999999"), "too_precise"),
        (PERCENT, LeafInput.ratio("1", "1e999999999"), "too_large"),
        (PERCENT, LeafInput(value=D(1), label="Trên 90%"), "bad_input"),
        (PERCENT, LeafInput(numerator=D(1)), "bad_input"),
        (CATEGORICAL, LeafInput.given("2.5"), "points_out_of_range"),
        (one_leaf(Scoring.NONE), LeafInput.number(1), "cannot_score"),
    ],
)
def test_an_unusable_input_scores_zero_and_is_reported(
    spec: FrameworkSpec, entry: LeafInput, kind: str
) -> None:
    result, _ = leaf_of(spec, entry)
    assert [(p.code, p.kind) for p in result.problems] == [("1.1", kind)]
    assert result.nodes["1.1"].points == 0 and result.total == 0
    assert result.missing == ()


def test_points_can_be_given_directly_within_the_maximum() -> None:
    node = leaf_of(CATEGORICAL, LeafInput.given("1.25"))[0].nodes["1.1"]
    assert (node.points, node.outcome, node.trace) == (
        D("1.25"),
        Outcome.GIVEN,
        "1.25 points given",
    )


def test_a_survey_leaf_scores_from_its_survey_value_like_any_leaf() -> None:
    for scoring, bands, entry, points in [
        (Scoring.PROPORTIONAL, [], LeafInput.number("80"), "1.6"),
        (Scoring.RANGES, PERCENT.nodes[1].bands, LeafInput.ratio(460, 500), "2"),
        (Scoring.CATEGORICAL, CATEGORICAL.nodes[1].bands, LeafInput.choice("không ban hành"), "0"),
    ]:
        spec = one_leaf(scoring, bands, unit=Unit.PERCENT, method=Method.SURVEY)
        result, _ = leaf_of(spec, entry)
        assert result.ok and result.nodes["1.1"].points == D(points)
    assert leaf_of(one_leaf(Scoring.PROPORTIONAL, method=Method.SURVEY), None)[0].missing == (
        "1.1",
    )


def tree_of_three_domains() -> FrameworkSpec:
    r = Scoring.RANGES
    return FrameworkSpec(
        name="t",
        declared_total=D(20),
        nodes=[
            NodeSpec("1", "A", D(6)),
            NodeSpec("1.1", "A1", D(4)),
            NodeSpec("1.1.1", "a", D(2), scoring=Scoring.PROPORTIONAL, unit=Unit.PERCENT),
            NodeSpec(
                "1.1.2", "b", D(2), scoring=r, unit=Unit.PERCENT, bands=PERCENT.nodes[1].bands
            ),
            NodeSpec(
                "1.2", "A2", D(2), scoring=Scoring.CATEGORICAL, bands=CATEGORICAL.nodes[1].bands
            ),
            NodeSpec("2", "B", D(4), scoring=Scoring.PROPORTIONAL, unit=Unit.PERCENT),
            NodeSpec("3", "C", D(10)),
            NodeSpec("3.1", "C1", D(8), scoring=Scoring.PROPORTIONAL, unit=Unit.PERCENT),
            NodeSpec("3.2", "C2", D(2), scoring=r, unit=Unit.COUNT, bands=COUNT.nodes[1].bands),
        ],
    )


def test_inner_nodes_and_the_total_are_the_exact_sums_of_their_parts() -> None:
    tree = compile_tree(tree_of_three_domains())
    result = score(
        tree,
        {
            "1.1.1": LeafInput.ratio(1, 3),  # 2/3 points, a decimal that does not end
            "1.1.2": LeafInput.number(95),
            "1.2": LeafInput.choice("Ban hành không kịp thời"),
            "2": LeafInput.number("33.333"),
            "3.1": LeafInput.ratio(2, 3),
        },
    )
    nodes = result.nodes
    assert list(nodes) == ["1", "1.1", "1.1.1", "1.1.2", "1.2", "2", "3", "3.1", "3.2"]

    def exact(*codes: str) -> Fraction:
        return sum((Fraction(nodes[c].points) for c in codes), Fraction(0))

    assert exact("1.1") == exact("1.1.1", "1.1.2") and nodes["1.1.2"].points == 2
    assert exact("1") == exact("1.1", "1.2") and nodes["1.2"].points == D("0.5")
    assert exact("3") == exact("3.1", "3.2")
    assert Fraction(result.total) == exact("1", "2", "3")
    assert nodes["1.1"].outcome == Outcome.SUM and not nodes["1.1"].is_leaf
    assert result.missing == ("3.2",) and nodes["3.2"].trace == "missing"
    assert result.max == 20 and nodes["3.2"].lost == 2
    # 0.6667 + 2 + 0.5 + 1.33332 + 5.3333 = 9.8333 → 9.83; no rounding before the display.
    assert display(result.total) == "9.83" and display(result.total, lang="vi") == "9,83"


def test_every_leaf_without_input_is_missing_and_scores_zero() -> None:
    result = score(compile_tree(tree_of_three_domains()), {})
    assert result.missing == ("1.1.1", "1.1.2", "1.2", "2", "3.1", "3.2")
    assert result.total == 0 and result.ok
    assert all(n.points == 0 for n in result.nodes.values())


def test_inputs_for_unknown_codes_or_inner_nodes_are_problems() -> None:
    result = score(
        compile_tree(tree_of_three_domains()),
        {"9": LeafInput.number(1), "1.1": LeafInput.number(1)},
    )
    assert [(p.code, p.kind) for p in result.problems] == [
        ("9", "unknown_leaf"),
        ("1.1", "not_a_leaf"),
    ]
    assert result.problems[1].message == (
        "1.1 is scored as the sum of its parts; give inputs for its parts (1.1.1, 1.1.2)."
    )


def test_a_spec_is_compiled_on_the_fly_and_ranges_are_read_from_labels() -> None:
    # No explicit bounds or scoring: the tree's normalisation reads them from the wording.
    spec = one_leaf(
        Scoring.NONE,
        [
            BandSpec("Thực hiện trên 90% kế hoạch", D(2)),
            BandSpec("Thực hiện từ 70% - 90% kế hoạch", D(1)),
            BandSpec("Thực hiện dưới 70% kế hoạch", D(0)),
        ],
    )
    node = score(spec, {"1.1": LeafInput.number(70)}).nodes["1.1"]
    assert node.band is not None and node.band.label == "Thực hiện từ 70% - 90% kế hoạch"


def test_a_malformed_tree_cannot_be_compiled() -> None:
    spec = FrameworkSpec(name="t", nodes=[NodeSpec("1.1", "orphan", D(1))])
    with pytest.raises(TreeError) as raised:
        compile_tree(spec)
    assert raised.value.messages == ["1.1: its parent 1 is not in the tree."]


@pytest.mark.parametrize(
    ("value", "en", "vi"),
    [
        ("71.25", "71.25", "71,25"),
        ("8.5", "8.50", "8,50"),
        ("0.125", "0.13", "0,13"),
        ("0.124999", "0.12", "0,12"),
        ("100", "100.00", "100,00"),
        ("2.675", "2.68", "2,68"),
    ],
)
def test_display_rounds_half_up_to_two_decimals(value: str, en: str, vi: str) -> None:
    assert (display(D(value)), display(D(value), lang="vi")) == (en, vi)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (85, LeafInput(value=D(85))),
        (D("93.5"), LeafInput(value=D("93.5"))),
        ("93,5", LeafInput(value=D("93.5"))),
        (93.5, LeafInput(value=D("93.5"))),
        ({"numerator": 9, "denominator": 10}, LeafInput(numerator=D(9), denominator=D(10))),
        ({"points": "1,5"}, LeafInput(points=D("1.5"))),
        ({"value": 3}, LeafInput(value=D(3))),
    ],
)
def test_inputs_are_read_as_json_and_people_write_them(raw: object, expected: LeafInput) -> None:
    tree = compile_tree(PERCENT)
    assert parse_inputs(tree, {"1.1": raw}) == ({"1.1": expected}, [])


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        ("=B2/C2*100", "formula"),
        ("chín mươi", "not_a_number"),
        (True, "not_a_number"),
        ([90], "not_a_number"),
        (10**400, "too_large"),
        (float("nan"), "not_a_number"),
        ({"numerator": 1}, "bad_input"),
        ({"numerator": 1, "denominator": "x"}, "not_a_number"),
        ({"rate": 1}, "bad_input"),
    ],
)
def test_unusable_json_inputs_are_problems_naming_the_leaf(raw: object, kind: str) -> None:
    inputs, problems = parse_inputs(compile_tree(PERCENT), {"1.1": raw})
    assert inputs == {} and [(p.code, p.kind) for p in problems] == [("1.1", kind)]


def test_a_string_for_a_categorical_leaf_is_a_label_and_null_is_missing() -> None:
    tree = compile_tree(CATEGORICAL)
    assert parse_inputs(tree, {"1.1": "Không ban hành"}) == (
        {"1.1": LeafInput(label="Không ban hành")},
        [],
    )
    assert parse_inputs(tree, {"1.1": None}) == ({}, [])


@pytest.mark.parametrize(
    "entry", [LeafInput.number("-0"), LeafInput.ratio("-0", 5), LeafInput.given("-0.0")]
)
def test_negative_zero_is_zero(entry: LeafInput) -> None:
    node = leaf_of(PROPORTIONAL, entry)[0].nodes["1.1"]
    assert points_text(node) == "0.00" and not node.points.is_signed()


def test_a_tree_with_points_too_large_to_compute_with_cannot_be_compiled() -> None:
    with pytest.raises(TreeError) as raised:
        compile_tree(one_leaf(Scoring.PROPORTIONAL, max_points="1e999999999"))
    assert raised.value.messages[0] == "1: 1E+999999999 is too large or not a number."


def test_one_leaf_scores_alone_as_it_does_within_the_tree() -> None:
    tree = compile_tree(tree_of_three_domains())
    entries = {
        "1.1.1": LeafInput.ratio(1, 3),
        "1.1.2": LeafInput.number(95),
        "1.2": LeafInput.choice("Xuất sắc"),
        "3.2": None,
    }
    whole = score(tree, {c: e for c, e in entries.items() if e is not None})
    for code, entry in entries.items():
        alone, problem = score_leaf(tree, code, entry)
        assert alone == whole.nodes[code]
        assert (problem is None) == (code != "1.2")
    with pytest.raises(KeyError):
        score_leaf(tree, "1.1", LeafInput.number(1))
