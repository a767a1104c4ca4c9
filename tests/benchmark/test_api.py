"""Published results through the API: the same figures as the command line."""

from __future__ import annotations

import io
import json
from datetime import date
from typing import Any

from django.core.management import call_command
from django.test import Client

from parindex.benchmark.models import Origin, ResultYear
from parindex.orgs import actions
from parindex.orgs.models import User
from tests.api.test_api import Api


def test_show_answers_what_the_command_line_prints(shipped: list[int], citizen: User) -> None:
    actions.create_province(
        by=None,
        name="Tỉnh Lào Cai",
        code="lao-cai-1991",
        valid_from=date(1991, 10, 1),
        valid_to=date(2025, 7, 1),
    )
    response = Api(citizen).get("/api/results/show", year=2019, province="lao-cai-1991")
    assert response.status_code == 200, response.content
    out = io.StringIO()
    call_command(
        "results", "show", "--year", "2019", "--province", "lao-cai-1991", "--json", stdout=out
    )
    assert response.json() == json.loads(out.getvalue())
    assert response.json()["score"] == "82.85" and response.json()["rank"] == 15


def test_rank_answers_what_the_command_line_prints(shipped: list[int], reporter: User) -> None:
    response = Api(reporter).get("/api/results/rank", year=2020, score="88.00")
    assert response.status_code == 200
    assert response.json()["rank"] == 4 and response.json()["of"] == 63
    assert response.json()["partial"] is True


def test_a_year_s_table_lists_recomputed_ranks_and_findings(
    shipped: list[int], coordinator: User
) -> None:
    api = Api(coordinator)
    imported = api.post_form(
        "/api/results/import",
        {"year": "2020", "text": "Quảng Ninh\t91,04\t2\nHải Phòng\t90,51\t1\n"},
    )
    assert imported.status_code == 201, imported.content
    assert [(f["code"], f["province"]) for f in imported.json()["findings"]] == [
        ("rank_out_of_bounds", "hai-phong"),
        ("rank_order", "quang-ninh"),
    ]
    table = api.get("/api/results/years/2020").json()
    assert [(line["province"], line["rank"], line["computed_rank"]) for line in table["lines"]] == [
        ("hai-phong", 1, 2),
        ("quang-ninh", 2, 1),
    ]
    assert table["origin"] == "imported" and table["partial"] is True
    assert "Quảng Ninh" in table["findings"][1]["message"]


def test_an_import_with_bad_lines_is_refused_with_each_line_named(
    shipped: list[int], coordinator: User
) -> None:
    response = Api(coordinator).post_form(
        "/api/results/import", {"year": "2020", "text": "Quảng Ninh\t91,04\t1\nLao Kai\t80\t2\n"}
    )
    assert response.status_code == 422
    # Messages are in the product's language, Vietnamese unless the caller chose another.
    assert response.json()["problems"] == [
        "dòng 2: không có tỉnh nào tên “Lao Kai”. Có phải là Lào Cai?"
    ]
    assert ResultYear.objects.get(year=2020).origin == Origin.SHIPPED


def test_only_coordinators_import_through_the_api(shipped: list[int], leader: User) -> None:
    response = Api(leader).post_form(
        "/api/results/import", {"year": "2020", "text": "Quảng Ninh\t91,04\t1\n"}
    )
    assert response.status_code == 403
    assert ResultYear.objects.get(year=2020).origin == Origin.SHIPPED


def test_a_merged_province_s_history_comes_through_its_predecessors(
    shipped: list[int], reporter: User
) -> None:
    data = Api(reporter).get("/api/results/provinces/lao-cai-2025/history").json()
    assert data["province"]["formed_from"] == ["lao-cai", "yen-bai"]
    vias = {(line["year"], line["via"]["code"]) for line in data["lines"]}
    assert (2019, "lao-cai") in vias and (2022, "yen-bai") in vias


def test_the_provinces_list_holds_both_periods(shipped: list[int], reporter: User) -> None:
    provinces: list[dict[str, Any]] = Api(reporter).get("/api/results/provinces").json()
    by_code = {p["code"]: p for p in provinces}
    assert len(provinces) == 87
    assert by_code["yen-bai"]["successor"] == "lao-cai-2025"
    assert by_code["yen-bai"]["succession_basis"] == "Nghị quyết 202/2025/QH15"


def test_unknown_years_provinces_and_scores_are_answered_not_crashed(
    shipped: list[int], reporter: User
) -> None:
    api = Api(reporter)
    assert api.get("/api/results/show", year=2031, province="Lào Cai").status_code == 404
    assert api.get("/api/results/show", year=2019, province="Lao Kai").status_code == 404
    assert api.get("/api/results/rank", year=2020, score="abc").status_code == 422
    assert api.get("/api/results/rank", year=2020, score="1e999999").status_code == 422
    assert api.get("/api/results/years/2031").status_code == 404


def test_anonymous_callers_are_refused(shipped: list[int]) -> None:
    assert Client().get("/api/results/years").status_code == 401
    assert Client().get("/api/results/show?year=2019&province=lao-cai").status_code == 401
