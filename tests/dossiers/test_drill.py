"""The dossiers behind each count of the form: a list's length is the form's count, on
hand-made dossiers around the period's boundaries, in both readings of the carried-over day."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from pathlib import Path

import pytest
from django.test import Client

from parindex.dossiers import actions, drill
from parindex.dossiers.kpis import KpiSettings, compute_forms
from parindex.dossiers.periods import parse_period
from parindex.orgs.models import User
from tests.conftest import LaoCai
from tests.dossiers.dossier_sets import D, dossier_table
from tests.dossiers.support import csv_file

Q2 = parse_period("2024Q2")
APR1, JUN30 = date(2024, 4, 1), date(2024, 6, 30)
DAY = timedelta(days=1)


def boundary_dossiers() -> list[D]:
    """Every combination of received, due and finished days on and around the boundaries,
    with each channel, outcome and agency."""
    received = [APR1 - 10 * DAY, APR1 - DAY, APR1, date(2024, 5, 10), JUN30]
    found: list[D] = []
    for n, (dn, due_after, took, status, kenh) in enumerate(
        itertools.product(
            received,
            [None, 0, 5, 30],
            [None, 0, 4, 5, 6, 60],
            [None, "TRA_LAI", "RUT_HO_SO"],
            [1, 2, 3],
        )
    ):
        dh = None if due_after is None else dn + due_after * DAY
        dk = None if took is None else dn + took * DAY
        if status and dk is None:
            continue
        found.append(
            D(
                dn,
                dh,
                dk,
                co_quan="A" if n % 3 else "B",
                ma_tthc=f"P{n % 4}",
                kenh=kenh,
                muc_do=3 if n % 2 else 2,
                tra_bcci=n % 5 == 0,
                trang_thai=status,
            )
        )
    return found


@pytest.mark.parametrize("carried_from_start_day", [True, False])
def test_every_list_is_as_long_as_the_form_s_count(carried_from_start_day: bool) -> None:
    con = dossier_table(boundary_dossiers())
    settings = KpiSettings(carried_over_from_start_day=carried_from_start_day)
    rows = compute_forms(con, "ho_so", [Q2], groups={"AB": ["A", "B"]}, settings=settings)
    assert {r.agency for r in rows} == {"A", "B", "AB"}
    for row in rows:
        members = ["A", "B"] if row.agency == "AB" else [row.agency]
        for kind in drill.KINDS:
            listed = drill.dossiers(con, "ho_so", Q2, kind, members, settings=settings, limit=None)
            assert len(listed) == row.counts[kind], (row.agency, kind)
            assert drill.count(con, "ho_so", Q2, kind, members, settings=settings) == len(listed)
        assert row.counts["da_gq_qua_han"] > 0 and row.counts["dang_gq_qua_han"] > 0


def test_late_means_finished_after_due_and_not_returned_or_withdrawn() -> None:
    con = dossier_table(
        [
            D(APR1, APR1 + 5 * DAY, APR1 + 6 * DAY),  # late
            D(APR1, APR1 + 5 * DAY, APR1 + 6 * DAY, trang_thai="TRA_LAI"),  # returned: on time
            D(APR1, APR1 + 5 * DAY, APR1 + 5 * DAY),  # on the day
            D(APR1, JUN30 - DAY),  # pending, overdue at the end
            D(APR1, JUN30),  # pending, due on the last day: not overdue
        ]
    )
    late = drill.dossiers(con, "ho_so", Q2, "late", ["A"])
    overdue = drill.dossiers(con, "ho_so", Q2, "pending_overdue", ["A"])
    assert [d["ma_ho_so"] for d in late] == ["HS00000"]
    assert [d["ma_ho_so"] for d in overdue] == ["HS00003"]


def test_filters_narrow_a_list_and_pages_cut_it() -> None:
    con = dossier_table(
        [D(APR1 + i * DAY, APR1, APR1 + (i + 2) * DAY, ma_tthc=f"P{i % 2}") for i in range(7)]
    )
    every = drill.dossiers(con, "ho_so", Q2, "late", ["A"], limit=None)
    assert len(every) == 7
    assert [d["ngay_tiep_nhan"] for d in every] == sorted(
        (d["ngay_tiep_nhan"] for d in every), reverse=True
    )
    only = drill.Filters(procedure="P1", received_from=APR1 + 2 * DAY, received_to=APR1 + 5 * DAY)
    assert drill.count(con, "ho_so", Q2, "late", ["A"], filters=only) == 2
    assert drill.count(con, "ho_so", Q2, "late", ["A"], filters=drill.Filters(status="X")) == 0
    pages = [drill.dossiers(con, "ho_so", Q2, "late", ["A"], limit=3, offset=o) for o in (0, 3, 6)]
    assert [len(p) for p in pages] == [3, 3, 1]
    assert [d for p in pages for d in p] == every


def test_the_procedures_with_most_late_dossiers_come_first_with_the_form_s_counts() -> None:
    dossiers = boundary_dossiers()
    con = dossier_table(dossiers)
    worst = drill.late_procedures(con, "ho_so", Q2, ["A", "B"])
    assert [w.late for w in worst] == sorted((w.late for w in worst), reverse=True)
    for w in worst:
        assert w.late == drill.count(
            con, "ho_so", Q2, "late", ["A", "B"], filters=drill.Filters(procedure=w.procedure)
        )
        assert w.resolved == drill.count(
            con, "ho_so", Q2, "da_gq", ["A", "B"], filters=drill.Filters(procedure=w.procedure)
        )
    total = compute_forms(con, "ho_so", [Q2], groups={"AB": ["A", "B"]}, agencies=["A", "B"])
    assert sum(w.late for w in worst) == next(
        r.counts["da_gq_qua_han"] for r in total if r.agency == "AB"
    )


def test_an_unknown_kind_is_refused_with_the_known_ones() -> None:
    with pytest.raises(drill.DrillError, match="late, pending_overdue"):
        drill.kind_of("so_tthc_phat_sinh")


@pytest.fixture
def imported(lao_cai: LaoCai, coordinator: User, tmp_path: Path) -> None:
    actions.import_dossiers(lao_cai.province, csv_file(tmp_path / "hs.csv"), by=coordinator)


def test_the_api_lists_as_many_dossiers_as_the_form_counts_each_person_their_own(
    imported: None, coordinator: User, reporter: User
) -> None:
    client = Client()
    client.force_login(coordinator)
    form = {row["agency"]: row for row in client.get("/api/dossiers/form?period=2024Q2").json()}
    for agency, row in form.items():
        for kind in ("late", "pending_overdue", "nhan_truc_tuyen", "da_gq"):
            name = drill.ALIASES.get(kind, kind)
            got = client.get(f"/api/dossiers/list?period=2024Q2&kind={kind}&agency={agency}")
            assert got.status_code == 200
            body = got.json()
            assert body["total"] == row[name] == len(body["dossiers"]), (agency, kind)
    late = client.get("/api/dossiers/list?period=2024Q2&kind=late&agency=so-tu-phap").json()
    assert [d["ma_ho_so"] for d in late["dossiers"]] == ["HS-003"]
    assert late["dossiers"][0]["ngay_ket_thuc_xu_ly"] == "2024-05-02"
    assert client.get("/api/dossiers/list?period=2024Q2&kind=x").status_code == 422
    theirs = Client()
    theirs.force_login(reporter)
    assert theirs.get("/api/dossiers/list?period=2024Q2&agency=tp-lao-cai").status_code == 404
    own = theirs.get("/api/dossiers/list?period=2024Q2").json()
    assert {d["co_quan"] for d in own["dossiers"]} == {"so-tu-phap"}
