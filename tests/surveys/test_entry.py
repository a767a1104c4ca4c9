"""One response entered from a paper form: the checks of an import, one field at a time."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from parindex.orgs.models import AuditEntry, User
from parindex.surveys import actions
from parindex.surveys.models import Answer, Response, ResponseChannel, Survey
from tests.conftest import LaoCai, YenBai

APRIL = timezone.make_aware(datetime(2020, 4, 15, 9, 30))


def test_a_paper_form_is_entered_with_its_answers(
    survey: Survey, lao_cai: LaoCai, coordinator: User
) -> None:
    response = actions.add_response(
        survey,
        by=coordinator,
        agency=lao_cai.justice,
        submitted_at=APRIL,
        dossier_code="000.00.12.H39-200415-0001",
        answers={"sat_staff": "5", "on_time": "không", "late_days": "3", "sat_overall": ""},
    )
    assert response.channel == ResponseChannel.PAPER
    answers = {a.question.code: (a.number, a.text) for a in response.answers.all()}
    assert answers == {"sat_staff": (5, ""), "on_time": (None, "no"), "late_days": (3, "")}
    entry = AuditEntry.objects.get(action="surveys.response.add")
    assert (entry.actor, entry.province_id) == (coordinator, survey.province_id)


def test_one_response_per_dossier_code(survey: Survey, lao_cai: LaoCai) -> None:
    actions.add_response(
        survey, by=None, agency=lao_cai.justice, submitted_at=APRIL, dossier_code="H01",
        answers={"sat_staff": "4"},
    )  # fmt: skip
    with pytest.raises(ValidationError) as refused:
        actions.add_response(
            survey, by=None, agency=lao_cai.office, submitted_at=APRIL, dossier_code="H01",
            answers={"sat_staff": "2"},
        )  # fmt: skip
    assert refused.value.message_dict == {
        "dossier_code": ["dossier H01 already has a response in this survey."]
    }
    assert Response.objects.count() == 1


def test_every_bad_field_and_answer_is_named_and_nothing_is_saved(
    survey: Survey, lao_cai: LaoCai, yen_bai: YenBai
) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.add_response(
            survey,
            by=None,
            agency=yen_bai.home_affairs,
            submitted_at=timezone.make_aware(datetime(2021, 1, 1, 8)),
            answers={
                "sat_staff": "9",
                "gave_feedback": "no",
                "sat_feedback": "5",
                "ghe_cho": "5",
            },
        )
    assert refused.value.message_dict == {
        "agency": ["no agency of the province has the code “so-noi-vu”."],
        "submitted_at": [
            "submitted_at 2021-01-01 is outside the survey (01/01/2020 to 31/12/2020)."
        ],
        "__all__": ["Not questions of the questionnaire: ghe_cho."],
        "sat_staff": ["sat_staff: “9” is not on the scale 1 to 5."],
        "sat_feedback": [
            "sat_feedback is answered, but it is asked only when gave_feedback is yes."
        ],
    }
    assert not Response.objects.exists() and not Answer.objects.exists()


def test_a_form_with_no_answer_is_refused(survey: Survey, lao_cai: LaoCai) -> None:
    with pytest.raises(ValidationError) as refused:
        actions.add_response(
            survey, by=None, agency=lao_cai.justice, submitted_at=APRIL, answers={"sat_staff": ""}
        )
    assert refused.value.message_dict == {"__all__": ["Answer at least one question."]}


def test_only_the_provinces_coordinators_enter_paper_forms(
    survey: Survey, lao_cai: LaoCai, reporter: User, head: User, leader: User, outsider: User
) -> None:
    for person in (reporter, head, leader, outsider):
        with pytest.raises(PermissionDenied):
            actions.add_response(
                survey, by=person, agency=lao_cai.justice, submitted_at=APRIL,
                answers={"sat_staff": "5"},
            )  # fmt: skip
    assert not Response.objects.exists()
