"""What the screens read: a unit's tree with its entries, in a fixed number of queries."""

from __future__ import annotations

from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from parindex.assessment import actions, reading
from parindex.assessment.actions import EntryInput
from parindex.orgs.models import User
from tests.assessment.conftest import Open2020, complete, fresh, save


def test_a_units_tree_holds_every_node_with_its_points_and_each_leaf_its_entry(
    open_2020: Open2020, reporter: User
) -> None:
    complete(open_2020.justice, reporter)
    document = actions.add_document(fresh(open_2020.justice), by=reporter, number="12/KH-STP")
    save(open_2020.justice, reporter, _1_1=EntryInput(documents=[document.pk]))
    tree = reading.unit_tree(fresh(open_2020.justice))
    assert [row.node.code for row in tree] == ["1", "1.1", "1.2", "1.3", "2", "2.1", "2.2"]
    domain, leaf = tree[0], tree[1]
    assert domain.entry is None and domain.self_points == Decimal("4.9")
    assert leaf.entry is not None and leaf.entry.band == "Ban hành kịp thời"
    assert [b.label for b in leaf.bands] == [
        "Ban hành kịp thời",
        "Ban hành không kịp thời",
        "Không ban hành",
    ]
    assert leaf.documents == [document]
    assert leaf.final_points == Decimal(2)


def test_reading_a_units_tree_costs_the_same_queries_whatever_it_holds(
    open_2020: Open2020, reporter: User
) -> None:
    def queries() -> int:
        unit = fresh(open_2020.justice)
        with CaptureQueriesContext(connection) as captured:
            reading.unit_tree(unit)
        return len(captured.captured_queries)

    empty = queries()
    complete(open_2020.justice, reporter)
    document = actions.add_document(fresh(open_2020.justice), by=reporter, number="12/KH-STP")
    save(
        open_2020.justice,
        reporter,
        _1_1=EntryInput(documents=[document.pk]),
        _1_2=EntryInput(documents=[document.pk]),
    )
    assert queries() == empty == 5
