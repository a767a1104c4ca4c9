"""Criteria tables from PDF files with a text layer (decisions are often published as PDF).

The text layer of a table usually holds each cell on a line of its own, the header repeated on
every page: `formats.cells` reads that layout, so the text goes to `table.parse_table_text`
whole. A scan without a text layer, or a damaged or encrypted file, is an error naming it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping

import pypdf

from parindex.lib import archives
from parindex.methodology.formats.table import parse_table_text
from parindex.methodology.tree import ImportResult, Severity, problem


def parse_pdf(data: bytes, meta: Mapping[str, object] | None = None) -> ImportResult:
    """Read the criteria table in a PDF's text layer."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        text = "\n".join(page.extract_text() or "" for page in reader.pages)
    except archives.ReadTooLong:
        raise  # the caller's time limit, reported as such
    except Exception as exc:  # pypdf raises many kinds on damaged or encrypted files
        detail = f"{type(exc).__name__}: {exc}"[:200]
        return ImportResult(
            None, [problem(Severity.ERROR, "unreadable_file", name="PDF", detail=detail)]
        )
    if not text.strip():
        return ImportResult(None, [problem(Severity.ERROR, "pdf_without_text")])
    return parse_table_text(text, meta)
