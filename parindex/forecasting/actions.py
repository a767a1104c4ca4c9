"""Writes of the forecast: named what-if scenarios, and actions that close the gap. Each checks
permission, checks its input like every other channel, and is audited.

An action that closes the gap is created from a point at stake of the year's forecast: the
coordinator names what will be done, the owner agency, a deadline and the points it is expected
to win (at most what the forecast leaves on the table for that sub-criterion). The action then
reaches the owner's reports as a line to report on: at once in its reports still being written
(draft or returned) of rounds open now, and in every round opened later while it is open
(`add_lines_for_round`, run when `reporting.signals.round_opened` is sent).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parindex.forecasting import gather, reading
from parindex.forecasting.models import ActionLine, ActionStatus, GapAction, Scenario
from parindex.orgs import access, inputs
from parindex.orgs.audit import plain, record
from parindex.orgs.inputs import field_text
from parindex.orgs.models import AGENCY_KINDS, Organisation, User
from parindex.reporting.models import Report, ReportStatus, Round, TargetStatus

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


# --- actions that close the gap --------------------------------------------------------------

# Reports an action's line is added to when it is created: those still being written.
WRITABLE = (ReportStatus.DRAFT, ReportStatus.RETURNED)
POINTS_PLACES = Decimal("0.001")


def _deny_action() -> PermissionDenied:
    return PermissionDenied(_("You are not allowed to make this change."))


def _points(value: Decimal) -> Decimal:
    return value.quantize(POINTS_PLACES, rounding=ROUND_HALF_UP)


def _day(at: datetime | None) -> date:
    return timezone.localdate(at) if at is not None else timezone.localdate()


def forecast_of(province: Organisation, year: int) -> Any:
    """The year's forecast, or a ValidationError saying why there is none."""
    try:
        return gather.build(province, year)
    except gather.NoForecast as none:
        raise ValidationError({"node_code": none.reason}) from None


def _stake(data: Any, code: str) -> Any:
    """The point at stake of leaf `code`, or a ValidationError: only a leaf of the forecast's
    tree that still has points to win takes an action."""
    if code not in data.tree.leaves:
        raise ValidationError(
            {
                "node_code": _("%(code)s is not a sub-criterion of the criteria tree “%(tree)s”.")
                % {"code": code or "—", "tree": data.framework.name}
            }
        )
    stake = next((s for s in data.result.stakes if s.code == code), None)
    if stake is None or stake.recoverable <= 0:
        raise ValidationError(
            {
                "node_code": _(
                    "%(code)s has no points to win back: the forecast expects its maximum."
                )
                % {"code": code}
            }
        )
    return stake


def _owner_error(province: Organisation, owner: Organisation | None, day: date) -> str | None:
    if owner is None:
        return _("Choose the agency that owns the action.")
    if owner.province_id != province.pk or owner.kind not in AGENCY_KINDS:
        return _("%(agency)s is not an agency of %(province)s.") % {
            "agency": owner.name,
            "province": province.name,
        }
    if not owner.is_valid_on(day):
        return _("%(agency)s does not exist on %(day)s.") % {
            "agency": owner.name,
            "day": day.strftime("%d/%m/%Y"),
        }
    return None


def _deadline_error(deadline: date | None, year: int, day: date) -> str | None:
    """A deadline from the day the action is set to the end of the year its points count for."""
    if deadline is None:
        return _("Give the deadline.")
    last = date(year, 12, 31)
    if deadline < day:
        return _("The deadline has already passed (%(day)s).") % {"day": day.strftime("%d/%m/%Y")}
    if deadline > last:
        return _(
            "The deadline must fall in %(year)s, by %(last)s: the points count for that year."
        ) % {"year": year, "last": last.strftime("%d/%m/%Y")}
    return None


def _expected_error(value: Decimal | None, recoverable: Decimal) -> str | None:
    if value is None:
        return _("Give the points the action is expected to win.")
    message = inputs.field_number_error(GapAction, "expected_points", value)
    if message:
        return message
    if value <= 0:
        return _("The points expected must be more than 0.")
    if value > recoverable:
        return _("At most %(points)s points can be won back on this sub-criterion.") % {
            "points": format(recoverable.normalize(), "f").replace(".", ",")
        }
    return None


def _text(name: str, value: str, errors: dict[str, str], *, required: bool = False) -> str:
    try:
        cleaned = inputs.field_text(GapAction, name, value)
    except ValidationError as refusal:
        errors[name] = refusal.messages[0]
        return value
    if required and not cleaned:
        errors[name] = _("Say what will be done.")
    return cleaned


