"""Each role signs in with a real browser and lands on its home page, in Vietnamese."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from parindex.methodology import actions
from parindex.methodology.importing import read_tree
from parindex.methodology.models import Framework
from parindex.orgs.models import Organisation
from tests.browser.conftest import LoginHelper

ILLUSTRATIVE = (
    Path(__file__).resolve().parents[2]
    / "parindex"
    / "methodology"
    / "data"
    / "demo-lao-cai-2020-illustrative.yaml"
)

# The sections each role's home page has beyond the common ones.
SECTIONS = {
    "coordinator": "recent",
    "reporter": "own-agency",
    "head": "own-agency",
    "district_head": "own-agency",
    "appraiser": "appraised",
    "leader": "frameworks",
}


@pytest.fixture
def illustrative(province: Organisation) -> Framework:
    return actions.import_framework(
        read_tree(ILLUSTRATIVE.read_bytes(), ILLUSTRATIVE.name), by=None, province=province
    )


@pytest.mark.parametrize("role", list(SECTIONS))
def test_each_role_sees_its_home_page_in_vietnamese(
    role: str,
    request: pytest.FixtureRequest,
    illustrative: Framework,
    page: Page,
    live_server: LiveServer,
    login: LoginHelper,
) -> None:
    user = request.getfixturevalue(role)
    login(page, live_server, user)

    expect(page.locator("html")).to_have_attribute("lang", "vi")
    nav = page.locator("nav.app-nav")
    expect(nav).to_contain_text("Trang chủ")
    expect(nav).to_contain_text("Bộ tiêu chí")
    expect(page.locator("h1")).to_have_text(f"Xin chào, {user.full_name}")
    expect(page.locator(f"[data-section={SECTIONS[role]}]")).to_be_visible()
    # Only the coordinator has the audit trail on the home page.
    expect(page.locator("[data-section=recent]")).to_have_count(1 if role == "coordinator" else 0)


def test_criteria_points_are_written_the_vietnamese_way(
    coordinator: object,
    illustrative: Framework,
    page: Page,
    live_server: LiveServer,
    login: LoginHelper,
) -> None:
    login(page, live_server, coordinator, next_path=f"/criteria/{illustrative.pk}/")
    domain = page.locator('[id="node-3"] > .tree-row .tree-points')
    expect(domain).to_have_text("14,5")
    expect(page.locator('[id="node-8"] > .tree-row .tree-points')).to_have_text("15,5")
    expect(page.locator("[data-valid]")).to_be_visible()
