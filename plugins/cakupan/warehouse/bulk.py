"""Bulk loads through each engine's fast path: Arrow scans on DuckDB, COPY on PostgreSQL."""

from __future__ import annotations

import io
import re
import uuid

import pyarrow as pa
import pyarrow.csv as pacsv
from sqlalchemy.engine import Connection

from cakupan.warehouse.engine import dialect_of

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
        finally:
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
