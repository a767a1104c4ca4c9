"""The store's monthly summaries: written with each partition, replaced and removed with it,
added to a store written before them, and giving the same forms as the dossiers."""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.management import call_command

from parindex.dossiers import actions
from parindex.dossiers.kpis import SUMMARY_VERSION, compute_forms, engine_connection
from parindex.dossiers.periods import parse_period
from parindex.dossiers.reading import store_for
from parindex.dossiers.store import MANIFEST, Store
from parindex.orgs.models import User
from tests.conftest import LaoCai
from tests.dossiers.support import ROWS, csv_file

WHOLE_MONTHS = [parse_period(p) for p in ("2024Q1", "2024Q2", "2024Q3", "2024H1", "2024")]
JULY_DATES = ("2024-07-01", "2024-07-05", "2024-07-04")
# HS-004, pending in the first export, is finished in July; HS-007 is new in July.
JULY = (
    (*ROWS[3][:6], "DA_GIAI_QUYET", "2024-05-20", "2024-06-10", "2024-07-02"),
    ("HS-007", "so-tu-phap", "1.003", "2", "4", "false", "DA_GIAI_QUYET", *JULY_DATES),
)


@dataclass(frozen=True)
class Imports:
    """The province's store and a way to import more rows into it."""

    store: Store
    run: Callable[[str, Sequence[Sequence[str]]], None]


@pytest.fixture
def imports(lao_cai: LaoCai, coordinator: User, tmp_path: Path) -> Imports:
    def run(name: str, rows: Sequence[Sequence[str]]) -> None:
        actions.import_dossiers(lao_cai.province, csv_file(tmp_path / name, rows), by=coordinator)

    return Imports(store_for(lao_cai.province), run)


@pytest.fixture
def spring(imports: Imports) -> Imports:
    """The store after the spring 2024 export (tests/dossiers/support.py ROWS)."""
    imports.run("hs.csv", ROWS)
    return imports


def summaries_complete(store: Store) -> bool:
    """Every partition with its summaries, every file the manifest names there, and the
    summaries giving the dossiers' forms."""
    manifest = store.manifest()
    return (
        set(manifest.counts) == set(manifest.procedures) == set(manifest.data)
        and store.check() == []
        and same_forms_from_summaries_and_dossiers(store)
    )


def same_forms_from_summaries_and_dossiers(store: Store) -> bool:
    summary = store.summary()
    assert summary is not None
    with engine_connection() as con:
        read = compute_forms(con, store.relation(), WHOLE_MONTHS)
        summed = compute_forms(con, store.relation(), WHOLE_MONTHS, summary=summary)
    return read == summed and any(r.counts["tong_so"] for r in read)


def test_every_partition_gets_its_summaries_and_they_give_the_dossiers_forms(
    spring: Imports,
) -> None:
    store = spring.store
    assert summaries_complete(store)


def test_an_update_rewrites_the_summaries_of_the_partitions_it_touches_only(
    spring: Imports,
) -> None:
    store = spring.store
    before = store.manifest()
    spring.run("july.csv", JULY)
    after = store.manifest()
    for part in ("2024-04", "2024-05", "2024-06"):
        assert after.counts[part] == before.counts[part]
        assert after.procedures[part] == before.procedures[part]
    assert after.counts["open"] != before.counts["open"]
    assert (
        set(after.counts) == set(after.data) == {"2024-04", "2024-05", "2024-06", "2024-07", "open"}
    )
    assert before.counts["open"] in after.retired and before.procedures["open"] in after.retired
    assert same_forms_from_summaries_and_dossiers(store)


def test_a_partition_emptied_by_an_update_loses_its_summaries(
    imports: Imports,
) -> None:
    imports.run("a.csv", [ROWS[3]])
    store = imports.store
    assert set(store.manifest().counts) == {"open"}
    imports.run("b.csv", JULY[:1])
    manifest = store.manifest()
    assert set(manifest.data) == set(manifest.counts) == set(manifest.procedures) == {"2024-07"}


def test_a_store_written_before_the_summaries_reads_the_dossiers_until_its_next_write(
    spring: Imports,
) -> None:
    store = spring.store
    path = store.root / MANIFEST
    older = json.loads(path.read_text("utf-8"))
    for name in [*older.pop("counts").values(), *older.pop("procedures").values()]:
        (store.root / name).unlink()
    path.write_text(json.dumps(older), "utf-8")
    assert store.summary() is None
    assert store.check() == []
    said = io.StringIO()
    call_command("dossiers", "check", stdout=said)
    assert (
        said.getvalue().strip().endswith("no monthly summaries yet (the next import writes them)")
    )
    spring.run("july.csv", JULY)
    assert summaries_complete(store)


def test_the_summaries_of_the_partitions_a_period_needs_are_the_ones_named(
    spring: Imports,
) -> None:
    store = spring.store
    summary = store.summary(parse_period("2024Q2").start)
    assert summary is not None
    manifest = store.manifest()
    assert (
        manifest.counts["2024-04"] in summary.counts and manifest.counts["open"] in summary.counts
    )
    later = store.summary(parse_period("2024Q3").start)
    assert later is not None
    assert manifest.counts["open"] in later.counts
    assert manifest.counts["2024-06"] not in later.counts  # finished before July
    assert manifest.procedures["2024-06"] not in later.procedures


def test_summaries_made_by_another_definition_are_not_read_and_the_next_write_remakes_them(
    spring: Imports,
) -> None:
    store = spring.store
    path = store.root / MANIFEST
    older = json.loads(path.read_text("utf-8"))
    older["summary_version"] = SUMMARY_VERSION - 1
    path.write_text(json.dumps(older), "utf-8")
    assert store.summary() is None
    before = store.manifest()
    spring.run("july.csv", JULY)
    after = store.manifest()
    assert after.summary_version == SUMMARY_VERSION
    assert all(after.counts[part] != before.counts[part] for part in before.counts)
    assert store.summary() is not None and same_forms_from_summaries_and_dossiers(store)
