"""Every change in periodic reporting: permission check, write, history in the audit trail."""

from __future__ import annotations

import re
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parindex.lib import archives
from parindex.lib.text import clean_input
from parindex.orgs import access, inputs
from parindex.orgs.access import can_edit, can_review, can_submit
from parindex.orgs.audit import record
from parindex.orgs.dbstats import refresh_statistics
from parindex.orgs.models import Role, RoleAssignment, User
from parindex.plans.models import Measure, Plan, Responsibility, TargetAgency
from parindex.reporting.models import (
    Evidence,
    Item,
    PeriodKind,
    Report,
    ReportStatus,
    ReviewedState,
    ReviewStatus,
    Round,
    TargetStatus,
    Value,
)
from parindex.reporting.signals import round_opened

EDITABLE = (ReportStatus.DRAFT, ReportStatus.RETURNED)
# Reminders: days before the deadline, and a list of days after it such as "1,3,7".
REMIND_BEFORE_MAX = 60
DAY_LIST = re.compile(r"^\s*\d{1,3}(\s*,\s*\d{1,3})*\s*$")


class Conflict(ValidationError):
    """The change collides with another one that came first (a second submit of the same
    report): answered with 409, not as a mistake in the input."""


class StaleReport(Exception):
    """The report changed since the form was opened; `changes` says what the other save did."""

    def __init__(self, message: str, changes: list[str]) -> None:
        super().__init__(message)
        self.changes = changes


def _deny() -> PermissionDenied:
    return PermissionDenied(_("You are not allowed to make this change."))


# --- rounds ------------------------------------------------------------------------------------


def _default_title(kind: str, number: int, year: int) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return period_title(kind, number, year)


def remind_before_error(days: int) -> str | None:
    return inputs.field_number_error(
        Round, "remind_days_before", days, low=0, high=REMIND_BEFORE_MAX
    )


def remind_after_error(text: str) -> str | None:
    if text.strip() and not DAY_LIST.match(text):
        return _("Write whole numbers of days separated by commas.")
    return None


def period_title(kind: str, number: int, year: int) -> str:
    if kind == PeriodKind.QUARTER:
        return _("Quarter %(n)s/%(year)s report") % {
            "n": ["I", "II", "III", "IV"][number - 1],
            "year": year,
        }
    if kind == PeriodKind.HALF_YEAR:
        return _("Six-month report %(year)s") % {"year": year}
    if kind == PeriodKind.YEAR:
        return _("Year report %(year)s") % {"year": year}
    return _("Report")


def period_dates(kind: str, number: int, year: int) -> tuple[date, date]:
    if kind == PeriodKind.QUARTER:
        if not 1 <= number <= 4:
            raise ValidationError({"number": _("A quarter is numbered 1 to 4.")})
        start = date(year, 3 * number - 2, 1)
        end = date(year, 3 * number, {3: 31, 6: 30, 9: 30, 12: 31}[3 * number])
        return start, end
    if kind == PeriodKind.HALF_YEAR:
        return date(year, 1, 1), date(year, 6, 30)
    return date(year, 1, 1), date(year, 12, 31)


