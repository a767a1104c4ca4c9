"""Assessment exports: a unit's scores in the decisions' layout, and the ranking of an assessment.

`assessment-unit` (param `unit`, the assessed unit's id as the API and `parindex assessment list`
give it): every domain, criterion and sub-criterion of the tree with its maximum, self-assessed,
appraised and final points and a note (the band the input matched, the unit's explanation, the
appraiser's reason or request), as the decisions publish them:

    STT | Lĩnh vực/Tiêu chí/Tiêu chí thành phần | Điểm tối đa | Tự đánh giá | Thẩm định | Điểm đạt | Ghi chú

domain and criterion rows bold, a total row last. XLSX and DOCX are written by their own
renderers (bold rows, the unit and assessment above the table); CSV is the plain table. Whoever
may read the unit (`access.units_for`: before publication a unit's own people, its appraiser,
coordinators and leaders; after it everyone in the province) may export it.

`assessment-ranking` (param `assessment`): rank, unit, total self / appraised / final, class and
each domain's final points, units in rank order, computed by `assessment.results` like the
results screen; for whoever may read the results (`access.can_read_results`: coordinators and
leaders at any time, everyone in the province once published).

The layout and its headings are the decisions' and stay in Vietnamese whatever the language of
the request, like the administrative documents of the reporting exports. Points are exact in the
database; they are written rounded half-up to two places, the way results are published.
Whatever the person may not see is "not found".
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from docx import Document as WordDocument
from docx.enum.section import WD_ORIENT
from docx.shared import Mm, Pt
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from parindex.assessment.models import Appraisal, AssessedUnit, Assessment
from parindex.assessment.reading import TreeNode, results_of, unit_tree
from parindex.exports import cells
from parindex.exports.registry import Exporter, ExportError, Sheet, register
from parindex.lib.dates import format_date
from parindex.lib.numbers import format_decimal, round_half_up
from parindex.orgs import access
from parindex.orgs.access import AnyUser

UNIT_COLUMNS = [
    "STT",
    "Lĩnh vực/Tiêu chí/Tiêu chí thành phần",
    "Điểm tối đa",
    "Tự đánh giá",
    "Thẩm định",
    "Điểm đạt",
    "Ghi chú",
]
TOTAL_LABEL = "TỔNG ĐIỂM"
# Column widths of the XLSX (characters), as the decisions' tables are drawn.
UNIT_WIDTHS = (8, 60, 10, 10, 10, 10, 60)
# DOCX column widths in millimetres on a landscape A4 page (277 mm between the margins).
DOCX_WIDTHS = (14, 95, 20, 20, 20, 20, 88)


def _id(params: dict[str, str], key: str, hint: str) -> int:
    raw = (params.get(key) or "").strip()
    if not raw:
        raise ExportError(f"{key}: required ({hint})")
    if not re.fullmatch(r"[0-9]{1,12}", raw):
        raise ExportError(f"{key}: {raw!r} is not an id")
    return int(raw)


def points(value: Decimal | None) -> Decimal | None:
    """Points as results are published: half-up to two places (None stays empty)."""
    return None if value is None else round_half_up(value)


# --- assessment-unit ----------------------------------------------------------------------------


def unit_for(user: AnyUser, params: dict[str, str]) -> AssessedUnit:
    pk = _id(params, "unit", "the assessed unit's id, as the API lists an assessment's units")
    unit = (
        access.units_for(user)
        .filter(pk=pk)
        .select_related("assessment__framework", "assessment__province", "organisation")
        .first()
    )
    if unit is None:
        raise ExportError(f"unit {pk} not found")
    return unit


@dataclass(frozen=True)
class Row:
    values: list[Any]
    bold: bool  # a domain, a criterion or the total


def note(item: TreeNode) -> str:
    """The band the input matched, the unit's explanation, the appraiser's reason or request
    and the unit's answer, one per line."""
    entry = item.entry
    if entry is None:
        return ""
    lines = []
    if entry.self_band:
        lines.append(f"Mức: {entry.self_band}")
    if entry.source:
        lines.append(f"Nguồn số liệu: {entry.source}")
    if entry.explanation:
        lines.append(f"Giải trình: {entry.explanation}")
    if entry.appraisal_comment:
        if entry.appraisal in (Appraisal.REQUESTED, Appraisal.ANSWERED):
            lines.append(f"Đề nghị bổ sung: {entry.appraisal_comment}")
        else:
            lines.append(f"Lý do thẩm định: {entry.appraisal_comment}")
    if entry.answer:
        lines.append(f"Đơn vị trả lời: {entry.answer}")
    return "\n".join(lines)


def unit_rows(unit: AssessedUnit) -> list[Row]:
    """The tree in reading order, then the total: exact sums of the domains, written rounded."""
    tree = unit_tree(unit)
    rows = [
        Row(
            [
                item.node.code,
                item.node.name,
                points(item.node.max_points),
                points(item.self_points),
                points(item.appraised_points),
                points(item.final_points),
                note(item),
            ],
            bold=item.entry is None,
        )
        for item in tree
    ]
    domains = [item for item in tree if item.node.parent_id is None]
    maximum = sum((d.node.max_points for d in domains), Decimal(0))
    rows.append(
        Row(
            [
                "",
                TOTAL_LABEL,
                points(maximum),
                points(unit.self_total),
                points(unit.appraised_total),
                points(unit.final_total),
                "",
            ],
            bold=True,
        )
    )
    return rows


