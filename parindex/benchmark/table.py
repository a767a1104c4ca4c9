"""A year's official results table, read from XLSX, CSV or pasted text. Pure: no Django.

Columns: the province (name or code), its score, its rank, and optionally the published parts
(appraisal, SIPAS, leaders' survey, socio-economic impact, impact total). A header row names
them in Vietnamese or English ("Tỉnh, thành phố | Điểm | Xếp hạng | Điểm thẩm định | SIPAS …");
without one the columns are read in that order. Every problem names its line (or sheet row);
the caller decides whether a bad line refuses the whole table.

Provinces are matched accent-insensitively (`lib.text.fold`), with or without "Tỉnh" /
"Thành phố" / "TP.", against the provinces that existed in the table's year, by name, other
name, parindex code or official code.
"""

from __future__ import annotations

import csv
import difflib
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from parindex.lib import archives
from parindex.lib.numbers import NumberFormatError, parse_decimal
from parindex.lib.text import clean, fold

SCORE_MAX = Decimal(100)
# A results table is a sheet of 63 rows: a workbook expanding past this is not one.
MAX_EXPANDED = 20_000_000
PART_COLUMNS = ("appraisal", "sipas", "leader_survey", "socio_economic_impact", "impact")
COLUMNS = ("province", "score", "rank", *PART_COLUMNS)
_PREFIXES = ("thanh pho ", "tinh ", "tp. ", "tp.", "tp ")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")

# Folded header words → column. Checked in order: the more specific first.
_HEADERS: tuple[tuple[str, str], ...] = (
    ("tham dinh", "appraisal"),
    ("appraisal", "appraisal"),
    ("sipas", "sipas"),
    ("hai long", "sipas"),
    ("lanh dao", "leader_survey"),
    ("leader", "leader_survey"),
    ("kinh te", "socio_economic_impact"),
    ("ktxh", "socio_economic_impact"),
    ("kt-xh", "socio_economic_impact"),
    ("socio", "socio_economic_impact"),
    ("tac dong", "impact"),
    ("impact", "impact"),
    ("xep hang", "rank"),
    ("thu hang", "rank"),
    ("hang", "rank"),
    ("rank", "rank"),
    ("tinh", "province"),
    ("thanh pho", "province"),
    ("province", "province"),
    ("dia phuong", "province"),
    ("ten", "province"),
    ("name", "province"),
    ("ma", "province"),
    ("code", "province"),
    ("diem", "score"),
    ("chi so", "score"),
    ("score", "score"),
    ("par index", "score"),
    ("total", "score"),
)
_WORDS = {word: re.compile(r"(?<![a-z])" + re.escape(word) + r"(?![a-z])") for word, _c in _HEADERS}
_IGNORED_HEADERS = ("stt", "tt", "no", "#", "ghi chu", "note")


@dataclass(frozen=True)
class Line:
    where: str  # "line 4", "Kết quả, row 4"
    cells: tuple[str, ...]


@dataclass(frozen=True)
class Problem:
    where: str
    code: str  # unreadable_file, file_too_large, no_rows, no_columns, unknown_province, ...
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class KnownProvince:
    code: str
    name: str
    short_name: str
    official_code: str = ""
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class ParsedRow:
    where: str
    line: int
    province: KnownProvince
    score: Decimal
    rank: int | None
    parts: dict[str, Decimal]


