"""The survey benchmark's builder and both computations, run tiny so that the benchmark cannot
rot. The pandas baseline is checked only where pandas is installed (`make bench-surveys`
installs it; `make test` does not need it). No timing is checked."""

from __future__ import annotations

import pytest
from django.db import connection

from bench import surveys as bench
from parindex.surveys.models import Answer, Response


def test_the_benchmark_builds_a_survey_and_computes_every_cell(db: None) -> None:
    survey_id = bench.build(400, 6, seed=7)
    assert Response.objects.filter(survey_id=survey_id).count() == 400
    answers = Answer.objects.filter(response__survey_id=survey_id).count()
    assert 5 * 400 <= answers <= 6 * 400
    figures = bench.project(survey_id)
    # 6 agencies × 5 factors every response answers × (4 quarters + the whole survey), and
    # feedback where someone gave some; the province per factor × period.
    assert 6 * 5 * 5 < len(figures["rows"]) <= 6 * 6 * 5
    assert len(figures["province"]) == 6 * 5
    whole = sum(v[0] for k, v in figures["rows"].items() if k.endswith("|all"))
    assert whole == answers
    assert bench.differences(figures, figures) == []


def test_a_difference_between_the_computations_is_named() -> None:
    ours = {"rows": {"a|staff|all": [3, 2, "0.6666", "0.2", "0.9", "4"]}, "province": {}}
    theirs = {"rows": {"a|staff|all": [3, 1, 0.6666, 0.2, 0.9, 4.0]}, "province": {}}
    assert bench.differences(ours, theirs) == ["rows a|staff|all[1]: 2 != 1"]


def test_pandas_gives_the_same_figures(db: None) -> None:
    pytest.importorskip("pandas")
    if connection.vendor != "sqlite":
        pytest.skip("the benchmark measures on SQLite; its baseline reads the SQLite file")
    survey_id = bench.build(300, 4, seed=3)
    assert bench.differences(bench.project(survey_id), bench.baseline(survey_id)) == []
