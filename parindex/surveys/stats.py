"""Satisfaction indices from survey answers. Pure: no Django, plain dataclasses in and out.

For every factor × agency × period: the sample size n, how many were satisfied (a score of 4 or
5 on the 1–5 scale), the share satisfied with its 95 % Wilson score interval, and the mean
score. For the province: the same figures with each agency weighted by its dossier volume, and
the design effect that weighting costs (Kish: deff = n·Σw²/(Σw)²). The minimum sample an agency
needs for a chosen margin is n = N/(1 + N·e²) (the 2012 SIPAS method, N = the agency's dossiers
in the period). Every figure is an exact Decimal; `as_text` gives the strings the JSON carries.

Formulas (docs/surveys.md):

    share p = satisfied / n
    Wilson: centre = (p + z²/2n) / (1 + z²/n)
            half   = z / (1 + z²/n) · √(p(1−p)/n + z²/4n²)
    province, weights w = V_a / n_a per respondent of agency a (V_a its dossier volume):
            p_w = Σ V_a·p_a / Σ V_a,  mean_w = Σ V_a·mean_a / Σ V_a
            deff = n·Σw²/(Σw)² = (Σ n_a)·(Σ V_a²/n_a) / (Σ V_a)²,  n_eff = n / deff
            the interval is Wilson's at p_w with n_eff respondents.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal, localcontext

# The 97.5 % quantile of the standard normal distribution: a two-sided 95 % interval.
Z95 = Decimal("1.959963984540054")
TARGET = Decimal("0.90")
MARGIN = Decimal("0.05")
# Without a dossier volume to size the sample, fewer answers than this are too few to judge.
MIN_RESPONSES = 30
SATISFIED_FROM = 4
SHARE_PLACES = Decimal("0.0001")
MEAN_PLACES = Decimal("0.01")
DEFF_PLACES = Decimal("0.01")
WHOLE = "all"
PROVINCE = ""
_PRECISION = 40

# Flags, in the order they are listed.
BELOW_TARGET = "below_target"
STRADDLES_TARGET = "straddles_target"
TOO_FEW = "too_few"


@dataclass(frozen=True)
class Score:
    """One answer to a satisfaction question: 1 to 5."""

    agency: str
    factor: str
    period: str
    value: int


@dataclass
class Tally:
    """What an index needs from its answers: their count, the satisfied, the sum of scores."""

    n: int = 0
    satisfied: int = 0
    total: int = 0

    def add(self, value: int, *, satisfied_from: int = SATISFIED_FROM) -> None:
        self.n += 1
        self.total += value
        if value >= satisfied_from:
            self.satisfied += 1


@dataclass(frozen=True)
class Index:
    """One factor's satisfaction in one agency (or the province, agency "") over one period."""

    agency: str
    factor: str
    period: str
    n: int
    satisfied: int
    share: Decimal | None
    low: Decimal | None
    high: Decimal | None
    mean: Decimal | None
    required: int | None = None  # the minimum sample for the agency's volume and margin
    flags: tuple[str, ...] = ()
    # The province figure only: weighted by dossier volume, and what weighting costs.
    weighted: bool = False
    deff: Decimal | None = None
    effective_n: Decimal | None = None
    missing_volume: tuple[str, ...] = field(default=())


def quarter(day: date) -> str:
    """The quarter a day falls in, as periods are written: 2020Q2."""
    return f"{day.year}Q{(day.month - 1) // 3 + 1}"


def tally(
    scores: Iterable[Score], *, satisfied_from: int = SATISFIED_FROM
) -> dict[tuple[str, str, str], Tally]:
    """Answers counted per (agency, factor, period)."""
    tallies: dict[tuple[str, str, str], Tally] = {}
    for score in scores:
        key = (score.agency, score.factor, score.period)
        found = tallies.get(key)
        if found is None:
            found = tallies[key] = Tally()
        found.add(score.value, satisfied_from=satisfied_from)
    return tallies


def wilson(
    satisfied: int | Decimal, n: int | Decimal, *, z: Decimal = Z95
) -> tuple[Decimal, Decimal] | None:
    """The Wilson score interval of `satisfied` out of `n` (n may be an effective, fractional
    sample size); None without answers. Exact to 40 digits, bounds kept within [0, 1]."""
    if n <= 0:
        return None
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        n = Decimal(n)
        p = Decimal(satisfied) / n
        z2 = z * z
        denominator = 1 + z2 / n
        centre = (p + z2 / (2 * n)) / denominator
        half = z / denominator * (p * (1 - p) / n + z2 / (4 * n * n)).sqrt()
        low, high = max(centre - half, Decimal(0)), min(centre + half, Decimal(1))
    return +low, +high


