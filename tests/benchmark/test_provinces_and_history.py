"""Finding a ranked province from an organisation or a name, and a province's history across the
2025 merger."""

from __future__ import annotations

from datetime import date

import pytest

from parindex.benchmark import provinces
from parindex.benchmark.models import Province
from parindex.orgs import actions
from tests.conftest import LaoCai


@pytest.mark.parametrize(
    ("text", "year", "code"),
    [
        ("lao-cai", None, "lao-cai"),
        ("lao-cai-2025", None, "lao-cai-2025"),
        ("Lào Cai", 2019, "lao-cai"),
        ("lao cai", 2019, "lao-cai"),
        ("LÀO CAI", 2026, "lao-cai-2025"),
        ("Lào Cai", None, "lao-cai-2025"),  # without a year, today's province
        ("Tỉnh Yên Bái", 2019, "yen-bai"),
        ("TP.HCM", 2020, "ho-chi-minh"),
        ("Thừa Thiên Huế", 2021, "thua-thien-hue"),
        ("10", 2019, "lao-cai"),  # official codes are read in the year's list
        ("15", 2019, "yen-bai"),
        ("15", 2026, "lao-cai-2025"),
    ],
)
def test_a_province_is_found_by_code_or_name_in_its_year(
    shipped: list[int], text: str, year: int | None, code: str
) -> None:
    assert provinces.find(text, year=year).code == code


def test_the_demo_s_organisation_codes_find_the_ranked_provinces(shipped: list[int]) -> None:
    old = actions.create_province(
        by=None,
        name="Tỉnh Lào Cai",
        code="lao-cai-1991",
        valid_from=date(1991, 10, 1),
        valid_to=date(2025, 7, 1),
    )
    new = actions.create_province(
        by=None, name="Tỉnh Lào Cai", code="lao-cai-2026", valid_from=date(2025, 7, 1)
    )
    assert provinces.find("lao-cai-1991").code == "lao-cai"
    assert provinces.find("lao-cai-2026").code == "lao-cai-2025"
    assert provinces.for_organisation(old) == Province.objects.get(code="lao-cai")
    assert provinces.for_organisation(new) == Province.objects.get(code="lao-cai-2025")


def test_an_organisation_without_dates_is_the_province_of_today(
    shipped: list[int], lao_cai: LaoCai
) -> None:
    found = provinces.for_organisation(lao_cai.province)
    assert found is not None and found.code == "lao-cai-2025"


def test_an_unknown_name_gets_close_suggestions(shipped: list[int]) -> None:
    with pytest.raises(provinces.UnknownProvince) as raised:
        provinces.find("Lao Kai", year=2019)
    assert raised.value.suggestions == ["Lào Cai"]


def test_a_merged_province_shows_the_history_of_each_province_it_was_formed_from(
    shipped: list[int],
) -> None:
    merged = Province.objects.get(code="lao-cai-2025")
    lines = [
        (h.year, h.via.code if h.via else None, h.result.rank) for h in provinces.history(merged)
    ]
    assert ("2019", "lao-cai", 15) in [(str(y), v, r) for y, v, r in lines]
    assert (2022, "yen-bai", 14) in lines
    assert (2021, "lao-cai", 11) in lines
    assert all(via in {"lao-cai", "yen-bai"} for _y, via, _r in lines)
    assert [y for y, _v, _r in lines] == sorted(y for y, _v, _r in lines)


def test_a_province_before_the_merger_shows_only_its_own_history(shipped: list[int]) -> None:
    old = Province.objects.get(code="lao-cai")
    history = provinces.history(old)
    assert {h.via for h in history} == {None}
    assert [h.year for h in history] == [2016, 2017, 2018, 2019, 2020, 2021, 2023]


def test_a_renamed_city_carries_its_former_name_s_history(shipped: list[int]) -> None:
    hue = Province.objects.get(code="hue")
    history = provinces.history(hue)
    assert {(h.year, h.via.code if h.via else None) for h in history} >= {
        (2020, "thua-thien-hue"),
        (2021, "thua-thien-hue"),
    }
