"""The year's forecast of a province's index: three scenarios, the rank each would have had, the
points at stake and what a change would be worth. Pure: no Django.

What is known of each leaf of the criteria tree (`LeafFacts`: its basis, its current input, the
plan's target it answers to, how much of the year its figure covers) becomes three sets of
inputs, which the scoring engine scores like any unit's:

- **worst**: every open leaf stays where it is now (a rate measured by a survey at the lower
  bound of its 95 % interval); a leaf with no figure scores 0;
- **expected**: rates as they stand, counts pro-rated to the whole year; a leaf with no figure at
  the province's last published overall rate (its share of the maximum), labelled as such;
- **best**: every open target met (the better of the expected value and the target's; for a
  rate measured by a survey, of its interval's upper bound too), and a leaf with no figure and
  no target at its maximum.

A leaf whose points were appraised is settled: the same in all three. docs/forecast.md says the
same for users. The rank of each scenario is placed in the table of the last published year
twice: if the other provinces repeat their last score, and if they follow their average trend.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from enum import StrEnum

from parindex.benchmark.ranks import Placing, Row, place, rank_bounds
from parindex.methodology.tree import Method, Scoring
from parindex.scoring.engine import (
    CompiledTree,
    LeafInput,
    NodeScore,
    Result,
    score,
    score_leaf,
)

__all__ = [
    "SCENARIOS",
    "Basis",
    "Forecast",
    "Goal",
    "LeafFacts",
    "Others",
    "ScenarioResult",
    "Stake",
    "TargetFacts",
    "forecast",
    "scenario_inputs",
    "what_if",
]

SCENARIOS = ("worst", "expected", "best")
_ZERO = Decimal(0)
_HUNDRED = Decimal(100)
_ONE = Decimal(1)


class Basis(StrEnum):
    """Where a leaf's current figure comes from, best first."""

    APPRAISED = "appraised"  # the appraisal settled its points
    SURVEYED = "surveyed"  # measured by the year's satisfaction survey, with its interval
    COMPUTED = "computed"  # computed from the province's one-stop-shop dossiers, year so far
    ASSESSED = "assessed"  # the province's self-assessment
    REPORTED = "reported"  # the latest reporting round: the agencies' counts added up
    STATUS = "status"  # the progress reported on the plan's target (a choice leaf)
    NONE = "none"  # nothing yet


@dataclass(frozen=True)
class TargetFacts:
    """The plan's target a leaf answers to: `value` in the leaf's unit (percent or count)."""

    comparator: str  # ">=", ">", "=", "<=", "<", "between"
    value: Decimal
    high: Decimal | None = None
    text: str = ""  # as the plan words it

    def met_by(self, value: Decimal) -> bool:
        c = self.comparator
        if c == ">=":
            return value >= self.value
        if c == ">":
            return value > self.value
        if c == "<=":
            return value <= self.value
        if c == "<":
            return value < self.value
        if c == "between":
            return self.value <= value <= (self.high if self.high is not None else self.value)
        return value == self.value

    def meeting_value(self, whole: bool) -> Decimal:
        """The least change that meets the target: the bound itself, one step past it for a
        strict comparator (1 for a count, 0.01 points of percent for a rate)."""
        step = _ONE if whole else Decimal("0.01")
        if self.comparator == ">":
            return self.value + step
        if self.comparator == "<":
            return max(self.value - step, _ZERO)
        return self.value


@dataclass(frozen=True)
class LeafFacts:
    """What is known of one leaf of the tree for the province this year."""

    code: str
    basis: Basis = Basis.NONE
    current: LeafInput | None = None  # the input as it stands (a label, a value, a ratio)
    settled: Decimal | None = None  # appraised points
    covered: Decimal = _ONE  # share of the year the current figure covers
    # The figure grows through the year (a count, a share of the year's plan done so far), so
    # the expected year's figure is it pro-rated; a rate of things handled does not.
    accumulates: bool = False
    target: TargetFacts | None = None
    status: str = ""  # done, on_track, at_risk, not_started: reported on the linked target
    source: str = ""  # where the figure was read ("Báo cáo quý II/2020, 18 cơ quan")
    # A measured rate's 95 % interval, in percent: the worst case reads its lower bound and
    # the best its upper bound, since the sample cannot tell where in it the truth lies.
    low: Decimal | None = None
    high: Decimal | None = None