def minimum_sample(volume: int, margin: Decimal = MARGIN) -> int:
    """n = N / (1 + N·e²), rounded up: the answers an agency with `volume` dossiers needs."""
    if volume <= 0:
        return 0
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        n = Decimal(volume) / (1 + Decimal(volume) * margin * margin)
    return int(n.to_integral_value(rounding=ROUND_CEILING))


def flags_of(
    share: Decimal | None,
    low: Decimal | None,
    high: Decimal | None,
    n: int,
    *,
    required: int | Decimal | None,
    target: Decimal = TARGET,
    min_responses: int = MIN_RESPONSES,
) -> tuple[str, ...]:
    """Below the target; an interval that holds the target (the sample cannot tell which side
    the agency is on); fewer answers than its volume needs (or than `min_responses`)."""
    found: list[str] = []
    if share is not None and share < target:
        found.append(BELOW_TARGET)
    if low is not None and high is not None and low < target <= high:
        found.append(STRADDLES_TARGET)
    if n < (required if required is not None else min_responses):
        found.append(TOO_FEW)
    return tuple(found)


def index(
    agency: str,
    factor: str,
    period: str,
    counted: Tally,
    *,
    volume: int | None = None,
    margin: Decimal = MARGIN,
    target: Decimal = TARGET,
    min_responses: int = MIN_RESPONSES,
) -> Index:
    """The index of one agency's answers to one factor in one period."""
    share = mean = None
    bounds = wilson(counted.satisfied, counted.n)
    if counted.n:
        with localcontext() as ctx:
            ctx.prec = _PRECISION
            share = Decimal(counted.satisfied) / counted.n
            mean = Decimal(counted.total) / counted.n
    required = minimum_sample(volume, margin) if volume else None
    low, high = bounds if bounds else (None, None)
    return Index(
        agency=agency,
        factor=factor,
        period=period,
        n=counted.n,
        satisfied=counted.satisfied,
        share=share,
        low=low,
        high=high,
        mean=mean,
        required=required,
        flags=flags_of(
            share,
            low,
            high,
            counted.n,
            required=required,
            target=target,
            min_responses=min_responses,
        ),
    )


def province_index(
    factor: str,
    period: str,
    agencies: Mapping[str, Tally],
    *,
    volumes: Mapping[str, int] | None = None,
    target: Decimal = TARGET,
    min_responses: int = MIN_RESPONSES,
) -> Index:
    """The province's index of one factor in one period from its agencies' tallies.

    With a positive dossier volume for every agency that has answers, each agency counts by its
    volume (p_w = Σ V_a·p_a / Σ V_a) and the interval uses the effective sample n / deff. When
    an agency's volume is missing the figure is the plain pooled one (deff 1), and
    `missing_volume` names those agencies, so nobody mistakes it for a weighted figure."""
    answered = {code: t for code, t in agencies.items() if t.n}
    n = sum(t.n for t in answered.values())
    satisfied = sum(t.satisfied for t in answered.values())
    total = sum(t.total for t in answered.values())
    missing = tuple(sorted(c for c in answered if not volumes or (volumes.get(c) or 0) <= 0))
    weighted = bool(answered) and volumes is not None and not missing
    if not answered:
        return Index(
            PROVINCE,
            factor,
            period,
            0,
            0,
            None,
            None,
            None,
            None,
            flags=flags_of(None, None, None, 0, required=None, min_responses=min_responses),
            missing_volume=missing,
        )
    with localcontext() as ctx:
        ctx.prec = _PRECISION
        if weighted:
            assert volumes is not None
            weight_sum = Decimal(sum(volumes[c] for c in answered))
            share = (
                sum(
                    (Decimal(volumes[c]) * t.satisfied / t.n for c, t in answered.items()),
                    Decimal(0),
                )
                / weight_sum
            )
            mean = (
                sum((Decimal(volumes[c]) * t.total / t.n for c, t in answered.items()), Decimal(0))
                / weight_sum
            )
            squares = sum((Decimal(volumes[c]) ** 2 / t.n for c, t in answered.items()), Decimal(0))
            deff = n * squares / (weight_sum * weight_sum)
            effective = n / deff
            bounds = wilson(share * effective, effective)
        else:
            share = Decimal(satisfied) / n
            mean = Decimal(total) / n
            deff = Decimal(1)
            effective = Decimal(n)
            bounds = wilson(satisfied, n)
    assert bounds is not None
    low, high = bounds
    return Index(
        agency=PROVINCE,
        factor=factor,
        period=period,
        n=n,
        satisfied=satisfied,
        share=+share,
        low=low,
        high=high,
        mean=+mean,
        flags=flags_of(
            share, low, high, n, required=None, target=target, min_responses=min_responses
        ),
        weighted=weighted,
        deff=+deff,
        effective_n=+effective,
        missing_volume=missing,
    )


