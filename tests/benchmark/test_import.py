"""Importing a year's official table: every bad line named and nothing saved, or the good lines
saved when bad rows are skipped; ranks checked after the import."""

from __future__ import annotations

import io
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from openpyxl import Workbook

from parindex.benchmark import actions, figures
from parindex.benchmark.models import Origin, Province, ProvinceResult, ResultYear
from parindex.orgs.models import AuditEntry, User

HEADER = "Tỉnh, thành phố\tĐiểm\tXếp hạng\tĐiểm thẩm định\tSIPAS\tLãnh đạo\tKinh tế - xã hội\n"
GOOD = HEADER + (
    "Quảng Ninh\t91,04\t1\t57,66\t9,56\t18,83\t5,00\n"
    "Hải Phòng\t90,51\t2\t58,71\t9,35\t19,45\t3,00\n"
    "Thừa Thiên Huế\t88,47\t3\t56,78\t8,57\t20,11\t3,01\n"
)
BAD = GOOD + "Lao Kai\t84\t10\nYên Bái\tkhông\t11\n"


def state() -> tuple[list[tuple[int, str, Decimal | None]], int]:
    rows = sorted(ProvinceResult.objects.values_list("year__year", "province__code", "score"))
    return rows, AuditEntry.objects.filter(action="results.imported").count()


def test_a_table_with_bad_lines_is_refused_whole_with_each_line_named(
    shipped: list[int], coordinator: User
) -> None:
    before = state()
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_results(BAD.encode(), "2020.txt", year=2020, by=coordinator)
    assert [(p.where, p.code) for p in refused.value.problems] == [
        ("line 5", "unknown_province"),
        ("line 6", "not_a_number"),
    ]
    assert state() == before
    assert ResultYear.objects.get(year=2020).origin == Origin.SHIPPED


def test_skipping_bad_rows_saves_the_good_ones_and_lists_the_others(
    shipped: list[int], coordinator: User
) -> None:
    outcome = actions.import_results(
        BAD.encode(), "2020.txt", year=2020, by=coordinator, skip_bad_rows=True
    )
    assert outcome.saved == 3
    assert [p.where for p in outcome.skipped] == ["line 5", "line 6"]
    year = ResultYear.objects.get(year=2020)
    assert (year.origin, year.partial, year.province_count) == (Origin.IMPORTED, True, 63)
    assert sorted(year.results.values_list("province__code", flat=True)) == [
        "hai-phong",
        "quang-ninh",
        "thua-thien-hue",
    ]
    entry = AuditEntry.objects.get(action="results.imported")
    assert entry.actor == coordinator
    assert entry.changes["rows"] == 3 and entry.changes["skipped"] == 2
    assert entry.changes["replaced"] == {"origin": "shipped", "rows": 15}


def test_an_import_replaces_the_year_and_records_its_source(
    shipped: list[int], coordinator: User
) -> None:
    actions.import_results(
        GOOD.encode(), "2020.txt", year=2020, by=coordinator, source="Quyết định 1149/QĐ-BNV"
    )
    huế = ProvinceResult.objects.get(year__year=2020, province__code="thua-thien-hue")
    assert huế.parts == {
        "appraisal": Decimal("56.78"),
        "sipas": Decimal("8.57"),
        "leader_survey": Decimal("20.11"),
        "socio_economic_impact": Decimal("3.01"),
    }
    assert huế.source is not None and huế.source.title == "Quyết định 1149/QĐ-BNV"
    assert ProvinceResult.objects.filter(year__year=2020).count() == 3
    # Loading the shipped data again leaves the official table alone.
    actions.load_published_results(by=None)
    assert ProvinceResult.objects.filter(year__year=2020).count() == 3


