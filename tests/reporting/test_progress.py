"""Province values from agencies' counts, and traffic lights: the pure core, table-driven."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from parindex.reporting.progress import (
    ABOVE_REFERENCE,
    BELOW_REFERENCE,
    RANK,
    STATUS_LIGHTS,
    YEAR_PROGRESS,
    Aggregate,
    Aim,
    Light,
    Pace,
    aggregate,
    assess,
    light,
    worst,
    year_elapsed,
)

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
        ([Light.NOT_DUE, Light.AMBER], Light.AMBER),  # what is due speaks for the target
        ([Light.NOT_DUE, Light.NONE], Light.NOT_DUE),
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


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2019, 12, 31), D(0)),
        (date(2020, 3, 31), D("0.25")),
        (date(2020, 6, 30), D("0.5")),
        (date(2020, 9, 30), D("0.75")),
        (date(2020, 12, 31), D(1)),
        (date(2021, 3, 31), D(1)),
    ],
)
def test_how_much_of_the_plan_year_has_passed(day: date, expected: Decimal) -> None:
    assert year_elapsed(day, 2020) == expected


INITIATIVES = Aim(">=", D(3), unit="count")  # "có ít nhất 03 sáng kiến" in the year
ON_TIME = Aim("between", D(95), D(100), unit="percent")  # "đúng hạn đạt từ 95% - 100%"
NO_REPRIMAND = Aim("=", D(0), unit="count")  # "không có cán bộ bị kỷ luật"
HEADCOUNT = Aim("<=", D(0), unit="count")  # "không vượt quá số biên chế được giao"
INSPECTED = Aim("=", D(30), unit="count")  # "kiểm tra 30 cơ quan"
BUDGET = Aim(">=", D(4), unit="percent", measure=ABOVE_REFERENCE)  # "vượt chỉ tiêu từ 4%"
STAFF_CUT = Aim(">=", D(10), unit="percent", measure=BELOW_REFERENCE)  # "giảm từ 10% so 2015"
PLAN_DONE = Aim("=", D(100), unit="percent", measure=YEAR_PROGRESS)  # "hoàn thành 100% kế hoạch"
SCORE = Aim(">=", D(90), unit="points")  # "đạt tổng số điểm từ 90 trở lên"
TOP_10 = Aim("<=", D(10), unit="rank", measure=RANK)  # "xếp trong tốp 10"
H1, Q1, YEAR = D("0.5"), D("0.25"), D(1)


@pytest.mark.parametrize(
    ("aim", "pace"),
    [
        (INITIATIVES, Pace.ACCUMULATES),
        (INSPECTED, Pace.ACCUMULATES),
        (BUDGET, Pace.ACCUMULATES),
        (STAFF_CUT, Pace.ACCUMULATES),
        (PLAN_DONE, Pace.ACCUMULATES),
        (ON_TIME, Pace.AS_IS),
        (NO_REPRIMAND, Pace.AS_IS),
        (HEADCOUNT, Pace.AS_IS),
        (SCORE, Pace.YEAR_END),
        (TOP_10, Pace.YEAR_END),
    ],
)
def test_what_builds_up_through_the_year_and_what_does_not(aim: Aim, pace: Pace) -> None:
    assert aim.pace == pace


@pytest.mark.parametrize(
    ("value", "aim", "elapsed", "expected"),
    [
        # ≥ 3 initiatives by the year end is 1,5 by 30/06 and 0,75 by 31/03.
        (D(2), INITIATIVES, H1, Light.GREEN),
        (D("1.4"), INITIATIVES, H1, Light.AMBER),
        (D(1), INITIATIVES, H1, Light.RED),
        (D(1), INITIATIVES, Q1, Light.GREEN),
        (D(0), INITIATIVES, Q1, Light.RED),
        (D(2), INITIATIVES, YEAR, Light.RED),
        (D(3), INITIATIVES, YEAR, Light.GREEN),
        # "exactly 30" by the year end: ahead of the path at mid-year is on track.
        (D(20), INSPECTED, H1, Light.GREEN),
        (D(20), INSPECTED, YEAR, Light.RED),
        # Rates are judged as they are, whatever the time of year.
        (D(96), ON_TIME, Q1, Light.GREEN),
        (D(80), ON_TIME, Q1, Light.RED),
        (D(80), ON_TIME, H1, Light.RED),
        # A cap is a cap from the first day: one reprimand is red at mid-year.
        (D(1), NO_REPRIMAND, H1, Light.RED),
        (D(0), NO_REPRIMAND, H1, Light.GREEN),
        (D(0), HEADCOUNT, Q1, Light.GREEN),
        # Collected ÷ planned: 26 % of the plan is not "exceeding it by 4 %".
        (D(26), BUDGET, YEAR, Light.RED),
        (D(103), BUDGET, YEAR, Light.AMBER),
        (D(104), BUDGET, YEAR, Light.GREEN),
        # ... and by 30/06 the path is 52 % of the year's plan.
        (D(26), BUDGET, H1, Light.RED),
        (D(53), BUDGET, H1, Light.GREEN),
        (D(48), BUDGET, H1, Light.AMBER),
        # Staff now ÷ staff in 2015: a cut of at least 10 % is at most 90 %.
        (D(89), STAFF_CUT, YEAR, Light.GREEN),
        (D(90), STAFF_CUT, YEAR, Light.GREEN),
        (D(95), STAFF_CUT, YEAR, Light.AMBER),
        (D(100), STAFF_CUT, YEAR, Light.RED),
        # 100 % of the year's plan done by 31/12 is 50 % by 30/06; ahead of it is on track.
        (D("51.5"), PLAN_DONE, H1, Light.GREEN),
        (D(46), PLAN_DONE, H1, Light.AMBER),
        (D(30), PLAN_DONE, H1, Light.RED),
        (D(26), PLAN_DONE, Q1, Light.GREEN),
        (D("51.5"), PLAN_DONE, YEAR, Light.RED),
        (D(100), PLAN_DONE, YEAR, Light.GREEN),
        # Points and ranks mean something only once the year is over.
        (D(70), SCORE, H1, Light.NOT_DUE),
        (None, SCORE, H1, Light.NOT_DUE),
        (D(91), SCORE, YEAR, Light.GREEN),
        (D(8), TOP_10, YEAR, Light.GREEN),
        (D(10), TOP_10, YEAR, Light.GREEN),
        (D(15), TOP_10, YEAR, Light.RED),
        (D(3), TOP_10, H1, Light.NOT_DUE),
        # No figures: grey, never red, at any time of year.
        (None, INITIATIVES, H1, Light.NONE),
        (None, BUDGET, YEAR, Light.NONE),
        (None, NO_REPRIMAND, Q1, Light.NONE),
        (None, TOP_10, YEAR, Light.NONE),
    ],
)
def test_a_light_knows_the_time_of_year_and_what_the_figure_measures(
    value: Decimal | None, aim: Aim, elapsed: Decimal, expected: Light
) -> None:
    assert assess(value, aim, elapsed) == expected
