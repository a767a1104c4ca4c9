"""Province values from agencies' counts, and traffic lights: the pure core, table-driven."""

from __future__ import annotations

from decimal import Decimal

import pytest

from parindex.reporting.progress import STATUS_LIGHTS, Aggregate, Light, aggregate, light, worst

D = Decimal
Pair = tuple[Decimal | None, Decimal | None]


@pytest.mark.parametrize(
    ("pairs", "is_rate", "expected"),
    [
        ([(D(90), D(100)), (D(9), D(10))], True, Aggregate(D(99), D(110), 2)),
        ([(D(60), D(66)), (D(39), D(44))], True, Aggregate(D(99), D(110), 2)),
        # An agency with 3 dossiers weighs less than one with 3 000.
        ([(D(3), D(3)), (D(2400), D(3000))], True, Aggregate(D(2403), D(3003), 2)),
        # Counts add up; there is no denominator.
        ([(D(3), None), (D(4), None), (D(0), None)], False, Aggregate(D(7), None, 3)),
        # A denominator typed for a count is ignored.
        ([(D(3), D(10))], False, Aggregate(D(3), None, 1)),
        # Agencies that gave no value are left out, and not counted as reporting.
        ([(None, D(10)), (D(5), D(10)), (None, None)], True, Aggregate(D(5), D(10), 1)),
        ([(None, None), (D(2), None)], False, Aggregate(D(2), None, 1)),
        # A rate without its total cannot be added in.
        ([(D(5), None), (D(9), D(10))], True, Aggregate(D(9), D(10), 1)),
        ([], True, Aggregate(D(0), D(0), 0)),
        ([], False, Aggregate(D(0), None, 0)),
    ],
)
def test_a_province_value_adds_numerators_and_denominators(
    pairs: list[Pair], is_rate: bool, expected: Aggregate
) -> None:
    assert aggregate(pairs, is_rate=is_rate) == expected


@pytest.mark.parametrize(
    ("result", "value"),
    [
        (Aggregate(D(99), D(110), 2), D(90)),
        (Aggregate(D(1), D(3), 1), D(100) / D(3)),
        (Aggregate(D(0), D(0), 1), None),  # 0 of 0: no rate, not 0 %
        (Aggregate(D(0), D(0), 0), None),  # nobody reported a rate
        (Aggregate(D(7), None, 3), D(7)),
        (Aggregate(D(0), None, 2), D(0)),  # reported zero is a value
        (Aggregate(D(0), None, 0), None),  # nobody reported a count
    ],
)
def test_the_value_of_an_aggregate(result: Aggregate, value: Decimal | None) -> None:
    assert result.value == value


@pytest.mark.parametrize(
    ("pairs", "rate", "average"),
    [
        # 60/66 (90,91 %) and 39/44 (88,64 %): 99/110 = 90 %, not their average of 89,77 %.
        ([(D(60), D(66)), (D(39), D(44))], D(90), D("89.77")),
        # 3/3 (100 %) and 2 400/3 000 (80 %): 2 403/3 003 = 80,02 %, not 90 %.
        ([(D(3), D(3)), (D(2400), D(3000))], D("80.02"), D(90)),
    ],
)
def test_the_province_rate_is_not_the_average_of_the_agencies_rates(
    pairs: list[tuple[Decimal, Decimal]], rate: Decimal, average: Decimal
) -> None:
    value = aggregate(pairs, is_rate=True).value
    assert value is not None and round(value, 2) == rate
    assert round(sum(n * 100 / d for n, d in pairs) / len(pairs), 2) == average


@pytest.mark.parametrize(
    ("value", "comparator", "threshold", "high", "expected"),
    [
        (None, ">=", D(90), None, Light.NONE),
        # ≥ 90: green from 90, amber within 10 % of it (81 and up), red below.
        (D(95), ">=", D(90), None, Light.GREEN),
        (D(90), ">=", D(90), None, Light.GREEN),
        (D(81), ">=", D(90), None, Light.AMBER),
        (D("80.99"), ">=", D(90), None, Light.RED),
        (D(90), ">", D(90), None, Light.AMBER),
        (D("90.01"), ">", D(90), None, Light.GREEN),
        # ≤ 10: green up to 10, amber up to 11, red above.
        (D(10), "<=", D(10), None, Light.GREEN),
        (D(0), "<=", D(10), None, Light.GREEN),
        (D(11), "<=", D(10), None, Light.AMBER),
        (D("11.01"), "<=", D(10), None, Light.RED),
        (D(10), "<", D(10), None, Light.AMBER),
        (D("9.99"), "<", D(10), None, Light.GREEN),
        # Between 70 and 100: the margins are 10 % of each bound.
        (D(70), "between", D(70), D(100), Light.GREEN),
        (D(100), "between", D(70), D(100), Light.GREEN),
        (D(85), "between", D(70), D(100), Light.GREEN),
        (D(63), "between", D(70), D(100), Light.AMBER),
        (D("62.99"), "between", D(70), D(100), Light.RED),
        (D(110), "between", D(70), D(100), Light.AMBER),
        (D("110.01"), "between", D(70), D(100), Light.RED),
        (D(70), "between", D(70), None, Light.GREEN),  # no upper bound given: exactly 70
        # = 100: amber within 10 % either side.
        (D(100), "=", D(100), None, Light.GREEN),
        (D(90), "=", D(100), None, Light.AMBER),
        (D(110), "=", D(100), None, Light.AMBER),
        (D("89.99"), "=", D(100), None, Light.RED),
        # = 0 (no violations): no margin at all.
        (D(0), "=", D(0), None, Light.GREEN),
        (D("0.5"), "=", D(0), None, Light.RED),
        (D(1), "=", D(0), None, Light.RED),
        (D(0), "<=", D(0), None, Light.GREEN),
        (D(1), "<=", D(0), None, Light.RED),
    ],
)
def test_the_light_of_a_value_against_its_target(
    value: Decimal | None,
    comparator: str,
    threshold: Decimal,
    high: Decimal | None,
    expected: Light,
) -> None:
    assert light(value, comparator, threshold, high) == expected


@pytest.mark.parametrize(
    ("lights", "expected"),
    [
        ([Light.GREEN, Light.AMBER, Light.GREEN], Light.AMBER),
        ([Light.GREEN, Light.RED, Light.AMBER], Light.RED),
        ([Light.GREEN], Light.GREEN),
        ([Light.NONE, Light.GREEN], Light.GREEN),  # nothing reported does not darken the rest
        ([Light.NONE], Light.NONE),
        ([], Light.NONE),
    ],
)
def test_a_target_shows_its_worst_light(lights: list[Light], expected: Light) -> None:
    assert worst(lights) == expected


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("done", Light.GREEN),
        ("on_track", Light.GREEN),
        ("at_risk", Light.AMBER),
        ("not_started", Light.RED),
    ],
)
def test_a_progress_status_has_a_light(status: str, expected: Light) -> None:
    assert STATUS_LIGHTS[status] == expected
