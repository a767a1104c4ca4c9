"""Periodic reporting through the API: the same rounds, reports, rules and audit as the screens.

An agency's own system can fill and submit its report with a personal token of its reporter or
head (`Authorization: Bearer pi_...`): `can_edit`, `can_submit` and `can_review` apply exactly
as on the screens, and each write is in the report's history with channel "api".
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import FileResponse, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from parindex.api.errors import FieldErrorsOut, StaleOut
from parindex.lib.collation import sort_key
from parindex.lib.numbers import NumberFormatError, parse_decimal
from parindex.lib.text import nfc
from parindex.orgs import access
from parindex.reporting import actions, overview, reading
from parindex.reporting.downloads import evidence_response
from parindex.reporting.models import (
    Evidence,
    PeriodKind,
    Report,
    Round,
    Value,
)

router = Router(tags=["reporting"])


# --- schemas ------------------------------------------------------------------------------------


class RoundOut(Schema):
    id: int
    plan_id: int
    kind: str
    number: int
    starts_on: date
    ends_on: date
    deadline: date
    title: str
    remind_days_before: int
    remind_days_after: str
    report_count: int


class RoundIn(Schema):
    plan_id: int
    kind: str
    deadline: date
    number: int = 1  # the quarter, 1 to 4
    starts_on: date | None = None  # a custom range's first and last day
    ends_on: date | None = None
    title: str = ""
    remind_days_before: int = 3
    remind_days_after: str = "1,3,7"
    notify: bool = True


class ReportSummaryOut(Schema):
    id: int
    round_id: int
    agency_id: int
    agency: str
    status: str
    state: str  # draft, submitted, returned, accepted, late or missing (after the deadline)
    late: bool
    version: int
    submitted_at: datetime | None
    deadline: date


class CountsOut(Schema):
    numerator: Decimal | None
    denominator: Decimal | None
    rate: Decimal | None


class ValueOut(Schema):
    id: int
    quantity_id: int
    subject: str
    unit: str
    comparator: str
    target: Decimal
    target_high: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    rate: Decimal | None  # numerator × 100 / denominator for percent quantities
    previous: CountsOut | None  # the same agency's value in the previous round of the plan


class EvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    uploaded_at: datetime
    download: str


class ValueChangeOut(Schema):
    value_id: int
    before: CountsOut
    after: CountsOut


class SinceReviewOut(Schema):
    """What changed since the reviewer last accepted, returned or reopened the target: each
    field as it was then (before) and is now (after); a field left out did not change."""

    reviewed_at: datetime | None
    status: list[str] | None  # [before, after]
    description: list[str] | None  # [before, after]
    values: list[ValueChangeOut]


class ItemOut(Schema):
    id: int
    target_id: int
    target: str
    area: str | None
    lead: bool
    status: str
    description: str
    review: str
    review_comment: str
    editable: bool
    previous_status: str | None
    values: list[ValueOut]
    evidence: list[EvidenceOut]
    # None when the target was never reviewed.
    since_review: SinceReviewOut | None


class HistoryOut(Schema):
    at: datetime
    actor: str
    channel: str  # web, api, cli or system
    action: str
    changes: dict[str, Any]  # field: [before, after]


class ReportActionOut(Schema):
    """A line an action to close the gap added to the report (`PUT /api/gap-actions/lines/{id}`
    reports on it)."""

    id: int
    action_id: int
    node_code: str
    node: str
    title: str
    deadline: date
    expected_points: Decimal
    status: str
    description: str


class ReportOut(ReportSummaryOut):
    round_title: str
    plan_id: int
    narrative: str
    can_edit: bool
    can_submit: bool
    can_review: bool
    items: list[ItemOut]
    actions: list[ReportActionOut]  # actions to close the gap the agency reports on
    history: list[HistoryOut]  # newest first, as far as the caller may read the audit log


class ValueIn(Schema):
    id: int
    # A number, or text written the Vietnamese way ("95,5"); null clears it.
    numerator: Decimal | str | None = None
    denominator: Decimal | str | None = None


class ItemIn(Schema):
    id: int
    status: str | None = None  # done, on_track, at_risk, not_started or "" (left as is when null)
    description: str | None = None
    values: list[ValueIn] = []


class ReportIn(Schema):
    version: int  # the report's version when it was read; an older one is refused with 409
    narrative: str | None = None
    items: list[ItemIn] = []


class ReviewIn(Schema):
    accept: bool
    comment: str = ""


class OverviewQuantityOut(Schema):
    quantity_id: int
    subject: str
    unit: str
    comparator: str
    target: Decimal
    target_high: Decimal | None
    numerator: Decimal
    denominator: Decimal | None
    value: Decimal | None  # the province value: sum of numerators × 100 / sum of denominators
    light: str  # green, amber, red, grey (no figures), not_due (before the year ends)
    reporting: int


class OverviewTargetOut(Schema):
    target_id: int
    text: str
    area: str | None
    light: str  # as above
    statuses: dict[str, int]
    quantities: list[OverviewQuantityOut]


class OverviewOut(Schema):
    round: RoundOut
    counts: dict[str, int]
    reports: list[ReportSummaryOut]
    targets: list[OverviewTargetOut]


# --- helpers ------------------------------------------------------------------------------------


def _round_out(round_: Round, report_count: int | None = None) -> dict[str, Any]:
    data = {name: getattr(round_, name) for name in RoundOut.model_fields if name != "report_count"}
    data["report_count"] = (
        report_count if report_count is not None else getattr(round_, "report_count", 0)
    )
    return data


def _summary(report: Report, today: date) -> dict[str, Any]:
    return {
        "id": report.pk,
        "round_id": report.round_id,
        "agency_id": report.agency_id,
        "agency": report.agency.name,
        "status": report.status,
        "state": actions.state_on(report, today),
        "late": report.late,
        "version": report.version,
        "submitted_at": report.submitted_at,
        "deadline": report.round.deadline,
    }


def _counts(value: Value | None) -> dict[str, Any] | None:
    if value is None:
        return None
    return {"numerator": value.numerator, "denominator": value.denominator, "rate": value.rate}


def _visible_report(request: HttpRequest, report_id: int) -> Report:
    return access.report_for(request.user, report_id)


def _visible_round(request: HttpRequest, round_id: int) -> Round:
    round_ = access.round_for(request.user, round_id)
    round_.report_count = round_.reports.count()  # type: ignore[attr-defined]
    return round_


def _evidence_out(evidence: Evidence) -> dict[str, Any]:
    return {
        "id": evidence.pk,
        "name": evidence.name,
        "content_type": evidence.content_type,
        "size": evidence.size,
        "uploaded_at": evidence.uploaded_at,
        "download": f"/api/reporting/evidence/{evidence.pk}",
    }


def _item_out(line: reading.ItemReading, report: Report, editable: bool) -> dict[str, Any]:
    item, before = line.item, line.previous
    return {
        "id": item.pk,
        "target_id": item.target_id,
        "target": item.target.text,
        "area": item.target.area.number if item.target.area else None,
        "lead": item.lead,
        "status": item.status,
        "description": item.description,
        "review": item.review,
        "review_comment": item.review_comment,
        "editable": editable and not (item.review == "accepted" and report.status == "returned"),
        "previous_status": before.status if before else None,
        "values": [
            {
                "id": v.value.pk,
                "quantity_id": v.quantity.pk,
                "subject": v.quantity.subject,
                "unit": v.quantity.unit,
                "comparator": v.quantity.comparator,
                "target": v.quantity.value,
                "target_high": v.quantity.value_high,
                "numerator": v.value.numerator,
                "denominator": v.value.denominator,
                "rate": v.value.rate if v.is_rate else None,
                "previous": _counts(v.previous),
            }
            for v in line.values
        ],
        "evidence": [_evidence_out(e) for e in line.evidence],
        "since_review": _since_review_out(line.since_review, item.reviewed_at),
    }


def _pair_out(pair: reading.Pair, is_rate: bool) -> dict[str, Any]:
    numerator, denominator = pair
    rate = (
        numerator * 100 / denominator if is_rate and numerator is not None and denominator else None
    )
    return {"numerator": numerator, "denominator": denominator, "rate": rate}


def _since_review_out(
    changes: reading.SinceReview | None, reviewed_at: datetime | None
) -> dict[str, Any] | None:
    if changes is None:
        return None
    return {
        "reviewed_at": reviewed_at,
        "status": list(changes.status) if changes.status else None,
        "description": list(changes.description) if changes.description else None,
        "values": [
            {
                "value_id": change.reading.value.pk,
                "before": _pair_out(change.before, change.reading.is_rate),
                "after": _pair_out(change.after, change.reading.is_rate),
            }
            for change in changes.values
        ],
    }


def _report_out(request: HttpRequest, report: Report) -> dict[str, Any]:
    user = request.user
    seen = reading.read_report(user, report)
    can_edit = access.can_edit(user, report)
    return {
        **_summary(report, timezone.localdate()),
        "round_title": report.round.title,
        "plan_id": report.round.plan_id,
        "narrative": report.narrative,
        "can_edit": can_edit,
        "can_submit": access.can_submit(user, report),
        "can_review": access.can_review(user, report),
        "items": [_item_out(line, report, can_edit) for line in seen.items],
        "actions": [
            {
                "id": found.line.pk,
                "action_id": found.line.action_id,
                "node_code": found.line.action.node_code,
                "node": found.name,
                "title": found.line.action.title,
                "deadline": found.line.action.deadline,
                "expected_points": found.line.action.expected_points,
                "status": found.line.status,
                "description": found.line.description,
            }
            for found in seen.actions
        ],
        "history": [
            {
                "at": entry.at,
                "actor": entry.actor_name,
                "channel": entry.channel,
                "action": entry.action,
                "changes": entry.changes,
            }
            for entry in seen.history
        ],
    }


def _number(text: Decimal | str | None, key: str, errors: dict[str, list[str]]) -> Decimal | None:
    if text is None or isinstance(text, Decimal):
        return text
    if not text.strip():
        return None
    try:
        return parse_decimal(text)
    except (NumberFormatError, InvalidOperation):
        errors[key] = [_("Enter a number, such as 95,5.")]
        return None


# --- rounds -------------------------------------------------------------------------------------


@router.get(
    "/rounds", response=list[RoundOut], summary="Reporting rounds the caller follows or reports in"
)
def list_rounds(request: HttpRequest, plan_id: int | None = None) -> list[dict[str, Any]]:
    rounds = access.rounds_for(request.user).annotate(report_count=Count("reports"))
    if plan_id:
        rounds = rounds.filter(plan_id=plan_id)
    return [_round_out(r) for r in rounds.order_by("-deadline", "-pk")]


@router.post(
    "/rounds",
    response={201: RoundOut},
    summary="Open a round (coordinators): one report per responsible agency",
)
def open_round(request: HttpRequest, payload: RoundIn) -> Status[dict[str, Any]]:
    plan = access.plan_for(request.user, payload.plan_id)
    if payload.kind not in PeriodKind.values:
        raise ValidationError(
            {"kind": _("Use one of: %(kinds)s.") % {"kinds": ", ".join(PeriodKind.values)}}
        )
    round_ = actions.open_round(
        plan,
        by=access.actor(request.user),
        kind=payload.kind,
        number=payload.number if payload.kind == PeriodKind.QUARTER else 1,
        deadline=payload.deadline,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        title=nfc(payload.title).strip(),
        remind_days_before=payload.remind_days_before,
        remind_days_after=payload.remind_days_after,
        notify=payload.notify,
    )
    return Status(201, _round_out(round_, round_.reports.count()))


@router.get("/rounds/{int:round_id}", response=RoundOut)
def get_round(request: HttpRequest, round_id: int) -> dict[str, Any]:
    return _round_out(_visible_round(request, round_id))


@router.get(
    "/rounds/{int:round_id}/overview",
    response=OverviewOut,
    summary="Who reported, each target's status and the province values (coordinators, leaders, appraisers)",
)
def round_overview(request: HttpRequest, round_id: int) -> dict[str, Any]:
    round_ = _visible_round(request, round_id)
    if not access.can_follow_round(request.user, round_):
        raise PermissionDenied(_("Only Home Affairs, leaders and appraisers follow a round."))
    today = timezone.localdate()
    reports = list(
        access.reports_for(request.user)
        .filter(round=round_)
        .select_related("agency", "round")
        .order_by("pk")
    )
    reports.sort(key=lambda r: sort_key(r.agency.name))
    view = overview.build(round_, today=today, reports=reports)
    areas = {a.pk: a.number for a in round_.plan.areas.all()}
    return {
        "round": _round_out(round_),
        "counts": view.counts,
        "reports": [_summary(r, today) for r in reports],
        "targets": [
            {
                "target_id": row.target.pk,
                "text": row.target.text,
                "area": areas.get(row.target.area_id) if row.target.area_id else None,
                "light": str(row.light),
                "statuses": row.statuses,
                "quantities": [
                    {
                        "quantity_id": q.quantity.pk,
                        "subject": q.quantity.subject,
                        "unit": q.quantity.unit,
                        "comparator": q.quantity.comparator,
                        "target": q.quantity.value,
                        "target_high": q.quantity.value_high,
                        "numerator": q.aggregate.numerator,
                        "denominator": q.aggregate.denominator,
                        "value": q.aggregate.value,
                        "light": str(q.light),
                        "reporting": q.aggregate.reporting,
                    }
                    for q in row.quantities
                ],
            }
            for row in view.targets
        ],
    }


# --- reports ------------------------------------------------------------------------------------


@router.get("/reports", response=list[ReportSummaryOut], summary="Reports the caller may see")
def list_reports(
    request: HttpRequest,
    round_id: int | None = None,
    agency_id: int | None = None,
    status: str | None = None,
) -> list[dict[str, Any]]:
    reports = access.reports_for(request.user).select_related("round", "agency")
    if round_id:
        reports = reports.filter(round_id=round_id)
    if agency_id:
        reports = reports.filter(agency_id=agency_id)
    if status:
        reports = reports.filter(status=status)
    today = timezone.localdate()
    ordered = sorted(
        reports.order_by("-round__deadline", "pk"),
        key=lambda r: (-r.round.deadline.toordinal(), sort_key(r.agency.name)),
    )
    return [_summary(r, today) for r in ordered]


@router.get("/reports/{int:report_id}", response=ReportOut)
def get_report(request: HttpRequest, report_id: int) -> dict[str, Any]:
    return _report_out(request, _visible_report(request, report_id))


@router.put(
    "/reports/{int:report_id}",
    response={200: ReportOut, 409: StaleOut, 422: FieldErrorsOut},
    summary="Save values, progress and the narrative; carries the version read (409 when stale)",
)
def save_report(request: HttpRequest, report_id: int, payload: ReportIn) -> Status[dict[str, Any]]:
    report = _visible_report(request, report_id)
    if not access.can_edit(request.user, report):
        raise PermissionDenied(_("You are not allowed to make this change."))
    items = {i.pk: i for i in report.items.all()}
    errors: dict[str, list[str]] = {}
    inputs: dict[int, actions.ItemInput] = {}
    for entry in payload.items:
        item = items.get(entry.id)
        if item is None:
            errors[f"i{entry.id}"] = [
                _("Item %(id)s is not part of this report.") % {"id": entry.id}
            ]
            continue
        values = {}
        for value in entry.values:
            key = f"v{value.id}-"
            values[value.id] = (
                _number(value.numerator, key + "numerator", errors),
                _number(value.denominator, key + "denominator", errors),
            )
        inputs[item.pk] = actions.ItemInput(
            status=item.status if entry.status is None else entry.status.strip(),
            description=item.description
            if entry.description is None
            else nfc(entry.description).strip(),
            values=values,
        )
    if errors:
        return Status(422, {"detail": "invalid input", "errors": errors})
    narrative = None if payload.narrative is None else nfc(payload.narrative).strip()
    try:
        saved, field_errors = actions.save_report(
            report,
            by=access.actor(request.user),
            version=payload.version,
            narrative=narrative,
            items=inputs,
        )
    except actions.StaleReport as stale:
        report.refresh_from_db(fields=["version"])
        return Status(
            409, {"detail": str(stale), "changes": stale.changes, "version": report.version}
        )
    if field_errors:
        return Status(
            422,
            {
                "detail": "invalid input",
                "errors": {key: [message] for key, message in field_errors.items()},
            },
        )
    return Status(200, _report_out(request, _visible_report(request, saved.pk)))


@router.post(
    "/reports/{int:report_id}/submit",
    response=ReportOut,
    summary="The agency head submits the report (after the deadline it is recorded as late)",
)
def submit_report(request: HttpRequest, report_id: int) -> dict[str, Any]:
    report = _visible_report(request, report_id)
    actions.submit_report(report, by=access.actor(request.user))
    return _report_out(request, _visible_report(request, report_id))


@router.post(
    "/reports/{int:report_id}/items/{int:item_id}/review",
    response=ItemOut,
    summary="Accept a target's report, or return it with a comment (Home Affairs, appraisers)",
)
def review_item(
    request: HttpRequest, report_id: int, item_id: int, payload: ReviewIn
) -> dict[str, Any]:
    report = _visible_report(request, report_id)
    item = access.item_for(request.user, report, item_id)
    actions.review_item(
        item,
        by=access.actor(request.user),
        accept=payload.accept,
        comment=nfc(payload.comment).strip(),
    )
    report.refresh_from_db()
    out = _report_out(request, report)
    return next(i for i in out["items"] if i["id"] == item_id)


class ReopenIn(Schema):
    comment: str  # why the accepted target is reopened; the agency reads it


@router.post(
    "/reports/{int:report_id}/items/{int:item_id}/reopen",
    response=ItemOut,
    summary="Reopen an accepted target for changes, with the reason (Home Affairs, appraisers)",
)
def reopen_item(
    request: HttpRequest, report_id: int, item_id: int, payload: ReopenIn
) -> dict[str, Any]:
    report = _visible_report(request, report_id)
    item = access.item_for(request.user, report, item_id)
    actions.reopen_item(item, by=access.actor(request.user), comment=payload.comment)
    report.refresh_from_db()
    out = _report_out(request, report)
    return next(i for i in out["items"] if i["id"] == item_id)


@router.post(
    "/reports/{int:report_id}/finish-review",
    response=ReportOut,
    summary="Close the review: accepted when every target is, returned when any target was",
)
def finish_review(request: HttpRequest, report_id: int) -> dict[str, Any]:
    report = _visible_report(request, report_id)
    actions.finish_review(report, by=access.actor(request.user))
    return _report_out(request, _visible_report(request, report_id))


# --- evidence -------------------------------------------------------------------------------------


@router.post(
    "/reports/{int:report_id}/items/{int:item_id}/evidence",
    response={201: EvidenceOut},
    summary="Attach an evidence file (PDF, DOCX, XLSX, PNG, JPEG; the type is judged by content)",
)
def add_evidence(
    request: HttpRequest, report_id: int, item_id: int, file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    report = _visible_report(request, report_id)
    item = access.item_for(request.user, report, item_id)
    evidence = actions.add_evidence(item, by=access.actor(request.user), upload=file)
    return Status(201, _evidence_out(evidence))


def _visible_evidence(request: HttpRequest, evidence_id: int) -> Evidence:
    return access.evidence_for(request.user, evidence_id)


@router.get("/evidence/{int:evidence_id}", summary="Download an evidence file")
def download_evidence(request: HttpRequest, evidence_id: int) -> FileResponse:
    return evidence_response(_visible_evidence(request, evidence_id))


@router.delete(
    "/evidence/{int:evidence_id}", response={204: None}, summary="Remove an evidence file"
)
def remove_evidence(request: HttpRequest, evidence_id: int) -> Status[None]:
    actions.remove_evidence(_visible_evidence(request, evidence_id), by=access.actor(request.user))
    return Status(204, None)
