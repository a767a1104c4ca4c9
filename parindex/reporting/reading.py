"""One read model of a report: its items, values, the previous period's values, evidence and
history, as one person may read them.

The report page, the API's report endpoint and the agency's export all read a report through
`read_report`, so what each shows is decided once (the lines that actions closing the gap added
to the report included, through `access.action_lines_for`): the previous period comes only from
a report the person may read (`access.reports_for`), the history only from entries they may read
(`access.history_of`). The query count does not grow with the number of items.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Prefetch

from parindex.methodology.models import Node
from parindex.orgs import access
from parindex.orgs.models import AuditEntry
from parindex.plans.models import Quantity
from parindex.reporting.models import Evidence, Item, Report, Round, Value

if TYPE_CHECKING:
    from parindex.forecasting.models import ActionLine


@dataclass
class ValueReading:
    value: Value
    quantity: Quantity
    previous: Value | None  # the same quantity in the agency's report of the previous round

    @property
    def is_rate(self) -> bool:
        return self.quantity.unit == "percent"


Pair = tuple[Decimal | None, Decimal | None]


@dataclass
class ValueChange:
    reading: ValueReading
    before: Pair
    after: Pair


@dataclass
class SinceReview:
    """What changed in a target since its reviewer last decided on it (accepted, returned or
    reopened it): each field as it was then and as it is now."""

    status: tuple[str, str] | None = None
    description: tuple[str, str] | None = None
    values: list[ValueChange] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.status or self.description or self.values)


@dataclass
class ItemReading:
    item: Item
    values: list[ValueReading]
    evidence: list[Evidence]
    previous: Item | None  # the same target in the agency's report of the previous round
    # None when the target was never reviewed (or reviewed before reviews were kept).
    since_review: SinceReview | None = None


def _number(text: Any) -> Decimal | None:
    try:
        return None if text is None else Decimal(str(text))
    except InvalidOperation:
        return None


def since_review(item: Item, values: list[ValueReading]) -> SinceReview | None:
    """The target now against its `reviewed_state`, read with the item (select_related)."""
    try:
        state = item.reviewed_state.state
    except ObjectDoesNotExist:
        return None
    if not isinstance(state, dict):
        return None
    changes = SinceReview()
    before_status, before_text = str(state.get("status") or ""), str(state.get("description") or "")
    if before_status != item.status:
        changes.status = (before_status, item.status)
    if before_text != item.description:
        changes.description = (before_text, item.description)
    kept = state.get("values") or {}
    for reading in values:
        pair = kept.get(str(reading.value.pk))
        before: Pair = (_number(pair[0]), _number(pair[1])) if pair else (None, None)
        after: Pair = (reading.value.numerator, reading.value.denominator)
        if not reading.is_rate:
            before, after = (before[0], None), (after[0], None)
        if before != after:
            changes.values.append(ValueChange(reading, before, after))
    return changes


@dataclass
class ActionLineReading:
    """An action to close the gap the report is asked about, and what was reported on it."""

    line: ActionLine
    name: str  # the sub-criterion's name


@dataclass
class ReportReading:
    report: Report
    items: list[ItemReading]
    previous_round: Round | None
    history: list[AuditEntry] = field(default_factory=list)
    actions: list[ActionLineReading] = field(default_factory=list)


def action_lines(user: access.AnyUser, report: Report) -> list[ActionLineReading]:
    """The report's action lines, soonest deadline first, with their sub-criteria's names."""
    lines = list(
        access.action_lines_for(user)
        .filter(report=report)
        .select_related("action__owner", "updated_by")
        .order_by("action__deadline", "action_id")
    )
    keys = {(line.action.framework_id, line.action.node_code) for line in lines}
    names: dict[tuple[int, str], str] = {}
    if keys:
        for framework_id, code, name in Node.objects.filter(
            framework_id__in={k[0] for k in keys}, code__in={k[1] for k in keys}
        ).values_list("framework_id", "code", "name"):
            names[(framework_id, code)] = name
    for line in lines:
        line.report = report
    return [
        ActionLineReading(line, names.get((line.action.framework_id, line.action.node_code), ""))
        for line in lines
    ]


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
    items = report.items.select_related(
        "target__area", "reviewed_by", "reviewed_state"
    ).prefetch_related(_values(), evidence)
    if only is not None:
        items = items.filter(pk=only)
    before = previous_items(user, report, previous_round)
    readings = []
    for item in items.order_by("position", "pk"):
        item.report = report
        earlier = before.get(item.target_id)
        earlier_values = {v.quantity_id: v for v in earlier.values.all()} if earlier else {}
        values = [
            ValueReading(value, value.quantity, earlier_values.get(value.quantity_id))
            for value in item.values.all()
        ]
        readings.append(
            ItemReading(
                item, values, list(item.evidence.all()), earlier, since_review(item, values)
            )
        )
    entries = list(access.history_of(user, report).select_related("actor")) if history else []
    lines = action_lines(user, report) if only is None else []
    return ReportReading(report, readings, previous_round, entries, lines)
