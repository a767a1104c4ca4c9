"""Periodic reporting: rounds, an agency's report with its evidence, review, and the overview.

Reads go through `access.reports_for` (a report the person may not see is a 404, and so is its
evidence); writes through `parindex.reporting.actions`, which check who may edit, submit and
review.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from html import escape as e
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from parindex.dossiers import feeds
from parindex.lib.collation import sort_key
from parindex.lib.numbers import format_decimal
from parindex.lib.text import nfc
from parindex.orgs import access, inputs
from parindex.orgs.models import AuditEntry
from parindex.plans.models import Area, Quantity
from parindex.reporting import actions, lights, overview, progress, reading
from parindex.reporting.downloads import evidence_response
from parindex.reporting.models import (
    STATE_LABELS,
    STATE_ORDER,
    Evidence,
    Item,
    PeriodKind,
    Report,
    ReportStatus,
    ReviewStatus,
    Round,
    TargetStatus,
    Value,
)
from parindex.web import audit_words, page_cache
from parindex.web.reporting_forms import RoundForm, number_input, read_number, read_report
from parindex.web.templatetags.parindex_tags import aim, points, score
from parindex.web.views import gap_actions
from parindex.web.views.common import add_action_errors, require_province

REVIEW_LABELS = dict(ReviewStatus.choices)
PROGRESS_LABELS = dict(TargetStatus.choices)
LIGHT_LABELS = {
    "green": gettext_lazy("On target"),
    "amber": gettext_lazy("Close to the target"),
    "red": gettext_lazy("Off target"),
    "grey": gettext_lazy("Nothing reported yet"),
    "not_due": gettext_lazy("Not yet due"),
}
ACTION_LABELS = {
    "reporting.report.save": gettext_lazy("Saved"),
    "reporting.report.submit": gettext_lazy("Submitted"),
    "reporting.report.return": gettext_lazy("Returned for corrections"),
    "reporting.report.accept": gettext_lazy("Accepted"),
    "reporting.item.review": gettext_lazy("Target reviewed"),
    "reporting.item.reopen": gettext_lazy("Accepted target reopened"),
    "reporting.evidence.add": gettext_lazy("Evidence added"),
    "reporting.evidence.remove": gettext_lazy("Evidence removed"),
    "reporting.action_line.save": gettext_lazy("Action to close the gap reported on"),
}
EXPORT_FORMATS = ("docx", "xlsx")
FIELD_LABELS = {
    "status": lambda: _("Status"),
    "late": lambda: _("Late"),
    "evidence": lambda: _("Evidence"),
    "narrative": lambda: _("Summary of the period"),
}


def _lang() -> str:
    return "vi" if (translation.get_language() or "vi").startswith("vi") else "en"


def _int(text: str | None) -> int:
    return int(text) if text and text.strip().isdigit() else 0


def _is_htmx(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request"))


def _report(request: HttpRequest, pk: int) -> Report:
    return access.report_for(request.user, pk)


def _rate(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    if numerator is None or not denominator:
        return None
    return numerator * 100 / denominator


# --- the report page ------------------------------------------------------------------------


@dataclass
class ValueRow:
    value: Value
    quantity: Quantity
    is_rate: bool
    numerator: str  # the text in the field
    denominator: str
    rate: Decimal | None
    numerator_error: str = ""
    denominator_error: str = ""
    previous: Value | None = None
    previous_rate: Decimal | None = None
    # After a refused stale save: what is stored now, where it differs from what was typed.
    saved_now: str = ""
    # The agency's stored figure against the target, at the time of year the round ends.
    light: str = progress.Light.NONE
    # The same rate computed from the one-stop-shop records, when the target is one of theirs.
    computed: feeds.ComputedRate | None = None
    computed_text: str = ""
    computed_disagrees: bool = False

    @property
    def light_label(self) -> str:
        return str(LIGHT_LABELS[self.light])


@dataclass
class ItemRow:
    item: Item
    values: list[ValueRow]
    status: str
    description: str
    editable: bool
    status_error: str = ""
    description_error: str = ""
    previous: Item | None = None
    evidence: list[Evidence] = field(default_factory=list)
    evidence_error: str = ""
    review_error: str = ""
    review_comment: str = ""
    status_saved_now: str = ""
    # Before → after since the reviewer last decided: (what, before, after), worded for people.
    since_review: list[tuple[str, str, str]] = field(default_factory=list)
    # The first field left empty (its id), while the agency can still fill it.
    empty_field: str = ""

    @property
    def has_error(self) -> bool:
        return bool(
            self.status_error
            or self.description_error
            or any(v.numerator_error or v.denominator_error for v in self.values)
        )

    @property
    def status_label(self) -> str:
        return str(PROGRESS_LABELS.get(self.status, ""))

    @property
    def previous_status_label(self) -> str:
        return str(PROGRESS_LABELS.get(self.previous.status, "")) if self.previous else ""


def _values_text(value: Value | None, lang: str) -> str:
    if value is None:
        return ""
    if value.quantity.unit == "percent":
        return f"{number_input(value.numerator, lang) or '—'} / {number_input(value.denominator, lang) or '—'}"
    return number_input(value.numerator, lang)


def _pair_text(pair: reading.Pair, is_rate: bool, lang: str) -> str:
    numerator, denominator = (format_decimal(n, places=None, lang=lang) for n in pair)
    if is_rate:
        return f"{numerator or '—'} / {denominator or '—'}"
    return numerator or "—"


def since_review_rows(changes: reading.SinceReview | None, lang: str) -> list[tuple[str, str, str]]:
    if not changes:
        return []
    rows = [
        (
            change.reading.quantity.subject,
            _pair_text(change.before, change.reading.is_rate, lang),
            _pair_text(change.after, change.reading.is_rate, lang),
        )
        for change in changes.values
    ]
    if changes.status:
        before, after = (str(PROGRESS_LABELS.get(s, "")) or "—" for s in changes.status)
        rows.append((_("Progress"), before, after))
    if changes.description:
        before, after = (text or "—" for text in changes.description)
        rows.append((_("What was done"), before, after))
    return rows


def item_rows(
    seen: reading.ReportReading,
    *,
    editable: bool,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    stale: bool = False,
) -> list[ItemRow]:
    """One row per target of the report, with what is shown in (or instead of) its fields."""
    lang = _lang()
    typed = typed or {}
    errors = errors or {}
    report = seen.report
    elapsed = lights.elapsed_of(report.round)
    rows = []
    for line in seen.items:
        item, before = line.item, line.previous
        value_rows = []
        for reading_value in line.values:
            value, is_rate = reading_value.value, reading_value.is_rate
            key = f"v{value.pk}-"
            numerator = typed.get(key + "numerator", number_input(value.numerator, lang))
            denominator = typed.get(key + "denominator", number_input(value.denominator, lang))
            try:
                rate = _rate(read_number(numerator), read_number(denominator))
            except ValueError:
                rate = None
            row = ValueRow(
                value,
                value.quantity,
                is_rate,
                numerator,
                denominator,
                rate if is_rate else None,
                errors.get(key + "numerator", ""),
                errors.get(key + "denominator", ""),
                reading_value.previous,
            )
            if row.previous is not None:
                row.previous_rate = row.previous.rate
            stored = value.rate if is_rate else value.numerator
            row.light = lights.quantity_light(value.quantity, stored, elapsed)
            if stale and (key + "numerator") in typed:
                try:
                    pair = (read_number(numerator), read_number(denominator) if is_rate else None)
                except ValueError:
                    pair = None
                if pair != (value.numerator, value.denominator if is_rate else None):
                    row.saved_now = _values_text(value, lang) or "—"
            value_rows.append(row)
        status_key = f"i{item.pk}-status"
        row_editable = editable and not (
            item.review == ReviewStatus.ACCEPTED and report.status == ReportStatus.RETURNED
        )
        status = typed.get(status_key, item.status) if row_editable else item.status
        description = (
            typed.get(f"i{item.pk}-description", item.description)
            if row_editable
            else item.description
        )
        item_row = ItemRow(
            item,
            value_rows,
            status,
            description,
            row_editable,
            status_error=errors.get(status_key, ""),
            description_error=errors.get(f"i{item.pk}-description", ""),
            previous=before,
            evidence=line.evidence,
            since_review=since_review_rows(line.since_review, lang),
        )
        if row_editable:
            item_row.empty_field = _first_empty(item_row)
        typed_progress = (status, description)
        if stale and status_key in typed and typed_progress != (item.status, item.description):
            saved = PROGRESS_LABELS.get(item.status, "—")
            item_row.status_saved_now = (
                f"{saved}: {item.description}" if item.description else str(saved)
            )
        rows.append(item_row)
    return rows


def _first_empty(row: ItemRow) -> str:
    """The id of the first field of a target the agency has not filled yet."""
    for v in row.values:
        if not v.numerator.strip():
            return f"v{v.value.pk}-numerator"
        if v.is_rate and not v.denominator.strip():
            return f"v{v.value.pk}-denominator"
    if not row.status:
        return f"i{row.item.pk}-status"
    return ""


@dataclass
class Attention:
    """What on the report page needs someone's attention, by kind, in page order; each kind
    is shown to the people who act on it (the agency fills, the reviewer decides)."""

    returned: list[ItemRow] = field(default_factory=list)
    pending: list[ItemRow] = field(default_factory=list)
    changed: list[ItemRow] = field(default_factory=list)
    empty: list[ItemRow] = field(default_factory=list)
    errors: list[ItemRow] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any((self.returned, self.pending, self.changed, self.empty, self.errors))


@dataclass
class AreaGroup:
    area: Area | None
    rows: list[ItemRow]
    attention: Attention

    @property
    def open(self) -> bool:
        return bool(self.attention)


def _attention(rows: list[ItemRow], *, editor: bool, reviewer: bool) -> Attention:
    found = Attention()
    for row in rows:
        if row.item.review == ReviewStatus.RETURNED:
            found.returned.append(row)
        if reviewer and row.item.review == ReviewStatus.PENDING:
            found.pending.append(row)
        if reviewer and row.since_review:
            found.changed.append(row)
        if editor and row.empty_field:
            found.empty.append(row)
        if row.has_error or row.review_error:
            found.errors.append(row)
    return found


@dataclass
class AttentionLink:
    anchor: str
    row: ItemRow


def attention_groups(attention: Attention) -> list[tuple[str, str, list[AttentionLink]]]:
    """The summary at the top of the report page: (kind, heading, links), kinds with none left
    out. A link to an empty target goes to its first empty field, any other to the target."""

    def links(rows: list[ItemRow], empty: bool = False) -> list[AttentionLink]:
        return [
            AttentionLink(row.empty_field if empty else f"item-{row.item.pk}", row) for row in rows
        ]

    kinds = [
        ("returned", _("Returned for corrections"), links(attention.returned)),
        ("changed", _("Changed since the last review"), links(attention.changed)),
        ("pending", _("Awaiting review"), links(attention.pending)),
        ("empty", _("Not filled in yet"), links(attention.empty, empty=True)),
    ]
    return [kind for kind in kinds if kind[2]]


def _group_by_area(rows: list[ItemRow], *, editor: bool, reviewer: bool) -> list[AreaGroup]:
    groups: dict[int | None, tuple[Area | None, list[ItemRow]]] = {}
    for row in rows:
        area = row.item.target.area
        groups.setdefault(area.pk if area else None, (area, []))[1].append(row)
    ordered = sorted(groups.values(), key=lambda g: (g[0] is None, g[0].position if g[0] else 0))
    return [
        AreaGroup(area, found, _attention(found, editor=editor, reviewer=reviewer))
        for area, found in ordered
    ]


@dataclass
class FieldError:
    anchor: str  # the id of the field (or of its target, when the field is not shown)
    field: str  # what the field holds: a quantity, the progress, ...
    target: str  # the target it belongs to ("" for the report's own fields)
    message: str


def field_errors(
    rows: list[ItemRow], narrative_error: str, *, review_field: str = "review"
) -> list[FieldError]:
    """Each refused field, in page order, for the list at the top of the page."""
    found = []
    if narrative_error:
        found.append(FieldError("narrative", _("Summary of the period"), "", narrative_error))
    for row in rows:
        item, target = row.item, row.item.target.text
        for v in row.values:
            for part, message in (
                ("numerator", v.numerator_error),
                ("denominator", v.denominator_error),
            ):
                if message:
                    anchor = f"v{v.value.pk}-{part}" if row.editable else f"item-{item.pk}"
                    found.append(FieldError(anchor, v.quantity.subject, target, message))
        for part, label, message in (
            ("status", _("Progress"), row.status_error),
            ("description", _("What was done"), row.description_error),
        ):
            if message:
                anchor = f"i{item.pk}-{part}" if row.editable else f"item-{item.pk}"
                found.append(FieldError(anchor, label, target, message))
        if row.review_error:
            found.append(
                FieldError(
                    f"{review_field}-{item.pk}", _("Reviewer's comment"), target, row.review_error
                )
            )
    return found


_PAIR = re.compile(r"^(None|-?[\d.]+)/(None|-?[\d.]+)$")


def _change_text(name: str, value: Any, lang: str) -> str:
    """A history value for people: statuses by their label, counts the Vietnamese way."""
    if value is None or value == "":
        return "—"
    if name == "status" and value in STATE_LABELS:
        return str(STATE_LABELS[value])
    text = str(value)
    match = _PAIR.match(text)
    if match:
        parts = [
            "—" if p == "None" else format_decimal(Decimal(p), places=None, lang=lang)
            for p in match.groups()
        ]
        return parts[0] if parts[1] == "—" else " / ".join(parts)
    head, _sep, rest = text.partition(" ")
    for labels in (REVIEW_LABELS, PROGRESS_LABELS):
        if head in labels:
            return f"{labels[head]} {rest}".strip()
    return audit_words.value_text("reporting.report", name, value)


@dataclass
class HistoryRow:
    entry: AuditEntry
    label: str
    changes: list[tuple[str, str, str]]


def history(entries: list[AuditEntry]) -> list[HistoryRow]:
    """The report's history as read (`reading.read_report`), worded for people."""
    lang = _lang()
    rows = []
    for entry in entries:
        changes = []
        for name, before, after in entry.describe_changes():
            label = (
                FIELD_LABELS[name]()
                if name in FIELD_LABELS
                else audit_words.field_label(entry.object_type, name)
            )
            if label.endswith(": progress"):  # "<target>…: progress", as save_report keys it
                label = f"{label.removesuffix('progress')}{_('progress')}"
            if name == "late":
                before, after = (None, _("yes") if after else _("no"))
            changes.append(
                (label, _change_text(name, before, lang), _change_text(name, after, lang))
            )
        action = ACTION_LABELS.get(entry.action)
        said = str(action) if action is not None else audit_words.action_label(entry.action)
        rows.append(HistoryRow(entry, said, changes))
    return rows


