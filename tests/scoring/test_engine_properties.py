"""Over random trees and inputs: every total is the exact sum of its parts, within its maximum."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from parindex.methodology.tree import BandSpec, FrameworkSpec, NodeSpec, Scoring, Unit
from parindex.scoring.engine import LeafInput, compile_tree, score

QUARTERS = st.integers(min_value=1, max_value=80).map(lambda n: Decimal(n) / 4)


@st.composite
def leaf(draw: st.DrawFn, code: str) -> tuple[NodeSpec, LeafInput | None]:
    top = draw(QUARTERS)
    kind = draw(st.sampled_from(["proportional", "ranges", "categorical"]))
    if kind == "proportional":
        node = NodeSpec(code, code, top, scoring=Scoring.PROPORTIONAL, unit=Unit.PERCENT)
    elif kind == "ranges":
        half = (top / 2).quantize(Decimal("0.01"))
        bands = [
            BandSpec("low", Decimal(0), upper=Decimal(50), upper_inclusive=False),
            BandSpec("mid", half, lower=Decimal(50), upper=Decimal(90)),
            BandSpec("high", top, lower=Decimal(90), lower_inclusive=False),
        ]
        node = NodeSpec(code, code, top, scoring=Scoring.RANGES, unit=Unit.PERCENT, bands=bands)
    else:
        bands = [BandSpec("Đạt", top), BandSpec("Chưa đạt", Decimal(0))]
        node = NodeSpec(code, code, top, scoring=Scoring.CATEGORICAL, bands=bands)
    numbers = st.integers(min_value=0, max_value=10**6)
    entry = draw(
        st.none()
        | (
            st.builds(LeafInput.choice, st.sampled_from(["đạt", "CHƯA ĐẠT"]))
            if kind == "categorical"
            else st.builds(LeafInput.ratio, numbers, st.integers(min_value=1, max_value=10**6))
            | st.builds(
                LeafInput.number,
                st.decimals(min_value=0, max_value=200, places=3, allow_nan=False),
            )
        )
    )
    return node, entry


@st.composite
def trees(draw: st.DrawFn) -> tuple[FrameworkSpec, dict[str, LeafInput]]:
    nodes: list[NodeSpec] = []
    inputs: dict[str, LeafInput] = {}

    def add(code: str, depth: int) -> Decimal:
        parts = draw(st.integers(min_value=0, max_value=4 if depth < 3 else 0))
        if parts == 0:
            node, entry = draw(leaf(code))
            nodes.append(node)
            if entry is not None:
                inputs[code] = entry
            return node.max_points
        me = NodeSpec(code, code, Decimal(0))
        nodes.append(me)
        me.max_points = sum(
            (add(f"{code}.{i}", depth + 1) for i in range(1, parts + 1)), Decimal(0)
        )
        return me.max_points

    domains = draw(st.integers(min_value=1, max_value=5))
    total = sum((add(str(i), 1) for i in range(1, domains + 1)), Decimal(0))
    return FrameworkSpec(name="random", declared_total=total, nodes=nodes), inputs


@settings(max_examples=150, deadline=None)
@given(trees())
def test_every_node_is_the_exact_sum_of_its_parts_and_within_its_maximum(
    drawn: tuple[FrameworkSpec, dict[str, LeafInput]],
) -> None:
    spec, inputs = drawn
    result = score(compile_tree(spec), inputs)
    assert result.ok
    nodes = result.nodes
    for code, node in nodes.items():
        parts = [c for c in nodes if c.rsplit(".", 1)[0] == code and "." in c]
        if parts:
            assert Fraction(node.points) == sum(Fraction(nodes[c].points) for c in parts)
        assert 0 <= node.points <= node.max
    domains = [c for c in nodes if "." not in c]
    assert Fraction(result.total) == sum(Fraction(nodes[c].points) for c in domains)
    assert result.max == spec.declared_total
    assert set(result.missing) == {c for c, n in nodes.items() if n.is_leaf} - set(inputs)
