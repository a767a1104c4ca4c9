"""Responses sent through the API with a form token and no user token: the public form's checks,
its rate limit and its one response per dossier."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from pytest_django import Settings

from parindex.surveys import collection
from parindex.surveys.models import Response, ResponseChannel, Survey
from tests.conftest import LaoCai

ANSWERS = {"sat_staff": "5", "on_time": "no", "late_days": "2"}


def token_for(client: Client, survey: Survey, agency: str, dossier: str = "") -> str:
    got = client.get(
        f"/api/surveys/{survey.code}/form-token", {"agency": agency, "dossier_code": dossier}
    )
    assert got.status_code == 200
    token: str = got.json()["token"]
    return token


def post(client: Client, survey: Survey, body: dict[str, Any]) -> Any:
    return client.post(
        f"/api/surveys/{survey.code}/responses", json.dumps(body), content_type="application/json"
    )


def test_a_response_sent_with_a_form_token_is_saved_for_the_tokens_agency_and_dossier(
    open_survey: Survey, lao_cai: LaoCai
) -> None:
    client = Client()
    token = token_for(client, open_survey, "so-tu-phap", "HS-9")
    sent = post(client, open_survey, {"token": token, "answers": ANSWERS})
    assert sent.status_code == 201
    assert (sent.json()["agency"], sent.json()["dossier_code"]) == ("so-tu-phap", "HS-9")
    response = Response.objects.get()
    assert (response.agency, response.channel) == (lao_cai.justice, ResponseChannel.WEB)


def test_the_same_dossier_twice_is_refused_409(open_survey: Survey) -> None:
    client = Client()
    token = token_for(client, open_survey, "so-tu-phap", "HS-9")
    assert post(client, open_survey, {"token": token, "answers": ANSWERS}).status_code == 201
    assert post(client, open_survey, {"token": token, "answers": ANSWERS}).status_code == 409
    again = client.get(
        f"/api/surveys/{open_survey.code}/form-token",
        {"agency": "so-tu-phap", "dossier_code": "HS-9"},
    )
    assert again.status_code == 409
    assert Response.objects.count() == 1


def test_a_forged_expired_or_other_surveys_token_is_refused_403(
    open_survey: Survey, survey: Survey, lao_cai: LaoCai, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = Client()
    forged = token_for(client, open_survey, "so-tu-phap")[:-3] + "xyz"
    other = collection.issue_token(survey, lao_cai.justice, "")
    for token in ("", forged, other):
        assert post(client, open_survey, {"token": token, "answers": ANSWERS}).status_code == 403
    good = token_for(client, open_survey, "so-tu-phap")
    monkeypatch.setattr(collection, "TOKEN_MAX_AGE", timedelta(seconds=-1))
    expired = post(client, open_survey, {"token": good, "answers": ANSWERS})
    assert expired.status_code == 403 and "hết hạn" in expired.json()["detail"]
    assert not Response.objects.exists()


def test_an_answer_a_skip_condition_hides_is_refused_422_through_the_api(
    open_survey: Survey,
) -> None:
    client = Client()
    token = token_for(client, open_survey, "so-tu-phap")
    sent = post(client, open_survey, {"token": token, "answers": {**ANSWERS, "on_time": "yes"}})
    assert sent.status_code == 422
    assert "late_days" in sent.json()["errors"]
    assert not Response.objects.exists()


def test_the_api_shares_the_rate_limit_and_answers_429(
    open_survey: Survey, settings: Settings
) -> None:
    settings.PARINDEX_SURVEY_RATE_LIMIT = 2
    client = Client(REMOTE_ADDR="203.0.113.9")
    token = token_for(client, open_survey, "so-tu-phap")
    statuses = [
        post(client, open_survey, {"token": token, "answers": ANSWERS}).status_code
        for _ in range(3)
    ]
    assert statuses == [201, 201, 429]
    assert (
        "10 phút"
        in post(client, open_survey, {"token": token, "answers": ANSWERS}).json()["detail"]
    )
    assert Response.objects.count() == 2


def test_an_unknown_or_closed_survey_takes_nothing(survey: Survey, lao_cai: LaoCai) -> None:
    client = Client()
    token = collection.issue_token(survey, lao_cai.justice, "")
    assert post(client, survey, {"token": token, "answers": ANSWERS}).status_code == 410
    closed = client.get(f"/api/surveys/{survey.code}/form-token", {"agency": "so-tu-phap"})
    assert closed.status_code == 410
    unknown = client.get("/api/surveys/khong-co/form-token", {"agency": "so-tu-phap"})
    assert unknown.status_code == 404
    assert (
        client.get(f"/api/surveys/{survey.code}/form-token", {"agency": "khong-co"}).status_code
        == 404
    )
    assert not Response.objects.exists()
