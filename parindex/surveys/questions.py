"""A questionnaire as plain data, read from its YAML file, and the checks of one answer against
its question (kinds, scales, choices, skip conditions). Pure: no Django.

The web form, staff entry and every import check answers here, so all refuse the same things.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

import yaml

from parindex.lib.numbers import NumberFormatError, parse_decimal
from parindex.lib.text import clean, fold

KINDS = ("single", "multiple", "scale", "number", "yes_no", "text")
FACTORS = ("access", "procedure", "staff", "result", "feedback", "overall")
DIMENSIONS = ("", "assessment", "satisfaction", "expectation")
SCALE = tuple(str(v) for v in range(1, 6))
# A number answer (trips, days) fits its column: 10 digits before the point, 2 after.
NUMBER_MAX = Decimal(10) ** 10
TEXT_MAX = 2_000
CODE = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_YES = {"yes", "y", "co", "true", "1", "x"}
_NO = {"no", "n", "khong", "false", "0"}
_SEPARATORS = re.compile(r"[\s,;]+")


class QuestionnaireError(ValueError):
    """The questionnaire file is not usable; the message names the place."""


@dataclass(frozen=True)
class Choice:
    value: str
    label_vi: str
    label_en: str = ""


@dataclass(frozen=True)
class QuestionSpec:
    code: str
    kind: str
    text_vi: str
    text_en: str = ""
    choices: tuple[Choice, ...] = ()
    factor: str = ""
    dimension: str = ""
    required: bool = False
    show_if_question: str = ""
    show_if_value: str = ""
    section: str = ""


@dataclass(frozen=True)
class SectionSpec:
    code: str
    title_vi: str
    title_en: str = ""


@dataclass(frozen=True)
class QuestionnaireSpec:
    code: str
    version: int
    title_vi: str
    title_en: str = ""
    source: str = ""
    sections: tuple[SectionSpec, ...] = ()
    questions: tuple[QuestionSpec, ...] = ()

    def question(self, code: str) -> QuestionSpec | None:
        return next((q for q in self.questions if q.code == code), None)


@dataclass(frozen=True)
class Value:
    """An answer as stored: a number (scales, numbers) or text (choices, yes/no, free text)."""

    number: Decimal | None = None
    text: str = ""


@dataclass(frozen=True)
class Refusal:
    """Why an answer is refused: `code` with the values its message needs."""

    code: str  # not_in_scale, not_a_choice, not_a_number, number_range, not_yes_no, too_long
    params: dict[str, object] = field(default_factory=dict)


# --- reading a questionnaire ---------------------------------------------------------------------


def _text(data: Mapping[str, object], key: str, where: str, *, required: bool = True) -> str:
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str | int):
        raise QuestionnaireError(f"{where}: {key} must be text")
    text = clean(str(value))
    if required and not text:
        raise QuestionnaireError(f"{where}: {key} is missing")
    return text


def read_questionnaire(text: str) -> QuestionnaireSpec:
    """The questionnaire in a YAML text (parindex/surveys/data/sipas-default.yaml shows the
    layout); QuestionnaireError names the first problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise QuestionnaireError(f"not YAML: {error}") from None
    if not isinstance(data, dict):
        raise QuestionnaireError("a questionnaire is a mapping with code, version and sections")
    code = _text(data, "code", "questionnaire")
    version = data.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= 10_000:
        raise QuestionnaireError("questionnaire: version must be a whole number from 1")
    sections: list[SectionSpec] = []
    questions: list[QuestionSpec] = []
    raw_sections = data.get("sections")
    if not isinstance(raw_sections, list) or not raw_sections:
        raise QuestionnaireError("questionnaire: no sections")
    for s_number, raw_section in enumerate(raw_sections, start=1):
        where = f"section {s_number}"
        if not isinstance(raw_section, dict):
            raise QuestionnaireError(f"{where}: a section is a mapping")
        section = SectionSpec(
            code=_text(raw_section, "code", where),
            title_vi=_text(raw_section, "title_vi", where),
            title_en=_text(raw_section, "title_en", where, required=False),
        )
        sections.append(section)
        for q_number, raw in enumerate(raw_section.get("questions") or [], start=1):
            questions.append(_question(raw, f"{where}, question {q_number}", section.code))
    spec = QuestionnaireSpec(
        code=code,
        version=version,
        title_vi=_text(data, "title_vi", "questionnaire"),
        title_en=_text(data, "title_en", "questionnaire", required=False),
        source=_text(data, "source", "questionnaire", required=False),
        sections=tuple(sections),
        questions=tuple(questions),
    )
    check_questionnaire(spec)
    return spec


def _question(raw: object, where: str, section: str) -> QuestionSpec:
    if not isinstance(raw, dict):
        raise QuestionnaireError(f"{where}: a question is a mapping")
    choices: list[Choice] = []
    for c_number, choice in enumerate(raw.get("choices") or [], start=1):
        if not isinstance(choice, dict):
            raise QuestionnaireError(f"{where}, choice {c_number}: a choice is a mapping")
        choices.append(
            Choice(
                value=_text(choice, "value", f"{where}, choice {c_number}"),
                label_vi=_text(choice, "label_vi", f"{where}, choice {c_number}"),
                label_en=_text(choice, "label_en", f"{where}, choice {c_number}", required=False),
            )
        )
    show_if = raw.get("show_if") or {}
    if not isinstance(show_if, dict):
        raise QuestionnaireError(f"{where}: show_if is a mapping of question and value")
    return QuestionSpec(
        code=_text(raw, "code", where),
        kind=_text(raw, "kind", where),
        text_vi=_text(raw, "text_vi", where),
        text_en=_text(raw, "text_en", where, required=False),
        choices=tuple(choices),
        factor=_text(raw, "factor", where, required=False),
        dimension=_text(raw, "dimension", where, required=False),
        required=bool(raw.get("required", False)),
        show_if_question=_text(show_if, "question", where, required=False),
        show_if_value=_text(show_if, "value", where, required=False),
        section=section,
    )


