"""Responses in the flat layout, read from CSV or XLSX and checked row by row. Pure: no Django.

One row per response: `agency` (the organisation's code), `submitted_at`, optionally
`dossier_code`, and one column per question code, a blank cell meaning not answered. Every
bad row is reported with its row number (the header is row 1) and its reason; the caller
decides whether one bad row refuses the file.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from parindex.lib import archives
from parindex.lib.text import clean
from parindex.surveys.questions import (
    QuestionnaireSpec,
    QuestionSpec,
    Refusal,
    Value,
    check_answer,
    is_shown,
)

FIXED = ("agency", "submitted_at", "dossier_code")
REQUIRED = ("agency", "submitted_at")
DOSSIER_MAX = 64
# A quarter of a province's one-stop desks answers in tens of thousands, not millions.
MAX_ROWS = 200_000
MAX_EXPANDED = 60_000_000
_DATE_TIME = re.compile(
    r"^(?:(\d{4})-(\d{1,2})-(\d{1,2})|(\d{1,2})/(\d{1,2})/(\d{4}))"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$"
)
# The province's time: a moment given with its offset (ODK writes 2020-04-15T09:30:00.000+07:00)
# is read as the time it was there.
LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


@dataclass(frozen=True)
class Problem:
    row: int  # 0: the file as a whole
    code: str
    params: dict[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Row:
    row: int
    agency: str
    submitted_at: datetime  # local time, naive
    dossier_code: str
    answers: dict[str, Value]


@dataclass
class Checked:
    rows: list[Row] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def fatal(self) -> bool:
        return any(p.row == 0 for p in self.problems)

    @property
    def bad_rows(self) -> set[int]:
        return {p.row for p in self.problems if p.row}


# --- reading the file ----------------------------------------------------------------------------


def read_cells(
    data: bytes, filename: str = ""
) -> tuple[list[tuple[int, tuple[str, ...]]], list[Problem]]:
    """The file's rows with their numbers, blank rows left out."""
    if archives.is_zip(data):
        return _xlsx(data, filename)
    for encoding in ("utf-8-sig", "utf-16"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        return [], [Problem(0, "unreadable_file", {"name": filename})]
    if "\x00" in text:
        return [], [Problem(0, "unreadable_file", {"name": filename})]
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    if "\t" in first and first.count("\t") > first.count(delimiter):
        delimiter = "\t"
    rows: list[tuple[int, tuple[str, ...]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        for cells in reader:
            if len(rows) > MAX_ROWS:
                return [], [Problem(0, "too_many_rows", {"limit": MAX_ROWS})]
            values = tuple(clean(c) for c in cells)
            if any(values):
                rows.append((reader.line_num, values))
    except csv.Error:
        return [], [Problem(0, "unreadable_file", {"name": filename})]
    return rows, []


def _xlsx(data: bytes, filename: str) -> tuple[list[tuple[int, tuple[str, ...]]], list[Problem]]:
    from openpyxl import load_workbook

    try:
        archive = archives.check_zip(data, max_expanded=MAX_EXPANDED)
        if "xl/workbook.xml" not in archive.namelist():
            return [], [Problem(0, "unreadable_file", {"name": filename})]
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except archives.ArchiveRefused as refused:
        return [], [Problem(0, "file_too_large", {"name": filename, "mb": refused.limit // 10**6})]
    except archives.ReadTooLong:
        raise
    except Exception:
        return [], [Problem(0, "unreadable_file", {"name": filename})]
    rows: list[tuple[int, tuple[str, ...]]] = []
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            if number > MAX_ROWS + 1:
                return [], [Problem(0, "too_many_rows", {"limit": MAX_ROWS})]
            cells = tuple(_cell(v) for v in values)
            if any(cells):
                rows.append((number, cells))
    finally:
        workbook.close()
    return rows, []


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value) if value != int(value) else str(int(value))
    return clean(str(value))


def parse_moment(text: str) -> datetime | None:
    """2020-04-15, 2020-04-15 09:30, 15/04/2020 or 15/04/2020 09:30:00, local time; with an
    offset (Z, +07:00) the local time of that moment. None otherwise."""
    match = _DATE_TIME.match(text.strip())
    if not match:
        return None
    g = match.groups()
    year, month, day = (g[0], g[1], g[2]) if g[0] else (g[5], g[4], g[3])
    try:
        moment = datetime(
            int(year), int(month), int(day), int(g[6] or 0), int(g[7] or 0), int(g[8] or 0)
        )
    except (TypeError, ValueError):
        return None
    offset = g[9]
    if offset:
        if offset == "Z":
            zone = UTC
        else:
            digits = offset[1:].replace(":", "")
            hours, minutes = int(digits[:2]), int(digits[2:])
            if hours > 14 or minutes > 59:
                return None
            sign = 1 if offset[0] == "+" else -1
            zone = timezone(sign * timedelta(hours=hours, minutes=minutes))
        moment = moment.replace(tzinfo=zone).astimezone(LOCAL).replace(tzinfo=None)
    return moment


# --- another tool's columns ------------------------------------------------------------------------


def apply_mapping(
    cells: Sequence[tuple[int, tuple[str, ...]]],
    columns: Mapping[str, str],
    question_codes: Iterable[str],
) -> list[tuple[int, tuple[str, ...]]]:
    """The rows with the header renamed to the flat layout: each column named in `columns`
    (case and spacing aside) takes its target, "" leaving it out; a column a form tool names
    by its group path ("access/sat_access") takes the question code its path ends with; the
    tool's own columns that start with "_" (_id, _uuid, _index...) are left out unless named."""
    if not cells:
        return []
    wanted = {clean(k).lower(): v for k, v in columns.items()}
    codes = set(question_codes)
    header_row, header = cells[0]
    renamed: list[str | None] = []
    for cell in header:
        key = clean(cell).lower()
        tail = key.rsplit("/", 1)[-1]
        if key in wanted:
            renamed.append(wanted[key] or None)
        elif key.startswith("_"):
            renamed.append(None)
        elif "/" in key and tail in codes:
            renamed.append(tail)
        else:
            renamed.append(cell)
    keep = [i for i, name in enumerate(renamed) if name is not None]
    mapped = [(header_row, tuple(str(renamed[i]) for i in keep))]
    for number, row in cells[1:]:
        mapped.append((number, tuple(row[i] if i < len(row) else "" for i in keep)))
    return mapped


# --- checking the answers of one response ------------------------------------------------------


def check_answers(
    questions: Sequence[QuestionSpec], values: Mapping[str, str]
) -> tuple[dict[str, Value], list[Refusal]]:
    """One response's answers, in the questionnaire's order, and why any is refused (each
    refusal's params name its question): outside the scale or choices, or answering a question
    its skip condition hides. Blank values are no answer."""
    answers: dict[str, Value] = {}
    refusals: list[Refusal] = []
    for question in questions:
        result = check_answer(question, values.get(question.code, ""))
        if result is None:
            continue
        if isinstance(result, Refusal):
            refusals.append(Refusal(result.code, {"question": question.code, **result.params}))
            continue
        if not is_shown(question, answers):
            refusals.append(
                Refusal(
                    "not_asked",
                    {
                        "question": question.code,
                        "condition": question.show_if_question,
                        "value": question.show_if_value,
                    },
                )
            )
            continue
        answers[question.code] = result
    return answers, refusals


# --- checking the rows ---------------------------------------------------------------------------


def check_rows(
    cells: Sequence[tuple[int, tuple[str, ...]]],
    questionnaire: QuestionnaireSpec,
    *,
    agencies: Iterable[str],
    starts_on: date,
    ends_on: date,
    taken: Iterable[str] = (),
) -> Checked:
    """Every row checked: the agency known, the moment within the survey, the dossier code
    not seen before (in the file or in `taken`, the survey's earlier responses), every answer
    within its question's scale or choices and asked (skip conditions)."""
    checked = Checked()
    if not cells:
        checked.problems.append(Problem(0, "no_rows"))
        return checked
    _header_row, header = cells[0]
    columns = [h.strip().lower() for h in header]
    known = {q.code for q in questionnaire.questions}
    unknown = [c for c in columns if c and c not in known and c not in FIXED]
    if unknown:
        checked.problems.append(Problem(0, "unknown_columns", {"columns": ", ".join(unknown)}))
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        checked.problems.append(Problem(0, "missing_columns", {"columns": ", ".join(missing)}))
    twice = sorted({c for c in columns if c and columns.count(c) > 1})
    if twice:
        checked.problems.append(Problem(0, "duplicate_columns", {"columns": ", ".join(twice)}))
    if checked.problems:
        return checked
    if len(cells) == 1:
        checked.problems.append(Problem(0, "no_rows"))
        return checked
    agency_codes = set(agencies)
    earlier = set(taken)
    seen: dict[str, int] = {}
    ordered = [q for q in questionnaire.questions if q.code in columns]
    for number, row in cells[1:]:
        values = {c: (row[i] if i < len(row) else "") for i, c in enumerate(columns) if c}
        problems: list[Problem] = []
        if any(row[len(columns) :]):
            problems.append(Problem(number, "extra_cells", {"columns": len(columns)}))
        agency = values["agency"].lower()
        if not agency:
            problems.append(Problem(number, "no_agency"))
        elif agency not in agency_codes:
            problems.append(Problem(number, "unknown_agency", {"agency": values["agency"]}))
        moment = parse_moment(values["submitted_at"])
        if not values["submitted_at"]:
            problems.append(Problem(number, "no_date"))
        elif moment is None:
            problems.append(Problem(number, "bad_date", {"value": values["submitted_at"]}))
        elif not starts_on <= moment.date() <= ends_on:
            problems.append(
                Problem(
                    number,
                    "date_outside",
                    {"value": values["submitted_at"], "from": starts_on, "to": ends_on},
                )
            )
        dossier = values.get("dossier_code", "")
        if len(dossier) > DOSSIER_MAX:
            problems.append(Problem(number, "dossier_too_long", {"limit": DOSSIER_MAX}))
        elif dossier and dossier in seen:
            problems.append(
                Problem(number, "duplicate_dossier", {"dossier": dossier, "first": seen[dossier]})
            )
        elif dossier and dossier in earlier:
            problems.append(Problem(number, "dossier_answered", {"dossier": dossier}))
        elif dossier:
            seen[dossier] = number
        answers, refusals = check_answers(ordered, values)
        problems.extend(Problem(number, r.code, r.params) for r in refusals)
        if not answers and not problems:
            problems.append(Problem(number, "no_answers"))
        if problems:
            checked.problems.extend(problems)
            continue
        assert moment is not None
        checked.rows.append(Row(number, agency, moment, dossier, answers))
    return checked


# --- dossier volumes -----------------------------------------------------------------------------

VOLUME_MAX = 100_000_000
# 1.234 or 1 234: thousands grouped the Vietnamese way.
_GROUPED = re.compile(r"^[0-9]{1,3}([. ][0-9]{3})+$")


@dataclass(frozen=True)
class VolumeRow:
    row: int
    agency: str
    period: str  # "all" or a quarter such as 2020Q2
    dossiers: int


def check_volumes(
    cells: Sequence[tuple[int, tuple[str, ...]]],
    *,
    agencies: Iterable[str],
    quarters: Iterable[str],
) -> tuple[list[VolumeRow], list[Problem]]:
    """Rows of `agency`, `period` (a quarter of the survey; blank or `all` for the whole
    survey) and `dossiers` (a whole number from 0)."""
    if len(cells) < 2:
        return [], [Problem(0, "no_rows")]
    columns = [h.strip().lower() for h in cells[0][1]]
    missing = [c for c in ("agency", "dossiers") if c not in columns]
    unknown = [c for c in columns if c and c not in ("agency", "period", "dossiers")]
    problems: list[Problem] = []
    if missing:
        problems.append(Problem(0, "missing_columns", {"columns": ", ".join(missing)}))
    if unknown:
        problems.append(Problem(0, "unknown_volume_columns", {"columns": ", ".join(unknown)}))
    if problems:
        return [], problems
    known, periods = set(agencies), set(quarters)
    rows: list[VolumeRow] = []
    seen: dict[tuple[str, str], int] = {}
    for number, row in cells[1:]:
        values = {c: (row[i] if i < len(row) else "") for i, c in enumerate(columns) if c}
        agency = values["agency"].lower()
        period = values.get("period", "").upper() or "ALL"
        period = "all" if period == "ALL" else period
        text = values["dossiers"]
        text = text.replace(".", "").replace(" ", "") if _GROUPED.match(text) else text
        before = len(problems)
        if any(row[len(columns) :]):
            problems.append(Problem(number, "extra_cells", {"columns": len(columns)}))
        if agency not in known:
            problems.append(Problem(number, "unknown_agency", {"agency": values["agency"]}))
        if period != "all" and period not in periods:
            problems.append(Problem(number, "period_outside", {"period": values["period"]}))
        if not text.isdigit() or int(text) > VOLUME_MAX:
            problems.append(Problem(number, "bad_volume", {"value": values["dossiers"]}))
        if (agency, period) in seen:
            problems.append(
                Problem(
                    number,
                    "duplicate_volume",
                    {"agency": agency, "period": period, "first": seen[(agency, period)]},
                )
            )
        if len(problems) == before:
            seen[(agency, period)] = number
            rows.append(VolumeRow(number, agency, period, int(text)))
    return rows, problems
