"""The assessment-save benchmark at a tiny scale, so that it cannot rot (no timing is checked)."""

from __future__ import annotations

from bench import assessment_save


def test_a_save_costs_the_same_queries_whether_it_changes_one_entry_or_all(db: None) -> None:
    result = assessment_save.run(leaves=12, saves=3)
    assert result.leaves == 12
    assert len(result.one.wall) == 3 and len(result.every.wall) == 3
    # The first fill and every later save cost the same fixed number of queries.
    assert len(set(result.one.queries + result.every.queries)) == 1
    assert "queries per save" in assessment_save.table(result)
