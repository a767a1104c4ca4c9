"""The scoring benchmark at a tiny scale, so that it cannot rot (no timing is checked)."""

from __future__ import annotations

from bench import scoring


def test_the_scoring_benchmark_agrees_with_its_baseline_on_a_small_tree(db: None) -> None:
    result = scoring.run(units=4, leaves=12, repeat=1)
    assert (result.units, result.leaves) == (4, 12)
    assert len([n for n in scoring.tree_spec(12).nodes if n.scoring]) == 12
    # The baseline asks per node; the engine reads the tree once (its nodes, then its bands).
    assert result.baseline.queries > 4 * 12
    assert result.engine.queries == 2
    assert "engine faster" in scoring.table(result)


def test_the_benchmark_tree_has_one_hundred_sub_criteria_of_every_kind() -> None:
    spec = scoring.tree_spec()
    leaves = [n for n in spec.nodes if n.scoring]
    assert len(leaves) == 100 and spec.declared_total == 100
    assert {n.scoring for n in leaves} == {"categorical", "ranges", "proportional"}
    assert {n.unit for n in leaves if n.scoring == "ranges"} == {"percent", "count"}
