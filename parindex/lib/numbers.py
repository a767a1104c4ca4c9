"""Exact decimal numbers the Vietnamese way: 82,85 points, 14,5, 1.234."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

TWO_PLACES = Decimal("0.01")

# ASCII digits only: Python's \d and Decimal() also take ١٢٣ or １２３, which no form means.
_VN_NUMBER = re.compile(r"^[+-]?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+)(,[0-9]+)?$")
_EN_NUMBER = re.compile(r"^[+-]?[0-9]+(\.[0-9]+)?$")


class NumberFormatError(ValueError):
    """The text is not a number in either Vietnamese or plain notation."""


def parse_decimal(text: str | int | float | Decimal) -> Decimal:
    """Read "14,5", "1.234,5", "0.5", "2" or a number into an exact Decimal.

    A comma is the decimal separator; dots are thousands separators only when they group by
    three ("1.234"), otherwise a lone dot is a decimal point ("0.5"), as spreadsheets write it.
    """
    if isinstance(text, bool):
        raise NumberFormatError(f"{text!r} is not a number")
    if isinstance(text, Decimal):
        return text
    if isinstance(text, int):
        return Decimal(text)
    if isinstance(text, float):
        return Decimal(repr(text))
    raw = text.strip().replace("\u00a0", "").replace(" ", "")
    if _EN_NUMBER.match(raw) and not re.match(r"^[+-]?[0-9]{1,3}\.[0-9]{3}$", raw):
        return Decimal(raw)
    if _VN_NUMBER.match(raw):
        return Decimal(raw.replace(".", "").replace(",", "."))
    raise NumberFormatError(f"{text!r} is not a number")


def is_number(text: str) -> bool:
    try:
        parse_decimal(text)
    except (NumberFormatError, InvalidOperation):
        return False
    return True


def round_half_up(value: Decimal, places: Decimal = TWO_PLACES) -> Decimal:
    """Round the way published results are rounded (0,125 → 0,13)."""
    return value.quantize(places, rounding=ROUND_HALF_UP)


def format_decimal(value: Decimal | int | None, *, places: int | None = 2, lang: str = "vi") -> str:
    """82.85 → "82,85"; with places=None trailing zeros go (14.50 → "14,5", 10.00 → "10")."""
    if value is None:
        return ""
    number = Decimal(value)
    if places is not None:
        number = round_half_up(number, Decimal(1).scaleb(-places))
        text = f"{number:,.{places}f}"
    else:
        text = f"{number.normalize():,f}"
        if "." in text:
            text = text.rstrip("0").rstrip(".")
    if lang == "vi":
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text