@transaction.atomic
def open_round(
    plan: Plan,
    *,
    by: User | None,
    kind: str,
    deadline: date,
    number: int = 1,
    starts_on: date | None = None,
    ends_on: date | None = None,
    title: str = "",
    remind_days_before: int = 3,
    remind_days_after: str = "1,3,7",
    notify: bool = True,
) -> Round:
    """Open a round: one report per responsible agency, listing exactly its targets."""
    if by is not None and not access.can_manage_organisations(by, plan.province_id):
        raise _deny()
    title = inputs.field_text(Round, "title", title)
    problems: dict[str, str] = {}
    if message := remind_before_error(remind_days_before):
        problems["remind_days_before"] = message
    if message := remind_after_error(remind_days_after):
        problems["remind_days_after"] = message
    if kind not in PeriodKind.values:
        problems["kind"] = _("Use one of: %(kinds)s.") % {"kinds": ", ".join(PeriodKind.values)}
    if problems:
        raise ValidationError(problems)
    remind_days_after = ",".join(p.strip() for p in remind_days_after.split(",") if p.strip())
    if kind == PeriodKind.CUSTOM:
        if starts_on is None or ends_on is None:
            raise ValidationError({"starts_on": _("A custom range needs its first and last day.")})
    else:
        starts_on, ends_on = period_dates(kind, number, plan.year)
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("The period ends before it starts.")})
    if deadline < starts_on:
        raise ValidationError({"deadline": _("The deadline is before the period starts.")})
    if Round.objects.filter(plan=plan, kind=kind, starts_on=starts_on, ends_on=ends_on).exists():
        raise ValidationError({"kind": _("A round for this period is already open.")})
    round_ = Round.objects.create(
        plan=plan,
        kind=kind,
        number=number if kind != PeriodKind.CUSTOM else 0,
        starts_on=starts_on,
        ends_on=ends_on,
        deadline=deadline,
        # The default title is data, written in the product's language whoever opens the round.
        title=title or _default_title(kind, number, plan.year),
        remind_days_before=remind_days_before,
        remind_days_after=remind_days_after,
        opened_by=by,
    )
    period = kind if kind != PeriodKind.CUSTOM else None
    assignments = (
        TargetAgency.objects.filter(target__plan=plan)
        .select_related("target")
        .order_by("target__position", "pk")
    )
    by_agency: dict[int, dict[int, bool]] = {}
    for assignment in assignments:
        if (
            period is not None
            and assignment.target.periods
            and period not in assignment.target.periods
        ):
            continue
        lead = assignment.responsibility == Responsibility.LEAD
        targets = by_agency.setdefault(assignment.organisation_id, {})
        targets[assignment.target_id] = targets.get(assignment.target_id, False) or lead
    reports = Report.objects.bulk_create(
        Report(round=round_, agency_id=agency_id) for agency_id in by_agency
    )
    positions = {t.pk: t.position for t in plan.targets.all()}
    items = Item.objects.bulk_create(
        Item(report=report, target_id=target_id, lead=lead, position=positions[target_id])
        for report in reports
        for target_id, lead in by_agency[report.agency_id].items()
    )
    quantities: dict[int, list[int]] = {}
    for target_id, quantity_id in plan.targets.values_list("pk", "quantities__pk"):
        if quantity_id is not None:
            quantities.setdefault(target_id, []).append(quantity_id)
    values = Value.objects.bulk_create(
        Value(item=item, quantity_id=quantity_id)
        for item in items
        for quantity_id in quantities.get(item.target_id, [])
    )
    # The reports are read back at once (by the demo, by a province's first saves).
    refresh_statistics({Report: len(reports), Item: len(items), Value: len(values)})
    round_opened.send(sender=Round, round=round_, reports=reports, by=by)
    record(
        by,
        "reporting.round.open",
        round_,
        province=plan.province_id,
        changes={"reports": [None, len(reports)], "deadline": [None, deadline.isoformat()]},
    )
    if notify:
        notify_round(round_)
    return round_


def reporters_of(agency_ids: list[int]) -> dict[int, list[str]]:
    """Email addresses of each agency's reporters and heads."""
    result: dict[int, list[str]] = {}
    rows = RoleAssignment.objects.filter(
        organisation_id__in=agency_ids, role__in=[Role.REPORTER, Role.HEAD], user__is_active=True
    ).values_list("organisation_id", "user__email")
    for agency_id, email in rows:
        if email:
            result.setdefault(agency_id, []).append(email)
    return result


def notify_round(round_: Round) -> int:
    reports = list(round_.reports.select_related("agency"))
    emails = reporters_of([r.agency_id for r in reports])
    sent = 0
    for report in reports:
        to = emails.get(report.agency_id, [])
        if to:
            send_mail(
                _("[parindex] %(title)s: due %(day)s")
                % {"title": round_.title, "day": round_.deadline.strftime("%d/%m/%Y")},
                _(
                    "%(agency)s is asked to report on %(n)s targets of plan %(plan)s for %(title)s by %(day)s."
                )
                % {
                    "agency": report.agency.name,
                    "n": report.items.count(),
                    "plan": round_.plan.number,
                    "title": round_.title,
                    "day": round_.deadline.strftime("%d/%m/%Y"),
                },
                None,
                to,
            )
            sent += 1
    return sent


