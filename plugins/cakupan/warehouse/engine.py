"""Warehouse engines by SQLAlchemy URL: embedded DuckDB (default) or PostgreSQL."""

from __future__ import annotations

import functools
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from cakupan.config import Config, current

Dialect = Literal["duckdb", "postgresql"]


class WarehouseError(RuntimeError):
    """The warehouse cannot be used; the message says which URL and what to check."""


def create_warehouse_engine(url: str | None = None, config: Config | None = None) -> Engine:
    """An engine for ``url`` (default: the configured warehouse, ``cakupan.config``).

    DuckDB allows one writing process per file, so its connections are not pooled: each
    task opens the file, works, and closes it, releasing the lock for the next task. Its
    buffers stay under ``duckdb_memory_limit`` (DuckDB would take 80 % of the machine's RAM,
    which a worker shares with its other tasks; beyond it DuckDB spills to disk).
    """
    config = config or current()
    url = url or config.warehouse_url
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "duckdb":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(
            url,
            poolclass=sa.pool.NullPool,
            connect_args={"config": {"memory_limit": config.duckdb_memory_limit}},
        )
        sa.event.listen(
            engine,
            "do_connect",
            functools.partial(_wait_for_duckdb_lock, config.duckdb_lock_wait_s),
        )
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg")
        return sa.create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": 10})
    raise WarehouseError(
        f"unsupported warehouse URL {describe(parsed)!r}: "
        "use duckdb:///path/to/file.duckdb or postgresql+psycopg://user@host/db"
    )


def _wait_for_duckdb_lock(wait_s: float, dialect, conn_rec, cargs, cparams):
    """Wait while another process holds the DuckDB file, instead of failing at once.

    A DuckDB file has one writing process at a time. Two processes (an Airflow worker
    outside the pool, two ``cakupan run`` at once) then take turns per transaction.
    """
    deadline = time.monotonic() + wait_s
    while True:
        try:
            return dialect.connect(*cargs, **cparams)
        except Exception as exc:
            if "lock" not in str(exc).lower() or time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def describe(url: str | sa.URL) -> str:
    """The URL without its password, for messages and logs."""
    return sa.engine.make_url(url).render_as_string(hide_password=True)


@contextmanager
def reaching(engine: Engine) -> Iterator[None]:
    """Turn driver errors on connect into one message naming the warehouse and what to check."""
    try:
        yield
    except sa.exc.OperationalError as exc:
        raise WarehouseError(
            f"warehouse {describe(engine.url)} is unreachable or failed: "
            f"{str(exc.orig).strip().splitlines()[0]}. Check CAKUPAN_WAREHOUSE_URL and that "
            "the database server is up; the task will be retried and nothing was half-written."
        ) from exc


def dialect_of(bind: Engine | Connection) -> Dialect:
    name = bind.dialect.name
    if name not in ("duckdb", "postgresql"):
        raise WarehouseError(f"unsupported warehouse dialect {name!r}")
    return name  # type: ignore[return-value]


def lock_exclusive(conn: Connection, name: str) -> None:
    """Serialise writers of ``name`` until the transaction ends.

    PostgreSQL takes a transaction-level advisory lock. DuckDB needs none: a DuckDB file
    has a single writing process and its transactions conflict instead of interleaving.
    """
    if dialect_of(conn) == "postgresql":
        key = zlib.crc32(f"cakupan:{name}".encode())
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
