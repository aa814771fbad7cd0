"""The row pass: every raw row cleaned and judged in one in-process DuckDB query.

The rules live once, as SQL macros under ``include/sql/rules/`` (cells, dates, NIK, one
file per source, the verdict), and run here whatever the warehouse is: DuckDB computes the
cleaned columns, each row's first reason of CONTRACT §3, its flags and the duplicates in
the file in a single pass over Arrow data, and hands back Arrow tables shaped like the
staging tables. Python only opens files, finds the header and matches aliases
(``cakupan.sources``); it never looks at a cell's value here.

One connection per process (an in-memory database, about 1 GB of buffer at most, spilling
to a temporary folder beyond), guarded by a lock: the row pass is CPU work on the caller's
thread while a streamed file's inserts run on another.

A big file is judged in chunks: ``seen_key`` keeps the keys its earlier chunks loaded, so
``duplicate_in_file`` spans the whole file while memory stays bounded by DuckDB's buffer.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from cakupan.paths import SQL_DIR
from cakupan.sources.specs import FLAGS, SourceSpec
from cakupan.warehouse.bulk import checked_identifier
from cakupan.warehouse.sqlfiles import statements

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa

RULES_LAYER = "rules"
# The four columns a raw cell may arrive as (see include/sql/rules/010_cells.sql).
CELL_PARTS = {"": "VARCHAR", "__cell": "VARCHAR", "__number": "BOOLEAN", "__date": "DATE"}
MEMORY_LIMIT = "1GB"


@dataclass(frozen=True)
class FileCounts:
    """What one file's judged rows add up to: the numbers of its ledger entry."""

    read: int
    loaded: int
    reasons: Counter[str]
    flags: Counter[str]


@dataclass
class Verdicts:
    """Rows of one or more files, judged: staging-shaped Arrow tables and counts per file.

    Both tables carry ``file_index`` so a caller can keep only some files' rows
    (:meth:`tables`); it is dropped before anything is written.
    """

    loaded: pa.Table
    rejected: pa.Table
    counts: dict[int, FileCounts]

    def tables(self, only: Iterable[int] | None = None) -> tuple[pa.Table, pa.Table]:
        """(loaded, rejected) without ``file_index``, for all files or ``only`` those."""
        return _without_index(self.loaded, only), _without_index(self.rejected, only)


def _without_index(table: pa.Table, only: Iterable[int] | None) -> pa.Table:
    import pyarrow as pa
    import pyarrow.compute as pc

    if only is not None:
        keep = pc.is_in(table["file_index"], value_set=pa.array(sorted(only), pa.int32()))
        table = table.filter(keep)
    return table.drop_columns(["file_index"])


def load_rule_macros(db: duckdb.DuckDBPyConnection) -> None:
    """Define the rule macros (include/sql/rules/macros/) in an in-process DuckDB: the row
    pass's, and the linkage's, which reads a birth date from a NIK by the same rules."""
    for path in sorted((SQL_DIR / RULES_LAYER / "macros").glob("*.sql")):
        for stmt in statements(f"{RULES_LAYER}/macros/{path.name}"):
            db.execute(stmt)


