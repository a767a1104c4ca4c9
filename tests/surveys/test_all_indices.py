"""Every period's indices from one grouped count: the same figures as each period's own, quarters
cut at the province's midnight, and the same reading rule."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from parindex.orgs.models import User
from parindex.surveys import actions, indices, stats
from parindex.surveys.models import Survey
from tests.surveys.conftest import csv_bytes

ROWS = [
    ["agency", "submitted_at", "sat_overall", "sat_staff", "gave_feedback", "sat_feedback"],
    # 23:30 on 31 March in Lào Cai is 16:30 UTC: the first quarter.
    ["so-tu-phap", "2020-03-31 23:30", "5", "4", "yes", "2"],
    # Ten minutes past midnight on 1 April: the second, though still 31 March in UTC.
    ["so-tu-phap", "2020-04-01 00:10", "3", "5", "", ""],
    ["so-tu-phap", "2020-06-30 12:00", "4", "", "no", ""],
    ["tp-lao-cai", "2020-02-01", "2", "2", "", ""],
    ["tp-lao-cai", "2020-12-31 23:59", "5", "5", "yes", "5"],
]
VOLUMES = [
    ["agency", "period", "dossiers"],
    ["so-tu-phap", "2020Q1", "40"],
    ["so-tu-phap", "2020Q2", "60"],
    ["tp-lao-cai", "2020Q1", "300"],
    ["tp-lao-cai", "2020Q4", "200"],
]


def _load(survey: Survey, coordinator: User) -> None:
    actions.import_responses(csv_bytes(ROWS), "p.csv", survey=survey, by=coordinator)
    actions.import_volumes(csv_bytes(VOLUMES), "v.csv", survey=survey, by=coordinator)


def _as_text(rows: list[stats.Index]) -> list[tuple[object, ...]]:
    return [
        (r.period, tuple(sorted(stats.as_text(r).items())), tuple(sorted(stats.details(r).items())))
        for r in rows
    ]


def test_every_period_at_once_gives_each_periods_own_figures(
    survey: Survey, coordinator: User
) -> None:
    _load(survey, coordinator)
    found = indices.all_indices(coordinator, survey)
    assert found.periods == ["2020Q1", "2020Q2", "2020Q3", "2020Q4", "all"]
    for period in ("2020Q1", "2020Q2", "2020Q3", "2020Q4", None):
        label = period or "all"
        own = indices.survey_indices(coordinator, survey, period=period)
        assert _as_text([r for r in found.rows if r.period == label]) == _as_text(own.rows)
        assert _as_text([r for r in found.province if r.period == label]) == _as_text(own.province)


def test_quarters_are_cut_at_the_provinces_midnight(survey: Survey, coordinator: User) -> None:
    _load(survey, coordinator)
    found = indices.all_indices(coordinator, survey)
    overall = {
        (r.agency, r.period): (r.n, r.satisfied, r.mean)
        for r in found.rows
        if r.factor == "overall"
    }
    assert overall[("so-tu-phap", "2020Q1")] == (1, 1, Decimal(5))
    assert overall[("so-tu-phap", "2020Q2")] == (2, 1, Decimal("3.5"))
    assert overall[("so-tu-phap", "all")] == (3, 2, Decimal(4))
    assert overall[("tp-lao-cai", "2020Q4")] == (1, 1, Decimal(5))
    # The province weighted by each period's volumes: Q1 (40·1 + 300·0) / 340.
    province = found.province_of("2020Q1")["overall"]
    assert province.weighted and province.share == Decimal(40) / Decimal(340)


def test_one_grouped_count_whatever_the_answers(survey: Survey, coordinator: User) -> None:
    _load(survey, coordinator)
    with CaptureQueriesContext(connection) as few:
        indices.all_indices(None, survey)
    actions.import_responses(
        csv_bytes([ROWS[0], *(["so-tu-phap", "2020-08-01", "4", "4", "", ""] for _ in range(50))]),
        "more.csv",
        survey=survey,
        by=coordinator,
    )
    with CaptureQueriesContext(connection) as many:
        found = indices.all_indices(None, survey)
    assert len(many) == len(few) <= 4
    assert found.province_of("2020Q3")["overall"].n == 50


def test_agency_people_get_their_agencys_rows_and_no_province(
    survey: Survey, coordinator: User, reporter: User
) -> None:
    _load(survey, coordinator)
    found = indices.all_indices(reporter, survey)
    assert found.province == []
    assert {r.agency for r in found.rows} == {"so-tu-phap"}
