"""Transactions that fill tables and read them back are planned on what the tables hold.

On PostgreSQL, a table analysed while it held only dead rows is recorded as empty although it has
pages; the planner then expects one row from it, whatever it holds. The demo loader, opening a
round and the importers refresh the statistics of the tables they fill, so the report loop that
follows is planned on the real sizes. The tests put every table in that state first (inside the
test's transaction, so it is rolled back), and stop any statement that runs longer than a few
seconds: before the refresh existed, the demo's report loop ran for hours.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection
from django.db.models import QuerySet

from parindex.orgs.dbstats import refresh_statistics
from parindex.plans.models import Plan
from parindex.reporting.models import Item, Report, Value
from parindex.web.demo import load_demo

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="planner statistics are PostgreSQL's"
)


def believed_empty() -> None:
    """Every table as autovacuum leaves it after analysing nothing but dead rows."""
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pg_class SET relpages = greatest(relpages, 1), reltuples = 0"
            " WHERE relnamespace = to_regnamespace(current_schema()) AND relkind IN ('r', 'i')"
        )
        cursor.execute("SET LOCAL statement_timeout = '5s'")


def believed_rows(table: str) -> float:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
        return float(cursor.fetchone()[0])


def plan_nodes(queryset: QuerySet[Any]) -> Iterator[dict[str, Any]]:
    """Every node of the executed plan, with the planner's estimate and the actual rows."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) {sql}", params)
        raw = cursor.fetchone()[0]
    document = json.loads(raw) if isinstance(raw, str) else raw
    stack = [document[0]["Plan"]]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(node.get("Plans", []))


@on_postgresql
def test_the_demo_loads_and_its_report_loop_is_planned_on_the_real_table_sizes(db: None) -> None:
    believed_empty()
    load_demo()  # a statement stuck in a quadratic plan would hit the timeout and fail here
    values = Value.objects.count()
    assert values > 1000
    assert believed_rows("reporting_value") >= values / 2
    assert believed_rows("reporting_item") >= Item.objects.count() / 2
    # The query the report page and every save run: one report's values with their quantities.
    busiest = max(Report.objects.all(), key=lambda r: Value.objects.filter(item__report=r).count())
    loop = Value.objects.filter(item__report=busiest).select_related("quantity", "item")
    for node in plan_nodes(loop):
        actual = node["Actual Rows"] * node.get("Actual Loops", 1)
        estimated = node["Plan Rows"] * node.get("Actual Loops", 1)
        # Estimates may be off by a small factor; one row for thousands is what went wrong.
        assert estimated * 20 >= actual, (node["Node Type"], node.get("Relation Name"), node)


@on_postgresql
def test_statistics_are_refreshed_when_the_rows_added_are_more_than_a_tenth_of_those_known(
    db: None, coordinator: Any
) -> None:
    believed_empty()
    assert refresh_statistics({Value: 10}) == []  # too few rows to matter
    assert refresh_statistics({Value: 500}) == ["reporting_value"]
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE pg_class SET reltuples = 1e6 WHERE oid = 'reporting_value'::regclass"
        )
    assert refresh_statistics({Value: 500}) == []  # a large table is not analysed again
    assert refresh_statistics({Value: 200_000}) == ["reporting_value"]


def test_nothing_is_analysed_where_the_database_plans_without_statistics(db: None) -> None:
    if connection.vendor == "postgresql":
        pytest.skip("this is about the other databases")
    assert refresh_statistics({Plan: 10_000, Report: 10_000}) == []