class RowPass:
    """The in-process DuckDB holding the rule macros and the reference village codes."""

    def __init__(self) -> None:
        import duckdb

        from cakupan.warehouse.schema import village_codes

        self._lock = threading.Lock()
        self.db: duckdb.DuckDBPyConnection = duckdb.connect(
            config={
                "memory_limit": MEMORY_LIMIT,
                "temp_directory": tempfile.gettempdir() + "/cakupan-row-pass",
            }
        )
        load_rule_macros(self.db)
        self.db.execute("CREATE TABLE ref_village (code VARCHAR PRIMARY KEY)")
        self.db.executemany("INSERT INTO ref_village VALUES (?)", [[c] for c in village_codes()])
        self.db.execute("CREATE TABLE seen_key (key_number HUGEINT)")

    # ---------------------------------------------------------------- the pass

    def judge(
        self,
        spec: SourceSpec,
        cells: pa.Table,
        files: Sequence[tuple[str, str]],
        received: dt.date,
        kpj_digits: int,
        continues_file: bool = False,
    ) -> Verdicts:
        """Clean and judge ``cells`` (raw rows with ``file_index`` into ``files``, each a
        (sha256, file name)). ``continues_file``: the rows are the next chunk of the one
        file judged before, so keys its earlier chunks loaded count as seen."""
        import pyarrow as pa

        with self._lock:
            self._set_cells(spec, cells, received, kpj_digits)
            if not continues_file:
                self.db.execute("DELETE FROM seen_key")
            clean, reasons = statements(f"{RULES_LAYER}/{spec.name}.sql")
            for stmt in (clean, *_statements("known"), reasons, *_statements("judge")):
                self.db.execute(stmt)
            self.db.execute(
                "INSERT INTO seen_key SELECT key_number FROM verdict WHERE reason IS NULL"
            )
            batch_files = pa.table(
                {
                    "file_index": pa.array(range(len(files)), pa.int32()),
                    "sha256": pa.array([f[0] for f in files], pa.string()),
                    "file_name": pa.array([f[1] for f in files], pa.string()),
                }
            )
            self.db.register("batch_files", batch_files)
            try:
                loaded = self.db.sql(_loaded_sql(spec)).to_arrow_table()
                rejected = self.db.sql(_rejected_sql(spec)).to_arrow_table()
                counts = self._counts()
            finally:
                self.db.unregister("batch_files")
                self.db.execute("DROP VIEW IF EXISTS reasons; DROP VIEW IF EXISTS known")
                self.db.execute("DROP VIEW IF EXISTS clean")
                self.db.execute("DROP TABLE IF EXISTS keyed; DROP TABLE IF EXISTS verdict")
                self.db.unregister("raw_cells")
        return Verdicts(loaded, rejected, counts)

    def clean(self, spec: SourceSpec, cells: pa.Table, received: dt.date) -> pa.Table:
        """Only the cleaning stage: every column of ``spec`` cleaned, one row per raw row."""
        with self._lock:
            self._set_cells(spec, cells, received, 0)
            try:
                self.db.execute(statements(f"{RULES_LAYER}/{spec.name}.sql")[0])
                return self.db.sql("FROM clean ORDER BY file_index, row_number").to_arrow_table()
            finally:
                self.db.execute("DROP VIEW IF EXISTS clean")
                self.db.unregister("raw_cells")

    def evaluate(self, expression: str, columns: dict[str, pa.Array]) -> list[Any]:
        """One rule macro over columns of values, in their order (for tools and tests).

        Binding a rule costs milliseconds (its regexes are compiled per query), so this is
        for a few values at a time; the row pass itself binds once per chunk.
        """
        import pyarrow as pa

        size = len(next(iter(columns.values())))
        table = pa.table({"position": pa.array(range(size))} | columns)
        with self._lock:
            self.db.register("rule_input", table)
            try:
                rows = self.db.execute(
                    f"SELECT {checked_call(expression)} FROM rule_input ORDER BY position"
                ).fetchall()
            finally:
                self.db.unregister("rule_input")
        return [row[0] for row in rows]

    def scalar(self, expression: str) -> Any:
        with self._lock:
            return self.db.execute(f"SELECT {checked_call(expression)}").fetchall()[0][0]

    # ---------------------------------------------------------------- helpers

    def _set_cells(
        self, spec: SourceSpec, cells: pa.Table, received: dt.date, kpj_digits: int
    ) -> None:
        """``cells``: the raw rows with every part of every column, absent ones as NULL."""
        self.db.execute("SET VARIABLE source = ?", [spec.name])
        self.db.execute("SET VARIABLE received_date = ?::DATE", [received])
        self.db.execute("SET VARIABLE kpj_digits = ?::INTEGER", [kpj_digits])
        self.db.register("raw_cells", cells)
        present = set(cells.column_names)
        select = ["file_index", "row_number"]
        for col in spec.columns:
            for suffix, sql_type in CELL_PARTS.items():
                name = checked_identifier(col.name + suffix)
                select.append(name if name in present else f"CAST(NULL AS {sql_type}) AS {name}")
        columns = ", ".join(select)
        self.db.execute(f"CREATE OR REPLACE TEMP VIEW cells AS SELECT {columns} FROM raw_cells")

    def _counts(self) -> dict[int, FileCounts]:
        columns = ", ".join(f"count(*) FILTER ({checked_identifier(f)})" for f in FLAGS)
        per_file = self.db.execute(
            f"SELECT file_index, count(*), count(*) FILTER (reason IS NULL), {columns} "
            "FROM verdict GROUP BY file_index"
        ).fetchall()
        reasons = self.db.execute(
            "SELECT file_index, reason, count(*) FROM verdict WHERE reason IS NOT NULL GROUP BY ALL"
        ).fetchall()
        counts = {
            int(row[0]): FileCounts(
                read=int(row[1]),
                loaded=int(row[2]),
                reasons=Counter(),
                flags=Counter({f: int(n) for f, n in zip(FLAGS, row[3:], strict=True) if n}),
            )
            for row in per_file
        }
        for index, reason, count in reasons:
            counts[int(index)].reasons[reason] = int(count)
        return counts