@dataclass(frozen=True)
class Goal:
    score: Decimal | None = None
    rank: int | None = None


@dataclass(frozen=True)
class Others:
    """The other provinces' scores the forecast is ranked among: their last published score
    (`last`, with its published rank) and where their average trend takes them (`trend`)."""

    year: int  # the table the last scores come from
    of: int  # provinces ranked in the forecast year
    partial: bool
    last: Sequence[Row] = ()
    trend: Sequence[Row] = ()
    own: Row | None = None  # the province's own line of the `year` table: bounds, no rival


@dataclass(frozen=True)
class ScenarioResult:
    name: str
    result: Result
    placing: Placing | None  # if the others repeat their last score
    trend_placing: Placing | None  # if the others follow their average trend
    # The best and worst rank the published ranks allow if the others repeat their last score
    # (a partial table leaves a range; a complete one gives one rank).
    bounds: tuple[int, int] | None = None

    @property
    def total(self) -> Decimal:
        return self.result.total

    @property
    def rank(self) -> int | None:
        """The best rank the published figures allow if the others repeat their score."""
        if self.bounds is not None:
            return self.bounds[0]
        return self.placing.rank if self.placing else None

    @property
    def rank_exact(self) -> bool:
        if self.bounds is not None and self.bounds[0] == self.bounds[1]:
            return True
        return self.placing.exact if self.placing else False


@dataclass(frozen=True)
class Stake:
    """A leaf where points are lost or at risk."""

    code: str
    max: Decimal
    worst: Decimal
    expected: Decimal
    best: Decimal
    facts: LeafFacts
    value: Decimal | None  # the current value (rate in percent, or count), if numeric
    next_label: str = ""  # the nearest better band
    next_value: Decimal | None = None  # the value that reaches it, for a range band
    next_gain: Decimal = _ZERO  # points it adds to the expected score

    @property
    def recoverable(self) -> Decimal:
        """Points the expected score leaves on the table."""
        return self.max - self.expected

    @property
    def at_risk(self) -> Decimal:
        """Expected points that would be lost if nothing moved from now on."""
        return self.expected - self.worst

    @property
    def gap(self) -> Decimal | None:
        """How far the current value is from the target, in the target's unit (0 when met)."""
        target = self.facts.target
        if target is None or self.value is None:
            return None
        if target.met_by(self.value):
            return _ZERO
        if target.comparator in ("<=", "<"):
            return self.value - target.value
        if target.comparator == "=":
            return abs(self.value - target.value)
        if target.comparator == "between" and target.high is not None and self.value > target.high:
            return self.value - target.high
        return target.value - self.value


@dataclass(frozen=True)
class Forecast:
    tree: CompiledTree
    facts: Mapping[str, LeafFacts]
    scenarios: Mapping[str, ScenarioResult]
    inputs: Mapping[str, Mapping[str, LeafInput]]  # scenario → leaf → input
    stakes: tuple[Stake, ...]
    goal: Goal
    fallback_rate: Decimal | None  # percent: the last published overall rate
    others: Others | None = None

    def scenario(self, name: str) -> ScenarioResult:
        return self.scenarios[name]


# ---------------------------------------------------------------------------------------------
# Inputs of the three scenarios


def _value_of(entry: LeafInput) -> Decimal | None:
    """The number an input measures: the value, or the rate num / den × 100."""
    if entry.value is not None:
        return entry.value
    if entry.numerator is not None and entry.denominator:
        return entry.numerator * _HUNDRED / entry.denominator
    return None


def _bands_by_points(tree: CompiledTree, code: str) -> list[str]:
    leaf = tree.leaves[code]
    return [b.label for b in sorted(leaf.bands, key=lambda b: -b.points)]


def _points(tree: CompiledTree, code: str, entry: LeafInput | None) -> Decimal:
    if entry is None:
        return _ZERO
    return score_leaf(tree, code, entry)[0].points


