"""Planner statistics for tables that a transaction has just filled.

PostgreSQL plans each query from the row counts its last ANALYZE recorded. A table analysed while
it held only dead rows (a new database, a table emptied and filled again) is recorded as empty
although it has pages, and the planner then expects one row from it whatever it holds. A
transaction that fills such tables and reads them back in the same breath (opening a round for a
whole province, importing a plan, loading the demo) is then planned as nested index scans
thousands deep: seconds for a query that needs a millisecond.

So the actions that write many rows at once call `refresh_statistics` before reading them back.
It runs ANALYZE on a table only when the rows just added are more than a tenth of those the
planner knows of (autovacuum's own rule, applied at once rather than after the commit): always on
a new database, seldom on a large one. ANALYZE inside a transaction
counts the transaction's own new rows, and takes milliseconds at these sizes. Other databases
plan without such statistics (SQLite) and are left alone.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.db import connection, models

# Fewer new rows than this cannot make a nested loop expensive enough to matter.
SMALL = 20
# As autovacuum_analyze_scale_factor: the share of new rows after which statistics are stale.
SCALE = 0.1


def refresh_statistics(added: Mapping[type[models.Model], int]) -> list[str]:
    """ANALYZE each model's table to which `added[model]` rows were just written, if they are
    more than a tenth of what the planner believes it holds. Returns the tables analysed."""
    if connection.vendor != "postgresql":
        return []
    tables = {model._meta.db_table: count for model, count in added.items() if count >= SMALL}
    if not tables:
        return []
    analysed = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, reltuples FROM pg_class"
            " WHERE relkind = 'r' AND relname = ANY(%s)"
            " AND relnamespace = to_regnamespace(current_schema())",
            [list(tables)],
        )
        known = {name: float(tuples) for name, tuples in cursor.fetchall()}
        for table, count in sorted(tables.items()):
            # reltuples is -1 for a table never analysed, 0 for one analysed while empty.
            if count > SCALE * known.get(table, -1):
                cursor.execute(f"ANALYZE {connection.ops.quote_name(table)}")
                analysed.append(table)
    return analysed
