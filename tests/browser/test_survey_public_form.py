"""A citizen scans the QR code at the desk and answers the public form on a phone: no sign-in,
the late-days question appears only when the result was late, and the answer is counted in the
survey's indices."""

from __future__ import annotations

import io
import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import Page, expect

from parindex.surveys import actions
from parindex.surveys.models import Response
from tests.conftest import LaoCai

pytestmark = pytest.mark.browser


@pytest.mark.django_db(transaction=True)
def test_a_citizen_answers_the_public_form_on_a_phone_and_the_response_is_counted(
    page: Page, lao_cai: LaoCai
) -> None:
    today = timezone.localdate()
    survey = actions.create_survey(
        by=None,
        code="sipas-now",
        questionnaire=actions.load_default_questionnaire(),
        province=lao_cai.province,
        starts_on=today - timedelta(days=30),
        ends_on=today + timedelta(days=30),
    )
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/s/sipas-now/so-tu-phap/?ho-so=000.12.34.H35-0001")
    expect(page.locator(".survey-agency")).to_have_text("Sở Tư pháp")
    expect(page.locator(".survey-dossier")).to_contain_text("000.12.34.H35-0001")
    late = page.locator("[data-question=late_days]")
    expect(late).to_be_hidden()
    page.locator("[data-question=on_time] label", has_text="Không").click()
    expect(late).to_be_visible()
    late.locator("input").fill("3")
    # Then the result came on time after all: the late days are no longer asked, nor sent.
    page.locator("[data-question=on_time] label", has_text="Có").click()
    expect(late).to_be_hidden()
    for code, score in (("sat_access", "4"), ("sat_staff", "5"), ("sat_overall", "2")):
        tap = page.locator(f"[data-question={code}] label").filter(has_text=score).first
        box = tap.bounding_box()
        assert box is not None and box["height"] >= 44  # a thumb's tap target
        tap.click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    page.get_by_role("button", name="Gửi phiếu").click()
    expect(page.locator("h1")).to_have_text("Xin cảm ơn")

    response = Response.objects.get(survey=survey)
    codes = set(response.answers.values_list("question__code", flat=True))
    assert codes == {"on_time", "sat_access", "sat_staff", "sat_overall"}
    out = io.StringIO()
    call_command("survey", "indices", "--survey", "sipas-now", "--json", stdout=out)
    rows = {(r["agency"], r["factor"]): r for r in json.loads(out.getvalue())}
    assert (rows[("so-tu-phap", "staff")]["n"], rows[("so-tu-phap", "staff")]["satisfied"]) == (
        1,
        1,
    )
    assert rows[("so-tu-phap", "overall")]["satisfied"] == 0
    # The same dossier's link, opened again, asks nothing more.
    page.goto("/s/sipas-now/so-tu-phap/?ho-so=000.12.34.H35-0001")
    expect(page.locator("h1")).to_have_text("Hồ sơ này đã được đánh giá")
