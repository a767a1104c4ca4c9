"""Province values and traffic lights from agencies' counts. Pure: no Django.

A province rate is the sum of the agencies' numerators over the sum of their denominators,
never an average of their percentages (an agency with 3 dossiers must not weigh as much as one
with 3 000).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

HUNDRED = Decimal(100)
# How close to the threshold is "nearly there" (amber), as a share of the threshold.
AMBER_MARGIN = Decimal("0.10")


class Light(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NONE = "grey"  # nothing reported yet


@dataclass(frozen=True)
class Aggregate:
    numerator: Decimal
    denominator: Decimal | None  # None for counts and amounts
    reporting: int  # how many agencies gave a value

    @property
    def value(self) -> Decimal | None:
        if self.denominator is None:
            return self.numerator if self.reporting else None
        if not self.denominator:
            return None
        return self.numerator * HUNDRED / self.denominator


def aggregate(
    pairs: Iterable[tuple[Decimal | None, Decimal | None]], *, is_rate: bool
) -> Aggregate:
    numerator = Decimal(0)
    denominator = Decimal(0)
    reporting = 0
    for num, den in pairs:
        if num is None or (is_rate and den is None):
            continue
        numerator += num
        if is_rate and den is not None:
            denominator += den
        reporting += 1
    return Aggregate(numerator, denominator if is_rate else None, reporting)


def light(
    value: Decimal | None, comparator: str, threshold: Decimal, high: Decimal | None = None
) -> Light:
    """Green when the value meets the target, amber when within 10 % of it, red otherwise."""
    if value is None:
        return Light.NONE
    margin = abs(threshold) * AMBER_MARGIN
    if comparator in (">=", ">"):
        met = value >= threshold if comparator == ">=" else value > threshold
        return Light.GREEN if met else Light.AMBER if value >= threshold - margin else Light.RED
    if comparator in ("<=", "<"):
        met = value <= threshold if comparator == "<=" else value < threshold
        return Light.GREEN if met else Light.AMBER if value <= threshold + margin else Light.RED
    if comparator == "between":
        upper = high if high is not None else threshold
        if threshold <= value <= upper:
            return Light.GREEN
        return (
            Light.AMBER
            if threshold - margin <= value <= upper + abs(upper) * AMBER_MARGIN
            else Light.RED
        )
    # "=": a target of 0 (no violations) allows no margin.
    if value == threshold:
        return Light.GREEN
    return Light.AMBER if margin and abs(value - threshold) <= margin else Light.RED


STATUS_LIGHTS = {
    "done": Light.GREEN,
    "on_track": Light.GREEN,
    "at_risk": Light.AMBER,
    "not_started": Light.RED,
}


def worst(lights: Iterable[Light]) -> Light:
    order = [Light.RED, Light.AMBER, Light.GREEN]
    seen = set(lights)
    for candidate in order:
        if candidate in seen:
            return candidate
    return Light.NONE