def test_a_complete_table_is_not_partial_and_its_rank_mismatches_are_found(
    db: None, coordinator: User
) -> None:
    actions.load_provinces()
    names = [p.short_name for p in Province.objects.in_year(2019).order_by("code")]
    lines = [f"{name}\t{90 - i * Decimal('0.25')}\t{i + 1}" for i, name in enumerate(names)]
    # Two provinces tied, published with different ranks, and one published out of place.
    lines[5] = f"{names[5]}\t{90 - 4 * Decimal('0.25')}\t6"
    lines[10] = f"{names[10]}\t{90 - 10 * Decimal('0.25')}\t12"
    actions.import_results("\n".join(lines).encode(), "2019.tsv", year=2019, by=coordinator)
    year = ResultYear.objects.get(year=2019)
    assert not year.partial and year.results.count() == 63
    findings = figures.year_table(ResultYear.objects.all(), 2019).findings
    assert {(f.code, f.key, f.params["published"], f.params["computed"]) for f in findings} == {
        ("rank_mismatch", year.results.get(line=6).province.code, 6, 5),
        ("rank_mismatch", year.results.get(line=11).province.code, 12, 11),
    }


def test_parts_that_do_not_add_up_are_found_after_an_import(
    shipped: list[int], coordinator: User
) -> None:
    actions.import_results(
        (HEADER + "Quảng Ninh\t91,04\t1\t57,66\t9,56\t18,83\t6,00\n").encode(),
        "2020.txt",
        year=2020,
        by=coordinator,
    )
    [finding] = figures.year_table(ResultYear.objects.all(), 2020).findings
    assert (finding.code, finding.key, finding.params["difference"]) == (
        "parts_sum",
        "quang-ninh",
        Decimal("1.01"),
    )


def workbook_bytes() -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["STT", "Tỉnh", "Chỉ số", "Xếp hạng"])
    sheet.append([1, "Quảng Ninh", 90.09, 1])
    sheet.append([2, "Hà Nội", 84.64, 2])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_workbook_is_imported(shipped: list[int], coordinator: User) -> None:
    outcome = actions.import_results(workbook_bytes(), "2019.xlsx", year=2019, by=coordinator)
    assert outcome.saved == 2
    assert ProvinceResult.objects.get(year__year=2019, province__code="ha-noi").score == Decimal(
        "84.64"
    )


def test_a_zip_bomb_is_refused_and_nothing_is_saved(shipped: list[int], coordinator: User) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
        archive.writestr("xl/worksheets/sheet1.xml", b" " * 30_000_000)
    before = state()
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_results(
            out.getvalue(), "bom.xlsx", year=2019, by=coordinator, skip_bad_rows=True
        )
    assert [p.code for p in refused.value.problems] == ["file_too_large"]
    assert state() == before


def test_only_coordinators_import(shipped: list[int], reporter: User, leader: User) -> None:
    for person in (reporter, leader):
        with pytest.raises(PermissionDenied):
            actions.import_results(GOOD.encode(), "2020.txt", year=2020, by=person)
    assert ResultYear.objects.get(year=2020).origin == Origin.SHIPPED


def test_a_year_for_which_nothing_is_known_is_created_by_its_import(
    shipped: list[int], coordinator: User
) -> None:
    outcome = actions.import_results(
        "Lào Cai\t90,12\t3\n".encode(), "2026.txt", year=2026, by=coordinator
    )
    year = outcome.year
    assert (year.year, year.province_count, year.partial) == (2026, 34, True)
    assert year.results.get().province.code == "lao-cai-2025"


def test_a_source_longer_than_its_column_is_refused_not_cut(
    shipped: list[int], coordinator: User
) -> None:
    before = state()
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_results(
            GOOD.encode(), "2020.txt", year=2020, by=coordinator, source="x" * 256
        )
    assert [p.code for p in refused.value.problems] == ["source_too_long"]
    assert state() == before


def test_a_table_that_takes_too_long_to_read_is_refused_and_nothing_is_saved(
    shipped: list[int], coordinator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    from parindex.benchmark import table
    from parindex.lib import archives

    def slow(*args: object, **kwargs: object) -> table.ParsedTable:
        raise archives.ReadTooLong("reading took longer than 10 s")

    monkeypatch.setattr(table, "read_table", slow)
    before = state()
    with pytest.raises(actions.ImportRefused) as refused:
        actions.import_results(GOOD.encode(), "2020.txt", year=2020, by=coordinator)
    assert [(p.code, p.params["seconds"]) for p in refused.value.problems] == [
        ("read_too_long", "10")
    ]
    assert state() == before
