"""Questionnaires as XLSForm workbooks, the format KoboToolbox and ODK read and write. Pure: no
Django.

Sheets: `survey` (type, name, label::Vietnamese (vi), label::English (en), required, relevant,
factor, dimension), `choices` (list_name, name, label::Vietnamese (vi), label::English (en)),
`settings` (form_title, form_id, version). Kinds map to XLSForm types:

    single   → select_one LIST        multiple → select_multiple LIST
    scale    → select_one LIST whose names are exactly 1 to 5
    yes_no   → select_one LIST whose names are exactly yes and no
    number   → integer or decimal     text     → text
    sections → begin group / end group

Skip conditions are written `${q} = 'v'` (a multiple choice: `selected(${q}, 'v')`), and only
those two forms are read back. `factor` and `dimension` are parindex's own columns; other tools
ignore them. Other XLSForm types (notes, calculations, repeats, dates...) are refused with the
row that holds them, as are nested groups.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

from parindex.exports import cells
from parindex.lib import archives
from parindex.lib.text import clean
from parindex.surveys.questions import (
    SCALE,
    Choice,
    QuestionnaireError,
    QuestionnaireSpec,
    QuestionSpec,
    SectionSpec,
    check_questionnaire,
)

VI = "label::Vietnamese (vi)"
EN = "label::English (en)"
SURVEY_COLUMNS = ("type", "name", VI, EN, "required", "relevant", "factor", "dimension")
CHOICE_COLUMNS = ("list_name", "name", VI, EN)
# A questionnaire is a few hundred rows: a workbook expanding past this is not one.
MAX_EXPANDED = 10_000_000
MAX_ROWS = 5_000
_VI_HEADERS = ("label::vietnamese (vi)", "label::vi", "label::vietnamese", "label")
_EN_HEADERS = ("label::english (en)", "label::en", "label::english")
_EQUALS = re.compile(r"^\$\{([a-z][a-z0-9_]*)\}\s*=\s*'([^']*)'$")
_SELECTED = re.compile(r"^selected\(\s*\$\{([a-z][a-z0-9_]*)\}\s*,\s*'([^']*)'\s*\)$")
_TRUE = {"yes", "true", "true()", "1"}


# --- writing ---------------------------------------------------------------------------------------


def relevant(question: QuestionSpec, spec: QuestionnaireSpec) -> str:
    if not question.show_if_question:
        return ""
    source = spec.question(question.show_if_question)
    name, value = question.show_if_question, question.show_if_value
    if source is not None and source.kind == "multiple":
        return f"selected(${{{name}}}, '{value}')"
    return f"${{{name}}} = '{value}'"


def _list_name(question: QuestionSpec) -> str:
    if question.kind == "scale":
        return "scale_1_5"
    if question.kind == "yes_no":
        return "yes_no"
    return question.code


def write_xlsform(spec: QuestionnaireSpec) -> bytes:
    """The questionnaire as an XLSForm workbook."""
    from openpyxl import Workbook

    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = "survey"
    cells.append(survey, SURVEY_COLUMNS)
    choices = book.create_sheet("choices")
    cells.append(choices, CHOICE_COLUMNS)
    written_lists: set[str] = set()
    sections = {s.code: s for s in spec.sections}
    current = ""
    for question in spec.questions:
        if question.section != current:
            if current:
                cells.append(survey, ["end group"])
            if question.section:
                section = sections.get(question.section, SectionSpec(question.section, ""))
                cells.append(
                    survey, ["begin group", section.code, section.title_vi, section.title_en]
                )
            current = question.section
        list_name = _list_name(question)
        kind = {
            "single": f"select_one {list_name}",
            "scale": f"select_one {list_name}",
            "yes_no": f"select_one {list_name}",
            "multiple": f"select_multiple {list_name}",
            "number": "decimal",
            "text": "text",
        }[question.kind]
        cells.append(
            survey,
            [
                kind,
                question.code,
                question.text_vi,
                question.text_en,
                "yes" if question.required else "",
                relevant(question, spec),
                question.factor,
                question.dimension,
            ],
        )
        if question.kind in ("single", "multiple", "scale", "yes_no"):
            if list_name in written_lists:
                continue
            written_lists.add(list_name)
            listed = question.choices
            if question.kind == "yes_no" and not listed:
                listed = (Choice("yes", "Có", "Yes"), Choice("no", "Không", "No"))
            if question.kind == "scale" and not listed:
                listed = tuple(Choice(v, v) for v in SCALE)
            for choice in listed:
                cells.append(choices, [list_name, choice.value, choice.label_vi, choice.label_en])
    if current:
        cells.append(survey, ["end group"])
    settings = book.create_sheet("settings")
    cells.append(settings, ["form_title", "form_id", "version", "title_en", "source"])
    cells.append(
        settings, [spec.title_vi, spec.code, str(spec.version), spec.title_en, spec.source]
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- reading ---------------------------------------------------------------------------------------


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value == int(value):
        return str(int(value))
    return clean(str(value))


def _sheet(book: Any, name: str) -> list[tuple[int, dict[str, str]]]:
    """A sheet's rows as {column: text}, numbered as the spreadsheet numbers them."""
    if name not in book.sheetnames:
        return []
    rows: list[tuple[int, dict[str, str]]] = []
    header: list[str] = []
    for number, values in enumerate(book[name].iter_rows(values_only=True), start=1):
        if number > MAX_ROWS:
            raise QuestionnaireError(f"{name}: more than {MAX_ROWS} rows")
        texts = [_text(v) for v in values]
        if not header:
            header = [t.lower() for t in texts]
            continue
        if any(texts):
            rows.append((number, {h: t for h, t in zip(header, texts, strict=False) if h}))
    return rows


