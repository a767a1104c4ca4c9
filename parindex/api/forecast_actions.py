"""Actions that close the gap through the API: the same actions, access rule and audit as the
screens. Home Affairs creates and changes actions; the owner agency's reporters and head report
on the lines the actions added to their reports, while the report can be edited."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from parindex.api.errors import FieldErrorsOut
from parindex.forecasting import actions
from parindex.forecasting.models import ActionLine, GapAction
from parindex.lib.numbers import NumberFormatError, parse_decimal
from parindex.orgs import access
from parindex.orgs.models import Organisation

router = Router(tags=["actions to close the gap"])


class LineOut(Schema):
    id: int
    action_id: int
    report_id: int
    round_title: str
    report_status: str
    status: str  # done, on_track, at_risk, not_started or ""
    description: str
    updated_at: datetime | None
    editable: bool  # whether the caller may report on it now


class ActionOut(Schema):
    id: int
    province_id: int
    year: int
    framework_id: int
    node_code: str
    title: str
    owner_id: int
    owner: str
    deadline: date
    expected_points: Decimal
    baseline_points: Decimal  # the sub-criterion's expected points when the action was created
    baseline_as_of: date | None  # the end of the latest period that forecast counted
    status: str  # open, done or dropped
    late: bool  # open after its deadline
    done_at: datetime | None
    note: str
    created_at: datetime


class ActionDetailOut(ActionOut):
    lines: list[LineOut]  # the lines it added to the owner's reports, as far as the caller reads


class ActionIn(Schema):
    province_id: int
    year: int
    node_code: str  # a sub-criterion of the forecast's tree with points to win
    title: str
    owner_id: int
    deadline: date
    expected_points: Decimal | str  # a number, or text written the Vietnamese way ("0,5")
    note: str = ""


class ActionPatch(Schema):
    title: str | None = None
    owner_id: int | None = None
    deadline: date | None = None
    expected_points: Decimal | str | None = None
    note: str | None = None


class StatusIn(Schema):
    status: str  # open (reopen), done or dropped


class LineIn(Schema):
    status: str = ""
    description: str = ""


def _points(value: Decimal | str | None) -> Decimal | None:
    if value is None or isinstance(value, Decimal):
        return value
    try:
        return parse_decimal(value)
    except (NumberFormatError, InvalidOperation):
        raise ValidationError({"expected_points": _("Enter a number, such as 95,5.")}) from None


def _owner(request: HttpRequest, owner_id: int | None) -> Organisation | None:
    if owner_id is None:
        return None
    return access.organisations_for(request.user).filter(pk=owner_id).first()


def _action_out(action: GapAction) -> dict[str, Any]:
    return {
        "id": action.pk,
        "province_id": action.province_id,
        "year": action.year,
        "framework_id": action.framework_id,
        "node_code": action.node_code,
        "title": action.title,
        "owner_id": action.owner_id,
        "owner": action.owner.name,
        "deadline": action.deadline,
        "expected_points": action.expected_points,
        "baseline_points": action.baseline_points,
        "baseline_as_of": action.baseline_as_of,
        "status": action.status,
        "late": action.late_on(timezone.localdate()),
        "done_at": action.done_at,
        "note": action.note,
        "created_at": action.created_at,
    }


def _line_out(request: HttpRequest, line: ActionLine) -> dict[str, Any]:
    return {
        "id": line.pk,
        "action_id": line.action_id,
        "report_id": line.report_id,
        "round_title": line.report.round.title,
        "report_status": line.report.status,
        "status": line.status,
        "description": line.description,
        "updated_at": line.updated_at,
        "editable": access.can_edit(request.user, line.report),
    }


def _detail(request: HttpRequest, action: GapAction) -> dict[str, Any]:
    lines = (
        access.action_lines_for(request.user)
        .filter(action=action)
        .select_related("report__round")
        .order_by("report__round__starts_on", "pk")
    )
    return {**_action_out(action), "lines": [_line_out(request, line) for line in lines]}


@router.get(
    "",
    response=list[ActionOut],
    summary="Actions the caller reads (a province's coordinators and leaders all of them, an "
    "agency its own), filtered by province, year and status",
)
def list_actions(
    request: HttpRequest,
    province_id: int | None = None,
    year: int | None = None,
    status: str | None = None,
) -> list[dict[str, Any]]:
    query = access.gap_actions_for(request.user).select_related("owner")
    if province_id is not None:
        query = query.filter(province_id=province_id)
    if year is not None:
        query = query.filter(year=year)
    if status:
        query = query.filter(status=status)
    return [_action_out(a) for a in query.order_by("province_id", "-year", "deadline", "pk")]


@router.post(
    "",
    response={201: ActionDetailOut, 422: FieldErrorsOut},
    summary="Create an action from a point at stake (Home Affairs); it reaches the owner's "
    "reports being written at once, and its reports of rounds opened later",
)
def create_action(request: HttpRequest, payload: ActionIn) -> Status[dict[str, Any]]:
    province = access.province_for(request.user, payload.province_id)
    action = actions.create_action(
        province,
        by=access.actor(request.user),
        year=payload.year,
        node_code=payload.node_code,
        title=payload.title,
        owner=_owner(request, payload.owner_id),
        deadline=payload.deadline,
        expected_points=_points(payload.expected_points),
        note=payload.note,
    )
    return Status(201, _detail(request, access.gap_action_for(request.user, action.pk)))


@router.get("/{int:action_id}", response=ActionDetailOut, summary="An action and its lines")
def get_action(request: HttpRequest, action_id: int) -> dict[str, Any]:
    return _detail(request, access.gap_action_for(request.user, action_id))


@router.patch(
    "/{int:action_id}",
    response={200: ActionDetailOut, 422: FieldErrorsOut},
    summary="Change an action's title, owner, deadline, points expected or note (Home Affairs)",
)
def update_action(request: HttpRequest, action_id: int, payload: ActionPatch) -> dict[str, Any]:
    action = access.gap_action_for(request.user, action_id)
    owner = _owner(request, payload.owner_id)
    if payload.owner_id is not None and owner is None:
        raise ValidationError({"owner": _("Choose the agency that owns the action.")})
    actions.update_action(
        action,
        by=access.actor(request.user),
        title=payload.title,
        owner=owner,
        deadline=payload.deadline,
        expected_points=_points(payload.expected_points),
        note=payload.note,
    )
    return _detail(request, access.gap_action_for(request.user, action_id))


@router.post(
    "/{int:action_id}/status",
    response={200: ActionDetailOut, 422: FieldErrorsOut},
    summary="Mark an action done or dropped, or reopen it (Home Affairs)",
)
def set_status(request: HttpRequest, action_id: int, payload: StatusIn) -> dict[str, Any]:
    action = access.gap_action_for(request.user, action_id)
    actions.set_action_status(action, by=access.actor(request.user), status=payload.status)
    return _detail(request, access.gap_action_for(request.user, action_id))


@router.put(
    "/lines/{int:line_id}",
    response={200: LineOut, 422: FieldErrorsOut},
    summary="Report on an action's line of a report: progress and what was done (the owner "
    "agency's reporters and head, while the report can be edited)",
)
def report_on_line(request: HttpRequest, line_id: int, payload: LineIn) -> dict[str, Any]:
    line = (
        access.action_lines_for(request.user)
        .select_related("report__round", "report__agency")
        .filter(pk=line_id)
        .first()
    )
    if line is None:
        raise access.NotFound(f"line {line_id} not found")
    saved = actions.report_on_action(
        line, by=access.actor(request.user), status=payload.status, description=payload.description
    )
    saved.report = line.report
    return _line_out(request, saved)
