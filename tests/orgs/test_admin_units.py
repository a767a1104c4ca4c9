"""The national list of administrative units since 1 July 2025, read from vietnamadminunits."""

from __future__ import annotations

import re

import pytest

from parindex.orgs import admin_units


def test_there_are_34_provinces_with_two_digit_official_codes() -> None:
    provinces = admin_units.provinces()
    assert len(provinces) == 34
    assert all(re.fullmatch(r"\d\d", p.code) for p in provinces)
    assert len({p.code for p in provinces}) == 34
    names = {p.name for p in provinces}
    assert {"Tỉnh Lào Cai", "Thành phố Hà Nội", "Thành phố Huế"} <= names
    # Yên Bái, Hà Giang and the other merged provinces are gone.
    assert "Tỉnh Yên Bái" not in names and "Tỉnh Hà Giang" not in names


def test_lao_cai_has_99_communes_and_wards_with_five_digit_official_codes() -> None:
    lao_cai = admin_units.find_province("Lào Cai")
    assert lao_cai is not None and lao_cai.code == "15"
    communes = admin_units.communes_of(lao_cai)
    assert len(communes) == 99
    assert all(re.fullmatch(r"\d{5}", c.code) for c in communes)
    assert len({c.code for c in communes}) == 99
    assert sorted({c.type for c in communes}) == ["Phường", "Xã"]
    by_code = {c.code: c.name for c in communes}
    # Codes of Quyết định 19/2025/QĐ-TTg.
    assert by_code["02647"] == "Phường Lào Cai"
    assert by_code["02671"] == "Phường Cam Đường"
    assert by_code["04681"] == "Phường Cầu Thia"


def test_the_whole_country_has_3321_communes_wards_and_special_zones() -> None:
    total = sum(len(admin_units.communes_of(p)) for p in admin_units.provinces())
    assert total == 3321


@pytest.mark.parametrize(
    "query", ["Lào Cai", "lao cai", "LAO CAI", "Tỉnh Lào Cai", "tinh lao cai", "15", " 15 "]
)
def test_a_province_is_found_by_name_with_or_without_diacritics_or_by_code(query: str) -> None:
    found = admin_units.find_province(query)
    assert found is not None and found.name == "Tỉnh Lào Cai"


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Hà Nội", "Thành phố Hà Nội"),
        ("ha noi", "Thành phố Hà Nội"),
        ("01", "Thành phố Hà Nội"),
        ("Huế", "Thành phố Huế"),
        ("Đắk Lắk", "Tỉnh Đắk Lắk"),
    ],
)
def test_cities_are_found_without_thanh_pho(query: str, name: str) -> None:
    found = admin_units.find_province(query)
    assert found is not None and found.name == name


def test_an_unknown_name_finds_nothing_but_close_names_are_suggested() -> None:
    assert admin_units.find_province("Lao Kai") is None
    assert admin_units.find_province("99") is None
    assert admin_units.close_matches("Lao Kai")[0].short_name == "Lào Cai"
    assert admin_units.close_matches("zzzz") == []


def test_lao_cai_was_formed_from_lao_cai_and_yen_bai() -> None:
    lao_cai = admin_units.find_province("15")
    assert lao_cai is not None
    assert sorted(admin_units.formed_from(lao_cai)) == ["Tỉnh Lào Cai", "Tỉnh Yên Bái"]
    merged = admin_units.was_merged_into("Yên Bái")
    assert merged is not None and merged.code == "15"
    # The 63 provinces of before each went into exactly one of the 34.
    assert sum(len(admin_units.formed_from(p)) for p in admin_units.provinces()) == 63


def test_old_communes_map_to_the_new_ones_that_took_them_over() -> None:
    coc_leu = admin_units.successors_of_commune(
        "Tỉnh Lào Cai", "UBND thành phố Lào Cai", "UBND phường Cốc Lếu"
    )
    assert coc_leu is not None and not coc_leu.split
    assert coc_leu.old.code == "02644"
    assert [c.name for c in coc_leu.successors] == ["Phường Lào Cai"]
    cam_duong = admin_units.successors_of_commune("Lào Cai", "Thành phố Lào Cai", "Xã Cam Đường")
    assert cam_duong is not None
    assert [c.code for c in cam_duong.successors] == ["02671"]
    assert admin_units.successors_of_commune("Tỉnh Lào Cai", "UBND thành phố Lào Cai", "X") is None


def test_an_old_district_leads_to_the_communes_that_took_over_its_communes() -> None:
    city = admin_units.successors_of_district("Tỉnh Lào Cai", "UBND thành phố Lào Cai")
    assert {c.name for c in city} == {
        "Phường Lào Cai",
        "Phường Cam Đường",
        "Xã Cốc San",
        "Xã Gia Phú",
        "Xã Hợp Thành",
    }


def test_keys_and_slugs_ignore_case_diacritics_and_punctuation() -> None:
    assert admin_units.key("Phường Cốc Lếu") == "phuongcocleu"
    assert admin_units.unit_key("UBND phường Cốc Lếu") == "phuongcocleu"
    assert admin_units.unit_key("Ủy ban nhân dân phường Cốc Lếu") == "phuongcocleu"
    assert admin_units.slug("Phường Đồng Tuyển") == "phuong-dong-tuyen"
