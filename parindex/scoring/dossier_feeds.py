"""From the province's one-stop-shop dossier rates to the sub-criteria of a criteria tree that
they measure. Pure: no Django, plain data in and out.

**The mapping** (`read_feeds`, data file `parindex/forecasting/data/dossier-feeds.yaml`): for a
criteria tree's code and version, which dossier rate measures which leaf. A rate is one of the
reference rates of the KPI engine (`RATES`, the names of `parindex.dossiers.kpis.RATES`), or
`on_time`: whichever on-time rate the province's settings choose to feed targets.

**The measurement** (`measure`): a leaf takes its rate's numerator and denominator (a rate keeps
both, never only the percentage); a rate without a denominator measures nothing.

**The period so far** (`so_far`): the forecast reads the year from 1 January to the latest
dossier date of the year (the whole year once the records go past it), so that a pending
dossier is judged overdue against the day the records stop, not against 31 December.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from parindex.scoring.feed_files import FeedError as FeedError  # read by the callers
from parindex.scoring.feed_files import read_trees

# The reference rates of the KPI engine (`parindex.dossiers.kpis.RATES`, checked equal by a test).
RATES = (
    "ty_le_dung_han",
    "ty_le_dung_han_ca_dang_qua_han",
    "ty_le_truc_tuyen",
    "ty_le_nhan_bcci",
    "ty_le_tra_bcci",
    "ty_le_tthc_tt34_bcci",
)
# The on-time rate the province's settings choose (`KpiSetting.on_time_rate`).
ON_TIME = "on_time"
ON_TIME_RATES = ("ty_le_dung_han", "ty_le_dung_han_ca_dang_qua_han")
FORMAT = "parindex-dossier-feeds/1"
_HUNDRED = Decimal(100)
# A rate in percent is shown to 4 places, as an assessment entry holds a value.
RATE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Feed:
    """A sub-criterion and the dossier rate that measures it (`ON_TIME` or one of `RATES`)."""

    code: str
    rate: str

    def rate_name(self, on_time_rate: str) -> str:
        """The reference rate this leaf reads, with `on_time` resolved to the province's."""
        if self.rate != ON_TIME:
            return self.rate
        if on_time_rate not in ON_TIME_RATES:
            raise ValueError(f"on-time rate {on_time_rate!r}: one of {', '.join(ON_TIME_RATES)}")
        return on_time_rate


@dataclass(frozen=True)
class Computed:
    """A leaf's rate computed from dossiers: numerator and denominator, and the rate in percent
    to four places (half-up)."""

    code: str
    rate: str  # the reference rate read
    numerator: int
    denominator: int

    @property
    def percent(self) -> Decimal:
        value = Decimal(self.numerator) * _HUNDRED / Decimal(self.denominator)
        return value.quantize(RATE_PLACES, rounding=ROUND_HALF_UP)


def read_feeds(text: str) -> dict[tuple[str, int], tuple[Feed, ...]]:
    """The mappings of a feeds file by (tree code, version)."""
    return read_trees(text, FORMAT, _feed)


def _feed(leaf: Any, where: str) -> Feed:
    if not isinstance(leaf, dict):
        raise FeedError(f"{where}: each leaf is {{code, rate}}")
    code, rate = leaf.get("code"), leaf.get("rate")
    if not isinstance(code, str) or not code:
        raise FeedError(f"{where}: a leaf without a code")
    if rate != ON_TIME and rate not in RATES:
        raise FeedError(
            f"{where}, {code}: unknown rate {rate!r} (one of {ON_TIME}, {', '.join(RATES)})"
        )
    unknown = set(leaf) - {"code", "rate"}
    if unknown:
        raise FeedError(f"{where}, {code}: unknown key {', '.join(sorted(unknown))}")
    return Feed(code, str(rate))


def feeds_for(
    feeds: Mapping[tuple[str, int], Sequence[Feed]], code: str, version: int
) -> tuple[Feed, ...]:
    """The mapping of one criteria tree version (none for a tree not mapped)."""
    return tuple(feeds.get((code, version), ()))


def measure(
    feed: Feed, rates: Mapping[str, tuple[int, int] | None], on_time_rate: str
) -> Computed | None:
    """The leaf's rate from the computed rates (numerator, denominator by reference name);
    None when its rate has no denominator."""
    name = feed.rate_name(on_time_rate)
    found = rates.get(name)
    if found is None or found[1] <= 0:
        return None
    return Computed(feed.code, name, int(found[0]), int(found[1]))


def so_far(start: date, end: date, latest: date | None, past_end: bool) -> tuple[date, date] | None:
    """The days of [start, end] the records cover: from `start` to the latest dossier date in
    the period, or to `end` when the records go past it (`past_end`); None when no dossier
    date falls in the period."""
    if past_end:
        return start, end
    if latest is None or latest < start:
        return None
    return start, min(latest, end)
