"""The criteria table as decisions print it, from pasted text (and, via `read_rows`, XLSX/DOCX).

    STT   | Lĩnh vực/Tiêu chí/Tiêu chí thành phần | Điểm tối đa | ...further columns ignored
    1     | CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC       | 20
    1.1.1 | Ban hành kế hoạch CCHC năm             | 1
            Ban hành kịp thời: 1                      ← a band of the row above
            Ban hành không kịp thời: 0,5

One interpreter, `read_rows`, reads rows of cells whatever file they came from:

- The header is the row with an "STT" (or "TT") cell and a cell mentioning "điểm"; it places
  the columns. Without one, the columns are STT | name | max points. The columns this project's
  XLSX export adds (Phương pháp, Cách tính điểm, Đơn vị, Ghi chú, Từ, Từ (gồm), Đến, Đến (gồm))
  are read when present.
- STT "1", "1.2", "1.2.3" is the code; Roman "I", "II" number domains, and once they are used, an
  Arabic "1" under domain II is criterion 2.1 (unless the first one under it is already "2.x");
  "a)", "b)" are sub-items numbered after the criterion above (1.2 → 1.2.1, 1.2.2).
- A row with an empty STT, a name and a number of points is a band of the row above; so is a
  lone "label: points" cell or line, and any "label: points" line inside a multi-line name cell.
- A row written between bars ("|    |rest of the name |    |") with an empty STT, no points
  and a name that is not a band line is the rest of a cell wrapped from the row (or band) above,
  as `.doc`-to-text converters draw tables.
- Text laid out one cell per line is put back into rows first (`formats.cells`).
  A line like "Điểm = tỷ lệ % × điểm tối đa" makes the row above proportional.
- Anything else (a URL, a comment, page clutter, "1.3 [chunk ends]") is skipped with a warning
  naming its line. A table row whose points do not read as a number is an error.

Metadata (name, code, level, declared total, decision) comes from the caller in `meta`; the
total is never guessed from the rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from parindex.lib.text import clean, fold
from parindex.methodology.bands import is_proportional_line, parse_band_line, parse_points
from parindex.methodology.formats.cells import cell_rows
from parindex.methodology.formats.common import parse_choice, spec_from_meta, text_block, truncate
from parindex.methodology.tree import (
    BandSpec,
    ImportResult,
    Method,
    NodeSpec,
    Problem,
    Scoring,
    Severity,
    Unit,
    problem,
)
from parindex.methodology.validation import normalise, validate


@dataclass
class Row:
    """One table row: its line (or row) number in the source, 1-based, and its cells as text."""

    line: int
    cells: list[str]
    # Written between bars ("|1.1 |Name |1 |"): text converters that wrap a long cell over
    # several such lines leave the STT and points cells of the lines after the first empty.
    bordered: bool = False


@dataclass
class Columns:
    """Where a table keeps each thing (0-based cell indexes); None: the table has no such column."""

    stt: int = 0
    name: int = 1
    max: int = 2
    method: int | None = None
    scoring: int | None = None
    unit: int | None = None
    note: int | None = None
    lower: int | None = None
    lower_inclusive: int | None = None
    upper: int | None = None
    upper_inclusive: int | None = None


# Headers of the optional columns, folded, as the XLSX export writes them.
_OPTIONAL_HEADERS = {
    "phuong phap": "method",
    "cach tinh diem": "scoring",
    "don vi": "unit",
    "ghi chu": "note",
    "tu": "lower",
    "tu (gom)": "lower_inclusive",
    "den": "upper",
    "den (gom)": "upper_inclusive",
}
_STT_HEADERS = {"stt", "tt", "so tt", "so thu tu"}
_NAME_HEADERS = ("linh vuc", "tieu chi", "noi dung", "chi so", "ten")
_TOTAL_ROWS = {"tong", "tong cong", "tong so", "cong", "tong diem", "tong so diem"}
_YES = {"x", "co", "gom", "true", "1", "yes", "dung"}

_ARABIC = re.compile(r"^([0-9]+(?:\.[0-9]+)*)\.?$")
_ROMAN = re.compile(r"^([IVXLC]+)\.?$")
_LETTER = re.compile(r"^([a-zđ])\s*[).]$")
_ROMAN_VALUES = {"I": 1, "V": 5, "X": 10, "L": 50, "C": 100}


def header_columns(cells: list[str]) -> Columns | None:
    """The columns named by a header row, or None when the row is not a header."""
    folded = [fold(c) for c in cells]
    stt = next((i for i, c in enumerate(folded) if c in _STT_HEADERS), None)
    if stt is None or not any("diem" in c for c in folded):
        return None
    points = next((i for i, c in enumerate(folded) if "diem toi da" in c), None)
    if points is None:
        points = next(i for i, c in enumerate(folded) if "diem" in c)
    name = next(
        (
            i
            for i, c in enumerate(folded)
            if i not in (stt, points) and any(word in c for word in _NAME_HEADERS)
        ),
        stt + 1,
    )
    columns = Columns(stt=stt, name=name, max=points)
    for i, c in enumerate(folded):
        attribute = _OPTIONAL_HEADERS.get(c)
        if attribute is not None and i not in (stt, name, points):
            setattr(columns, attribute, i)
    return columns


def _roman(text: str) -> int | None:
    total, previous = 0, 0
    for char in reversed(text):
        value = _ROMAN_VALUES[char]
        total += -value if value < previous else value
        previous = max(previous, value)
    return total if total > 0 else None


@dataclass
class _Interpreter:
    meta: Mapping[str, object]
    columns: Columns = field(default_factory=Columns)
    nodes: list[NodeSpec] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    scored_by_column: set[str] = field(default_factory=set)
    without_max: set[str] = field(default_factory=set)  # already reported; spare the echoes
    domain: int | None = None  # the current Roman-numbered domain
    relative: bool | None = None  # Arabic codes under it are relative to it
    letter_parent: str | None = None
    letters: int = 0
    last: NodeSpec | BandSpec | Columns | None = None  # what a wrapped bordered line goes on

    def skip(self, row: Row, text: str) -> None:
        self.problems.append(
            problem(Severity.WARNING, "skipped_line", line=row.line, text=truncate(text))
        )

    def cell(self, cells: list[str], index: int | None) -> str:
        return cells[index] if index is not None and index < len(cells) else ""

    def read(self, row: Row) -> None:
        cells = [text_block(c) for c in row.cells]
        filled = [c for c in cells if c]
        if not filled:
            return
        columns = header_columns(cells)
        if columns is not None:
            self.columns = self.last = columns
            return
        stt = self.cell(cells, self.columns.stt)
        name = self.cell(cells, self.columns.name)
        points = self.cell(cells, self.columns.max)
        last, self.last = self.last, None
        if stt and name and (code := self.code(stt)) is not None:
            self.node_row(row, cells, code, name, points)
        elif not stt and name and fold(name) in _TOTAL_ROWS:
            self.skip(row, " | ".join(filled))
        elif not stt and name and points and parse_points(points) is not None:
            self.band_row(row, cells, name, points)
        elif row.bordered and not stt and name and last is not None and self.wraps(name):
            self.last = last
            if isinstance(last, NodeSpec):
                last.name = clean(f"{last.name} {name}")
            elif isinstance(last, BandSpec):
                last.label = clean(f"{last.label} {name}")
        elif len(filled) == 1:
            self.free_text(row, filled[0])
        else:
            self.skip(row, " | ".join(filled))

    def wraps(self, text: str) -> bool:
        """Can this text be the rest of a cell wrapped from the line above?"""
        return "\n" not in text and parse_band_line(text) is None and not is_proportional_line(text)

    def code(self, stt: str) -> str | None:
        """The dotted code an STT cell stands for, or None when it is not one."""
        if match := _ARABIC.match(stt):
            parts = [str(int(part)) for part in match.group(1).split(".")]
            self.letter_parent, self.letters = ".".join(parts), 0
            if self.domain is None:
                return self.letter_parent
            if self.relative is None:
                self.relative = not (len(parts) > 1 and parts[0] == str(self.domain))
            if self.relative:
                self.letter_parent = f"{self.domain}.{self.letter_parent}"
            return self.letter_parent
        if match := _ROMAN.match(stt):
            value = _roman(match.group(1))
            if value is None:
                return None
            self.domain, self.relative = value, None
            self.letter_parent, self.letters = str(value), 0
            return self.letter_parent
        if (match := _LETTER.match(stt.lower())) and self.letter_parent is not None:
            self.letters += 1
            return f"{self.letter_parent}.{self.letters}"
        return None

    def node_row(self, row: Row, cells: list[str], code: str, name: str, points: str) -> None:
        lines = name.split("\n")
        name_lines: list[str] = []
        rest: list[str] = []
        for line in lines:
            starts_bands = parse_band_line(line) is not None or is_proportional_line(line)
            if rest or (name_lines and starts_bands):
                rest.append(line)
            else:
                name_lines.append(line)
        max_points = parse_points(points) if points else None
        if not points:
            self.problems.append(
                problem(Severity.ERROR, "missing_field", code, row.line, field="max_points")
            )
        elif max_points is None:
            self.problems.append(
                problem(Severity.ERROR, "bad_points", code, row.line, value=truncate(points))
            )
        if max_points is None:
            self.without_max.add(code)
        node = NodeSpec(
            code=code,
            name=clean(" ".join(name_lines)),
            max_points=max_points if max_points is not None else Decimal(0),
            note=self.cell(cells, self.columns.note),
            line=row.line,
        )
        if is_proportional_line(node.name):
            node.scoring = Scoring.PROPORTIONAL
        self.choices(node, cells, row)
        self.nodes.append(node)
        self.last = None if rest else node
        for line in rest:
            self.text_line(row, line)

    def choices(self, node: NodeSpec, cells: list[str], row: Row) -> None:
        for attribute, kind in (("method", Method), ("scoring", Scoring), ("unit", Unit)):
            written = self.cell(cells, getattr(self.columns, attribute))
            if not written:
                continue
            choice = parse_choice(kind, written)
            if choice is None:
                self.problems.append(
                    problem(
                        Severity.ERROR,
                        "bad_value",
                        node.code,
                        row.line,
                        field=attribute,
                        value=truncate(written),
                    )
                )
                continue
            setattr(node, attribute, choice)
            if attribute == "scoring":
                self.scored_by_column.add(node.code)

    def band_row(self, row: Row, cells: list[str], label: str, points: str) -> None:
        value = parse_points(points)
        if not self.nodes or value is None:
            self.skip(row, " | ".join(c for c in cells if c))
            return
        band = BandSpec(label=clean(label), points=value)
        for side in ("lower", "upper"):
            bound_text = self.cell(cells, getattr(self.columns, side))
            if not bound_text:
                continue
            bound = parse_points(bound_text)
            if bound is None:
                self.problems.append(
                    problem(
                        Severity.ERROR,
                        "bad_value",
                        self.nodes[-1].code,
                        row.line,
                        field=side,
                        value=truncate(bound_text),
                    )
                )
                continue
            inclusive = self.cell(cells, getattr(self.columns, side + "_inclusive"))
            setattr(band, side, bound)
            setattr(band, side + "_inclusive", not inclusive or fold(inclusive) in _YES)
        self.nodes[-1].bands.append(band)
        self.last = band

    def free_text(self, row: Row, text: str) -> None:
        for line in text.split("\n"):
            self.text_line(row, line)

    def text_line(self, row: Row, line: str) -> None:
        if not line.strip():
            return
        band = None if line.lstrip().startswith("#") else parse_band_line(line)
        if band is not None and self.nodes:
            self.nodes[-1].bands.append(band)
        elif self.nodes and is_proportional_line(line):
            node = self.nodes[-1]
            if node.code not in self.scored_by_column:
                node.scoring = Scoring.PROPORTIONAL
            node.note = "\n".join(part for part in (node.note, clean(line)) if part)
        else:
            self.skip(row, line)

    def result(self) -> ImportResult:
        spec, meta_problems = spec_from_meta(self.meta)
        spec.nodes = self.nodes
        problems = meta_problems + self.problems
        if not self.nodes:
            problems.append(problem(Severity.ERROR, "no_table"))
        spec = normalise(spec)
        findings = [p for p in validate(spec) if p.where not in self.without_max]
        return ImportResult(spec, problems + findings)


def read_rows(rows: Iterable[Row], meta: Mapping[str, object] | None = None) -> ImportResult:
    """Interpret table rows (see the module docstring), then validate the tree."""
    interpreter = _Interpreter(meta or {})
    for row in rows:
        interpreter.read(row)
    return interpreter.result()


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _header_places(cells: list[str]) -> tuple[int, int, int] | None:
    columns = header_columns(cells)
    return None if columns is None else (columns.stt, columns.name, columns.max)


def parse_table_text(text: str, meta: Mapping[str, object] | None = None) -> ImportResult:
    """Read a pasted table: cells split by "|" or tabs, one row per line.

    A line without separators (indented or not) is a single cell: a band "label: points", a
    proportional-scoring line, or text to skip. Comment lines ("# ...") are never split.

    Text laid out one cell per line (see `formats.cells`) is also read that way, and the
    reading that finds more of the tree (more rows, then fewer errors) is the one returned.
    """
    lines = _LINE_BREAK.split(text.removeprefix("\ufeff"))
    by_line = read_rows(_line_rows(lines), meta)
    laid_out = cell_rows(lines, _header_places)
    if laid_out is None:
        return by_line
    by_cell = read_rows((Row(number, cells) for number, cells in laid_out), meta)
    return by_cell if _reads_more(by_cell, by_line) else by_line


def _reads_more(one: ImportResult, other: ImportResult) -> bool:
    def found(result: ImportResult) -> tuple[int, int]:
        return (len(result.spec.nodes) if result.spec else 0, -len(result.errors))

    return found(one) > found(other)


def _line_rows(lines: list[str]) -> list[Row]:
    rows = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        if line.lstrip().startswith("#"):
            cells = [line.strip()]
        elif "|" in line:
            body = line.strip()
            bordered = len(body) > 1 and body.startswith("|") and body.endswith("|")
            if bordered:
                line = body[1:-1]  # a Markdown table row, or a text converter's
            rows.append(Row(number, line.split("|"), bordered=bordered))
            continue
        elif "\t" in line:
            cells = line.split("\t")
        else:
            cells = [line.strip()]
        rows.append(Row(number, cells))
    return rows
