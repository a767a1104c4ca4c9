"""Every column of the form and every rate, on hand-made dossiers at the period's boundaries.

The period is 2024Q2 (1 April .. 30 June) unless a test says otherwise. Each test also holds the
engine to the reference definitions written literally (`reference_forms`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from datetime import date

import pytest

from parindex.dossiers import kpis
from parindex.dossiers.kpis import (
    FORM_COUNTS,
    RATES,
    FormRow,
    KpiSettings,
    check_identities,
    compute_forms,
    engine_connection,
    reference_forms,
    shared_connection,
)
from parindex.dossiers.periods import Period, parse_period
from tests.dossiers.dossier_sets import D, dossier_table, summarised

Q2 = parse_period("2024Q2")
APR1, JUN30 = date(2024, 4, 1), date(2024, 6, 30)


def forms(
    dossiers: list[D],
    periods: Sequence[str] = ("2024Q2",),
    *,
    agencies: Sequence[str] | None = None,
    groups: Mapping[str, Sequence[str]] | None = None,
    settings: KpiSettings | None = None,
) -> list[FormRow]:
    con = dossier_table(dossiers)
    parsed: list[Period] = [parse_period(p) for p in periods]
    kwargs = {"agencies": agencies, "groups": groups, "settings": settings or KpiSettings()}
    rows = compute_forms(con, "ho_so", parsed, **kwargs)  # type: ignore[arg-type]
    assert rows == reference_forms(con, "ho_so", parsed, **kwargs)  # type: ignore[arg-type]
    # The stored monthly summaries give the same rows (a custom range reads the dossiers).
    summary = summarised(con)
    assert compute_forms(con, "ho_so", parsed, summary=summary, **kwargs) == rows  # type: ignore[arg-type]
    return rows


def form(
    dossiers: list[D], period: str = "2024Q2", agency: str = "A", **kwargs: object
) -> dict[str, int]:
    rows = {(r.agency, r.period): r for r in forms(dossiers, [period], **kwargs)}  # type: ignore[arg-type]
    return dict(rows[(agency, period)].counts)


def nonzero(counts: Mapping[str, int]) -> dict[str, int]:
    return {k: v for k, v in counts.items() if v}


def test_a_dossier_received_and_resolved_on_its_due_day_within_the_period_is_on_time() -> None:
    counts = form(
        [D(dn=date(2024, 5, 6), dh=date(2024, 5, 6), dk=date(2024, 5, 6), ma_tthc="chứng thực")]
    )
    assert nonzero(counts) == {
        "tong_so": 1,
        "nhan_truc_tiep_bcci": 1,
        "nhan_moi": 1,
        "nhan_truc_tiep": 1,
        "da_gq": 1,
        "da_gq_dung_han": 1,
        "so_tthc_phat_sinh": 1,
    }


def test_resolved_before_on_and_after_the_due_day_are_early_on_time_and_late() -> None:
    base = D(dn=date(2024, 5, 2), dh=date(2024, 5, 10))
    counts = form(
        [
            base.but(dk=date(2024, 5, 9)),
            base.but(dk=date(2024, 5, 10)),
            base.but(dk=date(2024, 5, 13)),
        ]
    )
    assert (
        counts["da_gq"],
        counts["da_gq_truoc_han"],
        counts["da_gq_dung_han"],
        counts["da_gq_qua_han"],
    ) == (3, 1, 1, 1)


def test_a_dossier_without_due_date_is_on_time_when_resolved_and_within_deadline_when_pending() -> (
    None
):
    counts = form(
        [D(dn=date(2024, 5, 2), dk=date(2024, 9, 1)), D(dn=date(2024, 5, 2), dk=date(2024, 5, 20))]
    )
    assert (counts["da_gq"], counts["da_gq_dung_han"]) == (1, 1)
    assert (counts["dang_gq"], counts["dang_gq_trong_han"], counts["dang_gq_qua_han"]) == (1, 1, 0)


@pytest.mark.parametrize("status", ["TRA_LAI", "RUT_HO_SO"])
def test_a_returned_or_withdrawn_dossier_counts_as_on_time_even_after_its_due_day(
    status: str,
) -> None:
    late = D(dn=date(2024, 4, 2), dh=date(2024, 4, 5), dk=date(2024, 4, 20), trang_thai=status)
    early = late.but(dk=date(2024, 4, 3))
    counts = form([late, early])
    assert (
        counts["da_gq"],
        counts["da_gq_dung_han"],
        counts["da_gq_truoc_han"],
        counts["da_gq_qua_han"],
    ) == (2, 2, 0, 0)


def test_resolution_on_the_last_day_counts_in_the_period_and_the_day_after_leaves_it_pending() -> (
    None
):
    on_last = D(dn=date(2024, 6, 3), dh=date(2024, 7, 10), dk=JUN30)
    day_after = on_last.but(dk=date(2024, 7, 1))
    counts = form([on_last, day_after])
    assert (counts["da_gq"], counts["dang_gq"], counts["dang_gq_trong_han"]) == (1, 1, 1)


def test_a_pending_dossier_is_overdue_only_when_due_before_the_last_day() -> None:
    base = D(dn=date(2024, 6, 3))
    counts = form(
        [base.but(dh=date(2024, 6, 29)), base.but(dh=JUN30), base.but(dh=date(2024, 7, 1))]
    )
    assert (counts["dang_gq"], counts["dang_gq_qua_han"], counts["dang_gq_trong_han"]) == (3, 1, 2)


def test_a_dossier_pending_across_the_period_end_is_carried_over_into_the_next_quarter() -> None:
    d = D(dn=date(2024, 6, 20), dh=date(2024, 7, 4), dk=date(2024, 7, 8), kenh=2, muc_do=4)
    rows = {r.period: r.counts for r in forms([d], ["2024Q2", "2024Q3"])}
    assert (
        rows["2024Q2"]["nhan_truc_tuyen"],
        rows["2024Q2"]["dang_gq"],
        rows["2024Q2"]["da_gq"],
    ) == (1, 1, 0)
    q3 = rows["2024Q3"]
    assert (q3["tong_so"], q3["tu_ky_truoc"], q3["nhan_moi"], q3["nhan_truc_tuyen"]) == (1, 1, 0, 0)
    assert (q3["da_gq"], q3["da_gq_qua_han"], q3["so_tthc_phat_sinh"], q3["so_tthc_tt34_bcci"]) == (
        1,
        1,
        0,
        0,
    )


def test_received_on_the_first_day_is_new_and_the_day_before_is_carried_over() -> None:
    counts = form([D(dn=APR1), D(dn=date(2024, 3, 31))])
    assert (counts["tong_so"], counts["nhan_moi"], counts["tu_ky_truoc"], counts["dang_gq"]) == (
        2,
        1,
        1,
        2,
    )


def test_dossiers_received_after_the_period_or_finished_before_it_are_not_in_its_form() -> None:
    rows = forms(
        [
            D(dn=date(2024, 7, 1)),
            D(dn=date(2024, 3, 1), dk=date(2024, 3, 31)),
            D(dn=APR1, co_quan="B"),
        ]
    )
    assert {r.agency: r.counts["tong_so"] for r in rows} == {"B": 1}
    assert form([D(dn=date(2024, 7, 1)), D(dn=APR1, dk=APR1)], agencies=["A"])["tong_so"] == 1


def test_carried_over_from_the_first_day_by_default_and_from_the_day_after_in_the_766_reading() -> (
    None
):
    finished_first_day = D(dn=date(2024, 3, 20), dh=date(2024, 4, 3), dk=APR1)
    pending = D(dn=date(2024, 3, 21), dh=date(2024, 4, 3))
    reference = form([finished_first_day, pending])
    assert (reference["tu_ky_truoc"], reference["da_gq"], reference["da_gq_truoc_han"]) == (2, 1, 1)
    strict = form(
        [finished_first_day, pending], settings=KpiSettings(carried_over_from_start_day=False)
    )
    assert (strict["tu_ky_truoc"], strict["tong_so"], strict["da_gq"], strict["dang_gq"]) == (
        1,
        1,
        0,
        1,
    )
    # The quarter before saw both pending: carried over equals it only in the reference reading.
    for settings, broken in (
        (KpiSettings(), 0),
        (KpiSettings(carried_over_from_start_day=False), 0),
    ):
        rows = forms([finished_first_day, pending], ["2024Q1", "2024Q2"], settings=settings)
        assert len(check_identities(rows, settings=settings)) == broken
    strict_rows = forms(
        [finished_first_day, pending],
        ["2024Q1", "2024Q2"],
        settings=KpiSettings(carried_over_from_start_day=False),
    )
    assert check_identities(strict_rows) == ["A 2024Q2: tu_ky_truoc = 1 but dang_gq of 2024Q1 = 2"]


def test_channels_split_the_new_dossiers_and_the_result_by_post_counts_when_resolved() -> None:
    day = date(2024, 5, 2)
    counts = form(
        [
            D(dn=day, kenh=1, tra_bcci=True, dk=day),
            D(dn=day, kenh=2),
            D(dn=day, kenh=2),
            D(dn=day, kenh=3, tra_bcci=True),  # pending: its result has not been sent yet
            D(dn=date(2024, 3, 2), kenh=2),  # carried over: in no channel column
        ]
    )
    assert (counts["nhan_truc_tiep"], counts["nhan_truc_tuyen"], counts["nhan_bcci"]) == (1, 2, 1)
    assert (counts["nhan_truc_tiep_bcci"], counts["nhan_moi"], counts["tu_ky_truoc"]) == (2, 4, 1)
    assert counts["tra_kq_bcci"] == 1


def test_procedures_are_counted_once_and_online_level_3_4_or_postal_ones_apart() -> None:
    day = date(2024, 5, 2)
    counts = form(
        [
            D(dn=day, ma_tthc="P1", kenh=2, muc_do=3),
            D(dn=day, ma_tthc="P1", kenh=2, muc_do=4),
            D(dn=day, ma_tthc="P2", kenh=2, muc_do=2),  # online but level 2
            D(dn=day, ma_tthc="P3", kenh=3, muc_do=None),  # postal, level unknown
            D(dn=day, ma_tthc="P4", kenh=1, muc_do=4),  # level 4 received in person
            D(dn=day, ma_tthc="P5", kenh=2, muc_do=None),
            D(dn=date(2024, 3, 1), ma_tthc="P6", kenh=3),  # carried over: not "arising" here
        ]
    )
    assert (counts["so_tthc_phat_sinh"], counts["so_tthc_tt34_bcci"]) == (5, 2)


def test_half_years_and_years_are_computed_from_their_own_dates_not_summed_from_quarters() -> None:
    across = D(dn=date(2024, 3, 25), dh=date(2024, 4, 5), dk=date(2024, 4, 2), ma_tthc="P1")
    again = D(dn=date(2024, 5, 2), dk=date(2024, 5, 3), ma_tthc="P1")
    rows = {
        r.period: r.counts for r in forms([across, again], ["2024Q1", "2024Q2", "2024H1", "2024"])
    }
    assert rows["2024Q1"]["tong_so"] + rows["2024Q2"]["tong_so"] == 3
    assert (rows["2024H1"]["tong_so"], rows["2024H1"]["tu_ky_truoc"], rows["2024H1"]["da_gq"]) == (
        2,
        0,
        2,
    )
    assert rows["2024Q1"]["so_tthc_phat_sinh"] + rows["2024Q2"]["so_tthc_phat_sinh"] == 2
    assert rows["2024H1"]["so_tthc_phat_sinh"] == rows["2024"]["so_tthc_phat_sinh"] == 1
    assert rows["2024"]["da_gq_truoc_han"] == 1


def test_a_custom_range_is_computed_like_any_period() -> None:
    counts = form(
        [D(dn=date(2024, 1, 14), dk=date(2024, 1, 16)), D(dn=date(2024, 1, 15))],
        "2024-01-15..2024-01-31",
    )
    assert (counts["tong_so"], counts["tu_ky_truoc"], counts["da_gq"], counts["dang_gq"]) == (
        2,
        1,
        1,
        1,
    )


def test_a_dossier_finished_before_it_was_received_is_active_only_while_its_finish_day_is_in_the_period() -> (
    None
):
    inside = D(dn=date(2024, 5, 10), dk=date(2024, 5, 5), ma_tthc="P1")
    across = D(dn=date(2024, 4, 2), dk=date(2024, 3, 30), ma_tthc="P2")
    counts = form([inside, across])
    assert (counts["tong_so"], counts["da_gq"], counts["so_tthc_phat_sinh"]) == (1, 1, 1)


def test_a_group_is_computed_from_its_members_dossiers_and_procedures_are_not_added_up() -> None:
    day = date(2024, 5, 2)
    dossiers = [
        D(dn=day, co_quan="X1", ma_tthc="P1"),
        D(dn=day, co_quan="X2", ma_tthc="P1"),
        D(dn=day, co_quan="X2", ma_tthc="P2", kenh=3),
        D(dn=day, co_quan="Y", ma_tthc="P3"),
    ]
    rows = forms(
        dossiers, agencies=["X1"], groups={"district-X": ["X1", "X2", "not-matched"], "empty": []}
    )
    by_agency = {r.agency: r.counts for r in rows}
    assert set(by_agency) == {"X1", "district-X", "empty"}
    assert (by_agency["district-X"]["tong_so"], by_agency["district-X"]["so_tthc_phat_sinh"]) == (
        3,
        2,
    )
    assert by_agency["district-X"]["so_tthc_tt34_bcci"] == 1
    assert by_agency["X1"]["so_tthc_phat_sinh"] == 1
    assert all(v == 0 for v in by_agency["empty"].values())


def test_every_agency_with_dossiers_gets_a_row_for_every_period_even_with_nothing_in_it() -> None:
    rows = forms(
        [D(dn=date(2024, 1, 5), dk=date(2024, 1, 6)), D(dn=date(2024, 5, 5), co_quan="B")],
        ["2024Q1", "2024Q2", "2024H1"],
    )
    assert [(r.agency, r.period) for r in rows] == [
        ("A", "2024Q1"), ("A", "2024H1"), ("A", "2024Q2"),
        ("B", "2024Q1"), ("B", "2024H1"), ("B", "2024Q2"),
    ]  # fmt: skip
    assert rows[2].counts == dict.fromkeys(FORM_COUNTS, 0)


def test_an_agency_asked_for_without_dossiers_gets_a_row_of_zeros() -> None:
    rows = forms([D(dn=date(2024, 5, 5))], agencies=["unknown", "A"])
    assert [r.agency for r in rows] == ["A", "unknown"]
    assert sum(rows[1].counts.values()) == 0


def test_rates_give_numerator_and_denominator_and_none_without_denominator() -> None:
    day = date(2024, 5, 2)
    dossiers = [
        D(dn=day, dh=date(2024, 5, 10), dk=date(2024, 5, 9), kenh=2, muc_do=3, tra_bcci=True),
        D(dn=day, dh=date(2024, 5, 10), dk=date(2024, 5, 20), kenh=3),
        D(dn=day, dh=date(2024, 5, 10), dk=date(2024, 5, 10)),
        D(dn=day, dh=date(2024, 6, 1), ma_tthc="P2"),  # pending, overdue at the end of June
    ]
    row = forms(dossiers)[0]
    assert row.rate("ty_le_dung_han") == (2, 3)
    assert row.rate("ty_le_dung_han_ca_dang_qua_han") == (2, 4)
    assert row.rate("ty_le_truc_tuyen") == (1, 4)
    assert row.rate("ty_le_nhan_bcci") == (1, 4)
    assert row.rate("ty_le_tra_bcci") == (1, 3)
    assert row.rate("ty_le_tthc_tt34_bcci") == (1, 2)
    empty = FormRow("A", "2024Q2", dict.fromkeys(FORM_COUNTS, 0))
    assert all(empty.rate(name) is None for name in RATES)
    with pytest.raises(ValueError, match="unknown rate"):
        row.rate("ty_le_hai_long")


def test_the_setting_names_which_on_time_rate_feeds_the_plan_target() -> None:
    assert KpiSettings().on_time_rate_name == "ty_le_dung_han"
    assert KpiSettings(on_time_rate="due").on_time_rate_name == "ty_le_dung_han_ca_dang_qua_han"


def test_identities_hold_on_computed_forms_and_a_broken_one_is_named() -> None:
    dossiers = [
        D(dn=date(2024, 3, 20), dh=date(2024, 4, 3), dk=date(2024, 4, 5)),
        D(dn=date(2024, 6, 28), dh=date(2024, 7, 3)),
        D(dn=date(2024, 5, 2), dk=date(2024, 5, 2), kenh=3),
    ]
    rows = forms(dossiers, ["2024Q1", "2024Q2", "2024Q3", "2024H1", "2024H2", "2023", "2024"])
    assert check_identities(rows) == []
    counts = dict(rows[1].counts)
    counts["da_gq_dung_han"] += 1
    broken = FormRow(rows[1].agency, rows[1].period, counts)
    assert check_identities([rows[0], broken]) == [
        f"A {rows[1].period}: da_gq = {counts['da_gq']} but da_gq_truoc_han + da_gq_dung_han + da_gq_qua_han = {counts['da_gq'] + 1}"
    ]


def test_rows_are_sorted_by_agency_then_period_start_and_end() -> None:
    rows = forms(
        [D(dn=date(2024, 5, 5), co_quan="B"), D(dn=date(2024, 5, 5))],
        ["2024", "2024Q2", "2024H1", "2024Q1"],
    )
    assert [(r.agency, r.period) for r in rows][:4] == [
        ("A", "2024Q1"),
        ("A", "2024H1"),
        ("A", "2024"),
        ("A", "2024Q2"),
    ]


def test_bad_arguments_are_refused_with_what_is_wrong() -> None:
    con = dossier_table([D(dn=date(2024, 5, 5))])
    with pytest.raises(ValueError, match="not one text"):
        compute_forms(con, "ho_so", [Q2], agencies="A")
    with pytest.raises(ValueError, match="code of an agency in the list"):
        compute_forms(con, "ho_so", [Q2], agencies=["A"], groups={"A": ["A"]})
    with pytest.raises(ValueError, match="code of an agency with dossiers"):
        compute_forms(con, "ho_so", [Q2], groups={"A": ["A"]})
    with pytest.raises(ValueError, match="both called"):
        compute_forms(con, "ho_so", [Q2, Period("2024Q2", APR1, date(2024, 6, 29))])
    with pytest.raises(ValueError, match="Period values"):
        compute_forms(con, "ho_so", ["2024Q2"])  # type: ignore[list-item]
    assert compute_forms(con, "ho_so", []) == []


def test_many_periods_are_computed_in_several_passes_with_the_same_result() -> None:
    from parindex.dossiers import kpis

    days = [date(2024, 1, 1).replace(day=d) for d in range(1, 29)]
    periods = [Period(f"{d.isoformat()}..{d.isoformat()}", d, d) for d in days]
    dossiers = [
        D(dn=d, dk=days[min(i + 2, 27)], dh=days[min(i + 1, 27)]) for i, d in enumerate(days)
    ]
    con = dossier_table(dossiers)
    old = kpis._MAX_BOUNDARIES
    try:
        kpis._MAX_BOUNDARIES = 12
        assert len(kpis._batches(periods)) >= 3
        assert compute_forms(con, "ho_so", periods) == reference_forms(con, "ho_so", periods)
    finally:
        kpis._MAX_BOUNDARIES = old


def test_the_engine_connection_has_a_memory_limit_and_a_thread_per_core() -> None:
    con = engine_connection(memory_limit="123MB")
    [(limit, threads)] = con.execute(
        "SELECT current_setting('memory_limit'), current_setting('threads')"
    ).fetchall()
    assert limit == "117.3 MiB"  # 123 000 000 bytes, as DuckDB prints them
    assert int(threads) == len(os.sched_getaffinity(0))


def test_the_engine_spills_into_the_temporary_folder_never_the_working_directory() -> None:
    with engine_connection() as con:
        row = con.execute("SELECT current_setting('temp_directory')").fetchone()
    assert row is not None
    spill = str(row[0])
    assert os.path.isabs(spill) and not spill.startswith(os.getcwd() + os.sep + ".tmp")


def test_shared_connections_reach_one_database_per_process_set_up_as_the_engine_s(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with shared_connection() as first:
        first.execute("CREATE TABLE mark AS SELECT 42 AS n")
        [(threads, order)] = first.execute(
            "SELECT current_setting('threads'), current_setting('preserve_insertion_order')"
        ).fetchall()
    assert int(threads) == len(os.sched_getaffinity(0)) and order is False
    with shared_connection() as second:  # the first one's closing left the database open
        assert second.execute("SELECT n FROM mark").fetchall() == [(42,)]
        second.execute("DROP TABLE mark")
    # A process forked from this one (another process number) opens its own database.
    with shared_connection() as before:
        before.execute("CREATE TABLE mark AS SELECT 1 AS n")
    opened = kpis._shared
    assert opened is not None
    monkeypatch.setattr(kpis, "_shared", (-1, opened[1]))  # as opened by the parent process
    with shared_connection() as forked:
        assert forked.execute("SELECT count(*) FROM duckdb_tables()").fetchall() == [(0,)]
    monkeypatch.undo()
    with shared_connection() as again:
        again.execute("DROP TABLE mark")


def test_whole_months_are_read_from_the_summaries_and_a_custom_range_from_the_dossiers() -> None:
    con = dossier_table([D(dn=date(2024, 4, 10), dk=date(2024, 4, 11), dh=date(2024, 4, 12))])
    summary = summarised(con)
    # Summaries no longer of these dossiers show which of the two each period read.
    con.execute("DELETE FROM ho_so")
    periods = [Q2, parse_period("2024-04-05..2024-06-30")]
    rows = {
        r.period: r.counts
        for r in compute_forms(con, "ho_so", periods, agencies=["A"], summary=summary)
    }
    assert nonzero(rows["2024Q2"]) == {
        "tong_so": 1, "nhan_truc_tiep_bcci": 1, "da_gq": 1, "da_gq_truoc_han": 1,
        "nhan_moi": 1, "nhan_truc_tiep": 1, "so_tthc_phat_sinh": 1,
    }  # fmt: skip
    assert nonzero(rows["2024-04-05..2024-06-30"]) == {}