def check_questionnaire(spec: QuestionnaireSpec) -> None:
    """Codes well formed and unique, kinds and factors known, choices where a kind needs them,
    skip conditions that refer to an earlier question."""
    if not CODE.match(spec.code.replace("-", "_")):
        raise QuestionnaireError(f"questionnaire: code {spec.code!r} is not a code")
    seen: dict[str, QuestionSpec] = {}
    for q in spec.questions:
        where = f"question {q.code}"
        if not CODE.match(q.code):
            raise QuestionnaireError(f"{where}: a code is lower-case letters, digits and _")
        if q.code in seen:
            raise QuestionnaireError(f"{where}: the code is used twice")
        if q.kind not in KINDS:
            raise QuestionnaireError(f"{where}: kind {q.kind!r} is not one of {', '.join(KINDS)}")
        if q.factor and q.factor not in FACTORS:
            raise QuestionnaireError(f"{where}: factor {q.factor!r} is not a SIPAS factor")
        if q.dimension not in DIMENSIONS:
            raise QuestionnaireError(f"{where}: dimension {q.dimension!r} is not known")
        values = [c.value for c in q.choices]
        if q.kind in ("single", "multiple") and not values:
            raise QuestionnaireError(f"{where}: a choice question needs its choices")
        if len(set(values)) != len(values):
            raise QuestionnaireError(f"{where}: a choice value is used twice")
        if q.kind == "scale" and values and tuple(values) != SCALE:
            raise QuestionnaireError(f"{where}: a scale's choices are 1 to 5")
        if q.show_if_question:
            earlier = seen.get(q.show_if_question)
            if earlier is None:
                raise QuestionnaireError(
                    f"{where}: shown if {q.show_if_question!r}, which is not an earlier question"
                )
            if not q.show_if_value:
                raise QuestionnaireError(f"{where}: shown if {q.show_if_question} has which value?")
        seen[q.code] = q


# --- checking an answer --------------------------------------------------------------------------


def check_answer(question: QuestionSpec, raw: str) -> Value | Refusal | None:
    """The answer as stored, a Refusal saying why not, or None for a blank (not answered)."""
    text = clean(raw)
    if not text:
        return None
    if question.kind == "scale":
        number = _number(text)
        if number is None or str(number) not in SCALE:
            return Refusal("not_in_scale", {"value": text})
        return Value(number=number)
    if question.kind == "single":
        if text not in {c.value for c in question.choices}:
            return Refusal("not_a_choice", {"value": text, "choices": _values(question)})
        return Value(text=text)
    if question.kind == "multiple":
        picked = [v for v in _SEPARATORS.split(text) if v]
        allowed = {c.value for c in question.choices}
        wrong = [v for v in picked if v not in allowed]
        if wrong:
            return Refusal("not_a_choice", {"value": wrong[0], "choices": _values(question)})
        # Stored once each, in the questionnaire's order.
        ordered = [c.value for c in question.choices if c.value in picked]
        return Value(text=" ".join(ordered))
    if question.kind == "number":
        number = _number(text)
        if number is None:
            return Refusal("not_a_number", {"value": text})
        if not Decimal(0) <= number < NUMBER_MAX or number != number.quantize(Decimal("0.01")):
            return Refusal("number_range", {"value": text})
        return Value(number=number)
    if question.kind == "yes_no":
        folded = fold(text)
        if folded in _YES:
            return Value(text="yes")
        if folded in _NO:
            return Value(text="no")
        return Refusal("not_yes_no", {"value": text})
    if len(text) > TEXT_MAX:
        return Refusal("too_long", {"limit": TEXT_MAX, "n": len(text)})
    return Value(text=text)


def _values(question: QuestionSpec) -> str:
    return ", ".join(c.value for c in question.choices)


def _number(text: str) -> Decimal | None:
    try:
        number = parse_decimal(text)
    except (NumberFormatError, ValueError, ArithmeticError):
        return None
    if not number.is_finite():
        return None
    # 4.0 from a spreadsheet is the answer 4.
    if number == number.to_integral_value() and abs(number) < NUMBER_MAX:
        return number.quantize(Decimal(1))
    return number


def is_shown(question: QuestionSpec, answers: Mapping[str, Value]) -> bool:
    """Whether the question is asked, given the answers before it: "show if q3 = yes" holds
    when q3's answer is yes (or, for a multiple choice, includes yes)."""
    if not question.show_if_question:
        return True
    given = answers.get(question.show_if_question)
    if given is None:
        return False
    if given.number is not None:
        return str(given.number) == question.show_if_value
    return question.show_if_value in given.text.split(" ") or given.text == question.show_if_value
