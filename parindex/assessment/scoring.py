"""The assessment's one door to the scoring engine: leaf inputs in, points per node out.

No Django here. Actions, the API and results call `score(spec, inputs)`; only this module knows
how the engine is called, so the rest of the app does not change when the engine does.

An input is what the engine takes for a leaf: a categorical band's label (str), a number (the
rate in percent for a percent leaf, or the count), or {"numerator": n, "denominator": d}.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from parindex.methodology.tree import FrameworkSpec, NodeSpec, Scoring, Unit

LeafInput = str | Decimal | dict[str, Decimal]


@dataclass(frozen=True)
class Scored:
    points: dict[str, Decimal]  # every node's points, exact
    bands: dict[str, str] = field(default_factory=dict)  # leaf code → the band that matched
    missing: list[str] = field(default_factory=list)  # leaves without an input, in tree order

    def total(self, spec: FrameworkSpec) -> Decimal:
        return sum((self.points.get(n.code, Decimal(0)) for n in spec.children(None)), Decimal(0))


def leaves(spec: FrameworkSpec) -> list[NodeSpec]:
    parents = {n.parent_code for n in spec.nodes}
    return [n for n in spec.nodes if n.code not in parents]


def maximum(spec: FrameworkSpec) -> Decimal:
    return sum((n.max_points for n in spec.children(None)), Decimal(0))


def score(spec: FrameworkSpec, inputs: Mapping[str, LeafInput]) -> Scored:
    """Points for every node of `spec` from its leaves' `inputs` (a missing leaf scores 0)."""
    points: dict[str, Decimal] = {}
    bands: dict[str, str] = {}
    missing: list[str] = []
    leaf_codes = {n.code for n in leaves(spec)}
    for node in spec.nodes:
        if node.code not in leaf_codes:
            continue
        given = inputs.get(node.code)
        got = None if given is None else _leaf(node, given)
        if got is None:
            missing.append(node.code)
            points[node.code] = Decimal(0)
            continue
        points[node.code], band = got
        if band:
            bands[node.code] = band
    # Inner nodes are the exact sum of their children, deepest first.
    for node in sorted(spec.nodes, key=lambda n: -n.depth):
        if node.code not in leaf_codes:
            points[node.code] = sum(
                (points.get(c.code, Decimal(0)) for c in spec.children(node.code)), Decimal(0)
            )
    return Scored(points=points, bands=bands, missing=missing)


def _measure(node: NodeSpec, given: LeafInput) -> Decimal | None:
    if isinstance(given, dict):
        numerator, denominator = given.get("numerator"), given.get("denominator")
        if numerator is None:
            return None
        if node.unit == Unit.COUNT:
            return numerator
        if not denominator:
            return None
        return numerator * 100 / denominator
    if isinstance(given, Decimal):
        return given
    return None


def _leaf(node: NodeSpec, given: LeafInput) -> tuple[Decimal, str] | None:
    if node.scoring == Scoring.CATEGORICAL or (
        isinstance(given, str) and node.scoring != Scoring.PROPORTIONAL
    ):
        if not isinstance(given, str):
            return None
        band = next((b for b in node.bands if b.label == given), None)
        return None if band is None else (band.points, band.label)
    measured = _measure(node, given)
    if measured is None:
        return None
    if node.scoring == Scoring.PROPORTIONAL:
        rate = max(measured, Decimal(0)) / 100
        return min(node.max_points * rate, node.max_points), ""
    band = next((b for b in node.bands if b.is_range and b.contains(measured)), None)
    return (Decimal(0), "") if band is None else (band.points, band.label)


def roll_up(spec: FrameworkSpec, leaf_points: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Sums up the tree of the leaves that have points: every ancestor of such a leaf gets the
    exact sum of its children that have points; nodes with none under them are left out (an
    appraised score exists only where something was appraised)."""
    result: dict[str, Decimal] = dict(leaf_points)
    for node in sorted(spec.nodes, key=lambda n: -n.depth):
        if node.code in leaf_points:
            continue
        parts = [result[c.code] for c in spec.children(node.code) if c.code in result]
        if parts:
            result[node.code] = sum(parts, Decimal(0))
    return result
