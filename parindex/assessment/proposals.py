"""Values already reported in the reporting rounds, proposed for the leaves they measure.

A plan's target is linked to the sub-criteria it moves (`plans.TargetNode`, confirmed by the
coordinator). When a unit self-assesses a leaf measured by a rate or a count, the value its
agency reported for such a target in that year's plan is proposed, with its source: the latest
round of the year (the year report before the fourth quarter's when both exist), accepted
reports before others. The unit takes it with `EntryInput(use_proposal=True)`; the entry then
keeps the source and the report, and the screens link the score back to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _

from parindex.assessment.models import AssessedUnit
from parindex.methodology.tree import Scoring


@dataclass(frozen=True)
class Proposal:
    code: str
    value: Decimal | None  # a count
    numerator: Decimal | None  # a rate's counts
    denominator: Decimal | None
    source: str  # "Báo cáo quý IV/2020, đã chấp nhận"
    report_id: int
    round_id: int


def proposals_for(unit: AssessedUnit, codes: Sequence[str] | None = None) -> dict[str, Proposal]:
    """The proposed value of each leaf of the unit (of `codes` only, when given)."""
    from parindex.methodology.models import Node
    from parindex.plans.models import QuantityUnit, TargetNode
    from parindex.reporting.models import ReportStatus, Value

    assessment = unit.assessment
    framework = assessment.framework
    leaves = Node.objects.filter(framework=framework, children__isnull=True).exclude(
        scoring__in=["", Scoring.CATEGORICAL]
    )
    if codes is not None:
        leaves = leaves.filter(code__in=list(codes))
    units = dict(leaves.values_list("code", "unit"))
    if not units:
        return {}
    # Links to this tree or to another version of it (same code): the plan may name either.
    links = TargetNode.objects.filter(
        confirmed=True,
        node__framework__code=framework.code,
        node__code__in=list(units),
        target__plan__province_id=assessment.province_id,
        target__plan__year=assessment.year,
    ).values_list("target_id", "node__code")
    codes_of: dict[int, set[str]] = {}
    for target_id, code in links:
        codes_of.setdefault(target_id, set()).add(code)
    if not codes_of:
        return {}
    values = (
        Value.objects.filter(
            item__target_id__in=list(codes_of),
            item__report__agency_id=unit.organisation_id,
            numerator__isnull=False,
        )
        .select_related("quantity", "item__report__round")
        .order_by("-item__report__round__ends_on", "item__report__round__starts_on", "pk")
    )
    found: dict[str, tuple[tuple[int, int], Proposal]] = {}
    for value in values:
        report = value.item.report
        round_ = report.round
        accepted = report.status == ReportStatus.ACCEPTED
        rank = (0 if accepted else 1, 0)  # accepted first, then the latest (query order)
        for code in codes_of.get(value.item.target_id, ()):
            leaf_unit = units[code]
            numbers: tuple[Decimal | None, Decimal | None, Decimal | None]
            if leaf_unit == "percent":
                if value.quantity.unit != QuantityUnit.PERCENT or not value.denominator:
                    continue
                numbers = (None, value.numerator, value.denominator)
            elif value.quantity.unit == QuantityUnit.COUNT:
                numbers = (value.numerator, None, None)
            else:
                continue
            if code in found and found[code][0] <= rank:
                continue
            # The source is stored data, written in the product's language whoever reads it.
            with translation.override(settings.LANGUAGE_CODE):
                state = (
                    _("accepted")
                    if accepted
                    else str(dict(ReportStatus.choices).get(report.status, report.status)).lower()
                )
                source = _("from %(round)s, %(state)s") % {"round": round_.title, "state": state}
            found[code] = (
                rank,
                Proposal(
                    code=code,
                    value=numbers[0],
                    numerator=numbers[1],
                    denominator=numbers[2],
                    source=source,
                    report_id=report.pk,
                    round_id=round_.pk,
                ),
            )
    return {code: proposal for code, (_rank, proposal) in found.items()}
