"""The results shipped in parindex/benchmark/data, and the national list of provinces."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from parindex.benchmark import figures, provinces, shipped
from parindex.benchmark.actions import load_provinces, load_published_results
from parindex.benchmark.models import Origin, Province, ProvinceResult, ResultYear
from parindex.orgs.models import AuditEntry, SuccessionKind


def test_lao_cai_2019_is_reproduced_from_the_shipped_data(shipped: list[int]) -> None:
    result = ProvinceResult.objects.get(year__year=2019, province__code="lao-cai")
    assert (result.score, result.rank, result.year.province_count) == (Decimal("82.85"), 15, 63)
    parts = [result.appraisal, result.sipas, result.leader_survey, result.socio_economic_impact]
    assert parts == [Decimal("52.90"), Decimal("8.30"), Decimal("17.65"), Decimal("4.00")]
    assert sum((p for p in parts if p is not None), Decimal(0)) == result.score
    assert result.impact == Decimal("29.95")
    assert result.source is not None and result.source.key == "S_laocai2019"
    assert result.source.url.startswith("http://ddcilaocai.vn/")
    assert result.year.publication.startswith("330/QĐ-BNV")
    assert result.year.announced_on == date(2020, 5, 19)
    assert {(d.domain, d.rank) for d in result.domains.all()} == {("1", 48), ("2", 52), ("4", 49)}


def test_every_shipped_year_is_marked_partial_and_has_no_finding(shipped: list[int]) -> None:
    assert shipped == list(range(2016, 2024))
    for year in ResultYear.objects.all():
        assert year.partial and year.origin == Origin.SHIPPED and year.province_count == 63
        assert figures.year_table(ResultYear.objects.all(), year.year).findings == []


def test_the_history_of_lao_cai_joins_the_years_tables(shipped: list[int]) -> None:
    ranks = dict(
        ProvinceResult.objects.filter(province__code="lao-cai").values_list("year__year", "rank")
    )
    assert ranks == {2016: 27, 2017: 21, 2018: 21, 2019: 15, 2020: 14, 2021: 11, 2023: 7}
    derived = ProvinceResult.objects.get(province__code="lao-cai", year__year=2018)
    assert derived.derived and derived.score == Decimal("78.47")


def test_figures_flagged_by_the_sources_keep_their_flags(shipped: list[int]) -> None:
    quang_ninh = ProvinceResult.objects.get(province__code="quang-ninh", year__year=2018)
    assert "89.6" in quang_ninh.conflict
    vung_tau = ProvinceResult.objects.get(province__code="ba-ria-vung-tau", year__year=2021)
    assert vung_tau.rank_derived and not vung_tau.derived
    average = ResultYear.objects.get(year=2020)
    assert average.national_average == Decimal("83.72") and average.average_derived
    assert ResultYear.objects.get(year=2018).facts["groups"]["A_ge80"] == 9


def test_loading_twice_changes_nothing_and_leaves_an_imported_year_alone(
    shipped: list[int],
) -> None:
    count = ProvinceResult.objects.count()
    ResultYear.objects.filter(year=2022).update(origin=Origin.IMPORTED)
    assert load_published_results(by=None) == [y for y in shipped if y != 2022]
    assert ProvinceResult.objects.count() == count
    assert AuditEntry.objects.filter(action="results.loaded").count() == 2


def test_the_national_list_knows_63_provinces_before_the_merger_and_34_after(db: None) -> None:
    load_provinces()
    assert Province.objects.in_year(2019).count() == 63
    assert Province.objects.in_year(2024).count() == 63
    assert Province.objects.in_year(2025).count() == 34
    assert Province.objects.as_of(date(2025, 6, 30)).count() == 63
    assert Province.objects.as_of(date(2025, 7, 1)).count() == 34


def test_each_province_formed_in_2025_knows_the_provinces_it_was_formed_from(db: None) -> None:
    load_provinces()
    lao_cai = Province.objects.get(code="lao-cai-2025")
    assert [p.code for p in provinces.predecessors(lao_cai)] == ["lao-cai", "yen-bai"]
    hcm = Province.objects.get(code="ho-chi-minh-2025")
    assert {p.short_name for p in provinces.predecessors(hcm)} == {
        "Bà Rịa - Vũng Tàu",
        "Bình Dương",
        "Hồ Chí Minh",
    }
    merged = Province.objects.filter(succession_kind=SuccessionKind.MERGED)
    assert merged.count() == 52
    assert all(p.valid_to == date(2025, 7, 1) for p in merged)
    assert {p.succession_basis for p in merged} == {"Nghị quyết 202/2025/QH15"}
    hue = Province.objects.get(code="thua-thien-hue")
    assert hue.successor is not None and hue.successor.code == "hue"
    assert hue.succession_kind == SuccessionKind.RENAMED
    unchanged = Province.objects.filter(valid_from__isnull=True, valid_to__isnull=True)
    assert unchanged.count() == 10


def test_the_mapping_agrees_with_the_national_list_of_administrative_units(db: None) -> None:
    admin_units = pytest.importorskip("parindex.orgs.admin_units")
    try:
        national = admin_units.provinces()
    except admin_units.AdminUnitsUnavailable:
        pytest.skip("the administrative units data set is not installed")
    load_provinces()
    ours = {
        p.official_code: sorted(q.short_name for q in p.predecessors.all()) or [p.short_name]
        for p in Province.objects.in_year(2025)
    }
    theirs = {
        p.code: sorted(
            n.removeprefix("Tỉnh ").removeprefix("Thành phố ")
            for n in admin_units._data().formed_from[p.code]
        )
        for p in national
    }
    ours["46"] = ["Huế"]  # a rename, not a merger: the data set lists the city under its new name
    assert ours == theirs


def test_the_shipped_provinces_file_names_each_province_once(db: None) -> None:
    specs = shipped.read_provinces()
    assert len({s.code for s in specs}) == len(specs) == 87
