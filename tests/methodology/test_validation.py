"""Validation: errors make a tree unloadable, gaps keep it a draft; nothing is silently fixed."""

from __future__ import annotations

import string
from dataclasses import replace
from decimal import Decimal

import pytest

from parindex.methodology.tree import NodeSpec, Scoring, Severity, Unit
from parindex.methodology.validation import KINDS, infer_scoring, normalise, validate
from tests.methodology.support import D, band, complete_tree, kinds, node, tree


def test_complete_tree_with_every_scoring_kind_has_no_problems():
    assert validate(complete_tree()) == []


def test_band_worth_more_than_its_row_is_an_error_naming_the_row():
    leaf = node("1", 1, band("Ban hành kịp thời", 2), band("Không ban hành", 0), line=7)
    (found,) = [p for p in validate(tree(leaf)) if p.severity == Severity.ERROR]
    assert (found.kind, found.where, found.line) == ("band_exceeds_max", "1", 7)
    assert (found.param("label"), found.param("points"), found.param("max")) == (
        "Ban hành kịp thời",
        "2",
        "1",
    )


def test_negative_maximum_and_negative_band_are_errors():
    problems = validate(tree(node("1", -1), node("2", 1, band("Trừ điểm", -1), band("Đạt", 1))))
    assert ("negative_points", "1") in kinds(problems, Severity.ERROR)
    assert ("band_negative", "2") in kinds(problems, Severity.ERROR)


@pytest.mark.parametrize("code", ["0", "1.0", "01", "1..2", "1.2.", "a", "I", "1.a", " 1", ""])
def test_codes_must_be_dotted_positive_integers(code):
    problems = validate(tree(NodeSpec(code, "x", D(1), bands=[band("Đạt", 1)])))
    assert ("bad_code", code) in kinds(problems, Severity.ERROR)


@pytest.mark.parametrize("code", ["1", "12", "1.2", "1.2.10", "10.1.3.4"])
def test_well_formed_codes_pass(code):
    spec = tree(*[node(c, 1) for c in _ancestors(code)], total=None)
    assert not [p for p in validate(spec) if p.kind == "bad_code"]


def _ancestors(code: str) -> list[str]:
    parts = code.split(".")
    return [".".join(parts[: i + 1]) for i in range(len(parts))]


def test_a_code_used_twice_is_an_error_naming_both_lines():
    problems = validate(tree(node("1", 1, line=3), node("1", 1, line=9)))
    (dup,) = [p for p in problems if p.kind == "duplicate_code"]
    assert (dup.where, dup.line, dup.param("first_line")) == ("1", 9, "3")


def test_a_node_whose_parent_is_missing_is_an_orphan():
    problems = validate(tree(node("1", 1), node("1.2.1", 1, band("Đạt", 1))))
    (orphan,) = [p for p in problems if p.kind == "orphan"]
    assert (orphan.where, orphan.param("parent")) == ("1.2.1", "1.2")


@pytest.mark.parametrize(
    ("codes", "where", "previous"),
    [
        (["1", "1.1", "1.3", "1.2"], "1.2", "1.3"),  # siblings out of order
        (["1.1", "1"], "1", "1.1"),  # a child before its parent
        (["1", "2", "1.1"], "1.1", "2"),  # a criterion listed under the wrong domain
        (["1", "1.10", "1.9"], "1.9", "1.10"),  # numbers, not text: 1.9 comes before 1.10
    ],
)
def test_rows_out_of_reading_order_are_reported_not_sorted(codes, where, previous):
    spec = tree(*[node(c, 1) for c in codes], total=None)
    problems = [p for p in validate(spec) if p.kind == "order"]
    assert [(p.where, p.param("previous")) for p in problems] == [(where, previous)]
    assert [n.code for n in normalise(spec).nodes] == codes


def test_rows_in_reading_order_with_two_digit_numbers_are_in_order():
    spec = tree(*[node(c, 1) for c in ["1", "1.9", "1.10", "2"]], total=None)
    assert not [p for p in validate(spec) if p.kind == "order"]


@pytest.mark.parametrize(
    ("lower", "upper", "lo_in", "up_in"),
    [(90, 70, True, True), (5, 5, True, False), (5, 5, False, True)],
)
def test_a_band_with_an_empty_range_is_an_error(lower, upper, lo_in, up_in):
    leaf = node("1", 1, band("Sai", 1, lower, upper, lo_in=lo_in, up_in=up_in))
    assert ("bad_range", "1") in kinds(validate(tree(leaf)), Severity.ERROR)


def test_children_that_do_not_add_up_to_their_parent_are_a_gap_with_both_sums():
    spec = tree(node("1", 20), node("1.1", 5, band("Đạt", 5)), node("1.2", 2, band("Đạt", 2)))
    (gap,) = [p for p in validate(spec) if p.kind == "children_sum"]
    assert (gap.severity, gap.where, gap.param("max"), gap.param("sum")) == (
        Severity.GAP,
        "1",
        "20",
        "7",
    )


