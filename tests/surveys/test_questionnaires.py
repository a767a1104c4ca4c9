"""The shipped questionnaire, versions that never change, answers checked against their
questions, skip conditions."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from parindex.orgs.models import AuditEntry, User
from parindex.surveys import actions, shipped
from parindex.surveys.models import Question, Questionnaire
from parindex.surveys.questions import (
    QuestionnaireError,
    QuestionSpec,
    Refusal,
    Value,
    check_answer,
    is_shown,
    read_questionnaire,
)
from parindex.surveys.reading import spec_of

SAT = ("sat_access", "sat_procedure", "sat_staff", "sat_result", "sat_feedback", "sat_overall")


def test_the_default_questionnaire_is_in_every_database(db: None) -> None:
    questionnaire = Questionnaire.objects.get(code="sipas-default", version=1)
    sat = {q.code: q for q in questionnaire.questions.filter(code__startswith="sat_")}
    assert sorted(sat) == sorted(SAT)
    assert {code: q.factor for code, q in sat.items()} == {
        "sat_access": "access",
        "sat_procedure": "procedure",
        "sat_staff": "staff",
        "sat_result": "result",
        "sat_feedback": "feedback",
        "sat_overall": "overall",
    }
    assert all(q.kind == "scale" for q in sat.values())
    assert [c["value"] for c in sat["sat_staff"].choices] == ["1", "2", "3", "4", "5"]
    assert sat["sat_staff"].choices[3]["label_vi"] == "Hài lòng"
    kinds = set(questionnaire.questions.values_list("kind", flat=True))
    assert kinds == {"single", "multiple", "scale", "number", "yes_no", "text"}
    assert "2640/QĐ-BNV" in questionnaire.source


def test_loading_the_default_again_changes_nothing(db: None) -> None:
    before = Question.objects.count()
    first = actions.load_default_questionnaire()
    assert actions.load_default_questionnaire() == first
    assert Question.objects.count() == before
    assert spec_of(first) == shipped.default_questionnaire()


def test_a_stored_version_is_never_rewritten(db: None, coordinator: User) -> None:
    changed = replace(shipped.default_questionnaire(), title_vi="Phiếu khác")
    with pytest.raises(ValidationError) as refused:
        actions.load_questionnaire(changed, by=coordinator)
    assert "new version" in refused.value.message_dict["version"][0]
    newer = actions.load_questionnaire(replace(changed, version=2), by=coordinator)
    assert (newer.version, newer.title_vi) == (2, "Phiếu khác")
    assert AuditEntry.objects.filter(action="surveys.questionnaire.load").count() == 1
    assert actions.latest_questionnaire("sipas-default") == newer


def test_only_home_affairs_adds_questionnaires(db: None, reporter: User, leader: User) -> None:
    spec = replace(shipped.default_questionnaire(), code="khac")
    for person in (reporter, leader):
        with pytest.raises(PermissionDenied):
            actions.load_questionnaire(spec, by=person)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- a list", "a mapping"),
        ("code: x\ntitle_vi: X\nsections: []", "no sections"),
        (
            "code: x\ntitle_vi: X\nsections:\n - {code: s, title_vi: S, questions: "
            "[{code: q1, kind: slider, text_vi: Q}]}",
            "kind 'slider'",
        ),
        (
            "code: x\ntitle_vi: X\nsections:\n - {code: s, title_vi: S, questions: "
            "[{code: q1, kind: single, text_vi: Q}]}",
            "needs its choices",
        ),
        (
            "code: x\ntitle_vi: X\nsections:\n - {code: s, title_vi: S, questions: "
            "[{code: q1, kind: text, text_vi: Q, show_if: {question: q9, value: yes}}]}",
            "not an earlier question",
        ),
        (
            "code: x\ntitle_vi: X\nsections:\n - {code: s, title_vi: S, questions: "
            "[{code: q1, kind: text, text_vi: Q}, {code: q1, kind: text, text_vi: R}]}",
            "used twice",
        ),
    ],
)
def test_a_questionnaire_file_with_a_problem_is_refused_naming_it(text: str, message: str) -> None:
    with pytest.raises(QuestionnaireError, match=message):
        read_questionnaire(text)


SPEC = shipped.default_questionnaire()


def question(code: str) -> QuestionSpec:
    found = SPEC.question(code)
    assert found is not None
    return found


@pytest.mark.parametrize(
    ("code", "raw", "expected"),
    [
        ("sat_staff", "4", Value(number=Decimal(4))),
        ("sat_staff", "4.0", Value(number=Decimal(4))),
        ("sat_staff", "4,5", Refusal("not_in_scale", {"value": "4,5"})),
        ("sat_staff", "6", Refusal("not_in_scale", {"value": "6"})),
        ("sat_staff", "", None),
        ("trips", "3", Value(number=Decimal(3))),
        # Numbers are read the Vietnamese way; at most two decimal places.
        ("trips", "1.234,5", Value(number=Decimal("1234.5"))),
        ("trips", "1,234", Refusal("number_range", {"value": "1,234"})),
        ("trips", "ba", Refusal("not_a_number", {"value": "ba"})),
        ("on_time", "Có", Value(text="yes")),
        ("on_time", "KHÔNG", Value(text="no")),
        ("expect_staff", "thai-do", Value(text="thai-do")),
        # A multiple choice is stored once each, in the questionnaire's order.
        ("ask_procedure", "web; bang, web", Value(text="bang web")),
        ("suggestion", "  Cần  thêm ghế chờ ", Value(text="Cần thêm ghế chờ")),
    ],
)
def test_an_answer_is_checked_against_its_question(
    code: str, raw: str, expected: Value | Refusal | None
) -> None:
    result = check_answer(question(code), raw)
    if isinstance(expected, Refusal):
        assert isinstance(result, Refusal)
        assert (result.code, result.params["value"]) == (expected.code, expected.params["value"])
    else:
        assert result == expected


@pytest.mark.parametrize(
    ("code", "answers", "shown"),
    [
        ("sat_feedback", {"gave_feedback": Value(text="yes")}, True),
        ("sat_feedback", {"gave_feedback": Value(text="no")}, False),
        ("sat_feedback", {}, False),
        ("late_days", {"on_time": Value(text="no")}, True),
        ("late_days", {"on_time": Value(text="yes")}, False),
        ("sat_staff", {}, True),
    ],
)
def test_skip_conditions_show_a_question_only_after_the_answer_it_needs(
    code: str, answers: dict[str, Value], shown: bool
) -> None:
    assert is_shown(question(code), answers) is shown
