"""The dossier generator and benchmark at a tiny scale, so that they cannot rot (no timing is
checked, and neither pandas nor polars is needed)."""

from __future__ import annotations

from pathlib import Path

import duckdb

from bench import dossiers_gen, dossiers_kpis
from bench.dossiers_reference import duckdb_forms
from parindex.dossiers.kpis import FORM_COUNTS, check_identities, compute_forms
from parindex.dossiers.periods import periods_of_years


def read(path: Path, sql: str) -> list[tuple[object, ...]]:
    with duckdb.connect() as con:
        return con.execute(sql.replace("FILE", f"read_parquet('{path}')")).fetchall()


def test_generated_dossiers_have_the_canonical_columns_and_a_province_s_shape(
    tmp_path: Path,
) -> None:
    path = tmp_path / "d.parquet"
    dossiers_gen.generate(20_000, str(path))
    columns = read(path, "DESCRIBE SELECT * FROM FILE")
    assert [(c[0], c[1]) for c in columns] == [
        ("ma_ho_so", "VARCHAR"), ("co_quan", "VARCHAR"), ("ma_tthc", "VARCHAR"),
        ("kenh_thuc_hien", "UTINYINT"), ("muc_do", "UTINYINT"), ("tra_kq_bcci", "BOOLEAN"),
        ("trang_thai", "VARCHAR"), ("ngay_tiep_nhan", "DATE"), ("ngay_hen_tra", "DATE"),
        ("ngay_ket_thuc_xu_ly", "DATE"),
    ]  # fmt: skip
    [(rows, keys, online, postal, pending, no_due, agencies, first, last)] = read(
        path,
        """SELECT count(*), count(DISTINCT ma_ho_so), avg((kenh_thuc_hien = 2)::INT),
                  avg((kenh_thuc_hien = 3)::INT), count(*) FILTER (ngay_ket_thuc_xu_ly IS NULL),
                  count(*) FILTER (ngay_hen_tra IS NULL), count(DISTINCT co_quan),
                  min(ngay_tiep_nhan), max(ngay_tiep_nhan) FROM FILE""",
    )
    assert rows == keys == 20_000
    assert 0.2 < online < 0.3 and 0.03 < postal < 0.08  # type: ignore[operator]
    assert pending > 0 and no_due > 0 and agencies == 180  # type: ignore[operator]
    assert (str(first), str(last)) <= ("2022-01-05", "2024-12-31") and str(last) >= "2024-12-20"
    # Due dates are working days: never a Saturday or Sunday.
    assert read(path, "SELECT count(*) FROM FILE WHERE isodow(ngay_hen_tra) >= 6") == [(0,)]


def test_the_generator_is_deterministic_and_its_month_updates_pending_dossiers(
    tmp_path: Path,
) -> None:
    a, b, month = tmp_path / "a.parquet", tmp_path / "b.parquet", tmp_path / "m.parquet"
    dossiers_gen.generate(5_000, str(a))
    dossiers_gen.generate(5_000, str(b))
    assert read(a, "SELECT * FROM FILE") == read(b, "SELECT * FROM FILE")
    dossiers_gen.main(["--rows", "5000", "-o", str(month), "--month", "2025-01"])
    [(updated, fresh)] = read(
        month,
        f"""SELECT count(*) FILTER (m.ngay_tiep_nhan < DATE '2025-01-01'),
                   count(*) FILTER (m.ngay_tiep_nhan >= DATE '2025-01-01')
            FROM FILE m LEFT JOIN read_parquet('{a}') base USING (ma_ho_so)
            WHERE (base.ma_ho_so IS NULL) = (m.ngay_tiep_nhan >= DATE '2025-01-01')""",
    )
    assert updated > 0 and fresh > 0  # type: ignore[operator]
    assert read(month, "SELECT count(*) FROM FILE") == [(updated + fresh,)]  # type: ignore[operator]
    assert read(month, "SELECT max(ngay_tiep_nhan) <= DATE '2025-01-31' FROM FILE") == [(True,)]
    # Every dossier of the month has its own code, none of them a base dossier's but the updates.
    assert read(month, "SELECT count(DISTINCT ma_ho_so) FROM FILE") == [(updated + fresh,)]  # type: ignore[operator]


def test_the_engine_equals_plain_sql_on_generated_dossiers_and_the_benchmark_compares(
    tmp_path: Path,
) -> None:
    path = tmp_path / "d.parquet"
    dossiers_gen.generate(30_000, str(path))
    relation = f"read_parquet('{path}')"
    periods = periods_of_years([2022, 2023, 2024])
    con = duckdb.connect()
    rows = compute_forms(con, relation, periods)
    assert len(rows) == 180 * 21 and check_identities(rows) == []
    engine = {f"{r.agency}|{r.period}": [r.counts[c] for c in FORM_COUNTS] for r in rows}
    plain = duckdb_forms(con, relation, periods)
    other = {f"{a}|{p}": list(v) for (a, p), v in plain.items()}
    assert dossiers_kpis.compare(engine, other) == []
    other[next(iter(other))][0] += 1
    assert len(dossiers_kpis.compare(engine, other)) == 1
    # The benchmark's engine reads the dossiers imported into a store, with and without the
    # store's monthly summaries.
    dossiers_kpis.ensure_store(str(path))
    assert dossiers_kpis._work("engine", str(path)) == engine
    assert dossiers_kpis._work("rows", str(path)) == engine
