"""A warehouse built before CONTRACT §5.1 gains its columns and tables in place, on both
engines, and publishes the next snapshot; what it published before keeps NULL there."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from cakupan.marts.snapshot import build_snapshot
from cakupan.settings import load_settings
from cakupan.warehouse.engine import create_warehouse_engine
from cakupan.warehouse.schema import REBUILDABLE_TABLES, ensure_schema
from cakupan.warehouse.sqlfiles import model_files, run_file

ADDED = [
    "workers_probably_covered",
    "workers_awaiting_enrolment",
    "workers_paid_by_village",
    "village_budget_idr_per_year",
]
COVERAGE = ("coverage_village", "coverage_district", "coverage_regency", "coverage_province")
BEFORE = dt.date(2025, 6, 1)


def _columns(conn: sa.Connection, table: str) -> list[str]:
    query = sa.text(
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = 'mart' AND table_name = :t ORDER BY ordinal_position"
    )
    return list(conn.execute(query, {"t": table}).scalars())


def test_a_first_edition_warehouse_gains_the_new_columns_in_place(warehouse_url):
    engine = create_warehouse_engine(warehouse_url)
    try:
        first_edition = [f for f in model_files("ddl") if not f.startswith("ddl/060_")]
        with engine.begin() as conn:
            for relpath in first_edition:
                run_file(conn, relpath)
            assert not set(ADDED) & set(_columns(conn, "coverage_province"))
            conn.execute(
                sa.text(
                    "INSERT INTO mart.coverage_province (snapshot_date, workers_proposed, "
                    "workers_eligible, workers_enrolled, workers_covered, workers_in_arrears, "
                    "rows_rejected, poor_listed, poor_covered, villages_expected, "
                    "villages_submitted, villages_on_time, members_covered, "
                    "members_unattributed) VALUES (:d, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)"
                ),
                {"d": BEFORE},
            )

        ensure_schema(engine)
        ensure_schema(engine)  # idempotent: a second start adds nothing twice
        with engine.connect() as conn:
            for table in COVERAGE:
                assert _columns(conn, table)[-4:] == ADDED, table
            assert _columns(conn, "nik_review") and _columns(conn, "coverage_forecast")

        build_snapshot(engine, BEFORE + dt.timedelta(days=1), load_settings())
        with engine.connect() as conn:
            got = conn.execute(
                sa.text(
                    "SELECT snapshot_date, workers_awaiting_enrolment, village_budget_idr_per_year"
                    " FROM mart.coverage_province ORDER BY snapshot_date"
                )
            ).all()
        assert got[0] == (BEFORE, None, None)  # published before the columns: never computed
        assert got[1][0] == BEFORE + dt.timedelta(days=1)
        assert got[1][1] == 0 and got[1][2] > 0  # computed since: no one proposed, desa budget
    finally:
        engine.dispose()


def _unlogged(conn: sa.Connection) -> set[str]:
    query = sa.text(
        "SELECT n.nspname || '.' || c.relname FROM pg_class AS c "
        "JOIN pg_namespace AS n ON n.oid = c.relnamespace "
        "WHERE c.relkind = 'r' AND c.relpersistence = 'u' "
        "AND n.nspname IN ('ref', 'staging', 'core', 'mart')"
    )
    return set(conn.execute(query).scalars())


@pytest.mark.postgres
def test_postgresql_writes_no_wal_for_what_a_snapshot_rebuilds(pg_url):
    """A warehouse made before the change gains UNLOGGED core working sets in place; the
    staging rows, the ledger, the history and the marts stay logged."""
    engine = create_warehouse_engine(pg_url)
    try:
        with engine.begin() as conn:
            for relpath in model_files("ddl"):
                run_file(conn, relpath)
            assert _unlogged(conn) == set()
        ensure_schema(engine)
        ensure_schema(engine)  # idempotent
        with engine.connect() as conn:
            assert _unlogged(conn) == set(REBUILDABLE_TABLES)
    finally:
        engine.dispose()
