"""The staff's survey screens: surveys and their counts, the indices with their charts, the
free-text answers, questionnaires (XLSForm in and out), paper forms, imports of responses, saved
column mappings and dossier volumes.

Reads go through `orgs.access` (an agency's people see their own agency's answers and figures,
the province's coordinators and leaders everything); every write through `surveys.actions`.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Count
from django.db.models.functions import TruncQuarter
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parindex.lib.collation import vi_sorted
from parindex.lib.text import clean
from parindex.orgs import access
from parindex.orgs.models import Organisation, OrgKind
from parindex.surveys import actions, figures, indices, stats, xlsform
from parindex.surveys.messages import describe_problem
from parindex.surveys.models import Factor, QuestionKind, ResponseChannel, Survey
from parindex.surveys.questions import QuestionnaireError
from parindex.surveys.reading import spec_of
from parindex.web.survey_forms import (
    MappingForm,
    PaperResponseForm,
    QuestionnaireImportForm,
    ResponseImportForm,
    SurveyCreateForm,
    VolumesUploadForm,
)
from parindex.web.views.common import add_action_errors
from parindex.web.views.survey_collection import question_blocks

NAV = "surveys"
# Bad rows listed on the screen after a refused import; the rest are counted.
SHOWN_PROBLEMS = 500
# Free-text answers shown per keyword; the download holds them all.
SHOWN_ANSWERS = 20


def _manage(request: HttpRequest, survey: Survey) -> None:
    if not access.can_manage_surveys(request.user, survey.province_id):
        raise PermissionDenied(_("Only the province's coordinators change this survey."))


def _too_large(upload: UploadedFile) -> str:
    if upload.size is not None and upload.size > settings.PARINDEX_MAX_IMPORT_BYTES:
        return _("The file is larger than %(mb)s MB.") % {
            "mb": settings.PARINDEX_MAX_IMPORT_BYTES // 1_000_000
        }
    return ""


# --- surveys ---------------------------------------------------------------------------------


@login_required
def survey_list(request: HttpRequest) -> HttpResponse:
    surveys = list(access.surveys_for(request.user).select_related("province", "questionnaire"))
    counted = dict(
        access.responses_for(request.user)
        .filter(survey__in=[s.pk for s in surveys])
        .values_list("survey")
        .annotate(n=Count("pk"))
        .order_by()
    )
    who = access.access_for(request.user)
    return render(
        request,
        "web/surveys/list.html",
        {
            "nav_active": NAV,
            "title": _("Satisfaction surveys"),
            "rows": [{"survey": s, "responses": counted.get(s.pk, 0)} for s in surveys],
            "can_create": who.superuser or bool(who.coordinator_of),
            "can_manage_questionnaires": access.can_manage_questionnaires(request.user),
        },
    )


def _creatable_provinces(request: HttpRequest) -> Any:
    who = access.access_for(request.user)
    provinces = Organisation.objects.filter(kind=OrgKind.PROVINCE)
    return provinces if who.superuser else provinces.filter(pk__in=who.coordinator_of)


@login_required
def survey_create(request: HttpRequest) -> HttpResponse:
    provinces = _creatable_provinces(request)
    if not provinces.exists():
        raise PermissionDenied(_("Only the province's coordinators create surveys."))
    actions.latest_questionnaire("sipas-default")  # the shipped one is there to choose
    form = SurveyCreateForm(
        request.POST or None,
        questionnaires=access.questionnaires_for(request.user),
        provinces=provinces.order_by("name"),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = actions.create_survey(
                by=access.actor(request.user),
                code=data["code"],
                title=data["title"],
                questionnaire=data["questionnaire"],
                province=data["province"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except ValidationError as error:
            add_action_errors(form, error)
        else:
            messages.success(request, _("Survey %(code)s created.") % {"code": survey.code})
            return redirect("survey_detail", pk=survey.pk)
    return render(
        request,
        "web/surveys/create.html",
        {"nav_active": NAV, "title": _("New survey"), "form": form},
    )


def _counts(request: HttpRequest, survey: Survey) -> dict[str, Any]:
    """Responses by agency and quarter, and by channel, counted by the database."""
    responses = access.responses_for(request.user).filter(survey=survey)
    by_cell: dict[tuple[str, str], int] = {}
    for code, moment, n in (
        responses.annotate(q=TruncQuarter("submitted_at"))
        .values_list("agency__code", "q")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        key = (code, stats.quarter(timezone.localtime(moment).date()))
        by_cell[key] = by_cell.get(key, 0) + n
    quarters = actions.survey_quarters(survey)
    names = figures.agency_names(survey)
    agencies = vi_sorted({code for code, _q in by_cell}, key=lambda c: names.get(c, c))
    rows: list[dict[str, Any]] = [
        {
            "code": code,
            "name": names.get(code, code),
            "cells": [by_cell.get((code, q), 0) for q in quarters],
            "total": sum(n for (c, _q), n in by_cell.items() if c == code),
        }
        for code in agencies
    ]
    channels = dict(ResponseChannel.choices)
    by_channel = [
        (channels.get(channel, channel), n)
        for channel, n in responses.values_list("channel").annotate(n=Count("pk")).order_by()
    ]
    return {
        "quarters": quarters,
        "count_rows": rows,
        "quarter_totals": [sum(r["cells"][i] for r in rows) for i in range(len(quarters))],
        "total": sum(by_cell.values()),
        "by_channel": by_channel,
    }


@login_required
def survey_detail(request: HttpRequest, pk: int) -> HttpResponse:
    survey = access.survey_for(request.user, pk)
    context: dict[str, Any] = {
        "nav_active": NAV,
        "survey": survey,
        "title": str(survey),
        "can_manage": access.can_manage_surveys(request.user, survey.province_id),
        "reads_province": access.can_read_survey_province(request.user, survey),
        "is_open": actions.survey_is_open(survey),
    }
    context.update(_counts(request, survey))
    return render(request, "web/surveys/detail.html", context)


# --- indices, charts and comments ------------------------------------------------------------


def _period(request: HttpRequest, survey: Survey) -> str | None:
    chosen = request.GET.get("period", "")
    return chosen if chosen in actions.survey_quarters(survey) else None


@login_required
def survey_indices(request: HttpRequest, pk: int) -> HttpResponse:
    survey = access.survey_for(request.user, pk)
    period = _period(request, survey)
    factor = request.GET.get("factor", "")
    factor = factor if factor in Factor.values else Factor.OVERALL
    names = figures.agency_names(survey)
    quarters = actions.survey_quarters(survey)
    found = indices.survey_indices(request.user, survey, period=period)
    table = figures.index_table(found, names)
    agency_rows = [r for r in table.rows if r[0]]
    factors = figures.factor_names()
    province_rows = [
        {
            "factor": factors.get(r.factor, r.factor),
            "n": r.n,
            "share": figures.percent(r.share),
            "low": figures.percent(r.low),
            "high": figures.percent(r.high),
            "mean": figures.mean_of(r.mean),
            "weighted": r.weighted,
            "deff": figures.rounded(r.deff, stats.DEFF_PLACES),
            "effective_n": figures.rounded(r.effective_n, stats.DEFF_PLACES),
            "missing": [names.get(a, a) for a in r.missing_volume],
            "flags": ", ".join(figures.flag_words(r.flags)),
        }
        for r in (figures.subject_of(found, names)[1] if found.province else [])
    ]
    params = f"survey={survey.pk}" + (f"&period={period}" if period else "")
    context = {
        "nav_active": NAV,
        "survey": survey,
        "title": _("Satisfaction indices"),
        "period": period or "",
        "quarters": quarters,
        "factor": factor,
        "factor_choices": Factor.choices,
        "factor_figure": figures.by_factor(found, names),
        "agency_figure": figures.by_agency(found, names, factor),
        "trend_figure": figures.trend(request.user, survey, quarters, names),
        "agency_rows": agency_rows,
        "province_rows": province_rows,
        "reads_province": access.can_read_survey_province(request.user, survey),
        "missing_volume": vi_sorted(
            {names.get(a, a) for r in found.province for a in r.missing_volume}, key=lambda n: n
        ),
        "params": params,
        "target": 90,
        "margin": int(stats.MARGIN * 100),
        "min_responses": stats.MIN_RESPONSES,
    }
    if request.headers.get("HX-Request") and request.GET.get("part") == "agencies":
        return render(
            request,
            "web/surveys/_figure.html",
            {
                **context,
                "figure": context["agency_figure"],
                "chart_id": "chart-agencies",
                "chart_class": "chart-lg",
                "with_factor": True,
                "beside": True,
            },
        )
    return render(request, "web/surveys/indices.html", context)


@login_required
def survey_comments(request: HttpRequest, pk: int) -> HttpResponse:
    survey = access.survey_for(request.user, pk)
    period = _period(request, survey)
    names = figures.agency_names(survey)
    groups = indices.free_text(request.user, survey, period=period)
    agencies = [
        {
            "code": code,
            "name": names.get(code, code),
            "groups": [
                {
                    "keyword": g.keyword,
                    "count": g.count,
                    "answers": g.answers[:SHOWN_ANSWERS],
                    "more": max(len(g.answers) - SHOWN_ANSWERS, 0),
                }
                for g in groups[code]
            ],
        }
        for code in vi_sorted(groups, key=lambda c: names.get(c, c))
    ]
    return render(
        request,
        "web/surveys/comments.html",
        {
            "nav_active": NAV,
            "survey": survey,
            "title": _("Free-text answers"),
            "period": period or "",
            "quarters": actions.survey_quarters(survey),
            "agencies": agencies,
            "params": f"survey={survey.pk}" + (f"&period={period}" if period else ""),
        },
    )


# --- questionnaires --------------------------------------------------------------------------


@login_required
def questionnaire_list(request: HttpRequest) -> HttpResponse:
    actions.latest_questionnaire("sipas-default")
    questionnaires = access.questionnaires_for(request.user).annotate(
        n_questions=Count("questions", distinct=True), n_surveys=Count("surveys", distinct=True)
    )
    return render(
        request,
        "web/surveys/questionnaires.html",
        {
            "nav_active": NAV,
            "title": _("Questionnaires"),
            "questionnaires": questionnaires,
            "can_import": access.can_manage_questionnaires(request.user),
        },
    )


@login_required
def questionnaire_detail(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = access.questionnaire_for(request.user, pk)
    spec = spec_of(questionnaire)
    kinds = dict(QuestionKind.choices)
    # What SIPAS asks of each factor (2640/QĐ-BNV).
    dimensions = {
        "assessment": _("the citizen's assessment"),
        "satisfaction": _("satisfaction"),
        "expectation": _("expectations"),
    }
    factors = figures.factor_names()
    texts = {q.code: q.text_vi for q in spec.questions}
    sections: list[dict[str, Any]] = []
    titles = {s.code: s.title_vi for s in spec.sections}
    for question in spec.questions:
        if not sections or sections[-1]["code"] != question.section:
            sections.append(
                {"code": question.section, "title": titles.get(question.section, ""), "items": []}
            )
        sections[-1]["items"].append(
            {
                "q": question,
                "kind": kinds.get(question.kind, question.kind),
                "factor": factors.get(question.factor, ""),
                "dimension": dimensions.get(question.dimension, question.dimension),
                "condition_text": texts.get(question.show_if_question, ""),
            }
        )
    return render(
        request,
        "web/surveys/questionnaire.html",
        {
            "nav_active": NAV,
            "title": f"{questionnaire.title_vi} (v{questionnaire.version})",
            "questionnaire": questionnaire,
            "sections": sections,
            "count": len(spec.questions),
        },
    )


@login_required
def questionnaire_export(request: HttpRequest, pk: int) -> HttpResponse:
    questionnaire = access.questionnaire_for(request.user, pk)
    response = HttpResponse(
        xlsform.write_xlsform(spec_of(questionnaire)),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"{questionnaire.code}-v{questionnaire.version}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def questionnaire_import(request: HttpRequest) -> HttpResponse:
    if not access.can_manage_questionnaires(request.user):
        raise PermissionDenied(_("Only the coordinators add questionnaires."))
    form = QuestionnaireImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        problem = _too_large(upload)
        if problem:
            form.add_error("file", problem)
        else:
            try:
                questionnaire = actions.import_xlsform(upload.read(), by=access.actor(request.user))
            except QuestionnaireError as error:
                form.add_error(
                    "file",
                    _("The workbook cannot be used, nothing was stored: %(reason)s")
                    % {"reason": error},
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("file", message)
            else:
                messages.success(
                    request,
                    _("Questionnaire %(name)s stored.") % {"name": str(questionnaire)},
                )
                return redirect("questionnaire_detail", pk=questionnaire.pk)
    return render(
        request,
        "web/surveys/questionnaire_import.html",
        {"nav_active": NAV, "title": _("Import a questionnaire (XLSForm)"), "form": form},
    )


# --- entering and importing responses ---------------------------------------------------------


def _agencies(survey: Survey) -> list[Organisation]:
    today = timezone.localdate()
    return vi_sorted(
        (
            a
            for a in actions.survey_agencies(survey).values()
            if a.is_valid_on(min(today, survey.ends_on))
        ),
        key=lambda a: a.name,
    )


# The response's frame, as the action names it → as the form does.
FRAME = {"agency": "agency", "submitted_at": "submitted_on", "dossier_code": "dossier_code"}


@login_required
def survey_paper(request: HttpRequest, pk: int) -> HttpResponse:
    """One paper form entered by a coordinator: nothing is saved unless everything is right."""
    survey = access.survey_for(request.user, pk)
    _manage(request, survey)
    spec = spec_of(survey.questionnaire)
    agencies = _agencies(survey)
    initial = {"agency": request.GET.get("agency", "")}
    form = PaperResponseForm(request.POST or None, agencies=agencies, initial=initial)
    given: dict[str, list[str]] = {}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        given = {q.code: [clean(v) for v in request.POST.getlist(q.code)] for q in spec.questions}
        if form.is_valid():
            data = form.cleaned_data
            agency = next(a for a in agencies if a.code == data["agency"])
            try:
                actions.add_response(
                    survey,
                    by=access.actor(request.user),
                    agency=agency,
                    # The paper gives a day: noon keeps it that day in every time zone's reading.
                    submitted_at=timezone.make_aware(
                        datetime.combine(data["submitted_on"], time(12))
                    ),
                    answers={c: " ".join(v for v in vs if v) for c, vs in given.items()},
                    dossier_code=data["dossier_code"],
                    channel=ResponseChannel.PAPER,
                )
            except ValidationError as error:
                frame = ValidationError(
                    {k: v for k, v in error.message_dict.items() if k in FRAME or k == "__all__"}
                )
                add_action_errors(form, frame, rename=FRAME)
                errors = {k: v for k, v in error.message_dict.items() if k not in FRAME}
            else:
                messages.success(
                    request,
                    _("Response saved for %(agency)s. Enter the next form.")
                    % {"agency": agency.name},
                )
                url = reverse("survey_paper", args=[survey.pk])
                return redirect(f"{url}?agency={agency.code}")
        status = 400
    return render(
        request,
        "web/surveys/paper.html",
        {
            "nav_active": NAV,
            "survey": survey,
            "title": _("Enter a paper form"),
            "form": form,
            "sections": question_blocks(spec, given, errors),
            "not_saved": request.method == "POST",
        },
        status=status,
    )


@login_required
def survey_import(request: HttpRequest, pk: int) -> HttpResponse:
    survey = access.survey_for(request.user, pk)
    _manage(request, survey)
    mappings = access.mappings_for(request.user).filter(survey=survey).order_by("name")
    form = ResponseImportForm(request.POST or None, request.FILES or None, mappings=mappings)
    problems: list[str] = []
    more = 0
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            upload = data["file"]
            problem = _too_large(upload)
            if problem:
                form.add_error("file", problem)
            else:
                try:
                    outcome = actions.import_responses(
                        upload.read(),
                        upload.name or "upload",
                        survey=survey,
                        by=access.actor(request.user),
                        skip_bad_rows=data["skip_bad_rows"],
                        mapping=data["mapping"],
                    )
                except actions.ImportRefused as refused:
                    problems = [describe_problem(p) for p in refused.problems[:SHOWN_PROBLEMS]]
                    more = max(len(refused.problems) - SHOWN_PROBLEMS, 0)
                except ValidationError as error:
                    add_action_errors(form, error)
                else:
                    messages.success(
                        request,
                        ngettext(
                            "%(n)s response imported.", "%(n)s responses imported.", outcome.saved
                        )
                        % {"n": outcome.saved},
                    )
                    for skipped in outcome.skipped[:SHOWN_PROBLEMS]:
                        messages.warning(
                            request,
                            _("Skipped: %(problem)s") % {"problem": describe_problem(skipped)},
                        )
                    return redirect("survey_detail", pk=survey.pk)
    return render(
        request,
        "web/surveys/import.html",
        {
            "nav_active": NAV,
            "survey": survey,
            "title": _("Import responses"),
            "form": form,
            "problems": problems,
            "more": more,
            "codes": [q.code for q in spec_of(survey.questionnaire).questions],
        },
        status=status,
    )


@login_required
def survey_mappings(request: HttpRequest, pk: int) -> HttpResponse:
    survey = access.survey_for(request.user, pk)
    _manage(request, survey)
    mappings = access.mappings_for(request.user).filter(survey=survey).order_by("name")
    chosen = mappings.filter(name=request.GET.get("name", "")).first()
    initial = (
        {
            "name": chosen.name,
            "columns": "\n".join(f"{k}={v}" for k, v in chosen.columns.items()),
        }
        if chosen is not None
        else {}
    )
    form = MappingForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = form.cleaned_data
            try:
                mapping = actions.save_mapping(
                    survey,
                    by=access.actor(request.user),
                    name=data["name"],
                    columns=data["columns"],
                )
            except ValidationError as error:
                add_action_errors(form, error)
            else:
                messages.success(request, _("Mapping %(name)s saved.") % {"name": mapping.name})
                return redirect("survey_mappings", pk=survey.pk)
    return render(
        request,
        "web/surveys/mappings.html",
        {
            "nav_active": NAV,
            "survey": survey,
            "title": _("Column mappings"),
            "mappings": mappings,
            "form": form,
            "codes": [q.code for q in spec_of(survey.questionnaire).questions],
        },
        status=status,
    )


@login_required
def survey_volumes(request: HttpRequest, pk: int) -> HttpResponse:
    """Agencies' dossiers per period: entered in a grid or uploaded as a table."""
    survey = access.survey_for(request.user, pk)
    _manage(request, survey)
    periods = [*actions.survey_quarters(survey), stats.WHOLE]
    agencies = _agencies(survey)
    stored = {
        (code, period): n
        for code, period, n in access.volumes_for(request.user)
        .filter(survey=survey)
        .values_list("agency__code", "period", "dossiers")
    }
    upload_form = VolumesUploadForm(
        request.POST if "upload" in request.POST else None,
        request.FILES if "upload" in request.POST else None,
    )
    problems: list[str] = []
    grid_errors: dict[str, list[str]] = {}
    given: dict[str, str] = {}
    status = 200
    if request.method == "POST" and "upload" in request.POST:
        status = 400
        if upload_form.is_valid():
            upload = upload_form.cleaned_data["file"]
            problem = _too_large(upload)
            if problem:
                upload_form.add_error("file", problem)
            else:
                try:
                    count = actions.import_volumes(
                        upload.read(),
                        upload.name or "upload",
                        survey=survey,
                        by=access.actor(request.user),
                    )
                except actions.ImportRefused as refused:
                    problems = [describe_problem(p) for p in refused.problems[:SHOWN_PROBLEMS]]
                else:
                    messages.success(
                        request,
                        ngettext("%(n)s volume set.", "%(n)s volumes set.", count) % {"n": count},
                    )
                    return redirect("survey_volumes", pk=survey.pk)
    elif request.method == "POST":
        status = 400
        entries = {
            (a.code, p): request.POST.get(f"v:{a.code}:{p}", "") for a in agencies for p in periods
        }
        given = {f"{a}:{p}": text for (a, p), text in entries.items()}
        try:
            count = actions.set_volumes(survey, by=access.actor(request.user), entries=entries)
        except ValidationError as error:
            grid_errors = error.message_dict
        else:
            messages.success(
                request,
                ngettext("%(n)s volume set.", "%(n)s volumes set.", count) % {"n": count},
            )
            return redirect("survey_volumes", pk=survey.pk)
    rows = []
    for agency in agencies:
        cells = []
        for period in periods:
            key = f"{agency.code}:{period}"
            value = given[key] if key in given else str(stored.get((agency.code, period), ""))
            cells.append(
                {
                    "name": f"v:{key}",
                    "period": period,
                    "value": value,
                    "errors": grid_errors.get(key, []),
                }
            )
        rows.append({"agency": agency, "cells": cells})
    return render(
        request,
        "web/surveys/volumes.html",
        {
            "nav_active": NAV,
            "survey": survey,
            "title": _("Dossier volumes"),
            "periods": periods,
            "rows": rows,
            "grid_errors": grid_errors.get("__all__", []),
            "has_errors": bool(grid_errors),
            "upload_form": upload_form,
            "problems": problems,
            "margin": int(stats.MARGIN * 100),
        },
        status=status,
    )
