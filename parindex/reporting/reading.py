"""One read model of a report: its items, values, the previous period's values, evidence and
history, as one person may read them.

The report page, the API's report endpoint and the agency's export all read a report through
`read_report`, so what each shows is decided once: the previous period comes only from a report
the person may read (`access.reports_for`), the history only from entries they may read
(`access.history_of`). The query count does not grow with the number of items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Prefetch

from parindex.orgs import access
from parindex.orgs.models import AuditEntry
from parindex.plans.models import Quantity
from parindex.reporting.models import Evidence, Item, Report, Round, Value


@dataclass
class ValueReading:
    value: Value
    quantity: Quantity
    previous: Value | None  # the same quantity in the agency's report of the previous round

    @property
    def is_rate(self) -> bool:
        return self.quantity.unit == "percent"


@dataclass
class ItemReading:
    item: Item
    values: list[ValueReading]
    evidence: list[Evidence]
    previous: Item | None  # the same target in the agency's report of the previous round


@dataclass
class ReportReading:
    report: Report
    items: list[ItemReading]
    previous_round: Round | None
    history: list[AuditEntry] = field(default_factory=list)


def _values() -> Prefetch[Any]:
    return Prefetch(
        "values",
        queryset=Value.objects.select_related("quantity").order_by("quantity__position", "pk"),
    )


def previous_items(
    user: access.AnyUser, report: Report, previous_round: Round | None
) -> dict[int, Item]:
    """The agency's items of the previous round, by target, if the person may read that report.

    An appraiser who may not open an agency's draft does not see its figures here either."""
    if previous_round is None:
        return {}
    readable = access.reports_for(user).filter(round=previous_round, agency_id=report.agency_id)
    earlier = Item.objects.filter(report__in=readable).prefetch_related(_values())
    return {item.target_id: item for item in earlier}


def read_report(
    user: access.AnyUser,
    report: Report,
    *,
    only: int | None = None,
    history: bool = True,
    previous_round: Round | None = None,
) -> ReportReading:
    """The report as `user` reads it; `report` must come from `access.report_for`.

    `only` limits the items to one (a page fragment); `previous_round` may be given when the
    caller already looked it up."""
    if previous_round is None:
        previous_round = report.round.previous()
    evidence = Prefetch("evidence", queryset=Evidence.objects.select_related("uploaded_by"))
    items = report.items.select_related("target__area", "reviewed_by").prefetch_related(
        _values(), evidence
    )
    if only is not None:
        items = items.filter(pk=only)
    before = previous_items(user, report, previous_round)
    readings = []
    for item in items.order_by("position", "pk"):
        item.report = report
        earlier = before.get(item.target_id)
        earlier_values = {v.quantity_id: v for v in earlier.values.all()} if earlier else {}
        readings.append(
            ItemReading(
                item,
                [
                    ValueReading(value, value.quantity, earlier_values.get(value.quantity_id))
                    for value in item.values.all()
                ],
                list(item.evidence.all()),
                earlier,
            )
        )
    entries = list(access.history_of(user, report).select_related("actor")) if history else []
    return ReportReading(report, readings, previous_round, entries)
