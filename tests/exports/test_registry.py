"""The registry: sheet-built formats, formats with a renderer of their own, coloured cells."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.http import StreamingHttpResponse
from django.test import Client
from django.utils import timezone

from parindex.exports import registry
from parindex.exports.registry import Cell, Exporter, ExportError, Sheet, render, stream
from parindex.orgs.access import AnyUser
from parindex.orgs.models import User
from tests.exports.reading import docx, sheets, text


def _rows(user: AnyUser, params: dict[str, str]) -> list[Sheet]:
    if "fail" in params:
        raise ExportError("fail: as asked")
    return [
        Sheet(
            "Đèn",
            ["Chỉ tiêu", "Giá trị", "Đèn"],
            [["Đúng hạn", 90, Cell("vàng", "FFEB9C")], ["Liên thông", 12, Cell("xanh")]],
        )
    ]


def _letter(user: AnyUser, params: dict[str, str]) -> bytes:
    return f"letter for {user.get_username() or 'nobody'}".encode()


@pytest.fixture
def sample(monkeypatch: pytest.MonkeyPatch) -> Exporter:
    exporter = Exporter(
        "sample",
        lambda: "Mẫu",
        _rows,
        formats=("csv", "xlsx", "docx"),
        renderers={"docx": _letter},
        params={"n": "a number"},
        file_stem=lambda params: f"sample {params.get('n', '')}/..",
    )
    monkeypatch.setitem(registry._registry, exporter.name, exporter)
    return exporter


def test_a_format_with_a_renderer_is_written_by_it_and_the_others_from_the_rows(
    sample: Exporter, reporter: User
) -> None:
    assert render("sample", "docx", user=reporter).content == b"letter for minh.stp"
    table = list(
        csv.reader(io.StringIO(render("sample", "csv", user=reporter).content.decode("utf-8-sig")))
    )
    assert table == [
        ["Chỉ tiêu", "Giá trị", "Đèn"],
        ["Đúng hạn", "90", "vàng"],
        ["Liên thông", "12", "xanh"],
    ]


def test_a_coloured_cell_is_filled_in_xlsx_and_its_value_stays_a_value(
    sample: Exporter, reporter: User
) -> None:
    sheet = sheets(render("sample", "xlsx", user=reporter).content).worksheets[0]
    assert [c.value for c in sheet[2]] == ["Đúng hạn", 90, "vàng"]
    assert sheet["C2"].fill.start_color.rgb.endswith("FFEB9C")
    assert sheet["C3"].fill.fill_type is None  # no colour given: no fill


def test_the_file_name_comes_from_the_stem_made_safe_and_the_date(
    sample: Exporter, reporter: User
) -> None:
    stamp = timezone.localdate().strftime("%Y%m%d")
    result = render("sample", "csv", user=reporter, params={"n": "7"})
    assert result.filename == f"sample-7-{stamp}.csv"


def test_a_builders_export_error_reaches_the_caller(sample: Exporter, reporter: User) -> None:
    with pytest.raises(ExportError, match="fail: as asked"):
        render("sample", "xlsx", user=reporter, params={"fail": "1"})


def test_an_exporter_must_be_able_to_write_every_format_it_offers() -> None:
    with pytest.raises(ValueError, match="no build for xlsx"):
        Exporter("broken", lambda: "x", None, formats=("docx", "xlsx"), renderers={"docx": _letter})
    with pytest.raises(ValueError, match="unknown format pdf"):
        Exporter("broken", lambda: "x", _rows, formats=("pdf",))
    # Renderers for every format: no build needed.
    assert Exporter("letters", lambda: "x", None, formats=("docx",), renderers={"docx": _letter})


def test_the_table_exporters_still_write_every_format(coordinator: User) -> None:
    for fmt in ("csv", "xlsx", "docx"):
        result = render("people", fmt, user=coordinator)
        assert result.filename.startswith("people-")
    assert "hoa.snv" in text(docx(render("people", "docx", user=coordinator).content))


def test_every_reporting_exporter_is_registered_with_its_parameter() -> None:
    names = {e.name: e for e in registry.exporters()}
    assert names["round-consolidated"].formats == ("docx", "xlsx")
    assert set(names["round-consolidated"].params) == {"round"}
    assert names["agency-report"].formats == ("docx", "xlsx")
    assert set(names["agency-report"].params) == {"report"}


@pytest.fixture
def long_export(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """An exporter of 1 200 rows that notes each row as it is read; returns the notes."""
    read: list[int] = []

    def rows() -> Iterator[list[Any]]:
        for n in range(1200):
            read.append(n)
            first = f"=dòng {n}" if n % 2 == 0 else "#N/A"
            yield [first, n, Cell("xanh", "C6EFCE"), f"dòng {n}"]

    def build(user: AnyUser, params: dict[str, str]) -> list[Sheet]:
        if "fail" in params:
            raise ExportError("fail: as asked")
        return [Sheet("Dài", ["Nội dung", "Số", "Đèn", "Ghi chú"], rows())]

    exporter = Exporter("long", lambda: "Dài", build, formats=("csv", "xlsx"))
    monkeypatch.setitem(registry._registry, exporter.name, exporter)
    return read


def test_an_export_is_refused_before_its_first_byte_and_its_rows_are_read_as_it_is_sent(
    long_export: list[int], reporter: User
) -> None:
    with pytest.raises(ExportError, match="as asked"):
        stream("long", "csv", user=reporter, params={"fail": "1"})
    streamed = stream("long", "csv", user=reporter)
    assert long_export == []  # nothing read until the response sends it
    first = next(streamed.chunks)
    assert 0 < len(long_export) < 1200
    rest = b"".join(streamed.chunks)
    table = list(csv.reader(io.StringIO((first + rest).decode("utf-8-sig"))))
    assert len(table) == 1201
    # Formula-looking text is still neutralised.
    assert table[1:3] == [["'=dòng 0", "0", "xanh", "dòng 0"], ["#N/A", "1", "xanh", "dòng 1"]]


def test_a_workbook_is_written_row_by_row_and_sent_in_chunks_with_the_cells_contract(
    long_export: list[int], reporter: User
) -> None:
    streamed = stream("long", "xlsx", user=reporter)
    chunks = list(streamed.chunks)
    book = sheets(b"".join(chunks))
    sheet = book.worksheets[0]
    assert sheet.max_row == 1201
    cell = sheet["A2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=dòng 0", "s", True)
    assert (sheet["A3"].value, sheet["A3"].data_type) == ("#N/A", "s")  # text, not an error
    assert (sheet["D3"].value, sheet["D3"].data_type) == ("dòng 1", "s")
    assert (sheet["B1201"].value, sheet["B1201"].data_type) == (1199, "n")
    assert sheet["C2"].fill.start_color.rgb.endswith("C6EFCE")
    assert sheet["A1"].font.b  # the header row is bold
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["A"].width >= len("=dòng 199")


def test_the_screens_send_an_export_as_a_stream(
    long_export: list[int], reporter: User, client_for: Callable[[User], Client]
) -> None:
    response = client_for(reporter).get("/exports/long.csv")
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Disposition"].startswith('attachment; filename="long-')
    assert len(list(csv.reader(io.StringIO(response.getvalue().decode("utf-8-sig"))))) == 1201
    refused = client_for(reporter).get("/exports/long.csv", {"fail": "1"})
    assert (refused.status_code, refused.content) == (400, b"fail: as asked")
