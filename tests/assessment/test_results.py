"""Results: ranking with shared ranks, classification, points lost, comparison with last year."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from parindex.assessment import actions, results
from parindex.assessment.actions import EntryInput
from parindex.assessment.reading import results_of
from parindex.methodology.models import Framework
from parindex.orgs.models import User
from tests.assessment.conftest import Open2020, complete, fresh, save
from tests.conftest import LaoCai

D = Decimal


@pytest.mark.parametrize(
    ("totals", "expected"),
    [
        ([D(90), D(80), D(80), D(70)], [1, 2, 2, 4]),
        ([D(50), D(50), D(50)], [1, 1, 1]),
        ([D("82.854"), D("82.846")], [1, 1]),  # both published as 82,85
        ([D("82.855"), D("82.845")], [1, 2]),  # 82,86 and 82,85
        ([D(1), D(3), D(2)], [3, 1, 2]),
        ([], []),
    ],
)
def test_units_with_the_same_published_total_share_a_rank(
    totals: list[Decimal], expected: list[int]
) -> None:
    assert results.ranks(totals) == expected


CLASSES = [
    results.ClassBand("Xuất sắc", D(90)),
    results.ClassBand("Tốt", D(80)),
    results.ClassBand("Khá", D(70)),
    results.ClassBand("Trung bình", D(50)),
    results.ClassBand("Yếu", D(0)),
]


@pytest.mark.parametrize(
    ("percent", "label"),
    [
        (D(100), "Xuất sắc"),
        (D(90), "Xuất sắc"),
        (D("89.99"), "Tốt"),
        (D(80), "Tốt"),
        (D(70), "Khá"),
        (D("69.999"), "Trung bình"),
        (D(50), "Trung bình"),
        (D("49.99"), "Yếu"),
        (D(0), "Yếu"),
    ],
)
def test_a_unit_is_classified_by_the_first_class_its_percent_reaches(
    percent: Decimal, label: str
) -> None:
    assert results.classify(percent, CLASSES) == label


NODES = [
    results.NodeInfo("1", "A", D(6), 1, False),
    results.NodeInfo("1.1", "A1", D(4), 2, True),
    results.NodeInfo("1.2", "A2", D(2), 2, True),
    results.NodeInfo("2", "B", D(14), 1, False),
    results.NodeInfo("2.1", "B1", D(14), 2, True),
]


def row(unit_id: int, leaves: dict[str, Decimal], appraised: dict[str, Decimal]) -> results.UnitRow:
    final_leaves = {**leaves, **appraised}
    final = {
        **final_leaves,
        "1": final_leaves["1.1"] + final_leaves["1.2"],
        "2": final_leaves["2.1"],
    }
    own = {**leaves, "1": leaves["1.1"] + leaves["1.2"], "2": leaves["2.1"]}
    return results.UnitRow(
        unit_id=unit_id,
        organisation_id=100 + unit_id,
        name=f"Đơn vị {unit_id}",
        status="appraised",
        self_points=own,
        appraised_points=appraised,
        final_points=final,
        self_total=own["1"] + own["2"],
        appraised_total=None,
        final_total=final["1"] + final["2"],
    )


def test_results_rank_classify_and_name_the_points_lost() -> None:
    computed = results.compute(
        NODES,
        [
            row(1, {"1.1": D(4), "1.2": D(2), "2.1": D(10)}, {"2.1": D(8)}),  # 14 of 20: 70 %
            row(2, {"1.1": D(4), "1.2": D(2), "2.1": D(12)}, {}),  # 18: 90 %
            row(3, {"1.1": D(2), "1.2": D(2), "2.1": D(10)}, {}),  # 14: 70 %
        ],
        CLASSES,
        previous={101: D(12), 102: D(19)},
    )
    assert computed.maximum == 20
    table = [(r.name, r.rank, r.final_total, r.classification, r.change) for r in computed.units]
    assert table == [
        ("Đơn vị 2", 1, D(18), "Xuất sắc", D(-1)),
        ("Đơn vị 1", 2, D(14), "Khá", D(2)),
        ("Đơn vị 3", 2, D(14), "Khá", None),
    ]
    first = computed.units[1]
    assert [(d.code, d.self_points, d.final_points) for d in first.domains] == [
        ("1", D(6), D(6)),
        ("2", D(10), D(8)),
    ]
    assert [(p.code, p.lost) for p in first.lost] == [("2.1", D(6))]
    third = computed.units[2]
    assert [(p.code, p.lost) for p in third.lost] == [("2.1", D(4)), ("1.1", D(2))]


def test_units_sharing_a_rank_are_listed_in_vietnamese_alphabetical_order() -> None:
    rows = [
        replace(row(1, {"1.1": D(4), "1.2": D(2), "2.1": D(10)}, {}), name="UBND huyện Bát Xát"),
        replace(row(2, {"1.1": D(4), "1.2": D(2), "2.1": D(10)}, {}), name="UBND huyện Đông Hưng"),
        replace(row(3, {"1.1": D(4), "1.2": D(2), "2.1": D(10)}, {}), name="UBND huyện Bảo Thắng"),
        replace(row(4, {"1.1": D(4), "1.2": D(2), "2.1": D(10)}, {}), name="UBND huyện Duy Tiên"),
    ]
    computed = results.compute(NODES, rows, CLASSES)
    assert [(r.rank, r.name) for r in computed.units] == [
        (1, "UBND huyện Bảo Thắng"),
        (1, "UBND huyện Bát Xát"),
        (1, "UBND huyện Duy Tiên"),
        (1, "UBND huyện Đông Hưng"),
    ]


def test_results_of_an_assessment_compare_with_last_years_published_one(
    tree: Framework, lao_cai: LaoCai, coordinator: User, reporter: User, head: User
) -> None:
    def assessed(year: int, explained_1_2: str) -> Open2020:
        assessment = actions.open_assessment(
            lao_cai.province,
            by=coordinator,
            framework=tree,
            year=year,
            scope="departments",
            deadline=date(year + 1, 1, 15),
        )
        units = {u.organisation_id: u for u in assessment.units.all()}
        opened = Open2020(
            assessment,
            units[lao_cai.justice.pk],
            units[lao_cai.office.pk],
            units[lao_cai.home_affairs.pk],
        )
        for unit in (opened.justice, opened.office, opened.home_affairs):
            complete(unit, None)
        save(opened.justice, None, _1_2=EntryInput(numerator=explained_1_2, denominator="100"))
        for unit in (opened.justice, opened.office, opened.home_affairs):
            actions.submit_unit(fresh(unit), by=None)
            actions.finish_unit_appraisal(fresh(unit), by=coordinator)
        return opened

    last = assessed(2019, "50")  # Sở Tư pháp 4.9, the others 5.9
    actions.close_appraisal(last.assessment, by=coordinator)
    actions.publish_results(last.assessment, by=coordinator)
    this = assessed(2020, "95")  # Sở Tư pháp 6.9, the others 5.9
    computed = results_of(this.assessment)
    table = [(r.name, r.rank, r.final_total, r.previous_total, r.change) for r in computed.units]
    assert table == [
        ("Sở Tư pháp", 1, D("6.9"), D("4.9"), D(2)),
        ("Sở Nội vụ", 2, D("5.9"), D("5.9"), D(0)),
        ("Văn phòng UBND tỉnh", 2, D("5.9"), D("5.9"), D(0)),
    ]
    assert computed.units[0].classification == "Trung bình"  # 69 % of 10
