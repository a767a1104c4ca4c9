"""The province's one-stop-shop dossiers feed the forecast's rate sub-criteria and fill an
assessment's, on a small hand-computed set whose records stop on 30 June:

- Sở Tư pháp: J1 online at level 4, early; J2 in person, late; J3 by post, on the due day,
  result returned by post; J4 received 1 June, due 20 June, still pending (overdue on 30 June);
- TP Lào Cai: C1 online at level 3, early; C2 received 28 June, due 15 July, pending (not yet
  overdue); C3 in person, finished late on 30 June.

The province, 1 January–30 June: 7 dossiers, 5 resolved of which 3 on time (60 %); on time of
resolved and overdue 3 / 6 (50 %); received online 2 / 7; by post 1 / 7; procedures online at
level 3/4 or by post 3 of 5 (P1, P3, P4 of P1–P5).
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from parindex.assessment import actions as assessment_actions
from parindex.assessment.models import Assessment, Entry
from parindex.dossiers import actions as dossier_actions
from parindex.forecasting import dossier_feeds
from parindex.forecasting.gather import build
from parindex.methodology.models import Framework
from parindex.orgs.models import AuditEntry, User
from parindex.scoring import forecast as core
from parindex.scoring.engine import LeafInput
from tests.conftest import LaoCai
from tests.dossiers.support import csv_file
from tests.forecasting.support import Linked

D = Decimal
MAPPED = ("3.4.1", "7.2.1", "7.2.2", "7.3.1", "7.3.2")


def _rows(year: int) -> list[tuple[str, ...]]:
    y = str(year)
    return [
        ("J1", "so-tu-phap", "P1", "2", "4", "false", "DA_GIAI_QUYET", f"{y}-01-10", f"{y}-01-20", f"{y}-01-15"),
        ("J2", "so-tu-phap", "P2", "1", "", "false", "DA_GIAI_QUYET", f"{y}-02-01", f"{y}-02-10", f"{y}-02-12"),
        ("J3", "so-tu-phap", "P3", "3", "", "true", "DA_GIAI_QUYET", f"{y}-03-01", f"{y}-03-10", f"{y}-03-10"),
        ("J4", "so-tu-phap", "P1", "1", "", "false", "DANG_XU_LY", f"{y}-06-01", f"{y}-06-20", ""),
        ("C1", "tp-lao-cai", "P4", "2", "3", "false", "DA_GIAI_QUYET", f"{y}-04-01", f"{y}-04-10", f"{y}-04-09"),
        ("C2", "tp-lao-cai", "P5", "1", "", "false", "DANG_XU_LY", f"{y}-06-28", f"{y}-07-15", ""),
        ("C3", "tp-lao-cai", "P4", "1", "", "false", "DA_GIAI_QUYET", f"{y}-05-01", f"{y}-05-05", f"{y}-06-30"),
    ]  # fmt: skip


def _import(lao_cai: LaoCai, tmp_path: Path, rows: list[tuple[str, ...]]) -> None:
    path = csv_file(tmp_path / f"ho-so-{len(rows)}.csv", rows)
    dossier_actions.import_dossiers(lao_cai.province, path, by=None)


@pytest.fixture(autouse=True)
def _tree_for_this_year(linked: Linked) -> None:
    """The illustrative tree is of 2020; the small plan is of this year."""
    Framework.objects.filter(pk=linked.framework.pk).update(first_year=None, last_year=None)
    linked.framework.refresh_from_db()


def _ratio(facts: core.LeafFacts) -> tuple[Decimal | None, Decimal | None]:
    assert facts.current is not None
    return facts.current.numerator, facts.current.denominator


def test_the_forecast_reads_the_years_dossiers_so_far_and_says_so(
    linked: Linked, lao_cai: LaoCai, tmp_path: Path
) -> None:
    _import(lao_cai, tmp_path, _rows(linked.year))
    with translation.override("vi"):
        data = build(lao_cai.province, linked.year)
    facts = data.result.facts
    assert {code: facts[code].basis for code in MAPPED} == dict.fromkeys(
        MAPPED, core.Basis.COMPUTED
    )
    assert _ratio(facts["3.4.1"]) == (D(3), D(5))
    assert _ratio(facts["7.2.1"]) == (D(3), D(5)) == _ratio(facts["7.3.1"])
    assert _ratio(facts["7.2.2"]) == (D(2), D(7))
    assert _ratio(facts["7.3.2"]) == (D(1), D(7))
    assert facts["3.4.1"].source == (
        f"tính từ 7 hồ sơ của hệ thống một cửa (01/01–30/06/{linked.year})"
    )
    assert data.dossiers is not None and data.dossiers.end == date(linked.year, 6, 30)
    # The plan's target (≥ 90 %) still says what is aimed at.
    target = facts["3.4.1"].target
    assert target is not None and target.value == D(90)
    # A rate is a level: the same worst and expected, the target met at best.
    nodes = {name: data.result.scenario(name).result.nodes for name in core.SCENARIOS}
    assert [nodes[name]["3.4.1"].points for name in core.SCENARIOS] == [D(0), D(0), D(3)]
    assert nodes["expected"]["7.2.2"].points == D(2)  # 28,57 % ≥ 20 %
    assert nodes["expected"]["7.3.2"].points == D("1.5")  # 14,29 % ≥ 10 %


def test_the_on_time_sub_criterion_follows_the_provinces_setting(
    linked: Linked, lao_cai: LaoCai, tmp_path: Path
) -> None:
    _import(lao_cai, tmp_path, _rows(linked.year))
    dossier_actions.save_kpi_settings(
        lao_cai.province, by=None, carried_over_from_start_day=True, on_time_rate="due"
    )
    # J4 is overdue on 30 June; C2, due 15 July, is not yet: 3 / (5 + 1).
    assert _ratio(build(lao_cai.province, linked.year).result.facts["3.4.1"]) == (D(3), D(6))
    # Once the records go past the year, the year is whole and C2 is overdue too: 3 / (5 + 2).
    later = ("N1", "so-tu-phap", "P1", "1", "", "false", "DANG_XU_LY")
    _import(lao_cai, tmp_path, [(*later, f"{linked.year + 1}-01-03", "", "")])
    data = build(lao_cai.province, linked.year)
    assert _ratio(data.result.facts["3.4.1"]) == (D(3), D(7))
    assert data.dossiers is not None and data.dossiers.end == date(linked.year, 12, 31)


def test_without_dossiers_of_the_year_the_forecast_is_unchanged(
    linked: Linked, lao_cai: LaoCai, tmp_path: Path
) -> None:
    before = build(lao_cai.province, linked.year)
    _import(lao_cai, tmp_path, _rows(linked.year - 1))
    after = build(lao_cai.province, linked.year)
    assert after.dossiers is None
    assert after.result.facts == before.result.facts
    assert after.result.scenario("expected").total == before.result.scenario("expected").total
    assert before.result.facts["3.4.1"].basis != core.Basis.COMPUTED


def test_the_dossiers_take_the_place_of_a_typed_entry_not_of_an_appraised_one(
    linked: Linked, lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    assessment = _open(linked, lao_cai, coordinator, "province")
    Entry.objects.filter(unit__assessment=assessment, node__code__in=["3.4.1", "7.2.2"]).update(
        value=D(99)
    )
    assert build(lao_cai.province, linked.year).result.facts["3.4.1"].basis == (core.Basis.ASSESSED)
    _import(lao_cai, tmp_path, _rows(linked.year))
    Entry.objects.filter(unit__assessment=assessment, node__code="7.2.2").update(
        appraisal="scored", appraised_points=D("0.5")
    )
    facts = build(lao_cai.province, linked.year).result.facts
    assert facts["3.4.1"].basis == core.Basis.COMPUTED
    assert facts["3.4.1"].current == LeafInput.ratio(D(3), D(5))
    assert facts["7.2.2"].basis == core.Basis.APPRAISED and facts["7.2.2"].settled == D("0.5")


def test_the_dossiers_cost_the_forecast_no_query(
    linked: Linked, lao_cai: LaoCai, tmp_path: Path
) -> None:
    with CaptureQueriesContext(connection) as without:
        build(lao_cai.province, linked.year)
    _import(lao_cai, tmp_path, _rows(linked.year))
    dossier_actions.save_kpi_settings(
        lao_cai.province, by=None, carried_over_from_start_day=True, on_time_rate="due"
    )
    with CaptureQueriesContext(connection) as with_dossiers:
        data = build(lao_cai.province, linked.year)
    assert data.result.facts["3.4.1"].basis == core.Basis.COMPUTED
    assert len(with_dossiers) == len(without)


# --- into an assessment ------------------------------------------------------------------------


def _open(linked: Linked, lao_cai: LaoCai, coordinator: User, scope: str) -> Assessment:
    return assessment_actions.open_assessment(
        lao_cai.province,
        by=coordinator,
        framework=linked.framework,
        year=linked.year,
        scope=scope,
        deadline=date(linked.year + 1, 1, 15),
    )


def _entries(assessment: Assessment, organisation_id: int) -> dict[str, Entry]:
    return {
        e.node.code: e
        for e in Entry.objects.filter(
            unit__assessment=assessment, unit__organisation_id=organisation_id
        ).select_related("node")
    }


def test_a_coordinator_fills_the_provinces_rate_leaves_from_the_dossiers(
    linked: Linked, lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    _import(lao_cai, tmp_path, _rows(linked.year))
    assessment = _open(linked, lao_cai, coordinator, "province")
    with translation.override("vi"):
        assert dossier_feeds.fill_from_dossiers(assessment, by=coordinator) == 5
    entries = _entries(assessment, lao_cai.province.pk)
    assert (entries["3.4.1"].numerator, entries["3.4.1"].denominator) == (D(3), D(5))
    assert (entries["7.2.2"].numerator, entries["7.2.2"].denominator) == (D(2), D(7))
    assert entries["3.4.1"].source == (
        f"tính từ 7 hồ sơ của hệ thống một cửa (01/01–30/06/{linked.year})"
    )
    # 7.2.1 at 60 % reaches its best band (≥ 50 %: 2 points); 3.4.1 at 60 % none.
    assert (entries["7.2.1"].self_points, entries["3.4.1"].self_points) == (D(2), D(0))
    assert entries["7.2.3"].numerator is None  # not a dossier rate
    audit = AuditEntry.objects.get(action="assessment.unit.dossiers")
    assert audit.changes["3.4.1"] == ["—", "3/5"]


def test_each_agency_gets_the_rates_of_its_own_codes_and_the_others_are_left_alone(
    linked: Linked, lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    _import(lao_cai, tmp_path, _rows(linked.year))
    departments = _open(linked, lao_cai, coordinator, "departments")
    districts = _open(linked, lao_cai, coordinator, "districts")
    # Sở Tư pháp's first half: J1, J2, J3 resolved, two on time; J4 pending.
    assert dossier_feeds.fill_from_dossiers(departments, by=coordinator, period=f"{linked.year}H1")
    justice = _entries(departments, lao_cai.justice.pk)
    assert (justice["3.4.1"].numerator, justice["3.4.1"].denominator) == (D(2), D(3))
    assert (justice["7.3.2"].numerator, justice["7.3.2"].denominator) == (D(1), D(4))
    assert _entries(departments, lao_cai.office.pk)["3.4.1"].numerator is None
    assert dossier_feeds.fill_from_dossiers(districts, by=coordinator)
    city = _entries(districts, lao_cai.city.pk)
    assert (city["3.4.1"].numerator, city["3.4.1"].denominator) == (D(1), D(2))
    assert _entries(districts, lao_cai.bat_xat.pk)["3.4.1"].numerator is None


def test_an_appraised_entry_is_left_as_it_is_and_the_units_form_goes_stale(
    linked: Linked, lao_cai: LaoCai, coordinator: User, tmp_path: Path
) -> None:
    _import(lao_cai, tmp_path, _rows(linked.year))
    assessment = _open(linked, lao_cai, coordinator, "province")
    Entry.objects.filter(unit__assessment=assessment, node__code="3.4.1").update(
        value=D(97), appraisal="accepted"
    )
    unit = assessment.units.get()
    version = unit.version
    assert dossier_feeds.fill_from_dossiers(assessment, by=coordinator) == 4
    entries = _entries(assessment, lao_cai.province.pk)
    assert (entries["3.4.1"].value, entries["3.4.1"].numerator) == (D(97), None)
    unit.refresh_from_db()
    assert unit.version == version + 1


def test_only_the_provinces_coordinators_fill_from_dossiers_and_never_without_them(
    linked: Linked, lao_cai: LaoCai, coordinator: User, reporter: User, tmp_path: Path
) -> None:
    with translation.override("en"):
        assessment = _open(linked, lao_cai, coordinator, "province")
        with pytest.raises(ValidationError, match="no dossiers"):
            dossier_feeds.fill_from_dossiers(assessment, by=coordinator)
        _import(lao_cai, tmp_path, _rows(linked.year))
        with pytest.raises(PermissionDenied):
            dossier_feeds.fill_from_dossiers(assessment, by=reporter)
        with pytest.raises(ValidationError, match="not understood"):
            dossier_feeds.fill_from_dossiers(assessment, by=coordinator, period="sang năm")
        with pytest.raises(ValidationError, match="no dossiers"):
            dossier_feeds.fill_from_dossiers(
                assessment, by=coordinator, period=f"{linked.year - 1}"
            )
        Framework.objects.filter(pk=linked.framework.pk).update(version=7)
        assessment.refresh_from_db()
        with pytest.raises(ValidationError, match="mapped to dossier rates"):
            dossier_feeds.fill_from_dossiers(assessment, by=coordinator)
        assert not Entry.objects.filter(unit__assessment=assessment).exclude(source="").exists()
        assert not AuditEntry.objects.filter(action="assessment.unit.dossiers").exists()


def test_the_action_refuses_a_leaf_that_is_not_a_self_assessed_rate(
    linked: Linked, lao_cai: LaoCai, coordinator: User
) -> None:
    assessment = _open(linked, lao_cai, coordinator, "province")
    results = [
        assessment_actions.DossierResult(lao_cai.province.pk, "8.1.1", D(1), D(2)),  # survey
        assessment_actions.DossierResult(lao_cai.province.pk, "3.4.1", D(3), D(2)),
        assessment_actions.DossierResult(lao_cai.justice.pk, "3.4.1", D(1), D(2)),
    ]
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        assessment_actions.enter_dossier_results(assessment, by=coordinator, results=results)
    assert refused.value.messages == [
        "Row 1: 8.1.1 is not a self-assessed rate sub-criterion.",
        "Row 2: 3 of 2 is not a rate.",
        "Row 3: the unit is not assessed here.",
    ]


def test_the_command_line_fills_from_the_dossiers(
    linked: Linked, lao_cai: LaoCai, coordinator: User, reporter: User, tmp_path: Path
) -> None:
    _import(lao_cai, tmp_path, _rows(linked.year))
    assessment = _open(linked, lao_cai, coordinator, "province")
    out = io.StringIO()
    call_command(
        "assessment",
        "dossiers",
        str(assessment.pk),
        "--period",
        f"{linked.year}Q1",
        "--as",
        coordinator.username,
        stdout=out,
    )
    assert out.getvalue().startswith("5 rates computed from dossiers entered")
    # The first quarter: J1 early, J2 late, J3 on time.
    entry = _entries(assessment, lao_cai.province.pk)["3.4.1"]
    assert (entry.numerator, entry.denominator) == (D(2), D(3))
    assert entry.source.endswith(f"(01/01–31/03/{linked.year})")
    with pytest.raises(CommandError, match=r"not found|may not"):
        call_command(
            "assessment",
            "dossiers",
            str(assessment.pk),
            "--as",
            reporter.username,
            stderr=io.StringIO(),
        )


def test_a_damaged_store_leaves_the_forecast_as_without_dossiers(
    linked: Linked, lao_cai: LaoCai, tmp_path: Path
) -> None:
    from parindex.dossiers.reading import store_for

    before = build(lao_cai.province, linked.year)
    _import(lao_cai, tmp_path, _rows(linked.year))
    (store_for(lao_cai.province).root / "manifest.json").write_text("{not json", "utf-8")
    after = build(lao_cai.province, linked.year)
    assert after.dossiers is None and after.result.facts == before.result.facts
