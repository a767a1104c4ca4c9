"""The coordinator imports the seed plan in a real browser: upload, correct, save, approve."""

from __future__ import annotations

import re
from decimal import Decimal

from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from parindex.orgs.models import User
from parindex.plans.models import ImportStatus, Plan, PlanImport, Target
from tests.browser.conftest import LoginHelper
from tests.conftest import LaoCai
from tests.plans.support import SEED, add_seed_agencies, illustrative_tree

CORRECTED = "Bảo đảm hoàn thành 100% kế hoạch cải cách hành chính năm 2020 (đã rà soát)."


def test_coordinator_uploads_corrects_and_approves_the_seed_plan(
    coordinator: User, lao_cai: LaoCai, page: Page, live_server: LiveServer, login: LoginHelper
) -> None:
    add_seed_agencies(lao_cai.province)
    illustrative_tree(lao_cai.province)
    login(page, live_server, coordinator, next_path="/plans/import/")

    page.set_input_files("input[name=file]", str(SEED))
    with page.expect_navigation():
        page.locator("form[enctype='multipart/form-data'] [type=submit]").click()
    staged = PlanImport.objects.get()
    expect(page).to_have_url(re.compile(rf"/plans/imports/{staged.pk}/$"))
    expect(page.locator("h1")).to_contain_text("165/KH-UBND")
    expect(page.locator("#L17")).to_have_text("Số: 165 /KH-UBND")
    assert not Plan.objects.exists()

    # Target 1.1's wording and the lower bound of "95% - 100% on time" (target 3.4) corrected.
    text = page.locator("[data-area='0'] textarea[name='t0.0-text']")
    expect(text).to_have_value(re.compile(r"^Bảo đảm hoàn thành 100% kế hoạch CCHC"))
    text.fill(CORRECTED)
    value = page.locator("[data-area='2'] [data-target='2.3'] input[name='q2.3-0-value']")
    expect(value).to_have_value("95")
    value.fill("95,5")
    with page.expect_navigation():
        page.locator("button[name=save]").click()

    expect(page).to_have_url(re.compile(rf"/plans/imports/{staged.pk}/$"))
    expect(page.locator(".messages")).to_be_visible()
    expect(page.locator("[data-area='0'] textarea[name='t0.0-text']")).to_have_value(CORRECTED)
    expect(page.locator("input[name='q2.3-0-value']")).to_have_value("95,5")
    stored = PlanImport.objects.get(pk=staged.pk)
    assert (stored.revision, stored.status) == (2, ImportStatus.PENDING)
    assert stored.proposal["areas"][2]["targets"][3]["quantities"][0]["value"] == 95.5

    # The one figure whose wording does not say what will be reported is asked; answered.
    asked = page.locator("select[data-asks-measure]")
    expect(asked).to_have_count(1)
    asked.select_option("above_reference")
    with page.expect_navigation():
        page.locator("button[name=approve]").click()
    plan = Plan.objects.get()
    expect(page).to_have_url(re.compile(rf"/plans/{plan.pk}/$"))
    first = Target.objects.get(plan=plan, position=0)
    on_time = Target.objects.get(plan=plan, text__startswith="Kết quả giải quyết TTHC")
    expect(page.locator(f"tr[data-target='{first.pk}']")).to_contain_text(CORRECTED)
    expect(page.locator(f"tr[data-target='{on_time.pk}']")).to_contain_text("95,5–100 %")
    expect(page.locator("section[data-area]")).to_have_count(8)
    assert first.text == CORRECTED
    quantity = on_time.quantities.first()
    assert quantity is not None
    assert (quantity.value, quantity.value_high) == (Decimal("95.5"), Decimal("100"))
    assert plan.targets.count() == 58
