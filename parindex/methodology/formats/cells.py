"""Criteria tables copied cell by cell: each cell on its own line, lone "|" lines between cells.

Tables copied from legal-document websites (thuvienphapluat.vn and the like), and the plain text
that Word-to-text and PDF readers make of a table, come out like this:

    STT
    |
    Lĩnh vực/Tiêu
    chí/Tiêu chí thành phần
    |
    Điểm tối đa
    1
    |
    CÔNG TÁC CHỈ ĐẠO, ĐIỀU HÀNH CCHC
    |
    20
    ...

`cell_rows` puts the rows back together for `table.read_rows`, or says None when the text is not
laid out this way. It is one pass over the lines with a look-ahead of a line or two (and at most
`_HEADER_SPAN` lines to read a header), so its time grows with the length of the text alone.

- A line of nothing but "|" ends a cell ("| |" ends two, the one between them empty). The lines
  of one cell stay together: a wrapped name, several band lines.
- A header starts with "STT" (or "TT") on a line of its own and runs to the first row: a number
  followed by a name. Its cells, each line joined to the next, place the columns as the clean
  layout's header does and say how many cells a row has; a column-number row ("1 | 2 | 3" or
  "(1) | (2)") under it is dropped. A header repeated at the top of a later page is dropped,
  and a row it interrupts goes on after it.
- Nothing separates one row from the next, so a row ends when it has as many cells as the
  header, or when a line reads as the start of another: a number ("1.2", "II", "a)") followed
  by a name, once the row has reached its points; or, past the points, a label followed by
  points: an unnumbered band row (label in the name column, points in the points column). A
  band row whose number cell the page merged down from the row above simply starts with its
  label. Rows written between bars ("| 1 | name | 2 |") read the same.
- An unnumbered row listing several labels, one a line, beside as many lines of points is as
  many band rows.
- Without "|" lines (the header found over lines of its own, then one cell per line), a row is
  its number, the name's lines up to a line of points, and those points; under it a label
  (over one line or more) followed by a line of points is a band.
- Page numbers ("Trang 3", "- 3 -", "3/12") and blank lines are dropped. Any other line that is
  not part of a row is handed on alone, for the table reader to read as a band line or skip
  with a warning naming it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from parindex.lib.text import clean, fold
from parindex.methodology.bands import parse_band_line, parse_points

# Where a header row keeps (STT, name, points), or None when the cells are not a header.
HeaderReader = Callable[[list[str]], tuple[int, int, int] | None]
# A rebuilt row: the line it starts on (1-based) and its cells.
LaidOutRow = tuple[int, list[str]]

_SEPARATOR = re.compile(r"\|(?:\s*\|)*")
_CODE = re.compile(r"(?:[0-9]{1,3}(?:\.[0-9]{1,3})*\.?|[IVXLC]{1,7}\.?|[a-zA-ZđĐ]\s?[).])")
_PAGE = re.compile(
    r"(?:(?:trang|page)\s*[0-9]+(?:\s*/\s*[0-9]+)?|[-–—]\s*[0-9]+\s*[-–—]|[0-9]+/[0-9]+)"
)
_COLUMN_NUMBER = re.compile(r"\(\s*[0-9]{1,2}\s*\)")
_STT = {"stt", "tt", "so tt", "so thu tu"}
# Codes, points and header words are short; a longer line is only ever text.
_SHORT = 60
# A header is at most this many lines, "|" lines included.
_HEADER_SPAN = 80


@dataclass(frozen=True, slots=True)
class _Line:
    number: int  # 1-based, in the text as given
    text: str  # cleaned; "" for a separator line
    separators: int = 0  # the "|" of a separator line
    code: bool = False  # "1.2", "II", "a)"
    points: bool = False  # "2", "0,5", "1 điểm"
    stt: bool = False  # "STT" alone: a header may start here
    lower: bool = False  # starts with a lower-case letter: a wrapped header cell goes on


def read_line(number: int, raw: str) -> _Line | None:
    """What one line is; None for a blank line or a page number."""
    text = clean(raw)
    if not text:
        return None
    if _SEPARATOR.fullmatch(text):
        return _Line(number, "", separators=text.count("|"))
    if len(text) > _SHORT:
        return _Line(number, text)
    folded = fold(text)
    if _PAGE.fullmatch(folded):
        return None
    return _Line(
        number,
        text,
        code=_CODE.fullmatch(text) is not None,
        points=parse_points(text) is not None,
        stt=folded in _STT,
        lower=text[0].islower(),
    )


@dataclass(frozen=True, slots=True)
class _Header:
    end: int  # index of the first line after it
    cells: list[str]
    places: tuple[int, int, int]  # STT, name, points


class _Layout:
    def __init__(self, lines: list[_Line], header: HeaderReader) -> None:
        self.lines = lines
        self.header = header
        self.out: list[LaidOutRow] = []
        self.row: list[list[_Line]] | None = None
        self.row_line = 0  # the row's first line; 0 while it has no text
        self.col = 0
        self.fresh = True  # the next line starts a cell
        self.stt, self.name, self.max = 0, 1, 2
        self.width: int | None = None  # cells in a row, when a header says
        self.header_lines: list[tuple[str, int]] = []  # the header as first read

    def repeated_header(self, start: int) -> int:
        """How many lines from `start` repeat the header (at the top of a page), else 0."""
        count = len(self.header_lines)
        window = self.lines[start : start + count]
        if count and [(line.text, line.separators) for line in window] == self.header_lines:
            return count
        return 0

    # -- looking ahead ---------------------------------------------------------------------

    def _after_separator(self, i: int) -> _Line | None:
        """The line after line i and one "|" line, if line i is followed by exactly that."""
        if i + 2 < len(self.lines) and self.lines[i + 1].separators == 1:
            return self.lines[i + 2]
        return None

    def _is_name(self, line: _Line | None) -> bool:
        return (
            line is not None
            and not line.separators
            and not line.points
            and not line.code
            and not line.stt
        )

    def name_follows(self, i: int, separated: bool) -> bool:
        if separated:
            return self._is_name(self._after_separator(i))
        return i + 1 < len(self.lines) and self._is_name(self.lines[i + 1])

    def points_follow(self, i: int) -> bool:
        after = self._after_separator(i)
        return after is not None and after.points

    def header_at(self, start: int, separated: bool) -> _Header | None:
        """The header starting at line `start` ("STT"), or None when none starts there."""
        by_bars: list[list[str]] = [[]]
        by_lines: list[list[str]] = []
        bars = numbering = False
        for i in range(start, min(len(self.lines), start + _HEADER_SPAN)):
            line = self.lines[i]
            if line.separators:
                bars = True
                if not numbering:
                    by_bars.extend([] for _ in range(line.separators))
                continue
            if i > start and line.code and self.name_follows(i, separated):
                return self._header(i, by_bars if bars else by_lines, bars)
            if line.points or _COLUMN_NUMBER.fullmatch(line.text):
                numbering = True
            elif not numbering:
                by_bars[-1].append(line.text)
                if by_lines and (line.lower or by_lines[-1][-1][-1] in "/-"):
                    by_lines[-1].append(line.text)  # a wrapped cell goes on
                else:
                    by_lines.append([line.text])
        return None

    def _header(self, end: int, cells: list[list[str]], bars: bool) -> _Header | None:
        joined = [clean(" ".join(cell)).replace("/ ", "/") for cell in cells]
        places = self.header(joined)
        if places is None:
            return None
        if not bars:
            # Cells guessed from lines only say this is a header: rows are then read as
            # STT | name | points, and without a count of cells.
            return _Header(end, [], (0, 1, 2))
        return _Header(end, joined, places)

    # -- rows ------------------------------------------------------------------------------

    def begin(self, col: int = 0) -> None:
        self.flush()
        self.row, self.row_line, self.col, self.fresh = [], 0, col, True

    def flush(self) -> None:
        row, self.row = self.row, None
        if row is None or not any(row):
            return
        stt, names, points = (row[c] if c < len(row) else [] for c in self.places())
        listed = not stt and len(points) > 1 and len(names) == len(points)
        if listed and all(value.points for value in points):
            # Several bands in one unnumbered row: labels line by line, points beside them.
            for label, value in zip(names, points, strict=True):
                cells = [""] * (max(self.places()) + 1)
                cells[self.name], cells[self.max] = label.text, value.text
                self.out.append((label.number, cells))
            return
        self.out.append((self.row_line, ["\n".join(line.text for line in cell) for cell in row]))

    def places(self) -> tuple[int, int, int]:
        return self.stt, self.name, self.max

    def add(self, line: _Line) -> None:
        assert self.row is not None
        while len(self.row) <= self.col:
            self.row.append([])
        self.row[self.col].append(line)
        self.row_line = self.row_line or line.number
        self.fresh = False

    def alone(self, line: _Line) -> None:
        self.flush()
        self.out.append((line.number, [line.text]))

    def use_header(self, found: _Header, start: int) -> None:
        self.header_lines = [(line.text, line.separators) for line in self.lines[start : found.end]]
        self.flush()
        line = self.lines[start]
        if found.cells:
            self.out.append((line.number, found.cells))
            self.width = len(found.cells)
        self.stt, self.name, self.max = found.places

    def separator(self) -> None:
        if self.row is None:
            self.begin()  # the row starts with an empty cell
        self.col += 1
        self.fresh = True
        if self.width is not None and self.col >= self.width:
            # One "|" too many for this row: it ends the next row's empty first cell.
            self.begin(1)

    def text(self, i: int) -> None:
        line = self.lines[i]
        if self.row is None:
            if line.code and self.name_follows(i, separated=True):
                self.begin()
            elif self._after_separator(i) is not None:
                self.begin(self.name)  # a row without its number cell (merged from above)
            else:
                self.alone(line)
                return
            self.add(line)
            return
        if self.fresh and not self.row_line and line.code and self.name_follows(i, True):
            self.col = self.stt  # a row written between bars, "| 1 | name | 2 |"
        cell = self.row[self.col] if self.col < len(self.row) else []
        past_max = self.col > self.max
        row_starts = line.code and self.name_follows(i, separated=True)
        band_starts = past_max and not line.points and self.points_follow(i)
        if self.fresh:
            # A header's count places the cells; without one, or in the last cell (which shares
            # its lines with the next row's number), what a line says decides.
            counted = self.width is not None and self.col < self.width - 1
            if past_max and row_starts and not counted:
                self.begin()
            elif band_starts:
                self.begin(self.name)
        elif self.col >= self.max and row_starts:
            self.begin()
        elif band_starts:
            self.begin(self.name)
        elif self.col == self.max and cell[-1].points and not line.points:
            self.alone(line)  # after a row's points, without a separator: not part of the row
            return
        self.add(line)

    def separated(self, start: int) -> None:
        i = start
        while i < len(self.lines):
            line = self.lines[i]
            if line.stt and (repeated := self.repeated_header(i)):
                i += repeated  # a row the page break interrupts goes on after it
                continue
            if line.stt and (found := self.header_at(i, separated=True)) is not None:
                self.use_header(found, i)
                i = found.end
                continue
            if line.separators:
                for _ in range(line.separators):
                    self.separator()
            else:
                self.text(i)
            i += 1
        self.flush()

    def one_per_line(self, start: int) -> None:
        """Cells one per line without separators: number, name lines, points, then bands."""
        name: list[_Line] = []
        pending: list[_Line] = []
        under_row = False

        def settle() -> None:
            nonlocal name
            if name:  # a row whose points never came
                self.out.append(
                    (name[0].number, [name[0].text, "\n".join(n.text for n in name[1:])])
                )
            name = []
            for left in pending:
                self.out.append((left.number, [left.text]))
            pending.clear()

        i = start
        while i < len(self.lines):
            line = self.lines[i]
            i += 1
            if line.separators:
                continue
            if line.stt and (repeated := self.repeated_header(i - 1)):
                i += repeated - 1  # a row the page break interrupts goes on after it
                continue
            if line.points and pending and not name:
                label = "\n".join(p.text for p in pending)
                self.out.append((pending[0].number, ["", label, line.text]))
                pending.clear()
            elif name and line.points and len(name) > 1:
                # The row's points; a number after a name is never the next row's number.
                cells = [name[0].text, "\n".join(n.text for n in name[1:]), line.text]
                self.out.append((name[0].number, cells))
                name = []
            elif line.code and self.name_follows(i - 1, separated=False):
                settle()
                name, under_row = [line], True
            elif name:
                name.append(line)
            elif under_row and (pending or parse_band_line(line.text) is None):
                pending.append(line)  # a band's label, until its points come
            else:
                self.out.append((line.number, [line.text]))
        settle()


def cell_rows(text_lines: Sequence[str], header: HeaderReader) -> list[LaidOutRow] | None:
    """The rows of a table laid out one cell per line, or None when the text is not so laid out.

    `header` reads a header row's cells (see `table.header_columns`).
    """
    lines = [line for n, raw in enumerate(text_lines, 1) if (line := read_line(n, raw))]
    separators = sum(1 for line in lines if line.separators)
    layout = _Layout(lines, header)
    if separators >= 2:
        layout.separated(0)
        return layout.out
    for first, line in enumerate(lines):
        if line.stt and (found := layout.header_at(first, separated=False)) is not None:
            for before in lines[:first]:
                layout.out.append((before.number, [before.text]))
            layout.use_header(found, first)
            layout.one_per_line(found.end)
            return layout.out
    return None
