"""Actions that close the gap: the province's list for a year, creating one from a point at
stake, an action's page (its lines across reports, its history), and reporting on a line from
the agency's report.

Reads go through `access` (`gap_actions_for`, `action_lines_for`, `report_for`); writes through
`parindex.forecasting.actions`, which check who may do what.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from parindex.forecasting import actions, tracking
from parindex.forecasting.gather import ForecastData, NoForecast, build
from parindex.forecasting.models import ActionLine, ActionStatus, GapAction
from parindex.lib.numbers import format_decimal
from parindex.orgs import access
from parindex.orgs.models import AGENCY_KINDS, Organisation
from parindex.reporting.models import TargetStatus
from parindex.reporting.reading import ActionLineReading, action_lines
from parindex.web.gap_action_forms import GapActionForm
from parindex.web.views.common import add_action_errors

FILTERS = {
    "open": gettext_lazy("Open"),
    "late": gettext_lazy("Late"),
    "done": gettext_lazy("Done"),
    "dropped": gettext_lazy("Dropped"),
}
HISTORY_LABELS = {
    "forecasting.action.create": gettext_lazy("Created"),
    "forecasting.action.update": gettext_lazy("Changed"),
    "forecasting.action.done": gettext_lazy("Marked done"),
    "forecasting.action.drop": gettext_lazy("Dropped"),
    "forecasting.action.reopen": gettext_lazy("Reopened"),
}
FIELD_LABELS = {
    "title": gettext_lazy("What will be done"),
    "owner": gettext_lazy("Owner agency"),
    "deadline": gettext_lazy("Deadline"),
    "expected_points": gettext_lazy("Points expected"),
    "baseline_points": gettext_lazy("Points then"),
    "note": gettext_lazy("Note"),
    "status": gettext_lazy("Status"),
    "reports": gettext_lazy("Lines added to reports"),
}
STATUS_LABELS = dict(ActionStatus.choices)


def _forecast(province: Organisation, year: int) -> tuple[ForecastData | None, str]:
    try:
        return build(province, year), ""
    except NoForecast as none:
        return None, none.reason


def _province(request: HttpRequest, province_id: int) -> Organisation:
    if not access.reads_gap_actions(request.user, province_id):
        raise Http404("no actions")
    return access.province_for(request.user, province_id)


def _owners(request: HttpRequest, province: Organisation) -> Any:
    """The province's agencies of today, those an action may be given to."""
    return (
        access.organisations_for(request.user)
        .filter(province=province, kind__in=AGENCY_KINDS)
        .current()
        .order_by("kind", "name")
    )


# --- the list --------------------------------------------------------------------------------


@login_required
def gap_action_list(request: HttpRequest, province_id: int, year: int) -> HttpResponse:
    province = _province(request, province_id)
    today = timezone.localdate()
    actions_qs = (
        access.gap_actions_for(request.user)
        .filter(province=province, year=year)
        .select_related("owner")
        .order_by("deadline", "pk")
    )
    data, reason = _forecast(province, year)
    if data is not None:
        followed = tracking.track(data, actions_qs, today=today)
        rows = followed.rows
    else:
        followed = None
        rows = [
            tracking.Tracked(a, "", a.late_on(today), None, None, tracking.Effect.WAITING)
            for a in actions_qs
        ]
    owners = sorted({r.action.owner for r in rows}, key=lambda o: o.name)
    show = request.GET.get("show", "")
    owner = request.GET.get("owner", "")
    if show in FILTERS:
        rows = [r for r in rows if (r.late if show == "late" else r.action.status == show)]
    if owner.isdigit():
        rows = [r for r in rows if r.action.owner_id == int(owner)]
    return render(
        request,
        "web/forecast/actions.html",
        {
            "province": province,
            "year": year,
            "rows": rows,
            "tracking": followed,
            "reason": reason,
            "filters": FILTERS.items(),
            "show": show,
            "owners": owners,
            "owner": int(owner) if owner.isdigit() else None,
            "can_create": access.can_manage_gap_actions(request.user, province.pk)
            and data is not None,
            "stakes": _stake_rows(data)[:10] if data is not None else [],
        },
    )


@dataclass(frozen=True)
class StakeRow:
    code: str
    name: str
    recoverable: Any
    gain: Any
    lead: str


def _stake_rows(data: ForecastData) -> list[StakeRow]:
    return [
        StakeRow(
            s.code,
            data.names.get(s.code, ""),
            s.recoverable,
            s.next_gain,
            ", ".join(o.short_name or o.name for o in data.leads.get(s.code, [])),
        )
        for s in data.result.stakes
        if s.recoverable > 0
    ]


