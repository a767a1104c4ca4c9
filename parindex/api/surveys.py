"""Satisfaction surveys: the surveys a person follows and their indices.

GET /api/surveys/{id}/indices gives the rows of `parindex survey indices --json`
(docs/surveys.md), each with its period, minimum sample and flags, and the province's figures
for those who may read them. An agency's people read their own agency's rows; the province's
coordinators and leaders every agency's and the province's.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from parindex.orgs import access
from parindex.surveys import indices, stats

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
