"""What every reader shares: framework metadata, the enum words in English and Vietnamese."""

from __future__ import annotations

import reprlib
from collections.abc import Callable, Mapping
from dataclasses import fields
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from parindex.lib.dates import parse_date
from parindex.lib.text import clean, fold, nfc
from parindex.methodology.bands import parse_points
from parindex.methodology.tree import (
    FrameworkSpec,
    Level,
    Method,
    Problem,
    Scoring,
    Severity,
    Unit,
    problem,
)

FORMAT = "parindex-criteria/1"

# How the XLSX layout words each value; readers also accept the English value and these words.
LEVEL_LABELS = {
    Level.PROVINCE: "Cấp tỉnh",
    Level.DEPARTMENT: "Cấp sở",
    Level.DISTRICT: "Cấp huyện",
    Level.COMMUNE: "Cấp xã",
}
METHOD_LABELS = {Method.SELF: "Tự đánh giá", Method.SURVEY: "Điều tra XHH"}
SCORING_LABELS = {
    Scoring.NONE: "",
    Scoring.CATEGORICAL: "Chọn mức",
    Scoring.RANGES: "Theo khoảng",
    Scoring.PROPORTIONAL: "Theo tỷ lệ",
}
UNIT_LABELS = {Unit.NONE: "", Unit.PERCENT: "%", Unit.COUNT: "Số lượng"}

# Other words people write, folded (no tone marks), per kind: "số" is a count, "sở" a level.
_ALIASES: dict[type[StrEnum], dict[str, Any]] = {
    Level: {
        "tinh": Level.PROVINCE,
        "so": Level.DEPARTMENT,
        "so, ban, nganh": Level.DEPARTMENT,
        "huyen": Level.DISTRICT,
        "xa": Level.COMMUNE,
    },
    Method: {
        "tu cham": Method.SELF,
        "tham dinh": Method.SELF,
        "dieu tra": Method.SURVEY,
        "dieu tra xa hoi hoc": Method.SURVEY,
        "dt xhh": Method.SURVEY,
        "khao sat": Method.SURVEY,
    },
    Scoring: {
        "ty le": Scoring.PROPORTIONAL,
        "khoang": Scoring.RANGES,
        "muc": Scoring.CATEGORICAL,
    },
    Unit: {"phan tram": Unit.PERCENT, "so": Unit.COUNT, "lan": Unit.COUNT},
}

E = TypeVar("E", bound=StrEnum)

_LABELS: dict[type[StrEnum], Mapping[Any, str]] = {
    Level: LEVEL_LABELS,
    Method: METHOD_LABELS,
    Scoring: SCORING_LABELS,
    Unit: UNIT_LABELS,
}


def _short(key: str) -> str:
    return key.removeprefix("cap ").removeprefix("theo ")


def parse_choice(kind: type[E], value: object) -> E | None:
    """An enum member from its value ("survey") or its Vietnamese words ("Điều tra XHH")."""
    if isinstance(value, kind):
        return value
    if not isinstance(value, str):
        return None
    key = fold(value)
    labels = _LABELS.get(kind, {})
    for member in kind:
        label = fold(labels.get(member, ""))
        if key == member.value or (label and _short(key) == _short(label)):
            return member
    found = _ALIASES.get(kind, {}).get(_short(key))
    return found if isinstance(found, kind) else None


def text_block(value: str) -> str:
    """Multi-line text (notes, descriptions) cleaned line by line, its line breaks kept."""
    lines = [clean(line) for line in nfc(value).replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def truncate(text: str, limit: int = 80) -> str:
    text = clean(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def shown(value: object) -> str:
    """A value quoted in a problem, kept short even when it is a huge (or aliased) structure."""
    return truncate(value) if isinstance(value, str) else truncate(reprlib.repr(value))


META_KEYS = tuple(f.name for f in fields(FrameworkSpec) if f.name != "nodes")


def _at_least(minimum: int) -> Callable[[object], int | None]:
    def convert(value: object) -> int | None:
        number = integer_from(value)
        return number if number is not None and number >= minimum else None

    return convert


# How typed metadata is read from text or values; the other keys are plain text.
_CONVERTERS: dict[str, Callable[[object], object | None]] = {
    "version": _at_least(1),
    "first_year": _at_least(1000),
    "last_year": _at_least(1000),
    "level": lambda value: parse_choice(Level, value),
    "declared_total": lambda value: decimal_from(value),
    "decision_date": lambda value: read_date(value),
}


def spec_from_meta(meta: Mapping[str, object]) -> tuple[FrameworkSpec, list[Problem]]:
    """A framework without nodes from metadata given as text or typed values.

    Absent or empty values keep their defaults; unreadable ones are ERRORs naming the field.
    A missing name is not reported: the caller may still supply one.
    """
    spec = FrameworkSpec(name="")
    problems: list[Problem] = []
    for key in META_KEYS:
        value = meta.get(key)
        if value is None or value == "":
            continue
        if key in _CONVERTERS:
            converted = _CONVERTERS[key](value)
            if converted is None:
                problems.append(problem(Severity.ERROR, "bad_value", field=key, value=shown(value)))
            else:
                setattr(spec, key, converted)
        elif key in ("description", "source"):
            setattr(spec, key, text_block(str(value)))
        else:
            setattr(spec, key, clean(str(value)))
    return spec, problems


def read_date(value: object) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return parse_date(value)
        except ValueError:
            return None
    return None


def integer_from(value: object) -> int | None:
    """A whole number from a typed value or its digits; None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Decimal) and value.is_finite() and value == value.to_integral_value():
        return int(value)
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return None


def decimal_from(value: object) -> Decimal | None:
    """Points or a bound from a cell or a YAML scalar: numbers, "14,5", "0.25 điểm"."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        # Spreadsheets keep 15 significant digits; past them is binary noise (0.1 + 0.2).
        value = Decimal(format(value, ".15g"))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    if isinstance(value, str):
        return parse_points(value)
    return None
