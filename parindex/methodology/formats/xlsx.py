"""Criteria trees as spreadsheets, in the decisions' table layout, both ways.

Sheet "Tiêu chí": a title row, then the header
`STT | Lĩnh vực/Tiêu chí/Tiêu chí thành phần | Điểm tối đa | Phương pháp | Cách tính điểm |
Đơn vị | Ghi chú | Từ | Từ (gồm) | Đến | Đến (gồm)`, one row per criterion and under it one row
per band (empty STT, label, points, and for a range its bounds in the last four columns).
Sheet "Thông tin": the tree's metadata as label / value rows.

Reading accepts any workbook whose first sheet with an "STT … điểm" header holds the table
(see `formats.table` for how rows are read); bands may also be lines "label: points" inside the
name cell. When the bounds columns are filled they win over the wording of the label.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from parindex.exports import cells
from parindex.lib.text import fold
from parindex.methodology.formats.common import (
    FORMAT,
    LEVEL_LABELS,
    METHOD_LABELS,
    SCORING_LABELS,
    UNIT_LABELS,
    text_block,
)
from parindex.methodology.formats.table import Row, header_columns, read_rows
from parindex.methodology.tree import (
    FrameworkSpec,
    ImportResult,
    Problem,
    Severity,
    problem,
)

CRITERIA_SHEET = "Tiêu chí"
INFO_SHEET = "Thông tin"
HEADER = [
    "STT",
    "Lĩnh vực/Tiêu chí/Tiêu chí thành phần",
    "Điểm tối đa",
    "Phương pháp",
    "Cách tính điểm",
    "Đơn vị",
    "Ghi chú",
    "Từ",
    "Từ (gồm)",
    "Đến",
    "Đến (gồm)",
]
_WIDTHS = [9, 70, 11, 15, 15, 10, 40, 8, 9, 8, 9]
_YES, _NO = "có", "không"

# Metadata rows of the "Thông tin" sheet: label → FrameworkSpec field.
INFO_LABELS = {
    "Định dạng": "format",
    "Tên bộ tiêu chí": "name",
    "Mã": "code",
    "Phiên bản": "version",
    "Số quyết định": "decision_number",
    "Ngày quyết định": "decision_date",
    "Cơ quan ban hành": "issuer",
    "Năm áp dụng từ": "first_year",
    "Năm áp dụng đến": "last_year",
    "Cấp đánh giá": "level",
    "Tổng điểm": "declared_total",
    "Mô tả": "description",
    "Nguồn": "source",
}
_INFO_KEYS = {fold(label): key for label, key in INFO_LABELS.items()} | {
    key: key for key in INFO_LABELS.values()
}


def _text(value: object) -> str:
    """A cell as text; numbers keep a dot as their decimal point (see bands.parse_points)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _YES if value else _NO
    if isinstance(value, float):
        return format(Decimal(format(value, ".15g")), "f")
    if isinstance(value, datetime | date):
        return value.isoformat()[:10]
    return str(value)


