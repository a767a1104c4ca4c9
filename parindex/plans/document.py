"""Plan files to plain text lines: Word (.docx), web pages (.html), text, PDF with a text layer.

The parser works on text, so every reader produces the same kind of lines:

* paragraphs one per line with a blank line after each (a line break inside a paragraph is a
  plain line end, which the parser may join), and Word's automatic list numbering written
  out ("1.", "a)", "-") since that numbering is the document's structure but not its text;
* data tables (3+ columns, or a header naming a task/agency column) as rows of " | "-joined
  cells, one row per line, a cell's own line breaks folded to spaces;
* layout tables (the two-column header with issuer and motto, the signature block) cell by
  cell, each cell's paragraphs as lines with a blank line between cells.

Reading never raises: an unreadable file gives empty text and a warning.
"""

from __future__ import annotations

import importlib
import io
import re
from collections.abc import Iterator
from html.parser import HTMLParser
from typing import Any

from parindex.lib import archives
from parindex.plans.proposal import Warning, warning
from parindex.plans.quantities import fold_aligned

_TASK_HEADER = re.compile(
    r"nhiem vu|noi dung|chu tri|phoi hop|thoi gian|thoi han|stt|giai phap|chi tieu|san pham"
)


# Pages of a PDF read at most: a yearly plan has a few dozen.
MAX_PDF_PAGES = 300


def read_document(data: bytes, filename: str) -> tuple[str, list[Warning]]:
    """(text, warnings) of a file, its kind taken from the extension, else sniffed; a file
    that expands too far or takes too long to read gives a warning and no text."""
    if archives.is_zip(data):
        try:
            archives.check_zip(data)
        except archives.ArchiveRefused as refused:
            return "", [_too_large(refused)]
        except Exception:
            pass
    try:
        with archives.time_limit():
            return _read_document(data, filename)
    except archives.ReadTooLong:
        return "", [warning(1, "read_too_long", seconds=f"{archives.READ_SECONDS:g}")]


def _too_large(refused: archives.ArchiveRefused) -> Warning:
    return warning(
        1,
        "file_too_large",
        expanded=refused.expanded // 1_000_000,
        limit=refused.limit // 1_000_000,
    )


def _read_document(data: bytes, filename: str) -> tuple[str, list[Warning]]:
    name = (filename or "").lower()
    kind = name.rsplit(".", 1)[-1] if "." in name else ""
    if kind not in ("docx", "html", "htm", "xhtml", "txt", "text", "md", "pdf"):
        kind = _sniff(data)
    if kind == "docx":
        return _read_docx(data)
    if kind in ("html", "htm", "xhtml"):
        return _read_html(data)
    if kind == "pdf":
        return _read_pdf(data)
    if kind == "doc":
        return "", [warning(1, "unsupported_format", format="DOC", detail="save as .docx")]
    return _decode(data)


def _sniff(data: bytes) -> str:
    head = data[:2048].lstrip().lower()
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    if data.startswith(b"%PDF"):
        return "pdf"
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        return "doc"
    if (
        head.startswith((b"<!doctype html", b"<html", b"<?xml"))
        or b"<body" in head
        or b"<p" in head
    ):
        return "html"
    return "txt"


def _decode(data: bytes, declared: str | None = None) -> tuple[str, list[Warning]]:
    """Text from bytes: BOM, then the declared charset, UTF-8, and Windows-1258 (Vietnamese)."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), []
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace"), []
    for encoding in [e for e in (declared, "utf-8") if e]:
        try:
            return data.decode(encoding), []
        except (UnicodeDecodeError, LookupError):
            continue
    try:
        return data.decode("cp1258"), [warning(1, "decoded_as", encoding="windows-1258")]
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), [
            warning(1, "decoded_as", encoding="utf-8 (with replacements)")
        ]


# ---------------------------------------------------------------------------------------------
# DOCX


def _read_docx(data: bytes) -> tuple[str, list[Warning]]:
    try:
        from docx import Document

        document = Document(io.BytesIO(data))
    except archives.ReadTooLong:
        raise
    except Exception as exc:  # python-docx raises many kinds on a damaged or foreign file
        return "", [
            warning(
                1, "unreadable_file", format="DOCX", detail=f"{type(exc).__name__}: {exc}"[:200]
            )
        ]
    lines: list[str] = []
    numbering = _Numbering(document)
    try:
        for block in document.iter_inner_content():
            # A blank line after every paragraph: paragraph ends are real, a w:br inside a
            # paragraph is a hard line break the parser may join.
            if hasattr(block, "rows"):
                lines.extend(_docx_table(block))
            else:
                lines.append(numbering.prefix(block) + (block.text or ""))
            lines.append("")
    except Exception as exc:  # a broken part: keep what was read
        return "\n".join(lines), [
            warning(
                max(1, len(lines)),
                "unreadable_file",
                format="DOCX",
                detail=f"{type(exc).__name__}: {exc}"[:200],
            )
        ]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n"), []


def _row_cells(row: Any) -> list[Any]:
    """A row's cells, a cell merged across columns given once (later copies are None)."""
    out: list[Any] = []
    seen: set[int] = set()
    for cell in row.cells:
        key = id(cell._tc)
        out.append(None if key in seen else cell)
        seen.add(key)
    return out


