"""bulk_insert: columns by name, inside the caller's transaction, on both engines."""

from __future__ import annotations

import pyarrow as pa
import pytest
import sqlalchemy as sa

from cakupan.warehouse.bulk import BackgroundInserts, bulk_insert

ROWS = 100_000


def _chunk(start: int) -> pa.Table:
    """Columns in another order than the table's, and one of its columns left out."""
    numbers = pa.array(range(start, start + ROWS), pa.int32())
    return pa.table({"label": pa.compute.cast(numbers, pa.string()), "n": numbers})


def test_rows_land_by_column_name_and_only_on_commit(warehouse):
    with warehouse.begin() as conn:
        conn.execute(
            sa.text("CREATE TABLE staging.bulk_probe (n INTEGER, note VARCHAR, label VARCHAR)")
        )
    with warehouse.connect() as conn:
        with conn.begin() as txn:
            for start in (0, ROWS, 2 * ROWS):
                assert bulk_insert(conn, "staging.bulk_probe", _chunk(start)) == ROWS
            txn.rollback()
        with conn.begin():
            bulk_insert(conn, "staging.bulk_probe", _chunk(0))
            assert bulk_insert(conn, "staging.bulk_probe", _chunk(0).slice(0, 0)) == 0
    with warehouse.connect() as conn:
        count, wrong, notes = conn.execute(
            sa.text(
                "SELECT count(*), sum(CASE WHEN label <> CAST(n AS VARCHAR) THEN 1 ELSE 0 END),"
                " count(note) FROM staging.bulk_probe"
            )
        ).one()
    assert (count, wrong, notes) == (ROWS, 0, 0)


def test_a_long_transaction_holds_no_chunk_in_memory(warehouse):
    """A big file is written chunk by chunk in one transaction: the chunks written so far
    must not stay in the process (DuckDB keeps what a transaction scanned until commit)."""
    with warehouse.begin() as conn:
        conn.execute(sa.text("CREATE TABLE staging.bulk_probe (n INTEGER, label VARCHAR)"))
    with warehouse.connect() as conn, conn.begin():
        before = pa.total_allocated_bytes()
        for start in range(0, 8 * ROWS, ROWS):
            chunk = _chunk(start)
            size = chunk.nbytes
            bulk_insert(conn, "staging.bulk_probe", chunk)
            del chunk
        held = pa.total_allocated_bytes() - before
        assert held < size, f"{held} bytes of Arrow memory held after 8 chunks of {size}"


def _probe(warehouse) -> None:
    with warehouse.begin() as conn:
        conn.execute(sa.text("CREATE TABLE staging.bulk_probe (n INTEGER, label VARCHAR)"))


def _probe_rows(warehouse) -> tuple[int, int]:
    with warehouse.connect() as conn:
        return tuple(
            conn.execute(
                sa.text("SELECT count(*), count(DISTINCT n) FROM staging.bulk_probe")
            ).one()
        )


def test_background_inserts_land_every_batch_in_the_callers_transaction(warehouse):
    _probe(warehouse)
    with warehouse.connect() as conn:
        with conn.begin() as txn, BackgroundInserts(conn) as inserts:
            for start in range(0, 4 * ROWS, ROWS):
                inserts.submit([("staging.bulk_probe", _chunk(start))])
            inserts.wait()
            assert (
                conn.execute(sa.text("SELECT count(*) FROM staging.bulk_probe")).scalar()
                == 4 * ROWS
            )
            txn.rollback()
        assert _probe_rows(warehouse) == (0, 0)
        with conn.begin(), BackgroundInserts(conn) as inserts:
            for start in range(0, 3 * ROWS, ROWS):
                inserts.submit([("staging.bulk_probe", _chunk(start))])
        assert inserts.seconds > 0
    assert _probe_rows(warehouse) == (3 * ROWS, 3 * ROWS)


def test_background_insert_errors_reach_the_caller_and_nothing_stays(warehouse):
    _probe(warehouse)
    broken = pa.table({"no_such_column": pa.array([1], pa.int32())})
    with warehouse.connect() as conn:
        with (
            pytest.raises(Exception, match="no_such_column") as raised,
            conn.begin(),
            BackgroundInserts(conn) as inserts,
        ):
            inserts.submit([("staging.bulk_probe", _chunk(0))])
            inserts.submit([("staging.bulk_probe", broken)])
            inserts.submit([("staging.bulk_probe", _chunk(ROWS))])  # raises the error above
        assert "aborted" not in str(raised.value)  # the cause, not its aftermath
    assert _probe_rows(warehouse) == (0, 0)


def test_a_caller_error_waits_for_the_batch_in_flight_before_rollback(warehouse):
    _probe(warehouse)
    with warehouse.connect() as conn:
        with pytest.raises(RuntimeError), conn.begin(), BackgroundInserts(conn) as inserts:
            inserts.submit(
                [("staging.bulk_probe", _chunk(0)), ("staging.bulk_probe", _chunk(ROWS))]
            )
            raise RuntimeError("judging the next chunk failed")
        assert inserts._pending is None
    assert _probe_rows(warehouse) == (0, 0)


def test_fetch_arrow_reads_a_sql_file_with_bound_parameters(warehouse):
    """fetch_arrow: a SQL file's rows as Arrow on both engines; NULL stays NULL and an empty
    text stays empty (PostgreSQL's COPY writes them apart), dates read as dates or ISO text."""
    import datetime as dt

    from cakupan.warehouse.bulk import fetch_arrow

    rows = [
        ("b", "1612051203900001", "1612052011", 2, "SITI", dt.date(1990, 3, 12)),
        ("b", "1612051203900002", "1612052011", 3, "", None),
    ]
    with warehouse.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO core.poverty_latest (basis, nik, village_code, decile, name, "
                "birth_date) VALUES (:b, :n, :v, :d, :name, :born)"
            ),
            [dict(zip(("b", "n", "v", "d", "name", "born"), r, strict=True)) for r in rows],
        )
        got = fetch_arrow(conn, "linkage/020_candidates.sql", {"as_of": dt.date(2025, 6, 1)})
    assert got.column_names == ["candidate_source", "nik", "village_code", "name", "birth_date"]
    found = sorted(
        (r["nik"], r["name"], None if r["birth_date"] is None else str(r["birth_date"]))
        for r in got.to_pylist()
    )
    assert found == [
        ("1612051203900001", "SITI", "1990-03-12"),
        ("1612051203900002", "", None),
    ]


def test_fetch_batches_hands_over_batches_of_the_asked_size(warehouse):
    """fetch_batches: about ``batch_rows`` rows a batch on both engines. Arrow's CSV reader
    would cut PostgreSQL's COPY into a batch per MB (~15,000 rows), and the linkage pays a
    fixed cost per batch: 5.5 million candidates took 39 s in 370 batches, 6 s in 6."""
    import datetime as dt

    from cakupan.warehouse.bulk import fetch_batches

    total = 120_000
    with warehouse.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO core.poverty_latest (basis, nik, village_code, decile, name) "
                "SELECT 'b', CAST(1612051203900000 + i AS VARCHAR), '1612052011', 2, "
                "'NAMA PANJANG SEKALI ' || CAST(i AS VARCHAR) "
                "FROM generate_series(1, :n) AS g(i)"
            ),
            {"n": total},
        )
        reader = fetch_batches(
            conn, "linkage/020_candidates.sql", {"as_of": dt.date(2025, 6, 1)}, 50_000
        )
        sizes = [batch.num_rows for batch in reader]
    assert sum(sizes) == total
    assert sizes[:-1] and min(sizes[:-1]) >= 50_000
    assert len(sizes) <= 3