def unit_heading(unit: AssessedUnit) -> list[str]:
    assessment = unit.assessment
    return [
        f"BẢNG ĐIỂM {assessment.title.upper()}",
        f"Đơn vị: {unit.organisation.name}",
        f"Bộ tiêu chí: {assessment.framework.name}",
        f"Trạng thái: {unit.get_status_display()}; xuất ngày {format_date(timezone.localdate())}",
    ]


def unit_sheets(user: AnyUser, params: dict[str, str]) -> list[Sheet]:
    unit = unit_for(user, params)
    return [Sheet(unit.organisation.name, UNIT_COLUMNS, (row.values for row in unit_rows(unit)))]


def unit_xlsx(user: AnyUser, params: dict[str, str]) -> bytes:
    unit = unit_for(user, params)
    workbook = Workbook()
    ws = workbook.active
    ws.title = cells.sheet_title(unit.organisation.name)
    for index, line in enumerate(unit_heading(unit)):
        for cell in cells.append(ws, [line]):
            cell.font = Font(bold=index == 0)
    cells.append(ws, [])
    for cell in cells.append(ws, UNIT_COLUMNS):
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    header_row = ws.max_row
    for row in unit_rows(unit):
        for i, cell in enumerate(cells.append(ws, row.values)):
            cell.font = Font(bold=row.bold)
            cell.alignment = Alignment(wrap_text=i in (1, 6), vertical="top")
            if isinstance(cell.value, Decimal):
                cell.number_format = "0.00"
    for i, width in enumerate(UNIT_WIDTHS):
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    ws.freeze_panes = f"A{header_row + 1}"
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _landscape_document() -> Any:
    document = WordDocument()
    section = document.sections[0]
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Mm(297), Mm(210)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Mm(10))
    style = document.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(11)
    return document


def _table(document: Any, columns: list[str], rows: Iterable[Row], widths: Iterable[int]) -> None:
    table = document.add_table(rows=1, cols=len(columns))
    table.style = "Table Grid"
    for cell, heading in zip(table.rows[0].cells, columns, strict=True):
        cell.paragraphs[0].add_run(cells.docx_text(heading)).bold = True
    for row in rows:
        row_cells = table.add_row().cells
        for cell, value in zip(row_cells, row.values, strict=True):
            cell.paragraphs[0].add_run(cells.docx_text(_docx_value(value))).bold = row.bold
    for column, width in zip(table.columns, widths, strict=False):
        for cell in column.cells:
            cell.width = Mm(width)


def _docx_value(value: Any) -> Any:
    # Points keep their two places in the document ("8,50"), as published.
    if isinstance(value, Decimal):
        return format_decimal(value, places=2)
    return value


def unit_docx(user: AnyUser, params: dict[str, str]) -> bytes:
    unit = unit_for(user, params)
    document = _landscape_document()
    title, *facts = unit_heading(unit)
    document.add_paragraph().add_run(cells.docx_text(title)).bold = True
    for line in facts:
        document.add_paragraph(cells.docx_text(line))
    _table(document, UNIT_COLUMNS, unit_rows(unit), DOCX_WIDTHS)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


# --- assessment-ranking -------------------------------------------------------------------------


def assessment_for(user: AnyUser, params: dict[str, str]) -> Assessment:
    pk = _id(params, "assessment", "the assessment's id, as `parindex assessment list` gives it")
    assessment = (
        access.assessments_for(user).filter(pk=pk).select_related("framework", "province").first()
    )
    if assessment is None:
        raise ExportError(f"assessment {pk} not found")
    if not access.can_read_results(user, assessment):
        raise ExportError(
            f"assessment {pk}: the ranking is for Home Affairs and the province's leaders until "
            "the results are published; export your unit's scores instead (assessment-unit)"
        )
    return assessment


def ranking_columns(domains: list[tuple[str, str, Decimal]]) -> list[str]:
    return [
        "Hạng",
        "Đơn vị",
        "Tự đánh giá",
        "Thẩm định",
        "Điểm đạt",
        "Xếp loại",
        *(f"{code}. {name} ({cells.shown(points(maximum))})" for code, name, maximum in domains),
    ]


def ranking_sheets(user: AnyUser, params: dict[str, str]) -> list[Sheet]:
    assessment = assessment_for(user, params)
    results = results_of(assessment)
    first = results.units[0].domains if results.units else []
    domains = [(d.code, d.name, d.max_points) for d in first]
    rows = (
        [
            unit.rank,
            unit.name,
            points(unit.self_total),
            points(unit.appraised_total),
            points(unit.final_total),
            unit.classification,
            *(points(d.final_points) for d in unit.domains),
        ]
        for unit in results.units
    )
    title = f"Xếp hạng — {assessment.title}"
    return [Sheet(title, ranking_columns(domains), rows)]


register(
    Exporter(
        "assessment-unit",
        lambda: _("Assessment scores of a unit"),
        unit_sheets,
        formats=("xlsx", "docx", "csv"),
        params={"unit": "assessed unit id (GET /api/assessment/assessments/{id}/units)"},
        renderers={"xlsx": unit_xlsx, "docx": unit_docx},
        file_stem=lambda params: f"assessment-unit-{params.get('unit', '')}",
    )
)
register(
    Exporter(
        "assessment-ranking",
        lambda: _("Assessment ranking"),
        ranking_sheets,
        formats=("xlsx", "docx", "csv"),
        params={"assessment": "assessment id (parindex assessment list)"},
        file_stem=lambda params: f"assessment-{params.get('assessment', '')}-ranking",
    )
)