# --- filling in -----------------------------------------------------------------------------------


@dataclass
class ItemInput:
    status: str = ""
    description: str = ""
    values: dict[int, tuple[Decimal | None, Decimal | None]] = field(
        default_factory=dict
    )  # value id → (num, den)


def validate_value(
    value: Value, numerator: Decimal | None, denominator: Decimal | None
) -> dict[str, str]:
    """Impossible values, keyed "numerator"/"denominator", worded for the person typing them."""
    errors: dict[str, str] = {}
    for key, number in (("numerator", numerator), ("denominator", denominator)):
        message = inputs.field_number_error(Value, key, number, minimum=Decimal(0))
        if message:
            errors[key] = message
    if errors:
        return errors
    if value.quantity.unit == "percent":
        if numerator is not None and denominator is None:
            errors["denominator"] = _("A rate needs the total it is a share of.")
        elif denominator == 0 and numerator:
            errors["denominator"] = _("The total cannot be 0 when the count is not.")
        elif (
            numerator is not None
            and denominator is not None
            and numerator > denominator
            # A result over its reference (collected over planned) may well exceed it.
            and value.quantity.measure not in (Measure.ABOVE_REFERENCE, Measure.BELOW_REFERENCE)
        ):
            errors["numerator"] = _("The count (%(num)s) is larger than its total (%(den)s).") % {
                "num": numerator,
                "den": denominator,
            }
    return errors


def _fmt(value: Decimal | None) -> str | None:
    return None if value is None else format(value.normalize(), "f")


def keep_reviewed_state(items: list[Item], at: datetime) -> None:
    """Keep what each target says as its reviewer decides on it (items with their values
    prefetched); the page compares the resubmitted target with it."""
    ReviewedState.objects.bulk_create(
        [
            ReviewedState(
                item=item,
                taken_at=at,
                state={
                    "status": item.status,
                    "description": item.description,
                    "values": {
                        str(v.pk): [_fmt(v.numerator), _fmt(v.denominator)]
                        for v in item.values.all()
                    },
                },
            )
            for item in items
        ],
        update_conflicts=True,
        unique_fields=["item"],
        update_fields=["state", "taken_at"],
    )


def frozen_message() -> str:
    return _("This target was accepted and cannot be changed unless its reviewer reopens it.")


def _text(
    model: type[Item] | type[Report], name: str, text: str, key: str, errors: dict[str, str]
) -> str:
    """The text as stored; an error under `key` when it is longer than its limit."""
    try:
        return inputs.field_text(model, name, text)
    except ValidationError as refusal:
        errors[key] = refusal.messages[0]
        return text


def _item_changes(
    item: Item,
    status: str,
    description: str,
    values: dict[int, tuple[Decimal | None, Decimal | None]],
    rows: dict[int, Value],
) -> bool:
    if (status, description) != (item.status, item.description):
        return True
    for value_id, pair in values.items():
        row = rows.get(value_id)
        if row is not None and pair != (row.numerator, row.denominator):
            return True
    return False


