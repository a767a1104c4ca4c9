"""The round benchmark's builder and steps, run at a tiny scale so that the benchmark cannot rot."""

from __future__ import annotations

from bench import reporting_round
from parindex.reporting.models import Report, ReportStatus


def test_the_round_benchmark_builds_fills_and_reads_a_tiny_province(db: None) -> None:
    scale = reporting_round.TINY
    result = reporting_round.run(scale, "bench-tiny", repeat=1)
    reports = Report.objects.filter(round__plan__province__code="bench-tiny")
    # Every responsible agency reported, through the actions, and submitted.
    assert result.sizes["reports"] == scale.agencies == reports.count()
    assert set(reports.values_list("status", flat=True)) == {ReportStatus.SUBMITTED}
    assert result.sizes["items"] >= scale.targets
    figures = result.figures
    assert all(figures[key] is not None for key in ("open", "save", "submit", "overview"))
    overview = figures["overview"]
    assert overview is not None and overview.queries == 7 and overview.peak_mb is not None
    table = reporting_round.table(result, result)
    for _key, label in reporting_round.STEPS:
        assert label in table
    assert reporting_round.describe(result).startswith("5 agencies")
