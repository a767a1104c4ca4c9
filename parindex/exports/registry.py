"""One exporter registry: each exporter yields rows once; CSV, XLSX and DOCX are rendered from them.

The web UI, the API and the command line all call `render(name, fmt, user=..., params=...)`, so
an export always applies the same access rule as the screen it mirrors.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from docx import Document
from docx.shared import Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from parindex.lib.numbers import format_decimal
from parindex.orgs.access import AnyUser

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


@dataclass
class Exporter:
    name: str
    title: Callable[[], str]  # lazily translated
    build: Callable[[AnyUser, dict[str, str]], list[Sheet]]
    formats: tuple[str, ...] = ("csv", "xlsx", "docx")
    params: dict[str, str] = field(default_factory=dict)  # name → help text


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


@dataclass
class Rendered:
    content: bytes
    content_type: str
    filename: str


def render(name: str, fmt: str, *, user: AnyUser, params: dict[str, str] | None = None) -> Rendered:
    exporter = get(name)
    if fmt not in exporter.formats:
        raise ExportError(
            f"export {name!r} has no format {fmt!r}; use one of {', '.join(exporter.formats)}"
        )
    sheets = exporter.build(user, params or {})
    writer = {"csv": _csv, "xlsx": _xlsx, "docx": _docx}[fmt]
    stamp = date.today().strftime("%Y%m%d")
    return Rendered(writer(exporter.title(), sheets), FORMATS[fmt], f"{name}-{stamp}.{fmt}")


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return format_decimal(value, places=None)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _csv(title: str, sheets: list[Sheet]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for index, sheet in enumerate(sheets):
        if len(sheets) > 1:
            if index:
                writer.writerow([])
            writer.writerow([sheet.title])
        writer.writerow(sheet.columns)
        for row in sheet.rows:
            writer.writerow([_cell_text(v) if not isinstance(v, int | str) else v for v in row])
    # A byte-order mark so that Excel opens Vietnamese CSV as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _xlsx(title: str, sheets: list[Sheet]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet in sheets:
        ws = workbook.create_sheet(_sheet_name(sheet.title))
        ws.append(list(sheet.columns))
        for cell in ws[1]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(wrap_text=True, vertical="top")
        widths = [len(str(c)) for c in sheet.columns]
        for row in sheet.rows:
            values = [_xlsx_value(v) for v in row]
            ws.append(values)
            for i, v in enumerate(values):
                widths[i] = max(widths[i], min(len(str(v or "")), 60))
        for i, width in enumerate(widths):
            ws.column_dimensions[ws.cell(row=1, column=i + 1).column_letter].width = width + 2
        ws.freeze_panes = "A2"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _sheet_name(title: str) -> str:
    """Excel refuses []:*?/\\ in sheet names and more than 31 characters."""
    return (re.sub(r"[\[\]:*?/\\]", "-", title)[:31]).strip() or "Sheet"


def _xlsx_value(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, Decimal | int | float | date) or value is None:
        return value
    return str(value)


def _docx(title: str, sheets: list[Sheet]) -> bytes:
    document = Document()
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(12)
    document.add_heading(title, level=1)
    for sheet in sheets:
        if len(sheets) > 1:
            document.add_heading(sheet.title, level=2)
        rows = list(sheet.rows)
        table = document.add_table(rows=1, cols=len(sheet.columns))
        table.style = "Table Grid"
        for cell, heading in zip(table.rows[0].cells, sheet.columns, strict=True):
            cell.text = str(heading)
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for row in rows:
            cells = table.add_row().cells
            for cell, value in zip(cells, row, strict=True):
                cell.text = _cell_text(value)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
