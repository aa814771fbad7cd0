"""The read-only cakupan_analyst role on PostgreSQL: mart readable, nothing else.

Roles are cluster-wide, so the role may already exist from another test database; the grants
are checked in this test's own database.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from cakupan.warehouse.engine import WarehouseError, create_warehouse_engine
from cakupan.warehouse.roles import ANALYST_ROLE, create_analyst_role, main
from cakupan.warehouse.schema import ensure_schema


@pytest.fixture
def pg_warehouse(pg_url):
    engine = create_warehouse_engine(pg_url)
    ensure_schema(engine)
    yield engine
    engine.dispose()


def as_analyst(engine, sql: str) -> list:
    """Run ``sql`` as cakupan_analyst on a connection of its own, rolled back afterwards."""
    with engine.connect() as conn:
        conn.execute(sa.text(f"SET ROLE {ANALYST_ROLE}"))
        try:
            return list(conn.execute(sa.text(sql)))
        finally:
            conn.rollback()


def denied(engine, sql: str) -> None:
    with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
        as_analyst(engine, sql)


@pytest.mark.postgres
def test_analyst_reads_mart_and_nothing_else(pg_warehouse) -> None:
    e = pg_warehouse
    create_analyst_role(e)
    create_analyst_role(e)  # idempotent

    assert as_analyst(e, "SELECT count(*) FROM mart.coverage_village") == [(0,)]
    as_analyst(e, "SELECT * FROM mart.rejected_rows")
    for table in (
        "core.proposed_worker",
        "staging.village_submissions",
        "staging.rejected_rows",
        "staging.file_ledger",
        "ref.village",
    ):
        denied(e, f"SELECT * FROM {table}")
    denied(
        e,
        "INSERT INTO mart.rejected_rows (source, file_name, sha256, row_number, reason) "
        "VALUES ('s', 'f', 'h', 2, 'r')",
    )
    denied(e, "DELETE FROM mart.coverage_village")
    denied(e, "CREATE TABLE mart.analyst_scratch (x INTEGER)")


@pytest.mark.postgres
def test_analyst_reads_mart_tables_created_later(pg_warehouse) -> None:
    e = pg_warehouse
    create_analyst_role(e)
    with e.begin() as conn:
        conn.execute(sa.text("CREATE TABLE mart.added_later (x INTEGER)"))
        conn.execute(sa.text("INSERT INTO mart.added_later VALUES (1)"))
        conn.execute(sa.text("CREATE TABLE staging.added_later (x INTEGER)"))
    assert as_analyst(e, "SELECT x FROM mart.added_later") == [(1,)]
    denied(e, "SELECT x FROM staging.added_later")


@pytest.mark.postgres
def test_analyst_role_is_nologin(pg_warehouse) -> None:
    create_analyst_role(pg_warehouse)
    with pg_warehouse.connect() as conn:
        can_login = conn.execute(
            sa.text("SELECT rolcanlogin FROM pg_roles WHERE rolname = :r"), {"r": ANALYST_ROLE}
        ).scalar_one()
    assert can_login is False


@pytest.mark.postgres
def test_analyst_make_roles_entry(pg_url, capsys) -> None:
    assert main(["--warehouse", pg_url]) == 0
    assert ANALYST_ROLE in capsys.readouterr().out
    engine = create_warehouse_engine(pg_url)
    try:
        assert as_analyst(engine, "SELECT count(*) FROM mart.coverage_province") == [(0,)]
    finally:
        engine.dispose()


def test_analyst_role_refused_on_duckdb(duckdb_url, capsys) -> None:
    engine = create_warehouse_engine(duckdb_url)
    with pytest.raises(WarehouseError, match=r"DuckDB has no roles.*read_only=True"):
        create_analyst_role(engine)
    assert main(["--warehouse", duckdb_url]) == 2
    assert "DuckDB has no roles" in capsys.readouterr().out
