"""The plan review form: every item of a proposal as named fields, and the POST read back.

Field names follow the proposal's structure: `a{area}-…` for areas, `t{path}-…` for targets
(path = area.target.child indices), `q{path}-{n}-…` for quantities, `ag{k}` for the agency name
number k. Reading a POST returns the corrected proposal and the problems, each naming its field.
"""

from __future__ import annotations

import copy
from datetime import date
from decimal import InvalidOperation
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from parindex.lib.dates import parse_date
from parindex.lib.numbers import NumberFormatError, parse_decimal
from parindex.lib.text import clean
from parindex.plans.actions import agency_names, iter_targets, quantity_measure
from parindex.plans.models import Comparator, Measure, QuantityUnit

GROUP_CHOICES = ("department", "district", "commune", "all")


def apply_review(
    proposal: dict[str, Any], post: QueryDict, agency_ids: dict[str, list[int]]
) -> tuple[dict[str, Any], dict[str, str]]:
    """The proposal as corrected in the form, and {field name: problem} for what cannot be read.

    `agency_ids` maps a group choice ("department", ...) to the province's agency ids.
    """
    result = copy.deepcopy(proposal)
    errors: dict[str, str] = {}
    for key in ("number", "issuer", "signer", "title"):
        if key in post:
            result[key] = clean(post.get(key, "")) or None
    if "date" in post:
        raw = post.get("date", "").strip()
        if raw:
            try:
                result["date"] = parse_date(raw).isoformat()
            except ValueError:
                errors["date"] = _("Write the date as dd/mm/yyyy.")
        else:
            result["date"] = None
    if "year" in post:
        raw = post.get("year", "").strip()
        if raw.isdigit() and 1990 <= int(raw) <= 2100:
            result["year"] = int(raw)
        elif raw:
            errors["year"] = _("Write the year with four digits.")
        else:
            result["year"] = None

    baseline = result.get("baseline")
    if isinstance(baseline, dict):
        for key in ("points", "year", "rank", "rank_of", "rank_change"):
            field = f"baseline-{key}"
            if field in post:
                value = _read_number(post.get(field, ""), field, errors, whole=key != "points")
                if field not in errors:
                    baseline[key] = value
    kept_goals = []
    for index, goal in enumerate(result.get("goals") or []):
        if post.get(f"g{index}-delete"):
            continue
        kept_goals.append(_read_quantity(goal, f"g{index}", post, errors))
    result["goals"] = kept_goals

    areas = result.get("areas") or []
    kept_areas = []
    for index, area in enumerate(areas):
        prefix = f"a{index}"
        if post.get(f"{prefix}-delete"):
            continue
        if f"{prefix}-title" in post:
            area["title"] = clean(post.get(f"{prefix}-title", ""))
        if f"{prefix}-domain" in post:
            domain = post.get(f"{prefix}-domain", "")
            area["domain_id"] = int(domain) if domain.isdigit() else None
            area["domain_chosen"] = True
        area["targets"] = _apply_targets(area.get("targets") or [], str(index), post, errors)
        new_text = clean(post.get(f"{prefix}-newtarget", ""))
        if new_text:
            area["targets"].append(
                {
                    "text": new_text,
                    "line": None,
                    "quantities": [],
                    "children": [],
                    "lead": [],
                    "coordinating": [],
                }
            )
        kept_areas.append(area)
    result["areas"] = kept_areas

    mapping = result.setdefault("agency_map", {})
    for k, name in enumerate(agency_names(proposal)):
        field = f"ag{k}"
        if field not in post:
            continue
        choice = post.get(field, "")
        entry = mapping.setdefault(name, {"ids": [], "group": ""})
        if choice == "ignore":
            entry.update(ids=[], group="", ignored=True, chosen=True)
        elif choice.startswith("group:") and choice[6:] in GROUP_CHOICES:
            entry.update(
                ids=list(agency_ids.get(choice[6:], [])),
                group=choice[6:],
                ignored=False,
                chosen=True,
            )
        elif choice.isdigit():
            entry.update(ids=[int(choice)], group="", ignored=False, chosen=True)
        elif choice == "":
            entry.update(ids=[], group="", ignored=False, chosen=True)
    return result, errors