def open_reports_of(province_id: int, year: int, owner_ids: list[int]) -> list[Report]:
    """The owners' reports still being written in rounds open now of the province's plans of
    the year."""
    return list(
        Report.objects.filter(
            round__plan__province_id=province_id,
            round__plan__year=year,
            round__closed_at__isnull=True,
            agency_id__in=owner_ids,
            status__in=WRITABLE,
        ).select_related("round")
    )


def _add_lines(action: GapAction) -> list[Report]:
    reports = open_reports_of(action.province_id, action.year, [action.owner_id])
    have = set(ActionLine.objects.filter(action=action).values_list("report_id", flat=True))
    fresh = [r for r in reports if r.pk not in have]
    ActionLine.objects.bulk_create(ActionLine(action=action, report=r) for r in fresh)
    return fresh


@transaction.atomic
def create_action(
    province: Organisation,
    *,
    by: User | None,
    year: int,
    node_code: str,
    title: str,
    owner: Organisation | None,
    deadline: date | None,
    expected_points: Decimal | None,
    note: str = "",
    at: datetime | None = None,
) -> GapAction:
    """Create an action from a point at stake; `at` records when (the demo's past), default now.

    Its baseline is the leaf's expected points in the forecast computed now, and the forecast's
    date; a line is added to each of the owner's reports being written in open rounds."""
    if by is not None and not access.can_manage_gap_actions(by, province.pk):
        raise _deny_action()
    day = _day(at)
    errors: dict[str, str] = {}
    title = _text("title", title, errors, required=True)
    note = _text("note", note, errors)
    node_code = (node_code or "").strip()
    data = forecast_of(province, year)
    try:
        stake = _stake(data, node_code)
    except ValidationError as refusal:
        errors.update({k: v[0] for k, v in refusal.message_dict.items()})
        stake = None
    if message := _owner_error(province, owner, day):
        errors["owner"] = message
    if message := _deadline_error(deadline, year, day):
        errors["deadline"] = message
    if stake is not None and (message := _expected_error(expected_points, stake.recoverable)):
        errors["expected_points"] = message
    if errors:
        raise ValidationError(errors)
    assert stake is not None and owner is not None and deadline is not None
    assert expected_points is not None
    action = GapAction.objects.create(
        province=province,
        year=year,
        framework=data.framework,
        node_code=node_code,
        title=title,
        owner=owner,
        deadline=deadline,
        expected_points=_points(expected_points),
        baseline_points=_points(stake.expected),
        baseline_as_of=data.as_of,
        note=note,
        created_by=by,
        created_at=at or timezone.now(),
    )
    reports = _add_lines(action)
    record(
        by,
        "forecasting.action.create",
        action,
        province=province.pk,
        changes={
            "title": [None, title],
            "owner": [None, owner.name],
            "deadline": [None, deadline.isoformat()],
            "expected_points": [None, str(action.expected_points)],
            "baseline_points": [None, str(action.baseline_points)],
            "reports": [None, [str(r.round) for r in reports]],
        },
    )
    return action


@transaction.atomic
def update_action(
    action: GapAction,
    *,
    by: User | None,
    title: str | None = None,
    owner: Organisation | None = None,
    deadline: date | None = None,
    expected_points: Decimal | None = None,
    note: str | None = None,
) -> GapAction:
    """Change what is given; a new owner gets the lines in its reports being written (the old
    owner's lines stay, with what it reported)."""
    locked = (
        GapAction.objects.select_for_update().select_related("province", "owner").get(pk=action.pk)
    )
    if by is not None and not access.can_manage_gap_actions(by, locked.province_id):
        raise _deny_action()
    errors: dict[str, str] = {}
    fields = ["title", "owner", "deadline", "expected_points", "note"]
    before = {name: plain(getattr(locked, name)) for name in fields}
    if title is not None:
        locked.title = _text("title", title, errors, required=True)
    if note is not None:
        locked.note = _text("note", note, errors)
    created = timezone.localdate(locked.created_at)
    if owner is not None and owner.pk != locked.owner_id:
        if message := _owner_error(locked.province, owner, timezone.localdate()):
            errors["owner"] = message
        locked.owner = owner
    if deadline is not None and deadline != locked.deadline:
        if message := _deadline_error(deadline, locked.year, created):
            errors["deadline"] = message
        locked.deadline = deadline
    if expected_points is not None and expected_points != locked.expected_points:
        data = forecast_of(locked.province, locked.year)
        stake = next((s for s in data.result.stakes if s.code == locked.node_code), None)
        # Points already won since the action began count as the action's to win.
        won = max(_current_points(data, locked.node_code) - locked.baseline_points, Decimal(0))
        recoverable = (stake.recoverable if stake is not None else Decimal(0)) + won
        if message := _expected_error(expected_points, recoverable):
            errors["expected_points"] = message
        else:
            locked.expected_points = _points(expected_points)
    if errors:
        raise ValidationError(errors)
    after = {name: plain(getattr(locked, name)) for name in fields}
    changes = {k: [before[k], after[k]] for k in fields if before[k] != after[k]}
    if not changes:
        return locked
    locked.save()
    if "owner" in changes:
        _add_lines(locked)
    record(by, "forecasting.action.update", locked, province=locked.province_id, changes=changes)
    return locked


