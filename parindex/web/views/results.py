"""Published national results: a year's table with its findings, a province's history across
years (a merged province's through its predecessors), and the import of an official table."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parindex.benchmark import actions, figures, provinces
from parindex.benchmark.messages import describe_finding, describe_problem
from parindex.benchmark.models import Province
from parindex.lib.collation import vi_sorted
from parindex.orgs import access
from parindex.web.results_forms import ResultsImportForm
from parindex.web.views.common import current_province


def _our_province(request: HttpRequest) -> Province | None:
    org = current_province(request)
    return provinces.for_organisation(org) if org is not None else None


@login_required
def results_page(request: HttpRequest) -> HttpResponse:
    years = access.result_years_for(request.user)
    known_years = sorted(years.values_list("year", flat=True), reverse=True)
    chosen = request.GET.get("year", "")
    year = int(chosen) if chosen.isdigit() and int(chosen) in known_years else None
    if year is None and known_years:
        year = known_years[0]
    table = figures.year_table(years, year) if year is not None else None

    ours = _our_province(request)
    wanted = request.GET.get("province", "").strip()
    selected: Province | None = None
    if wanted:
        selected = Province.objects.filter(code=wanted).first()
    selected = selected or ours
    history = provinces.history(selected) if selected is not None else []
    ours_codes = {ours.code, *(p.code for p in provinces.predecessors(ours))} if ours else set()

    lines: list[dict[str, Any]] = []
    if table is not None:
        for line in table.lines:
            lines.append(
                {
                    "result": line.result,
                    "computed_rank": line.computed_rank,
                    "findings": [describe_finding(f) for f in line.findings],
                    "ours": line.result.province.code in ours_codes,
                }
            )
    context = {
        "nav_active": "results",
        "years": known_years,
        "year": year,
        "table": table,
        "lines": lines,
        "findings": [describe_finding(f) for f in table.findings] if table else [],
        "province_choices": vi_sorted(
            Province.objects.order_by("code"), key=lambda p: p.short_name
        ),
        "selected": selected,
        "predecessors": provinces.predecessors(selected) if selected else [],
        "history": history,
        "can_import": access.can_import_results(request.user),
    }
    return render(request, "web/results/page.html", context)


@login_required
def results_import(request: HttpRequest) -> HttpResponse:
    if not access.can_import_results(request.user):
        raise PermissionDenied
    form = ResultsImportForm(request.POST or None, request.FILES or None)
    problems: list[str] = []
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("file")
        if upload is not None and upload.size > settings.PARINDEX_MAX_IMPORT_BYTES:
            form.add_error(
                "file",
                _("The file is larger than %(mb)s MB.")
                % {"mb": settings.PARINDEX_MAX_IMPORT_BYTES // 1_000_000},
            )
        else:
            content, name = (
                (upload.read(), upload.name)
                if upload is not None
                else (data["text"].encode(), "pasted.txt")
            )
            try:
                outcome = actions.import_results(
                    content,
                    name or "upload",
                    year=data["year"],
                    by=access.actor(request.user),
                    source=data["source"],
                    skip_bad_rows=data["skip_bad_rows"],
                )
            except actions.ImportRefused as refused:
                problems = [describe_problem(p) for p in refused.problems]
            else:
                messages.success(
                    request,
                    ngettext(
                        "%(n)s province imported for %(year)s.",
                        "%(n)s provinces imported for %(year)s.",
                        outcome.saved,
                    )
                    % {"n": outcome.saved, "year": data["year"]},
                )
                for problem in outcome.skipped[:50]:
                    messages.warning(
                        request, _("Skipped: %(problem)s") % {"problem": describe_problem(problem)}
                    )
                return redirect(reverse("results") + f"?year={data['year']}")
    return render(
        request,
        "web/results/import.html",
        {"form": form, "problems": problems, "nav_active": "results"},
    )
