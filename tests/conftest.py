"""Shared fixtures: warehouses on both engines, each test with a database of its own.

PostgreSQL tests create a fresh database on the local server (127.0.0.1:5432, trust auth)
and drop it afterwards. They never skip: an unreachable server fails the test, so CI
cannot go green without them.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

PG_ADMIN_URL = os.environ.get("CAKUPAN_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")


@pytest.fixture(scope="session", autouse=True)
def _data_dir(tmp_path_factory) -> Iterator[None]:
    """Run-time files of code run in-process (Data Docs, work files) go to a temporary
    folder, never the project's data/; a test that needs its own sets it again."""
    if "CAKUPAN_DATA_DIR" in os.environ:
        yield
        return
    os.environ["CAKUPAN_DATA_DIR"] = str(tmp_path_factory.mktemp("data"))
    try:
        yield
    finally:
        os.environ.pop("CAKUPAN_DATA_DIR", None)


def _pg_admin():
    import psycopg

    try:
        return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:  # pragma: no cover - environment problem
        pytest.fail(
            f"PostgreSQL is required for this test and not reachable at {PG_ADMIN_URL}: {exc}"
        )


@contextmanager
def pg_database() -> Iterator[str]:
    """A SQLAlchemy URL of a brand-new PostgreSQL database, dropped afterwards."""
    name = f"cakupan_test_{uuid.uuid4().hex[:12]}"
    with _pg_admin() as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}".replace("postgresql://", "postgresql+psycopg://", 1)
    finally:
        with _pg_admin() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def pg_url() -> Iterator[str]:
    with pg_database() as url:
        yield url


@pytest.fixture
def duckdb_url(tmp_path) -> str:
    return f"duckdb:///{tmp_path / 'warehouse.duckdb'}"


@pytest.fixture(params=["duckdb", pytest.param("postgresql", marks=pytest.mark.postgres)])
def warehouse_url(request) -> str:
    """Each test using this runs once per engine."""
    if request.param == "duckdb":
        return request.getfixturevalue("duckdb_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def warehouse(warehouse_url):
    """An engine with the schema and reference data in place."""
    from cakupan.warehouse.engine import create_warehouse_engine
    from cakupan.warehouse.schema import ensure_schema

    engine = create_warehouse_engine(warehouse_url)
    ensure_schema(engine)
    yield engine
    engine.dispose()


@pytest.fixture(params=["duckdb", pytest.param("postgresql", marks=pytest.mark.postgres)])
def two_warehouses(request, tmp_path) -> Iterator[tuple[str, str]]:
    """Two empty warehouses of the same engine (e.g. a reference run and a disturbed one)."""
    if request.param == "duckdb":
        yield (f"duckdb:///{tmp_path / 'a.duckdb'}", f"duckdb:///{tmp_path / 'b.duckdb'}")
        return
    with pg_database() as first, pg_database() as second:
        yield first, second
