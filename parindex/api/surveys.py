"""Satisfaction surveys: the surveys a person follows and their indices.

GET /api/surveys/{id}/indices gives the rows of `parindex survey indices --json`
(docs/surveys.md), each with its period, minimum sample and flags, and the province's figures
for those who may read them. An agency's people read their own agency's rows; the province's
coordinators and leaders every agency's and the province's.

GET /api/surveys/{code}/form-token and POST /api/surveys/{code}/responses take responses from
anyone, with no user token: a signed form token for one agency (and dossier), then the answers
with it, under the public form's checks and rate limit (docs/surveys.md, "Collection").
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from parindex.lib.text import clean
from parindex.orgs import access
from parindex.surveys import actions, collection, flat, indices, stats

router = Router(tags=["surveys"])


class SurveyOut(Schema):
    id: int
    code: str
    title: str
    province: str
    questionnaire: str
    version: int
    starts_on: date
    ends_on: date


class IndexOut(Schema):
    agency: str
    factor: str
    n: int
    satisfied: int
    share: str | None
    ci95: list[str | None] | None
    mean: str | None
    period: str
    flags: list[str]
    required: int | None = None


class ProvinceIndexOut(Schema):
    factor: str
    n: int
    satisfied: int
    share: str | None
    ci95: list[str | None] | None
    mean: str | None
    period: str
    flags: list[str]
    weighted: bool
    deff: str | None
    effective_n: str | None
    missing_volume: list[str]


class IndicesOut(Schema):
    survey: str
    period: str
    rows: list[IndexOut]
    province: list[ProvinceIndexOut]


def _survey_out(survey: Any) -> dict[str, Any]:
    return {
        "id": survey.pk,
        "code": survey.code,
        "title": survey.title,
        "province": survey.province.code,
        "questionnaire": survey.questionnaire.code,
        "version": survey.questionnaire.version,
        "starts_on": survey.starts_on,
        "ends_on": survey.ends_on,
    }


@router.get("", response=list[SurveyOut], summary="The surveys whose results a person reads")
def list_surveys(request: HttpRequest) -> list[dict[str, Any]]:
    found = access.surveys_for(request.user).select_related("province", "questionnaire")
    return [_survey_out(s) for s in found.order_by("-starts_on", "code")]


@router.get(
    "/{int:survey_id}/indices",
    response=IndicesOut,
    summary="Satisfaction per agency × factor (and the province's), whole survey or a quarter",
)
def survey_indices(
    request: HttpRequest, survey_id: int, period: str | None = None
) -> dict[str, Any]:
    survey = access.survey_for(request.user, survey_id)
    try:
        found = indices.survey_indices(request.user, survey, period=period or None)
    except indices.BadPeriod:
        raise HttpError(422, f"period {period!r}: give a quarter such as 2020Q2") from None
    province = []
    for row in found.province:
        data = {**stats.as_text(row), **stats.details(row)}
        data.pop("agency")
        province.append(data)
    return {
        "survey": survey.code,
        "period": found.period,
        "rows": [{**stats.as_text(r), **stats.details(r)} for r in found.rows],
        "province": province,
    }


class FormTokenOut(Schema):
    token: str
    agency: str
    dossier_code: str
    expires_in: int


class ResponseIn(Schema):
    token: str
    answers: dict[str, str]


class ResponseOut(Schema):
    id: int
    survey: str
    agency: str
    dossier_code: str
    submitted_at: datetime


def _closed(survey: Any) -> HttpError:
    return HttpError(
        410,
        _("The survey takes no answers: it runs from %(start)s to %(end)s.")
        % {"start": survey.starts_on.isoformat(), "end": survey.ends_on.isoformat()},
    )


@router.get(
    "/{code}/form-token",
    auth=None,
    response=FormTokenOut,
    summary="A signed form token to send one response for an agency (and dossier)",
)
def form_token(
    request: HttpRequest, code: str, agency: str, dossier_code: str = ""
) -> dict[str, Any]:
    survey, target = access.public_survey_form(code, agency)
    if not actions.survey_is_open(survey):
        raise _closed(survey)
    dossier = clean(dossier_code)
    if len(dossier) > flat.DOSSIER_MAX:
        raise HttpError(
            422, _("The dossier code is longer than %(n)s characters.") % {"n": flat.DOSSIER_MAX}
        )
    if access.public_dossier_answered(survey, dossier):
        raise HttpError(409, _("A response for this dossier has already been received."))
    return {
        "token": collection.issue_token(survey, target, dossier),
        "agency": target.code,
        "dossier_code": dossier,
        "expires_in": int(collection.TOKEN_MAX_AGE.total_seconds()),
    }


@router.post(
    "/{code}/responses",
    auth=None,
    response={201: ResponseOut},
    summary="Send one response with a form token (no user token), as the public form does",
)
def submit_response(request: HttpRequest, code: str, body: ResponseIn) -> Status[dict[str, Any]]:
    survey = access.public_survey(code)
    try:
        response = actions.submit_public_response(
            survey, token=body.token, answers=body.answers, client=collection.client_key(request)
        )
    except actions.RateLimited:
        raise HttpError(
            429,
            _("Too many forms were sent from this connection. Please try again in ten minutes."),
        ) from None
    except actions.SurveyClosed:
        raise _closed(survey) from None
    except collection.BadToken as error:
        raise HttpError(
            403,
            _("The form token has expired: ask for a new one.")
            if error.expired
            else _("The form token is not valid for this survey."),
        ) from None
    except ValidationError as error:
        if "dossier_code" in error.message_dict:
            raise HttpError(
                409, _("A response for this dossier has already been received.")
            ) from None
        raise
    return Status(
        201,
        {
            "id": response.pk,
            "survey": survey.code,
            "agency": response.agency.code,
            "dossier_code": response.dossier_code,
            "submitted_at": response.submitted_at,
        },
    )
