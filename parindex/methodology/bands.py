"""Reading the Vietnamese wording of scoring bands.

Decisions write a band as a line "label: points" ("Thực hiện trên 90% kế hoạch: 2") and say the
measured range in words: "trên 90%", "từ 70% đến dưới 90%", "từ 03 sáng kiến trở lên". This
module turns such wording into numbers. Matching runs on the folded text (`lib.text.fold`: lower
case, no tone marks, đ → d), so "Trên", "TRÊN" and an OCR-ed "tren" read alike.

Whether a label is a range depends on its siblings ("Không có" is a count of zero only next to
other counts), so ranges are filled per node by `infer_ranges`, not by `parse_band_line`.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from parindex.lib.numbers import NumberFormatError, parse_decimal
from parindex.lib.text import clean, fold
from parindex.methodology.tree import BandSpec, Unit


class LabelRange(NamedTuple):
    """The measured range a label names; None is an open end."""

    lower: Decimal | None
    lower_inclusive: bool
    upper: Decimal | None
    upper_inclusive: bool
    unit: Unit


# Folded text has single spaces (lib.text.clean), so keywords are written with one space.
# A number as labels write it ("90", "50,5", "1.000"), not part of a date or a longer number.
_NUM = r"(?<![0-9/.,])(?P<{0}>[0-9]+(?:[.,][0-9]+)*)(?![0-9/])\s*(?P<{0}pct>%)?"
_WORDS = r"(?:\s+[a-z]+){0,4}?"  # "sáng kiến", "kế hoạch" between a number and its keyword


def _num(name: str) -> str:
    return _NUM.format(name)


def _kw(words: str) -> str:
    """Keywords that start at a word boundary (folded text is plain ASCII letters)."""
    return r"(?<![a-z])(?:" + words + r")(?![a-z])"


_BETWEEN = re.compile(
    rf"(?:{_kw('tu')}\s+)?(?P<above>{_kw('tren|lon hon|cao hon|hon')}\s+)?{_num('a')}{_WORDS}"
    rf"\s*(?:{_kw('den|toi')}|[-–—])\s*(?P<below>{_kw('duoi')}\s+)?{_num('b')}"
)
_AT_LEAST_SUFFIX = re.compile(rf"{_num('a')}{_WORDS}\s*{_kw('tro len')}")
_AT_MOST_SUFFIX = re.compile(rf"{_num('a')}{_WORDS}\s*{_kw('tro xuong')}")
_AT_MOST = re.compile(
    rf"(?:{_kw('khong vuot qua|khong vuot|khong qua|khong lon hon|khong cao hon')}"
    rf"|{_kw('khong nhieu hon|toi da|nhieu nhat')}|<=|≤)\s*{_num('a')}"
)
_AT_LEAST = re.compile(
    rf"(?:{_kw('khong duoi|khong it hon|khong thap hon|khong nho hon|toi thieu|it nhat')}"
    rf"|>=|≥)\s*{_num('a')}"
)
_BELOW = re.compile(
    rf"(?:{_kw('duoi|it hon|nho hon|thap hon|chua den|chua dat|chua toi')}|<)\s*{_num('a')}"
)
_ABOVE = re.compile(
    rf"(?:{_kw('tren|lon hon|cao hon|nhieu hon|vuot qua|vuot|hon')}|>)\s*{_num('a')}"
)
_FROM = re.compile(rf"{_kw('tu')}\s+{_num('a')}")
_PERCENT = re.compile(_num("a"))
_NONE_AT_ALL = re.compile(_kw("khong co"))
_NEGATION = {"khong", "chua"}

_POINTS = re.compile(r"^\(?\s*(?P<n>[+-]?[0-9]+(?:[.,][0-9]+)?)\s*(?:diem|d)?\s*\)?\.?$")
_POINTS_IN_BRACKETS = re.compile(
    r"^(?P<label>.*\S)\s*\(\s*(?P<n>[+-]?[0-9]+(?:[.,][0-9]+)?)\s*(?:điểm|diem|đ)\s*\)$",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^[-+•*–—]\s*")


def parse_points(text: str) -> Decimal | None:
    """Read points as written in a band or a row: "2", "0,5", "1.5", "0.25 điểm", "(1 đ)".

    A dot is always a decimal point here: no criterion is worth a thousand points, and
    spreadsheets write 0.125 that way.
    """
    match = _POINTS.match(fold(text.replace("−", "-")))
    if match is None:
        return None
    try:
        return Decimal(match.group("n").replace(",", "."))
    except InvalidOperation:  # pragma: no cover - the pattern only admits plain numbers
        return None


def parse_band_line(text: str) -> BandSpec | None:
    """Read "label: points" (points after the last colon) or "label (1 điểm)" into a band.

    Returns None when the line is not a band. The band's range is left open: see
    `infer_ranges`.
    """
    line = _BULLET.sub("", clean(text))
    if "://" in line:  # a URL's colon is not a band's
        return None
    cut = max(line.rfind(":"), line.rfind("："))
    if cut > 0:
        label, points = line[:cut].strip().rstrip(" .-–"), parse_points(line[cut + 1 :])
    else:
        match = _POINTS_IN_BRACKETS.match(line)
        if match is None:
            return None
        label, points = match.group("label").strip(), parse_points(match.group("n"))
    if not label or points is None:
        return None
    return BandSpec(label=label, points=points)


def _number(match: re.Match[str], name: str) -> Decimal | None:
    try:
        return parse_decimal(match.group(name))
    except (NumberFormatError, InvalidOperation):
        return None


def _unit(match: re.Match[str], *names: str) -> Unit:
    return Unit.PERCENT if any(match.group(n + "pct") for n in names) else Unit.COUNT


def _read_range(label: str) -> tuple[LabelRange, bool] | None:
    """The range a label names and whether the reading is weak (a bare "không có")."""
    text = fold(label)
    if m := _BETWEEN.search(text):
        a, b = _number(m, "a"), _number(m, "b")
        if a is not None and b is not None:
            unit = _unit(m, "a", "b")
            return LabelRange(a, not m.group("above"), b, not m.group("below"), unit), False
    one_sided: tuple[tuple[re.Pattern[str], bool, bool], ...] = (
        # pattern, value is the lower bound, bound is inclusive
        (_AT_LEAST_SUFFIX, True, True),
        (_AT_MOST_SUFFIX, False, True),
        (_AT_MOST, False, True),
        (_AT_LEAST, True, True),
        (_BELOW, False, False),
        (_ABOVE, True, False),
        (_FROM, True, True),
    )
    for pattern, is_lower, inclusive in one_sided:
        if (m := pattern.search(text)) and (value := _number(m, "a")) is not None:
            unit = _unit(m, "a")
            if is_lower:
                return LabelRange(value, inclusive, None, True, unit), False
            return LabelRange(None, True, value, inclusive, unit), False
    for m in _PERCENT.finditer(text):
        value = _number(m, "a")
        if not m.group("apct") or value is None:
            continue
        # "Không hoàn thành 100% kế hoạch" is the complement of "Hoàn thành 100%": below it.
        if _NEGATION & set(text[: m.start()].split()[-4:]):
            return LabelRange(None, True, value, False, Unit.PERCENT), False
        return LabelRange(value, True, value, True, Unit.PERCENT), False
    if _NONE_AT_ALL.search(text):
        return LabelRange(Decimal(0), True, Decimal(0), True, Unit.COUNT), True
    return None


def range_from_label(label: str) -> LabelRange | None:
    """The numeric range a Vietnamese band label names, or None for a categorical label.

    "trên 90%" → (90, open), "từ 70% - 90%" → [70, 90], "từ 70% đến dưới 90%" → [70, 90),
    "dưới 70%" → (open, 70), "từ 03 sáng kiến trở lên" → count ≥ 3, "không có" → count = 0.
    The result reads as (lower, lower_inclusive, upper, upper_inclusive, unit).
    """
    found = _read_range(label)
    return found[0] if found else None


def infer_ranges(bands: list[BandSpec]) -> list[BandSpec]:
    """Fill the ranges of bands that have none from their labels, all or nothing.

    Bands with explicit bounds keep them. The labels are used only when every band without
    bounds names a range, so a categorical list that happens to mention "100%" once stays
    categorical; a bare "không có" counts only next to real ranges.
    """
    open_bands = [i for i, band in enumerate(bands) if not band.is_range]
    if not open_bands:
        return list(bands)
    readings: dict[int, tuple[LabelRange, bool]] = {}
    for i in open_bands:
        reading = _read_range(bands[i].label)
        if reading is None:
            return list(bands)
        readings[i] = reading
    has_strong = len(open_bands) < len(bands) or any(not weak for _, weak in readings.values())
    if not has_strong:
        return list(bands)
    result = list(bands)
    for i, (found, _weak) in readings.items():
        result[i] = replace(
            bands[i],
            lower=found.lower,
            lower_inclusive=found.lower_inclusive,
            upper=found.upper,
            upper_inclusive=found.upper_inclusive,
        )
    return result


_PROPORTIONAL_RATE = re.compile(r"ty le|%|/")
_PROPORTIONAL_TIMES = re.compile(r"×|\*|(?<![a-z])x(?![a-z])|(?<![a-z])nhan(?![a-z])")
_PROPORTIONAL_WORDS = re.compile(r"(?<![a-z])(?:tinh|cham)(?: diem)? theo ty le(?![a-z])")


def is_proportional_line(text: str) -> bool:
    """Does the line say points are proportional to a rate ("Điểm = tỷ lệ % × điểm tối đa")?"""
    folded = fold(text)
    if _PROPORTIONAL_WORDS.search(folded):
        return True
    return (
        "diem toi da" in folded
        and bool(_PROPORTIONAL_RATE.search(folded))
        and bool(_PROPORTIONAL_TIMES.search(folded))
    )