def _docx_table(table: Any) -> Iterator[str]:
    rows = [_row_cells(row) for row in table.rows]
    if not rows:
        return
    first = " ".join(_fold(c.text) for c in rows[0] if c is not None)
    columns = max(len(r) for r in rows)
    data_table = (columns >= 3 and len(rows) >= 2) or bool(_TASK_HEADER.search(first))
    if data_table:
        for row in rows:
            cells = [" ".join((c.text or "").split()) if c is not None else "" for c in row]
            if any(cells):
                yield " | ".join(cells)
        return
    for row in rows:
        for cell in row:
            if cell is None:
                continue
            for paragraph in cell.paragraphs:
                yield paragraph.text or ""
            yield ""


def _fold(text: str) -> str:
    return fold_aligned(text or "")


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


class _Numbering:
    """Writes out Word's automatic numbering ("1.", "1.1.", "a)", bullets) for paragraphs."""

    def __init__(self, document: Any) -> None:
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except Exception:  # no numbering part: nothing to write out
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for an in root.findall(f"{_W}abstractNum"):
            levels: dict[int, tuple[str, str, int]] = {}
            for lvl in an.findall(f"{_W}lvl"):
                ilvl = int(lvl.get(f"{_W}ilvl", "0"))
                fmt = lvl.find(f"{_W}numFmt")
                text = lvl.find(f"{_W}lvlText")
                start = lvl.find(f"{_W}start")
                levels[ilvl] = (
                    fmt.get(f"{_W}val", "decimal") if fmt is not None else "decimal",
                    text.get(f"{_W}val", "") if text is not None else "",
                    int(start.get(f"{_W}val", "1")) if start is not None else 1,
                )
            abstract[an.get(f"{_W}abstractNumId", "")] = levels
        for num in root.findall(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is not None:
                self.levels[num.get(f"{_W}numId", "")] = abstract.get(ref.get(f"{_W}val", ""), {})

    def prefix(self, paragraph: Any) -> str:
        try:
            return self._prefix(paragraph)
        except Exception:  # odd numbering XML: the text alone is still useful
            return ""

    def _prefix(self, paragraph: Any) -> str:
        ppr = paragraph._p.pPr
        numpr = ppr.numPr if ppr is not None else None
        if numpr is None or numpr.numId is None:
            numpr = _style_numbering(paragraph.style)
        if numpr is None or numpr.numId is None:
            return ""
        num_id = str(numpr.numId.val)
        ilvl = int(numpr.ilvl.val) if numpr.ilvl is not None else 0
        levels = self.levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        counters = self.counters.setdefault(num_id, {})
        fmt, text, start = levels[ilvl]
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if fmt == "bullet":
            return "- " if ilvl == 0 else "+ "
        if fmt == "none":
            return ""

        def render(match: re.Match[str]) -> str:
            level = int(match.group(1)) - 1
            lfmt, _, lstart = levels.get(level, ("decimal", "", 1))
            return _format_number(counters.get(level, lstart), lfmt)

        rendered = re.sub(r"%([1-9])", render, text)
        return rendered + " " if rendered else ""


def _style_numbering(style: Any) -> Any:
    """The numbering a paragraph style (or a style it is based on) gives, e.g. "List Bullet"."""
    for _depth in range(10):
        if style is None:
            return None
        ppr = style.element.pPr
        if ppr is not None and ppr.numPr is not None:
            return ppr.numPr
        style = style.base_style
    return None


def _format_number(n: int, fmt: str) -> str:
    if fmt in ("lowerLetter", "upperLetter"):
        letters = "abcdefghijklmnopqrstuvwxyz"
        out = letters[(n - 1) % 26]
        return out.upper() if fmt == "upperLetter" else out
    if fmt in ("lowerRoman", "upperRoman"):
        out = _roman(n)
        return out.lower() if fmt == "lowerRoman" else out
    return str(n)


def _roman(n: int) -> str:
    out = ""
    for value, letters in (
        (1000, "M"),
        (900, "CM"),
        (500, "D"),
        (400, "CD"),
        (100, "C"),
        (90, "XC"),
        (50, "L"),
        (40, "XL"),
        (10, "X"),
        (9, "IX"),
        (5, "V"),
        (4, "IV"),
        (1, "I"),
    ):
        while n >= value:
            out += letters
            n -= value
    return out


# ---------------------------------------------------------------------------------------------
# HTML

_BLOCK_TAGS = {
    "p",
    "div",
    "br",
    "li",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "section",
    "article",
    "header",
    "footer",
    "ul",
    "ol",
    "blockquote",
    "pre",
    "hr",
    "table",
    "tr",
    "dd",
    "dt",
    "dl",
    "main",
    "nav",
    "aside",
    "form",
    "figure",
    "figcaption",
    "address",
    "center",
    "caption",
    "tbody",
    "thead",
    "tfoot",
    "title",
}
_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "head", "iframe", "object"}
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([a-zA-Z0-9_\-]+)""", re.IGNORECASE)


class _Table:
    def __init__(self) -> None:
        self.rows: list[list[list[str]]] = []  # rows → cells → lines

    def cell_lines(self) -> list[str]:
        return self.rows[-1][-1] if self.rows and self.rows[-1] else []


class _HTMLText(HTMLParser):
    """Visible text with block boundaries as line breaks, tables as " | " rows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = [""]
        self.skip = 0
        self.tables: list[_Table] = []
        self.lists: list[list[int]] = []  # [kind (0 ul, 1 ol), counter]

    # where text goes: the innermost table cell, else the document
    def _target(self) -> list[str]:
        if self.tables:
            table = self.tables[-1]
            if table.rows and table.rows[-1]:
                return table.rows[-1][-1]
            return []
        return self.lines

    def _break(self, blank: bool) -> None:
        """End the current line; a block boundary (blank=True) also leaves an empty line.

        Inside table cells every break is a plain line end (cells are rendered later).
        """
        target = self._target()
        if not target:
            return
        blank = blank and not self.tables
        if target[-1].strip():
            target.append("")
            if blank:
                target.append("")
        elif blank and len(target) >= 2 and target[-2].strip():
            target.append("")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
            return
        if self.skip:
            return
        if tag == "table":
            self._break(True)
            self.tables.append(_Table())
            return
        if self.tables:
            table = self.tables[-1]
            if tag == "tr":
                table.rows.append([])
                return
            if tag in ("td", "th"):
                if not table.rows:
                    table.rows.append([])
                table.rows[-1].append([""])
                return
        if tag in ("ul", "ol"):
            self.lists.append([1 if tag == "ol" else 0, 0])
        if tag in _BLOCK_TAGS:
            self._break(tag != "br")
        if tag == "li":
            marker = "- "
            if self.lists:
                kind = self.lists[-1]
                kind[1] += 1
                marker = (
                    f"{kind[1]}. " if kind[0] == 1 else ("- " if len(self.lists) == 1 else "+ ")
                )
            target = self._target()
            if target:
                target[-1] += marker

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
            return
        if self.skip:
            return
        if tag == "table" and self.tables:
            table = self.tables.pop()
            out = self._render(table)
            target = self._target()
            for line in out:
                target.append(line)
            target.append("")
            return
        if tag in ("ul", "ol") and self.lists:
            self.lists.pop()
        if tag in _BLOCK_TAGS and tag not in ("tr", "br"):
            self._break(True)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        target = self._target()
        if not target:
            return
        text = re.sub(r"[ \t\r\n\f]+", " ", data)
        if not target[-1] and not text.strip():
            return
        target[-1] += text

    @staticmethod
    def _render(table: _Table) -> list[str]:
        rows = [[[ln.strip() for ln in cell if ln.strip()] for cell in row] for row in table.rows]
        rows = [row for row in rows if any(row)]
        if not rows:
            return []
        columns = max(len(r) for r in rows)
        first = " ".join(" ".join(cell) for cell in rows[0])
        data_table = (columns >= 3 and len(rows) >= 2) or bool(_TASK_HEADER.search(_fold(first)))
        if data_table:
            return [" | ".join(" ".join(cell) for cell in row) for row in rows]
        out: list[str] = []
        for row in rows:
            for cell in row:
                out.extend(cell)
                out.append("")
        return out


