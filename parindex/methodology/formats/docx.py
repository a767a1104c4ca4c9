"""Criteria tables from Word documents: the decisions are usually published as DOCX.

Every table's rows go, in document order, through `formats.table.read_rows`; a row's "line" is
its position among all table rows (1-based). A cell merged across columns or down rows is read
once, where it starts, so a merged STT does not repeat on the band rows below it. A document
without tables is read as pasted text from its paragraphs.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator, Mapping
from typing import Any

from docx import Document
from docx.opc.exceptions import PackageNotFoundError

from parindex.methodology.formats.table import Row, parse_table_text, read_rows
from parindex.methodology.tree import ImportResult, Severity, problem


def _table_rows(table: Any) -> Iterator[list[str]]:
    above: list[Any] = []
    for row in table.rows:
        cells = list(row.cells)
        # Keep the cells in their grid columns when a row starts late.
        texts = [""] * (row.grid_cols_before or 0)
        elements = [None] * len(texts)
        for i, cell in enumerate(cells):
            element = cell._tc
            column = len(texts)
            repeated = (i > 0 and element is cells[i - 1]._tc) or (
                column < len(above) and element is above[column]
            )
            texts.append("" if repeated else cell.text)
            elements.append(element)
        above = elements
        yield texts


def parse_docx(data: bytes, meta: Mapping[str, object] | None = None) -> ImportResult:
    """Read the criteria table of a Word document (see `formats.table` for the rows)."""
    try:
        document = Document(io.BytesIO(data))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        return ImportResult(
            None, [problem(Severity.ERROR, "unreadable_file", name="DOCX", detail=str(exc))]
        )
    rows: list[Row] = []
    for table in document.tables:
        for cells in _table_rows(table):
            rows.append(Row(len(rows) + 1, cells))
    if not rows:
        return parse_table_text("\n".join(p.text for p in document.paragraphs), meta)
    return read_rows(rows, meta)
