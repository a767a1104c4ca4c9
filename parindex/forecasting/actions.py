"""Writes of the forecast: named what-if scenarios. Each checks permission, checks its input
like every other channel, and is audited."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parindex.forecasting import gather, reading
from parindex.forecasting.models import Scenario
from parindex.orgs import access
from parindex.orgs.audit import record
from parindex.orgs.inputs import field_text
from parindex.orgs.models import Organisation, User

# A scenario changes some leaves of one tree: a few hundred at the very most.
MAX_CHANGES = 500


def _deny() -> PermissionDenied:
    return PermissionDenied(_("You may not change the scenarios of this province."))


def check_changes(data: gather.ForecastData, raw: object) -> dict[str, object]:
    """The changes as stored: each leaf's input as JSON writes it, every one usable."""
    if not isinstance(raw, Mapping):
        raise ValidationError({"changes": _("Give the changes as sub-criterion code → value.")})
    if len(raw) > MAX_CHANGES:
        raise ValidationError(
            {"changes": _("At most %(n)s changes in one scenario.") % {"n": MAX_CHANGES}}
        )
    changes, problems = reading.parse_changes(data, {str(k): v for k, v in raw.items()})
    if problems:
        raise ValidationError({"changes": [p.message for p in problems]})
    stored: dict[str, object] = {}
    for code, entry in changes.items():
        if entry.label is not None:
            stored[code] = {"label": entry.label}
        elif entry.points is not None:
            stored[code] = {"points": str(entry.points)}
        elif entry.numerator is not None and entry.denominator is not None:
            stored[code] = {
                "numerator": str(entry.numerator),
                "denominator": str(entry.denominator),
            }
        elif entry.value is not None:
            stored[code] = {"value": str(entry.value)}
    # What no score reads must still fit the column: JSON of a bounded size.
    if len(json.dumps(stored, ensure_ascii=False)) > 200_000:
        raise ValidationError({"changes": _("The changes are too long to keep.")})
    return stored


@transaction.atomic
def save_scenario(
    province: Organisation,
    year: int,
    *,
    by: User | None,
    name: str,
    changes: object,
    note: str = "",
) -> Scenario:
    """Keep a what-if under a name; saving a name again replaces what it held."""
    if by is not None and not access.can_save_scenarios(by, province.pk):
        raise _deny()
    problems: dict[str, Any] = {}
    try:
        name = field_text(Scenario, "name", name).strip()
    except ValidationError as error:
        problems["name"] = error.messages
    if not problems and not name:
        problems["name"] = [_("Give the scenario a name.")]
    try:
        note = field_text(Scenario, "note", note)
    except ValidationError as error:
        problems["note"] = error.messages
    try:
        data = gather.build(province, year)
    except gather.NoForecast as none:
        raise ValidationError({"year": [none.reason]}) from None
    try:
        stored = check_changes(data, changes)
    except ValidationError as error:
        problems.update(error.message_dict)
    if problems:
        raise ValidationError(problems)
    if not stored:
        raise ValidationError({"changes": [_("Change at least one sub-criterion.")]})
    existing = (
        Scenario.objects.select_for_update().filter(province=province, year=year, name=name).first()
    )
    if existing is None:
        scenario = Scenario.objects.create(
            province=province, year=year, name=name, note=note, changes=stored, created_by=by
        )
        record(
            by,
            "forecasting.scenario.create",
            scenario,
            province=province,
            changes={"name": [None, name], "changes": [None, stored]},
        )
        return scenario
    before = existing.changes
    existing.changes = stored
    existing.note = note
    existing.save(update_fields=["changes", "note", "updated_at"])
    record(
        by,
        "forecasting.scenario.update",
        existing,
        province=province,
        changes={"changes": [before, stored]},
    )
    return existing


@transaction.atomic
def delete_scenario(scenario: Scenario, *, by: User | None) -> None:
    if by is not None and not access.can_delete_scenario(by, scenario):
        raise _deny()
    record(
        by,
        "forecasting.scenario.delete",
        scenario,
        province=scenario.province_id,
        changes={"name": [scenario.name, None], "changes": [scenario.changes, None]},
    )
    scenario.delete()
