"""The indices page: every agency × factor with its share, Wilson interval, mean, sample and flags
in words, the province's row, the three charts with their numbers and downloads, and the
free-text answers by keyword, each as the person may read them."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client

from parindex.orgs.models import User
from parindex.surveys import actions
from parindex.surveys.models import Survey
from tests.conftest import LaoCai
from tests.web.pages import Element, page, vi
from tests.web.survey_data import answer, some_answers, survey_2020

ClientFor = Callable[[User], Client]


@pytest.fixture
def survey(lao_cai: LaoCai) -> Survey:
    found = survey_2020(lao_cai)
    some_answers(found, lao_cai)
    return found


def index_rows(doc: Element) -> dict[tuple[str, str], list[str]]:
    """(agency code, factor) → the row's cells, from the table of every agency and factor."""
    found: dict[tuple[str, str], list[str]] = {}
    agency_name = ""
    for tr in doc.one(data_index_rows=True).select("tr"):
        if "data-agency" not in tr.attrs:
            continue
        cells = [" ".join(td.text.split()) for td in tr.select("td")]
        agency_name = cells[0] or agency_name
        found[(tr.attrs["data-agency"], cells[1])] = cells
    return found


def chart(doc: Element, key: str) -> dict[str, object]:
    config: dict[str, object] = json.loads(doc.one("script", id=f"chart-{key}").text)
    return config


def test_the_coordinator_reads_every_agency_with_share_interval_mean_and_flags_in_words(
    client_for: ClientFor, survey: Survey, coordinator: User
) -> None:
    doc = page(client_for(coordinator).get(f"/surveys/{survey.pk}/indices/"))
    rows = index_rows(doc)
    staff = vi("The civil servant")
    assert {agency for agency, _factor in rows} == {"so-tu-phap", "vp-ubnd"}
    # Sở Tư pháp: 3 of 4 satisfied with the staff, scores 5, 4, 2, 5.
    justice = rows[("so-tu-phap", staff)]
    # Shares and means keep the places they are rounded to, so a column reads alike.
    assert justice[2] == "4" and justice[4] == "75,00"
    assert justice[5] == "30,06 – 95,44" and justice[6] == "4,00"
    assert justice[7] == ", ".join(
        [vi("below 90 %"), vi("interval straddles 90 %"), vi("too few answers")]
    )
    assert doc.has(data_province_rows=True)
    assert len(doc.select("tr", data_province_factor=True)) == 2  # staff and overall


def test_the_province_row_says_it_is_pooled_and_names_agencies_without_a_volume(
    client_for: ClientFor, survey: Survey, lao_cai: LaoCai, coordinator: User
) -> None:
    actions.set_volumes(survey, by=None, entries={("so-tu-phap", "all"): "300"})
    doc = page(client_for(coordinator).get(f"/surveys/{survey.pk}/indices/"))
    weighting = doc.select("tr", data_province_factor=True)[0].one(data_weighting=True).text
    assert vi("pooled, not weighted") in weighting
    assert doc.one(data_missing_volume=True).text.startswith(
        vi("No dossier volume yet") + ": Văn phòng UBND tỉnh."
    )


def test_with_every_volume_the_province_row_is_weighted_with_its_design_effect(
    client_for: ClientFor, survey: Survey, coordinator: User
) -> None:
    actions.set_volumes(
        survey, by=None, entries={("so-tu-phap", "all"): "300", ("vp-ubnd", "all"): "100"}
    )
    doc = page(client_for(coordinator).get(f"/surveys/{survey.pk}/indices/"))
    row = doc.select("tr", data_province_factor=True)[0]
    cells = [td.text for td in row.select("td")]
    assert row.one(data_weighting=True).text == vi("by dossier volume")
    # Staff: p_w = (300·0,75 + 100·0,5)/400 = 68,75 %; deff = 6·(300²/4 + 100²/2)/400² = 1,03.
    assert cells[2] == "68,75" and cells[6] == "1,03"
    # The minimum sample for 300 dossiers at a 5 % margin is 172.
    assert index_rows(doc)[("so-tu-phap", vi("The civil servant"))][3] == "172"


def test_an_agency_reporter_reads_only_its_own_agency_and_no_province_figure(
    client_for: ClientFor, survey: Survey, reporter: User
) -> None:
    doc = page(client_for(reporter).get(f"/surveys/{survey.pk}/indices/"))
    assert {agency for agency, _factor in index_rows(doc)} == {"so-tu-phap"}
    assert not doc.has(data_province_rows=True)
    ranked = doc.one("table", data_figure_table="agencies")
    assert [tr.select("td")[1].text for tr in ranked.one("tbody").select("tr")] == ["Sở Tư pháp"]
    # The factor chart shows the agency's own figures, named as such.
    assert "Sở Tư pháp" in doc.one(data_figure="factors").one("h2").text