# --- creating and changing -------------------------------------------------------------------


def _points_text(value: Any) -> str:
    return format_decimal(value, places=None, lang="vi")


@login_required
def gap_action_create(request: HttpRequest, province_id: int, year: int) -> HttpResponse:
    province = _province(request, province_id)
    if not access.can_manage_gap_actions(request.user, province.pk):
        raise PermissionDenied
    data, reason = _forecast(province, year)
    if data is None:
        messages.error(request, reason)
        return redirect("gap_action_list", province_id=province.pk, year=year)
    stakes = _stake_rows(data)
    choices = [
        (
            s.code,
            _("%(code)s %(name)s (%(points)s points to win)")
            % {"code": s.code, "name": s.name[:90], "points": _points_text(s.recoverable)},
        )
        for s in stakes
    ]
    owners = _owners(request, province)
    code = request.GET.get("code", "")
    chosen = next((s for s in data.result.stakes if s.code == code and s.recoverable > 0), None)
    initial: dict[str, Any] = {}
    if chosen is not None:
        today = timezone.localdate()
        lead = next(
            (o for o in data.leads.get(chosen.code, []) if o.is_valid_on(today)),
            None,
        )
        initial = {
            "node_code": chosen.code,
            "owner": lead.pk if lead is not None else None,
            "expected_points": _points_text(chosen.next_gain or chosen.recoverable),
        }
    form = GapActionForm(request.POST or None, stakes=choices, owners=owners, initial=initial)
    if request.method == "POST" and form.is_valid():
        given = form.cleaned_data
        try:
            action = actions.create_action(
                province,
                by=access.actor(request.user),
                year=year,
                node_code=given["node_code"],
                title=given["title"],
                owner=given["owner"],
                deadline=given["deadline"],
                expected_points=given["expected_points"],
                note=given.get("note") or "",
            )
        except ValidationError as refusal:
            add_action_errors(form, refusal)
        else:
            lines = action.lines.count()
            messages.success(
                request,
                _("The action is created; it was added to %(n)s report(s) being written.")
                % {"n": lines}
                if lines
                else _("The action is created; it will be in the owner's next report."),
            )
            return redirect("gap_action_detail", pk=action.pk)
    stake = chosen
    if stake is None and form.is_bound:
        stake = next((s for s in data.result.stakes if s.code == form.data.get("node_code")), None)
    return render(
        request,
        "web/forecast/action_form.html",
        {
            "form": form,
            "province": province,
            "year": year,
            "stake": stake,
            "stake_name": data.names.get(stake.code, "") if stake is not None else "",
            "creating": True,
        },
    )


@login_required
def gap_action_edit(request: HttpRequest, pk: int) -> HttpResponse:
    action = access.gap_action_for(request.user, pk)
    if not access.can_manage_gap_actions(request.user, action.province_id):
        raise PermissionDenied
    initial = {
        "title": action.title,
        "owner": action.owner_id,
        "deadline": action.deadline,
        "expected_points": _points_text(action.expected_points),
        "note": action.note,
    }
    form = GapActionForm(
        request.POST or None,
        stakes=[],
        owners=_owners(request, action.province),
        fixed_code=True,
        initial=initial,
    )
    if request.method == "POST" and form.is_valid():
        given = form.cleaned_data
        try:
            actions.update_action(
                action,
                by=access.actor(request.user),
                title=given["title"],
                owner=given["owner"],
                deadline=given["deadline"],
                expected_points=given["expected_points"],
                note=given.get("note") or "",
            )
        except ValidationError as refusal:
            add_action_errors(form, refusal)
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("gap_action_detail", pk=action.pk)
    return render(
        request,
        "web/forecast/action_form.html",
        {
            "form": form,
            "province": action.province,
            "year": action.year,
            "action": action,
            "creating": False,
        },
    )


@login_required
@require_POST
def gap_action_status(request: HttpRequest, pk: int) -> HttpResponse:
    action = access.gap_action_for(request.user, pk)
    if not access.can_manage_gap_actions(request.user, action.province_id):
        raise PermissionDenied
    try:
        actions.set_action_status(
            action, by=access.actor(request.user), status=request.POST.get("status", "")
        )
    except ValidationError as refusal:
        for message in refusal.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The action's status is changed."))
    return redirect("gap_action_detail", pk=action.pk)


