"""The assessment's one door to the scoring engine (`parindex.scoring.engine`).

No Django here. The actions score a unit with `score_unit`: the self-assessed score from the
entries' inputs, and the final score with each appraised leaf's points given in place of its
input; the appraised score is the sum of what was appraised (a node has one only where something
under it was appraised). The engine computes every point; this module only chooses the inputs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from parindex.methodology.tree import FrameworkSpec, NodeSpec
from parindex.scoring.engine import CompiledTree, InputProblem, LeafInput, compile_tree, score

__all__ = [
    "CompiledTree",
    "LeafInput",
    "UnitScores",
    "compile_tree",
    "leaves",
    "roll_up",
    "score_unit",
]


@dataclass(frozen=True)
class UnitScores:
    self_points: dict[str, Decimal]  # every node
    appraised_points: dict[str, Decimal]  # nodes with something appraised under them
    final_points: dict[str, Decimal]  # every node
    self_total: Decimal
    appraised_total: Decimal | None
    final_total: Decimal
    bands: dict[str, str] = field(default_factory=dict)  # leaf → the band its input matched
    traces: dict[str, str] = field(default_factory=dict)  # leaf → how the engine scored it
    missing: list[str] = field(default_factory=list)  # leaves without an input
    problems: list[InputProblem] = field(default_factory=list)  # inputs the engine refused


def leaves(spec: FrameworkSpec) -> list[NodeSpec]:
    parents = {n.parent_code for n in spec.nodes}
    return [n for n in spec.nodes if n.code not in parents]


def roll_up(spec: FrameworkSpec, leaf_points: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Every ancestor of the given leaves with the exact sum of its children that have points;
    nodes with nothing under them are left out."""
    result: dict[str, Decimal] = dict(leaf_points)
    for node in sorted(spec.nodes, key=lambda n: -n.depth):
        if node.code in leaf_points:
            continue
        parts = [result[c.code] for c in spec.children(node.code) if c.code in result]
        if parts:
            result[node.code] = sum(parts, Decimal(0))
    return result


def score_unit(
    tree: CompiledTree,
    inputs: Mapping[str, LeafInput],
    appraised: Mapping[str, Decimal],
) -> UnitScores:
    """Self, appraised and final scores of one unit: `inputs` are its entries' inputs,
    `appraised` the appraised points of the leaves that have them."""
    own = score(tree, inputs)
    final = (
        score(tree, {**inputs, **{c: LeafInput.given(p) for c, p in appraised.items()}})
        if appraised
        else own
    )
    domains = [n.code for n in tree.spec.nodes if n.parent_code is None]
    appraised_nodes = roll_up(tree.spec, appraised)
    return UnitScores(
        self_points={c: n.points for c, n in own.nodes.items()},
        appraised_points=appraised_nodes,
        final_points={c: n.points for c, n in final.nodes.items()},
        self_total=own.total,
        appraised_total=(
            sum((appraised_nodes[c] for c in domains if c in appraised_nodes), Decimal(0))
            if appraised
            else None
        ),
        final_total=final.total,
        bands={c: n.band.label for c, n in own.nodes.items() if n.band is not None},
        traces={c: n.trace for c, n in own.nodes.items() if n.is_leaf},
        missing=list(own.missing),
        problems=list(own.problems),
    )
