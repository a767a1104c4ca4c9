"""Self-assessment and appraisal screens: the coordinator's assessments, a unit's
self-assessment, its appraisal, and the results.

Reads go through `orgs.access` (`assessments_for`, `assessment_for`, `unit_for`, `units_for`,
`document_for`; an assessment or unit the person may not see is a 404); writes through
`parindex.assessment.actions`, which check who may do what and refuse bad input with messages
keyed by field ("<leaf code>-<field>") that the pages show beside the fields.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from parindex.assessment import actions, reading
from parindex.assessment.models import (
    Appraisal,
    AssessedUnit,
    Assessment,
    AssessmentStatus,
    Entry,
    Scope,
    UnitStatus,
)
from parindex.assessment.proposals import Proposal, proposals_for
from parindex.lib.collation import sort_key, vi_sorted
from parindex.lib.text import nfc
from parindex.methodology.models import Framework
from parindex.methodology.store import spec_from_framework
from parindex.methodology.tree import Method, Scoring
from parindex.orgs import access
from parindex.orgs.models import AuditEntry, Role, RoleAssignment, User
from parindex.reporting.downloads import evidence_response
from parindex.scoring.engine import compile_tree, score_leaf
from parindex.web import audit_words
from parindex.web.reporting_forms import number_input
from parindex.web.views.common import current_province

STATUS_BADGES: dict[str, str] = {
    UnitStatus.DRAFT: "draft",
    UnitStatus.SUBMITTED: "submitted",
    UnitStatus.RETURNED: "returned",
    UnitStatus.ANSWERED: "in_review",
    UnitStatus.APPRAISED: "accepted",
    AssessmentStatus.OPEN: "open",
    AssessmentStatus.CLOSED: "closed",
    AssessmentStatus.PUBLISHED: "published",
}
ACTION_LABELS = {
    "assessment.open": gettext_lazy("Assessment opened"),
    "assessment.update": gettext_lazy("Assessment changed"),
    "assessment.unit.save": gettext_lazy("Self-assessment saved"),
    "assessment.unit.appraiser": gettext_lazy("Appraiser changed"),
    "assessment.unit.submit": gettext_lazy("Submitted"),
    "assessment.unit.appraise": gettext_lazy("Appraised"),
    "assessment.unit.answer": gettext_lazy("Answered"),
    "assessment.unit.appraised": gettext_lazy("Appraisal finished"),
    "assessment.document.add": gettext_lazy("Evidence document recorded"),
    "assessment.document.attach": gettext_lazy("Evidence document cited"),
    "assessment.document.file": gettext_lazy("Evidence file stored"),
    "assessment.document.remove": gettext_lazy("Evidence document removed"),
}
# "Open" is already the verb of many buttons; the state of an assessment reads better as a phrase.
ASSESSMENT_LABELS: dict[str, Any] = {
    AssessmentStatus.OPEN: gettext_lazy("Under way"),
    AssessmentStatus.CLOSED: gettext_lazy("Appraisal closed"),
    AssessmentStatus.PUBLISHED: gettext_lazy("Results published"),
}
STATE_LABELS: dict[str, Any] = {**dict(UnitStatus.choices), **ASSESSMENT_LABELS}
FIELDS = ("band", "value", "numerator", "denominator", "explanation")


# The two exports a screen links to, in the order offered (the spreadsheet first).
EXPORT_FORMATS = ("xlsx", "docx")


def export_formats(name: str) -> list[str]:
    """The formats of export `name` the screens link to; none while it is not installed."""
    from parindex.exports.registry import ExportError, get

    try:
        exporter = get(name)
    except ExportError:
        return []
    return [f for f in EXPORT_FORMATS if f in exporter.formats]


def _lang() -> str:
    from django.utils import translation

    return "vi" if (translation.get_language() or "vi").startswith("vi") else "en"


def _number_text(value: Decimal | None) -> str:
    """A stored number as typed back into a field (no thousands separators)."""
    return number_input(value, _lang())


def _by_year_and_name(unit: AssessedUnit) -> tuple[int, bytes]:
    """Latest year first, then units in Vietnamese alphabetical order."""
    return (-unit.assessment.year, sort_key(unit.organisation.name))


def _unit(request: HttpRequest, pk: int) -> AssessedUnit:
    unit = access.unit_for(request.user, pk)
    # The tree and the appraiser are read on every unit page.
    return AssessedUnit.objects.select_related(
        "assessment__framework", "assessment__province", "organisation", "appraiser"
    ).get(pk=unit.pk)


def _messages_of(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [m for ms in error.message_dict.values() for m in ms]
    return list(error.messages)


def _error_map(error: ValidationError, default: str = "all") -> dict[str, str]:
    """An action's refusal as {field: message}; errors not tied to a field under "all"."""
    if hasattr(error, "error_dict"):
        return {
            ("all" if k == "__all__" else k): " ".join(v) for k, v in error.message_dict.items()
        }
    return {default: " ".join(error.messages)}