def _better(tree: CompiledTree, code: str, *entries: LeafInput | None) -> LeafInput | None:
    """The entry that scores most (the first on a tie)."""
    best: LeafInput | None = None
    best_points = Decimal(-1)
    for entry in entries:
        if entry is None:
            continue
        points = _points(tree, code, entry)
        if points > best_points:
            best, best_points = entry, points
    return best


def scenario_inputs(
    tree: CompiledTree, facts: Mapping[str, LeafFacts], fallback_rate: Decimal | None
) -> dict[str, dict[str, LeafInput]]:
    """The inputs of each scenario, leaf by leaf (a leaf left out scores 0 as missing)."""
    out: dict[str, dict[str, LeafInput]] = {name: {} for name in SCENARIOS}
    for code in tree.leaves:
        known = facts.get(code) or LeafFacts(code)
        worst, expected, best = _leaf_scenarios(tree, code, known, fallback_rate)
        for name, entry in zip(SCENARIOS, (worst, expected, best), strict=True):
            if entry is not None:
                out[name][code] = entry
    return out


def _leaf_scenarios(
    tree: CompiledTree, code: str, known: LeafFacts, fallback_rate: Decimal | None
) -> tuple[LeafInput | None, LeafInput | None, LeafInput | None]:
    leaf = tree.leaves[code]
    if known.settled is not None:
        settled = LeafInput.given(min(known.settled, leaf.max))
        return settled, settled, settled
    numeric = leaf.scoring in (Scoring.RANGES, Scoring.PROPORTIONAL)
    whole = not leaf.percent
    fallback = (
        LeafInput.given(leaf.max * min(fallback_rate, _HUNDRED) / _HUNDRED)
        if fallback_rate is not None
        else None
    )
    target_met: LeafInput | None = None
    if numeric and known.target is not None:
        target_met = LeafInput.number(known.target.meeting_value(whole))
    current = known.current
    if current is not None and numeric:
        value = _value_of(current)
        expected: LeafInput = current
        if value is not None and known.accumulates and _ZERO < known.covered < _ONE:
            # So far this year: the year's figure at the same pace (whole items for a count,
            # at most the whole plan for a share of it).
            projected = value / known.covered
            if whole:
                projected = projected.to_integral_value(rounding=ROUND_FLOOR)
            else:
                projected = min(projected, _HUNDRED).quantize(Decimal("0.01"), ROUND_FLOOR)
            expected = LeafInput.number(projected)
        if known.low is not None and known.high is not None:
            low, high = LeafInput.number(known.low), LeafInput.number(known.high)
            return low, expected, _better(tree, code, expected, high, target_met)
        best = _better(tree, code, expected, target_met)
        return current, expected, best
    if current is not None:  # a chosen band, or points given
        if current.points is not None or not (known.status or known.target):
            return current, current, current
        # Still open on the plan: meeting its target reaches the best band.
        return current, current, _better(tree, code, current, _best_band(tree, code))
    if not numeric and leaf.scoring == Scoring.CATEGORICAL and known.status:
        labels = _bands_by_points(tree, code)
        top, bottom = LeafInput.choice(labels[0]), LeafInput.choice(labels[-1])
        middle = LeafInput.choice(labels[1]) if len(labels) > 2 else bottom
        status = known.status
        if status == "done":
            return top, top, top
        if status == "on_track":
            return bottom, top, top
        if status == "at_risk":
            return bottom, middle, top
        return bottom, bottom, top
    # No figure: nothing in the worst case, the last published rate expected, the target or
    # the maximum at best.
    best_entry = target_met if target_met is not None else LeafInput.given(leaf.max)
    if leaf.method == Method.SURVEY and target_met is None:
        best_entry = LeafInput.given(leaf.max)
    return None, fallback, _better(tree, code, best_entry, fallback)


def _best_band(tree: CompiledTree, code: str) -> LeafInput | None:
    labels = _bands_by_points(tree, code)
    return LeafInput.choice(labels[0]) if labels else None


# ---------------------------------------------------------------------------------------------
# The forecast


def _placing(total: Decimal, rows: Sequence[Row], others: Others, partial: bool) -> Placing:
    return place(total, rows, of=others.of, partial=partial)


