"""Rescoring every unit of an assessment: the engine against a per-node ORM walk.

    .venv/bin/python -m bench.scoring [--units 180] [--leaves 100] [--repeat 3]

Stores a tree of 100 sub-criteria (10 domains × 2 criteria × 5 sub-criteria; categorical,
percent ranges, count ranges and proportional leaves in turn) as methodology Framework / Node /
Band rows, draws the inputs of 180 units (a province's departments, districts and communes) in
memory, and rescores every unit two ways:

- **baseline**: the straightforward implementation, walking the tree with ORM queries per node
  (a node's children, a leaf's bands), as a model method would;
- **engine**: the tree read once (`store.spec_from_framework`) and compiled once
  (`engine.compile_tree`), then `engine.score` per unit.

It checks that both give every unit the same total (as published, to 2 decimals), then prints
the wall and CPU time per unit, the queries, and the ratio. The baseline runs once, the engine
`--repeat` times (the best counts). The database is thrown away: SQLite in a temporary
PARINDEX_VAR_DIR, migrated in process; or, when DATABASE_URL is set, a `test_` database created
beside it and dropped afterwards. Figures: docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from time import perf_counter, process_time
from typing import TYPE_CHECKING, Any

from bench.harness import django_benchmark
from parindex.lib.numbers import round_half_up
from parindex.methodology.tree import BandSpec, FrameworkSpec, Level, NodeSpec, Scoring, Unit
from parindex.scoring.engine import LeafInput

if TYPE_CHECKING:
    from parindex.methodology.models import Framework, Node

UNITS = 180
LEAVES = 100


# --- the tree and the inputs ---------------------------------------------------------------------


def tree_spec(leaves: int = LEAVES) -> FrameworkSpec:
    """A tree of `leaves` sub-criteria worth 1 point each: domains of 2 criteria of 5 parts."""
    D = Decimal
    nodes: list[NodeSpec] = []
    domains = max(1, -(-leaves // 10))
    made = 0
    for d in range(1, domains + 1):
        domain = NodeSpec(str(d), f"Lĩnh vực {d}", D(0))
        nodes.append(domain)
        for c in range(1, 3):
            criterion = NodeSpec(f"{d}.{c}", f"Tiêu chí {d}.{c}", D(0))
            nodes.append(criterion)
            for s in range(1, 6):
                if made == leaves:
                    break
                made += 1
                nodes.append(_leaf(f"{d}.{c}.{s}", made % 4))
                criterion.max_points += 1
            domain.max_points += criterion.max_points
    nodes = [n for n in nodes if n.max_points > 0]
    total = sum((n.max_points for n in nodes if "." not in n.code), D(0))
    return FrameworkSpec(
        name="Bộ tiêu chí đo hiệu năng",
        code="bench-scoring",
        level=Level.DEPARTMENT,
        declared_total=total,
        nodes=nodes,
    )


def _leaf(code: str, kind: int) -> NodeSpec:
    D = Decimal
    name = f"Tiêu chí thành phần {code}"
    if kind == 0:
        bands = [
            BandSpec("Thực hiện đầy đủ, đúng thời hạn", D(1)),
            BandSpec("Thực hiện chưa đầy đủ", D("0.5")),
            BandSpec("Không thực hiện", D(0)),
        ]
        return NodeSpec(code, name, D(1), scoring=Scoring.CATEGORICAL, bands=bands)
    if kind == 1:
        bands = [
            BandSpec("Đạt 100%", D(1), lower=D(100)),
            BandSpec("Từ 80% đến dưới 100%", D("0.5"), D(80), True, D(100), False),
            BandSpec("Dưới 80%", D(0), upper=D(80), upper_inclusive=False),
        ]
        return NodeSpec(code, name, D(1), scoring=Scoring.RANGES, unit=Unit.PERCENT, bands=bands)
    if kind == 2:
        bands = [
            BandSpec("Từ 3 trở lên", D(1), lower=D(3)),
            BandSpec("Từ 1 đến 2", D("0.5"), D(1), True, D(2), True),
            BandSpec("Không có", D(0), D(0), True, D(0), True),
        ]
        return NodeSpec(code, name, D(1), scoring=Scoring.RANGES, unit=Unit.COUNT, bands=bands)
    return NodeSpec(code, name, D(1), scoring=Scoring.PROPORTIONAL, unit=Unit.PERCENT)


def unit_inputs(spec: FrameworkSpec, units: int, seed: int = 2020) -> list[dict[str, LeafInput]]:
    """Plausible inputs per unit: most leaves entered, a few missing, rates as num/den."""
    rng = random.Random(seed)
    labels = {n.code: [b.label for b in n.bands] for n in spec.nodes}
    leaves = [n for n in spec.nodes if n.scoring != Scoring.NONE]
    result: list[dict[str, LeafInput]] = []
    for _ in range(units):
        inputs: dict[str, LeafInput] = {}
        for leaf in leaves:
            if rng.random() < 0.05:
                continue  # not entered yet
            if leaf.scoring == Scoring.CATEGORICAL:
                inputs[leaf.code] = LeafInput.choice(rng.choice(labels[leaf.code]))
            elif leaf.unit == Unit.COUNT:
                inputs[leaf.code] = LeafInput.number(rng.randint(0, 5))
            else:
                den = rng.randint(1, 400)
                inputs[leaf.code] = LeafInput.ratio(rng.randint(den * 6 // 10, den), den)
        result.append(inputs)
    return result


def store_tree(spec: FrameworkSpec) -> Framework:
    from parindex.methodology import store
    from parindex.methodology.models import Framework, FrameworkStatus

    framework = Framework.objects.create(
        name=spec.name,
        code=spec.code,
        level=spec.level.value,
        declared_total=spec.declared_total,
        status=FrameworkStatus.VALID,
    )
    store.write_nodes(framework, spec)
    return framework


# --- the two implementations -----------------------------------------------------------------


def naive_total(framework: Framework, inputs: dict[str, LeafInput]) -> Decimal:
    """The per-node ORM walk: each node asks for its children, each leaf for its bands."""
    from parindex.methodology.models import Node

    def node_points(node: Node) -> Decimal:
        children = list(node.children.order_by("position"))
        if children:
            return sum((node_points(child) for child in children), Decimal(0))
        entry = inputs.get(node.code)
        if entry is None:
            return Decimal(0)
        if node.scoring == Scoring.PROPORTIONAL:
            assert entry.numerator is not None and entry.denominator is not None
            return min(node.max_points, node.max_points * entry.numerator / entry.denominator)
        for band in node.bands.order_by("position"):
            if node.scoring == Scoring.CATEGORICAL:
                if entry.label is not None and band.label.casefold() == entry.label.casefold():
                    return band.points
                continue
            if entry.value is not None:
                value = entry.value
            else:
                assert entry.numerator is not None and entry.denominator is not None
                value = entry.numerator * 100 / entry.denominator
            if band.lower is not None and (
                value < band.lower or (value == band.lower and not band.lower_inclusive)
            ):
                continue
            if band.upper is not None and (
                value > band.upper or (value == band.upper and not band.upper_inclusive)
            ):
                continue
            return band.points
        return Decimal(0)

    roots = Node.objects.filter(framework=framework, parent=None).order_by("position")
    return sum((node_points(root) for root in roots), Decimal(0))


def baseline(framework: Framework, units: list[dict[str, LeafInput]]) -> list[Decimal]:
    return [naive_total(framework, inputs) for inputs in units]


def engine(framework: Framework, units: list[dict[str, LeafInput]]) -> list[Decimal]:
    from parindex.methodology import store
    from parindex.scoring.engine import compile_tree, score

    tree = compile_tree(store.spec_from_framework(framework))
    return [score(tree, inputs).total for inputs in units]


# --- measuring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figure:
    seconds: float  # wall time, best of the runs
    cpu: float  # this process's CPU time: steadier than wall time on a busy machine
    queries: int


def measure(action: Callable[[], Any], *, repeat: int) -> tuple[Figure, Any]:
    """The best wall and CPU time of `repeat` runs, the queries of one run, and its answer."""
    from django.db import connection

    queries = [0]

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        queries[0] += 1
        return execute(sql, params, many, context)

    best, best_cpu, answer, counted = float("inf"), float("inf"), None, 0
    for attempt in range(repeat):
        with connection.execute_wrapper(count):
            start, start_cpu = perf_counter(), process_time()
            answer = action()
            best = min(best, perf_counter() - start)
            best_cpu = min(best_cpu, process_time() - start_cpu)
        if attempt == 0:
            counted = queries[0]
    return Figure(best, best_cpu, counted), answer


@dataclass(frozen=True)
class Run:
    units: int
    leaves: int
    nodes: int
    baseline: Figure
    engine: Figure

    @property
    def ratio(self) -> float:
        return self.baseline.seconds / self.engine.seconds if self.engine.seconds else 0.0

    @property
    def cpu_ratio(self) -> float:
        return self.baseline.cpu / self.engine.cpu if self.engine.cpu else 0.0


def run(units: int = UNITS, leaves: int = LEAVES, *, repeat: int = 3) -> Run:
    spec = tree_spec(leaves)
    framework = store_tree(spec)
    inputs = unit_inputs(spec, units)
    # The baseline takes a minute at full scale: one run of it, the best of `repeat` for the
    # engine (its time is the smaller, so the ratio errs on the baseline's side).
    slow, slow_totals = measure(lambda: baseline(framework, inputs), repeat=1)
    fast, fast_totals = measure(lambda: engine(framework, inputs), repeat=repeat)
    # As published: the baseline divides in the default 28-digit context, the engine exactly.
    if [round_half_up(t) for t in slow_totals] != [round_half_up(t) for t in fast_totals]:
        raise AssertionError("the engine and the baseline disagree on a unit's total")
    return Run(units, leaves, len(spec.nodes), slow, fast)


def _per_unit(value: float, units: int) -> str:
    per = value / units
    return f"{per * 1_000_000:.0f} µs" if per < 0.001 else f"{per * 1000:.2f} ms"


def _seconds(value: float) -> str:
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def table(result: Run) -> str:
    rows = [
        ["implementation", "wall", "cpu", "wall per unit", "cpu per unit", "queries"],
        *(
            [
                name,
                _seconds(f.seconds),
                _seconds(f.cpu),
                _per_unit(f.seconds, result.units),
                _per_unit(f.cpu, result.units),
                str(f.queries),
            ]
            for name, f in (
                ("baseline: per-node ORM walk", result.baseline),
                ("engine: read + compile once, score per unit", result.engine),
            )
        ),
    ]
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
    lines.append("")
    lines.append(
        f"engine faster: {result.ratio:.0f}× (wall), {result.cpu_ratio:.0f}× (cpu); required ≥ 20×"
    )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scoring", description=__doc__)
    parser.add_argument("--units", type=int, default=UNITS, help="units rescored")
    parser.add_argument("--leaves", type=int, default=LEAVES, help="sub-criteria of the tree")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of the engine; the best time counts"
    )
    args = parser.parse_args(argv)
    with django_benchmark("Scoring benchmark"):
        result = run(args.units, args.leaves, repeat=args.repeat)
        print(
            f"{result.units} units on a tree of {result.leaves} sub-criteria "
            f"({result.nodes} nodes); both give every unit the same total\n",
            flush=True,
        )
        print(table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
