"""One-stop-shop dossiers on screen: the form Biểu số 06/VPCP/KSTT for a period, the dossiers
behind each of its counts, imports with their progress and problems, and the province's agency
codes, source mappings and settings (docs/dossiers.md, "Screens")."""

from __future__ import annotations

import json
from datetime import date
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from parindex.dossiers import actions, drill, reading
from parindex.dossiers import forms as dossier_forms
from parindex.dossiers.messages import problem_text
from parindex.dossiers.models import OnTimeRate
from parindex.dossiers.periods import Period, parse_period, previous_period, quarter
from parindex.lib.dates import parse_date
from parindex.orgs import access
from parindex.orgs.hierarchy import in_reading_order
from parindex.orgs.models import Organisation, OrgKind, User
from parindex.web import dossier_jobs
from parindex.web.views.common import add_action_errors, current_province

# The form's count columns (3) to (13), as they are numbered on it.
FORM_COLUMNS: tuple[tuple[str, str], ...] = (
    ("tong_so", "3"),
    ("nhan_truc_tuyen", "4"),
    ("nhan_truc_tiep_bcci", "5"),
    ("tu_ky_truoc", "6"),
    ("da_gq", "7"),
    ("da_gq_truoc_han", "8"),
    ("da_gq_dung_han", "9"),
    ("da_gq_qua_han", "10"),
    ("dang_gq", "11"),
    ("dang_gq_trong_han", "12"),
    ("dang_gq_qua_han", "13"),
)
# The rates and the count whose dossiers make each numerator (the link of a rate).
RATE_WORDS = {
    "ty_le_dung_han": (gettext_lazy("On time (of resolved)"), "da_gq_qua_han"),
    "ty_le_dung_han_ca_dang_qua_han": (
        gettext_lazy("On time (of resolved and pending overdue)"),
        "dang_gq_qua_han",
    ),
    "ty_le_truc_tuyen": (gettext_lazy("Received online"), "nhan_truc_tuyen"),
    "ty_le_nhan_bcci": (gettext_lazy("Received by post"), "nhan_bcci"),
    "ty_le_tra_bcci": (gettext_lazy("Results returned by post"), "tra_kq_bcci"),
    "ty_le_tthc_tt34_bcci": (gettext_lazy("Procedures online (level 3/4) or by post"), ""),
}
KIND_WORDS = {
    "tong_so": gettext_lazy("All dossiers of the period"),
    "nhan_moi": gettext_lazy("Received in the period"),
    "nhan_truc_tuyen": gettext_lazy("Received online"),
    "nhan_truc_tiep_bcci": gettext_lazy("Received in person or by post"),
    "nhan_truc_tiep": gettext_lazy("Received in person"),
    "nhan_bcci": gettext_lazy("Received by post"),
    "tu_ky_truoc": gettext_lazy("Carried over from the previous period"),
    "da_gq": gettext_lazy("Resolved"),
    "da_gq_truoc_han": gettext_lazy("Resolved early"),
    "da_gq_dung_han": gettext_lazy("Resolved on time"),
    "da_gq_qua_han": gettext_lazy("Resolved late"),
    "dang_gq": gettext_lazy("Pending"),
    "dang_gq_trong_han": gettext_lazy("Pending within the deadline"),
    "dang_gq_qua_han": gettext_lazy("Pending overdue"),
    "tra_kq_bcci": gettext_lazy("Results returned by post"),
}
PHASES = {
    "waiting": gettext_lazy("Starting"),
    "reading": gettext_lazy("Reading the file"),
    "checking": gettext_lazy("Checking the rows"),
    "writing": gettext_lazy("Writing the dossiers"),
    "done": gettext_lazy("Finished"),
}


# --- who reads what -------------------------------------------------------------------------


def _province(request: HttpRequest) -> Organisation:
    """The current province if the person reads some of its dossiers."""
    province = current_province(request)
    readable = access.dossier_provinces_for(request.user)
    if province is None or not readable.filter(pk=province.pk).exists():
        province = readable.filter(valid_to__isnull=True).order_by("name").first()
    if province is None:
        raise Http404("no province's dossiers to read")
    return province


def _managed(request: HttpRequest) -> Organisation:
    province = _province(request)
    if not access.can_manage_dossiers(request.user, province.pk):
        raise PermissionDenied
    return province


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # login_required
    return request.user


