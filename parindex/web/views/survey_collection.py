"""The public survey form (no sign-in), its thanks page, and the coordinators' page of links and
QR codes per agency. The form shows the questionnaire only: nothing of other responses."""

from __future__ import annotations

from typing import Any

import segno
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from parindex.lib.dates import format_date
from parindex.lib.text import clean
from parindex.orgs import access
from parindex.orgs.models import Organisation
from parindex.surveys import actions, collection, flat
from parindex.surveys.models import Survey
from parindex.surveys.questions import QuestionnaireSpec
from parindex.surveys.reading import spec_of

# The dossier code rides in the link as ?ho-so=…, the word the desk's receipt uses.
DOSSIER_PARAM = "ho-so"


def _notice(request: HttpRequest, status: int, title: str, text: str) -> HttpResponse:
    return render(
        request, "web/surveys/public_notice.html", {"title": title, "text": text}, status=status
    )


def _not_found(request: HttpRequest) -> HttpResponse:
    return _notice(
        request,
        404,
        _("Survey not found"),
        _("This survey link does not exist. Check the link or the QR code at the desk."),
    )


def _closed(request: HttpRequest, survey: Survey) -> HttpResponse:
    return _notice(
        request,
        410,
        _("The survey is closed"),
        _("This survey takes answers from %(start)s to %(end)s.")
        % {"start": format_date(survey.starts_on), "end": format_date(survey.ends_on)},
    )


def _answered(request: HttpRequest) -> HttpResponse:
    return _notice(
        request,
        409,
        _("This dossier is already rated"),
        _("A response for this dossier has already been received. Thank you."),
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    return _notice(
        request,
        429,
        _("Too many submissions"),
        _("Too many forms were sent from this connection. Please try again in ten minutes."),
    )


def question_blocks(
    spec: QuestionnaireSpec, given: dict[str, list[str]], errors: dict[str, list[str]]
) -> list[dict[str, Any]]:
    """The questionnaire as sections of question blocks, with what was given back in them."""
    sections: list[dict[str, Any]] = []
    titles = {s.code: s.title_vi for s in spec.sections}
    for question in spec.questions:
        if not sections or sections[-1]["code"] != question.section:
            sections.append(
                {"code": question.section, "title": titles.get(question.section, ""), "items": []}
            )
        values = given.get(question.code, [])
        sections[-1]["items"].append(
            {
                "code": question.code,
                "kind": question.kind,
                "text": question.text_vi,
                "choices": [
                    {"value": c.value, "label": c.label_vi, "checked": c.value in values}
                    for c in question.choices
                ],
                "value": values[0] if values else "",
                "show_if": question.show_if_question,
                "show_value": question.show_if_value,
                "errors": errors.get(question.code, []),
            }
        )
    return sections


@require_http_methods(["GET", "POST"])
def public_form(request: HttpRequest, survey_code: str, agency_code: str) -> HttpResponse:
    try:
        survey, agency = access.public_survey_form(survey_code, agency_code)
    except Http404:
        return _not_found(request)
    if not actions.survey_is_open(survey):
        return _closed(request, survey)
    spec = spec_of(survey.questionnaire)
    dossier = clean(request.GET.get(DOSSIER_PARAM, ""))
    if len(dossier) > flat.DOSSIER_MAX:
        return _not_found(request)
    given: dict[str, list[str]] = {}
    errors: dict[str, list[str]] = {}
    status = 200
    if request.method == "POST":
        given = {q.code: [clean(v) for v in request.POST.getlist(q.code)] for q in spec.questions}
        try:
            actions.submit_public_response(
                survey,
                token=request.POST.get("token", ""),
                answers={code: " ".join(v for v in values if v) for code, values in given.items()},
                client=collection.client_key(request),
                agency=agency,
                drop_skipped=True,
            )
        except actions.RateLimited:
            return _too_many(request)
        except actions.SurveyClosed:
            return _closed(request, survey)
        except collection.BadToken as error:
            status = 400
            errors["__all__"] = [
                _("The form was open too long and has expired: please send it again.")
                if error.expired
                else _("This form cannot be accepted: open the survey link again.")
            ]
        except ValidationError as error:
            if "dossier_code" in error.message_dict:
                return _answered(request)
            status = 400
            errors = error.message_dict
        else:
            return redirect(
                "survey_public_thanks", survey_code=survey.code, agency_code=agency.code
            )
    elif access.public_dossier_answered(survey, dossier):
        return _answered(request)
    return render(
        request,
        "web/surveys/public_form.html",
        {
            "survey": survey,
            "agency": agency,
            "dossier": dossier,
            "title_vi": spec.title_vi,
            "sections": question_blocks(spec, given, errors),
            "errors": errors,
            "general_errors": errors.get("__all__", []),
            "token": collection.issue_token(survey, agency, dossier),
        },
        status=status,
    )


@require_http_methods(["GET"])
def public_thanks(request: HttpRequest, survey_code: str, agency_code: str) -> HttpResponse:
    try:
        survey, agency = access.public_survey_form(survey_code, agency_code)
    except Http404:
        return _not_found(request)
    return render(request, "web/surveys/public_thanks.html", {"survey": survey, "agency": agency})


def _qr_svg(url: str) -> str:
    """The link as a QR code, an SVG data URI (the page's policy allows data: images only)."""
    code: str = segno.make(url, error="m").svg_data_uri(scale=4, border=2)
    return code


@login_required
def survey_links(request: HttpRequest, pk: int) -> HttpResponse:
    survey = access.survey_for(request.user, pk)
    if not access.can_print_survey_links(request.user, survey):
        raise PermissionDenied(_("Only the province's coordinators print the survey's links."))
    today = timezone.localdate()
    agencies: list[Organisation] = sorted(
        (a for a in actions.survey_agencies(survey).values() if a.is_valid_on(today)),
        key=lambda a: a.name,
    )
    rows = []
    for agency in agencies:
        url = request.build_absolute_uri(
            reverse("survey_public_form", args=[survey.code, agency.code])
        )
        rows.append({"agency": agency, "url": url, "qr": _qr_svg(url)})
    return render(
        request,
        "web/surveys/links.html",
        {"survey": survey, "rows": rows, "dossier_param": DOSSIER_PARAM, "title": survey},
    )
