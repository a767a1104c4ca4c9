"""The traffic lights of a round, from the pure rules in `progress`: one place that turns a plan
quantity and a round into what `progress.assess` needs, used by the round overview (and so its
API and the consolidated exports), the report and review form, and the demo's reports."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from parindex.plans.models import Quantity
from parindex.reporting import progress
from parindex.reporting.models import Round


def aim_of(quantity: Quantity) -> progress.Aim:
    return progress.Aim(
        quantity.comparator,
        quantity.value,
        quantity.value_high,
        unit=quantity.unit,
        measure=quantity.measure,
    )


def elapsed_of(round_: Round) -> Decimal:
    """How much of the plan's year has passed when the round's period ends."""
    return progress.year_elapsed(round_.ends_on, round_.plan.year)


def quantity_light(quantity: Quantity, value: Decimal | None, elapsed: Decimal) -> progress.Light:
    """The light of a reported value (a rate in %, a count, result over reference in %)."""
    return progress.assess(value, aim_of(quantity), elapsed)


def target_light(quantity_lights: list[progress.Light], statuses: Iterable[str]) -> progress.Light:
    """A target with figures to report is judged on them alone: without figures it stays grey
    (never red for a status); a target without figures by the statuses its agencies gave."""
    if quantity_lights:
        return progress.worst(quantity_lights)
    return progress.worst(progress.STATUS_LIGHTS[s] for s in statuses)
