"""How documents write dates, places, issuers and results (table-driven, no database)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from parindex.exports.administrative import (
    abbreviation,
    committee_short,
    date_words,
    head_title,
    issuer_for,
    place_name,
)
from parindex.exports.reporting import period_vi, result_vi, threshold_vi
from parindex.orgs.models import Organisation, OrgKind
from parindex.plans.models import Quantity
from parindex.reporting.models import Round


@pytest.mark.parametrize(
    ("day", "words"),
    [
        (date(2020, 6, 11), "ngày 11 tháng 6 năm 2020"),
        (date(2021, 2, 5), "ngày 05 tháng 02 năm 2021"),
        (date(2021, 1, 31), "ngày 31 tháng 01 năm 2021"),
        (date(2020, 12, 1), "ngày 01 tháng 12 năm 2020"),
        (date(2020, 3, 9), "ngày 09 tháng 3 năm 2020"),
    ],
)
def test_dates_are_written_in_words_with_the_decrees_leading_zeros(day: date, words: str) -> None:
    assert date_words(day) == words


@pytest.mark.parametrize(
    ("name", "committee", "place"),
    [
        ("Tỉnh Lào Cai", "UBND TỈNH LÀO CAI", "Lào Cai"),
        ("Lào Cai", "UBND TỈNH LÀO CAI", "Lào Cai"),
        ("Thành phố Hà Nội", "UBND THÀNH PHỐ HÀ NỘI", "Hà Nội"),
        ("Tỉnh Bà Rịa - Vũng Tàu", "UBND TỈNH BÀ RỊA - VŨNG TÀU", "Bà Rịa - Vũng Tàu"),
    ],
)
def test_a_province_gives_its_committee_line_and_its_place(
    name: str, committee: str, place: str
) -> None:
    province = Organisation(kind=OrgKind.PROVINCE, name=name, code="p")
    assert committee_short(province) == committee
    assert place_name(province.name) == place


@pytest.mark.parametrize(
    ("kind", "name", "short", "letters", "head"),
    [
        (OrgKind.DEPARTMENT, "Sở Tư pháp", "STP", "STP", "GIÁM ĐỐC"),
        (OrgKind.DEPARTMENT, "Sở Kế hoạch và Đầu tư", "Sở KH&ĐT", "SKHĐT", "GIÁM ĐỐC"),
        (OrgKind.DEPARTMENT, "Văn phòng UBND tỉnh", "VP UBND", "VPUBND", "CHÁNH VĂN PHÒNG"),
        (OrgKind.DEPARTMENT, "Ban Dân tộc", "", "BDT", "TRƯỞNG BAN"),
        (OrgKind.DISTRICT, "UBND huyện Bát Xát", "Bát Xát", "UBND", "CHỦ TỊCH"),
    ],
)
def test_an_agency_gives_its_symbol_and_its_signers_title(
    kind: str, name: str, short: str, letters: str, head: str
) -> None:
    province = Organisation(kind=OrgKind.PROVINCE, name="Tỉnh Lào Cai", code="lao-cai")
    agency = Organisation(kind=kind, name=name, short_name=short, code="a", province=province)
    assert abbreviation(agency) == letters
    issuer = issuer_for(agency)
    assert issuer.abbreviation == letters
    assert issuer.signer_lines[-1] == head
    if kind == OrgKind.DEPARTMENT:
        assert head_title(agency) == head
        assert issuer.lines == [("UBND TỈNH LÀO CAI", False), (name.upper(), True)]


@pytest.mark.parametrize(
    ("name", "kind", "lines", "place"),
    [
        ("UBND huyện Bát Xát", OrgKind.DISTRICT, ["ỦY BAN NHÂN DÂN", "HUYỆN BÁT XÁT"], "Bát Xát"),
        (
            "Ủy ban nhân dân phường Cốc Lếu",
            OrgKind.COMMUNE,
            ["ỦY BAN NHÂN DÂN", "PHƯỜNG CỐC LẾU"],
            "Cốc Lếu",
        ),
        ("UBND tỉnh Lào Cai", OrgKind.PPC, ["ỦY BAN NHÂN DÂN", "TỈNH LÀO CAI"], "Lào Cai"),
        ("UBND tỉnh", OrgKind.PPC, ["ỦY BAN NHÂN DÂN", "TỈNH LÀO CAI"], "Lào Cai"),
    ],
)
def test_a_peoples_committee_issues_in_its_own_name(
    name: str, kind: str, lines: list[str], place: str
) -> None:
    province = Organisation(kind=OrgKind.PROVINCE, name="Tỉnh Lào Cai", code="lao-cai")
    issuer = issuer_for(Organisation(kind=kind, name=name, code="a", province=province))
    assert issuer.lines == [(line, True) for line in lines]
    assert issuer.place == place
    assert issuer.signer_lines == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]


def q(comparator: str, value: str, unit: str, high: str | None = None, **extra: object) -> Quantity:
    return Quantity(
        subject="x",
        comparator=comparator,
        value=Decimal(value),
        value_high=Decimal(high) if high else None,
        unit=unit,
        **extra,
    )


@pytest.mark.parametrize(
    ("quantity", "threshold"),
    [
        (q(">=", "95", "percent"), "chỉ tiêu ≥ 95 %"),
        (q("=", "100", "percent"), "chỉ tiêu 100 %"),
        (q("between", "70", "percent", "100"), "chỉ tiêu từ 70 % đến 100 %"),
        (q("<=", "0", "count"), "chỉ tiêu ≤ 0"),
        (q(">=", "85.5", "points"), "chỉ tiêu ≥ 85,5 điểm"),
        (q("<=", "20", "rank"), "chỉ tiêu ≤ hạng 20"),
        (
            q(">=", "10", "percent", relative_kind="year", relative_year=2019),
            "chỉ tiêu ≥ 10 % so với năm 2019",
        ),
    ],
)
def test_thresholds_are_written_the_vietnamese_way(quantity: Quantity, threshold: str) -> None:
    assert threshold_vi(quantity) == threshold


@pytest.mark.parametrize(
    ("quantity", "value", "num", "den", "text"),
    [
        (q(">=", "95", "percent"), "90", "99", "110", "90,00 % (99/110)"),
        (q(">=", "95", "percent"), "99.5", "1990", "2000", "99,50 % (1.990/2.000)"),
        (q(">=", "10", "count"), "12", "12", None, "12"),
        (q(">=", "85", "points"), "82.845", "82.845", None, "82,85 điểm"),
        (q(">=", "10", "count"), None, None, None, "chưa có số liệu"),
    ],
)
def test_results_keep_numerator_and_denominator_beside_the_rate(
    quantity: Quantity, value: str | None, num: str | None, den: str | None, text: str
) -> None:
    def d(x: str | None) -> Decimal | None:
        return None if x is None else Decimal(x)

    assert result_vi(quantity, d(value), d(num), d(den)) == text


@pytest.mark.parametrize(
    ("kind", "number", "phrase"),
    [
        ("quarter", 2, "quý II năm 2020"),
        ("half_year", 1, "6 tháng đầu năm 2020"),
        ("year", 1, "năm 2020"),
        ("custom", 0, "từ ngày 01/01/2020 đến ngày 30/09/2020"),
    ],
)
def test_periods_are_named_as_reports_name_them(kind: str, number: int, phrase: str) -> None:
    round_ = Round(kind=kind, number=number, starts_on=date(2020, 1, 1), ends_on=date(2020, 9, 30))
    assert period_vi(round_) == phrase
