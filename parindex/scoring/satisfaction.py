"""From measured citizen satisfaction to the survey-based sub-criteria of a criteria tree. Pure:
no Django, plain data in and out.

**The mapping** (`read_feeds`, data file `parindex/methodology/data/survey-feeds.yaml`): for a
criteria tree's code and version, which survey factors measure which survey-based leaf. A leaf
fed by one factor takes that factor's share satisfied; a leaf fed by several takes the plain
mean of their shares (the five SIPAS factors averaged into one index).

**The measurement** (`measure`): the province's figures per factor (volume-weighted share, its
95 % interval, the sample) become one rate in percent with its interval. For several factors
the bounds are the means of the factors' bounds: the factors are answered by the same people,
so their errors are not independent, and the mean of the bounds is never narrower than the
interval of the mean would be (the standard deviation of a mean is at most the mean of the
standard deviations).

**The points** (`sipas_points`): the PAR INDEX gives a SIPAS component its maximum × the
satisfaction index; the one published pair that shows the conversion, Hà Tĩnh 2021 (9,12
points for 91,17 %, of 10), is exactly that, rounded half-up to two places. The criteria
trees' own bands (ranges or proportional) then score a leaf from the rate as any other value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, localcontext
from typing import Any

from parindex.scoring.feed_files import FeedError as FeedError  # read by the callers
from parindex.scoring.feed_files import read_trees

# The survey factors a leaf can be fed by: the five SIPAS factors and overall satisfaction
# (the codes of `surveys.models.Factor`).
FACTORS = ("access", "procedure", "staff", "result", "feedback", "overall")
FORMAT = "parindex-survey-feeds/1"
_HUNDRED = Decimal(100)
_PLACES = Decimal("0.01")
# A measured rate in percent is kept to 4 places, as an assessment entry holds a value.
RATE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Feed:
    """A survey-based leaf and the factors that measure it."""

    code: str
    factors: tuple[str, ...]


@dataclass(frozen=True)
class FactorFigure:
    """The province's figure for one factor: share satisfied (0–1), its 95 % interval, the
    answers it rests on, whether it is weighted by dossier volumes, and its design effect."""

    factor: str
    share: Decimal
    low: Decimal
    high: Decimal
    n: int
    weighted: bool = False
    deff: Decimal | None = None


@dataclass(frozen=True)
class Measured:
    """A leaf's measured rate in percent (0–100) with its 95 % interval, also in percent, to
    four places (half-up)."""

    code: str
    factors: tuple[str, ...]
    rate: Decimal
    low: Decimal
    high: Decimal
    n: int  # the answers of the factor(s): the smallest sample among them
    weighted: bool
    deff: Decimal | None


def read_feeds(text: str) -> dict[tuple[str, int], tuple[Feed, ...]]:
    """The mappings of a feeds file by (tree code, version)."""
    return read_trees(text, FORMAT, _feed)


def _feed(leaf: Any, where: str) -> Feed:
    if not isinstance(leaf, dict):
        raise FeedError(f"{where}: each leaf is {{code, factors}}")
    code, factors = leaf.get("code"), leaf.get("factors")
    if not isinstance(code, str) or not code:
        raise FeedError(f"{where}: a leaf without a code")
    if not isinstance(factors, list) or not factors:
        raise FeedError(f"{where}, {code}: factors: a list of factors is expected")
    unknown = [str(f) for f in factors if f not in FACTORS]
    if unknown:
        raise FeedError(
            f"{where}, {code}: unknown factor {', '.join(unknown)} (one of {', '.join(FACTORS)})"
        )
    if len(set(factors)) != len(factors):
        raise FeedError(f"{where}, {code}: a factor is named twice")
    return Feed(code, tuple(str(f) for f in factors))


def measure(feed: Feed, figures: Mapping[str, FactorFigure]) -> Measured | None:
    """The leaf's rate from the province's factor figures; None when a factor it needs has no
    answers."""
    needed = [figures.get(f) for f in feed.factors]
    if any(f is None or f.n <= 0 for f in needed):
        return None
    present = [f for f in needed if f is not None]
    count = Decimal(len(present))
    with localcontext() as ctx:
        ctx.prec = 40
        rate = sum((f.share for f in present), Decimal(0)) * _HUNDRED / count
        low = sum((f.low for f in present), Decimal(0)) * _HUNDRED / count
        high = sum((f.high for f in present), Decimal(0)) * _HUNDRED / count
    deffs = [f.deff for f in present if f.deff is not None]
    return Measured(
        code=feed.code,
        factors=feed.factors,
        rate=rate.quantize(RATE_PLACES, rounding=ROUND_HALF_UP),
        low=low.quantize(RATE_PLACES, rounding=ROUND_HALF_UP),
        high=high.quantize(RATE_PLACES, rounding=ROUND_HALF_UP),
        n=min(f.n for f in present),
        weighted=all(f.weighted for f in present),
        deff=max(deffs) if deffs else None,
    )


def sipas_points(index_percent: Decimal, max_points: Decimal) -> Decimal:
    """The PAR INDEX points of a SIPAS component: the maximum × the index, at most the maximum,
    rounded half-up to two places as published (Hà Tĩnh 2021: 91,17 % of 10 → 9,12)."""
    if index_percent < 0 or max_points < 0:
        raise ValueError("the index and the maximum are not negative")
    points = min(max_points * index_percent / _HUNDRED, max_points)
    return points.quantize(_PLACES, rounding=ROUND_HALF_UP)


def feeds_for(
    feeds: Mapping[tuple[str, int], Sequence[Feed]], code: str, version: int
) -> tuple[Feed, ...]:
    """The mapping of one criteria tree version (none for a tree not mapped)."""
    return tuple(feeds.get((code, version), ()))