def _label(row: dict[str, str], headers: Sequence[str]) -> str:
    return next((row[h] for h in headers if row.get(h)), "")


def read_xlsform(data: bytes) -> QuestionnaireSpec:
    """The questionnaire in an XLSForm workbook; QuestionnaireError names the sheet and row of
    the first problem. The workbook is opened only once its archive's directory shows it stays
    within the limits (`lib.archives`)."""
    from openpyxl import load_workbook

    if not archives.is_zip(data):
        raise QuestionnaireError("not an XLSX workbook")
    try:
        archives.check_zip(data, max_expanded=MAX_EXPANDED)
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except archives.ArchiveRefused:
        raise QuestionnaireError(
            f"the workbook expands to more than {MAX_EXPANDED // 10**6} MB"
        ) from None
    except archives.ReadTooLong:
        raise
    except Exception:
        raise QuestionnaireError("the workbook cannot be read") from None
    try:
        survey_rows = _sheet(book, "survey")
        choice_rows = _sheet(book, "choices")
        setting_rows = _sheet(book, "settings")
    finally:
        book.close()
    if not survey_rows:
        raise QuestionnaireError("no survey sheet, or it has no rows")
    lists: dict[str, list[Choice]] = {}
    for number, row in choice_rows:
        list_name, name = row.get("list_name", ""), row.get("name", "")
        if not list_name or not name:
            raise QuestionnaireError(f"choices, row {number}: list_name and name are needed")
        lists.setdefault(list_name, []).append(
            Choice(name, _label(row, _VI_HEADERS) or name, _label(row, _EN_HEADERS))
        )
    settings = setting_rows[0][1] if setting_rows else {}
    code = settings.get("form_id", "")
    if not code:
        raise QuestionnaireError("settings: form_id (the questionnaire's code) is needed")
    version_text = settings.get("version", "") or "1"
    if not version_text.isdigit() or not 1 <= int(version_text) <= 10_000:
        raise QuestionnaireError(f"settings: version {version_text!r} is not a whole number")
    sections: list[SectionSpec] = []
    questions: list[QuestionSpec] = []
    kinds: dict[str, str] = {}
    group = ""
    for number, row in survey_rows:
        where = f"survey, row {number}"
        type_, name = row.get("type", "").strip(), row.get("name", "")
        words = type_.split()
        if not words:
            raise QuestionnaireError(f"{where}: no type")
        if (words[0] == "begin" and words[1:] == ["group"]) or type_ == "begin_group":
            if group:
                raise QuestionnaireError(f"{where}: groups within groups are not read")
            group = name
            sections.append(
                SectionSpec(name, _label(row, _VI_HEADERS) or name, _label(row, _EN_HEADERS))
            )
            continue
        if (words[0] == "end" and words[1:] == ["group"]) or type_ == "end_group":
            group = ""
            continue
        kind, choices = _kind(words, lists, where)
        show_if_question = show_if_value = ""
        condition = row.get("relevant", "")
        if condition:
            match = _EQUALS.match(condition) or _SELECTED.match(condition)
            if not match:
                raise QuestionnaireError(
                    f"{where}: relevant {condition!r}: only ${{q}} = 'v' and "
                    f"selected(${{q}}, 'v') are read"
                )
            show_if_question, show_if_value = match.group(1), match.group(2)
        kinds[name] = kind
        questions.append(
            QuestionSpec(
                code=name,
                kind=kind,
                text_vi=_label(row, _VI_HEADERS),
                text_en=_label(row, _EN_HEADERS),
                choices=choices,
                factor=row.get("factor", ""),
                dimension=row.get("dimension", ""),
                required=row.get("required", "").lower() in _TRUE,
                show_if_question=show_if_question,
                show_if_value=show_if_value,
                section=group,
            )
        )
    spec = QuestionnaireSpec(
        code=code,
        version=int(version_text),
        title_vi=settings.get("form_title", "") or code,
        title_en=settings.get("title_en", ""),
        source=settings.get("source", ""),
        sections=tuple(sections),
        questions=tuple(questions),
    )
    for question in spec.questions:
        if not question.text_vi:
            raise QuestionnaireError(f"question {question.code}: no label")
    check_questionnaire(spec)
    return spec


def _kind(
    words: list[str], lists: dict[str, list[Choice]], where: str
) -> tuple[str, tuple[Choice, ...]]:
    if words[0] in ("integer", "decimal"):
        return "number", ()
    if words[0] == "text":
        return "text", ()
    if words[0] in ("select_one", "select_multiple") and len(words) == 2:
        listed = lists.get(words[1])
        if not listed:
            raise QuestionnaireError(f"{where}: no choices listed as {words[1]!r}")
        values = tuple(c.value for c in listed)
        if words[0] == "select_multiple":
            return "multiple", tuple(listed)
        if values == SCALE:
            return "scale", tuple(listed)
        if values == ("yes", "no"):
            return "yes_no", ()
        return "single", tuple(listed)
    raise QuestionnaireError(f"{where}: the type {' '.join(words)!r} is not read")
