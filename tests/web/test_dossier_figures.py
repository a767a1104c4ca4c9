"""Beside the dossier rates agencies type into their reports, the rates their one-stop-shop
records give over the round's period: on the report, in a target's agencies and, for the
province, on the round's overview; a typed rate further than half a point from the records'
is flagged, and nobody sees the records of an agency whose dossiers they may not read."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.test import Client

from parindex.dossiers import actions as dossier_actions
from parindex.orgs.models import User
from parindex.reporting import actions
from parindex.reporting.models import Report, Round
from tests.conftest import LaoCai
from tests.dossiers.support import csv_file
from tests.web.pages import page
from tests.web.reporting_data import SmallPlan, fill, value_of

pytestmark = pytest.mark.django_db
ClientFor = Callable[[User], Client]
HX = {"HX-Request": "true"}


def resolved(
    code: str,
    agency: str,
    procedure: str,
    received: date,
    due_in: int,
    done_in: int,
    *,
    channel: str = "1",
) -> tuple[str, ...]:
    """A resolved dossier's row: due `due_in` days and finished `done_in` days after receipt."""
    return (
        code,
        agency,
        procedure,
        channel,
        "3" if channel == "2" else "",
        "0",
        "DA_GIAI_QUYET",
        received.isoformat(),
        (received + timedelta(days=due_in)).isoformat(),
        (received + timedelta(days=done_in)).isoformat(),
    )


def records(tmp_path: Path, lao_cai: LaoCai, coordinator: User, *, year: int) -> None:
    """Sở Tư pháp resolved 20 dossiers in the fourth quarter, 18 of them in time; one more is
    the city's, and one of Sở Tư pháp's was finished in the quarter before."""
    rows: list[tuple[str, ...]] = []
    start = date(year, 10, 5)
    for k in range(20):
        received = start + timedelta(days=k)
        due = received + timedelta(days=10)
        finished = due + timedelta(days=3) if k < 2 else due - timedelta(days=1)
        rows.append(
            (
                f"HS-{k:03d}",
                "so-tu-phap",
                "1.001",
                "1",
                "",
                "0",
                "DA_GIAI_QUYET",
                received.isoformat(),
                due.isoformat(),
                finished.isoformat(),
            )
        )
    rows.append(resolved("HS-100", "tp-lao-cai", "2.001", date(year, 10, 1), 8, 8, channel="2"))
    rows.append(resolved("HS-101", "so-tu-phap", "1.001", date(year, 7, 1), 8, 19))
    dossier_actions.import_dossiers(
        lao_cai.province, csv_file(tmp_path / "mot-cua.csv", rows), by=coordinator
    )


@pytest.fixture
def recorded(tmp_path: Path, lao_cai: LaoCai, coordinator: User, q4: Round) -> None:
    records(tmp_path, lao_cai, coordinator, year=q4.ends_on.year)


def typed(
    report: Report, small_plan: SmallPlan, head: User, numerator: str, denominator: str
) -> None:
    fill(report, None, counts={value_of(report, small_plan.on_time_rate): (numerator, denominator)})
    actions.submit_report(report, by=head)


def test_the_report_shows_the_records_rate_beside_the_typed_one(
    recorded: None,
    coordinator: User,
    head: User,
    client_for: ClientFor,
    q4: Round,
    justice_report: Report,
    small_plan: SmallPlan,
) -> None:
    typed(justice_report, small_plan, head, "9", "10")
    doc = page(client_for(coordinator).get(f"/reports/{justice_report.pk}/"))
    shown = doc.one(data_computed="ty_le_dung_han")
    assert "Tính từ 20 hồ sơ: 90,00 % (18 / 20)" in shown.text
    assert not doc.select(data_disagrees=True)


def test_a_typed_rate_the_records_do_not_bear_out_is_flagged(
    recorded: None,
    coordinator: User,
    head: User,
    client_for: ClientFor,
    q4: Round,
    justice_report: Report,
    small_plan: SmallPlan,
) -> None:
    typed(justice_report, small_plan, head, "19", "20")
    client = client_for(coordinator)
    doc = page(client.get(f"/reports/{justice_report.pk}/"))
    assert (
        doc.one(data_computed="ty_le_dung_han").one(data_disagrees=True).text
        == "khác số liệu đã nhập"
    )
    # The target's agencies, as the overview opens them, flag it too.
    drill = page(
        client.get(f"/reports/rounds/{q4.pk}/targets/{small_plan.on_time.pk}/", headers=HX)
    )
    cell = drill.one("tr", data_report=str(justice_report.pk))
    assert "Tính từ 20 hồ sơ: 90,00 %" in cell.one(data_computed=True).text
    assert cell.select(data_disagrees=True)


def test_the_overview_shows_the_provinces_rate_from_all_its_records(
    recorded: None,
    coordinator: User,
    head: User,
    client_for: ClientFor,
    q4: Round,
    justice_report: Report,
    small_plan: SmallPlan,
) -> None:
    typed(justice_report, small_plan, head, "9", "10")
    doc = page(client_for(coordinator).get(f"/reports/rounds/{q4.pk}/"))
    row = doc.one("tr", data_quantity=str(small_plan.on_time_rate.pk))
    # 18 of Sở Tư pháp's 20 and the city's one in time: 19 / 21.
    assert row.one(data_computed=True).text == "Toàn tỉnh, tính từ 21 hồ sơ: 90,48 % (19 / 21)"


def test_the_province_may_choose_the_on_time_rate_that_counts_overdue_pending_dossiers(
    recorded: None,
    coordinator: User,
    head: User,
    client_for: ClientFor,
    q4: Round,
    justice_report: Report,
    small_plan: SmallPlan,
    lao_cai: LaoCai,
) -> None:
    dossier_actions.save_kpi_settings(
        lao_cai.province, by=coordinator, carried_over_from_start_day=True, on_time_rate="due"
    )
    typed(justice_report, small_plan, head, "9", "10")
    doc = page(client_for(coordinator).get(f"/reports/{justice_report.pk}/"))
    assert doc.one(data_computed="ty_le_dung_han_ca_dang_qua_han")


def test_without_records_nothing_is_computed(
    coordinator: User,
    head: User,
    client_for: ClientFor,
    justice_report: Report,
    small_plan: SmallPlan,
) -> None:
    typed(justice_report, small_plan, head, "9", "10")
    doc = page(client_for(coordinator).get(f"/reports/{justice_report.pk}/"))
    assert not doc.select(data_computed=True)


def test_the_agency_sees_its_own_records_and_an_appraiser_none(
    recorded: None,
    coordinator: User,
    head: User,
    appraiser: User,
    client_for: ClientFor,
    q4: Round,
    justice_report: Report,
    small_plan: SmallPlan,
) -> None:
    typed(justice_report, small_plan, head, "9", "10")
    assert page(client_for(head).get(f"/reports/{justice_report.pk}/")).select(data_computed=True)
    response = client_for(appraiser).get(f"/reports/{justice_report.pk}/")
    assert response.status_code == 200
    assert not page(response).select(data_computed=True)
