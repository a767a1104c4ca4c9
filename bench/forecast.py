"""The year's forecast and the leaders' dashboard at province scale.

    .venv/bin/python -m bench.forecast [--repeat 5]

Builds the reporting benchmark's province (bench.reporting_round: 179 agencies, a plan of 60
targets), matches its plan to the illustrative 100-point tree with every measurable target
confirmed on a sub-criterion in its unit, opens quarter II, fills and submits every report, and
loads the published national results. Then, as the province's coordinator, it measures: the
forecast itself (`gather.build`), the dashboard page, the points at stake by agency, a what-if
(htmx POST) and the forecast API; and a trivial page (the account page) in the same run as the
baseline, each with its SQL queries and its ratio to the trivial page. The same is measured for
the 1/10 province (18 agencies, the same 60 targets), to show what grows with the agencies.

The database is thrown away (bench.harness). Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from bench.harness import django_benchmark
from bench.reporting_round import (
    BASELINE,
    FULL,
    Figure,
    Province,
    Scale,
    build,
    inputs_for,
    measure,
)

ILLUSTRATIVE = (
    Path(__file__).resolve().parents[1]
    / "parindex"
    / "methodology"
    / "data"
    / "demo-lao-cai-2020-illustrative.yaml"
)


def prepare(scale: Scale, code: str) -> Province:
    """The province with its round reported and its plan linked to the tree."""
    from parindex.methodology import actions as criteria_actions
    from parindex.methodology.importing import read_tree
    from parindex.plans.models import Plan, Quantity, TargetNode
    from parindex.reporting import actions
    from parindex.reporting.models import PeriodKind

    setup = build(scale, code)
    framework = criteria_actions.import_framework(
        read_tree(ILLUSTRATIVE.read_bytes(), ILLUSTRATIVE.name), by=None, province=setup.province
    )
    Plan.objects.filter(pk=setup.plan.pk).update(framework=framework)
    setup.plan.refresh_from_db()
    leaves = list(
        framework.nodes.filter(children__isnull=True).exclude(unit="").order_by("position")
    )
    by_unit = {
        unit: [n for n in leaves if n.unit == unit and n.method == "self"]
        for unit in ("percent", "count")
    }
    links = []
    for i, (target_id, unit) in enumerate(
        Quantity.objects.filter(target__plan=setup.plan)
        .order_by("target__position", "position")
        .values_list("target_id", "unit")
    ):
        candidates = by_unit.get(unit) or []
        if candidates:
            node = candidates[i % len(candidates)]
            links.append(TargetNode(target_id=target_id, node=node, confirmed=True))
    TargetNode.objects.bulk_create(links, ignore_conflicts=True)
    round_ = actions.open_round(
        setup.plan,
        by=setup.coordinator,
        kind=PeriodKind.QUARTER,
        number=2,
        deadline=date(2020, 7, 10),
        notify=False,
    )
    inputs = inputs_for(round_)
    for report in round_.reports.all():
        saved, errors = actions.save_report(
            report, by=None, version=report.version, items=inputs.get(report.pk, {})
        )
        if errors:
            raise RuntimeError(f"{report}: {errors}")
        actions.submit_report(saved, by=None)
    return setup


def steps(setup: Province) -> dict[str, Callable[[], Any]]:
    from django.test import Client

    from parindex.forecasting import gather

    client = Client()
    client.force_login(setup.coordinator)
    province, year = setup.province, setup.plan.year
    base = f"/forecast/{province.pk}/{year}/"
    stake = gather.build(province, year).result.stakes[0].code

    def get(url: str) -> Callable[[], int]:
        def run() -> int:
            response = client.get(url)
            if response.status_code != 200:
                raise RuntimeError(f"GET {url}: {response.status_code}")
            return len(response.content)

        return run

    def what_if() -> int:
        response = client.post(
            base + "what-if/run/", {f"v:{stake}": "100"}, headers={"HX-Request": "true"}
        )
        if response.status_code != 200:
            raise RuntimeError(f"what-if: {response.status_code}")
        return len(response.content)

    return {
        "trivial page (account)": get("/account/"),
        "forecast (gather.build)": lambda: gather.build(province, year),
        "dashboard page": get(base),
        "points at stake by agency": get(base + "stakes/"),
        "what-if (htmx POST)": what_if,
        "forecast API": get(f"/api/forecast?province={province.code}&year={year}"),
    }


def run(scale: Scale, code: str, repeat: int) -> dict[str, Figure]:
    from parindex.benchmark.actions import load_published_results
    from parindex.benchmark.models import ResultYear

    setup = prepare(scale, code)
    if not ResultYear.objects.exists():
        load_published_results(by=None)
    found = steps(setup)
    for action in found.values():  # warm: sessions, caches, templates
        action()
    return {name: measure(action, repeat=repeat) for name, action in found.items()}


def table(baseline: dict[str, Figure], full: dict[str, Figure]) -> str:
    trivial = full["trivial page (account)"].seconds
    lines = [
        f"| step | {BASELINE.agencies} agencies: ms | queries | {FULL.agencies} agencies: ms "
        "| queries | × trivial page |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for name, figure in full.items():
        small = baseline[name]
        lines.append(
            f"| {name} | {small.seconds * 1000:.1f} | {small.queries} | "
            f"{figure.seconds * 1000:.1f} | {figure.queries} | {figure.seconds / trivial:.1f} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--repeat", type=int, default=5, help="best of N timed runs")
    options = parser.parse_args(argv)
    with django_benchmark("forecast and dashboard", test_environment=True):
        baseline = run(BASELINE, "tinh-nho", options.repeat)
        full = run(FULL, "tinh-lon", options.repeat)
        print(table(baseline, full))
    return 0


if __name__ == "__main__":
    sys.exit(main())
