"""The API's read of survey aggregates: the same rows as the command line, as each person may
see them."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from parindex.orgs.models import User
from parindex.surveys import actions
from parindex.surveys.models import Survey
from tests.surveys.conftest import csv_bytes


def answered(survey: Survey) -> Survey:
    actions.import_responses(
        csv_bytes(
            [
                ("agency", "submitted_at", "sat_staff"),
                ("so-tu-phap", "2020-02-01", "5"),
                ("so-tu-phap", "2020-05-01", "3"),
                ("so-noi-vu", "2020-05-02", "4"),
            ]
        ),
        "r.csv",
        survey=survey,
        by=None,
    )
    return survey


def test_a_coordinator_reads_every_agency_and_the_province(
    survey: Survey, coordinator: User, client_for: Callable[[User], Client]
) -> None:
    answered(survey)
    response = client_for(coordinator).get(f"/api/surveys/{survey.pk}/indices")
    assert response.status_code == 200
    data = response.json()
    assert (data["survey"], data["period"]) == ("sipas-2020", "all")
    assert data["rows"][1] == {
        "agency": "so-tu-phap",
        "factor": "staff",
        "n": 2,
        "satisfied": 1,
        "share": "0.5000",
        "ci95": ["0.0945", "0.9055"],
        "mean": "4.00",
        "period": "all",
        "flags": ["below_target", "straddles_target", "too_few"],
        "required": None,
    }
    assert [r["agency"] for r in data["rows"]] == ["so-noi-vu", "so-tu-phap"]
    (province,) = data["province"]
    assert (province["n"], province["share"], province["deff"]) == (3, "0.6667", "1.00")
    assert province["weighted"] is False


def test_a_reporter_reads_only_their_agency_and_no_province_figure(
    survey: Survey, reporter: User, client_for: Callable[[User], Client]
) -> None:
    answered(survey)
    client = client_for(reporter)
    assert [s["code"] for s in client.get("/api/surveys").json()] == ["sipas-2020"]
    data = client.get(f"/api/surveys/{survey.pk}/indices?period=2020Q2").json()
    assert [(r["agency"], r["n"], r["period"]) for r in data["rows"]] == [
        ("so-tu-phap", 1, "2020Q2")
    ]
    assert data["province"] == []


def test_another_province_finds_no_survey_and_a_bad_period_is_refused(
    survey: Survey,
    outsider: User,
    coordinator: User,
    client_for: Callable[[User], Client],
) -> None:
    assert client_for(outsider).get(f"/api/surveys/{survey.pk}/indices").status_code == 404
    assert client_for(outsider).get("/api/surveys").json() == []
    bad = client_for(coordinator).get(f"/api/surveys/{survey.pk}/indices?period=2020-05")
    assert bad.status_code == 422
    assert Client().get("/api/surveys").status_code == 401
