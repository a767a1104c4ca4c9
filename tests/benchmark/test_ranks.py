"""Ranks recomputed from scores and tables checked against themselves: the pure core."""

from __future__ import annotations

from decimal import Decimal

import pytest

from parindex.benchmark import ranks
from parindex.benchmark.ranks import Row, check_table, competition_ranks, place, rank_of

D = Decimal


def row(key: str, score: str | None, rank: int | None = None, **parts: str) -> Row:
    return Row(
        key=key,
        name=key.title(),
        score=D(score) if score is not None else None,
        rank=rank,
        parts={k: D(v) for k, v in parts.items()},
    )


@pytest.mark.parametrize(
    ("scores", "expected"),
    [
        ({"a": "90", "b": "88", "c": "88", "d": "87"}, {"a": 1, "b": 2, "c": 2, "d": 4}),
        ({"a": "80", "b": "80", "c": "80"}, {"a": 1, "b": 1, "c": 1}),
        ({"a": "70.01", "b": "70.00", "c": "70.02"}, {"c": 1, "a": 2, "b": 3}),
        ({"a": "50"}, {"a": 1}),
        ({}, {}),
    ],
)
def test_ties_share_a_rank_and_the_next_rank_is_skipped(
    scores: dict[str, str], expected: dict[str, int]
) -> None:
    assert competition_ranks({k: D(v) for k, v in scores.items()}) == expected


@pytest.mark.parametrize(
    ("score", "others", "expected"),
    [
        ("88.00", ["91.04", "90.51", "88.47", "86.93"], 4),
        ("88.47", ["91.04", "90.51", "88.47", "86.93"], 3),  # equal is not above
        ("95", ["91.04", "90.51"], 1),
        ("10", ["91.04", "90.51"], 3),
        ("50", [], 1),
    ],
)
def test_a_score_ranks_one_more_than_the_provinces_strictly_above_it(
    score: str, others: list[str], expected: int
) -> None:
    assert rank_of(D(score), [D(o) for o in others]) == expected


TOP_2020 = [
    row("quang-ninh", "91.04", 1),
    row("hai-phong", "90.51", 2),
    row("thua-thien-hue", "88.47", 3),
    row("binh-duong", "86.93", 4),
    row("lao-cai", None, 14),
    row("quang-ngai", "73.25", 63),
]


def test_a_score_in_a_partial_table_is_exact_when_every_province_above_is_known() -> None:
    placing = place(D("88.00"), TOP_2020, of=63, partial=True)
    assert (placing.rank, placing.of, placing.above, placing.partial, placing.exact) == (
        4,
        63,
        3,
        True,
        True,
    )


def test_a_score_below_the_known_top_of_a_partial_table_is_only_a_best_case() -> None:
    placing = place(D("80.00"), TOP_2020, of=63, partial=True)
    assert placing.rank == 5
    assert not placing.exact


def test_a_score_in_a_complete_table_is_always_exact() -> None:
    table = [row(f"p{i}", str(90 - i), i + 1) for i in range(5)]
    assert place(D("87.5"), table, of=5, partial=False) == ranks.Placing(4, 5, 3, False, True)


def codes(findings: list[ranks.Finding]) -> list[tuple[str, str]]:
    return [(f.code, f.key) for f in findings]


