"""A self-assessment save that rescores its unit: queries and time per save.

    .venv/bin/python -m bench.assessment_save [--leaves 100] [--saves 40]

Imports the scoring benchmark's tree of 100 sub-criteria (`bench.scoring.tree_spec`) as a
province's criteria tree, opens a 2020 assessment of the province's departments (one
department), and saves the department's self-assessment through `assessment.actions.save_entries`
the way the screen and the API do, each save checking the inputs, writing the entries, rescoring
the unit with the engine, caching every node's points and recording the change in the audit
trail:

- **one entry** per save, as a person types (`--saves` saves, each changing one sub-criterion);
- **every entry** in one save (the first fill of a unit, or an import).

It prints the queries of one save (the same for both: a save does not grow with what it
changes), and the median and best wall and CPU time per save. The database is thrown away, as
in `bench.scoring`. Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from time import perf_counter, process_time
from typing import TYPE_CHECKING, Any

from bench.harness import django_benchmark
from bench.scoring import LEAVES, tree_spec
from parindex.methodology.tree import FrameworkSpec, Scoring, Unit

if TYPE_CHECKING:
    from parindex.assessment.actions import EntryInput
    from parindex.assessment.models import AssessedUnit

SAVES = 40


@dataclass(frozen=True)
class Saves:
    """Wall and CPU seconds of each save, and the queries of each."""

    wall: list[float]
    cpu: list[float]
    queries: list[int]


@dataclass(frozen=True)
class Result:
    leaves: int
    one: Saves  # saves of one entry each
    every: Saves  # saves of every entry


def entry_input(node_scoring: str, unit: str, labels: list[str], turn: int) -> EntryInput:
    """A plausible input for a leaf, varied by `turn` so that every save changes something."""
    from parindex.assessment.actions import EntryInput

    if node_scoring == Scoring.CATEGORICAL:
        return EntryInput(band=labels[turn % len(labels)])
    if unit == Unit.COUNT:
        return EntryInput(value=Decimal(turn % 6))
    denominator = 200
    return EntryInput(
        numerator=Decimal(denominator - 7 * (turn % 20)), denominator=Decimal(denominator)
    )


def prepare(spec: FrameworkSpec) -> AssessedUnit:
    from parindex.assessment import actions
    from parindex.methodology import actions as methodology
    from parindex.methodology.tree import ImportResult
    from parindex.orgs import actions as orgs
    from parindex.orgs.models import OrgKind

    province = orgs.create_province(
        by=None, name="Tỉnh Đo Hiệu Năng", code="bench-province", valid_from=date(2019, 1, 1)
    )
    orgs.create_organisation(
        by=None,
        province=province,
        kind=OrgKind.DEPARTMENT,
        name="Sở Đo Hiệu Năng",
        code="bench-department",
        parent=province,
        valid_from=date(2019, 1, 1),
    )
    framework = methodology.import_framework(ImportResult(spec), by=None, province=province)
    if not framework.is_valid:
        raise AssertionError(f"the benchmark tree is not valid: {framework.problems}")
    assessment = actions.open_assessment(
        province,
        by=None,
        framework=framework,
        year=2020,
        scope="departments",
        deadline=date(2021, 1, 15),
    )
    unit = assessment.units.get()
    return unit


def _save(unit_pk: int, entries: dict[str, EntryInput]) -> tuple[float, float, int]:
    """Save `entries` as the screen does (the unit read, then `save_entries`); the save alone is
    measured."""
    from parindex.assessment import actions
    from parindex.assessment.models import AssessedUnit

    unit = AssessedUnit.objects.select_related("assessment", "organisation").get(pk=unit_pk)
    result: list[dict[str, str]] = []

    def save() -> None:
        _saved, errors = actions.save_entries(unit, by=None, version=unit.version, entries=entries)
        result.append(errors)

    figures = timed(save)
    if result[0]:
        raise AssertionError(result[0])
    return figures


def timed(action: Callable[[], Any]) -> tuple[float, float, int]:
    from django.db import connection

    queries = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        start, start_cpu = perf_counter(), process_time()
        action()
        return perf_counter() - start, process_time() - start_cpu, queries[0]


def run(leaves: int = LEAVES, saves: int = SAVES) -> Result:
    spec = tree_spec(leaves)
    unit = prepare(spec)
    leaf_nodes = [n for n in spec.nodes if n.scoring != Scoring.NONE]
    labels = {n.code: [b.label for b in n.bands] for n in leaf_nodes}

    def everything(turn: int) -> dict[str, EntryInput]:
        return {
            n.code: entry_input(n.scoring, n.unit, labels[n.code], turn + i)
            for i, n in enumerate(leaf_nodes)
        }

    every = Saves([], [], [])
    current: dict[str, EntryInput] = {}
    for turn in range(3):  # the first fill, then two more of every entry
        entries = everything(turn)
        current.update(entries)
        wall, cpu, queries = _save(unit.pk, entries)
        every.wall.append(wall)
        every.cpu.append(cpu)
        every.queries.append(queries)
    one = Saves([], [], [])
    for turn in range(saves):
        node = leaf_nodes[(turn * 7) % len(leaf_nodes)]
        # A value other than the stored one: a save that changes nothing writes nothing.
        shift = 1
        while (typed := entry_input(node.scoring, node.unit, labels[node.code], turn + shift)) == (
            current[node.code]
        ):
            shift += 1
        current[node.code] = typed
        wall, cpu, queries = _save(unit.pk, {node.code: typed})
        one.wall.append(wall)
        one.cpu.append(cpu)
        one.queries.append(queries)
    return Result(leaves, one, every)


def _ms(value: float) -> str:
    return f"{value * 1000:.1f} ms"


def table(result: Result) -> str:
    rows = [["save", "saves", "queries per save", "median wall", "best wall", "median cpu"]]
    for name, saves in (
        ("one entry changed", result.one),
        (f"every entry ({result.leaves}) changed", result.every),
    ):
        queries = sorted(set(saves.queries))
        rows.append(
            [
                name,
                str(len(saves.wall)),
                "–".join(str(q) for q in (queries[0], queries[-1]))
                if len(queries) > 1
                else str(queries[0]),
                _ms(statistics.median(saves.wall)),
                _ms(min(saves.wall)),
                _ms(statistics.median(saves.cpu)),
            ]
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = [
        "| "
        + " | ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )
        + " |"
        for row in rows
    ]
    rule = (
        "|"
        + "|".join("-" * (w + 2) if i == 0 else "-" * (w + 1) + ":" for i, w in enumerate(widths))
        + "|"
    )
    lines.insert(1, rule)
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.assessment_save", description=__doc__)
    parser.add_argument("--leaves", type=int, default=LEAVES, help="sub-criteria of the tree")
    parser.add_argument("--saves", type=int, default=SAVES, help="saves of one entry")
    args = parser.parse_args(argv)
    with django_benchmark("Assessment save benchmark"):
        result = run(args.leaves, args.saves)
        print(f"one unit on a tree of {result.leaves} sub-criteria\n", flush=True)
        print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