def _default_period() -> str:
    today = timezone.localdate()
    current = quarter(today.year, (today.month - 1) // 3 + 1)
    before = previous_period(current)
    return (before or current).code


def _typed_day(value: str) -> date:
    """A day typed as dd/mm/yyyy (or yyyy-mm-dd); ValueError with what to write instead."""
    try:
        return parse_date(value)
    except ValueError:
        raise ValueError(
            _("“%(value)s” is not a date: write it as dd/mm/yyyy.") % {"value": value}
        ) from None


def _period_text(request: HttpRequest) -> tuple[str, str]:
    """The period asked for (a code, or the range of the two dates), and what is wrong with it."""
    start, end = request.GET.get("from", "").strip(), request.GET.get("to", "").strip()
    if start or end:
        if not (start and end):
            return "", _("Give both dates of the range, or a period such as 2024Q2.")
        try:
            first, last = _typed_day(start), _typed_day(end)
        except ValueError as problem:
            return "", str(problem)
        if last < first:
            return "", _("The range ends before it starts.")
        return f"{first.isoformat()}..{last.isoformat()}", ""
    text = request.GET.get("period", "").strip() or _default_period()
    try:
        parse_period(text)
    except ValueError:
        return text, _(
            "“%(text)s” is not a period: write a quarter (2024Q2), a half-year (2024H1), "
            "a year (2024), or the two dates of a range."
        ) % {"text": text}
    return text, ""


def _base(request: HttpRequest, province: Organisation) -> dict[str, Any]:
    return {
        "province": province,
        "nav_active": "dossiers",
        "can_manage": access.can_manage_dossiers(request.user, province.pk),
        "reads_all": access.reads_all_dossiers(request.user, province.pk),
    }


# --- the form -------------------------------------------------------------------------------


def _name(
    province: Organisation, row: dossier_forms.FormRow, districts: dict[str, str] | None = None
) -> str:
    """The row's name; `districts` (code → name) names the district groups."""
    if row.agency == dossier_forms.PROVINCE_GROUP:
        return _("Whole province (%(name)s)") % {"name": province.name}
    if row.agency == dossier_forms.DEPARTMENTS_GROUP:
        return _("Departments and agencies")
    if row.group:
        code = row.agency.removeprefix(dossier_forms.GROUP_PREFIX)
        return _("%(name)s and its communes") % {"name": (districts or {}).get(code, code)}
    return row.organisation.name if row.organisation else row.agency


def _drill_url(base: str, period: str, kind: str, agency: str) -> str:
    """The list behind a count: `base` is the list's path, looked up once per page (a form of
    180 agencies has 3 000 links, and each lookup of a path costs a tenth of a millisecond)."""
    query = {"period": period, "kind": kind, "agency": agency}
    return base + "?" + urlencode({k: v for k, v in query.items() if v})


def _rate_cells(base: str, period: str, row: dossier_forms.FormRow) -> list[dict[str, Any]]:
    cells = []
    for name, (words, kind) in RATE_WORDS.items():
        rate = row.rates[name]
        fraction = row.fraction(name)
        cells.append(
            {
                "name": name,
                "words": words,
                "fraction": fraction,
                "percent": f"{fraction * 100:.2f}" if fraction is not None else "",
                "numerator": rate[0] if rate else None,
                "denominator": rate[1] if rate else None,
                "url": _drill_url(base, period, kind, row.agency) if kind else "",
            }
        )
    return cells


@login_required
def dossier_form(request: HttpRequest) -> HttpResponse:
    province = _province(request)
    context = _base(request, province)
    period_text, error = _period_text(request)
    agency = request.GET.get("agency", "").strip()
    groups = context["reads_all"] and not agency and request.GET.get("groups", "1") != "0"
    rows: list[dossier_forms.FormRow] = []
    period: Period | None = None
    if not error:
        try:
            period = parse_period(period_text)
            rows = dossier_forms.form_rows(
                request.user, province, period.code, agency or None, groups=groups
            )
        except (ValueError, dossier_forms.FormError) as problem:
            period, error = None, str(problem)
    agencies = [row for row in rows if not row.group]
    # The province first, then its departments, then each district with its communes.
    first = {dossier_forms.PROVINCE_GROUP: 0, dossier_forms.DEPARTMENTS_GROUP: 1}
    grouped = sorted(
        (row for row in rows if row.group), key=lambda r: (first.get(r.agency, 2), r.agency)
    )
    group_codes = [r.agency.removeprefix(dossier_forms.GROUP_PREFIX) for r in grouped]
    districts = dict(
        Organisation.objects.filter(province=province, code__in=group_codes).values_list(
            "code", "name"
        )
    )
    base = reverse("dossier_list")
    shown = [
        {
            "row": row,
            "name": _name(province, row, districts),
            "counts": [
                (row.counts[c], _drill_url(base, period.code if period else "", c, row.agency))
                for c, _n in FORM_COLUMNS
            ],
            "rates": _rate_cells(base, period.code if period else "", row),
        }
        for row in [*agencies, *grouped]
    ]
    matches = reading.matches(province) if context["reads_all"] else {}
    choices = [
        (code, m.organisation.name if m.organisation else code) for code, m in matches.items()
    ]
    if not context["reads_all"]:
        choices = [(r.agency, _name(province, r)) for r in agencies]
    query = {"province": province.code, "period": period.code if period else ""}
    if agency:
        query["agency"] = agency
    if groups:
        query["groups"] = "1"
    context.update(
        {
            "period": period,
            "period_text": period_text,
            "period_from": request.GET.get("from", "").strip(),
            "period_to": request.GET.get("to", "").strip(),
            "agency": agency,
            "groups": groups,
            "error": error,
            "rows": shown,
            "dossier_count": sum(row.counts["tong_so"] for row in agencies),
            "unmatched": [row.agency for row in agencies if not row.matched],
            "identity_problems": dossier_forms.identity_problems(province, rows) if rows else [],
            "agency_choices": choices,
            "columns": FORM_COLUMNS,
            "export_query": urlencode(query),
            "rate_names": list(RATE_WORDS.values()),
            "on_time_rate": reading.kpi_setting(province).on_time_rate,
        }
    )
    return render(request, "web/dossiers/form.html", context)


# --- the dossiers behind a count -------------------------------------------------------------


def _filters(request: HttpRequest) -> tuple[drill.Filters, str]:
    dates: dict[str, date | None] = {}
    for name in ("received_from", "received_to"):
        value = request.GET.get(name, "").strip()
        try:
            dates[name] = _typed_day(value) if value else None
        except ValueError as problem:
            return drill.Filters(), str(problem)
    return (
        drill.Filters(
            procedure=request.GET.get("procedure", "").strip(),
            status=request.GET.get("status", "").strip(),
            received_from=dates["received_from"],
            received_to=dates["received_to"],
        ),
        "",
    )


@login_required
def dossier_list(request: HttpRequest) -> HttpResponse:
    province = _province(request)
    context = _base(request, province)
    period_text, error = _period_text(request)
    kind = request.GET.get("kind", "").strip() or "tong_so"
    agency = request.GET.get("agency", "").strip()
    filters, filter_error = _filters(request)
    error = error or filter_error
    listing: drill.Listing | None = None
    worst: list[drill.LateProcedure] = []
    if not error:
        try:
            page = int(request.GET.get("page", "1") or 1)
        except ValueError:
            page = 1
        try:
            listing = drill.listing(
                request.user, province, period_text, kind, agency, filters=filters, page=page
            )
            worst = drill.worst_procedures(request.user, province, period_text, agency, limit=10)
        except drill.DrillError as problem:
            error = str(problem)
    export = {
        "province": province.code,
        "period": listing.period.code if listing else period_text,
        "kind": listing.kind if listing else kind,
        "agency": agency,
        "procedure": filters.procedure,
        "status": filters.status,
        "from": filters.received_from.isoformat() if filters.received_from else "",
        "to": filters.received_to.isoformat() if filters.received_to else "",
    }
    matches = reading.matches(province)
    readable = access.dossier_organisations_for(request.user, province.pk)
    agency_choices = [
        (code, m.organisation.name if m.organisation else code)
        for code, m in matches.items()
        if readable is None or (m.organisation is not None and m.organisation.pk in readable)
    ]
    context.update(
        {
            "listing": listing,
            "worst": worst,
            "error": error,
            "kind": listing.kind if listing else drill.ALIASES.get(kind, kind),
            "kind_words": KIND_WORDS,
            "kind_title": KIND_WORDS.get(
                listing.kind if listing else drill.ALIASES.get(kind, kind), _("Dossiers")
            ),
            "agency": agency,
            "agency_choices": agency_choices,
            "period_text": listing.period.code if listing else period_text,
            "filters": filters,
            "export_query": urlencode({k: v for k, v in export.items() if v}),
            "previous_page": listing.page - 1 if listing and listing.page > 1 else None,
            "next_page": listing.page + 1 if listing and listing.page < listing.pages else None,
            "query_without_page": urlencode(
                [(k, v) for k, v in request.GET.items() if k != "page"]
            ),
        }
    )
    return render(request, "web/dossiers/list.html", context)


# --- imports --------------------------------------------------------------------------------


class ImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Dossier file (CSV, XLSX or Parquet)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,.parquet,.txt"}),
    )
    source = forms.CharField(
        label=gettext_lazy("Source system"),
        required=False,
        max_length=64,
        help_text=gettext_lazy("Such as motcua-vnpt; its default mapping is used."),
    )
    mapping = forms.ChoiceField(label=gettext_lazy("Mapping"), required=False, choices=())
    skip_bad_rows = forms.BooleanField(
        label=gettext_lazy("Import the good rows and leave out those with problems"),
        required=False,
    )

    def __init__(self, *args: Any, mappings: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        mapping = self.fields["mapping"]
        assert isinstance(mapping, forms.ChoiceField)
        mapping.choices = [("", _("The source's default")), *((m, m) for m in mappings)]


@login_required
def dossier_import(request: HttpRequest) -> HttpResponse:
    province = _managed(request)
    user = _user(request)
    names = sorted(
        set(
            access.dossier_mappings_for(user)
            .filter(province=province)
            .values_list("name", flat=True)
        )
    )
    form = ImportForm(request.POST or None, request.FILES or None, mappings=names)
    if request.method == "POST" and form.is_valid():
        source = form.cleaned_data["source"].strip()
        mapping = form.cleaned_data["mapping"] or None
        upload = form.cleaned_data["file"]
        try:
            if source:
                source = actions._slug(source, "source")
            actions.find_mapping(province, source, mapping)
            path = dossier_jobs.save_upload(upload)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            token = dossier_jobs.start(
                province,
                path,
                by=user,
                filename=upload.name or "upload",
                source=source,
                mapping=mapping,
                skip_bad_rows=form.cleaned_data["skip_bad_rows"],
            )
            return redirect("dossier_import_progress", token=token)
    context = _base(request, province)
    context["form"] = form
    return render(request, "web/dossiers/import.html", context)


@login_required
def dossier_import_progress(request: HttpRequest, token: str) -> HttpResponse:
    province = _managed(request)
    found = dossier_jobs.state(token, _user(request))
    if found is None:
        raise Http404("no such import")
    if found.get("done"):
        dossier_jobs.forget(token)
        if found.get("run"):
            target = reverse("dossier_import_detail", args=[found["run"]])
        else:
            messages.error(
                request,
                _("The import stopped; nothing was imported.")
                + (" " + found["error"] if found.get("error") not in (None, "failed") else ""),
            )
            target = reverse("dossier_import")
        if request.headers.get("HX-Request"):
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        return redirect(target)
    context = _base(request, province)
    share = float(found.get("share", 0.0))
    context.update(
        {
            "token": token,
            "phase": PHASES.get(str(found.get("phase")), found.get("phase")),
            "percent": round(100 * share),
        }
    )
    template = "web/dossiers/_progress.html"
    if not request.headers.get("HX-Request"):
        template = "web/dossiers/import_progress.html"
    return render(request, template, context)


@login_required
def dossier_imports(request: HttpRequest) -> HttpResponse:
    province = _province(request)
    if not access.reads_all_dossiers(request.user, province.pk):
        raise PermissionDenied
    context = _base(request, province)
    context["runs"] = access.dossier_imports_for(request.user).filter(province=province)[:100]
    return render(request, "web/dossiers/imports.html", context)


@login_required
def dossier_import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        run = access.dossier_import_for(request.user, pk)
    except access.NotFound:
        raise Http404("no such import") from None
    context = _base(request, run.province)
    context["run"] = run
    context["problems"] = [
        {**problem, "text": problem_text(str(problem.get("code", "")))} for problem in run.problems
    ]
    return render(request, "web/dossiers/import_detail.html", context)


# --- agency codes, mappings, settings -------------------------------------------------------


@login_required
def dossier_codes(request: HttpRequest) -> HttpResponse:
    province = _managed(request)
    user = _user(request)
    matches = reading.matches(province)
    organisations = in_reading_order(
        access.organisations_for(user)
        .filter(province=province, valid_to__isnull=True)
        .exclude(kind=OrgKind.PROVINCE)
    )
    errors: list[str] = []
    if request.method == "POST":
        codes = {
            code: request.POST.get(f"code-{code}", "").strip()
            for code in matches
            if f"code-{code}" in request.POST
        }
        before = {
            code: m.organisation.code if m.organisation else "" for code, m in matches.items()
        }
        # Only what changed is saved (and audited); an organisation the list does not offer is
        # left for the action to refuse, naming the code.
        changed = {code: target for code, target in codes.items() if target != before[code]}
        try:
            actions.set_agency_codes(province, by=user, codes=changed)
        except ValidationError as error:
            errors = [m for m in error.messages]
        else:
            if changed:
                messages.success(
                    request, _("%(count)s agency codes saved.") % {"count": len(changed)}
                )
            return redirect("dossier_codes")
    show_all = request.GET.get("all") == "1"
    listed = [m for m in matches.values() if show_all or not m.matched]
    listed.sort(key=lambda m: (-m.dossiers, m.code))
    context = _base(request, province)
    context.update(
        {
            "codes": listed,
            "unmatched_count": sum(1 for m in matches.values() if not m.matched),
            "organisations": organisations,
            "show_all": show_all,
            "errors": errors,
        }
    )
    return render(request, "web/dossiers/codes.html", context)


class MappingForm(forms.Form):
    source = forms.CharField(label=gettext_lazy("Source system"), max_length=64)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=64, initial="default")
    columns = forms.CharField(
        label=gettext_lazy("Columns"),
        widget=forms.Textarea(attrs={"rows": 8, "class": "mono"}),
        help_text=gettext_lazy(
            'JSON: the file\'s column → the dossier column, such as {"MaHoSo": "ma_ho_so"}.'
        ),
    )
    values = forms.CharField(
        label=pgettext_lazy("mapping", "Values"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "mono"}),
        help_text=gettext_lazy(
            "JSON: per field, the source's value → the canonical one, such as "
            '{"trang_thai": {"7": "DA_GIAI_QUYET"}}.'
        ),
    )

    def _json(self, field: str) -> dict[str, Any]:
        text = self.cleaned_data.get(field) or "{}"
        try:
            value = json.loads(text)
        except ValueError as error:
            raise forms.ValidationError(_("Not JSON: %(error)s") % {"error": error}) from None
        if not isinstance(value, dict):
            raise forms.ValidationError(_("Give a JSON object: {...}."))
        return value

    def clean_columns(self) -> dict[str, Any]:
        found = self._json("columns")
        if not all(isinstance(v, str) for v in found.values()):
            raise forms.ValidationError(_("Each column maps to a column name."))
        return found

    def clean_values(self) -> dict[str, Any]:
        found = self._json("values")
        if not all(
            isinstance(v, dict) and all(isinstance(x, str) for x in v.values())
            for v in found.values()
        ):
            raise forms.ValidationError(_("Each field maps source values to canonical values."))
        return found


