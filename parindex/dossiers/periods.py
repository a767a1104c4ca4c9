"""Reporting periods of the dossier form: quarters, half-years, years and custom date ranges.

Pure (stdlib only). A period is a closed range of calendar days [start, end]; its code is what
users type and what the form prints: `2024Q2`, `2024H1`, `2024`, `2024-01-15..2024-03-31`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

_QUARTER = re.compile(r"(\d{4})\s*[Qq]\s*([1-4])")
_HALF = re.compile(r"(\d{4})\s*[Hh]\s*([12])")
_YEAR = re.compile(r"\d{4}")
_RANGE = re.compile(r"(\d{4}-\d{2}-\d{2})\s*\.\.\s*(\d{4}-\d{2}-\d{2})")
_FORMS = (
    "a quarter (2024Q2), a half-year (2024H1), a year (2024) or a range (2024-01-15..2024-03-31)"
)


@dataclass(frozen=True)
class Period:
    code: str
    start: date
    end: date

    @property
    def kind(self) -> str:
        """ "quarter", "half", "year" or "range"."""
        if _QUARTER.fullmatch(self.code):
            return "quarter"
        if _HALF.fullmatch(self.code):
            return "half"
        if _YEAR.fullmatch(self.code):
            return "year"
        return "range"


def _month_end(year: int, month: int) -> date:
    """The last day of `month` (1..12) of `year`."""
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


def quarter(year: int, q: int) -> Period:
    return Period(f"{year}Q{q}", date(year, 3 * q - 2, 1), _month_end(year, 3 * q))


def half(year: int, h: int) -> Period:
    return Period(f"{year}H{h}", date(year, 6 * h - 5, 1), _month_end(year, 6 * h))


def year(y: int) -> Period:
    return Period(str(y), date(y, 1, 1), date(y, 12, 31))


def _year_of(text: str, whole: str) -> int:
    value = int(text)
    if value < 1900:
        raise ValueError(f"period {whole!r}: year {value} is before 1900")
    return value


def parse_period(text: str) -> Period:
    """The period `text` names; ValueError saying what is expected otherwise."""
    if not isinstance(text, str):
        raise ValueError(f"period: expected text, got {type(text).__name__}")
    cleaned = text.strip()
    if not cleaned:
        raise ValueError(f"period is empty: expected {_FORMS}")
    if m := _QUARTER.fullmatch(cleaned):
        return quarter(_year_of(m.group(1), text), int(m.group(2)))
    if m := _HALF.fullmatch(cleaned):
        return half(_year_of(m.group(1), text), int(m.group(2)))
    if _YEAR.fullmatch(cleaned):
        return year(_year_of(cleaned, text))
    if m := _RANGE.fullmatch(cleaned):
        try:
            start = date.fromisoformat(m.group(1))
            end = date.fromisoformat(m.group(2))
        except ValueError as error:
            raise ValueError(f"period {text!r}: {error}") from None
        if end < start:
            raise ValueError(f"period {text!r}: ends ({end}) before it starts ({start})")
        if start.year < 1900:
            raise ValueError(f"period {text!r}: year {start.year} is before 1900")
        return Period(f"{start.isoformat()}..{end.isoformat()}", start, end)
    raise ValueError(f"period {text!r} not understood: expected {_FORMS}")


def periods_of_years(years: Iterable[int]) -> list[Period]:
    """Every quarter, half-year and year of `years`, in order of start then end."""
    out: list[Period] = []
    for y in sorted(set(years)):
        out += [quarter(y, 1), half(y, 1), year(y), quarter(y, 2)]
        out += [quarter(y, 3), half(y, 2), quarter(y, 4)]
    return sorted(out, key=lambda p: (p.start, p.end))


def previous_period(p: Period) -> Period | None:
    """The period of the same kind just before `p` (2024Q1 → 2023Q4); None for a custom range."""
    kind = p.kind
    y = p.start.year
    if kind == "quarter":
        q = (p.start.month - 1) // 3 + 1
        return quarter(y - 1, 4) if q == 1 else quarter(y, q - 1)
    if kind == "half":
        return half(y - 1, 2) if p.start.month == 1 else half(y, 1)
    if kind == "year":
        return year(y - 1)
    return None