def _read_html(data: bytes) -> tuple[str, list[Warning]]:
    m = _CHARSET.search(data[:4096])
    text, warnings = _decode(data, m.group(1).decode("ascii", "replace") if m else None)
    parser = _HTMLText()
    try:
        parser.feed(text)
        parser.close()
    except Exception as exc:  # html.parser is lenient; this is belt and braces
        warnings.append(
            warning(
                1, "unreadable_file", format="HTML", detail=f"{type(exc).__name__}: {exc}"[:200]
            )
        )
    while parser.tables:  # unclosed tables at the end of a damaged page
        table = parser.tables.pop()
        target = parser._target()
        target.extend(_HTMLText._render(table))
    text = "\n".join(line.strip() for line in parser.lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n"), warnings


# ---------------------------------------------------------------------------------------------
# PDF


def _read_pdf(data: bytes) -> tuple[str, list[Warning]]:
    """PDF through pypdf when it is installed; otherwise a clear warning, never a crash."""
    try:
        pypdf = importlib.import_module("pypdf")
    except ImportError:
        return "", [warning(1, "pdf_needs_text_layer", detail="PDF needs a text layer reader")]
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        pages = [page.extract_text() or "" for page in list(reader.pages)[:MAX_PDF_PAGES]]
    except archives.ReadTooLong:
        raise
    except Exception as exc:  # damaged or encrypted PDF
        return "", [
            warning(1, "unreadable_file", format="PDF", detail=f"{type(exc).__name__}: {exc}"[:200])
        ]
    text = "\n".join(pages)
    if not text.strip():
        return "", [warning(1, "pdf_needs_text_layer", detail="the PDF has no text layer (a scan)")]
    return text, []