def _fail(request: HttpRequest, error: ValidationError) -> None:
    for message in _messages_of(error):
        messages.error(request, message)


def _change(name: str, value: Any) -> Any:
    if value is None or value == "":
        return "—"
    if name == "status" and value in STATE_LABELS:
        return str(STATE_LABELS[value])
    return value


def history_of(user: Any, obj: AssessedUnit | Assessment) -> QuerySet[AuditEntry]:
    """The object's history, newest first, as far as the person may read it (the one rule in
    `orgs.access`: a unit's history with its self-assessment, an assessment's with the
    coordinators)."""
    return access.history_of(user, obj)


def _history(user: Any, obj: AssessedUnit | Assessment) -> list[dict[str, Any]]:
    entries = history_of(user, obj)[:200]
    return [
        {
            "entry": e,
            "label": str(ACTION_LABELS.get(e.action) or audit_words.action_label(e.action)),
            "changes": audit_words.describe(e),
        }
        for e in entries
    ]


def _last_changes(user: Any, unit: AssessedUnit) -> dict[str, AuditEntry]:
    """Per leaf code, the latest audit entry that changed its input (who entered it, when)."""
    found: dict[str, AuditEntry] = {}
    entries = history_of(user, unit).filter(action="assessment.unit.save")
    for entry in entries:
        for code in entry.changes:
            found.setdefault(code, entry)
    return found


# --- the list and one assessment ----------------------------------------------------------------


@login_required
@require_GET
def assessment_list(request: HttpRequest) -> HttpResponse:
    """Every assessment the person sees; coordinators open new ones here."""
    assessments = access.assessments_for(request.user).select_related("framework", "province")
    province = current_province(request)
    can_open = province is not None and access.can_manage_assessment(request.user, province.pk)
    mine = sorted(
        access.units_for(request.user)
        .filter(organisation_id__in=access.access_for(request.user).own_agencies)
        .select_related("assessment", "organisation"),
        key=_by_year_and_name,
    )
    to_appraise = sorted(
        access.units_for(request.user)
        .filter(appraiser_id=request.user.pk, assessment__status=AssessmentStatus.OPEN)
        .select_related("assessment", "organisation"),
        key=_by_year_and_name,
    )
    return render(
        request,
        "web/assessment/list.html",
        {
            "assessments": list(assessments),
            "mine": list(mine),
            "to_appraise": list(to_appraise),
            "can_open": can_open,
            "badges": STATUS_BADGES,
            "states": ASSESSMENT_LABELS,
            "nav_active": "assessments",
        },
    )


def _frameworks(province_id: int) -> list[Framework]:
    return [
        f
        for f in Framework.objects.filter(province_id__in=[province_id, None]).order_by(
            "-first_year", "name"
        )
        if f.is_valid
    ]


@login_required
def assessment_open(request: HttpRequest) -> HttpResponse:
    province = current_province(request)
    if province is None or not access.can_manage_assessment(request.user, province.pk):
        raise PermissionDenied
    frameworks = _frameworks(province.pk)
    typed = {k: nfc(request.POST.get(k, "")).strip() for k in ("framework", "year", "scope")}
    typed.update(
        {k: nfc(request.POST.get(k, "")).strip() for k in ("deadline", "title")},
    )
    errors: dict[str, str] = {}
    if request.method == "POST":
        chosen = next((f for f in frameworks if str(f.pk) == typed["framework"]), None)
        if chosen is None:
            errors["framework"] = _("Choose a criteria tree.")
        year = int(typed["year"]) if typed["year"].isdigit() else None
        if year is None:
            errors["year"] = _("Enter a year such as 2020.")
        deadline = parse_date(typed["deadline"]) if typed["deadline"] else None
        if deadline is None:
            errors["deadline"] = _("Enter a date such as 2021-01-15.")
        if not errors:
            assert chosen is not None and year is not None and deadline is not None
            try:
                assessment = actions.open_assessment(
                    province,
                    by=access.actor(request.user),
                    framework=chosen,
                    year=year,
                    scope=typed["scope"],
                    deadline=deadline,
                    title=typed["title"],
                )
            except ValidationError as error:
                errors = _error_map(error)
            else:
                messages.success(request, _("The assessment was opened."))
                return redirect("assessment_detail", pk=assessment.pk)
    return render(
        request,
        "web/assessment/open.html",
        {
            "frameworks": frameworks,
            "scopes": Scope.choices,
            "typed": typed,
            "errors": errors,
            "nav_active": "assessments",
        },
    )