def test_decimal_points_add_up_exactly():
    parts = [node(f"1.{i}", "0.1", band("Đạt", "0.1")) for i in (1, 2, 3)]
    assert validate(tree(node("1", "0.3"), *parts)) == []


def test_domains_must_add_up_to_the_declared_total():
    spec = tree(node("1", 10, band("Đạt", 10)), node("2", "14.5", band("Đạt", "14.5")), total=100)
    (gap,) = validate(spec)
    assert (gap.kind, gap.param("total"), gap.param("sum")) == ("total_mismatch", "100", "24.5")


def test_a_tree_without_total_or_nodes_is_a_draft():
    assert kinds(validate(tree(total=None))) == [("no_nodes", ""), ("no_total", "")]


def test_a_leaf_without_bands_is_a_gap_unless_proportional():
    spec = tree(
        node("1", 2),
        node("1.1", 1),
        node("1.2", 1, scoring=Scoring.PROPORTIONAL, unit=Unit.PERCENT),
    )
    assert kinds(validate(spec)) == [("leaf_without_bands", "1.1")]


def test_a_leaf_whose_best_band_is_below_its_maximum_is_a_gap():
    spec = tree(node("1", 2, band("Tốt", 1), band("Kém", 0)))
    (gap,) = validate(spec)
    assert (gap.kind, gap.where, gap.param("max")) == ("bands_no_max", "1", "2")


def test_a_parent_with_its_own_bands_is_a_gap():
    spec = tree(node("1", 1, band("Đạt", 1)), node("1.1", 1, band("Đạt", 1)))
    assert kinds(validate(normalise(spec))) == [("parent_with_bands", "1")]


def test_some_range_bands_among_categories_are_mixed():
    spec = normalise(tree(node("1", 2, band("Trên 90%", 2, 90, lo_in=False), band("Khác", 0))))
    assert spec.nodes[0].scoring == Scoring.CATEGORICAL
    assert kinds(validate(spec)) == [("mixed_bands", "1")]


def test_a_category_in_a_node_scored_by_ranges_is_a_gap():
    leaf = node(
        "1",
        2,
        band("Trên 90%", 2, 90, lo_in=False),
        band("Khác", 0),
        scoring=Scoring.RANGES,
        unit=Unit.PERCENT,
    )
    assert ("range_missing", "1") in kinds(validate(tree(leaf)))


def ranges(unit: Unit, *bands):
    top = max(b.points for b in bands)
    return tree(node("1", top, *bands, scoring=Scoring.RANGES, unit=unit))


CAMAU = (
    band("Thực hiện trên 90% kế hoạch", 2, 90, lo_in=False),
    band("Thực hiện từ 70% - 90% kế hoạch", 1, 70, 90),
    band("Dưới 70% kế hoạch", 0, None, 70, up_in=False),
)

COVERAGE = [
    ("Cà Mau's three bands cover 0–100 exactly", Unit.PERCENT, CAMAU, []),
    (
        "90 itself is left out",
        Unit.PERCENT,
        (
            band(">90", 2, 90, lo_in=False),
            band("[70,90)", 1, 70, 90, up_in=False),
            band("<70", 0, None, 70, up_in=False),
        ),
        [("ranges_gap", "[90, 90]")],
    ),
    (
        "90 is counted twice",
        Unit.PERCENT,
        (band(">=90", 2, 90), band("[70,90]", 1, 70, 90), band("<70", 0, None, 70, up_in=False)),
        [("ranges_overlap", "[90, 90]")],
    ),
    ("nothing below 50", Unit.PERCENT, (band(">=50", 1, 50),), [("ranges_gap", "[0, 50)")]),
    (
        "nothing from 50 up",
        Unit.PERCENT,
        (band("<50", 1, None, 50, up_in=False),),
        [("ranges_gap", "[50, 100]")],
    ),
    (
        "a hole in the middle",
        Unit.PERCENT,
        (band("a", 1, 80), band("b", 0, None, 50)),
        [("ranges_gap", "(50, 80)")],
    ),
    (
        "decimal boundaries meet",
        Unit.PERCENT,
        (band("a", 1, "50.5"), band("b", 0, None, "50.5", up_in=False)),
        [],
    ),
    (
        "above 100 is outside a percentage",
        Unit.PERCENT,
        (
            band("đạt", 1, 100, 100),
            band("vượt", 1, 100, lo_in=False),
            band("chưa đạt", 0, None, 100, up_in=False),
        ),
        [],
    ),
    (
        "whole counts: 0, 1–2, 3 and more",
        Unit.COUNT,
        (band("Không có", 0, 0, 0), band("1-2", 1, 1, 2), band(">=3", 2, 3)),
        [],
    ),
    (
        "whole counts: (2, 3) holds no count",
        Unit.COUNT,
        (band("<=2", 0, None, 2), band(">2", 1, 2, lo_in=False)),
        [],
    ),
    (
        "counts must start at zero",
        Unit.COUNT,
        (band("1-2", 1, 1, 2), band(">=3", 2, 3)),
        [("ranges_gap", "[0, 1)")],
    ),
    (
        "counts must have no ceiling",
        Unit.COUNT,
        (band("0-2", 1, 0, 2),),
        [("ranges_gap", "(2, ∞)")],
    ),
    (
        "2 counted twice",
        Unit.COUNT,
        (band("0-2", 0, 0, 2), band(">=2", 1, 2)),
        [("ranges_overlap", "[2, 2]")],
    ),
]