def _scored(
    name: str, tree: CompiledTree, inputs: Mapping[str, LeafInput], others: Others | None
) -> ScenarioResult:
    result = score(tree, inputs)
    if others is None or not others.last:
        return ScenarioResult(name, result, None, None)
    # Published figures have two places: rank the score as it would be published.
    shown = result.total.quantize(Decimal("0.01"))
    return ScenarioResult(
        name,
        result,
        _placing(shown, others.last, others, others.partial),
        _placing(shown, others.trend, others, True) if others.trend else None,
        rank_bounds(shown, others.last, of=others.of, own=others.own),
    )


def forecast(
    tree: CompiledTree,
    facts: Mapping[str, LeafFacts],
    *,
    goal: Goal = Goal(),
    fallback_rate: Decimal | None = None,
    others: Others | None = None,
) -> Forecast:
    inputs = scenario_inputs(tree, facts, fallback_rate)
    scenarios = {name: _scored(name, tree, inputs[name], others) for name in SCENARIOS}
    stakes = _stakes(tree, facts, scenarios)
    return Forecast(
        tree=tree,
        facts=facts,
        scenarios=scenarios,
        inputs=inputs,
        stakes=stakes,
        goal=goal,
        fallback_rate=fallback_rate,
        others=others,
    )


def _stakes(
    tree: CompiledTree,
    facts: Mapping[str, LeafFacts],
    scenarios: Mapping[str, ScenarioResult],
) -> tuple[Stake, ...]:
    worst, expected, best = (scenarios[n].result.nodes for n in SCENARIOS)
    found: list[tuple[int, Stake]] = []
    for code, leaf in tree.leaves.items():
        now = expected[code]
        known = facts.get(code) or LeafFacts(code)
        if now.points >= leaf.max and worst[code].points >= now.points:
            continue
        current = known.current
        value = _value_of(current) if current is not None else None
        label, at, gain = _next_step(tree, code, now, known)
        found.append(
            (
                leaf.index,
                Stake(
                    code=code,
                    max=leaf.max,
                    worst=worst[code].points,
                    expected=now.points,
                    best=best[code].points,
                    facts=known,
                    value=value,
                    next_label=label,
                    next_value=at,
                    next_gain=gain,
                ),
            )
        )
    # Most points to win first; then most at risk; then the tree's order.
    found.sort(key=lambda pair: (-pair[1].recoverable, -pair[1].at_risk, pair[0]))
    return tuple(stake for _index, stake in found)


def _next_step(
    tree: CompiledTree,
    code: str,
    now: NodeScore,
    known: LeafFacts,
) -> tuple[str, Decimal | None, Decimal]:
    """The nearest band above the expected points: its label, the value that reaches it (range
    bands) and the points it adds. Settled leaves have no next step."""
    if known.settled is not None:
        return "", None, _ZERO
    leaf = tree.leaves[code]
    better = sorted((b for b in leaf.bands if b.points > now.points), key=lambda b: b.points)
    if better:
        band = better[0]
        at: Decimal | None = None
        if band.is_range:
            if band.lower is not None and (now.value is None or now.value < band.lower):
                at = band.lower if band.lower_inclusive else band.lower + _step(leaf.percent)
            elif band.upper is not None:
                at = band.upper if band.upper_inclusive else band.upper - _step(leaf.percent)
        return band.label, at, band.points - now.points
    if leaf.scoring == Scoring.PROPORTIONAL and now.points < leaf.max:
        return "", _HUNDRED, leaf.max - now.points
    return "", None, leaf.max - now.points if now.points < leaf.max else _ZERO


def _step(percent: bool) -> Decimal:
    return Decimal("0.01") if percent else _ONE


# ---------------------------------------------------------------------------------------------
# What if


def what_if(base: Forecast, changes: Mapping[str, LeafInput]) -> ScenarioResult:
    """The expected scenario with some leaves' inputs changed: scored and ranked, nothing kept.

    Unknown codes and unusable inputs are the engine's problems in the result, as for any
    scoring; the forecast itself is not touched.
    """
    inputs = dict(base.inputs["expected"])
    inputs.update(changes)
    return _scored("what_if", base.tree, inputs, base.others)
