"""Agencies' dossier volumes: entered per quarter or for the whole survey, they size the
minimum samples and weigh the province's figure."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from parindex.orgs.models import User
from parindex.surveys import actions
from parindex.surveys.indices import survey_indices
from parindex.surveys.messages import describe_problem
from parindex.surveys.models import Survey, Volume
from tests.surveys.conftest import csv_bytes


@pytest.fixture
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


def test_volumes_size_samples_and_weigh_the_province_per_quarter_and_in_all(
    answered: Survey, coordinator: User
) -> None:
    count = actions.import_volumes(
        csv_bytes(
            [
                ("agency", "period", "dossiers"),
                ("so-tu-phap", "2020Q1", "600"),
                ("so-tu-phap", "2020Q2", "400"),
                ("so-noi-vu", "2020Q2", "100"),
            ]
        ),
        "v.csv",
        survey=answered,
        by=coordinator,
    )
    assert count == 3
    quarter = survey_indices(coordinator, answered, period="2020Q2")
    assert {r.agency: r.required for r in quarter.rows} == {"so-tu-phap": 200, "so-noi-vu": 80}
    # The whole survey: Sở Tư pháp's quarters summed (1000 → 286).
    whole = survey_indices(coordinator, answered)
    assert {r.agency: r.required for r in whole.rows} == {"so-tu-phap": 286, "so-noi-vu": 80}
    (province,) = whole.province
    # (1000·0.5 + 100·1) / 1100
    assert province.weighted and str(province.share)[:6] == "0.5454"


def test_a_volume_for_the_whole_survey_wins_over_the_quarters_and_is_replaced(
    answered: Survey, coordinator: User
) -> None:
    for dossiers in ("1.500", "2000"):
        actions.import_volumes(
            csv_bytes([("agency", "period", "dossiers"), ("so-tu-phap", "", dossiers)]),
            "v.csv",
            survey=answered,
            by=None,
        )
    assert Volume.objects.get(period="all").dossiers == 2000
    rows = survey_indices(coordinator, answered).rows
    # 2000 / (1 + 5) = 333.3 → 334
    assert {r.agency: r.required for r in rows}["so-tu-phap"] == 334


def test_bad_volume_rows_are_named_and_nothing_is_saved(answered: Survey) -> None:
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_volumes(
            csv_bytes(
                [
                    ("agency", "period", "dossiers"),
                    ("so-tu-phap", "2020Q1", "10"),
                    ("so-y-te", "2020Q1", "10"),
                    ("so-tu-phap", "2021Q1", "10"),
                    ("so-noi-vu", "", "mười"),
                    ("so-tu-phap", "2020q1", "11"),
                    ("so-noi-vu", "2020Q2", "12,5"),
                ]
            ),
            "v.csv",
            survey=answered,
            by=None,
        )
    assert [describe_problem(p) for p in refused.value.problems] == [
        "Row 3: no agency of the province has the code “so-y-te”.",
        "Row 4: the period “2021Q1” is not a quarter of the survey (2020Q2).",
        "Row 5: dossiers “mười” is not a whole number from 0.",
        "Row 6: so-tu-phap, 2020Q1 is already given on row 2.",
        # 12,5 in a comma-separated file is two cells.
        "Row 7: the row has more cells than the 3 columns of the header.",
    ]
    assert not Volume.objects.exists()


def test_only_coordinators_set_volumes(answered: Survey, reporter: User, leader: User) -> None:
    data = csv_bytes([("agency", "dossiers"), ("so-tu-phap", "10")])
    for person in (reporter, leader):
        with pytest.raises(PermissionDenied):
            actions.import_volumes(data, "v.csv", survey=answered, by=person)
    assert not Volume.objects.exists()


def test_the_command_sets_volumes_and_the_table_shows_what_each_agency_needs(
    answered: Survey, tmp_path: Path
) -> None:
    path = tmp_path / "volumes.csv"
    path.write_bytes(csv_bytes([("agency", "dossiers"), ("so-tu-phap", "1000")]))
    out = io.StringIO()
    call_command("survey", "volumes", str(path), "--survey", "sipas-2020", stdout=out)
    assert out.getvalue().strip() == "1 volumes set for sipas-2020"
    out = io.StringIO()
    call_command("survey", "indices", "--survey", "sipas-2020", stdout=out)
    line = next(x for x in out.getvalue().splitlines() if x.startswith("so-tu-phap"))
    assert "\tn=2\t" in line and "\tneeds=286" in line
