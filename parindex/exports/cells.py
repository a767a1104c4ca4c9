"""Every cell and every run of text an export writes goes through here.

A spreadsheet turns text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return into a
formula (`=HYPERLINK(...)`, `=cmd|'/c calc'!A1`), and a reporter or an organisation's name can
begin that way. So:

- XLSX: text is always a string cell (openpyxl would otherwise make `=1+1` a formula and `#N/A`
  an error), and text that looks like a formula also carries Excel's quote prefix, so that it
  stays text when someone edits the cell. Numbers, dates and times stay numbers, dates and times.
- CSV: text that begins with one of those characters is prefixed with a single quote, as the
  OWASP guidance on CSV injection says; the csv module quotes separators and doubles quotes.
  Numbers are written as numbers and never prefixed, a negative one included.
- DOCX: text as it is (Word does not evaluate runs).
- Everywhere: NFC, and without the characters XML forbids (`lib.text.xml_safe`): DOCX and XLSX
  are XML, and a stored U+0007 must not make an export fail.

No Django here: the criteria-tree workbook (a pure core) writes its cells through it too.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any

from openpyxl.cell.cell import ERROR_CODES
from openpyxl.cell.cell import Cell as XlsxCell
from openpyxl.styles import PatternFill

from parindex.lib.numbers import format_decimal
from parindex.lib.text import nfc, xml_safe

# What makes a spreadsheet read a cell as a formula (OWASP, "CSV Injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Excel's limit for one cell; past it Excel reports the file as damaged.
XLSX_MAX_CHARS = 32_767


@dataclass(frozen=True)
class Cell:
    """A value shown on a coloured background (RRGGBB) in XLSX, e.g. a traffic light; CSV and
    DOCX show the value alone."""

    value: Any
    fill: str = ""


def text(value: str) -> str:
    """Text as a file may hold it: NFC, without the characters XML forbids."""
    return xml_safe(nfc(value))


def looks_like_formula(value: str) -> bool:
    return value.startswith(FORMULA_START)


def shown(value: Any) -> str:
    """A value as a person reads it in running text or a CSV cell: 82,85; 11/06/2020."""
    if isinstance(value, Cell):
        return shown(value.value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, Decimal):
        return format_decimal(value, places=None)
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y %H:%M")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return text(str(value))


# --- CSV ------------------------------------------------------------------------------------------


def csv_cell(value: Any) -> str | int | float:
    """One CSV field. Only text is ever prefixed: a number is written as a number."""
    if isinstance(value, Cell):
        value = value.value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    if value is None or isinstance(value, Decimal | date | bool):
        return shown(value)  # our own formatting: it never starts a formula
    written = text(str(value))
    return "'" + written if looks_like_formula(written) else written


def csv_row(values: Iterable[Any]) -> list[str | int | float]:
    return [csv_cell(v) for v in values]


# --- XLSX -----------------------------------------------------------------------------------------


def xlsx_value(value: Any) -> Any:
    """What a cell holds: a number, a date, a time, None, or safe text."""
    if isinstance(value, Cell):
        return xlsx_value(value.value)
    if isinstance(value, Decimal | float) and not math.isfinite(value):
        return shown(value)  # Excel has no NaN nor infinity: a file holding one is "damaged"
    if value is None or isinstance(value, bool | int | float | Decimal):
        return value
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)  # Excel has no time zones; the caller gives local time
    if isinstance(value, date | time):
        return value
    written = text(str(value))
    if len(written) > XLSX_MAX_CHARS:
        written = written[: XLSX_MAX_CHARS - 1] + "…"
    return written


def xlsx_cell(ws: Any, value: Any) -> XlsxCell:
    """A cell for `ws` (a normal or a write-only worksheet), to be placed by `append`."""
    held = xlsx_value(value)
    # Placed at A1 until appended (write-only sheets need a position to name it in errors).
    cell = XlsxCell(ws, row=1, column=1, value=held)
    if isinstance(held, str):
        cell.data_type = "s"  # never a formula ("=…") nor an error ("#N/A")
        if looks_like_formula(held):
            cell.quotePrefix = True
    if isinstance(value, Cell) and value.fill:
        cell.fill = PatternFill("solid", start_color=value.fill, end_color=value.fill)
    return cell


def append(ws: Any, values: Sequence[Any]) -> list[XlsxCell]:
    """Add a row of values to the sheet; the row's cells are returned for styling."""
    cells = [xlsx_cell(ws, v) for v in values]
    ws.append(cells)
    return cells


def append_values(ws: Any, values: Sequence[Any]) -> None:
    """Add a row to a write-only sheet, as `append` does, for sheets of tens of thousands of
    cells: a write-only sheet takes a made cell only through a slow path (an exception per
    cell), so a value that openpyxl cannot take for anything but itself goes as a plain value
    — a number, a date, nothing, or text that neither looks like a formula nor reads as an
    error code (openpyxl makes exactly those a formula or an error) — and everything else as
    a cell made by `xlsx_cell`."""
    row: list[Any] = []
    for value in values:
        held = xlsx_value(value)
        if (isinstance(value, Cell) and value.fill) or (
            isinstance(held, str) and (looks_like_formula(held) or held in ERROR_CODES)
        ):
            row.append(xlsx_cell(ws, value))
        else:
            row.append(held)
    ws.append(row)


def sheet_title(title: str) -> str:
    """Excel refuses []:*?/\\ in sheet names and more than 31 characters."""
    cleaned = "".join("-" if ch in "[]:*?/\\" else ch for ch in text(title))
    return cleaned[:31].strip() or "Sheet"


# --- DOCX -----------------------------------------------------------------------------------------


def docx_text(value: Any) -> str:
    """Text for a paragraph, a run or a table cell of a Word document."""
    return shown(value)