def _apply_targets(
    targets: list[dict[str, Any]], prefix: str, post: QueryDict, errors: dict[str, str]
) -> list[dict[str, Any]]:
    kept = []
    for index, target in enumerate(targets):
        path = f"{prefix}.{index}"
        if post.get(f"t{path}-delete"):
            continue
        if f"t{path}-text" in post:
            target["text"] = clean(post.get(f"t{path}-text", ""))
        if f"t{path}-nodes-present" in post:
            target["confirmed_node_ids"] = [
                int(v) for v in post.getlist(f"t{path}-nodes") if v.isdigit()
            ]
        quantities = []
        for n, quantity in enumerate(target.get("quantities") or []):
            name = f"q{path}-{n}"
            if post.get(f"{name}-delete"):
                continue
            quantities.append(_read_quantity(quantity, name, post, errors))
        if clean(post.get(f"q{path}-new-value", "")):
            quantities.append(_read_quantity({}, f"q{path}-new", post, errors))
        target["quantities"] = quantities
        target["children"] = _apply_targets(target.get("children") or [], path, post, errors)
        kept.append(target)
    return kept


def _read_number(
    raw: str, field: str, errors: dict[str, str], *, whole: bool = False
) -> int | float | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        number = parse_decimal(raw)
    except (NumberFormatError, InvalidOperation):
        errors[field] = _("“%(value)s” is not a number.") % {"value": raw}
        return None
    if whole and number != number.to_integral_value():
        errors[field] = _("Write a whole number.")
        return None
    return int(number) if number == number.to_integral_value() else float(number)


def _read_quantity(
    quantity: dict[str, Any], name: str, post: QueryDict, errors: dict[str, str]
) -> dict[str, Any]:
    result = dict(quantity)
    if f"{name}-subject" in post:
        result["subject"] = clean(post.get(f"{name}-subject", ""))
    if f"{name}-comparator" in post:
        result["comparator"] = post.get(f"{name}-comparator", "")
        if result["comparator"] not in Comparator.values:
            errors[f"{name}-comparator"] = _("Choose a comparator.")
    if f"{name}-unit" in post:
        result["unit"] = post.get(f"{name}-unit", "")
        if result["unit"] not in QuantityUnit.values:
            errors[f"{name}-unit"] = _("Choose a unit.")
    if f"{name}-measure" in post:
        measure = post.get(f"{name}-measure", "")
        if measure in Measure.values:
            result["measure"] = measure
        elif measure:
            errors[f"{name}-measure"] = _("Say what the reported figure is.")
        else:
            result.pop("measure", None)  # not chosen: what the wording tells, or asked again
    for key in ("value", "value_high"):
        field = f"{name}-{key}"
        if field in post:
            value = _read_number(post.get(field, ""), field, errors)
            if field not in errors:
                result[key] = value
    if result.get("comparator") == Comparator.BETWEEN and result.get("value_high") in (None, ""):
        errors[f"{name}-value_high"] = _("“between” needs an upper value.")
    if f"{name}-relative_kind" in post:
        kind = post.get(f"{name}-relative_kind", "")
        year = post.get(f"{name}-relative_year", "").strip()
        if not kind:
            result["relative_to"] = None
        elif kind in ("year", "baseline_year"):
            if year.isdigit():
                result["relative_to"] = {"kind": kind, "year": int(year)}
            else:
                errors[f"{name}-relative_year"] = _("Give the year it is compared with.")
        else:
            result["relative_to"] = {"kind": kind}
    return result


def review_rows(proposal: dict[str, Any]) -> list[dict[str, Any]]:
    """Areas with their targets flattened (path, depth, target) for the template."""
    rows = []
    for index, area in enumerate(proposal.get("areas") or []):
        targets = [
            {
                "path": path,
                "depth": path.count(".") - 1,
                "target": target,
                "quantities": [
                    (f"q{path}-{n}", dict(q, measure=quantity_measure(q)))
                    for n, q in enumerate(target.get("quantities") or [])
                ],
                "new_quantity": f"q{path}-new",
                # Until the coordinator has chosen, the proposals are preselected in the form.
                "selected_node_ids": target.get("confirmed_node_ids", target.get("node_ids") or []),
            }
            for path, target in iter_targets(area.get("targets") or [], str(index))
        ]
        rows.append({"index": index, "area": area, "targets": targets})
    return rows


def iso_to_display(value: str | None) -> str:
    if not value:
        return ""
    try:
        return date.fromisoformat(value).strftime("%d/%m/%Y")
    except ValueError:
        return value
