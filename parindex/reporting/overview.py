"""A round at a glance: who submitted, each target across agencies, the province values.

The number of queries is fixed, whatever the number of agencies: everything is fetched in a
few set-wise queries and grouped in Python.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count

from parindex.lib.collation import sort_key
from parindex.plans.models import Quantity, Target
from parindex.reporting import lights, progress
from parindex.reporting.actions import state_on
from parindex.reporting.models import Item, Report, Round, Value


@dataclass
class QuantityRow:
    quantity: Quantity
    aggregate: progress.Aggregate
    light: progress.Light
    by_agency: list[tuple[Report, Value]] = field(default_factory=list)


@dataclass
class TargetRow:
    target: Target
    quantities: list[QuantityRow]
    items: list[Item]
    light: progress.Light
    statuses: dict[str, int]


@dataclass
class Overview:
    round: Round
    reports: list[Report]
    states: dict[int, str]  # report id → draft/submitted/returned/accepted/late/missing
    counts: dict[str, int]
    targets: list[TargetRow]


def build(round_: Round, *, today: date, reports: list[Report] | None = None) -> Overview:
    """`reports` (already access-filtered) limits the agencies taken into account."""
    if reports is None:
        reports = list(
            round_.reports.select_related("agency").annotate(
                evidence_count=Count("items__evidence")
            )
        )
    report_ids = {r.pk for r in reports}
    by_report = {r.pk: r for r in reports}
    states = {r.pk: state_on(r, today) for r in reports}
    counts: dict[str, int] = defaultdict(int)
    for state in states.values():
        counts[state] += 1
    targets = list(round_.plan.targets.order_by("position"))
    quantities: dict[int, list[Quantity]] = defaultdict(list)
    for quantity in Quantity.objects.filter(target__plan=round_.plan).order_by("position"):
        quantities[quantity.target_id].append(quantity)
    items: dict[int, list[Item]] = defaultdict(list)
    for item in Item.objects.filter(report__round=round_, report_id__in=report_ids):
        item.report = by_report[item.report_id]
        items[item.target_id].append(item)
    # Agencies in Vietnamese alphabetical order, which no database ORDER BY gives.
    agency_keys = {r.pk: (sort_key(r.agency.name), r.pk) for r in reports}
    for listed in items.values():
        listed.sort(key=lambda i: agency_keys[i.report_id])
    values: dict[int, list[Value]] = defaultdict(list)
    for value in Value.objects.filter(
        item__report__round=round_, item__report_id__in=report_ids
    ).select_related("item"):
        values[value.quantity_id].append(value)
    elapsed = lights.elapsed_of(round_)
    rows = []
    for target in targets:
        target_items = items.get(target.pk, [])
        if not target_items:
            continue
        quantity_rows = []
        for quantity in quantities.get(target.pk, []):
            counted = [
                v
                for v in values.get(quantity.pk, [])
                if by_report[v.item.report_id].status != "draft"
            ]
            aggregate = progress.aggregate(
                ((v.numerator, v.denominator) for v in counted), is_rate=quantity.unit == "percent"
            )
            quantity_rows.append(
                QuantityRow(
                    quantity,
                    aggregate,
                    lights.quantity_light(quantity, aggregate.value, elapsed),
                    [(by_report[v.item.report_id], v) for v in values.get(quantity.pk, [])],
                )
            )
        statuses: dict[str, int] = defaultdict(int)
        for item in target_items:
            if item.status and item.report.status != "draft":
                statuses[item.status] += 1
        light = lights.target_light([q.light for q in quantity_rows], statuses)
        rows.append(TargetRow(target, quantity_rows, target_items, light, dict(statuses)))
    return Overview(round_, reports, states, dict(counts), rows)


def value_text(value: Decimal | None) -> str:
    return "" if value is None else format(value.quantize(Decimal("0.01")).normalize(), "f")
