"""The coordinator imports the Cà Mau table in a real browser and completes it with htmx."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from parindex.methodology.models import Framework, FrameworkStatus, Node
from parindex.orgs.models import User
from tests.browser.conftest import LoginHelper

CA_MAU = (
    Path(__file__).resolve().parents[1]
    / "methodology"
    / "data"
    / "reference"
    / "raw"
    / "camau-1880-01.txt"
).read_text(encoding="utf-8")


def editor_save(page: Page) -> None:
    """Submit the form htmx put in #editor and wait until the tree's page has loaded again.

    A "load" event, not any navigation: a jump to #node-1.3.1 on the same page is a
    navigation too, but shows the tree as it was before the change.
    """
    with page.expect_event("load"):
        page.locator("#editor form [type=submit]").first.click()


def test_coordinator_completes_the_imported_ca_mau_draft_until_it_is_valid(
    coordinator: User, page: Page, live_server: LiveServer, login: LoginHelper
) -> None:
    login(page, live_server, coordinator, next_path="/criteria/import/")
    page.fill("#id_text", CA_MAU)
    page.fill("#id_name", "Cà Mau 1880")
    page.fill("#id_declared_total", "10")
    with page.expect_navigation():
        page.locator("form[enctype='multipart/form-data'] [type=submit]").click()

    framework = Framework.objects.get()
    expect(page).to_have_url(re.compile(rf"/criteria/{framework.pk}/$"))
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "draft")
    # Domain 1's parts add up to 10, not its 20, nor to the declared 10; 1.3 has no bands.
    expect(page.locator("[data-gaps] li")).to_have_count(3)

    # Add under 1.3: the form comes into the editor with the next code filled in.
    node_13 = Node.objects.get(framework=framework, code="1.3")
    page.locator('[id="node-1.3"] > .tree-row button[hx-get$="?parent=1.3"]').click()
    expect(page.locator("#editor input[name=code]")).to_have_value("1.3.1")
    page.fill("#editor textarea[name=name]", "Ban hành và thực hiện kế hoạch kiểm tra CCHC")
    page.fill("#editor input[name=max_points]", "3")
    editor_save(page)
    expect(page.locator('[id="node-1.3.1"]')).to_be_visible()
    assert node_13.children.count() == 1

    # Bands of 1.3.1.
    node = Node.objects.get(framework=framework, code="1.3.1")
    page.locator(f'button[hx-get="/criteria/nodes/{node.pk}/bands/"]').click()
    page.fill(
        "#editor textarea[name=bands]",
        "Thực hiện đầy đủ: 3\nThực hiện chưa đầy đủ: 1,5\nKhông thực hiện: 0",
    )
    editor_save(page)
    expect(page.locator('[id="node-1.3.1"] .bands .tree-points')).to_have_text(["3", "1,5", "0"])

    # Domain 1 is worth what its known parts add up to (the fragment has no 1.4 and beyond).
    domain = Node.objects.get(framework=framework, code="1")
    page.locator(f'button[hx-get="/criteria/nodes/{domain.pk}/edit/"]').click()
    expect(page.locator("#editor input[name=code]")).to_have_value("1")
    page.fill("#editor input[name=max_points]", "10")
    editor_save(page)

    expect(page.locator("[data-status]")).to_have_attribute("data-status", "valid")
    expect(page.locator("[data-valid]")).to_be_visible()
    expect(page.locator("[data-gaps]")).to_have_count(0)
    framework.refresh_from_db()
    assert framework.status == FrameworkStatus.VALID