def _classes_text(classes: list[dict[str, Any]]) -> str:
    return "\n".join(f"{c['label']}: {c['min']}" for c in classes)


def _read_classes(text: str) -> list[dict[str, str]]:
    rows = []
    for line in text.splitlines():
        if not line.strip():
            continue
        label, _sep, minimum = line.rpartition(":")
        rows.append({"label": label.strip(), "min": minimum.strip()})
    return rows


def _appraisers(province_id: int) -> list[User]:
    ids = RoleAssignment.objects.filter(
        role=Role.APPRAISER, organisation_id=province_id, user__is_active=True
    ).values_list("user_id", flat=True)
    return sorted(
        User.objects.filter(pk__in=ids), key=lambda u: (sort_key(u.full_name), u.username)
    )


def _dossier_feeds(assessment: Assessment) -> tuple[object, ...]:
    """The tree's mapping to dossier rates, from the shipped file alone (no query)."""
    from parindex.forecasting.dossier_feeds import shipped_feeds
    from parindex.scoring.dossier_feeds import feeds_for

    framework = assessment.framework
    return feeds_for(shipped_feeds(), framework.code, framework.version)


def _render_assessment(
    request: HttpRequest,
    assessment: Assessment,
    *,
    edit_typed: dict[str, str] | None = None,
    edit_errors: dict[str, str] | None = None,
    survey_text: str = "",
    survey_error: str = "",
    dossier_error: str = "",
    dossier_period: str = "",
) -> HttpResponse:
    user = request.user
    manage = access.can_manage_assessment(user, assessment.province_id)
    units = vi_sorted(
        access.units_for(user)
        .filter(assessment=assessment)
        .select_related("organisation", "appraiser")
        .order_by("pk"),
        key=lambda u: u.organisation.name,
    )
    typed = edit_typed or {
        "title": assessment.title,
        "deadline": assessment.deadline.isoformat(),
        "classes": _classes_text(assessment.classes),
    }
    return render(
        request,
        "web/assessment/detail.html",
        {
            "assessment": assessment,
            "units": units,
            "manage": manage,
            "is_open": assessment.status == AssessmentStatus.OPEN,
            "can_read_results": access.can_read_results(user, assessment),
            "appraisers": _appraisers(assessment.province_id) if manage else [],
            "typed": typed,
            "edit_errors": edit_errors or {},
            "survey_text": survey_text,
            "survey_error": survey_error,
            # The province's satisfaction surveys, to fill the survey sub-criteria from one.
            "surveys": list(
                access.surveys_for(user)
                .filter(province_id=assessment.province_id)
                .order_by("-starts_on", "code")
            )
            if manage and assessment.status == AssessmentStatus.OPEN
            else [],
            # Sub-criteria of the tree mapped to dossier rates: fill them from the records.
            "dossier_fed": bool(manage and assessment.status == AssessmentStatus.OPEN)
            and bool(_dossier_feeds(assessment)),
            "dossier_error": dossier_error,
            "dossier_period": dossier_period or str(assessment.year),
            "badges": STATUS_BADGES,
            "states": ASSESSMENT_LABELS,
            "history": _history(user, assessment) if manage else [],
            "nav_active": "assessments",
        },
    )


@login_required
@require_GET
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_assessment(request, access.assessment_for(request.user, pk))


