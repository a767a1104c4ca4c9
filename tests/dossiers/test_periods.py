"""Reporting periods: what users type, and the periods before them."""

from __future__ import annotations

from datetime import date

import pytest

from parindex.dossiers.periods import Period, parse_period, periods_of_years, previous_period


@pytest.mark.parametrize(
    ("text", "code", "start", "end"),
    [
        ("2024Q2", "2024Q2", date(2024, 4, 1), date(2024, 6, 30)),
        (" 2024q4 ", "2024Q4", date(2024, 10, 1), date(2024, 12, 31)),
        ("2024Q1", "2024Q1", date(2024, 1, 1), date(2024, 3, 31)),
        ("2024H1", "2024H1", date(2024, 1, 1), date(2024, 6, 30)),
        ("2024h2", "2024H2", date(2024, 7, 1), date(2024, 12, 31)),
        ("2024", "2024", date(2024, 1, 1), date(2024, 12, 31)),
        ("2024-01-15..2024-03-31", "2024-01-15..2024-03-31", date(2024, 1, 15), date(2024, 3, 31)),
        (
            "2024-02-29 .. 2024-02-29",
            "2024-02-29..2024-02-29",
            date(2024, 2, 29),
            date(2024, 2, 29),
        ),
    ],
)
def test_a_typed_period_names_its_first_and_last_day(
    text: str, code: str, start: date, end: date
) -> None:
    assert parse_period(text) == Period(code, start, end)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("2024Q5", "not understood"),
        ("2024H3", "not understood"),
        ("24Q1", "not understood"),
        ("quý 2/2024", "not understood"),
        ("2024-02-30..2024-03-01", "day is out of range"),
        ("2024-03-31..2024-01-01", "ends (2024-01-01) before it starts (2024-03-31)"),
        ("1800", "before 1900"),
    ],
)
def test_a_period_not_understood_is_refused_with_what_is_expected(text: str, message: str) -> None:
    with pytest.raises(ValueError, match="period") as error:
        parse_period(text)
    assert message in str(error.value)


def test_every_quarter_half_and_year_of_the_years_in_order_of_start_then_end() -> None:
    codes = [p.code for p in periods_of_years([2024, 2023, 2024])]
    assert codes[:7] == ["2023Q1", "2023H1", "2023", "2023Q2", "2023Q3", "2023H2", "2023Q4"]
    assert len(codes) == 14 and codes[7] == "2024Q1"


@pytest.mark.parametrize(
    ("code", "before"),
    [
        ("2024Q1", "2023Q4"),
        ("2024Q3", "2024Q2"),
        ("2024H1", "2023H2"),
        ("2024H2", "2024H1"),
        ("2024", "2023"),
    ],
)
def test_the_previous_period_is_the_one_of_the_same_kind_just_before(
    code: str, before: str
) -> None:
    previous = previous_period(parse_period(code))
    assert previous is not None and previous.code == before
    assert previous.end.toordinal() + 1 == parse_period(code).start.toordinal()


def test_a_custom_range_has_no_previous_period() -> None:
    assert previous_period(parse_period("2024-01-15..2024-03-31")) is None