# --- an action's page ------------------------------------------------------------------------


@dataclass
class HistoryRow:
    entry: Any
    label: str
    changes: list[tuple[str, str, str]]


def _change_text(name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if name == "status" and value in STATUS_LABELS:
        return str(STATUS_LABELS[value])
    if name == "deadline" and isinstance(value, str):
        try:
            return date.fromisoformat(value).strftime("%d/%m/%Y")
        except ValueError:
            return value
    if name in ("expected_points", "baseline_points"):
        try:
            return _points_text(Decimal(str(value)))
        except InvalidOperation:
            return str(value)
    if isinstance(value, list):
        return "; ".join(str(v) for v in value) or "—"
    return str(value)


def _history(entries: list[Any]) -> list[HistoryRow]:
    return [
        HistoryRow(
            entry,
            str(HISTORY_LABELS.get(entry.action, entry.action)),
            [
                (str(FIELD_LABELS.get(name, name)), _change_text(name, a), _change_text(name, b))
                for name, a, b in entry.describe_changes()
            ],
        )
        for entry in entries
    ]


@login_required
def gap_action_detail(request: HttpRequest, pk: int) -> HttpResponse:
    action = access.gap_action_for(request.user, pk)
    lines = list(
        access.action_lines_for(request.user)
        .filter(action=action)
        .select_related("report__round", "report__agency", "updated_by")
        .order_by("report__round__starts_on", "report__round__ends_on", "pk")
    )
    data, reason = _forecast(action.province, action.year)
    followed = tracking.track(data, [action]).rows[0] if data is not None else None
    name = data.names.get(action.node_code, "") if data is not None else ""
    return render(
        request,
        "web/forecast/action_detail.html",
        {
            "action": action,
            "name": name,
            "row": followed,
            "reason": reason,
            "late": action.late_on(timezone.localdate()),
            "lines": lines,
            "history": _history(list(access.history_of(request.user, action))),
            "can_manage": access.can_manage_gap_actions(request.user, action.province_id),
            "statuses": [s for s in ActionStatus.choices if s[0] != action.status],
        },
    )


# --- a line of a report ----------------------------------------------------------------------


@dataclass
class LineRow:
    reading: ActionLineReading
    editable: bool
    status: str
    description: str
    status_error: str = ""
    description_error: str = ""
    saved: bool = False

    @property
    def line(self) -> ActionLine:
        return self.reading.line

    @property
    def action(self) -> GapAction:
        return self.reading.line.action


def line_rows(readings: list[ActionLineReading], *, editable: bool) -> list[LineRow]:
    return [LineRow(r, editable, r.line.status, r.line.description) for r in readings]


def line_context(report: Any, rows: list[LineRow]) -> dict[str, Any]:
    return {"action_lines": rows, "report": report, "line_statuses": TargetStatus.choices}


@login_required
@require_POST
def report_action_line(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    report = access.report_for(request.user, pk)
    readings = [r for r in action_lines(request.user, report) if r.line.pk == line_id]
    if not readings:
        raise Http404("no such line")
    if not access.can_edit(request.user, report):
        raise PermissionDenied
    reading = readings[0]
    status = request.POST.get("status", "")
    description = request.POST.get("description", "")
    row = LineRow(reading, True, status, description)
    htmx = bool(request.headers.get("HX-Request"))
    try:
        saved = actions.report_on_action(
            reading.line, by=access.actor(request.user), status=status, description=description
        )
    except ValidationError as refusal:
        problems = refusal.message_dict if hasattr(refusal, "error_dict") else {}
        row.status_error = "; ".join(problems.get("status", []))
        row.description_error = "; ".join(problems.get("description", refusal.messages[:1]))
        if htmx:
            return render(
                request,
                "web/reporting/_action_line.html",
                {**line_context(report, [row]), "row": row},
                status=422,
            )
        for message in refusal.messages:
            messages.error(request, message)
        return redirect(reverse("report_detail", args=[report.pk]) + f"#action-line-{line_id}")
    reading.line.status, reading.line.description = saved.status, saved.description
    reading.line.updated_by, reading.line.updated_at = saved.updated_by, saved.updated_at
    if htmx:
        row = LineRow(reading, True, saved.status, saved.description, saved=True)
        return render(
            request,
            "web/reporting/_action_line.html",
            {**line_context(report, [row]), "row": row},
        )
    messages.success(request, _("Your changes were saved."))
    return redirect(reverse("report_detail", args=[report.pk]) + f"#action-line-{line_id}")