_CALL = re.compile(r"[a-z_]+\((?:[a-z_]+\(|CAST\(NULL AS [A-Z]+\)|[a-z_]+|, |\))*")


def checked_call(expression: str) -> str:
    """A rule macro called on columns (``id_value(x, x__cell, CAST(NULL AS BOOLEAN))``),
    from our own code, never from data: no literal of any kind can pass."""
    if not _CALL.fullmatch(expression):
        raise ValueError(f"not a call of a rule on columns: {expression!r}")
    return expression


def staging_column(spec: SourceSpec, name: str) -> str:
    """The cleaned column of ``verdict`` that fills staging column ``name``, typed."""
    kind = spec.column(name).kind
    if kind in ("date", "month"):
        return f"v.{name}__date AS {name}"
    if kind == "int":
        return f"CAST(v.{name}__num AS INTEGER) AS {name}"
    return f"v.{name}"


@cache
def _loaded_sql(spec: SourceSpec) -> str:
    columns = [staging_column(spec, c.name) for c in spec.columns]
    if spec.name == "village_submissions":
        columns.append("mask_nik(v.nik) AS nik_masked")
    columns += [f"v.{flag}" for flag in FLAGS]
    return (
        "SELECT v.file_index, f.sha256, f.file_name, getvariable('received_date') AS "
        "received_date, CAST(v.row_number AS INTEGER) AS row_number, "
        + ", ".join(columns)
        + " FROM verdict AS v JOIN batch_files AS f USING (file_index) "
        "WHERE v.reason IS NULL ORDER BY v.file_index, v.row_number"
    )


@cache
def _rejected_sql(spec: SourceSpec) -> str:
    """Rejected rows keep the cleaned text of every column (``row_data``) for the operator."""
    columns = ", ".join(f"'{c.name}', v.{checked_identifier(c.name)}" for c in spec.columns)
    return (
        "SELECT v.file_index, getvariable('source') AS source, f.file_name, f.sha256, "
        "getvariable('received_date') AS received_date, "
        "CAST(v.row_number AS INTEGER) AS row_number, v.reason, v.village_code, v.nik, "
        f"mask_nik(v.nik) AS nik_masked, CAST(json_object({columns}) AS VARCHAR) AS row_data "
        "FROM verdict AS v JOIN batch_files AS f USING (file_index) "
        "WHERE v.reason IS NOT NULL ORDER BY v.file_index, v.row_number"
    )


def _statements(name: str) -> tuple[str, ...]:
    return statements(f"{RULES_LAYER}/{name}.sql")


_PASS: RowPass | None = None
_PASS_LOCK = threading.Lock()


def row_pass() -> RowPass:
    """The process's row pass, made on first use (never at import: DAG parsing stays light)."""
    global _PASS
    with _PASS_LOCK:
        if _PASS is None:
            _PASS = RowPass()
        return _PASS
