"""Dates as Vietnamese documents write them (11/06/2020, 11/6/2020, ngày 11 tháng 6 năm 2020)."""

from __future__ import annotations

import re
from datetime import date

_NUMERIC = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
_ISO = re.compile(r"^\s*(\d{4})-(\d{1,2})-(\d{1,2})\s*$")
_WORDS = re.compile(r"ngày\s+(\d{1,2})\s+tháng\s+(\d{1,2})\s+năm\s+(\d{4})", re.IGNORECASE)


def parse_date(text: str) -> date:
    """Read dd/mm/yyyy, yyyy-mm-dd or "ngày d tháng m năm yyyy"; ValueError names the text."""
    for pattern, order in ((_NUMERIC, "dmy"), (_ISO, "ymd"), (_WORDS, "dmy")):
        match = pattern.search(text)
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            try:
                return date(parts["y"], parts["m"], parts["d"])
            except ValueError as exc:
                raise ValueError(f"{text!r} is not a valid date: {exc}") from exc
    raise ValueError(f"{text!r} is not a date (expected dd/mm/yyyy)")


def format_date(value: date | None) -> str:
    return "" if value is None else value.strftime("%d/%m/%Y")