def _render_report(
    request: HttpRequest,
    report: Report,
    *,
    typed: dict[str, str] | None = None,
    errors: dict[str, str] | None = None,
    version: int | None = None,
    stale: actions.StaleReport | None = None,
    review_errors: dict[int, str] | None = None,
    review_typed: dict[int, str] | None = None,
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    can_edit = access.can_edit(user, report)
    can_review = access.can_review(user, report) and report.status == ReportStatus.SUBMITTED
    seen = reading.read_report(user, report)
    rows = item_rows(seen, editable=can_edit, typed=typed, errors=errors, stale=stale is not None)
    add_dossier_figures(user, report, rows)
    for row in rows:
        row.review_error = (review_errors or {}).get(row.item.pk, "")
        row.review_comment = (review_typed or {}).get(row.item.pk, row.item.review_comment)
    state = actions.state_on(report, today)
    groups = _group_by_area(rows, editor=can_edit, reviewer=can_review)
    attention = _attention(rows, editor=can_edit, reviewer=can_review)
    narrative_error = (errors or {}).get("narrative", "")
    context = {
        "report": report,
        "round": report.round,
        "plan": report.round.plan,
        "state": state,
        "state_label": STATE_LABELS.get(state, state),
        "status_label": STATE_LABELS.get(report.status, report.status),
        "groups": groups,
        "attention": attention,
        "attention_groups": attention_groups(attention),
        "field_errors": field_errors(
            rows, narrative_error, review_field="review" if can_review else "reopen"
        ),
        "item_count": len(rows),
        "returned_count": len(attention.returned),
        "can_edit": can_edit,
        "can_submit": access.can_submit(user, report),
        "can_review": can_review,
        # An accepted target is frozen until a reviewer reopens it, whatever the report's state.
        "can_reopen": report.status != ReportStatus.DRAFT and access.can_review(user, report),
        "can_view_round": access.can_follow_round(user, report.round),
        "narrative": (typed or {}).get("narrative", report.narrative),
        "narrative_error": narrative_error,
        "narrative_limit": inputs.NARRATIVE_LIMIT,
        "version": version if version is not None else report.version,
        "has_errors": bool(errors),
        "stale": stale,
        "statuses": TargetStatus.choices,
        "previous_round": seen.previous_round,
        "history": history(seen.history),
        "export_formats": EXPORT_FORMATS,
        "overdue": today > report.round.deadline and report.status in actions.EDITABLE,
        "nav_active": "reports",
        **gap_actions.line_context(report, gap_actions.line_rows(seen.actions, editable=can_edit)),
    }
    return render(request, "web/reporting/report.html", context)


def add_dossier_figures(user: Any, report: Report, rows: list[ItemRow]) -> None:
    """Beside each dossier rate the agency typed, the rate its one-stop-shop records give over
    the round's period, flagged when the two disagree."""
    fed = [(v, row.item.target.text) for row in rows for v in row.values if v.is_rate]
    if not fed:
        return
    round_ = report.round
    province = round_.plan.province
    on_time = feeds.on_time_rate(province)
    wanted = [
        (v, feeds.rate_of(v.quantity.subject, v.quantity.unit, on_time=on_time, context=text))
        for v, text in fed
    ]
    if not any(rate for _v, rate in wanted):
        return
    computed = feeds.computed_rates(
        user, province, round_.starts_on, round_.ends_on, [report.agency]
    ).get(report.agency_id, {})
    for v, rate in wanted:
        if rate and rate in computed:
            v.computed = computed[rate]
            v.computed_text = _computed_text(v.computed)
            v.computed_disagrees = v.computed.disagrees_with(v.rate)


@login_required
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    if request.method != "POST":
        return _render_report(request, report)
    submit = "submit" in request.POST
    if (
        submit
        and report.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED)
        and report.agency_id in access.access_for(request.user).own_agencies
    ):
        # A second click after the first submit went through.
        messages.error(request, _("This report was already submitted."))
        return redirect("report_detail", pk=report.pk)
    if not access.can_edit(request.user, report) or (
        submit and not access.can_submit(request.user, report)
    ):
        raise PermissionDenied
    by = access.actor(request.user)
    items = report.items.prefetch_related(
        Prefetch("values", queryset=Value.objects.select_related("quantity"))
    )
    form = read_report(request.POST, items)
    version = _int(request.POST.get("version"))
    if form.errors:
        return _render_report(
            request, report, typed=form.typed, errors=form.errors, version=version
        )
    try:
        saved, errors = actions.save_report(
            report, by=by, version=version, narrative=form.narrative, items=form.items
        )
    except actions.StaleReport as stale:
        report.refresh_from_db()
        return _render_report(request, report, typed=form.typed, stale=stale)
    if errors:
        return _render_report(request, report, typed=form.typed, errors=errors, version=version)
    if submit:
        try:
            submitted = actions.submit_report(saved, by=by)
        except actions.Conflict as conflict:
            for message in conflict.messages:
                messages.error(request, message)
            return redirect("report_detail", pk=report.pk)
        except ValidationError as refusal:
            messages.success(request, _("Your changes were saved."))
            for message in refusal.messages:
                messages.error(request, message)
            return redirect("report_detail", pk=report.pk)
        if submitted.late:
            messages.warning(
                request,
                _("The report was submitted after the deadline (%(day)s) and is recorded as late.")
                % {"day": submitted.round.deadline.strftime("%d/%m/%Y")},
            )
        else:
            messages.success(request, _("The report was submitted to Home Affairs."))
    else:
        messages.success(request, _("Your changes were saved."))
    return redirect("report_detail", pk=report.pk)


