"""Reading produced files back: DOCX with python-docx, XLSX with openpyxl."""

from __future__ import annotations

import io
from typing import Any

from docx import Document
from openpyxl import load_workbook


def docx(content: bytes) -> Any:
    return Document(io.BytesIO(content))


def paragraphs(document: Any) -> list[Any]:
    """Every paragraph in reading order: body paragraphs and those inside tables."""
    found: list[Any] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            found.extend(p for p in document.paragraphs if p._p is child)
        elif tag == "tbl":
            table = next(t for t in document.tables if t._tbl is child)
            for row in table.rows:
                for cell in row.cells:
                    found.extend(cell.paragraphs)
    return found


def text(document: Any) -> str:
    return "\n".join(p.text for p in paragraphs(document))


def paragraph(document: Any, starting: str) -> Any:
    matches = [p for p in paragraphs(document) if p.text.startswith(starting)]
    assert matches, f"no paragraph starts with {starting!r}:\n{text(document)}"
    return matches[0]


def sheets(content: bytes) -> Any:
    return load_workbook(io.BytesIO(content))


def rows(sheet: Any) -> list[tuple[Any, ...]]:
    return list(sheet.iter_rows(values_only=True))


def records(sheet: Any) -> list[dict[str, Any]]:
    """Rows below the heading row as dictionaries keyed by column heading."""
    header, *body = rows(sheet)
    return [dict(zip(header, row, strict=True)) for row in body]
