"""Bulk loads and reads through each engine's fast path: Arrow on DuckDB, COPY on PostgreSQL."""

from __future__ import annotations

import io
import re
import tempfile
import time
import uuid
from collections.abc import Iterator, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import suppress
from typing import Any

import pyarrow as pa
import pyarrow.csv as pacsv
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cakupan.warehouse.engine import dialect_of
from cakupan.warehouse.sqlfiles import bound_statement

_COPY_BATCH_ROWS = 200_000


_IDENTIFIER = re.compile(r"[a-z_][a-z0-9_]*")


def checked_identifier(name: str) -> str:
    """A schema-qualified table or a column name from our own code, never from data.

    Identifiers cannot be bound parameters; this is the one place they are interpolated,
    so they must look like ``schema.table`` / ``column`` and nothing else.
    """
    if not all(_IDENTIFIER.fullmatch(part) for part in name.split(".")) or name.count(".") > 1:
        raise ValueError(f"not a plain SQL identifier: {name!r}")
    return name


def bulk_insert(conn: Connection, table: str, data: pa.Table) -> int:
    """Append ``data`` to ``table`` (columns by name) inside the connection's transaction."""
    if data.num_rows == 0:
        return 0
    checked_identifier(table)
    for column in data.column_names:
        checked_identifier(column)
    columns = ", ".join(data.column_names)
    if dialect_of(conn) == "duckdb":
        raw = conn.connection.driver_connection
        view = f"cakupan_in_{uuid.uuid4().hex}"
        # The Arrow C stream, not the table: DuckDB keeps what a transaction scanned alive
        # until it commits, and a consumed stream has let go of its table, so a file
        # written in chunks inside one transaction holds no chunk's Arrow memory.
        raw.register(view, data.__arrow_c_stream__())
        try:
            raw.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {view}")
        except Exception:
            # The failed insert aborted the transaction, so unregistering fails too; its
            # "transaction is aborted" would hide the cause.
            with suppress(Exception):
                raw.unregister(view)
            raise
        raw.unregister(view)
        return data.num_rows
    raw = conn.connection.driver_connection
    options = pacsv.WriteOptions(include_header=False, quoting_style="needed")
    with raw.cursor() as cur, cur.copy(f"COPY {table} ({columns}) FROM STDIN (FORMAT csv)") as cp:
        for batch in data.to_batches(max_chunksize=_COPY_BATCH_ROWS):
            buf = io.BytesIO()
            pacsv.write_csv(pa.Table.from_batches([batch]), buf, options)
            cp.write(buf.getbuffer())
    return data.num_rows


class BackgroundInserts:
    """Bulk inserts of one connection run on a worker thread, one batch in flight at most.

    A big file is judged and written chunk by chunk inside one transaction. The engines do
    the insert in their own code without holding the GIL (PostgreSQL's COPY on the server,
    DuckDB's Arrow scan), so writing chunk k on the worker overlaps judging chunk k+1 on
    the caller's thread: on two cores the write phase nearly disappears from the file's
    time. Memory grows by the one batch in flight, not with the file.

    The caller must not use the connection while a batch is in flight: ``wait()`` first
    (``submit`` and leaving the block do). Use as a context manager inside the transaction, so
    nothing is still writing when the transaction ends: on an error the batch in flight is
    waited for and its own error, if any, is dropped in favour of the caller's.
    """

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="cakupan-insert")
        self._pending: Future[float] | None = None
        self.seconds = 0.0  # the worker's own time in inserts, for the task's timings

    def submit(self, batch: list[tuple[str, pa.Table]]) -> None:
        """Insert ``batch`` ((table, rows) pairs, in order) once the batch before is done."""
        self.wait()
        self._pending = self._pool.submit(self._insert, batch)

    def _insert(self, batch: list[tuple[str, pa.Table]]) -> float:
        began = time.perf_counter()
        for table, data in batch:
            bulk_insert(self.conn, table, data)
        return time.perf_counter() - began

    def wait(self) -> None:
        """Block until the batch in flight is written; its error is raised here."""
        pending, self._pending = self._pending, None
        if pending is not None:
            self.seconds += pending.result()

    def __enter__(self) -> BackgroundInserts:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if exc_type is None:
                self.wait()
            elif self._pending is not None:
                self._pending.exception()  # waits; its error gives way to the caller's
                self._pending = None
        finally:
            self._pool.shutdown(wait=True)


def fetch_arrow(
    conn: Connection, relpath: str, params: Mapping[str, Any] | None = None
) -> pa.Table:
    """The rows of a one-statement SQL file as one Arrow table (:func:`fetch_batches`)."""
    reader = fetch_batches(conn, relpath, params)
    return reader.read_all()


def fetch_batches(
    conn: Connection,
    relpath: str,
    params: Mapping[str, Any] | None = None,
    batch_rows: int = _COPY_BATCH_ROWS,
) -> pa.RecordBatchReader:
    """The rows of a one-statement SQL file as a stream of Arrow batches of about
    ``batch_rows`` rows, through each engine's fast path, so a caller that keeps few of
    millions of rows never holds them all: DuckDB's Arrow reader; PostgreSQL's
    ``COPY (query) TO STDOUT`` as CSV, spooled to a temporary file and read by Arrow's
    streaming reader (every column as text: the caller casts what it needs). Parameters
    are bound, never formatted in. On DuckDB, read it before the connection's next
    statement."""
    stmt, bound = bound_statement(relpath, params)
    compiled = sa.text(stmt).bindparams(**bound).compile(dialect=conn.dialect)
    query = str(compiled)
    if dialect_of(conn) == "duckdb":
        # The connection's own DuckDB relation streams; a DB-API result would first copy
        # every row. Parameters are positional ($1, ...) in its dialect.
        values = [compiled.params[name] for name in compiled.positiontup or ()]
        relation = conn.connection.driver_connection.sql(query, params=values)
        return relation.to_arrow_reader(batch_rows)
    # On disk, not in memory; gone when the reader closes it (so not a `with` block here).
    spool = tempfile.TemporaryFile()  # noqa: SIM115
    raw = conn.connection.driver_connection
    with (
        raw.cursor() as cur,
        cur.copy(f"COPY ({query}) TO STDOUT (FORMAT csv, HEADER)", compiled.params) as cp,
    ):
        for block in cp:
            spool.write(block)
    spool.seek(0)
    names = spool.readline().decode("utf-8").strip().split(",")
    spool.seek(0)
    # NULL is an unquoted empty field, an empty text a quoted one.
    options = pacsv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.string()),
        strings_can_be_null=True,
        quoted_strings_can_be_null=False,
    )
    return _rebatched(pacsv.open_csv(spool, convert_options=options), batch_rows)


def _rebatched(reader: pa.RecordBatchReader, rows: int) -> pa.RecordBatchReader:
    """``reader``'s rows in batches of at least ``rows`` (the last may be short).

    Arrow's CSV reader cuts a batch per block of bytes (about 15,000 short rows), DuckDB's
    reader hands over the asked size: so a caller sees batches of the same size whatever
    the engine, and one paying a fixed cost per batch does not pay it per block.
    """

    def batches() -> Iterator[pa.RecordBatch]:
        held: list[pa.RecordBatch] = []
        for batch in reader:
            held.append(batch)
            if sum(b.num_rows for b in held) >= rows:
                yield pa.concat_batches(held)
                held = []
        if held:
            yield pa.concat_batches(held)

    return pa.RecordBatchReader.from_batches(reader.schema, batches())
