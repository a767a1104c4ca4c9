"""Reading a one-stop-shop export (CSV, XLSX or Parquet) into the store's dossier columns.

`read_file` loads the file into a DuckDB table of texts (`_raw`: one column per file column,
plus `_row`, the row number a person sees in the file: the header is row 1). `stage` maps the
columns and values onto the dossier schema (docs/dossiers.md), checks every row and leaves the
accepted rows in `_staged`, one per dossier code, with the problems counted and exampled.
Everything runs inside DuckDB, so a million-row CSV is read and checked in seconds.

Which problems keep a row out (refused) and which only warn is decided in `_checks`; a file
whose columns cannot be read at all raises `FileRefused` naming the file, row and column.

Pure: DuckDB, openpyxl and the standard library, no Django.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import os
import re
import tempfile
import unicodedata
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

from parindex.dossiers.store import CANONICAL_NAMES
from parindex.lib import archives
from parindex.lib.text import fold

TARGETS = CANONICAL_NAMES  # what a mapping may name: the store's canonical columns
# A file without one of these columns cannot be read as dossiers; `muc_do` missing means no
# level, `tra_kq_bcci` missing means no result returned by post.
REQUIRED: tuple[str, ...] = (
    "ma_ho_so",
    "co_quan",
    "ma_tthc",
    "kenh_thuc_hien",
    "trang_thai",
    "ngay_tiep_nhan",
    "ngay_hen_tra",
    "ngay_ket_thuc_xu_ly",
)
STATUSES: tuple[str, ...] = (
    "DANG_XU_LY",
    "DA_GIAI_QUYET",
    "TRA_LAI",
    "RUT_HO_SO",
    "BO_SUNG",
    "TAM_DUNG",
)
FINISHED_STATUSES = ("DA_GIAI_QUYET", "TRA_LAI", "RUT_HO_SO")
# The value fields a mapping may translate, and what each may become.
VALUE_FIELDS: dict[str, tuple[str, ...]] = {
    "kenh_thuc_hien": ("1", "2", "3"),
    "muc_do": ("2", "3", "4"),
    "trang_thai": STATUSES,
    "tra_kq_bcci": ("true", "false"),
}
# A code longer than this is not a code.
MAX_CODE = 100
EXAMPLES = 5
FIRST_YEAR, LAST_YEAR = 1990, 2100

# Values every source writes one way or another, matched without case, tone marks, spaces,
# underscores or hyphens; a source's value mapping adds its own codes ('7' → DA_GIAI_QUYET).
DEFAULT_VALUES: dict[str, dict[str, str]] = {
    "kenh_thuc_hien": {
        **dict.fromkeys(("1", "trực tiếp", "tại quầy", "direct", "in person"), "1"),
        **dict.fromkeys(("2", "trực tuyến", "online", "dvc", "dvctt", "dịch vụ công"), "2"),
        **dict.fromkeys(
            ("3", "bcci", "bưu chính", "bưu chính công ích", "dịch vụ bưu chính", "post"), "3"
        ),
    },
    "muc_do": {
        "2": "2",
        "3": "3",
        "4": "4",
        **dict.fromkeys(("mức độ 2", "mức 2", "level 2"), "2"),
        **dict.fromkeys(("mức độ 3", "mức 3", "level 3", "một phần", "mot_phan"), "3"),
        **dict.fromkeys(("mức độ 4", "mức 4", "level 4", "toàn trình", "toan_trinh"), "4"),
    },
    "trang_thai": {
        **{status: status for status in STATUSES},
        **dict.fromkeys(("đang xử lý", "đang giải quyết", "processing"), "DANG_XU_LY"),
        **dict.fromkeys(
            ("đã giải quyết", "đã xử lý", "hoàn thành", "đã trả kết quả", "resolved"),
            "DA_GIAI_QUYET",
        ),
        **dict.fromkeys(("trả lại", "từ chối", "returned"), "TRA_LAI"),
        **dict.fromkeys(("rút hồ sơ", "xin rút", "đã rút", "withdrawn"), "RUT_HO_SO"),
        **dict.fromkeys(("bổ sung", "chờ bổ sung", "yêu cầu bổ sung"), "BO_SUNG"),
        **dict.fromkeys(("tạm dừng", "suspended"), "TAM_DUNG"),
    },
    "tra_kq_bcci": {
        **dict.fromkeys(("true", "1", "có", "x", "yes", "y", "t"), "true"),
        **dict.fromkeys(("false", "0", "không", "no", "n", "f"), "false"),
    },
}


class FileRefused(ValueError):
    """The file cannot be read as dossiers at all; the message names where and why."""


def value_key(text: str) -> str:
    """How a source value is matched: folded, with `_`, `-` and spaces as one space. The SQL
    side (`_KEY`) computes the same key."""
    return re.sub(r"[\s_-]+", " ", fold(text)).strip()


def column_key(text: str) -> str:
    """How a file's column name is matched: NFC, without a byte-order mark, lower case."""
    return unicodedata.normalize("NFC", text.replace("\ufeff", "")).strip().lower()