def _current_points(data: Any, code: str) -> Decimal:
    nodes = data.result.scenario("expected").result.nodes
    return nodes[code].points if code in nodes else Decimal(0)


STATUS_ACTIONS = {
    ActionStatus.DONE: "forecasting.action.done",
    ActionStatus.DROPPED: "forecasting.action.drop",
    ActionStatus.OPEN: "forecasting.action.reopen",
}


@transaction.atomic
def set_action_status(
    action: GapAction, *, by: User | None, status: str, at: datetime | None = None
) -> GapAction:
    """Mark an action done or dropped, or reopen it."""
    locked = GapAction.objects.select_for_update().get(pk=action.pk)
    if by is not None and not access.can_manage_gap_actions(by, locked.province_id):
        raise _deny_action()
    if status not in ActionStatus.values:
        raise ValidationError(
            {"status": _("Use one of: %(values)s.") % {"values": ", ".join(ActionStatus.values)}}
        )
    if status == locked.status:
        raise ValidationError(
            {
                "status": _("The action is already %(status)s.")
                % {"status": ActionStatus(status).label}
            }
        )
    old = locked.status
    locked.status = status
    locked.done_at = (at or timezone.now()) if status == ActionStatus.DONE else None
    locked.save(update_fields=["status", "done_at"])
    if status == ActionStatus.OPEN:
        _add_lines(locked)
    record(
        by,
        STATUS_ACTIONS[ActionStatus(status)],
        locked,
        province=locked.province_id,
        changes={"status": [old, status]},
    )
    return locked


@transaction.atomic
def report_on_action(
    line: ActionLine, *, by: User | None, status: str, description: str, at: datetime | None = None
) -> ActionLine:
    """What the owner did on the action in the report's period: saved on its own, while the
    report can be edited by this person."""
    locked = (
        ActionLine.objects.select_for_update()
        .select_related("report__agency", "report__round", "action")
        .get(pk=line.pk)
    )
    if by is not None and not access.can_edit(by, locked.report):
        raise _deny_action()
    if by is None and locked.report.status not in WRITABLE:
        raise ValidationError(_("This report is no longer being written."))
    errors: dict[str, str] = {}
    if status and status not in TargetStatus.values:
        errors["status"] = _("Choose a progress status.")
    try:
        description = inputs.field_text(ActionLine, "description", description)
    except ValidationError as refusal:
        errors["description"] = refusal.messages[0]
    if errors:
        raise ValidationError(errors)
    if (status, description) == (locked.status, locked.description):
        return locked
    changes = {
        f"{locked.action.title[:40]}…: progress": [
            f"{locked.status} {locked.description[:60]}".strip(),
            f"{status} {description[:60]}".strip(),
        ]
    }
    locked.status, locked.description = status, description
    locked.updated_by = by
    locked.updated_at = at or timezone.now()
    locked.save(update_fields=["status", "description", "updated_by", "updated_at"])
    report = locked.report
    record(
        by,
        "reporting.action_line.save",
        report,
        province=report.agency.province_id_or_self,
        changes=changes,
    )
    return locked


def add_lines_for_round(round_: Round, reports: list[Report]) -> int:
    """Every open action of each agency reporting in a round just opened gets a line in its
    report (the round's own transaction); how many lines."""
    plan = round_.plan
    by_owner: dict[int, list[GapAction]] = {}
    for action in GapAction.objects.filter(
        province_id=plan.province_id,
        year=plan.year,
        status=ActionStatus.OPEN,
        owner_id__in=[r.agency_id for r in reports],
    ).order_by("deadline", "pk"):
        by_owner.setdefault(action.owner_id, []).append(action)
    lines = ActionLine.objects.bulk_create(
        ActionLine(action=action, report=report)
        for report in reports
        for action in by_owner.get(report.agency_id, [])
    )
    return len(lines)