def parse_xlsx(data: bytes, meta: Mapping[str, object] | None = None) -> ImportResult:
    """Read a criteria table from a workbook; `meta` overrides what its "Thông tin" sheet says."""
    try:
        workbook = load_workbook(io.BytesIO(data), data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        return ImportResult(
            None, [problem(Severity.ERROR, "unreadable_file", name="XLSX", detail=str(exc))]
        )
    sheets = {fold(ws.title): ws for ws in workbook.worksheets}
    file_meta: dict[str, object] = {}
    problems: list[Problem] = []
    info = sheets.get(fold(INFO_SHEET))
    if info is not None:
        file_meta, problems = _read_info(info.iter_rows(values_only=True))
    table: list[Row] | None = None
    title = ""
    for ws in workbook.worksheets:
        if ws is info:
            continue
        rows = [
            Row(number, [_text(v) for v in values])
            for number, values in enumerate(ws.iter_rows(min_row=1, values_only=True), start=1)
        ]
        start = next((i for i, r in enumerate(rows[:50]) if header_columns(r.cells)), None)
        if start is not None:
            # Above the header stand the title and the decision: the name, when none is given.
            title = next((c for r in rows[:start] for c in r.cells if c.strip()), "")
            table = rows[start:]
            break
        if table is None and any(any(r.cells) for r in rows):
            table = rows  # no header anywhere yet: the first sheet with content, default columns
    if title and info is None:
        file_meta["name"] = title
    merged = {**file_meta, **{k: v for k, v in (meta or {}).items() if v not in (None, "")}}
    result = read_rows(table or [], merged)
    result.problems[:0] = problems
    return result


def _read_info(rows: Iterable[tuple[Any, ...]]) -> tuple[dict[str, object], list[Problem]]:
    meta: dict[str, object] = {}
    problems: list[Problem] = []
    for number, values in enumerate(rows, start=1):
        if not values or values[0] is None or not str(values[0]).strip():
            continue
        label = str(values[0])
        key = _INFO_KEYS.get(fold(label))
        value = values[1] if len(values) > 1 else None
        if key is None:
            problems.append(problem(Severity.WARNING, "unknown_key", INFO_SHEET, number, key=label))
        elif key == "format":
            if value not in (None, "") and str(value).strip() != FORMAT:
                problems.append(
                    problem(Severity.ERROR, "bad_format", INFO_SHEET, number, value=value)
                )
        elif isinstance(value, str):
            meta[key] = text_block(value)
        elif isinstance(value, float):
            meta[key] = Decimal(format(value, ".15g"))
        else:
            meta[key] = value
    return meta, problems


def export_xlsx(spec: FrameworkSpec) -> bytes:
    """The tree as a workbook that `parse_xlsx` reads back to the same tree."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = CRITERIA_SHEET
    wrap = Alignment(wrap_text=True, vertical="top")
    # Every row goes through exports.cells: a name such as "=1+1" is text, never a formula.
    cells.append(ws, [spec.name])[0].font = Font(bold=True, size=14)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    decision = " ".join(
        part
        for part in (
            f"Quyết định số {spec.decision_number}" if spec.decision_number else "",
            f"ngày {spec.decision_date:%d/%m/%Y}" if spec.decision_date else "",
            f"của {spec.issuer}" if spec.issuer else "",
        )
        if part
    )
    cells.append(ws, [decision])[0].font = Font(italic=True)
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    bounds_fill = PatternFill("solid", fgColor="F2F2F2")
    for column, cell in enumerate(cells.append(ws, HEADER), start=1):
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        cell.fill = bounds_fill if column > 7 else header_fill
    for node in spec.nodes:
        row = cells.append(
            ws,
            [
                node.code,
                node.name,
                node.max_points,
                METHOD_LABELS[node.method],
                SCORING_LABELS[node.scoring] or None,
                UNIT_LABELS[node.unit] or None,
                node.note or None,
            ],
        )
        row[0].number_format = "@"  # "1.10" must stay text, not become the number 1.1
        for cell in row:
            cell.alignment = wrap
        row[1].alignment = Alignment(wrap_text=True, vertical="top", indent=node.depth - 1)
        if node.depth == 1:
            for cell in row:
                cell.font = Font(bold=True)
        for band in node.bands:
            band_row = cells.append(
                ws,
                [
                    None,
                    band.label,
                    band.points,
                    None,
                    None,
                    None,
                    None,
                    band.lower,
                    None if band.lower is None else (_YES if band.lower_inclusive else _NO),
                    band.upper,
                    None if band.upper is None else (_YES if band.upper_inclusive else _NO),
                ],
            )
            band_row[1].alignment = Alignment(wrap_text=True, vertical="top", indent=node.depth)
            band_row[1].font = Font(italic=True)
    for column, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    # The bounds are for the round trip and for editing ranges exactly; fold them away.
    ws.column_dimensions.group("H", "K", outline_level=1, hidden=False)
    ws.freeze_panes = "A4"
    _write_info(workbook.create_sheet(INFO_SHEET), spec)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _write_info(ws: Any, spec: FrameworkSpec) -> None:
    values: dict[str, object] = {
        "format": FORMAT,
        "name": spec.name,
        "code": spec.code,
        "version": spec.version,
        "decision_number": spec.decision_number,
        "decision_date": spec.decision_date,
        "issuer": spec.issuer,
        "first_year": spec.first_year,
        "last_year": spec.last_year,
        "level": LEVEL_LABELS[spec.level],
        "declared_total": spec.declared_total,
        "description": spec.description,
        "source": spec.source,
    }
    for label, key in INFO_LABELS.items():
        value = values[key]
        label_cell, cell = cells.append(ws, [label, None if value == "" else value])
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        if key == "decision_date":
            cell.number_format = "DD/MM/YYYY"
        elif isinstance(value, str):
            cell.number_format = "@"
        label_cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 20
    ws.column_dimensions["B"].width = 90