@dataclass
class ColumnMap:
    """A source system's mapping: file column → target (or "" to leave the column out), and per
    value field, source value → canonical value."""

    columns: dict[str, str] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)


@dataclass
class Problem:
    code: str
    refused: bool  # True: the rows are kept out; False: kept, with a warning
    column: str
    count: int
    examples: list[tuple[int, str]]  # (row, value as in the file)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "refused": self.refused,
            "column": self.column,
            "count": self.count,
            "examples": [{"row": row, "value": value} for row, value in self.examples],
        }


@dataclass
class Staged:
    rows: int  # data rows read
    accepted: int  # dossiers staged (after duplicates within the file)
    refused: int  # rows kept out
    problems: list[Problem]
    extra_columns: list[str]

    @property
    def warnings(self) -> int:
        return sum(p.count for p in self.problems if not p.refused)


# --- reading the file -------------------------------------------------------------------------


def detect_format(head: bytes, filename: str = "") -> str:
    if head[:4] == b"PAR1":
        return "parquet"
    if archives.is_zip(head):
        return "xlsx"
    if head[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise FileRefused(
            f"{filename}: an old Excel (.xls) workbook; save it as .xlsx or CSV and import that"
        )
    return "csv"


def read_file(con: duckdb.DuckDBPyConnection, path: Path, filename: str = "") -> list[str]:
    """Load the file into `_raw` (text columns c0, c1, … and `_row`); the file's column names,
    in order, are returned."""
    filename = filename or path.name
    with open(path, "rb") as handle:
        head = handle.read(8)
    kind = detect_format(head, filename)
    if kind == "parquet":
        return _read_parquet(con, path, filename)
    if kind == "xlsx":
        return _read_xlsx(con, path, filename)
    return _read_csv(con, path, filename)


def _check_header(names: list[str], filename: str) -> list[str]:
    cleaned = [
        _strip_controls(unicodedata.normalize("NFC", n.replace("\ufeff", ""))).strip()
        for n in names
    ]
    seen: dict[str, int] = {}
    for index, shown in enumerate(cleaned, 1):
        name = column_key(shown)
        if not name:
            continue
        if name in seen:
            raise FileRefused(
                f"{filename}: the column {name!r} appears twice (columns {seen[name]} and "
                f"{index}); give each column its own name"
            )
        seen[name] = index
    if not seen:
        raise FileRefused(f"{filename}: the first row names no columns")
    return cleaned


def _strip_controls(text: str) -> str:
    return "".join(ch for ch in text if unicodedata.category(ch) != "Cc")


def _temporary(suffix: str) -> Path:
    handle, name = tempfile.mkstemp(suffix=suffix, prefix="parindex-dossiers-")
    os.close(handle)
    return Path(name)


def _decoded_copy(path: Path, encoding: str, filename: str) -> Path:
    """A UTF-8 copy of a UTF-16 file, written as it is read."""
    copy = _temporary(".csv")
    try:
        with open(path, "rb") as raw, open(copy, "w", encoding="utf-8") as out:
            reader = codecs.getreader(encoding)(raw, "strict")
            first = True
            while chunk := reader.read(1 << 20):
                out.write(chunk.lstrip("\ufeff") if first else chunk)
                first = False
    except UnicodeDecodeError:
        copy.unlink(missing_ok=True)
        raise FileRefused(
            f"{filename}: not readable as UTF-16 text; save it as CSV UTF-8 and import that"
        ) from None
    return copy


def _check_utf8(path: Path, filename: str) -> None:
    """Refuse a file that is not UTF-8, naming the line of the first bad byte (DuckDB's lenient
    reading would otherwise let bad bytes through)."""
    decoder = codecs.getincrementaldecoder("utf-8")("strict")
    lines = 1
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(1 << 20)
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError as error:
                line = lines + chunk[: error.start].count(b"\n")
                raise FileRefused(
                    f"{filename}, line {line}: not UTF-8 text; save the file as CSV UTF-8 "
                    "(or UTF-16) and import that"
                ) from None
            if not chunk:
                return
            lines += chunk.count(b"\n")


def _sniff(first_line: str) -> str:
    counts = {sep: first_line.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] else ","


def _read_csv(con: duckdb.DuckDBPyConnection, path: Path, filename: str) -> list[str]:
    with open(path, "rb") as handle:
        start = handle.read(4096)
    copy: Path | None = None
    if start[:2] in (b"\xff\xfe", b"\xfe\xff"):
        copy = _decoded_copy(path, "utf-16", filename)
    elif len(start) > 3 and start[1:2] == b"\x00" and start[3:4] == b"\x00":
        copy = _decoded_copy(path, "utf-16-le", filename)
    source = copy or path
    if copy is None:
        _check_utf8(path, filename)
    try:
        with open(source, encoding="utf-8-sig", errors="strict", newline="") as text:
            try:
                first = text.readline(1 << 20)
            except UnicodeDecodeError:
                raise FileRefused(
                    f"{filename}: row 1 is not UTF-8 text; save the file as CSV UTF-8 "
                    "(or UTF-16) and import that"
                ) from None
        if not first.strip():
            raise FileRefused(f"{filename}: the file is empty")
        delimiter = _sniff(first)
        header = next(csv.reader([first], delimiter=delimiter))
        names = _check_header(header, filename)
        columns = ", ".join(f"'c{i}': 'VARCHAR'" for i in range(len(names)))
        try:
            con.execute(
                f"""CREATE OR REPLACE TEMP TABLE _read AS
                SELECT * FROM read_csv({_literal(source)}, delim={_literal(delimiter)},
                    header=true, columns={{{columns}}}, quote='"', escape='"',
                    auto_detect=false, null_padding=true, strict_mode=true, encoding='utf-8')"""
            )
            _number_rows(con)
        except duckdb.Error as error:
            raise FileRefused(_csv_error(filename, str(error))) from None
        return names
    finally:
        if copy is not None:
            copy.unlink(missing_ok=True)


def _csv_error(filename: str, message: str) -> str:
    line = re.search(r"Line: (\d+)", message)
    where = f" near line {line.group(1)}" if line else ""
    if "unicode" in message.lower() or "utf-8" in message.lower():
        return (
            f"{filename}{where}: not UTF-8 text; save the file as CSV UTF-8 (or UTF-16) and "
            "import that"
        )
    if "columns" in message.lower():
        return f"{filename}{where}: a row has more fields than the header has columns"
    return f"{filename}{where}: not readable as CSV ({message.splitlines()[0][:200]})"


def _literal(value: Path | str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _read_xlsx(con: duckdb.DuckDBPyConnection, path: Path, filename: str) -> list[str]:
    from openpyxl import load_workbook

    data = path.read_bytes()
    try:
        archives.check_zip(data)
    except archives.ArchiveRefused as refused:
        raise FileRefused(
            f"{filename}: the workbook expands to more than {refused.limit // 1_000_000} MB; "
            "split it or export CSV"
        ) from None
    except zipfile.BadZipFile:
        raise FileRefused(f"{filename}: not a readable XLSX workbook") from None
    out = _temporary(".csv")
    try:
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a damaged workbook
            raise FileRefused(f"{filename}: not a readable XLSX workbook") from None
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise FileRefused(f"{filename}: the workbook has no sheet")
        names: list[str] | None = None
        with open(out, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            for number, row in enumerate(sheet.iter_rows(values_only=True), 1):
                texts = [_cell_text(v) for v in row]
                if names is None:
                    if not any(t.strip() for t in texts):
                        continue
                    while texts and not texts[-1].strip():
                        texts.pop()
                    names = _check_header(texts, f"{filename}, sheet {sheet.title}")
                    writer.writerow(["_row", *names])
                    continue
                if not any(t.strip() for t in texts):
                    continue
                texts = (texts + [""] * len(names))[: len(names)]
                writer.writerow([number, *texts])
        workbook.close()
        if names is None:
            raise FileRefused(f"{filename}: the first sheet is empty")
        columns = ", ".join(
            ["'_row': 'BIGINT'", *(f"'c{i}': 'VARCHAR'" for i in range(len(names)))]
        )
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _raw AS
            SELECT * FROM read_csv({_literal(out)}, delim=',', header=true,
                columns={{{columns}}}, quote='"', escape='"', auto_detect=false)"""
        )
        return names
    finally:
        out.unlink(missing_ok=True)


def _read_parquet(con: duckdb.DuckDBPyConnection, path: Path, filename: str) -> list[str]:
    try:
        described = con.execute(f"DESCRIBE SELECT * FROM read_parquet({_literal(path)})").fetchall()
    except duckdb.Error:
        raise FileRefused(f"{filename}: not a readable Parquet file") from None
    names = _check_header([str(r[0]) for r in described], filename)
    casts = ", ".join(
        f"CAST({_ident(str(r[0]))} AS VARCHAR) AS c{i}" for i, r in enumerate(described)
    )
    try:
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _read AS
            SELECT {casts} FROM read_parquet({_literal(path)})"""
        )
        _number_rows(con)
    except duckdb.Error as error:
        raise FileRefused(f"{filename}: not readable as Parquet ({str(error)[:200]})") from None
    return names


def _number_rows(con: duckdb.DuckDBPyConnection) -> None:
    """`_raw` from `_read` with each row's number in the file (the header is row 1): a new
    table's row ids follow the order its rows were read in (insertion order is preserved)."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _raw AS SELECT *, CAST(rowid + 2 AS BIGINT) AS _row "
        "FROM _read"
    )
    con.execute("DROP TABLE _read")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


# --- mapping and checking ---------------------------------------------------------------------

# The SQL twin of `value_key`.
_KEY = "trim(regexp_replace(replace(strip_accents(lower({x})), 'đ', 'd'), '[\\s_-]+', ' ', 'g'))"
_CONTROLS = "[\\x00-\\x1f\\x7f]"


def _clean_sql(x: str) -> str:
    """A text cell as stored: NFC, without control characters, trimmed, NULL when empty."""
    return f"nullif(trim(regexp_replace(nfc_normalize({x}), '{_CONTROLS}', '', 'g')), '')"


# The date part of a cell is what comes before a space or a T (a time after it is ignored).
DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def _date(x: str) -> str:
    formats = ", ".join(_literal(f) for f in DATE_FORMATS)
    return f"try_strptime(split_part(replace({x}, 'T', ' '), ' ', 1), [{formats}])::DATE"


def _in_range(x: str) -> str:
    return f"(CASE WHEN year({x}) BETWEEN {FIRST_YEAR} AND {LAST_YEAR} THEN {x} END)"


def resolve_columns(names: list[str], mapping: ColumnMap) -> tuple[dict[str, int], list[int]]:
    """target → column index, and the indexes of the columns kept as extra; FileRefused when a
    required target has no column."""
    chosen = {column_key(k): v.strip() for k, v in mapping.columns.items()}
    targets: dict[str, int] = {}
    extra: list[int] = []
    for index, shown in enumerate(names):
        name = column_key(shown)
        if not name:
            continue
        target = chosen.get(name)
        if target is None and name in TARGETS and name not in chosen.values():
            target = name
        if target == "":
            continue  # left out on purpose
        if target in TARGETS and target not in targets:
            targets[target] = index
        else:
            extra.append(index)
    missing = [t for t in REQUIRED if t not in targets]
    if missing:
        raise FileRefused(
            "no column for "
            + ", ".join(missing)
            + "; the file's columns are "
            + ", ".join(n for n in names if n)
            + " (name the columns as parindex does, or save a mapping for the source)"
        )
    return targets, extra


def stage(
    con: duckdb.DuckDBPyConnection,
    names: list[str],
    mapping: ColumnMap | None = None,
    *,
    source: str = "",
    import_run: int = 0,
) -> Staged:
    """Check `_raw` and leave the accepted dossiers in `_staged` (the store's columns)."""
    mapping = mapping or ColumnMap()
    targets, extra = resolve_columns(names, mapping)
    _load_values(con, mapping)

    def raw(target: str) -> str:
        index = targets.get(target)
        return f"c{index}" if index is not None else "NULL"

    def text(target: str) -> str:
        return _clean_sql(raw(target))

    has_controls = " OR ".join(
        f"regexp_matches(coalesce({raw(t)}, ''), '{_CONTROLS}')"
        for t in ("ma_ho_so", "co_quan", "ma_tthc")
    )
    # Value fields hold a handful of distinct values: each is keyed once, not once per row.
    distinct = " UNION ALL ".join(
        f"SELECT DISTINCT '{target}' AS target, {raw(target)} AS raw FROM _raw"
        for target in VALUE_FIELDS
    )
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _seen AS
        SELECT d.target, d.raw, v.canonical FROM ({distinct}) d
        LEFT JOIN _values v ON v.target = d.target AND v.source = {
            _KEY.format(x=_clean_sql("d.raw"))
        }"""
    )
    value_joins = []
    value_columns = []
    for n, target in enumerate(VALUE_FIELDS):
        alias = f"v{n}"
        value_joins.append(
            f"LEFT JOIN _seen {alias} ON {alias}.target = '{target}' "
            f"AND {alias}.raw IS NOT DISTINCT FROM {raw(target)}"
        )
        value_columns.append(f"{alias}.canonical AS {target}")
    extra_json = (
        "json_object("
        + ", ".join(
            f"{_literal(names[i])}, "
            f"nullif(regexp_replace(nfc_normalize(c{i}), '{_CONTROLS}', '', 'g'), '')"
            for i in extra
        )
        + ")"
        if extra
        else "CAST(NULL AS VARCHAR)"
    )
    checks = list(_checks())
    refuse = " OR ".join(f"coalesce({c[3]}, false)" for c in checks if c[1])
    # One table of what the checks and the store need; the file's own texts stay in `_raw`,
    # which the examples are read from by row number.
    con.execute(
        f"""CREATE OR REPLACE TEMP TABLE _typed AS
        WITH t AS (
            SELECT r._row,
                {text("ma_ho_so")} AS ma_ho_so,
                {text("co_quan")} AS co_quan,
                {text("ma_tthc")} AS ma_tthc,
                {", ".join(value_columns)},
                nullif(trim({raw("muc_do")}), '') IS NOT NULL AS has_muc_do,
                nullif(trim({raw("tra_kq_bcci")}), '') IS NOT NULL AS has_bcci,
                nullif(trim({raw("ngay_hen_tra")}), '') IS NOT NULL AS has_hen_tra,
                nullif(trim({raw("ngay_ket_thuc_xu_ly")}), '') IS NOT NULL AS has_ket_thuc,
                {_date(f"trim({raw('ngay_tiep_nhan')})")} AS d_tn,
                {_date(f"trim({raw('ngay_hen_tra')})")} AS d_ht,
                {_date(f"trim({raw('ngay_ket_thuc_xu_ly')})")} AS d_kt,
                ({has_controls}) AS had_controls,
                {extra_json} AS extra
            FROM _raw r {" ".join(value_joins)}
        ), d AS (
            SELECT * EXCLUDE (d_tn, d_ht, d_kt), {_in_range("d_tn")} AS ngay_tiep_nhan,
                {_in_range("d_ht")} AS ngay_hen_tra, {_in_range("d_kt")} AS ngay_ket_thuc_xu_ly
            FROM t
        )
        SELECT *, ({refuse}) AS refused FROM d"""
    )
    # One pass counts every problem and the dossiers; examples only for the problems found.
    counted = con.execute(
        "SELECT count(*), count_if(refused), "
        "count(DISTINCT CASE WHEN NOT refused THEN ma_ho_so END), "
        + ", ".join(f"count_if({c[3]})" for c in checks)
        + " FROM _typed"
    ).fetchone()
    assert counted is not None
    rows, refused_rows, accepted = (int(c or 0) for c in counted[:3])
    problems: list[Problem] = []
    for (code, refused, column, condition, shown), count in zip(checks, counted[3:], strict=True):
        if count:
            examples = _examples(con, condition, raw(shown))
            problems.append(Problem(code, refused, column, int(count), examples))
    duplicates = rows - refused_rows - accepted
    if duplicates:
        # A code given twice: the rows before its last one are replaced by it.
        earlier = (
            "_row IN (SELECT _row FROM (SELECT _row, _row < max(_row) OVER "
            "(PARTITION BY ma_ho_so) AS earlier FROM _typed WHERE NOT refused) WHERE earlier)"
        )
        examples = _examples(con, earlier, raw("ma_ho_so"))
        problems.append(Problem("duplicate_code", False, "ma_ho_so", duplicates, examples))
    columns = ", ".join(
        [
            "ma_ho_so",
            "co_quan",
            "ma_tthc",
            "CAST(kenh_thuc_hien AS UTINYINT) AS kenh_thuc_hien",
            "CAST(muc_do AS UTINYINT) AS muc_do",
            "coalesce(tra_kq_bcci = 'true', false) AS tra_kq_bcci",
            "trang_thai",
            "ngay_tiep_nhan",
            "ngay_hen_tra",
            "ngay_ket_thuc_xu_ly",
            "extra",
            f"{_literal(source)} AS nguon",
            f"CAST({int(import_run)} AS BIGINT) AS lan_nhap",
        ]
    )
    last = (
        " QUALIFY row_number() OVER (PARTITION BY ma_ho_so ORDER BY _row DESC) = 1"
        if duplicates
        else ""
    )
    # A view: the store's merge reads the accepted rows once, without another copy.
    con.execute(
        f"CREATE OR REPLACE TEMP VIEW _staged AS SELECT {columns} FROM _typed "
        f"WHERE NOT refused{last}"
    )
    con.execute("DROP TABLE IF EXISTS _raw")
    con.execute("DROP TABLE IF EXISTS _seen")
    return Staged(
        rows=rows,
        accepted=accepted,
        refused=refused_rows,
        problems=problems,
        extra_columns=[names[i] for i in extra],
    )


def _checks() -> Iterable[tuple[str, bool, str, str, str]]:
    """(code, refuses the row, column, SQL condition on `_typed`, the target whose cell is
    shown as the example)."""
    yield "missing_code", True, "ma_ho_so", "ma_ho_so IS NULL", "ma_ho_so"
    yield "missing_agency", True, "co_quan", "co_quan IS NULL", "co_quan"
    yield "missing_procedure", True, "ma_tthc", "ma_tthc IS NULL", "ma_tthc"
    for column in ("ma_ho_so", "co_quan", "ma_tthc"):
        yield "too_long", True, column, f"length({column}) > {MAX_CODE}", column
    yield "unknown_channel", True, "kenh_thuc_hien", "kenh_thuc_hien IS NULL", "kenh_thuc_hien"
    yield "unknown_status", True, "trang_thai", "trang_thai IS NULL", "trang_thai"
    yield "unknown_bcci", True, "tra_kq_bcci", "has_bcci AND tra_kq_bcci IS NULL", "tra_kq_bcci"
    yield "bad_date", True, "ngay_tiep_nhan", "ngay_tiep_nhan IS NULL", "ngay_tiep_nhan"
    yield "bad_date", True, "ngay_hen_tra", "has_hen_tra AND ngay_hen_tra IS NULL", "ngay_hen_tra"
    yield (
        "bad_date",
        True,
        "ngay_ket_thuc_xu_ly",
        "has_ket_thuc AND ngay_ket_thuc_xu_ly IS NULL",
        "ngay_ket_thuc_xu_ly",
    )
    yield (
        "finished_before_received",
        True,
        "ngay_ket_thuc_xu_ly",
        "ngay_ket_thuc_xu_ly < ngay_tiep_nhan",
        "ngay_ket_thuc_xu_ly",
    )
    yield "missing_due", False, "ngay_hen_tra", "NOT has_hen_tra", "ngay_hen_tra"
    yield (
        "due_before_received",
        False,
        "ngay_hen_tra",
        "ngay_hen_tra < ngay_tiep_nhan",
        "ngay_hen_tra",
    )
    yield "unknown_level", False, "muc_do", "has_muc_do AND muc_do IS NULL", "muc_do"
    yield (
        "finished_without_date",
        False,
        "ngay_ket_thuc_xu_ly",
        f"trang_thai IN {tuple(FINISHED_STATUSES)!r} AND NOT has_ket_thuc",
        "trang_thai",
    )
    yield (
        "date_without_finished",
        False,
        "ngay_ket_thuc_xu_ly",
        f"trang_thai NOT IN {tuple(FINISHED_STATUSES)!r} AND ngay_ket_thuc_xu_ly IS NOT NULL",
        "trang_thai",
    )
    yield "control_characters", False, "ma_ho_so", "had_controls", "ma_ho_so"


def _examples(con: duckdb.DuckDBPyConnection, condition: str, cell: str) -> list[tuple[int, str]]:
    """The first rows meeting `condition`, with the file's cell `cell` (a column of `_raw`)."""
    shown = cell if cell != "NULL" else "''"
    found = con.execute(
        f"""WITH hits AS (SELECT _row FROM _typed WHERE {condition} ORDER BY _row LIMIT {EXAMPLES})
        SELECT h._row, coalesce(CAST({shown} AS VARCHAR), '') FROM hits h
        JOIN _raw r ON r._row = h._row ORDER BY h._row"""
    ).fetchall()
    return [(int(row), _shown(value)) for row, value in found]


def _shown(value: str) -> str:
    """A value as a message may quote it: control characters made visible, long ones cut."""
    visible = "".join(
        f"\\x{ord(ch):02x}" if unicodedata.category(ch) == "Cc" else ch for ch in value
    )
    return visible if len(visible) <= 80 else visible[:79] + "…"


def _load_values(con: duckdb.DuckDBPyConnection, mapping: ColumnMap) -> None:
    rows: dict[tuple[str, str], str] = {}
    for target, values in DEFAULT_VALUES.items():
        for source, canonical in values.items():
            rows[(target, value_key(source))] = canonical
    for target, values in mapping.values.items():
        for source, canonical in values.items():
            rows[(target, value_key(source))] = canonical
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _values (target VARCHAR, source VARCHAR, canonical VARCHAR)"
    )
    con.executemany(
        "INSERT INTO _values VALUES (?, ?, ?)", [(t, s, c) for (t, s), c in rows.items()]
    )


def check_mapping(mapping: ColumnMap) -> list[str]:
    """What is wrong with a mapping, worded for a person (empty when it is fine)."""
    problems = []
    for column, target in mapping.columns.items():
        if target and target not in TARGETS:
            problems.append(
                f"{column}={target}: the target is one of {', '.join(TARGETS)}, or empty to "
                "leave the column out"
            )
    for target, values in mapping.values.items():
        allowed = VALUE_FIELDS.get(target)
        if allowed is None:
            problems.append(f"{target}: values are mapped for {', '.join(VALUE_FIELDS)} only")
            continue
        for source, canonical in values.items():
            if canonical not in allowed:
                problems.append(
                    f"{target}:{source}={canonical}: the value is one of {', '.join(allowed)}"
                )
    return problems
