"""The two baselines the pipeline is measured against at province scale, on the same engine.

* The bare load: the CSV files as text into one table per source through the engine's own
  loader (DuckDB ``read_csv``, PostgreSQL ``COPY``). No parsing, checks or history: the
  floor for moving those bytes into that warehouse.
* The peer: what a provincial analyst writes instead of the pipeline, pandas reads of the
  same files and ``DataFrame.to_sql`` with pandas' defaults, no checks.

Each works in a scratch schema of its own (``bench_bare``, ``bench_peer``), dropped and
recreated at the start and dropped at the end: the pipeline's schemas are never touched
and a rerun gives the same result.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from time import perf_counter

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from cakupan.logs import get_logger
from cakupan.warehouse.bulk import checked_identifier
from cakupan.warehouse.engine import create_warehouse_engine, dialect_of

log = get_logger(__name__)

BARE_SCHEMA = "bench_bare"
PEER_SCHEMA = "bench_peer"

KINDS = ("xlsx", "csv")
ENCODINGS = ("utf-8", "cp1252")

_COPY_BLOCK = 1 << 20  # bytes per COPY write
# DuckDB reads UTF-8 and Latin-1 natively; cp1252 needs the ``encodings`` extension, a
# download. Latin-1 decodes every cp1252 file at the same cost, only 0x80-0x9F differ.
_DUCKDB_ENCODING = {"utf-8": "utf-8", "cp1252": "latin-1"}
_PG_ENCODING = {"utf-8": "UTF8", "cp1252": "WIN1252"}
_PG_NAME_BYTES = 63  # PostgreSQL truncates longer identifiers


@dataclass(frozen=True)
class InputFile:
    """One landing file as the baselines read it; ``source`` is also the target table."""

    source: str  # village_submissions | poverty_lists | member_exports
    path: Path
    kind: str  # "xlsx" | "csv"
    delimiter: str | None = None
    encoding: str | None = None  # "utf-8" | "cp1252"

    def __post_init__(self) -> None:
        checked_identifier(self.source)
        if self.kind not in KINDS:
            raise ValueError(f"{self.path}: kind must be one of {KINDS}, not {self.kind!r}")
        if self.kind == "csv" and (not self.delimiter or self.encoding not in ENCODINGS):
            raise ValueError(f"{self.path}: a CSV needs a delimiter and an encoding in {ENCODINGS}")


@dataclass
class Timing:
    """Wall time of one baseline, the rows it left in its tables, and named sub-times."""

    seconds: float
    rows: int
    parts: dict[str, float]


def bare_load(url: str, files: list[InputFile], *, keep: bool = False) -> Timing:
    """Load the CSV files (other kinds are ignored) as text, one table per source.

    A table has the union of its files' headers (stripped, lower-cased) and each file goes
    into its own columns by name, because files of one source differ: member exports with
    and without the export-date column, village files in their own column orders. The
    timed section covers reading the headers, creating the tables and loading; ``parts``
    has seconds per source. ``keep`` leaves the schema in place (for tests).
    """
    by_source = _by_source(f for f in files if f.kind == "csv")
    engine = create_warehouse_engine(url)
    try:
        _reset(engine, BARE_SCHEMA)
        parts: dict[str, float] = {}
        start = perf_counter()
        with engine.begin() as conn:
            for source, group in by_source.items():
                began = perf_counter()
                _bare_source(conn, source, group)
                parts[f"{source}_s"] = perf_counter() - began
        seconds = perf_counter() - start
        rows = _count(engine, BARE_SCHEMA, by_source)
        log.info(
            "bench_bare_loaded",
            engine=engine.dialect.name,
            files=sum(len(g) for g in by_source.values()),
            rows=rows,
            seconds=round(seconds, 3),
        )
        return Timing(seconds=seconds, rows=rows, parts=parts)
    finally:
        if not keep:
            _drop(engine, BARE_SCHEMA)
        engine.dispose()


def peer_load(url: str, files: list[InputFile], *, keep: bool = False) -> Timing:
    """Load every file the way an analyst's notebook does: read with pandas, ``to_sql``.

    Workbooks through ``pd.read_excel`` (calamine, the fast reader), CSVs through
    ``pd.read_csv`` with the file's delimiter and encoding, both ``dtype=str``, then
    ``to_sql(append)`` with pandas' defaults (no ``method``, no ``chunksize``). Headers are
    stripped and lower-cased, and a source's later files are reindexed to its first file's
    columns so the appends line up, as the analyst would.
    ``parts`` splits the time into ``read_s`` (reading and renaming) and ``write_s``
    (``to_sql``). ``keep`` leaves the schema in place (for tests).
    """
    engine = create_warehouse_engine(url)
    try:
        _reset(engine, PEER_SCHEMA)
        columns: dict[str, list[str]] = {}
        read_s = write_s = 0.0
        start = perf_counter()
        for file in files:
            began = perf_counter()
            frame = _analyst_read(file)
            frame.columns = [str(c).strip().lower() for c in frame.columns]
            if file.source in columns:
                frame = frame.reindex(columns=columns[file.source])
            else:
                columns[file.source] = list(frame.columns)
            read = perf_counter()
            frame.to_sql(file.source, engine, schema=PEER_SCHEMA, if_exists="append", index=False)
            read_s += read - began
            write_s += perf_counter() - read
        seconds = perf_counter() - start
        rows = _count(engine, PEER_SCHEMA, columns)
        log.info(
            "bench_peer_loaded",
            engine=engine.dialect.name,
            files=len(files),
            rows=rows,
            seconds=round(seconds, 3),
            read_s=round(read_s, 3),
            write_s=round(write_s, 3),
        )
        return Timing(seconds=seconds, rows=rows, parts={"read_s": read_s, "write_s": write_s})
    finally:
        if not keep:
            _drop(engine, PEER_SCHEMA)
        engine.dispose()


def _analyst_read(file: InputFile) -> pd.DataFrame:
    """The file with every cell as text, as the analyst ends up reading it.

    With inferred types the first file of a source makes a column numeric and a later
    file's ``16.06.06.2004`` then fails the append (and a NIK read as a float loses
    digits), so the analyst adds ``dtype=str``.
    """
    if file.kind == "xlsx":
        return pd.read_excel(file.path, engine="calamine", dtype=str)
    return pd.read_csv(file.path, sep=file.delimiter, encoding=file.encoding, dtype=str)


def _bare_source(conn: Connection, source: str, files: list[InputFile]) -> None:
    """Create the source's table with every column its files name, then load each by name.

    Header names come from the data: the table is created through SQLAlchemy and the
    loads' column lists are quoted identifiers; the path, delimiter and encoding are
    parameters.
    """
    headers = [_header(f) for f in files]
    union = list(dict.fromkeys(name for names in headers for name in names))
    if not union:
        return
    text_columns = [sa.Column(n, sa.Text) for n in union]
    sa.Table(source, sa.MetaData(), *text_columns, schema=BARE_SCHEMA).create(conn)
    duckdb = dialect_of(conn) == "duckdb"
    table = f"{BARE_SCHEMA}.{checked_identifier(source)}"
    raw = conn.connection.driver_connection
    for file, names in zip(files, headers, strict=True):
        if not names:
            continue  # an empty file: nothing to load
        if duckdb:
            columns = ", ".join(_quoted(n) for n in names)
            raw.execute(
                f"INSERT INTO {table} ({columns}) SELECT * FROM read_csv(?, delim = ?, "
                "header = true, all_varchar = true, encoding = ?, names = ?)",
                [str(file.path), file.delimiter, _DUCKDB_ENCODING[file.encoding], names],
            )
            continue
        # psycopg merges the parameters client-side: a "%" in a header must be doubled.
        columns = ", ".join(_quoted(n).replace("%", "%%") for n in names)
        with (
            raw.cursor() as cur,
            cur.copy(
                f"COPY {table} ({columns}) FROM STDIN "
                "(FORMAT csv, HEADER true, DELIMITER %s, ENCODING %s)",
                (file.delimiter, _PG_ENCODING[file.encoding]),
            ) as copy,
            file.path.open("rb") as fh,
        ):
            while block := fh.read(_COPY_BLOCK):
                copy.write(block)


def _quoted(name: str) -> str:
    """A column name as a standard SQL quoted identifier (the same on both engines)."""
    return '"' + name.replace('"', '""') + '"'


def _header(file: InputFile) -> list[str]:
    """The file's column names: stripped, lower-cased, unique, never empty ([] if no header).

    Lower case because DuckDB identifiers ignore case even when quoted: "NIK" and "nik"
    must be one column on both engines.
    """
    encoding = "utf-8-sig" if file.encoding == "utf-8" else file.encoding
    with file.path.open(encoding=encoding, newline="") as fh:
        row = next(csv.reader(fh, delimiter=file.delimiter), [])
    names: list[str] = []
    for i, cell in enumerate(row, start=1):
        base = cell.strip().lower() or f"column{i}"
        base = name = base.encode()[: _PG_NAME_BYTES - 5].decode(errors="ignore")
        n = 1
        while name in names:
            n += 1
            name = f"{base}_{n}"
        names.append(name)
    return names


def _by_source(files: Iterable[InputFile]) -> dict[str, list[InputFile]]:
    grouped: dict[str, list[InputFile]] = {}
    for file in files:
        grouped.setdefault(file.source, []).append(file)
    return grouped


def drop_scratch(url: str, schema: str) -> None:
    """Drop a scratch schema of the benchmark (and everything in it) if it is there."""
    engine = create_warehouse_engine(url)
    try:
        _drop(engine, schema)
    finally:
        engine.dispose()


def scratch_rows(url: str, schema: str, tables: Iterable[str]) -> int:
    """Rows in the named tables of a scratch schema (missing tables count 0)."""
    engine = create_warehouse_engine(url)
    try:
        return _count(engine, schema, tables)
    finally:
        engine.dispose()


def _reset(engine: Engine, schema: str) -> None:
    with engine.begin() as conn:
        conn.execute(sa.schema.DropSchema(schema, cascade=True, if_exists=True))
        conn.execute(sa.schema.CreateSchema(schema))


def _drop(engine: Engine, schema: str) -> None:
    with engine.begin() as conn:
        conn.execute(sa.schema.DropSchema(schema, cascade=True, if_exists=True))


def _count(engine: Engine, schema: str, sources: Iterable[str]) -> int:
    """Rows in the scratch tables, read back rather than trusted from the loaders."""
    with engine.connect() as conn:
        existing = set(
            conn.execute(
                sa.text("SELECT table_name FROM information_schema.tables WHERE table_schema = :s"),
                {"s": schema},
            ).scalars()
        )
        return sum(
            conn.execute(
                sa.select(sa.func.count()).select_from(sa.table(s, schema=schema))
            ).scalar_one()
            for s in sources
            if s in existing
        )
