"""Plan import: read a document into a proposal, let the coordinator correct it, approve it.

The proposal stays a JSON document (the parser's documented shape, plus review keys) in a
`PlanImport` until approval, which creates the plan and everything in it in one transaction.
Review keys added here: `agency_map` (every agency name → resolved ids), per area `domain_id`,
per target `node_ids` (proposed sub-criteria) and `confirmed_node_ids`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parindex.lib.numbers import NumberFormatError, parse_decimal
from parindex.lib.text import clean
from parindex.methodology.models import Framework, FrameworkStatus, Node
from parindex.orgs import access, inputs
from parindex.orgs.audit import record
from parindex.orgs.dbstats import refresh_statistics
from parindex.orgs.models import AGENCY_KINDS, Organisation, User
from parindex.plans import matching
from parindex.plans.models import (
    Area,
    Comparator,
    Goal,
    ImportStatus,
    Measure,
    Period,
    Plan,
    PlanImport,
    Quantity,
    QuantityUnit,
    ReportingDuty,
    Responsibility,
    Target,
    TargetAgency,
    TargetNode,
)
from parindex.plans.parsing import parse_document
from parindex.plans.proposal import MEASURES
from parindex.plans.quantities import measure_for
from parindex.plans.warnings import describe_warning

DEFAULT_PERIODS = [Period.QUARTER.value, Period.HALF_YEAR.value, Period.YEAR.value]


class NotAPlan(Exception):
    """The document does not read as a plan; nothing was saved."""


class DuplicatePlan(Exception):
    """The document's number and year are those of a plan the province already has: approving
    it would be refused (plans are never replaced), so nothing is staged unless asked."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        super().__init__(
            _(
                "The plan %(number)s of %(year)s already exists (%(title)s). Approving this "
                "document would be refused unless its number or year is corrected in the "
                "review: an existing plan is never replaced."
            )
            % {"number": plan.number, "year": plan.year, "title": plan.title}
        )


class StaleRevision(Exception):
    """Someone saved the review since this form was opened."""


def _require(by: User | None, province: Organisation) -> None:
    if by is not None and not access.can_manage_organisations(by, province.pk):
        raise PermissionDenied(_("Only the province's coordinators import plans."))


# --- walking the proposal ----------------------------------------------------------------------


def iter_targets(
    targets: list[dict[str, Any]], prefix: str
) -> Iterator[tuple[str, dict[str, Any]]]:
    """(path, target) for every target and sub-item; paths are "area.target.child" indices."""
    for index, target in enumerate(targets):
        path = f"{prefix}.{index}"
        yield path, target
        yield from iter_targets(target.get("children") or [], path)


