"""The results page: everyone signed in reads it; findings stand out; coordinators import."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import translation

from parindex.benchmark.models import Origin, ProvinceResult, ResultYear
from parindex.orgs.models import User
from tests.conftest import LaoCai


@pytest.mark.parametrize(
    "role",
    [
        "coordinator",
        "reporter",
        "head",
        "district_head",
        "leader",
        "appraiser",
        "citizen",
        "outsider",
    ],
)
def test_everyone_signed_in_reads_the_published_results(
    shipped: list[int],
    role: str,
    request: pytest.FixtureRequest,
    client_for: Callable[[User], Client],
) -> None:
    person: User = request.getfixturevalue(role)
    response = client_for(person).get("/results/?year=2019")
    assert response.status_code == 200
    assert b'data-province="lao-cai"' in response.content
    can_import = b"data-import" in response.content
    assert can_import == (role in {"coordinator", "outsider"})


def test_visitors_are_sent_to_sign_in(shipped: list[int]) -> None:
    response = Client().get("/results/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_the_page_shows_the_latest_year_and_the_province_s_history_in_vietnamese(
    shipped: list[int], coordinator: User, client_for: Callable[[User], Client]
) -> None:
    html = client_for(coordinator).get("/results/").content.decode()
    assert 'data-year="2023"' in html
    # The coordinator works in Lào Cai today: its history runs through old Lào Cai and Yên Bái.
    assert 'data-history="lao-cai-2025"' in html
    assert 'data-history-year="2019"' in html and "82,85" in html
    assert "Yên Bái" in html
    assert "Kết quả đã công bố" in html


def test_a_mismatch_is_highlighted_on_its_row(
    shipped: list[int], coordinator: User, client_for: Callable[[User], Client]
) -> None:
    client = client_for(coordinator)
    response = client.post(
        "/results/import/",
        {"year": "2020", "text": "Quảng Ninh\t91,04\t2\nHải Phòng\t90,51\t1\n", "source": "BNV"},
    )
    assert response.status_code == 302
    html = client.get("/results/?year=2020").content.decode()
    assert "data-findings" in html
    assert 'data-province="quang-ninh" class="row-finding' in html


def test_an_import_with_bad_lines_names_them_and_saves_nothing(
    shipped: list[int], coordinator: User, client_for: Callable[[User], Client]
) -> None:
    before = list(ProvinceResult.objects.values_list("pk", flat=True))
    upload = SimpleUploadedFile("2020.csv", "Tỉnh;Điểm;Xếp hạng\nLao Kai;80;2\n".encode())
    response = client_for(coordinator).post("/results/import/", {"year": "2020", "file": upload})
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-import-problems" in html
    with translation.override("vi"):
        assert "dòng 2" in html
    assert list(ProvinceResult.objects.values_list("pk", flat=True)) == before
    assert ResultYear.objects.get(year=2020).origin == Origin.SHIPPED


def test_only_coordinators_reach_the_import_form(
    shipped: list[int],
    reporter: User,
    leader: User,
    coordinator: User,
    client_for: Callable[[User], Client],
) -> None:
    for person in (reporter, leader):
        assert client_for(person).get("/results/import/").status_code == 403
        response = client_for(person).post(
            "/results/import/", {"year": "2020", "text": "Quảng Ninh\t91\t1\n"}
        )
        assert response.status_code == 403
    assert client_for(coordinator).get("/results/import/").status_code == 200
    assert ResultYear.objects.get(year=2020).origin == Origin.SHIPPED


def test_the_page_without_any_result_says_so(
    lao_cai: LaoCai, coordinator: User, client_for: Callable[[User], Client]
) -> None:
    response = client_for(coordinator).get("/results/?year=abc&province=nowhere")
    assert response.status_code == 200
    assert b"data-year" not in response.content


def test_the_page_s_queries_do_not_grow_with_the_rows_of_the_table(
    db: None, coordinator: User, client_for: Callable[[User], Client]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from parindex.benchmark import actions
    from parindex.benchmark.models import Province

    actions.load_provinces()
    names = [p.short_name for p in Province.objects.in_year(2019).order_by("code")]
    client = client_for(coordinator)

    def queries(rows: int) -> int:
        text = "\n".join(f"{n}\t{80 - i / 10:.2f}\t{i + 1}" for i, n in enumerate(names[:rows]))
        actions.import_results(text.encode(), "t.txt", year=2019, by=coordinator)
        client.get("/results/?year=2019")  # warm the session and the province lookups
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/results/?year=2019&province=an-giang").status_code == 200
        return len(captured)

    assert queries(3) == queries(63)