def indices(
    scores: Iterable[Score],
    *,
    volumes: Mapping[tuple[str, str], int] | None = None,
    margin: Decimal = MARGIN,
    target: Decimal = TARGET,
    min_responses: int = MIN_RESPONSES,
    satisfied_from: int = SATISFIED_FROM,
) -> tuple[list[Index], list[Index]]:
    """Every agency × factor × period index, and the province's per factor × period.

    `volumes` maps (agency, period) to the agency's dossiers in that period. Rows come sorted
    by agency, factor, period (the province's by factor, period)."""
    return indices_of(
        tally(scores, satisfied_from=satisfied_from),
        volumes=volumes,
        margin=margin,
        target=target,
        min_responses=min_responses,
    )


def indices_of(
    tallies: Mapping[tuple[str, str, str], Tally],
    *,
    volumes: Mapping[tuple[str, str], int] | None = None,
    margin: Decimal = MARGIN,
    target: Decimal = TARGET,
    min_responses: int = MIN_RESPONSES,
) -> tuple[list[Index], list[Index]]:
    """`indices` from answers already counted per (agency, factor, period), as a database
    counts them with GROUP BY."""
    rows = [
        index(
            agency,
            factor,
            period,
            counted,
            volume=(volumes or {}).get((agency, period)),
            margin=margin,
            target=target,
            min_responses=min_responses,
        )
        for (agency, factor, period), counted in sorted(tallies.items())
    ]
    by_cell: dict[tuple[str, str], dict[str, Tally]] = {}
    for (agency, factor, period), counted in tallies.items():
        by_cell.setdefault((factor, period), {})[agency] = counted
    province = []
    for (factor, period), agencies in sorted(by_cell.items()):
        period_volumes = (
            {a: volumes[(a, period)] for a in agencies if (a, period) in volumes}
            if volumes is not None
            else None
        )
        province.append(
            province_index(
                factor,
                period,
                agencies,
                volumes=period_volumes,
                target=target,
                min_responses=min_responses,
            )
        )
    return rows, province


# --- as the JSON writes them -------------------------------------------------------------------


def _fixed(value: Decimal | None, places: Decimal) -> str | None:
    if value is None:
        return None
    return str(value.quantize(places, rounding=ROUND_HALF_UP))


def as_text(row: Index) -> dict[str, object]:
    """The row as the command line and the API print it: shares with 4 places, the mean with
    2, as strings (exact, never a float)."""
    data: dict[str, object] = {
        "agency": row.agency,
        "factor": row.factor,
        "n": row.n,
        "satisfied": row.satisfied,
        "share": _fixed(row.share, SHARE_PLACES),
        "ci95": (
            [_fixed(row.low, SHARE_PLACES), _fixed(row.high, SHARE_PLACES)]
            if row.low is not None
            else None
        ),
        "mean": _fixed(row.mean, MEAN_PLACES),
    }
    return data


def details(row: Index) -> dict[str, object]:
    """The figures beyond the contract's: period, minimum sample, flags, weighting."""
    data: dict[str, object] = {"period": row.period, "flags": list(row.flags)}
    if row.agency != PROVINCE:
        data["required"] = row.required
    else:
        data["weighted"] = row.weighted
        data["deff"] = _fixed(row.deff, DEFF_PLACES)
        data["effective_n"] = _fixed(row.effective_n, DEFF_PLACES)
        data["missing_volume"] = list(row.missing_volume)
    return data