@login_required
@require_POST
def report_review_item(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    report = _report(request, pk)
    item = access.item_for(request.user, report, item_id)
    decision = request.POST.get("decision")
    if decision not in ("accept", "return"):
        return HttpResponseBadRequest("decision: accept or return")
    comment = nfc(request.POST.get("comment", "")).strip()
    try:
        actions.review_item(
            item, by=access.actor(request.user), accept=decision == "accept", comment=comment
        )
    except ValidationError as refusal:
        if hasattr(refusal, "error_dict"):
            message = " ".join(m for ms in refusal.message_dict.values() for m in ms)
            return _render_report(
                request,
                report,
                review_errors={item.pk: message},
                review_typed={item.pk: comment},
            )
        for message in refusal.messages:
            messages.error(request, message)
    return redirect(reverse("report_detail", args=[report.pk]) + f"#item-{item.pk}")


@login_required
@require_POST
def report_reopen_item(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    report = _report(request, pk)
    item = access.item_for(request.user, report, item_id)
    comment = request.POST.get("comment", "")
    try:
        actions.reopen_item(item, by=access.actor(request.user), comment=comment)
    except ValidationError as refusal:
        if hasattr(refusal, "error_dict"):
            message = " ".join(m for ms in refusal.message_dict.values() for m in ms)
            return _render_report(
                request, report, review_errors={item.pk: message}, review_typed={item.pk: comment}
            )
        for message in refusal.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The target was reopened and returned to the agency."))
    return redirect(reverse("report_detail", args=[report.pk]) + f"#item-{item.pk}")


@login_required
@require_POST
def report_accept_pending(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    try:
        count = actions.accept_pending(report, by=access.actor(request.user))
    except ValidationError as refusal:
        for message in refusal.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            ngettext("%(n)s target was accepted.", "%(n)s targets were accepted.", count)
            % {"n": count},
        )
    return redirect("report_detail", pk=report.pk)


@login_required
@require_POST
def report_finish_review(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    try:
        report = actions.finish_review(report, by=access.actor(request.user))
    except ValidationError as refusal:
        for message in refusal.messages:
            messages.error(request, message)
        return redirect("report_detail", pk=report.pk)
    if report.status == ReportStatus.ACCEPTED:
        messages.success(request, _("The report was accepted."))
    else:
        messages.success(
            request,
            _("The report was returned to %(agency)s for corrections.") % {"agency": report.agency},
        )
    return redirect("report_detail", pk=report.pk)


# --- evidence -----------------------------------------------------------------------------------


def _evidence_block(request: HttpRequest, report: Report, item_id: int, error: str) -> HttpResponse:
    rows = item_rows(
        reading.read_report(request.user, report, only=item_id, history=False),
        editable=access.can_edit(request.user, report),
    )
    if not rows:
        raise Http404
    rows[0].evidence_error = error
    return render(request, "web/reporting/_evidence.html", {"row": rows[0], "report": report})


@login_required
@require_POST
def report_evidence_add(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    report = _report(request, pk)
    item = access.item_for(request.user, report, item_id)
    upload = request.FILES.get("file")
    error = ""
    if upload is None:
        error = _("Choose a file to upload.")
    else:
        try:
            actions.add_evidence(item, by=access.actor(request.user), upload=upload)
        except ValidationError as refusal:
            error = " ".join(refusal.messages)
    if _is_htmx(request):
        return _evidence_block(request, report, item.pk, error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("The file was attached."))
    return redirect(reverse("report_detail", args=[report.pk]) + f"#item-{item.pk}")


def _evidence(request: HttpRequest, pk: int) -> Evidence:
    return access.evidence_for(request.user, pk)


@login_required
def report_evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    return evidence_response(_evidence(request, pk))


@login_required
@require_POST
def report_evidence_remove(request: HttpRequest, pk: int) -> HttpResponse:
    evidence = _evidence(request, pk)
    report, item_id = evidence.item.report, evidence.item_id
    error = ""
    try:
        actions.remove_evidence(evidence, by=access.actor(request.user))
    except ValidationError as refusal:
        error = " ".join(refusal.messages)
    if _is_htmx(request):
        return _evidence_block(request, report, item_id, error)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("The file was removed."))
    return redirect(reverse("report_detail", args=[report.pk]) + f"#item-{item_id}")


# --- lists and rounds ---------------------------------------------------------------------------


def _with_states(reports: QuerySet[Report], today: date) -> list[Report]:
    found = list(reports)
    for report in found:
        report.state = actions.state_on(report, today)  # type: ignore[attr-defined]
        report.state_label = STATE_LABELS.get(report.state, report.state)  # type: ignore[attr-defined]
    return found


@login_required
def report_list(request: HttpRequest) -> HttpResponse:
    """Rounds of the province's plans (for those who follow them) and the person's reports."""
    province = require_province(request)
    who = access.access_for(request.user)
    today = timezone.localdate()
    plans = access.plans_for(request.user).filter(province=province)
    plan_id = _int(request.GET.get("plan"))
    follows_rounds = access.follows_rounds(request.user, province.pk)
    rounds: list[Round] = []
    if follows_rounds:
        query = access.rounds_for(request.user).filter(plan__in=plans).select_related("plan")
        if plan_id:
            query = query.filter(plan_id=plan_id)
        rounds = list(query.order_by("-deadline", "-pk"))
        # Counted the way the home page and the round overview count them.
        counts = actions.state_counts(
            access.reports_for(request.user).filter(round__in=[r.pk for r in rounds]), today
        )
        for round_ in rounds:
            states = counts.get(round_.pk, {})
            round_.report_count = sum(states.values())  # type: ignore[attr-defined]
            round_.state_counts = [  # type: ignore[attr-defined]
                (state, STATE_LABELS[state], states.get(state, 0)) for state in STATE_ORDER
            ]
    visible = access.reports_for(request.user).select_related("round__plan", "agency")
    if plan_id:
        visible = visible.filter(round__plan_id=plan_id)
    mine = _with_states(
        visible.filter(agency_id__in=who.own_agencies).order_by("-round__deadline", "-pk"),
        today,
    )
    mine.sort(key=lambda r: (-r.round.deadline.toordinal(), sort_key(r.agency.name)))
    reviewable = visible.filter(status=ReportStatus.SUBMITTED, round__plan__province=province)
    if not (who.superuser or province.pk in who.coordinator_of):
        reviewable = reviewable.filter(agency_id__in=who.appraised_agencies)
    to_review = _with_states(
        reviewable.order_by("submitted_at") if follows_rounds else reviewable.none(), today
    )
    return render(
        request,
        "web/reporting/list.html",
        {
            "rounds": rounds,
            "state_columns": [(state, STATE_LABELS[state]) for state in STATE_ORDER],
            "follows_rounds": follows_rounds,
            "mine": mine,
            "to_review": to_review,
            "plans": plans.order_by("-year", "number"),
            "plan_id": plan_id,
            "can_open": access.can_open_round(request.user, province.pk),
            "today": today,
            "nav_active": "reports",
        },
    )


@login_required
def round_open(request: HttpRequest) -> HttpResponse:
    province = require_province(request)
    if not access.can_open_round(request.user, province.pk):
        raise PermissionDenied
    plans = access.plans_for(request.user).filter(province=province).order_by("-year", "number")
    latest = plans.first()
    initial = {"plan": _int(request.GET.get("plan")) or (latest.pk if latest else None)}
    form = RoundForm(request.POST or None, plans=plans, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            round_ = actions.open_round(
                data["plan"],
                by=access.actor(request.user),
                kind=data["kind"],
                number=(data.get("number") or 1) if data["kind"] == PeriodKind.QUARTER else 1,
                deadline=data["deadline"],
                starts_on=data.get("starts_on"),
                ends_on=data.get("ends_on"),
                title=nfc(data.get("title") or "").strip(),
                remind_days_before=data["remind_days_before"],
                remind_days_after=data.get("remind_days_after") or "",
                notify=bool(data.get("notify")),
            )
        except ValidationError as refusal:
            add_action_errors(form, refusal)
        else:
            messages.success(
                request,
                ngettext(
                    "%(title)s is open: %(n)s agency is asked to report.",
                    "%(title)s is open: %(n)s agencies are asked to report.",
                    round_.reports.count(),
                )
                % {"title": round_.title, "n": round_.reports.count()},
            )
            return redirect("round_overview", pk=round_.pk)
    return render(request, "web/reporting/open.html", {"form": form, "nav_active": "reports"})


@dataclass
class QuantityLine:
    """A quantity's line on the overview, its texts made once here rather than by template
    filters (the page has a line per quantity of every target)."""

    pk: int
    subject: str
    threshold: str  # "≥ 90 %"
    light: str
    value: str  # the province value, "90,00 %" or "—"
    counts: str  # "99 / 110", "4" or "—"
    reporting: int
    computed: str = ""  # the province's rate from the one-stop-shop records, in words


@dataclass
class TargetLine:
    row: overview.TargetSummary
    light_label: str
    quantities: list[QuantityLine]
    statuses: list[tuple[str, str, int]]  # progress, label, agencies
    states: list[tuple[str, str, int]]  # report state, label, agencies (late, returned, missing)
    detail_url: str

    def html(self, texts: dict[str, str]) -> SafeString:
        """The target's article. Written here, not in the template: the page repeats it for
        every target, and Django's template engine (or `format_html`) spends ~0.2 ms on each, a
        large share of the page at 60 targets. Every text is escaped with `escape`."""
        row = self.row
        if self.statuses:
            statuses = " · ".join(
                f'<span class="status-count" data-status="{e(status)}">{e(label)}: {n}</span>'
                for status, label, n in self.statuses
            )
        else:
            statuses = f'<span class="muted">{e(texts["no_progress"])}</span>'
        quantities = ""
        if self.quantities:
            lines = "".join(
                f'<tr data-quantity="{q.pk}" data-light="{e(q.light)}"><td>{e(q.subject)}</td>'
                f'<td><span class="nowrap">{e(q.threshold)}</span></td><td class="num">'
                f'<span class="mark mark-{e(q.light)}" data-province-value>{e(q.value)}</span>'
                + (f'<div class="muted" data-computed>{e(q.computed)}</div>' if q.computed else "")
                + f'</td><td class="num">{e(q.counts)}</td><td class="num">{q.reporting}</td></tr>'
                for q in self.quantities
            )
            quantities = (
                '<table class="table table-plain small overview-quantities">'
                f"{texts['quantity_head']}<tbody>{lines}</tbody></table>"
            )
        states = "".join(
            f' · <span class="status-count" data-state="{e(state)}">{e(label)}: {n}</span>'
            for state, label, n in self.states
        )
        reported = ngettext(
            "%(n)s of %(total)s agencies reported",
            "%(n)s of %(total)s agencies reported",
            row.reported,
        ) % {"n": row.reported, "total": row.agencies}
        drill = ngettext(
            "%(n)s agency: values and evidence",
            "%(n)s agencies: values and evidence",
            row.agencies,
        ) % {"n": row.agencies}
        light, label, url = e(row.light), e(self.light_label), e(self.detail_url)
        # Safe: every text in it went through `e` above.
        return mark_safe(
            f'<article class="overview-target" data-target="{row.target.pk}" '
            f'data-light="{light}"><div class="row row-between row-top"><div>'
            f'<span class="mark mark-{light}" title="{label}"><span class="sr-only">{label}'
            f"</span></span> {e(row.target.text)}</div>"
            f'<div class="small nowrap">{statuses}</div></div>{quantities}'
            f'<div class="small overview-agencies" data-agencies="{row.agencies}">'
            f'<span data-reported="{row.reported}">{e(reported)}</span>{states}</div>'
            f'<details class="drill-down" hx-get="{url}" '
            'hx-trigger="toggle once" hx-target="find .drill-body" hx-swap="innerHTML">'
            f'<summary class="small">{e(drill)}</summary><div class="drill-body">'
            f'<a class="small" href="{url}">{e(texts["open_detail"])}</a> '
            f'<span class="htmx-indicator small muted">{e(texts["loading"])}</span></div>'
            "</details></article>"
        )


def _agency_rows(reports: list[Report], *, can_review: bool) -> SafeString:
    """The overview's table of agencies, one row per report (179 in a province before 2025),
    written here for the reason `TargetLine.html` gives."""
    report_url = reverse("report_detail", args=[0]).removesuffix("0/")
    review, open_ = e(_("Review")), e(_("Open"))
    rows = []
    for r in reports:
        state = e(r.state)  # type: ignore[attr-defined]
        label = e(str(r.state_label))  # type: ignore[attr-defined]
        submitted = (
            timezone.localtime(r.submitted_at).strftime("%d/%m/%Y %H:%M") if r.submitted_at else "—"
        )
        action = review if can_review and r.status == ReportStatus.SUBMITTED else open_
        rows.append(
            f'<tr data-agency="{r.agency_id}" data-report="{r.pk}" data-state="{state}">'
            f"<td>{e(r.agency.name)}</td>"
            f'<td><span class="badge badge-{state}">{label}</span></td>'
            f'<td class="small nowrap">{submitted}</td>'
            f'<td class="num">{r.evidence_count}</td>'  # type: ignore[attr-defined]
            f'<td class="actions"><a class="btn btn-sm" href="{report_url}{r.pk}/">{action}</a>'
            "</td></tr>"
        )
    return mark_safe("\n".join(rows))  # every text in the rows went through `e`


# Report states a target's line names beside how many agencies reported on it.
TARGET_STATES = ("late", "returned", "missing")


def _threshold(quantity: Quantity) -> str:
    """The quantity's aim as the rest of the product words it ("≥ 90 %", "in the top 10")."""
    return aim(quantity)


def _quantity_line(
    q: overview.QuantitySummary, computed: feeds.ComputedRate | None = None
) -> QuantityLine:
    quantity, aggregate = q.quantity, q.aggregate
    is_rate = quantity.unit == "percent"
    value = aggregate.value
    value_text = "—" if value is None else f"{score(value)} %" if is_rate else points(value)
    if not aggregate.reporting:
        counts = "—"
    elif is_rate:
        counts = f"{points(aggregate.numerator)} / {points(aggregate.denominator)}"
    else:
        counts = points(aggregate.numerator)
    return QuantityLine(
        quantity.pk,
        quantity.subject,
        _threshold(quantity),
        q.light,
        value_text,
        counts,
        aggregate.reporting,
        _computed_text(computed, province=True) if computed else "",
    )


def _computed_text(c: feeds.ComputedRate, *, province: bool = False) -> str:
    n = points(c.dossiers)
    shown = f"{score(c.percent)} % ({points(c.numerator)} / {points(c.denominator)})"
    if province:
        return _("Province, from %(n)s dossiers: %(rate)s") % {"n": n, "rate": shown}
    return _("From %(n)s dossiers: %(rate)s") % {"n": n, "rate": shown}


def _round_followed(request: HttpRequest, pk: int) -> Round:
    round_ = access.round_for(request.user, pk)
    if not access.can_follow_round(request.user, round_):
        raise PermissionDenied
    return round_


@login_required
def round_overview(request: HttpRequest, pk: int) -> HttpResponse:
    """One line per target (province values, light, how many agencies reported); each target's
    agencies are read on demand (`round_target`), so the page stays small at 179 agencies."""
    round_ = _round_followed(request, pk)
    today = timezone.localdate()
    visible = access.reports_for(request.user).filter(round=round_)
    can_review = access.can_manage_organisations(request.user, round_.plan.province_id)
    records = access.dossier_organisations_for(request.user, round_.plan.province_id) is None
    # The summary reads every value of the round; it is kept while nothing under it changes.
    seen = page_cache.signature(visible.order_by("pk").values_list("pk", "updated_at"))
    summary = page_cache.cached(
        "round-overview",
        (round_.pk, seen, can_review, records),
        today=today,
        build=lambda: _overview_summary(
            request.user, round_, visible, today=today, can_review=can_review
        ),
    )
    return render(
        request,
        "web/reporting/overview.html",
        {
            "round": round_,
            "plan": round_.plan,
            "report_count": summary.report_count,
            "counts": summary.counts,
            "area_groups": summary.area_groups,
            "export_formats": EXPORT_FORMATS,
            "overdue": today > round_.deadline,
            "agency_rows": summary.agency_rows,
            "nav_active": "reports",
        },
    )


def _province_records(
    user: Any, round_: Round, quantities: list[tuple[Quantity, str]]
) -> dict[int, feeds.ComputedRate]:
    """Each dossier-rate quantity's rate over the province's records for the round's period."""
    province = round_.plan.province
    on_time = feeds.on_time_rate(province)
    rates = {
        q.pk: feeds.rate_of(q.subject, q.unit, on_time=on_time, context=text)
        for q, text in quantities
    }
    if not any(rates.values()):
        return {}
    found = feeds.computed_rates(
        user, province, round_.starts_on, round_.ends_on, [], with_province=True
    ).get(feeds.PROVINCE, {})
    return {pk: found[rate] for pk, rate in rates.items() if rate and rate in found}


@dataclass(frozen=True)
class OverviewSummary:
    """What the overview shows of a round's targets and reports, ready to render."""

    report_count: int
    counts: list[tuple[str, str, int]]
    area_groups: list[tuple[Area | None, list[SafeString]]]
    agency_rows: SafeString


def _overview_summary(
    user: Any, round_: Round, visible: QuerySet[Report], *, today: date, can_review: bool
) -> OverviewSummary:
    reports: list[Report] = list(
        visible.select_related("agency")
        .annotate(evidence_count=Count("items__evidence"))
        .order_by("pk")
    )
    reports.sort(key=lambda r: sort_key(r.agency.name))
    view = overview.summarise(round_, today=today, reports=reports)
    records = _province_records(
        user, round_, [(q.quantity, r.target.text) for r in view.targets for q in r.quantities]
    )
    areas = {row.target.area_id: row.target.area for row in view.targets if row.target.area_id}
    progress_labels = [(status, str(label)) for status, label in TargetStatus.choices]
    light_labels = {light: str(label) for light, label in LIGHT_LABELS.items()}
    # One reverse() for the page; each target's address differs only in its id.
    detail_url = reverse("round_target", args=[round_.pk, 0]).removesuffix("0/")
    groups: dict[int | None, list[TargetLine]] = defaultdict(list)
    for row in view.targets:
        statuses = [
            (status, label, row.statuses[status])
            for status, label in progress_labels
            if row.statuses.get(status)
        ]
        states = [
            (state, str(STATE_LABELS[state]), row.states[state])
            for state in TARGET_STATES
            if row.states.get(state)
        ]
        groups[row.target.area_id].append(
            TargetLine(
                row,
                light_labels[row.light],
                [_quantity_line(q, records.get(q.quantity.pk)) for q in row.quantities],
                statuses,
                states,
                f"{detail_url}{row.target.pk}/",
            )
        )
    area_groups = sorted(
        ((areas.get(area_id) if area_id else None, lines) for area_id, lines in groups.items()),
        key=lambda g: (g[0] is None, g[0].position if g[0] else 0),
    )
    for report in reports:
        report.state = view.states[report.pk]  # type: ignore[attr-defined]
        report.state_label = STATE_LABELS.get(report.state, report.state)  # type: ignore[attr-defined]
    counts = [(state, str(STATE_LABELS[state]), view.counts.get(state, 0)) for state in STATE_ORDER]
    # Texts every target's line repeats, translated once for the page.
    texts = {
        "quantity_head": format_html(
            '<thead><tr><th>{}</th><th>{}</th><th class="num">{}</th><th class="num">{}</th>'
            '<th class="num">{}</th></tr></thead>',
            _("What is measured"),
            _("Target"),
            _("Province value"),
            _("Counts"),
            _("Agencies reporting"),
        ),
        "no_progress": _("No progress reported yet"),
        "open_detail": _("Open each agency's values and evidence"),
        "loading": _("Loading…"),
    }
    return OverviewSummary(
        report_count=len(reports),
        counts=counts,
        area_groups=[(area, [line.html(texts) for line in lines]) for area, lines in area_groups],
        agency_rows=_agency_rows(reports, can_review=can_review),
    )


def _add_agency_records(user: Any, round_: Round, detail: overview.TargetDetail) -> None:
    """Each agency's value cells with its records' rate beside what it typed: `line.cells` is
    (value, computed text, disagrees) per quantity."""
    province = round_.plan.province
    on_time = feeds.on_time_rate(province)
    rates = [
        feeds.rate_of(q.subject, q.unit, on_time=on_time, context=detail.target.text)
        for q in detail.quantities
    ]
    computed = (
        feeds.computed_rates(
            user,
            province,
            round_.starts_on,
            round_.ends_on,
            [a.report.agency for a in detail.lines],
        )
        if any(rates)
        else {}
    )
    for line in detail.lines:
        mine = computed.get(line.report.agency_id, {})
        cells = []
        for value, rate in zip(line.values, rates, strict=True):
            c = mine.get(rate) if rate else None
            typed = value.rate if value is not None else None
            cells.append(
                (value, _computed_text(c) if c else "", bool(c and c.disagrees_with(typed)))
            )
        line.cells = cells  # type: ignore[attr-defined]


@login_required
def round_target(request: HttpRequest, pk: int, target_id: int) -> HttpResponse:
    """One target's agencies in a round: each one's state, values, progress and evidence. The
    overview asks for it when a target is opened (htmx); without script it is a page of its own."""
    round_ = _round_followed(request, pk)
    target = round_.plan.targets.filter(pk=target_id).select_related("area").first()
    if target is None:
        raise Http404
    detail = overview.target_detail(
        round_,
        target,
        today=timezone.localdate(),
        items=access.items_for(request.user),
        values=access.values_for(request.user),
        evidence=access.evidence_set_for(request.user),
    )
    detail.lines.sort(key=lambda line: sort_key(line.report.agency.name))  # as the overview
    _add_agency_records(request.user, round_, detail)
    context = {
        "round": round_,
        "plan": round_.plan,
        "detail": detail,
        "state_labels": STATE_LABELS,
        "nav_active": "reports",
    }
    if _is_htmx(request):
        return render(request, "web/reporting/_overview_target.html", context)
    return render(request, "web/reporting/overview_target.html", context)
