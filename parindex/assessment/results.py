"""Results of an assessment from plain rows: totals, domains, points lost, ranking, classes,
comparison with last year. No Django here, so the screens, the API, the exports and the command
line all compute the same thing (`reading.results_of` builds the rows from the database).

Ranking is by the final total as published, rounded half-up to 2 decimals; units with the same
published total share a rank and the next rank skips (1, 2, 2, 4). A unit's class is the first
of the assessment's classes (best first) whose lower bound, in percent of the tree's maximum
total, its final total reaches.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from parindex.lib.collation import sort_key
from parindex.lib.numbers import round_half_up


@dataclass(frozen=True)
class NodeInfo:
    code: str
    name: str
    max_points: Decimal
    depth: int
    leaf: bool


@dataclass(frozen=True)
class UnitRow:
    unit_id: int
    organisation_id: int
    name: str
    status: str
    self_points: Mapping[str, Decimal]  # every node
    appraised_points: Mapping[str, Decimal]  # the nodes with something appraised under them
    final_points: Mapping[str, Decimal]  # every node
    self_total: Decimal
    appraised_total: Decimal | None
    final_total: Decimal


@dataclass(frozen=True)
class ClassBand:
    label: str
    minimum: Decimal  # percent of the tree's maximum total, inclusive


@dataclass(frozen=True)
class DomainScore:
    code: str
    name: str
    max_points: Decimal
    self_points: Decimal
    appraised_points: Decimal | None
    final_points: Decimal


@dataclass(frozen=True)
class PointsLost:
    code: str
    name: str
    max_points: Decimal
    final_points: Decimal
    lost: Decimal


@dataclass(frozen=True)
class UnitResult:
    unit_id: int
    organisation_id: int
    name: str
    status: str
    rank: int
    self_total: Decimal
    appraised_total: Decimal | None
    final_total: Decimal
    percent: Decimal  # final total in percent of the tree's maximum
    classification: str
    domains: list[DomainScore]
    lost: list[PointsLost]  # leaves that did not get their maximum, most points lost first
    previous_total: Decimal | None = None  # last year's final total of the same tree and unit
    change: Decimal | None = None


@dataclass(frozen=True)
class Results:
    maximum: Decimal
    units: list[UnitResult] = field(default_factory=list)  # in rank order


def classify(percent: Decimal, classes: Sequence[ClassBand]) -> str:
    for band in classes:
        if percent >= band.minimum:
            return band.label
    return ""


def ranks(totals: Sequence[Decimal]) -> list[int]:
    """Competition ranks of `totals` (highest first) as published: 1, 2, 2, 4."""
    shown = [round_half_up(t) for t in totals]
    return [1 + sum(1 for other in shown if other > mine) for mine in shown]


def compute(
    nodes: Sequence[NodeInfo],
    rows: Sequence[UnitRow],
    classes: Sequence[ClassBand],
    previous: Mapping[int, Decimal] | None = None,
) -> Results:
    """The results of `rows` on the tree `nodes`; `previous` maps an organisation id to its
    final total in last year's assessment of the same tree."""
    domains = [n for n in nodes if n.depth == 1]
    leaves = [n for n in nodes if n.leaf]
    maximum = sum((d.max_points for d in domains), Decimal(0))
    ordered = sorted(classes, key=lambda c: -c.minimum)
    rank_of = ranks([r.final_total for r in rows])
    results: list[UnitResult] = []
    for row, rank in zip(rows, rank_of, strict=True):
        percent = row.final_total * 100 / maximum if maximum else Decimal(0)
        lost = [
            PointsLost(
                code=leaf.code,
                name=leaf.name,
                max_points=leaf.max_points,
                final_points=row.final_points.get(leaf.code, Decimal(0)),
                lost=leaf.max_points - row.final_points.get(leaf.code, Decimal(0)),
            )
            for leaf in leaves
        ]
        before = (previous or {}).get(row.organisation_id)
        results.append(
            UnitResult(
                unit_id=row.unit_id,
                organisation_id=row.organisation_id,
                name=row.name,
                status=row.status,
                rank=rank,
                self_total=row.self_total,
                appraised_total=row.appraised_total,
                final_total=row.final_total,
                percent=percent,
                classification=classify(percent, ordered),
                domains=[
                    DomainScore(
                        code=d.code,
                        name=d.name,
                        max_points=d.max_points,
                        self_points=row.self_points.get(d.code, Decimal(0)),
                        appraised_points=row.appraised_points.get(d.code),
                        final_points=row.final_points.get(d.code, Decimal(0)),
                    )
                    for d in domains
                ],
                lost=sorted((p for p in lost if p.lost > 0), key=lambda p: -p.lost),
                previous_total=before,
                change=None if before is None else row.final_total - before,
            )
        )
    # Shared ranks list their units in Vietnamese alphabetical order.
    results.sort(key=lambda r: (r.rank, sort_key(r.name)))
    return Results(maximum=maximum, units=results)