@login_required
def dossier_mappings(request: HttpRequest) -> HttpResponse:
    province = _managed(request)
    user = _user(request)
    existing = access.dossier_mappings_for(user).filter(province=province)
    chosen = existing.filter(
        source=request.GET.get("source", ""), name=request.GET.get("name", "default")
    ).first()
    initial = (
        {
            "source": chosen.source,
            "name": chosen.name,
            "columns": json.dumps(chosen.columns, ensure_ascii=False, indent=1),
            "values": json.dumps(chosen.values, ensure_ascii=False, indent=1),
        }
        if chosen
        else {"name": "default"}
    )
    form = MappingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            saved = actions.save_mapping(
                province,
                by=user,
                source=form.cleaned_data["source"],
                name=form.cleaned_data["name"],
                columns=form.cleaned_data["columns"],
                values=form.cleaned_data["values"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Mapping %(name)s saved.") % {"name": str(saved)})
            return redirect("dossier_mappings")
    context = _base(request, province)
    context.update({"mappings": existing, "form": form, "chosen": chosen})
    return render(request, "web/dossiers/mappings.html", context)


class SettingsForm(forms.Form):
    carried_over_from_start_day = forms.BooleanField(
        label=gettext_lazy(
            "A dossier received before the period and finished on its first day is carried over"
        ),
        required=False,
    )
    on_time_rate = forms.ChoiceField(
        label=gettext_lazy("On-time rate that feeds the target"),
        choices=OnTimeRate.choices,
        widget=forms.RadioSelect,
    )


@login_required
def dossier_settings(request: HttpRequest) -> HttpResponse:
    province = _managed(request)
    saved = reading.kpi_setting(province)
    form = SettingsForm(
        request.POST or None,
        initial={
            "carried_over_from_start_day": saved.carried_over_from_start_day,
            "on_time_rate": saved.on_time_rate,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            actions.save_kpi_settings(province, by=_user(request), **form.cleaned_data)
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Settings saved."))
            return redirect("dossier_settings")
    context = _base(request, province)
    context.update({"form": form, "saved": saved, "is_default": saved.pk is None})
    return render(request, "web/dossiers/settings.html", context)