@login_required
@require_POST
def assessment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access.assessment_for(request.user, pk)
    if not access.can_manage_assessment(request.user, assessment.province_id):
        raise PermissionDenied
    typed = {k: nfc(request.POST.get(k, "")).strip() for k in ("title", "deadline", "classes")}
    deadline = parse_date(typed["deadline"]) if typed["deadline"] else None
    if deadline is None:
        return _render_assessment(
            request,
            assessment,
            edit_typed=typed,
            edit_errors={"deadline": _("Enter a date such as 2021-01-15.")},
        )
    try:
        actions.update_assessment(
            assessment,
            by=access.actor(request.user),
            title=typed["title"],
            deadline=deadline,
            classes=_read_classes(typed["classes"]),
        )
    except ValidationError as error:
        assessment.refresh_from_db()
        return _render_assessment(
            request, assessment, edit_typed=typed, edit_errors=_error_map(error, "classes")
        )
    messages.success(request, _("Your changes were saved."))
    return redirect("assessment_detail", pk=assessment.pk)


@login_required
@require_POST
def unit_appraiser(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    if not access.can_manage_assessment(request.user, unit.assessment.province_id):
        raise PermissionDenied
    chosen = request.POST.get("appraiser", "")
    person = None
    if chosen:
        person = next(
            (p for p in _appraisers(unit.assessment.province_id) if str(p.pk) == chosen), None
        )
        if person is None:
            messages.error(request, _("Choose one of the province's appraisers."))
            return redirect("assessment_detail", pk=unit.assessment_id)
    try:
        actions.set_appraiser(unit, by=access.actor(request.user), appraiser=person)
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("The appraiser was changed."))
    return redirect(reverse("assessment_detail", args=[unit.assessment_id]) + f"#unit-{unit.pk}")


def _read_survey(text: str, organisations: dict[str, int]) -> list[actions.SurveyResult]:
    """Rows of `unit,code,value,numerator,denominator,source` (header optional)."""
    rows: list[actions.SurveyResult] = []
    lines = [line for line in text.splitlines() if line.strip()]
    if lines and lines[0].replace(" ", "").lower().startswith("unit,code"):
        lines = lines[1:]
    for number, cells in enumerate(csv.reader(io.StringIO("\n".join(lines))), start=1):
        cells = [c.strip() for c in cells] + [""] * 6
        unit, code, value, numerator, denominator, source = cells[:6]
        if unit not in organisations:
            raise ValidationError(
                _("Line %(n)s: %(unit)s is not a unit of this assessment.")
                % {"n": number, "unit": unit}
            )
        try:
            figures = [actions.read_number(x or None) for x in (value, numerator, denominator)]
        except ValueError as error:
            raise ValidationError(
                _("Line %(n)s: %(error)s") % {"n": number, "error": error}
            ) from None
        rows.append(
            actions.SurveyResult(
                organisation_id=organisations[unit],
                code=code,
                value=figures[0],
                numerator=figures[1],
                denominator=figures[2],
                source=source,
            )
        )
    if not rows:
        raise ValidationError(_("Enter at least one line of results."))
    return rows


