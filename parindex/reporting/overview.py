"""A round at a glance: who submitted, each target across agencies, the province values.

The number of queries is fixed, whatever the number of agencies: everything is fetched in a
few set-wise queries and grouped in Python.

Two readings: `summarise` (one line per target: province values, light, how many agencies are
in each state; for the overview screen, whose per-agency detail is `target_detail`, asked for one
target at a time) and `build` (every agency's item and value under every target; for the
consolidated documents, which list them all). Both judge a quantity and a target through
`lights.quantity_light` and `lights.target_light`, so the screen and the documents show the
same lights.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from parindex.lib.collation import sort_key
from parindex.plans.models import Quantity, Target
from parindex.reporting import lights, progress
from parindex.reporting.actions import state_on
from parindex.reporting.models import Evidence, Item, Report, ReportStatus, Round, Value

# Report states in which an agency has reported: its values count in the province's.
REPORTED_STATES = ("submitted", "accepted", "returned", "late")


def quantity_aggregate(
    quantity: Quantity, pairs: list[tuple[Decimal | None, Decimal | None]]
) -> progress.Aggregate:
    return progress.aggregate(pairs, is_rate=quantity.unit == "percent")


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
            aggregate = quantity_aggregate(
                quantity, [(v.numerator, v.denominator) for v in counted]
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


# --- the summary: one line per target ------------------------------------------------------------


@dataclass
class QuantitySummary:
    quantity: Quantity
    aggregate: progress.Aggregate
    light: progress.Light


@dataclass
class TargetSummary:
    target: Target
    quantities: list[QuantitySummary]
    light: progress.Light
    statuses: dict[str, int]  # progress reported → agencies (reported items only)
    states: dict[str, int]  # report state → agencies asked to report on the target

    @property
    def agencies(self) -> int:
        return sum(self.states.values())

    @property
    def reported(self) -> int:
        return sum(self.states.get(state, 0) for state in REPORTED_STATES)


@dataclass
class Summary:
    round: Round
    reports: list[Report]
    states: dict[int, str]  # report id → state
    counts: dict[str, int]  # state → reports
    targets: list[TargetSummary]


def summarise(
    round_: Round,
    *,
    today: date,
    reports: list[Report],
) -> Summary:
    """One line per target, from the round's `reports` the reader may see (already read
    through `access.reports_for`): four queries whatever the agencies.

    Only the few columns the lines need are read (no model per item or value), and items are
    counted per target, report status and progress in the database. Each target comes with
    its content area."""
    for report in reports:
        report.round = round_  # state_on reads the deadline: no query per report
    states = {r.pk: state_on(r, today) for r in reports}
    counts: dict[str, int] = defaultdict(int)
    for state in states.values():
        counts[state] += 1
    # Only the columns a line shows (a target's `periods` JSON is not read for nothing).
    targets = list(
        round_.plan.targets.select_related("area")
        .only("plan_id", "area", "text", "position")
        .order_by("position")
    )
    report_ids = [r.pk for r in reports]
    items = Item.objects.filter(report_id__in=report_ids)
    values = Value.objects.filter(item__report_id__in=report_ids)
    quantities: dict[int, list[Quantity]] = defaultdict(list)
    for quantity in Quantity.objects.filter(target__plan=round_.plan).order_by("position"):
        quantities[quantity.target_id].append(quantity)
    elapsed = lights.elapsed_of(round_)
    # A report's state follows from its status and lateness (the round's deadline is shared).
    state_of: dict[tuple[str, bool], str] = {}
    by_target: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    statuses: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    grouped = (
        items.values_list("target_id", "report__status", "report__late", "status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for target_id, report_status, late, status, n in grouped:
        if (report_status, late) not in state_of:
            report = Report(round=round_, status=report_status, late=late)
            state_of[report_status, late] = state_on(report, today)
        state = state_of[report_status, late]
        by_target[target_id][state] += n
        if status and report_status != ReportStatus.DRAFT:
            statuses[target_id][status] += n
    # The sums `progress.aggregate` makes, made by the database: one row per quantity instead
    # of one per agency and quantity (a pair counts only when both of its numbers are there).
    # On SQLite a fractional count is stored as a float and summed as one; Django brings the
    # sum back to the column's 4 decimal places, exact for any count a report holds.
    pair = Q(numerator__isnull=False, denominator__isnull=False)
    sums = {
        row["quantity_id"]: row
        for row in values.exclude(item__report__status=ReportStatus.DRAFT)
        .values("quantity_id")
        .annotate(
            pairs=Count("pk", filter=pair),
            pair_numerator=Sum("numerator", filter=pair),
            pair_denominator=Sum("denominator", filter=pair),
            numbers=Count("numerator"),
            numerator=Sum("numerator"),
        )
        .order_by()
    }
    rows = []
    for target in targets:
        if target.pk not in by_target:
            continue
        quantity_rows = []
        for quantity in quantities.get(target.pk, []):
            aggregate = _summed(quantity, sums.get(quantity.pk))
            quantity_rows.append(
                QuantitySummary(
                    quantity, aggregate, lights.quantity_light(quantity, aggregate.value, elapsed)
                )
            )
        target_statuses = dict(statuses.get(target.pk, {}))
        rows.append(
            TargetSummary(
                target,
                quantity_rows,
                lights.target_light([q.light for q in quantity_rows], target_statuses),
                target_statuses,
                dict(by_target[target.pk]),
            )
        )
    return Summary(round_, reports, states, dict(counts), rows)


def _summed(quantity: Quantity, sums: dict[str, Any] | None) -> progress.Aggregate:
    """`progress.aggregate` of a quantity's values, from the database's sums."""
    if quantity.unit == "percent":
        if not sums or not sums["pairs"]:
            return progress.Aggregate(Decimal(0), Decimal(0), 0)
        return progress.Aggregate(sums["pair_numerator"], sums["pair_denominator"], sums["pairs"])
    if not sums or not sums["numbers"]:
        return progress.Aggregate(Decimal(0), None, 0)
    return progress.Aggregate(sums["numerator"], None, sums["numbers"])


# --- one target's agencies ---------------------------------------------------------------------


@dataclass
class AgencyLine:
    report: Report
    state: str
    item: Item
    values: list[Value | None]  # in the order of the target's quantities
    evidence: list[Evidence]


@dataclass
class TargetDetail:
    target: Target
    quantities: list[Quantity]
    lines: list[AgencyLine]


def target_detail(
    round_: Round,
    target: Target,
    *,
    today: date,
    items: QuerySet[Item],
    values: QuerySet[Value],
    evidence: QuerySet[Evidence],
) -> TargetDetail:
    """Every agency's line on one target: its report's state, its values, its evidence files,
    from access-filtered querysets; four queries whatever the agencies."""
    quantities = list(target.quantities.order_by("position"))
    lines_items = list(
        items.filter(report__round=round_, target=target)
        .select_related("report__agency")
        .order_by("report__agency__name", "pk")
    )
    item_ids = [item.pk for item in lines_items]
    by_item: dict[int, dict[int, Value]] = defaultdict(dict)
    for value in values.filter(item_id__in=item_ids):
        by_item[value.item_id][value.quantity_id] = value
    files: dict[int, list[Evidence]] = defaultdict(list)
    for file in evidence.filter(item_id__in=item_ids).order_by("uploaded_at"):
        files[file.item_id].append(file)
    lines = []
    for item in lines_items:
        item.report.round = round_  # state_on reads the deadline
        found = by_item.get(item.pk, {})
        lines.append(
            AgencyLine(
                item.report,
                state_on(item.report, today),
                item,
                [found.get(q.pk) for q in quantities],
                files.get(item.pk, []),
            )
        )
    return TargetDetail(target, quantities, lines)