@pytest.mark.parametrize(
    ("unit", "bands", "expected"), [c[1:] for c in COVERAGE], ids=[c[0] for c in COVERAGE]
)
def test_range_bands_cover_the_value_range_once(unit, bands, expected):
    found = [(p.kind, p.param("detail")) for p in validate(ranges(unit, *bands))]
    assert found == expected


def test_an_overlap_names_both_bands():
    (overlap,) = validate(ranges(Unit.PERCENT, band("A", 1, 0, 60), band("B", 0, 50, 100)))
    assert (overlap.param("first"), overlap.param("second")) == ("A", "B")


@pytest.mark.parametrize(
    ("given", "bands", "expected"),
    [
        (Scoring.PROPORTIONAL, [], Scoring.PROPORTIONAL),
        (Scoring.NONE, [band("a", 1, 0), band("b", 0, None, 0, up_in=False)], Scoring.RANGES),
        (Scoring.NONE, [band("a", 1), band("b", 0, 0)], Scoring.CATEGORICAL),
        (Scoring.NONE, [band("a", 1)], Scoring.CATEGORICAL),
        (Scoring.NONE, [], Scoring.NONE),
        (Scoring.CATEGORICAL, [band("a", 1, 0)], Scoring.CATEGORICAL),
    ],
)
def test_scoring_is_inferred_from_the_bands_only_when_not_given(given, bands, expected):
    assert infer_scoring(node("1", 1, *bands, scoring=given)) == expected


def test_normalise_reads_ranges_and_unit_from_the_labels():
    spec = normalise(
        tree(node("1", 2, band("Trên 90%", 2), band("Từ 70% - 90%", 1), band("Dưới 70%", 0)))
    )
    leaf = spec.nodes[0]
    assert (leaf.scoring, leaf.unit) == (Scoring.RANGES, Unit.PERCENT)
    assert leaf.bands[0].lower == Decimal(90) and not leaf.bands[0].lower_inclusive
    counts = normalise(tree(node("1", 1, band("Từ 1 sáng kiến trở lên", 1), band("Không có", 0))))
    assert (counts.nodes[0].scoring, counts.nodes[0].unit) == (Scoring.RANGES, Unit.COUNT)


def test_normalise_respects_an_explicit_categorical_scoring():
    leaf = node(
        "1",
        1,
        band("Hoàn thành 100%", 1),
        band("Không hoàn thành 100%", 0),
        scoring=Scoring.CATEGORICAL,
    )
    assert normalise(tree(leaf)).nodes[0] == leaf


def test_normalise_gives_proportional_nodes_a_percent_unit_and_leaves_the_input_alone():
    leaf = node("1", 1, scoring=Scoring.PROPORTIONAL)
    spec = tree(leaf)
    assert normalise(spec).nodes[0].unit == Unit.PERCENT
    assert spec.nodes[0].unit == Unit.NONE


def test_open_ends_are_inclusive_after_normalise_so_equal_bands_compare_equal():
    odd = band("Dưới 70%", 0, None, 70, lo_in=False, up_in=False)
    assert normalise(tree(node("1", 0, odd))).nodes[0].bands[0] == replace(
        odd, lower_inclusive=True
    )


def test_problems_carry_the_line_of_their_node():
    spec = tree(node("1", 2, line=4), node("1.1", 1, line=5))
    assert {(p.kind, p.line) for p in validate(spec)} == {
        ("children_sum", 4),
        ("leaf_without_bands", 5),
    }


def test_every_kind_has_an_english_template_that_takes_its_params():
    for kind, template in KINDS.items():
        names = {f[1] for f in string.Formatter().parse(template) if f[1]}
        text = template.format_map(dict.fromkeys(names | {"where", "line"}, "X"))
        assert text and "{" not in text, kind
        assert "line" not in names, f"{kind}: the caller prefixes the line"
