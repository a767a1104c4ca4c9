"""Reading a province's store back in tests."""

from __future__ import annotations

from typing import Any

from parindex.dossiers.reading import connect, store_for
from parindex.orgs.models import Organisation


def stored(province: Organisation) -> dict[str, dict[str, Any]]:
    """ma_ho_so → the stored row."""
    store = store_for(province)
    with connect() as con:
        cursor = con.execute(f"SELECT * FROM {store.relation()} ORDER BY ma_ho_so")
        names = [d[0] for d in cursor.description]
        return {row[0]: dict(zip(names, row, strict=True)) for row in cursor.fetchall()}