def test_the_leader_reads_every_agency_and_the_province(
    client_for: ClientFor, survey: Survey, leader: User
) -> None:
    doc = page(client_for(leader).get(f"/surveys/{survey.pk}/indices/"))
    assert {agency for agency, _factor in index_rows(doc)} == {"so-tu-phap", "vp-ubnd"}
    assert doc.has(data_province_rows=True)


def test_people_outside_the_survey_find_nothing(
    client_for: ClientFor, survey: Survey, outsider: User, appraiser: User, citizen: User
) -> None:
    for person in (outsider, appraiser, citizen):
        for path in ("indices", "comments"):
            assert client_for(person).get(f"/surveys/{survey.pk}/{path}/").status_code == 404


def test_a_chosen_quarter_counts_only_its_answers(
    client_for: ClientFor, survey: Survey, coordinator: User
) -> None:
    doc = page(client_for(coordinator).get(f"/surveys/{survey.pk}/indices/?period=2020Q2"))
    rows = index_rows(doc)
    assert rows[("so-tu-phap", vi("The civil servant"))][2] == "1"
    assert rows[("vp-ubnd", vi("The civil servant"))][2] == "2"
    download = doc.one(data_figure="agencies").one("a", data_download="csv").attrs["href"]
    assert "period=2020Q2" in download and f"survey={survey.pk}" in download


def test_a_period_that_is_no_quarter_of_the_survey_shows_the_whole_survey(
    client_for: ClientFor, survey: Survey, coordinator: User
) -> None:
    doc = page(client_for(coordinator).get(f"/surveys/{survey.pk}/indices/?period=2019Q9"))
    assert index_rows(doc)[("so-tu-phap", vi("The civil servant"))][2] == "4"


def test_the_charts_draw_the_same_numbers_as_their_tables(
    client_for: ClientFor, survey: Survey, coordinator: User
) -> None:
    doc = page(client_for(coordinator).get(f"/surveys/{survey.pk}/indices/?factor=staff"))
    factors = chart(doc, "factors")
    datasets = factors["data"]["datasets"]  # type: ignore[index]
    # Shares as bars, the intervals as floating bars, the 90 % target as a line.
    assert datasets[0]["data"] == [66.67, 66.67]
    assert datasets[1]["data"] == [[30.0, 90.32], [30.0, 90.32]]
    assert datasets[2]["type"] == "line" and set(datasets[2]["data"]) == {90}
    ranked = chart(doc, "agencies")
    assert ranked["data"]["labels"] == ["Sở Tư pháp", "Văn phòng UBND tỉnh"]  # type: ignore[index]
    trend = chart(doc, "trend")
    assert trend["data"]["labels"] == ["2020Q1", "2020Q2", "2020Q3", "2020Q4"]  # type: ignore[index]
    overall = next(
        d
        for d in trend["data"]["datasets"]  # type: ignore[index]
        if d["label"] == vi("Overall satisfaction")
    )
    # Q1: Sở Tư pháp 2 of 3; Q2: 3 of 3 (Sở Tư pháp 1, VP UBND 2 with 3 and 4 → 1 of 2).
    assert overall["data"] == [66.67, 66.67, None, None]


def test_choosing_a_factor_through_htmx_answers_only_the_ranking_card(
    client_for: ClientFor, survey: Survey, coordinator: User
) -> None:
    response = client_for(coordinator).get(
        f"/surveys/{survey.pk}/indices/?factor=staff&part=agencies", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200 and b"<html" not in response.content
    assert vi("The civil servant") in response.content.decode()


def test_free_text_answers_are_grouped_by_keyword_per_agency(
    client_for: ClientFor, survey: Survey, coordinator: User, reporter: User
) -> None:
    doc = page(client_for(coordinator).get(f"/surveys/{survey.pk}/comments/"))
    justice = doc.one("section", data_agency="so-tu-phap")
    group = justice.one("details", data_keyword="thái độ")
    assert [li.text for li in group.select("li")] == [
        "Thái độ cán bộ rất tốt",
        "thái độ nhiệt tình",
    ]
    assert doc.one("section", data_agency="vp-ubnd").has("details", data_keyword="thời gian")
    mine = page(client_for(reporter).get(f"/surveys/{survey.pk}/comments/"))
    assert [s.attrs["data-agency"] for s in mine.select("section", data_agency=True)] == [
        "so-tu-phap"
    ]


def test_a_keyword_shows_its_first_twenty_answers_and_says_how_many_more_the_download_holds(
    client_for: ClientFor, survey: Survey, lao_cai: LaoCai, coordinator: User
) -> None:
    for day in range(1, 26):
        answer(survey, lao_cai.office, date(2020, 7, day), suggestion=f"Thời gian chờ {day} ngày")
    doc = page(client_for(coordinator).get(f"/surveys/{survey.pk}/comments/"))
    group = doc.one("section", data_agency="vp-ubnd").one("details", data_keyword="thời gian")
    assert len(group.select("li")) == 20
    assert group.one(data_more=True).text == vi(
        "…and %(n)s more answer: every answer is in the download.", n=7
    )