@transaction.atomic
def save_report(
    report: Report,
    *,
    by: User | None,
    version: int,
    narrative: str | None = None,
    items: dict[int, ItemInput] | None = None,
) -> tuple[Report, dict[str, str]]:
    """Save what the reporter typed. Returns the report and field errors (nothing saved if any).

    A save carrying an older `version` than the stored one is refused with StaleReport, listing
    what the other save changed, so two people never silently overwrite each other.
    """
    locked = Report.objects.select_for_update().select_related("agency").get(pk=report.pk)
    if by is not None and not can_edit(by, locked):
        raise _deny()
    if locked.version != version:
        from parindex.orgs.models import AuditEntry

        later = AuditEntry.objects.filter(
            object_type="reporting.report", object_id=str(locked.pk), action="reporting.report.save"
        ).order_by("-at")[:5]
        others = [f"{e.actor_name}: {', '.join(sorted(e.changes))}" for e in later]
        raise StaleReport(
            _(
                "Someone saved this report after you opened it; reload to see their changes before saving yours."
            ),
            others,
        )
    errors: dict[str, str] = {}
    changes: dict[str, list[Any]] = {}
    if narrative is not None:
        narrative = _text(Report, "narrative", narrative, "narrative", errors)
    if narrative is not None and narrative != locked.narrative:
        changes["narrative"] = [locked.narrative, narrative]
        locked.narrative = narrative
    item_rows = {i.pk: i for i in locked.items.select_related("target")}
    value_rows = {
        v.pk: v for v in Value.objects.filter(item__report=locked).select_related("quantity")
    }
    dirty_items: list[Item] = []
    dirty_values: list[Value] = []
    for item_id, data in (items or {}).items():
        item = item_rows.get(item_id)
        if item is None:
            raise ValidationError(_("Item %(id)s is not part of this report.") % {"id": item_id})
        description = _text(
            Item, "description", data.description, f"i{item_id}-description", errors
        )
        if item.review == ReviewStatus.ACCEPTED:
            # An accepted target is frozen until its reviewer reopens it: the same data again
            # (a form or a program sending everything back) is no change.
            if _item_changes(item, data.status, description, data.values, value_rows):
                errors[f"i{item_id}-status"] = frozen_message()
            continue
        if data.status and data.status not in TargetStatus.values:
            errors[f"i{item_id}-status"] = _("Choose a progress status.")
        if (data.status, description) != (item.status, item.description):
            changes[f"{item.target.text[:40]}…: progress"] = [
                f"{item.status} {item.description[:60]}".strip(),
                f"{data.status} {description[:60]}".strip(),
            ]
            item.status, item.description = data.status, description
            dirty_items.append(item)
        for value_id, (numerator, denominator) in data.values.items():
            value = value_rows.get(value_id)
            if value is None or value.item_id != item_id:
                raise ValidationError(
                    _("Value %(id)s is not part of this item.") % {"id": value_id}
                )
            for key, message in validate_value(value, numerator, denominator).items():
                errors[f"v{value_id}-{key}"] = message
            if (numerator, denominator) != (value.numerator, value.denominator):
                changes[f"{value.quantity.subject[:40]}"] = [
                    f"{_fmt(value.numerator)}/{_fmt(value.denominator)}",
                    f"{_fmt(numerator)}/{_fmt(denominator)}",
                ]
                value.numerator, value.denominator = numerator, denominator
                dirty_values.append(value)
    if errors:
        transaction.set_rollback(True)
        return report, errors
    Item.objects.bulk_update(dirty_items, ["status", "description"])
    Value.objects.bulk_update(dirty_values, ["numerator", "denominator"])
    locked.version += 1
    locked.save(update_fields=["narrative", "version", "updated_at"])
    if changes:
        record(
            by,
            "reporting.report.save",
            locked,
            province=locked.agency.province_id_or_self,
            changes=changes,
        )
    return locked, {}


# --- evidence -------------------------------------------------------------------------------------

_SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)


def sniff(head: bytes, data: bytes | None = None) -> tuple[str, str] | None:
    """(content type, extension) judged by content, or None when not an accepted kind."""
    for magic, content_type, extension in _SIGNATURES:
        if head.startswith(magic):
            return content_type, extension
    if archives.is_zip(head) and data is not None:
        try:
            names = set(archives.check_zip(data).namelist())
        except zipfile.BadZipFile:
            return None
        if "word/document.xml" in names:
            return (
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                ".docx",
            )
        if "xl/workbook.xml" in names:
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"
    return None


def _require_open(item: Item) -> None:
    if item.review == ReviewStatus.ACCEPTED:
        raise ValidationError(frozen_message())


