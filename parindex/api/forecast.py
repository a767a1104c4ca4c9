"""The year's forecast, what-if and saved scenarios, for the coordinators and leaders of a
province (`access.forecast_provinces_for`).

GET /api/forecast has the shape of `parindex forecast --json` (docs/forecast.md); POST
/api/forecast/what-if scores changed inputs without keeping anything.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError

from parindex.api.errors import FieldErrorsOut
from parindex.forecasting import actions, gather, reading
from parindex.orgs import access
from parindex.orgs.models import Organisation

router = Router(tags=["forecast"])


class Ref(Schema):
    code: str
    name: str


class TreeRef(Schema):
    code: str
    version: int
    name: str
    max: str | None


class DomainOut(Schema):
    code: str
    name: str
    score: str | None
    max: str | None


class ScenarioFigures(Schema):
    score: str | None
    rank: int | None
    of: int | None
    rank_exact: bool
    rank_range: list[int] | None
    rank_if_trend: int | None
    parts: dict[str, str | None]
    domains: list[DomainOut]


class GoalOut(Schema):
    score: str | None
    rank: int | None
    score_gap: str | None
    reached: dict[str, bool | None]


class LastYearOut(Schema):
    year: int
    score: str | None
    rank: int | None
    of: int


class RankedAgainstOut(Schema):
    year: int
    known_scores: int
    of: int
    partial: bool


class NextStepOut(Schema):
    label: str
    value: str | None
    gain: str | None


class StakeOut(Schema):
    code: str
    name: str
    domain: str
    max: str | None
    points: str | None
    worst: str | None
    best: str | None
    recoverable: str | None
    at_risk: str | None
    unit: str | None
    current: str | None
    target: str | None
    gap: str | None
    basis: str
    source: str
    agency: Ref | None
    agencies: list[Ref]
    next: NextStepOut


class ForecastOut(Schema):
    province: Ref
    year: int
    as_of: str | None
    tree: TreeRef
    worst: ScenarioFigures
    expected: ScenarioFigures
    best: ScenarioFigures
    goal: GoalOut
    last_year: LastYearOut | None
    ranked_against: RankedAgainstOut | None
    fallback_rate: str | None
    basis: dict[str, int]
    at_stake: list[StakeOut]


class ChoiceOut(Schema):
    province: Ref
    province_id: int
    year: int


class WhatIfIn(Schema):
    province: str
    year: int
    changes: dict[str, Any]


class ProblemOut(Schema):
    code: str
    kind: str
    message: str


class BaseRef(Schema):
    score: str | None
    rank: int | None


class WhatIfOut(ScenarioFigures):
    expected: BaseRef
    change: str | None
    rank_change: int | None
    changed: list[str]
    problems: list[ProblemOut]


class ScenarioIn(Schema):
    province: str
    year: int
    name: str
    note: str = ""
    changes: dict[str, Any]


class SavedScenarioOut(Schema):
    id: int
    name: str
    note: str
    year: int
    province: Ref
    changes: dict[str, Any]
    created_by: str | None
    updated_at: datetime
    figures: WhatIfOut


def _province(request: HttpRequest, text: str) -> Organisation:
    provinces = access.forecast_provinces_for(request.user)
    found = (
        provinces.filter(pk=int(text)).first()
        if text.isdigit()
        else provinces.filter(code=text.strip().lower()).first()
    )
    if found is None:
        raise HttpError(404, f"province {text} not found")
    return found


def _data(province: Organisation, year: int) -> gather.ForecastData:
    try:
        return gather.build(province, year)
    except gather.NoForecast as none:
        raise HttpError(404, none.reason) from None


@router.get("", response=ForecastOut, summary="The year's forecast of a province")
def forecast(request: HttpRequest, province: str, year: int) -> dict[str, Any]:
    return reading.forecast_json(_data(_province(request, province), year))


@router.get("/choices", response=list[ChoiceOut], summary="Provinces and years with a forecast")
def forecast_choices(request: HttpRequest) -> list[dict[str, Any]]:
    return [
        {
            "province": {"code": c.province.code, "name": c.province.name},
            "province_id": c.province.pk,
            "year": c.year,
        }
        for c in reading.choices(access.forecast_provinces_for(request.user))
    ]


@router.post(
    "/what-if",
    response={200: WhatIfOut, 422: FieldErrorsOut},
    summary="Score changed inputs without saving anything",
)
def what_if(request: HttpRequest, payload: WhatIfIn) -> Any:
    data = _data(_province(request, payload.province), payload.year)
    changes, problems = reading.parse_changes(data, payload.changes)
    if problems:
        return Status(
            422,
            {
                "detail": "Some changes cannot be used; nothing was scored.",
                "errors": {"changes": [p.message for p in problems]},
            },
        )
    return reading.what_if_json(data, changes, [])


def _saved(scenario: Any, data: gather.ForecastData) -> dict[str, Any]:
    changes, problems = reading.parse_changes(data, scenario.changes)
    return {
        "id": scenario.pk,
        "name": scenario.name,
        "note": scenario.note,
        "year": scenario.year,
        "province": {"code": scenario.province.code, "name": scenario.province.name},
        "changes": scenario.changes,
        "created_by": str(scenario.created_by) if scenario.created_by else None,
        "updated_at": scenario.updated_at,
        "figures": reading.what_if_json(data, changes, problems),
    }


@router.get(
    "/scenarios", response=list[SavedScenarioOut], summary="Saved what-if scenarios of a year"
)
def scenarios(request: HttpRequest, province: str, year: int) -> list[dict[str, Any]]:
    found = _province(request, province)
    data = _data(found, year)
    return [
        _saved(s, data)
        for s in access.scenarios_for(request.user)
        .filter(province=found, year=year)
        .select_related("province", "created_by")
        .order_by("name")
    ]


@router.post(
    "/scenarios",
    response={201: SavedScenarioOut, 403: dict[str, str], 422: FieldErrorsOut},
    summary="Save a what-if under a name (the same name replaces it)",
)
def save_scenario(request: HttpRequest, payload: ScenarioIn) -> Any:
    found = _province(request, payload.province)
    try:
        scenario = actions.save_scenario(
            found,
            payload.year,
            by=access.actor(request.user),
            name=payload.name,
            note=payload.note,
            changes=payload.changes,
        )
    except PermissionDenied as denied:
        return Status(403, {"detail": str(denied)})
    except ValidationError as error:
        return Status(422, {"detail": "Nothing was saved.", "errors": error.message_dict})
    return Status(201, _saved(scenario, _data(found, payload.year)))


@router.delete(
    "/scenarios/{scenario_id}",
    response={204: None, 403: dict[str, str]},
    summary="Delete a saved scenario",
)
def delete_scenario(request: HttpRequest, scenario_id: int) -> Any:
    scenario = access.scenario_for(request.user, scenario_id)
    try:
        actions.delete_scenario(scenario, by=access.actor(request.user))
    except PermissionDenied as denied:
        return Status(403, {"detail": str(denied)})
    return Status(204, None)