@login_required
@require_POST
def assessment_survey(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access.assessment_for(request.user, pk)
    if not access.can_manage_assessment(request.user, assessment.province_id):
        raise PermissionDenied
    if "survey" in request.POST:
        return _fill_from_survey(request, assessment)
    if "dossiers" in request.POST:
        return _fill_from_dossiers(request, assessment)
    text = nfc(request.POST.get("results", ""))
    organisations = {
        code: org_id
        for code, org_id in assessment.units.values_list("organisation__code", "organisation_id")
        if code
    }
    try:
        count = actions.enter_survey_results(
            assessment,
            by=access.actor(request.user),
            results=_read_survey(text, organisations),
        )
    except ValidationError as error:
        return _render_assessment(
            request, assessment, survey_text=text, survey_error=" ".join(_messages_of(error))
        )
    messages.success(request, _("%(n)s survey results were entered.") % {"n": count})
    return redirect("assessment_detail", pk=assessment.pk)


def _fill_from_survey(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """The same form's other way: the figures of one of the province's satisfaction surveys,
    for the sub-criteria mapped to its factors."""
    from parindex.forecasting.satisfaction import fill_from_survey

    survey = (
        access.surveys_for(request.user)
        .filter(province_id=assessment.province_id, pk=str(request.POST["survey"]))
        .first()
        if str(request.POST["survey"]).isdigit()
        else None
    )
    if survey is None:
        return _render_assessment(
            request, assessment, survey_error=str(_("Choose one of the province's surveys."))
        )
    try:
        count = fill_from_survey(assessment, survey, by=access.actor(request.user))
    except ValidationError as error:
        return _render_assessment(request, assessment, survey_error=" ".join(_messages_of(error)))
    messages.success(request, _("%(n)s survey results were entered.") % {"n": count})
    return redirect("assessment_detail", pk=assessment.pk)


def _fill_from_dossiers(request: HttpRequest, assessment: Assessment) -> HttpResponse:
    """The same form's third way: the rates of the province's dossier records, for the
    sub-criteria mapped to dossier rates."""
    from parindex.forecasting.dossier_feeds import fill_from_dossiers

    period = nfc(str(request.POST.get("period", ""))).strip()[:40]
    try:
        count = fill_from_dossiers(assessment, by=access.actor(request.user), period=period)
    except ValidationError as error:
        return _render_assessment(
            request, assessment, dossier_error=" ".join(_messages_of(error)), dossier_period=period
        )
    messages.success(request, _("%(n)s rates computed from dossiers were entered.") % {"n": count})
    return redirect("assessment_detail", pk=assessment.pk)


@login_required
@require_POST
def assessment_close(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access.assessment_for(request.user, pk)
    try:
        actions.close_appraisal(assessment, by=access.actor(request.user))
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("The appraisal was closed."))
    return redirect("assessment_detail", pk=assessment.pk)


@login_required
@require_POST
def assessment_publish(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = access.assessment_for(request.user, pk)
    try:
        actions.publish_results(assessment, by=access.actor(request.user))
    except ValidationError as error:
        _fail(request, error)
        return redirect("assessment_detail", pk=assessment.pk)
    messages.success(request, _("The results were published."))
    return redirect("assessment_results", pk=assessment.pk)


# --- a unit's tree -------------------------------------------------------------------------------


@dataclass
class Row:
    """One node of the unit's tree as a page shows it."""

    node: Any
    depth: int
    leaf: bool
    self_points: Decimal | None
    appraised_points: Decimal | None
    final_points: Decimal | None
    entry: Entry | None = None
    bands: list[Any] = field(default_factory=list)
    documents: list[Any] = field(default_factory=list)
    kind: str = ""  # band, percent, count, survey (leaves)
    typed: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)
    editable: bool = False
    cited: set[int] = field(default_factory=set)
    proposal: Proposal | None = None
    trace: str = ""
    changed: AuditEntry | None = None
    saved_now: str = ""
    appraise_error: str = ""

    @property
    def code(self) -> str:
        return str(self.node.code)

    @property
    def key(self) -> str:
        """The code as an HTML id and CSS selector can hold it ("1.2" → "1-2")."""
        return leaf_key(self.code)

    @property
    def lost(self) -> Decimal | None:
        if self.final_points is None:
            return None
        return Decimal(self.node.max_points) - self.final_points


def leaf_key(code: str) -> str:
    return "".join(ch if ch.isalnum() else "-" for ch in code)


def _kind(node: Any) -> str:
    if node.method == Method.SURVEY:
        return "survey"
    if node.scoring == Scoring.CATEGORICAL:
        return "band"
    return "percent" if node.unit == "percent" else "count"


def _entry_typed(entry: Entry) -> dict[str, str]:
    return {
        "band": entry.band,
        "value": _number_text(entry.value),
        "numerator": _number_text(entry.numerator),
        "denominator": _number_text(entry.denominator),
        "explanation": entry.explanation,
    }


def unit_rows(
    user: Any,
    unit: AssessedUnit,
    *,
    editable: bool,
    typed: dict[str, dict[str, str]] | None = None,
    errors: dict[str, str] | None = None,
    stale: bool = False,
) -> list[Row]:
    typed = typed or {}
    errors = errors or {}
    traces = unit.scores.get("traces", {}) if isinstance(unit.scores, dict) else {}
    proposals = proposals_for(unit) if editable else {}
    changed = _last_changes(user, unit)
    rows: list[Row] = []
    for item in reading.unit_tree(unit):
        node = item.node
        leaf = item.entry is not None
        row = Row(
            node=node,
            depth=node.depth,
            leaf=leaf,
            self_points=item.self_points,
            appraised_points=item.appraised_points,
            final_points=item.final_points,
            entry=item.entry,
            bands=item.bands,
            documents=item.documents,
        )
        if leaf and item.entry is not None:
            entry = item.entry
            row.kind = _kind(node)
            row.editable = (
                editable
                and row.kind != "survey"
                and not (
                    unit.status == UnitStatus.RETURNED and entry.appraisal != Appraisal.REQUESTED
                )
            )
            row.typed = {**_entry_typed(entry), **typed.get(row.code, {})}
            row.cited = {d.pk for d in item.documents}
            if row.code in typed and "documents" in typed[row.code]:
                row.cited = {int(x) for x in typed[row.code]["documents"].split(",") if x}
            row.errors = {
                name: message
                for key, message in errors.items()
                for name in [key.removeprefix(f"{row.code}-")]
                if key.startswith(f"{row.code}-")
            }
            row.proposal = proposals.get(row.code)
            row.trace = str(traces.get(row.code, "")) or entry.self_band
            row.changed = changed.get(row.code)
            if stale and row.code in typed:
                now = _entry_typed(entry)
                if any(typed[row.code].get(k, now[k]) != now[k] for k in FIELDS):
                    row.saved_now = _describe_input(entry)
        rows.append(row)
    return rows


def _describe_input(entry: Entry) -> str:
    if entry.band:
        return entry.band
    if entry.numerator is not None:
        return f"{_number_text(entry.numerator)} / {_number_text(entry.denominator)}"
    return _number_text(entry.value) or "—"


def _domains(rows: list[Row]) -> list[tuple[Row, list[Row]]]:
    groups: list[tuple[Row, list[Row]]] = []
    for row in rows:
        if row.depth == 1:
            groups.append((row, []))
        elif groups:
            groups[-1][1].append(row)
    return groups


def _unit_context(unit: AssessedUnit, user: Any) -> dict[str, Any]:
    assessment = unit.assessment
    scores = unit.scores if isinstance(unit.scores, dict) else {}
    total = scores.get("total", {})
    return {
        "unit": unit,
        "assessment": assessment,
        "maximum": sum(
            (n.max_points for n in assessment.framework.nodes.filter(parent__isnull=True)),
            Decimal(0),
        ),
        "status_badge": STATUS_BADGES.get(unit.status, "draft"),
        "can_appraise": access.can_appraise(user, unit)
        and unit.status in (UnitStatus.SUBMITTED, UnitStatus.RETURNED, UnitStatus.ANSWERED),
        "can_self_assess": access.can_self_assess(user, unit),
        "can_read_results": access.can_read_results(user, assessment),
        "total": total,
        "unit_exports": export_formats("assessment-unit"),
        "history": _history(user, unit),
        "nav_active": "assessments",
    }


def _render_unit(
    request: HttpRequest,
    unit: AssessedUnit,
    *,
    typed: dict[str, dict[str, str]] | None = None,
    errors: dict[str, str] | None = None,
    version: int | None = None,
    stale: actions.StaleUnit | None = None,
    document_typed: dict[str, str] | None = None,
    document_errors: dict[str, str] | None = None,
    answer_errors: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = request.user
    editable = access.can_self_assess(user, unit)
    rows = unit_rows(
        user, unit, editable=editable, typed=typed, errors=errors, stale=stale is not None
    )
    documents = list(unit.documents.order_by("uploaded_at", "pk"))
    context = _unit_context(unit, user)
    context.update(
        {
            "domains": _domains(rows),
            "leaves": [r for r in rows if r.leaf],
            "editable": editable,
            "can_submit": access.can_submit_unit(user, unit),
            "problems": actions.submit_problems(unit) if unit.status == UnitStatus.DRAFT else [],
            "returned": [
                r for r in rows if r.entry is not None and r.entry.appraisal == Appraisal.REQUESTED
            ],
            # Answering is self-assessing a returned unit: the same people, the same time.
            "can_answer": unit.status == UnitStatus.RETURNED and editable,
            "answer_errors": answer_errors or {},
            "documents": documents,
            "version": version if version is not None else unit.version,
            "has_errors": bool(errors),
            "errors": errors or {},
            "stale": stale,
            "document_typed": document_typed or {},
            "document_errors": document_errors or {},
        }
    )
    return render(request, "web/assessment/unit.html", context, status=status)


def _read_entries(
    request: HttpRequest, unit: AssessedUnit
) -> tuple[dict[str, actions.EntryInput], dict[str, dict[str, str]]]:
    """What the form sent for each shown leaf, as EntryInputs and as typed (to show again)."""
    post = request.POST
    entries: dict[str, actions.EntryInput] = {}
    typed: dict[str, dict[str, str]] = {}
    documents = set(unit.documents.values_list("pk", flat=True))
    for code in post.getlist("leaf"):
        prefix = f"{code}-"
        shown = {name: nfc(post.get(prefix + name, "")) for name in FIELDS if prefix + name in post}
        cited = sorted(
            {int(x) for x in post.getlist(prefix + "documents") if x.isdigit()} & documents
        )
        typed[code] = {**shown, "documents": ",".join(str(x) for x in cited)}
        data = actions.EntryInput(
            documents=cited, evidence_partial=post.get(prefix + "partial") == "1"
        )
        for name, text in shown.items():
            setattr(data, name, text.strip() if name != "explanation" else text)
        if post.get("take") == code:
            data.use_proposal = True
            data.value = data.numerator = data.denominator = actions.KEEP
        entries[code] = data
    return entries, typed


@login_required
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit's self-assessment: the tree, values, evidence, explanations; save and submit."""
    unit = _unit(request, pk)
    if request.method != "POST":
        return _render_unit(request, unit)
    submit = "submit" in request.POST
    if not access.can_self_assess(request.user, unit) or (
        submit and not access.can_submit_unit(request.user, unit)
    ):
        raise PermissionDenied
    by = access.actor(request.user)
    entries, typed = _read_entries(request, unit)
    sent = request.POST.get("version", "")
    version = int(sent) if sent.isdigit() else 0  # no version: stale, refused as such
    try:
        saved, errors = actions.save_entries(unit, by=by, version=version, entries=entries)
    except actions.StaleUnit as stale:
        unit.refresh_from_db()
        return _render_unit(request, unit, typed=typed, stale=stale, status=409)
    except ValidationError as error:
        return _render_unit(
            request,
            unit,
            typed=typed,
            errors={"all": " ".join(_messages_of(error))},
            version=version,
            status=422,
        )
    if errors:
        return _render_unit(request, unit, typed=typed, errors=errors, version=version, status=422)
    messages.success(request, _("Your changes were saved."))
    if submit:
        try:
            actions.submit_unit(saved, by=by)
        except ValidationError as refusal:
            _fail(request, refusal)
        else:
            messages.success(request, _("The self-assessment was submitted for appraisal."))
    return redirect("unit_detail", pk=unit.pk)


@login_required
@require_GET
def unit_leaf_points(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """The points one leaf would get from what is typed, without saving (feedback as one types)."""
    unit = _unit(request, pk)
    tree = compile_tree(spec_from_framework(unit.assessment.framework))
    if code not in tree.leaves:
        raise Http404("no such sub-criterion")
    get = request.GET
    probe = Entry(band=nfc(get.get(f"{code}-band", "")).strip())
    problem = ""
    try:
        for name in ("value", "numerator", "denominator"):
            setattr(probe, name, actions.read_number(get.get(f"{code}-{name}", "").strip() or None))
    except ValueError as error:
        problem = str(error)
    given = None if problem else actions.leaf_input(probe, tree.leaves[code].unit)
    result, refused = score_leaf(tree, code, given)
    if refused is not None:
        problem = refused.message
    return render(
        request,
        "web/assessment/_points.html",
        {
            "key": leaf_key(code),
            "result": result,
            "problem": problem,
            "given": given is not None,
        },
    )


@login_required
@require_POST
def unit_document_add(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    if not access.can_self_assess(request.user, unit):
        raise PermissionDenied
    typed = {k: nfc(request.POST.get(k, "")).strip() for k in ("number", "date", "issuer", "title")}
    codes = [c for c in request.POST.getlist("codes") if c]
    typed["codes"] = ",".join(codes)
    errors: dict[str, str] = {}
    day = None
    if typed["date"]:
        day = parse_date(typed["date"])
        if day is None:
            errors["date"] = _("Enter a date such as 2020-03-15.")
    if not errors:
        try:
            actions.add_document(
                unit,
                by=access.actor(request.user),
                number=typed["number"],
                date_=day,
                issuer=typed["issuer"],
                title=typed["title"],
                upload=request.FILES.get("file"),
                codes=codes,
            )
        except ValidationError as error:
            errors = _error_map(error)
    if errors:
        return _render_unit(request, unit, document_typed=typed, document_errors=errors, status=422)
    messages.success(request, _("The evidence document was recorded."))
    return redirect(reverse("unit_detail", args=[unit.pk]) + "#documents")


@login_required
@require_GET
def unit_document_download(request: HttpRequest, pk: int) -> FileResponse:
    document = access.document_for(request.user, pk)
    if not document.file:
        raise Http404("no file")
    return evidence_response(document)


@login_required
@require_POST
def unit_answer(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    unit = _unit(request, pk)
    answer = nfc(request.POST.get(f"{code}-answer", ""))
    try:
        actions.answer_entry(unit, code, by=access.actor(request.user), answer=answer)
    except ValidationError as error:
        return _render_unit(
            request, unit, answer_errors={code: " ".join(_messages_of(error))}, status=422
        )
    messages.success(request, _("Your answer was sent to the appraiser."))
    return redirect("unit_detail", pk=unit.pk)


# --- appraisal --------------------------------------------------------------------------------


def _render_appraisal(
    request: HttpRequest,
    unit: AssessedUnit,
    *,
    errors: dict[str, str] | None = None,
    typed: dict[str, dict[str, str]] | None = None,
    status: int = 200,
) -> HttpResponse:
    rows = unit_rows(request.user, unit, editable=False)
    for row in rows:
        row.appraise_error = (errors or {}).get(row.code, "")
        if typed and row.code in typed:
            row.typed.update(typed[row.code])
    context = _unit_context(unit, request.user)
    context.update(
        {
            "domains": _domains(rows),
            "decisions": [
                ("accept", _("Accept the self-score")),
                ("score", _("Set the score")),
                ("request", _("Request more evidence")),
            ],
        }
    )
    return render(request, "web/assessment/appraisal.html", context, status=status)


@login_required
@require_GET
def unit_appraisal(request: HttpRequest, pk: int) -> HttpResponse:
    """Self and appraised scores side by side; the appraiser decides per sub-criterion."""
    unit = _unit(request, pk)
    return _render_appraisal(request, unit)


@login_required
@require_POST
def unit_appraise(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    unit = _unit(request, pk)
    decision = request.POST.get("decision", "")
    points = request.POST.get("points", "").strip()
    comment = nfc(request.POST.get("comment", ""))
    if decision not in {d.value for d in actions.Decision}:
        return _render_appraisal(
            request,
            unit,
            errors={code: _("Choose a decision.")},
            typed={code: {"points": points, "comment": comment}},
            status=422,
        )
    try:
        actions.appraise_entry(
            unit,
            code,
            by=access.actor(request.user),
            decision=decision,
            points=points or None,
            comment=comment,
        )
    except ValidationError as error:
        return _render_appraisal(
            request,
            unit,
            errors={code: " ".join(_messages_of(error))},
            typed={code: {"points": points, "comment": comment, "decision": decision}},
            status=422,
        )
    return redirect(reverse("unit_appraisal", args=[unit.pk]) + f"#leaf-{code}")


@login_required
@require_POST
def unit_finish(request: HttpRequest, pk: int) -> HttpResponse:
    unit = _unit(request, pk)
    try:
        actions.finish_unit_appraisal(unit, by=access.actor(request.user))
    except ValidationError as error:
        _fail(request, error)
    else:
        messages.success(request, _("The unit's appraisal is finished."))
    return redirect("unit_appraisal", pk=unit.pk)


# --- results ------------------------------------------------------------------------------------


@login_required
@require_GET
def assessment_results(request: HttpRequest, pk: int) -> HttpResponse:
    """Totals, domains, classes, ranks, points lost and the change on last year."""
    assessment = access.assessment_for(request.user, pk)
    if not access.can_read_results(request.user, assessment):
        raise PermissionDenied
    computed = reading.results_of(assessment)
    visible = set(
        access.units_for(request.user).filter(assessment=assessment).values_list("pk", flat=True)
    )
    domains = computed.units[0].domains if computed.units else []
    return render(
        request,
        "web/assessment/results.html",
        {
            "assessment": assessment,
            "results": computed,
            "domains": domains,
            "visible": visible,
            "keys": {
                code: leaf_key(code)
                for code in assessment.framework.nodes.values_list("code", flat=True)
            },
            "previous": reading.previous_assessment(assessment),
            "ranking_exports": export_formats("assessment-ranking"),
            "badges": STATUS_BADGES,
            "statuses": dict(UnitStatus.choices),
            "nav_active": "assessments",
        },
    )
