"""Pick the reader for an uploaded or pasted criteria tree by its content, not only its name."""

from __future__ import annotations

import zipfile

from parindex.lib import archives
from parindex.methodology.formats.docx import parse_docx
from parindex.methodology.formats.pdf import parse_pdf
from parindex.methodology.formats.table import parse_table_text
from parindex.methodology.formats.xlsx import parse_xlsx
from parindex.methodology.formats.yaml_format import load_yaml
from parindex.methodology.tree import ImportResult, Severity, problem


def read_tree(data: bytes, filename: str = "") -> ImportResult:
    """Read YAML, XLSX, DOCX, PDF or table text; anything else gets an error naming the file.
    A workbook or document that expands too far, or takes too long to read, is refused."""
    try:
        with archives.time_limit():
            return _read_tree(data, filename)
    except archives.ReadTooLong:
        return ImportResult(
            None,
            [
                problem(
                    Severity.ERROR,
                    "read_too_long",
                    name=filename,
                    seconds=f"{archives.READ_SECONDS:g}",
                )
            ],
        )


def _read_tree(data: bytes, filename: str) -> ImportResult:
    name = filename.lower()
    if data[:5] == b"%PDF-":
        return parse_pdf(data)
    if archives.is_zip(data):
        try:
            members = set(archives.check_zip(data).namelist())
        except archives.ArchiveRefused as refused:
            return ImportResult(
                None,
                [
                    problem(
                        Severity.ERROR,
                        "file_too_large",
                        name=filename,
                        expanded=refused.expanded // 1_000_000,
                        limit=refused.limit // 1_000_000,
                    )
                ],
            )
        except zipfile.BadZipFile:
            return ImportResult(None, [problem(Severity.ERROR, "unreadable_file", name=filename)])
        if "word/document.xml" in members:
            return parse_docx(data)
        if "xl/workbook.xml" in members:
            return parse_xlsx(data)
        return ImportResult(None, [problem(Severity.ERROR, "unsupported_file", name=filename)])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            return ImportResult(None, [problem(Severity.ERROR, "unreadable_file", name=filename)])
    if name.endswith((".yaml", ".yml")) or text.lstrip().startswith(
        ("format: parindex-criteria", "---")
    ):
        return load_yaml(text)
    return parse_table_text(text)
