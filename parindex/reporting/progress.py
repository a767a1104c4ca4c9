"""Province values and traffic lights from agencies' counts. Pure: no Django.

A province rate is the sum of the agencies' numerators over the sum of their denominators,
never an average of their percentages (an agency with 3 dossiers must not weigh as much as one
with 3 000).

A light knows the time of year (`assess`). Plan targets are yearly; a round that ends before the
plan year does holds each quantity to where it should stand by then:

* counts and amounts that build up through the year ("có ít nhất 03 sáng kiến"), the share of
  the year's plan done ("hoàn thành 100% kế hoạch CCHC") and results measured against a reference
  ("vượt chỉ tiêu thu ngân sách từ 4 %": collected ÷ planned) are held to the pro-rated path:
  3 initiatives by 31/12 is 1,5 by 30/06, 100 % of the plan is 50 %;
* rates ("tỷ lệ hồ sơ đúng hạn ≥ 95 %") and caps ("không có", "≤ 0") are judged as they stand;
* index points and ranks exist only once the year is over: before that they are not yet due.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from enum import StrEnum

HUNDRED = Decimal(100)
# How close to the threshold is "nearly there" (amber), as a share of the threshold.
AMBER_MARGIN = Decimal("0.10")


class Light(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    NONE = "grey"  # no figures reported yet
    NOT_DUE = "not_due"  # the year is not over and the figure means something only then


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
    order = [Light.RED, Light.AMBER, Light.GREEN, Light.NOT_DUE]
    seen = set(lights)
    for candidate in order:
        if candidate in seen:
            return candidate
    return Light.NONE


# --- what a quantity measures, and where it should stand at a point of the year ----------------

# What a reported figure is (the plans app stores one of these on every quantity):
LEVEL = "level"  # the figure itself: a share achieved, a count, points, an amount
YEAR_PROGRESS = "year_progress"  # the share of the year's plan done so far, in %
ABOVE_REFERENCE = "above_reference"  # result ÷ reference; met when above it by the value (%)
BELOW_REFERENCE = "below_reference"  # result ÷ reference; met when below it by the value (%)
RANK = "rank"  # a position: 1 is best

_FLIPPED = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "=": "="}


class Pace(StrEnum):
    AS_IS = "as_is"  # a rate or a cap: judged as it stands
    ACCUMULATES = "accumulates"  # built up over the year: held to the pro-rated path
    YEAR_END = "year_end"  # index points, ranks: known only once the year is over


@dataclass(frozen=True)
class Aim:
    """A quantity of a plan target, as far as judging it goes."""

    comparator: str
    value: Decimal
    value_high: Decimal | None = None
    unit: str = "count"
    measure: str = LEVEL

    @property
    def pace(self) -> Pace:
        if self.measure == RANK or self.unit in ("points", "rank"):
            return Pace.YEAR_END
        if self.measure in (YEAR_PROGRESS, ABOVE_REFERENCE, BELOW_REFERENCE):
            return Pace.ACCUMULATES
        if self.unit == "percent":
            return Pace.AS_IS
        # A count or amount to reach grows; a cap ("≤ 5", "= 0 violations") holds all year.
        reaching = self.comparator in (">=", ">", "between") or (
            self.comparator == "=" and self.value > 0
        )
        return Pace.ACCUMULATES if reaching else Pace.AS_IS

    def reported(self) -> Aim:
        """The aim in the terms a figure is reported in: "above the plan by ≥ 4 %" is
        collected ÷ planned ≥ 104 %; "below 2015 by ≥ 10 %" is now ÷ 2015 ≤ 90 %."""
        if self.measure == ABOVE_REFERENCE:
            high = None if self.value_high is None else HUNDRED + self.value_high
            return replace(self, value=HUNDRED + self.value, value_high=high, measure=LEVEL)
        if self.measure == BELOW_REFERENCE:
            if self.comparator == "between" and self.value_high is not None:
                low, high = HUNDRED - self.value_high, HUNDRED - self.value
                return replace(self, value=low, value_high=high, measure=LEVEL)
            return replace(
                self,
                comparator=_FLIPPED.get(self.comparator, self.comparator),
                value=HUNDRED - self.value,
                measure=LEVEL,
            )
        return self


def year_elapsed(day: date, year: int) -> Decimal:
    """How much of `year` has passed at the end of `day`: 0 before it, 1 from 31/12 on, and
    by whole months and days in between (31/03 is 1/4, 30/06 is 1/2)."""
    if day.year < year:
        return Decimal(0)
    if day.year > year or (day.month, day.day) == (12, 31):
        return Decimal(1)
    days = calendar.monthrange(day.year, day.month)[1]
    return (Decimal(day.month - 1) + Decimal(day.day) / Decimal(days)) / 12


def due(aim: Aim, elapsed: Decimal) -> Aim | None:
    """Where the aim should stand once `elapsed` of the year has passed (in reported terms),
    or None when it is not yet due."""
    if elapsed >= 1:
        return aim.reported()
    if aim.pace == Pace.YEAR_END:
        return None
    target = aim.reported()
    if aim.pace == Pace.AS_IS:
        return target
    if target.comparator in ("<=", "<"):
        return replace(target, value=target.value * elapsed)
    # Ahead of the path is on track, even for "exactly N" or "from N to M" by the year end.
    comparator = ">" if target.comparator == ">" else ">="
    return replace(target, comparator=comparator, value=target.value * elapsed, value_high=None)


def assess(value: Decimal | None, aim: Aim, elapsed: Decimal = Decimal(1)) -> Light:
    """The light of a reported value (a rate in %, a count, result ÷ reference in %) against
    its aim, `elapsed` of the plan year in (see `year_elapsed`)."""
    target = due(aim, elapsed)
    if target is None:
        return Light.NOT_DUE
    return light(value, target.comparator, target.value, target.value_high)