def all_targets(proposal: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for index, area in enumerate(proposal.get("areas") or []):
        yield from iter_targets(area.get("targets") or [], str(index))


def agency_names(proposal: dict[str, Any]) -> list[str]:
    """Every agency name the proposal mentions, in order of first appearance."""
    seen: dict[str, None] = {}
    for area in proposal.get("areas") or []:
        for name in [*(area.get("lead") or []), *(area.get("coordinating") or [])]:
            seen.setdefault(clean(name), None)
        for part in area.get("lead_parts") or []:
            for name in part.get("lead") or []:
                seen.setdefault(clean(name), None)
        for _path, target in iter_targets(area.get("targets") or [], "0"):
            for name in [*(target.get("lead") or []), *(target.get("coordinating") or [])]:
                seen.setdefault(clean(name), None)
    for duty in proposal.get("duties") or []:
        for key in ("who", "to"):
            value = duty.get(key)
            for name in value if isinstance(value, list) else [value] if value else []:
                seen.setdefault(clean(name), None)
    return list(seen)


# --- matching ----------------------------------------------------------------------------------


def _candidates(province: Organisation, on: date | None) -> list[matching.Candidate]:
    agencies = Organisation.objects.filter(province=province, kind__in=AGENCY_KINDS)
    if on is not None:
        agencies = agencies.as_of(on)
    return [matching.Candidate(o.pk, o.name, o.short_name, o.kind) for o in agencies]


def _plan_day(proposal: dict[str, Any]) -> date | None:
    try:
        return date.fromisoformat(proposal["date"]) if proposal.get("date") else None
    except (TypeError, ValueError):
        return None


def resolve_agencies(proposal: dict[str, Any], province: Organisation) -> None:
    """Fill `agency_map` for names not yet decided by the coordinator."""
    candidates = _candidates(province, _plan_day(proposal))
    mapping: dict[str, Any] = proposal.setdefault("agency_map", {})
    for name in agency_names(proposal):
        entry = mapping.get(name)
        if entry and entry.get("chosen"):
            continue
        match = matching.resolve_agency(name, candidates)
        mapping[name] = {"ids": list(match.ids), "group": match.group, "chosen": False}


def leaf_nodes(framework: Framework) -> list[Node]:
    return [n for n in framework.nodes.prefetch_related("children") if not n.children.all()]


def match_framework(proposal: dict[str, Any], framework: Framework | None) -> None:
    """Link each area to its domain and propose the sub-criteria each target moves."""
    if framework is None:
        for area in proposal.get("areas") or []:
            area["domain_id"] = None
        for _path, target in all_targets(proposal):
            target["node_ids"] = []
        return
    domains = list(framework.nodes.filter(parent__isnull=True))
    leaves = leaf_nodes(framework)
    for index, area in enumerate(proposal.get("areas") or []):
        if not area.get("domain_chosen"):
            domain_id, _score = matching.best_match(
                area.get("title", ""), [(d.pk, d.name) for d in domains]
            )
            if domain_id is None and index < len(domains):
                domain_id = domains[index].pk  # plans follow the index's domain order
            area["domain_id"] = domain_id
        domain = next((d for d in domains if d.pk == area.get("domain_id")), None)
        prefix = f"{domain.code}." if domain else ""
        options = [(n.pk, n.name) for n in leaves if n.code.startswith(prefix)]
        for _path, target in iter_targets(area.get("targets") or [], str(index)):
            target["node_ids"] = [
                node_id for node_id, _s in matching.propose_nodes(target.get("text", ""), options)
            ]


def default_framework(province: Organisation, year: int | None) -> Framework | None:
    frameworks = Framework.objects.filter(level="province", status=FrameworkStatus.VALID)
    mine = [f for f in frameworks.filter(province=province) if year is None or f.applies_to(year)]
    shared = [
        f for f in frameworks.filter(province__isnull=True) if year is None or f.applies_to(year)
    ]
    found = mine or shared
    return found[0] if found else None


# --- actions -----------------------------------------------------------------------------------


def existing_plan(province: Organisation, proposal: dict[str, Any]) -> Plan | None:
    """The province's plan with the proposal's number and year (what plan_unique holds)."""
    number = clean(str(proposal.get("number") or ""))
    year = proposal.get("year")
    if not number or not isinstance(year, int):
        return None
    return Plan.objects.filter(province=province, number=number, year=year).first()


@transaction.atomic
def stage_plan(
    *,
    by: User | None,
    province: Organisation,
    filename: str,
    data: bytes,
    duplicate_ok: bool = False,
) -> PlanImport:
    """Read a plan document into a proposal for review. A non-plan raises NotAPlan, and the
    number and year of an existing plan DuplicatePlan (unless `duplicate_ok`, to correct them in
    the review), saving nothing."""
    _require(by, province)
    proposal_obj = parse_document(data, filename)
    proposal = proposal_obj.to_json()
    warnings = proposal.pop("warnings", [])
    for refused in warnings:
        if refused.get("kind") in ("file_too_large", "read_too_long"):
            raise NotAPlan(f"{filename}: {describe_warning(refused)}")
    too_long = inputs.text_error(proposal_obj.source_text, inputs.DOCUMENT_TEXT_LIMIT)
    if too_long:
        raise NotAPlan(f"{filename}: {too_long}")
    not_a_plan = any(w.kind == "not_a_plan" for w in proposal_obj.warnings)
    if proposal_obj.is_empty or not_a_plan or not (proposal.get("areas") or proposal.get("goals")):
        raise NotAPlan(
            _("%(file)s does not read as a plan: no number, no content areas were found.")
            % {"file": filename}
        )
    if not duplicate_ok:
        duplicate = existing_plan(province, proposal)
        if duplicate is not None:
            raise DuplicatePlan(duplicate)
    year = proposal.get("year") if isinstance(proposal.get("year"), int) else None
    framework = default_framework(province, year)
    resolve_agencies(proposal, province)
    match_framework(proposal, framework)
    staged = PlanImport.objects.create(
        province=province,
        filename=filename[:255],
        source_text=proposal_obj.source_text,
        proposal=proposal,
        warnings=warnings,
        framework=framework,
        created_by=by,
    )
    record(
        by,
        "plans.import.stage",
        staged,
        province=province,
        changes={"areas": [None, len(proposal.get("areas") or [])]},
    )
    return staged


@transaction.atomic
def save_review(
    staged: PlanImport,
    *,
    by: User | None,
    proposal: dict[str, Any],
    framework: Framework | None,
    revision: int,
) -> PlanImport:
    """Store the coordinator's corrections; a form opened before the last save is refused."""
    _require(by, staged.province)
    locked = PlanImport.objects.select_for_update().get(pk=staged.pk)
    if locked.status != ImportStatus.PENDING:
        raise ValidationError(_("This import was already approved or discarded."))
    if locked.revision != revision:
        raise StaleRevision(
            _("Someone else saved this review meanwhile; reload the page to see their changes.")
        )
    if framework is not None and framework.pk != locked.framework_id:
        for area in proposal.get("areas") or []:
            area.pop("domain_chosen", None)
        for _path, target in all_targets(proposal):
            target.pop("confirmed_node_ids", None)
    resolve_agencies(proposal, locked.province)
    match_framework(proposal, framework)
    locked.proposal = proposal
    locked.framework = framework
    locked.revision += 1
    locked.save()
    record(
        by,
        "plans.import.review",
        locked,
        province=locked.province,
        changes={"revision": [revision, locked.revision]},
    )
    return locked


@transaction.atomic
def discard_import(staged: PlanImport, *, by: User | None) -> None:
    _require(by, staged.province)
    staged.status = ImportStatus.DISCARDED
    staged.save(update_fields=["status", "updated_at"])
    record(
        by,
        "plans.import.discard",
        staged,
        province=staged.province,
        changes={"status": [ImportStatus.PENDING, ImportStatus.DISCARDED]},
    )


def _decimal(value: Any, where: str, problems: list[str]) -> Decimal | None:
    """A quantity's number, checked against the column that stores it."""
    if value in (None, ""):
        return None
    try:
        number = parse_decimal(
            value if isinstance(value, str | int | float | Decimal) else str(value)
        )
    except (NumberFormatError, InvalidOperation, ValueError):
        problems.append(
            _("%(where)s: “%(value)s” is not a number.") % {"where": where, "value": value}
        )
        return None
    message = inputs.field_number_error(Quantity, "value", number)
    if message:
        problems.append(f"{where}: {message}")
        return None
    return number


def _ids_for(names: Iterable[str], mapping: dict[str, Any]) -> list[int]:
    ids: list[int] = []
    for name in names:
        for pk in (mapping.get(clean(name)) or {}).get("ids") or []:
            if pk not in ids:
                ids.append(pk)
    return ids


def quantity_measure(quantity: dict[str, Any]) -> str | None:
    """The measure chosen for a proposed quantity; for one proposed before measures were read
    (or added in review without one), what its wording tells, None when it does not."""
    if "measure" in quantity:
        measure = quantity["measure"]
        return measure if measure in MEASURES else None
    relative = quantity.get("relative_to")
    return measure_for(
        str(quantity.get("unit") or ""),
        relative.get("kind") if isinstance(relative, dict) else None,
        quantity.get("direction"),
        str(quantity.get("subject") or ""),
        quantity.get("unit_label"),
    )


def check_proposal(proposal: dict[str, Any]) -> list[str]:
    """What still stops approval, each naming where."""
    problems: list[str] = []
    if not clean(str(proposal.get("number") or "")):
        problems.append(_("The plan has no number."))
    if not clean(str(proposal.get("title") or "")):
        problems.append(_("The plan has no title."))
    if not isinstance(proposal.get("year"), int):
        problems.append(_("The plan has no year."))
    mapping = proposal.get("agency_map") or {}
    for name in agency_names(proposal):
        entry = mapping.get(name) or {}
        if not entry.get("ids") and not entry.get("ignored"):
            problems.append(
                _("“%(name)s” is not matched to an agency of the province.") % {"name": name}
            )
    for index, area in enumerate(proposal.get("areas") or []):
        for path, target in iter_targets(area.get("targets") or [], str(index)):
            where = _("Target %(path)s") % {"path": _human_path(path)}
            if not clean(target.get("text") or ""):
                problems.append(_("%(where)s has no text.") % {"where": where})
            elif message := inputs.text_error(str(target.get("text")), inputs.LONG_TEXT_LIMIT):
                problems.append(f"{where}: {message}")
            if not _target_leads(area, path, target, mapping):
                problems.append(_("%(where)s has no lead agency.") % {"where": where})
            for q_index, quantity in enumerate(target.get("quantities") or []):
                q_where = _("%(where)s, quantity %(n)s") % {"where": where, "n": q_index + 1}
                if quantity.get("comparator") not in Comparator.values:
                    problems.append(_("%(where)s: choose a comparator.") % {"where": q_where})
                if quantity.get("unit") not in QuantityUnit.values:
                    problems.append(_("%(where)s: choose a unit.") % {"where": q_where})
                if quantity_measure(quantity) is None:
                    problems.append(
                        _("%(where)s: say what the reported figure is.") % {"where": q_where}
                    )
                if _decimal(quantity.get("value"), q_where, problems) is None and quantity.get(
                    "value"
                ) in (None, ""):
                    problems.append(_("%(where)s: the value is missing.") % {"where": q_where})
                if (
                    quantity.get("comparator") == Comparator.BETWEEN
                    and _decimal(quantity.get("value_high"), q_where, problems) is None
                ):
                    problems.append(
                        _("%(where)s: “between” needs an upper value.") % {"where": q_where}
                    )
    return problems


def _human_path(path: str) -> str:
    return ".".join(str(int(part) + 1) for part in path.split("."))


def _target_leads(
    area: dict[str, Any], path: str, target: dict[str, Any], mapping: dict[str, Any]
) -> list[int]:
    """The target's own leads, else its part's (multi-lead areas), else the area's."""
    return (
        _ids_for(target.get("lead") or [], mapping)
        or _part_leads(area, path, mapping)
        or _ids_for(area.get("lead") or [], mapping)
    )


def _part_leads(area: dict[str, Any], path: str, mapping: dict[str, Any]) -> list[int]:
    """Leads of a multi-lead area (domain 7 style) for the part this target belongs to."""
    target_index = int(path.split(".")[1])
    for part in area.get("lead_parts") or []:
        if target_index in (part.get("targets") or []):
            return _ids_for(part.get("lead") or [], mapping)
    return []


@transaction.atomic
def approve_import(staged: PlanImport, *, by: User | None) -> Plan:
    """Create the plan, its areas, targets, quantities and duties; refuse while anything is open."""
    _require(by, staged.province)
    staged = PlanImport.objects.select_for_update().get(pk=staged.pk)
    if staged.status != ImportStatus.PENDING:
        raise ValidationError(_("This import was already approved or discarded."))
    proposal = staged.proposal
    problems = check_proposal(proposal)
    if not problems and existing_plan(staged.province, proposal) is not None:
        # The plan_unique constraint would otherwise fail as a database error.
        problems.append(
            _("The plan %(number)s of %(year)s already exists.")
            % {"number": clean(str(proposal["number"])), "year": proposal["year"]}
        )
    if problems:
        raise ValidationError(problems)
    mapping = proposal.get("agency_map") or {}
    duties = proposal.get("duties") or []
    periods = (
        sorted(
            {p for d in duties for p in (d.get("periods") or []) if p in Period.values},
            key=DEFAULT_PERIODS.index,
        )
        or DEFAULT_PERIODS
    )
    plan = Plan.objects.create(
        province=staged.province,
        number=clean(str(proposal["number"])),
        date=_plan_day(proposal),
        issuer=clean(str(proposal.get("issuer") or "")),
        signer=clean(str(proposal.get("signer") or "")),
        title=clean(str(proposal["title"])),
        year=proposal["year"],
        framework=staged.framework,
        baseline=proposal.get("baseline") or {},
        source=staged,
    )
    for position, goal in enumerate(proposal.get("goals") or []):
        _create_goal(plan, goal, position)
    order = itertools.count()  # targets in reading order across the whole plan
    for index, area_data in enumerate(proposal.get("areas") or []):
        area = Area.objects.create(
            plan=plan,
            number=str(area_data.get("number") or index + 1),
            title=clean(area_data.get("title") or ""),
            domain_id=area_data.get("domain_id"),
            position=index,
        )
        area_coordinating = _ids_for(area_data.get("coordinating") or [], mapping)
        created: dict[str, Target] = {}
        for path, target_data in iter_targets(area_data.get("targets") or [], str(index)):
            parent = created.get(path.rsplit(".", 1)[0]) if path.count(".") > 1 else None
            target = Target.objects.create(
                plan=plan,
                area=area,
                parent=parent,
                text=clean(target_data.get("text") or ""),
                source_line=target_data.get("line"),
                periods=periods,
                position=next(order),
            )
            created[path] = target
            own_leads = _target_leads(area_data, path, target_data, mapping)
            coordinating = (
                _ids_for(target_data.get("coordinating") or [], mapping) or area_coordinating
            )
            TargetAgency.objects.bulk_create(
                [
                    TargetAgency(
                        target=target, organisation_id=pk, responsibility=Responsibility.LEAD
                    )
                    for pk in own_leads
                ]
                + [
                    TargetAgency(
                        target=target,
                        organisation_id=pk,
                        responsibility=Responsibility.COORDINATING,
                    )
                    for pk in coordinating
                    if pk not in own_leads
                ]
            )
            _create_quantities(target, target_data.get("quantities") or [])
            confirmed = set(target_data.get("confirmed_node_ids") or [])
            TargetNode.objects.bulk_create(
                TargetNode(target=target, node_id=node_id, confirmed=node_id in confirmed)
                for node_id in dict.fromkeys([*(target_data.get("node_ids") or []), *confirmed])
            )
    for position, duty in enumerate(duties):
        _create_duty(plan, duty, mapping, position)
    # Rounds opened next join these rows to every report's values.
    refresh_statistics(
        {
            Target: plan.targets.count(),
            TargetAgency: TargetAgency.objects.filter(target__plan=plan).count(),
            Quantity: Quantity.objects.filter(target__plan=plan).count(),
        }
    )
    staged.status = ImportStatus.APPROVED
    staged.save(update_fields=["status", "updated_at"])
    record(
        by,
        "plans.plan.approve",
        plan,
        province=staged.province,
        changes={"targets": [None, plan.targets.count()], "areas": [None, plan.areas.count()]},
    )
    return plan


def _create_quantities(target: Target, quantities: list[dict[str, Any]]) -> None:
    rows = []
    for position, q in enumerate(quantities):
        relative = q.get("relative_to") or {}
        rows.append(
            Quantity(
                target=target,
                subject=clean(q.get("subject") or ""),
                comparator=q["comparator"],
                value=parse_decimal(str(q["value"])),
                value_high=parse_decimal(str(q["value_high"]))
                if q.get("value_high") not in (None, "")
                else None,
                unit=q["unit"],
                relative_kind=(relative.get("kind") or "") if isinstance(relative, dict) else "",
                relative_year=relative.get("year") if isinstance(relative, dict) else None,
                measure=quantity_measure(q) or Measure.LEVEL,
                position=position,
            )
        )
    Quantity.objects.bulk_create(rows)


def _create_goal(plan: Plan, goal: dict[str, Any], position: int) -> None:
    value = goal.get("value")
    Goal.objects.create(
        plan=plan,
        text=clean(goal.get("text") or ""),
        subject=clean(goal.get("subject") or ""),
        comparator=str(goal["comparator"]) if goal.get("comparator") in Comparator.values else "",
        value=parse_decimal(str(value)) if value not in (None, "") else None,
        unit=str(goal["unit"]) if goal.get("unit") in QuantityUnit.values else "",
        position=position,
    )


def _create_duty(plan: Plan, duty: dict[str, Any], mapping: dict[str, Any], position: int) -> None:
    def one(value: Any) -> tuple[int | None, bool]:
        names = value if isinstance(value, list) else [value] if value else []
        ids = _ids_for(names, mapping)
        group = any((mapping.get(clean(n)) or {}).get("group") for n in names)
        return (ids[0] if len(ids) == 1 and not group else None), group or len(ids) > 1

    reporter, everyone = one(duty.get("who"))
    recipient, _many = one(duty.get("to"))
    ReportingDuty.objects.create(
        plan=plan,
        text=clean(duty.get("text") or ""),
        reporter_id=reporter,
        all_agencies=everyone,
        recipient_id=recipient,
        periods=[p for p in (duty.get("periods") or []) if p in Period.values],
        position=position,
    )
