"""Hostile results tables through the page and the API: refused with the line named, or
imported so that the page renders. Never a 500, and a refused table saves nothing."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from parindex.benchmark.models import ProvinceResult
from parindex.orgs.models import User
from tests.api.test_api import Api
from tests.test_hostile_inputs import NUMBERS, TEXTS


def rows() -> list[tuple[int, str, object]]:
    return sorted(ProvinceResult.objects.values_list("pk", "province__code", "score"))


@pytest.mark.parametrize("number", NUMBERS)
def test_a_hostile_score_is_refused_with_its_line_on_the_page_and_the_api(
    shipped: list[int], coordinator: User, client_for: Callable[[User], Client], number: str
) -> None:
    before = rows()
    text = f"Tỉnh\tĐiểm\tXếp hạng\nQuảng Ninh\t91,04\t1\nHà Nội\t{number}\t2\n"
    page = client_for(coordinator).post("/results/import/", {"year": "2020", "text": text})
    assert page.status_code == 200
    assert "data-import-problems" in page.content.decode()
    assert "dòng 3" in page.content.decode()
    answer = Api(coordinator).post_form("/api/results/import", {"year": "2020", "text": text})
    assert answer.status_code == 422
    assert answer.json()["problems"][0].startswith("dòng 3:")
    assert rows() == before


def _sendable(text: str) -> bool:
    """A lone surrogate cannot be put in a request at all."""
    try:
        text.encode()
    except UnicodeEncodeError:
        return False
    return True


@pytest.mark.parametrize("hostile", [t for t in TEXTS[:-1] if _sendable(t)])
def test_a_hostile_province_name_or_source_never_breaks_the_page(
    shipped: list[int], coordinator: User, client_for: Callable[[User], Client], hostile: str
) -> None:
    client = client_for(coordinator)
    named = client.post(
        "/results/import/", {"year": "2020", "text": f"{hostile}\t91,04\t1\n", "source": "BNV"}
    )
    # Refused by the form (a NUL character) or by the table reader, with a message either way.
    assert named.status_code == 200
    html = named.content.decode()
    assert "data-import-problems" in html or "errorlist" in html
    sourced = client.post(
        "/results/import/",
        {"year": "2020", "text": "Quảng Ninh\t91,04\t1\n", "source": hostile[:255]},
    )
    assert sourced.status_code in (200, 302)
    assert client.get("/results/?year=2020").status_code == 200


def test_ten_megabytes_of_pasted_text_are_refused_without_a_500(
    shipped: list[int], coordinator: User, client_for: Callable[[User], Client]
) -> None:
    before = rows()
    response = client_for(coordinator).post(
        "/results/import/", {"year": "2020", "text": "Quảng Ninh\t91,04\t1\n" * 600_000}
    )
    assert response.status_code in (200, 400, 413)
    assert rows() == before


def test_a_workbook_bomb_uploaded_on_the_page_is_refused_with_the_reason(
    shipped: list[int], coordinator: User, client_for: Callable[[User], Client]
) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * 40_000_000)
    before = rows()
    upload = SimpleUploadedFile("bang.xlsx", out.getvalue())
    response = client_for(coordinator).post("/results/import/", {"year": "2020", "file": upload})
    assert response.status_code == 200
    assert "bang.xlsx giải nén ra hơn 20 MB" in response.content.decode()
    assert rows() == before
