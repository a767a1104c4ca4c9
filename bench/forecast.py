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

With `--dossiers FILE` (a file of bench.dossiers_gen, three years of a province's dossiers), the
full province's one-stop-shop store holds that file with its dates moved so that its last year
is the plan's (2020): the dossier-fed sub-criteria are then computed from a province-sized year
of records; the first dashboard after an import pays the engine pass, the timed runs read the
figures kept for the store's contents.

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


def load_dossiers(setup: Province, path: Path) -> float:
    """Import the generated dossiers into the province's store, their dates moved by whole
    years so that the last year is the plan's; returns the seconds the first forecast took
    with them (the engine pass, before anything is kept)."""
    from time import perf_counter

    import duckdb

    from parindex.dossiers import importing
    from parindex.dossiers.reading import store_for
    from parindex.forecasting import gather

    shift = 2024 - setup.plan.year
    moved = path.with_name(f"{path.stem}-{setup.plan.year}.parquet")
    if not moved.exists():
        dates = ("ngay_tiep_nhan", "ngay_hen_tra", "ngay_ket_thuc_xu_ly")
        replace = ", ".join(f"CAST({c} AS DATE) - INTERVAL {shift} YEAR AS {c}" for c in dates)
        with duckdb.connect() as con:
            con.execute(
                f"COPY (SELECT * REPLACE ({replace}) FROM read_parquet('{path}')) "
                f"TO '{moved}' (FORMAT parquet)"
            )
    from parindex.dossiers.store import connect

    with connect() as con:
        names = importing.read_file(con, moved)
        importing.stage(con, names, source="bench", import_run=1)
        store_for(setup.province).merge(con, "_staged")
    started = perf_counter()
    gather.build(setup.province, setup.plan.year)
    return perf_counter() - started


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


def run(scale: Scale, code: str, repeat: int, dossiers: Path | None = None) -> dict[str, Figure]:
    from parindex.benchmark.actions import load_published_results
    from parindex.benchmark.models import ResultYear

    setup = prepare(scale, code)
    if dossiers is not None:
        first = load_dossiers(setup, dossiers)
        print(f"first forecast after the dossier import: {first * 1000:.0f} ms")
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
    parser.add_argument(
        "--dossiers", type=Path, help="a bench.dossiers_gen file for the full province's store"
    )
    options = parser.parse_args(argv)
    with django_benchmark("forecast and dashboard", test_environment=True):
        baseline = run(BASELINE, "tinh-nho", options.repeat)
        full = run(FULL, "tinh-lon", options.repeat, options.dossiers)
        print(table(baseline, full))
    return 0


if __name__ == "__main__":
    sys.exit(main())
