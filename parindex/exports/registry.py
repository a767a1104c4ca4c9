"""One exporter registry: each exporter yields rows once; CSV, XLSX and DOCX are rendered from them.

The web UI, the API and the command line all call `render(name, fmt, user=..., params=...)`, so
an export always applies the same access rule as the screen it mirrors.

An exporter gives `build` (sheets of rows, rendered in any of its formats) and, for a document
that is not a plain table (an administrative report, say), a `renderers` entry for that format,
which returns the file's bytes itself. Either way the exporter's functions fetch through
`orgs.access` (`reports_for(user)`, `plans_for(user)`, ...) and raise `ExportError` for a missing
or bad parameter or for anything the person may not see ("not found"), so nothing else decides
what an export contains.

Every cell and run of text is written through `exports.cells`: text is never a formula, CSV text
that could start one is neutralised, and characters XML forbids never reach a file.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone, translation
from docx import Document
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from parindex.exports import cells
from parindex.exports.cells import Cell as Cell  # exporters mark coloured cells with it
from parindex.orgs.access import Access, AnyUser
from parindex.orgs.models import User

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


@dataclass
class Sheet:
    title: str
    columns: Sequence[str]
    rows: Iterable[Sequence[Any]]


Builder = Callable[[AnyUser, dict[str, str]], list[Sheet]]
Renderer = Callable[[AnyUser, dict[str, str]], bytes]


@dataclass
class Exporter:
    name: str
    title: Callable[[], str]  # lazily translated
    # Sheets of rows, rendered in every format of `formats` that has no renderer of its own.
    build: Builder | None
    formats: tuple[str, ...] = ("csv", "xlsx", "docx")
    params: dict[str, str] = field(default_factory=dict)  # name → help text
    # Format → a function writing the whole file, for documents that are not a plain table.
    renderers: dict[str, Renderer] = field(default_factory=dict)
    # The file name before the date, from the (already checked) parameters; default the name.
    file_stem: Callable[[dict[str, str]], str] | None = None

    def __post_init__(self) -> None:
        unrendered = [f for f in self.formats if f not in self.renderers]
        if self.build is None and unrendered:
            raise ValueError(f"exporter {self.name!r} has no build for {', '.join(unrendered)}")
        unknown = [f for f in (*self.formats, *self.renderers) if f not in FORMATS]
        if unknown:
            raise ValueError(f"exporter {self.name!r}: unknown format {', '.join(unknown)}")


class ExportError(ValueError):
    """Unknown exporter, unsupported format or a bad parameter; the message says which."""


_registry: dict[str, Exporter] = {}


def register(exporter: Exporter) -> Exporter:
    _registry[exporter.name] = exporter
    return exporter


def exporters() -> list[Exporter]:
    return sorted(_registry.values(), key=lambda e: e.name)


def get(name: str) -> Exporter:
    try:
        return _registry[name]
    except KeyError:
        raise ExportError(
            f"unknown export {name!r}; known: {', '.join(sorted(_registry))}"
        ) from None


def system_user() -> User:
    """The operator at the server's command line, who reads everything (as whoever runs commands
    there can read the database anyway). Never saved; it exists only to run an export."""
    user = User(username="system", full_name="parindex", is_superuser=True, is_active=True)
    user._parindex_access = Access(superuser=True)  # type: ignore[attr-defined]
    return user


@dataclass
class Rendered:
    content: bytes
    content_type: str
    filename: str


@dataclass
class Streamed:
    """An export whose bytes come as they are written: a response sends each chunk on, so a
    large workbook is never held whole in memory (rows → write-only sheets on disk → chunks)."""

    chunks: Iterator[bytes]
    content_type: str
    filename: str


def stream(name: str, fmt: str, *, user: AnyUser, params: dict[str, str] | None = None) -> Streamed:
    """The export as chunks. What may be refused is refused here, before the first chunk: the
    exporter's `build` checks its parameters and the person's access at once and only its rows
    are read lazily, so a caller can still answer 400 or 404 instead of a broken download."""
    exporter = get(name)
    if fmt not in exporter.formats:
        raise ExportError(
            f"export {name!r} has no format {fmt!r}; use one of {', '.join(exporter.formats)}"
        )
    params = params or {}
    renderer = exporter.renderers.get(fmt)
    chunks: Iterator[bytes]
    if renderer is not None:
        chunks = iter([renderer(user, params)])
    else:
        assert exporter.build is not None  # checked when the exporter was made
        sheets = exporter.build(user, params)
        writer = {"csv": _csv, "xlsx": _xlsx, "docx": _docx_chunks}[fmt]
        chunks = _in_language(translation.get_language(), writer(exporter.title(), sheets))
    stem = exporter.file_stem(params) if exporter.file_stem else name
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-.") or name
    stamp = timezone.localdate().strftime("%Y%m%d")
    return Streamed(chunks, FORMATS[fmt], f"{stem}-{stamp}.{fmt}")


def render(name: str, fmt: str, *, user: AnyUser, params: dict[str, str] | None = None) -> Rendered:
    """The export whole, for the command line, the API and tests."""
    streamed = stream(name, fmt, user=user, params=params)
    return Rendered(b"".join(streamed.chunks), streamed.content_type, streamed.filename)


def _in_language(language: str | None, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """Rows are written while the response is sent, after the view has returned: they are
    worded in the language the request asked for, whatever the thread does in between."""
    if language is None:
        yield from chunks
        return
    with translation.override(language):
        yield from chunks


# Rows gathered before a CSV chunk is sent, and bytes per chunk read back from a workbook.
CSV_ROWS_PER_CHUNK = 500
CHUNK_BYTES = 64 * 1024
# Column widths are measured on the first rows of a sheet: a write-only sheet takes its widths
# before its first row, and a sample sets them as well as the whole sheet would.
WIDTH_SAMPLE_ROWS = 200


def _csv(title: str, sheets: list[Sheet]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> bytes:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text.encode("utf-8")

    # A byte-order mark so that Excel opens Vietnamese CSV as UTF-8.
    buffer.write("\ufeff")
    for index, sheet in enumerate(sheets):
        if len(sheets) > 1:
            if index:
                writer.writerow([])
            writer.writerow(cells.csv_row([sheet.title]))
        writer.writerow(cells.csv_row(sheet.columns))
        for n, row in enumerate(sheet.rows, 1):
            writer.writerow(cells.csv_row(row))
            if n % CSV_ROWS_PER_CHUNK == 0:
                yield flush()
    yield flush()


def _xlsx(title: str, sheets: list[Sheet]) -> Iterator[bytes]:
    """openpyxl's write-only mode: each row is written to the sheet's file on disk as it comes,
    never kept as cells in memory; the finished workbook is then read back in chunks."""
    workbook = Workbook(write_only=True)
    for sheet in sheets:
        ws = workbook.create_sheet(cells.sheet_title(sheet.title))
        rows = iter(sheet.rows)
        sample = list(itertools.islice(rows, WIDTH_SAMPLE_ROWS))
        widths = [len(str(c)) for c in sheet.columns]
        for row in sample:
            for i, value in enumerate(row):
                widths[i] = max(widths[i], min(len(str(cells.xlsx_value(value) or "")), 60))
        for i, width in enumerate(widths):
            ws.column_dimensions[get_column_letter(i + 1)].width = width + 2
        ws.freeze_panes = "A2"
        header = [cells.xlsx_cell(ws, c) for c in sheet.columns]
        for cell in header:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        ws.append(header)
        for row in itertools.chain(sample, rows):
            cells.append_values(ws, list(row))
    with tempfile.TemporaryFile() as out:
        workbook.save(out)
        out.seek(0)
        while chunk := out.read(CHUNK_BYTES):
            yield chunk


def _docx_chunks(title: str, sheets: list[Sheet]) -> Iterator[bytes]:
    yield _docx(title, sheets)


def _docx(title: str, sheets: list[Sheet]) -> bytes:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    document.add_heading(cells.docx_text(title), level=1)
    for sheet in sheets:
        if len(sheets) > 1:
            document.add_heading(cells.docx_text(sheet.title), level=2)
        rows = list(sheet.rows)
        table = document.add_table(rows=1, cols=len(sheet.columns))
        table.style = "Table Grid"
        for cell, heading in zip(table.rows[0].cells, sheet.columns, strict=True):
            cell.text = cells.docx_text(heading)
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for row in rows:
            row_cells = table.add_row().cells
            for cell, value in zip(row_cells, row, strict=True):
                cell.text = cells.docx_text(value)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
