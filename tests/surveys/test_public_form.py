"""The public form: reached without signing in, one response per dossier, the signed form token,
the rate limit per address, skip conditions applied on submit, and the product's own pages for an
unknown or closed survey."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings as django_conf
from django.core import signing
from django.test import Client
from django.utils import timezone
from pytest_django import Settings

from parindex.surveys import actions, collection
from parindex.surveys.models import Response, ResponseChannel, Survey
from tests.conftest import LaoCai

GOOD = {"sat_access": "5", "sat_staff": "4", "on_time": "yes", "sat_overall": "4"}


def english(address: str = "127.0.0.1") -> Client:
    """A visitor who chose English with the switch (the form is Vietnamese by default)."""
    client = Client(REMOTE_ADDR=address)
    client.cookies[django_conf.LANGUAGE_COOKIE_NAME] = "en"
    return client


def form_url(survey: Survey, agency: str = "so-tu-phap", dossier: str = "") -> str:
    return f"/s/{survey.code}/{agency}/" + (f"?ho-so={dossier}" if dossier else "")


def token_of(client: Client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200
    found = re.search(r'name="token" value="([^"]+)"', page.content.decode())
    assert found is not None
    return found.group(1)


def send(client: Client, url: str, answers: dict[str, str], token: str | None = None) -> Any:
    token = token_of(client, url) if token is None else token
    return client.post(url, {**answers, "token": token})


def test_anyone_opens_the_form_without_signing_in_and_it_shows_no_responses(
    open_survey: Survey, lao_cai: LaoCai
) -> None:
    actions.add_response(
        open_survey,
        by=None,
        agency=lao_cai.justice,
        submitted_at=timezone.now(),
        answers={"suggestion": "Cán bộ nhiệt tình"},
    )
    page = english().get(form_url(open_survey))
    text = page.content.decode()
    assert page.status_code == 200
    assert "Sở Tư pháp" in text and 'name="sat_staff"' in text
    assert "Cán bộ nhiệt tình" not in text


def test_a_sent_form_is_one_web_response_of_the_links_agency_and_dossier(
    open_survey: Survey, lao_cai: LaoCai
) -> None:
    client = english()
    url = form_url(open_survey, dossier="000.12.34.H35-201020-0001")
    sent = send(client, url, GOOD)
    assert sent.status_code == 302 and sent["Location"].endswith("/cam-on/")
    response = Response.objects.get(survey=open_survey)
    assert response.agency == lao_cai.justice
    assert response.channel == ResponseChannel.WEB
    assert response.dossier_code == "000.12.34.H35-201020-0001"
    assert response.created_by is None
    assert {a.question.code: a.number for a in response.answers.all()}["sat_access"] == 5
    assert client.get(sent["Location"]).status_code == 200


def test_a_second_response_for_the_same_dossier_is_refused_with_a_clear_message(
    open_survey: Survey,
) -> None:
    client = english()
    url = form_url(open_survey, dossier="HS-1")
    token = token_of(client, url)
    assert client.post(url, {**GOOD, "token": token}).status_code == 302
    again = client.post(url, {**GOOD, "token": token})
    assert again.status_code == 409
    assert "already been received" in again.content.decode()
    # Opening the used link again says so before any question is asked.
    reopened = client.get(url)
    assert reopened.status_code == 409 and 'name="token"' not in reopened.content.decode()
    assert Response.objects.filter(survey=open_survey).count() == 1


def test_a_form_without_a_token_or_with_a_forged_one_saves_nothing(open_survey: Survey) -> None:
    client = english()
    url = form_url(open_survey)
    forged = signing.dumps({"s": open_survey.pk, "a": 1, "d": "", "t": 0}, salt="other")
    for token in ("", "abc", forged):
        refused = client.post(url, {**GOOD, "token": token})
        assert refused.status_code == 400
        assert "cannot be accepted" in refused.content.decode()
    assert not Response.objects.exists()


def test_a_token_for_another_agency_is_refused(open_survey: Survey) -> None:
    client = english()
    token = token_of(client, form_url(open_survey, agency="vp-ubnd"))
    assert send(client, form_url(open_survey), GOOD, token).status_code == 400
    assert not Response.objects.exists()


def test_an_expired_token_is_refused_and_the_form_offers_a_fresh_one(
    open_survey: Survey, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = english()
    url = form_url(open_survey)
    token = token_of(client, url)
    monkeypatch.setattr(collection, "TOKEN_MAX_AGE", timedelta(seconds=-1))
    refused = client.post(url, {**GOOD, "token": token})
    assert refused.status_code == 400
    assert "expired" in refused.content.decode()
    assert not Response.objects.exists()
    monkeypatch.undo()
    fresh = re.search(r'name="token" value="([^"]+)"', refused.content.decode())
    assert fresh is not None and fresh.group(1) != ""
    assert client.post(url, {**GOOD, "token": fresh.group(1)}).status_code == 302


def test_after_the_limit_an_address_is_answered_429_in_vietnamese(
    open_survey: Survey, settings: Settings
) -> None:
    settings.PARINDEX_SURVEY_RATE_LIMIT = 3
    client = english("203.0.113.7")
    url = form_url(open_survey)
    token = token_of(client, url)
    statuses = [client.post(url, {**GOOD, "token": token}).status_code for _ in range(3)]
    assert statuses == [302, 302, 302]
    limited = client.post(url, {**GOOD, "token": token})
    assert limited.status_code == 429
    assert Response.objects.count() == 3
    with_vietnamese = Client(REMOTE_ADDR="203.0.113.7")
    text = with_vietnamese.post(url, {**GOOD, "token": token}).content.decode()
    assert "Quá nhiều" in text
    # Another address is not held back by the first.
    other = english("198.51.100.2")
    assert other.post(url, {**GOOD, "token": token}).status_code == 302


def test_the_form_leaves_out_answers_a_skip_condition_hides(open_survey: Survey) -> None:
    client = english()
    sent = send(client, form_url(open_survey), {**GOOD, "on_time": "yes", "late_days": "3"})
    assert sent.status_code == 302
    codes = set(Response.objects.get().answers.values_list("question__code", flat=True))
    assert "late_days" not in codes and "on_time" in codes


def test_the_form_keeps_answers_a_skip_condition_asks_for(open_survey: Survey) -> None:
    client = english()
    send(client, form_url(open_survey), {**GOOD, "on_time": "no", "late_days": "3"})
    codes = set(Response.objects.get().answers.values_list("question__code", flat=True))
    assert "late_days" in codes


def test_an_answer_off_the_scale_is_named_and_nothing_saved(open_survey: Survey) -> None:
    client = english()
    refused = send(client, form_url(open_survey), {**GOOD, "sat_staff": "9"})
    assert refused.status_code == 400
    assert "not on the scale" in refused.content.decode()
    assert not Response.objects.exists()


def test_an_unknown_survey_or_agency_gets_the_products_not_found_page(
    open_survey: Survey, yen_bai: object
) -> None:
    client = english()
    for url in ("/s/khong-co/so-tu-phap/", f"/s/{open_survey.code}/khong-co/"):
        page = client.get(url)
        assert page.status_code == 404 and "Survey not found" in page.content.decode()
    # The province itself is no agency of the form.
    assert client.get(f"/s/{open_survey.code}/lao-cai/").status_code == 404
    assert client.get(f"/s/{open_survey.code}/xx/cam-on/").status_code == 404


def test_a_survey_outside_its_dates_gets_the_closed_page_on_view_and_submit(
    survey: Survey, lao_cai: LaoCai
) -> None:
    client = english()
    url = form_url(survey)
    page = client.get(url)
    assert page.status_code == 410 and "closed" in page.content.decode()
    token = collection.issue_token(survey, lao_cai.justice, "")
    assert client.post(url, {**GOOD, "token": token}).status_code == 410
    assert not Response.objects.exists()


def test_a_survey_that_has_not_started_is_closed(lao_cai: LaoCai) -> None:
    later = timezone.localdate() + timedelta(days=10)
    future = actions.create_survey(
        by=None,
        code="sipas-later",
        questionnaire=actions.load_default_questionnaire(),
        province=lao_cai.province,
        starts_on=later,
        ends_on=later + timedelta(days=30),
    )
    assert Client().get(form_url(future)).status_code == 410


def test_behind_the_proxy_the_limit_counts_the_address_the_proxy_forwarded(
    open_survey: Survey, settings: Settings
) -> None:
    settings.PARINDEX_SURVEY_RATE_LIMIT = 1
    settings.PARINDEX_BEHIND_PROXY = True
    url = form_url(open_survey)

    def from_citizen(address: str, claimed: str = "") -> int:
        client = english("10.0.0.1")  # the proxy
        token = token_of(client, url)
        forwarded = f"{claimed}, {address}" if claimed else address
        status: int = client.post(
            url, {**GOOD, "token": token}, HTTP_X_FORWARDED_FOR=forwarded
        ).status_code
        return status

    assert from_citizen("203.0.113.20") == 302
    assert from_citizen("203.0.113.21") == 302
    # A forged first entry does not make a new address: the proxy's own entry is counted.
    assert from_citizen("203.0.113.20", claimed="192.0.2.99") == 429