@transaction.atomic
def add_evidence(item: Item, *, by: User | None, upload: UploadedFile) -> Evidence:
    """Attach a file, judged by its content. Who may attach is settled before it is read."""
    report = item.report
    if by is not None and not can_edit(by, report):
        raise _deny()
    _require_open(Item.objects.get(pk=item.pk))
    limit = settings.PARINDEX_MAX_EVIDENCE_BYTES
    if upload.size is not None and upload.size > limit:
        raise ValidationError(
            _("%(name)s is larger than %(mb)s MB.")
            % {"name": upload.name, "mb": limit // 1_000_000}
        )
    data = upload.read()
    try:
        kind = sniff(data[:16], data)
    except archives.ArchiveRefused as refused:
        raise ValidationError(
            _("%(name)s expands to %(expanded)s MB when opened; at most %(limit)s MB is accepted.")
            % {
                "name": upload.name,
                "expanded": refused.expanded // 1_000_000,
                "limit": refused.limit // 1_000_000,
            }
        ) from None
    if kind is None:
        raise ValidationError(
            _("%(name)s is not a PDF, Word, Excel or image file (judged by its content).")
            % {"name": upload.name}
        )
    content_type, extension = kind
    name = clean_input((upload.name or "evidence").rsplit("/", 1)[-1]).strip()[:200] or "evidence"
    stem = name.rsplit(".", 1)[0] if "." in name else name
    evidence = Evidence(
        item=item, name=name, content_type=content_type, size=len(data), uploaded_by=by
    )
    from django.core.files.base import ContentFile
    from django.utils.crypto import get_random_string

    evidence.file.save(
        f"{get_random_string(12)}-{stem[:60]}{extension}", ContentFile(data), save=False
    )
    evidence.save()
    record(
        by,
        "reporting.evidence.add",
        report,
        province=report.agency.province_id_or_self,
        changes={"evidence": [None, f"{item.target.text[:40]}…: {name}"]},
    )
    return evidence


@transaction.atomic
def remove_evidence(evidence: Evidence, *, by: User | None) -> None:
    report = evidence.item.report
    if by is not None and not can_edit(by, report):
        raise _deny()
    _require_open(Item.objects.get(pk=evidence.item_id))
    record(
        by,
        "reporting.evidence.remove",
        report,
        province=report.agency.province_id_or_self,
        changes={"evidence": [evidence.name, None]},
    )
    evidence.file.delete(save=False)
    evidence.delete()


# --- workflow -----------------------------------------------------------------------------------


def _transition(
    report: Report, by: User | None, new: str, action: str, extra: dict[str, Any] | None = None
) -> None:
    old = report.status
    report.status = new
    report.version += 1
    report.save()
    record(
        by,
        action,
        report,
        province=report.agency.province_id_or_self,
        changes={"status": [old, new], **(extra or {})},
    )


@transaction.atomic
def submit_report(report: Report, *, by: User | None, at: datetime | None = None) -> Report:
    """The agency head submits; after the deadline it is accepted but recorded as late.

    `at` records when it happened, for loading past reports (the demo, tests); default now.
    """
    report = Report.objects.select_for_update().select_related("round", "agency").get(pk=report.pk)
    # A second click, or a second person, after the first submit went through.
    if report.status in (ReportStatus.SUBMITTED, ReportStatus.ACCEPTED) and (
        by is None or report.agency_id in access.access_for(by).own_agencies
    ):
        raise Conflict(_("This report was already submitted."))
    if by is not None and not can_submit(by, report):
        raise _deny()
    missing = [
        item.target.text[:60]
        for item in report.items.select_related("target").prefetch_related("values")
        if item.review != ReviewStatus.ACCEPTED
        and not item.status
        and all(v.numerator is None for v in item.values.all())
    ]
    if missing:
        raise ValidationError(
            [_("Nothing is reported yet for: %(target)s") % {"target": t} for t in missing[:10]]
        )
    now = at or timezone.now()
    first = report.submitted_at is None
    report.submitted_at = now
    report.submitted_by = by
    if first and timezone.localdate(now) > report.round.deadline:
        report.late = True
    report.items.filter(review=ReviewStatus.RETURNED).update(review=ReviewStatus.PENDING)
    _transition(
        report,
        by,
        ReportStatus.SUBMITTED,
        "reporting.report.submit",
        {"late": [None, report.late]} if report.late else None,
    )
    return report


@transaction.atomic
def review_item(
    item: Item, *, by: User | None, accept: bool, comment: str = "", at: datetime | None = None
) -> Item:
    """Accept a target's report or return it with a comment; the report follows its items."""
    report = Report.objects.select_for_update().select_related("agency").get(pk=item.report_id)
    if by is not None and not can_review(by, report):
        raise _deny()
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be reviewed."))
    comment = inputs.clean_text(comment, inputs.COMMENT_LIMIT, field="comment")
    if not accept and not comment:
        raise ValidationError({"comment": _("Say what needs fixing when returning a target.")})
    item = Item.objects.select_related("target").prefetch_related("values").get(pk=item.pk)
    old = item.review
    item.review = ReviewStatus.ACCEPTED if accept else ReviewStatus.RETURNED
    item.review_comment = "" if accept else comment
    item.reviewed_by = by
    item.reviewed_at = at or timezone.now()
    item.save()
    keep_reviewed_state([item], item.reviewed_at)
    record(
        by,
        "reporting.item.review",
        report,
        province=report.agency.province_id_or_self,
        changes={
            f"{item.target.text[:40]}…": [old, f"{item.review} {item.review_comment}".strip()]
        },
    )
    return item


@transaction.atomic
def reopen_item(item: Item, *, by: User | None, comment: str) -> Item:
    """Reopen an accepted target for changes: it goes back to the agency as returned, with the
    reviewer's reason, and an accepted report goes back with it. Only a reviewer reopens."""
    report = Report.objects.select_for_update().select_related("agency").get(pk=item.report_id)
    if by is not None and not can_review(by, report):
        raise _deny()
    item = Item.objects.select_related("target").prefetch_related("values").get(pk=item.pk)
    if item.review != ReviewStatus.ACCEPTED:
        raise ValidationError(_("Only an accepted target can be reopened."))
    comment = inputs.clean_text(comment, inputs.COMMENT_LIMIT, field="comment")
    if not comment:
        raise ValidationError({"comment": _("Say why the target is reopened.")})
    item.review = ReviewStatus.RETURNED
    item.review_comment = comment
    item.reviewed_by = by
    item.reviewed_at = timezone.now()
    item.save()
    keep_reviewed_state([item], item.reviewed_at)
    changes: dict[str, Any] = {
        f"{item.target.text[:40]}…": [ReviewStatus.ACCEPTED, f"{item.review} {comment}"]
    }
    if report.status == ReportStatus.ACCEPTED:
        # The agency can change the reopened target only in a returned report.
        changes["status"] = [report.status, ReportStatus.RETURNED]
        report.status = ReportStatus.RETURNED
        report.accepted_at = None
    report.version += 1
    report.save()
    record(
        by,
        "reporting.item.reopen",
        report,
        province=report.agency.province_id_or_self,
        changes=changes,
    )
    return item


@transaction.atomic
def accept_pending(report: Report, *, by: User | None, at: datetime | None = None) -> int:
    """Accept every target still awaiting review at once (returned ones stay returned), with
    one audit entry; how many were accepted."""
    report = Report.objects.select_for_update().select_related("agency").get(pk=report.pk)
    if by is not None and not can_review(by, report):
        raise _deny()
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be reviewed."))
    pending = list(
        report.items.filter(review=ReviewStatus.PENDING)
        .select_related("target")
        .prefetch_related("values")
    )
    if not pending:
        return 0
    when = at or timezone.now()
    for item in pending:
        item.review, item.review_comment = ReviewStatus.ACCEPTED, ""
        item.reviewed_by, item.reviewed_at = by, when
    Item.objects.bulk_update(pending, ["review", "review_comment", "reviewed_by", "reviewed_at"])
    keep_reviewed_state(pending, when)
    record(
        by,
        "reporting.item.review",
        report,
        province=report.agency.province_id_or_self,
        changes={
            f"{item.target.text[:40]}…": [ReviewStatus.PENDING, ReviewStatus.ACCEPTED]
            for item in pending
        },
    )
    return len(pending)


@transaction.atomic
def finish_review(
    report: Report, *, by: User | None, at: datetime | None = None, notify: bool = True
) -> Report:
    """Close the review: returned if any target was returned, accepted when all are accepted."""
    report = Report.objects.select_for_update().select_related("agency").get(pk=report.pk)
    if by is not None and not can_review(by, report):
        raise _deny()
    if report.status != ReportStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted report can be reviewed."))
    reviews = list(report.items.values_list("review", flat=True))
    if ReviewStatus.RETURNED in reviews:
        _transition(report, by, ReportStatus.RETURNED, "reporting.report.return")
        if notify:
            _notify_returned(report)
    elif all(r == ReviewStatus.ACCEPTED for r in reviews):
        report.accepted_at = at or timezone.now()
        _transition(report, by, ReportStatus.ACCEPTED, "reporting.report.accept")
    else:
        raise ValidationError(_("Accept or return every target first."))
    return report


def _notify_returned(report: Report) -> None:
    to = reporters_of([report.agency_id]).get(report.agency_id, [])
    if to:
        send_mail(
            _("[parindex] %(title)s returned for corrections") % {"title": report.round.title},
            _(
                "Home Affairs returned some targets of %(agency)s's report with comments. Please correct and resubmit."
            )
            % {"agency": report.agency.name},
            None,
            to,
        )


# --- lateness and reminders -------------------------------------------------------------------


def report_state(status: str, late: bool, deadline: date, day: date) -> str:
    """ "missing" if never submitted by the deadline, "late" if first submitted after it (a late
    report stays late), else the report's status: a report submitted in time and returned for
    corrections is "returned", not late; resubmitted, it is "submitted" again."""
    if status == ReportStatus.DRAFT and day > deadline:
        return "missing"
    if late:
        return "late"
    return status


def state_on(report: Report, day: date) -> str:
    # The round (its deadline) is read only for a draft: lists of submitted reports need not
    # fetch it.
    deadline = report.round.deadline if report.status == ReportStatus.DRAFT else day
    return report_state(report.status, report.late, deadline, day)


def state_counts(reports: QuerySet[Report], day: date) -> dict[int, dict[str, int]]:
    """By round, how many of `reports` (already access-filtered) are in each state on `day`.

    The one count of a round: the home page, the reports list and the round overview all give
    these numbers, so a late, returned or resubmitted report is counted once and the same way.
    """
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = reports.order_by().values_list("round_id", "status", "late", "round__deadline")
    for round_id, status, late, deadline in rows:
        counts[round_id][report_state(status, late, deadline, day)] += 1
    return {round_id: dict(by_state) for round_id, by_state in counts.items()}


def send_reminders(today: date | None = None) -> int:
    """Remind agencies that have not submitted, N days before and after each round's deadline."""
    from parindex.reporting.models import Reminder

    today = today or timezone.localdate()
    sent = 0
    for round_ in Round.objects.filter(closed_at__isnull=True).select_related("plan"):
        offset = (today - round_.deadline).days
        if not (offset == -round_.remind_days_before or offset in round_.after_days()):
            continue
        reports = list(round_.reports.filter(status__in=EDITABLE).select_related("agency"))
        emails = reporters_of([r.agency_id for r in reports])
        for report in reports:
            to = emails.get(report.agency_id, [])
            if not to or Reminder.objects.filter(report=report, offset_days=offset).exists():
                continue
            subject = (
                _("[parindex] Reminder: %(title)s is due on %(day)s")
                if offset < 0
                else _("[parindex] Overdue: %(title)s was due on %(day)s")
            ) % {"title": round_.title, "day": round_.deadline.strftime("%d/%m/%Y")}
            send_mail(
                subject,
                _("%(agency)s has not submitted its report yet.") % {"agency": report.agency.name},
                None,
                to,
            )
            Reminder.objects.create(report=report, offset_days=offset, recipients=", ".join(to))
            sent += 1
    return sent