@pytest.mark.parametrize(
    ("rows", "partial", "expected"),
    [
        # A complete table whose ranks follow its scores, ties included: nothing to say.
        ([row("a", "90", 1), row("b", "88", 2), row("c", "88", 2), row("d", "87", 4)], False, []),
        # A complete table with a published rank its score does not give.
        (
            [row("a", "90", 1), row("b", "88", 3), row("c", "87", 3)],
            False,
            [("rank_mismatch", "b")],
        ),
        # Tied scores published with different ranks.
        (
            [row("a", "90", 1), row("b", "88", 2), row("c", "88", 3)],
            False,
            [("rank_mismatch", "c")],
        ),
        # A partial table: gaps between ranks are expected, not findings.
        ([row("a", "90", 1), row("b", "85", 15), row("c", "80", 44)], True, []),
        # A partial table whose ranks go against its scores.
        ([row("a", "90", 5), row("b", "91", 9)], True, [("rank_order", "b")]),
        # A partial table where a known higher score leaves no room for the published rank.
        ([row("a", "80", 1), row("b", "90", None)], True, [("rank_out_of_bounds", "a")]),
        # A partial table where a tie is split.
        ([row("a", "88", 3), row("b", "88", 4)], True, [("tie_split", "a")]),
        # A rank past the number of provinces ranked.
        ([row("a", "80", 64)], True, [("rank_too_large", "a"), ("rank_out_of_bounds", "a")]),
    ],
)
def test_a_table_is_checked_against_its_own_scores(
    rows: list[Row], partial: bool, expected: list[tuple[str, str]]
) -> None:
    of = 63 if partial else len(rows)
    assert sorted(codes(check_table(rows, of=of, partial=partial))) == sorted(expected)


def test_a_mismatch_names_the_published_and_the_computed_rank() -> None:
    [finding] = check_table([row("a", "90", 2), row("b", "80", 2)], of=2, partial=False)
    assert finding.params == {"published": 2, "computed": 1}


def test_lao_cai_2019_parts_add_up_to_its_total() -> None:
    lao_cai = row(
        "lao-cai",
        "82.85",
        15,
        appraisal="52.90",
        sipas="8.30",
        leader_survey="17.65",
        socio_economic_impact="4.00",
        impact="29.95",
    )
    assert check_table([lao_cai], of=63, partial=True) == []


@pytest.mark.parametrize(
    ("total", "parts", "found"),
    [
        # Within the rounding of four published parts (±0.01 each): 91.05 for 91.04.
        ("91.04", ("57.66", "9.56", "18.83", "5.00"), False),
        ("82.85", ("52.90", "8.30", "17.65", "4.04"), False),  # 0.04 off: four parts' rounding
        ("82.85", ("52.90", "8.30", "17.65", "4.05"), True),  # 0.05 off: beyond it
        ("82.85", ("50.00", "8.30", "17.65", "4.00"), True),
    ],
)
def test_parts_that_do_not_add_up_beyond_rounding_are_found(
    total: str, parts: tuple[str, str, str, str], found: bool
) -> None:
    names = ("appraisal", "sipas", "leader_survey", "socio_economic_impact")
    findings = check_table(
        [row("x", total, 1, **dict(zip(names, parts, strict=True)))], of=63, partial=True
    )
    assert codes(findings) == ([("parts_sum", "x")] if found else [])
    if found:
        assert findings[0].params["sum"] == sum((D(p) for p in parts), D(0))


def test_an_impact_total_that_is_not_the_sum_of_its_three_parts_is_found() -> None:
    bad = row(
        "x",
        None,
        None,
        sipas="8.30",
        leader_survey="17.65",
        socio_economic_impact="4.00",
        impact="30.95",
    )
    assert codes(check_table([bad], of=63, partial=True)) == [("impact_sum", "x")]


def test_appraisal_and_impact_alone_are_checked_against_the_total() -> None:
    bad = row("x", "82.85", 15, appraisal="52.90", impact="28.95")
    assert codes(check_table([bad], of=63, partial=True)) == [("parts_sum", "x")]


def test_the_pure_core_does_not_import_django() -> None:
    import ast
    from pathlib import Path

    for module in ("ranks", "table", "shipped"):
        source = (Path(ranks.__file__).parent / f"{module}.py").read_text()
        imported = {
            (node.module or "") if isinstance(node, ast.ImportFrom) else alias.name
            for node in ast.walk(ast.parse(source))
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        assert not any(name.startswith("django") for name in imported), module