@dataclass
class ParsedTable:
    rows: list[ParsedRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    # Lines with a problem: skipping bad rows leaves these out.
    bad_lines: set[str] = field(default_factory=set)


def key(text: str) -> str:
    """A province name's matching key: folded, without "Tỉnh"/"Thành phố", letters only."""
    folded = fold(text)
    for prefix in _PREFIXES:
        if folded.startswith(prefix):
            folded = folded[len(prefix) :]
            break
    return _NOT_ALNUM.sub("", folded)


def matcher(provinces: Iterable[KnownProvince]) -> Callable[[str], KnownProvince | None]:
    """A lookup of the provinces by any of their names or codes."""
    by_key: dict[str, KnownProvince] = {}
    for p in provinces:
        for text in (p.name, p.short_name, *p.aliases):
            by_key.setdefault(key(text), p)
        by_key.setdefault("code:" + p.code, p)
        if p.official_code:
            by_key.setdefault("official:" + p.official_code.lstrip("0"), p)

    def find(text: str) -> KnownProvince | None:
        wanted = clean(text)
        if wanted.isdigit():
            return by_key.get("official:" + wanted.lstrip("0"))
        return by_key.get("code:" + wanted.lower()) or by_key.get(key(wanted))

    return find


def close_names(text: str, provinces: Iterable[KnownProvince], limit: int = 3) -> list[str]:
    names = {key(p.short_name): p.short_name for p in provinces}
    return [
        names[k] for k in difflib.get_close_matches(key(text), list(names), n=limit, cutoff=0.6)
    ]


# --- reading the file ----------------------------------------------------------------------------


def read_lines(data: bytes, filename: str = "") -> tuple[list[Line], list[Problem]]:
    """The table's non-empty lines. A workbook is opened only once its archive's directory
    shows it stays within the upload limits (`lib.archives`)."""
    if archives.is_zip(data):
        return _xlsx_lines(data, filename)
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return [], [Problem("", "unreadable_file", {"name": filename})]
    if "\x00" in text:
        return [], [Problem("", "unreadable_file", {"name": filename})]
    return text_lines(text), []


def text_lines(text: str) -> list[Line]:
    raw = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    sample = "\n".join(raw[:20])
    if "\t" in sample:
        split: Callable[[str], list[str]] = lambda s: s.split("\t")  # noqa: E731
    elif "|" in sample:
        split = lambda s: s.strip().strip("|").split("|")  # noqa: E731
    elif ";" in sample:
        split = lambda s: next(csv.reader([s], delimiter=";"), [])  # noqa: E731
    else:
        split = lambda s: next(csv.reader([s]), [])  # noqa: E731
    lines = []
    for number, line in enumerate(raw, start=1):
        if not line.strip():
            continue
        cells = tuple(clean(c) for c in split(line))
        if any(cells):
            lines.append(Line(f"line {number}", cells))
    return lines


def _xlsx_lines(data: bytes, filename: str) -> tuple[list[Line], list[Problem]]:
    from openpyxl import load_workbook

    try:
        archive = archives.check_zip(data, max_expanded=MAX_EXPANDED)
        if "xl/workbook.xml" not in archive.namelist():
            return [], [Problem("", "unsupported_file", {"name": filename})]
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except archives.ArchiveRefused as refused:
        return [], [
            Problem("", "file_too_large", {"name": filename, "mb": refused.limit // 1_000_000})
        ]
    except archives.ReadTooLong:
        raise
    except Exception:
        return [], [Problem("", "unreadable_file", {"name": filename})]
    try:
        for sheet in workbook.worksheets:
            lines = []
            for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
                cells = tuple(_cell(v) for v in values)
                if any(cells):
                    lines.append(Line(f"{sheet.title}, row {number}", cells))
            if lines:
                return lines, []
    finally:
        workbook.close()
    return [], []


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value) if value != int(value) else str(int(value))
    return clean(str(value))


# --- reading the rows ----------------------------------------------------------------------------


def _header(cells: Sequence[str]) -> dict[int, str] | None:
    """Column positions when the line is a header row; None when it holds data."""
    found: dict[int, str] = {}
    for index, cell in enumerate(cells):
        folded = fold(cell)
        if not folded or folded in _IGNORED_HEADERS:
            continue
        for word, column in _HEADERS:
            if _WORDS[word].search(folded) and column not in found.values():
                found[index] = column
                break
    if "province" in found.values() and "score" in found.values():
        return found
    return None


def read_table(
    lines: Sequence[Line], provinces: Sequence[KnownProvince], *, of: int
) -> ParsedTable:
    """Rows matched to `provinces`, every number checked; problems per line."""
    table = ParsedTable()
    if not lines:
        table.problems.append(Problem("", "no_rows"))
        return table
    columns = _header(lines[0].cells)
    body = lines[1:] if columns is not None else lines
    if columns is None:
        columns = {i: name for i, name in enumerate(COLUMNS)}
        # A leading STT column of numbers 1, 2, 3 is not the province.
        if all(_is_serial(line.cells) for line in body[:5]) and body:
            columns = {i + 1: name for i, name in enumerate(COLUMNS)}
    if not body:
        table.problems.append(Problem(lines[0].where, "no_rows"))
        return table
    find = matcher(provinces)
    seen: dict[str, str] = {}
    width = max(columns) + 1
    for number, line in enumerate(body, start=1):
        problems = _read_row(line, columns, width, find, provinces, of, seen, table, number)
        if problems:
            table.problems.extend(problems)
            table.bad_lines.add(line.where)
    return table


def _is_serial(cells: Sequence[str]) -> bool:
    """A first cell 1, 2, 3 before a province's name."""
    if len(cells) < 3 or not cells[0].rstrip(".").isdigit():
        return False
    try:
        parse_decimal(cells[1])
    except (NumberFormatError, ValueError, ArithmeticError):
        return True
    return False


def _read_row(
    line: Line,
    columns: dict[int, str],
    width: int,
    find: Callable[[str], KnownProvince | None],
    provinces: Sequence[KnownProvince],
    of: int,
    seen: dict[str, str],
    table: ParsedTable,
    number: int,
) -> list[Problem]:
    where = line.where
    values = {name: (line.cells[i] if i < len(line.cells) else "") for i, name in columns.items()}
    extra = [c for i, c in enumerate(line.cells) if i >= width and c]
    problems: list[Problem] = []
    if extra:
        # The cells cannot be told apart (decimal commas in a comma-separated file): say only that.
        return [Problem(where, "extra_cells", {"cells": len(line.cells), "columns": width})]
    name = values.get("province", "")
    province = find(name) if name else None
    if not name:
        problems.append(Problem(where, "no_province"))
    elif province is None:
        problems.append(
            Problem(
                where,
                "unknown_province",
                {"name": name, "suggestions": ", ".join(close_names(name, provinces))},
            )
        )
    elif province.code in seen:
        problems.append(
            Problem(
                where,
                "duplicate_province",
                {"name": province.short_name, "first": seen[province.code]},
            )
        )
    score = _number(where, "score", values.get("score", ""), problems, required=True)
    rank_text = values.get("rank", "")
    rank: int | None = None
    if rank_text:
        rank_value = _number(where, "rank", rank_text, problems, required=True, whole=True)
        if rank_value is not None:
            if not 1 <= rank_value <= of:
                problems.append(Problem(where, "rank_range", {"value": rank_text, "of": of}))
            else:
                rank = int(rank_value)
    parts: dict[str, Decimal] = {}
    for part in PART_COLUMNS:
        value = _number(where, part, values.get(part, ""), problems, required=False)
        if value is not None:
            parts[part] = value
    if problems or province is None or score is None:
        return problems
    seen[province.code] = where
    table.rows.append(ParsedRow(where, number, province, score, rank, parts))
    return []


def _number(
    where: str,
    column: str,
    text: str,
    problems: list[Problem],
    *,
    required: bool,
    whole: bool = False,
) -> Decimal | None:
    if not text:
        if required and column == "score":
            problems.append(Problem(where, "no_score"))
        return None
    try:
        value = parse_decimal(text)
    except (NumberFormatError, ValueError, ArithmeticError):
        problems.append(Problem(where, "not_a_number", {"column": column, "value": text}))
        return None
    if not value.is_finite():
        problems.append(Problem(where, "not_a_number", {"column": column, "value": text}))
        return None
    if whole:
        if value != value.to_integral_value():
            problems.append(Problem(where, "rank_whole", {"value": text}))
            return None
        return value
    if not Decimal(0) <= value <= SCORE_MAX:
        problems.append(Problem(where, "score_range", {"column": column, "value": text}))
        return None
    if value != value.quantize(Decimal("0.01")):
        problems.append(Problem(where, "score_places", {"column": column, "value": text}))
        return None
    return value.quantize(Decimal("0.01"))
