"""Landing files into DuckDB or PostgreSQL with dlt, the way a data engineer would: no checks.

Run in the dlt virtualenv (``requirements.txt`` beside this file), never in cakupan's::

    python -I load.py PLAN.json

PLAN is a JSON object::

    {"destination": "duckdb" | "postgres",
     "credentials": "/path/warehouse.duckdb" | "postgresql://user@host:5432/db",
     "dataset": "bench_dlt", "pipelines_dir": "/work/dlt",
     "files": [{"table": "poverty_lists", "path": "/x/a.csv", "kind": "csv",
                "delimiter": ";", "encoding": "utf-8"},
               {"table": "village_submissions", "path": "/x/b.xlsx", "kind": "xlsx"}]}

The fastest paths dlt documents, every column as text:

* CSVs (UTF-8): the ``filesystem`` source piped into ``read_csv_duckdb(use_pyarrow=True)``,
  DuckDB's CSV reader handing Arrow batches to dlt;
* workbooks: a transformer (dlt's documented way to read Excel) reading each sheet with
  python-calamine into an Arrow table, one table per page of files; the header is the
  first row with two filled cells, so a title row above it is skipped;
* Arrow items bypass dlt's row normaliser: DuckDB loads them as parquet, PostgreSQL as CSV
  through ``COPY`` (``loader_file_format="csv"``).

Prints one JSON line: dlt's version, the loader file format, and the seconds spent
importing dlt and in ``pipeline.run``. Self-contained (standard library, dlt, pyarrow,
python-calamine) so it can move with the benchmark; the bench counts the rows itself.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import pyarrow as pa

LOADER_FILE_FORMAT = {"duckdb": "parquet", "postgres": "csv"}
CSV_CHUNK_ROWS = 500_000  # rows per Arrow batch from DuckDB (dlt's default is 5,000)
HEADER_SEARCH_ROWS = 20


@dataclass(frozen=True)
class FileGroup:
    """Files of one table, folder, kind and CSV dialect: one dlt resource."""

    table: str
    folder: Path
    kind: str
    delimiter: str | None
    encoding: str | None
    names: tuple[str, ...]


def file_groups(files: Iterable[dict[str, Any]]) -> list[FileGroup]:
    """The plan's files grouped into resources, in the plan's order."""
    grouped: dict[tuple[Any, ...], list[str]] = {}
    for f in files:
        path = Path(f["path"])
        if f["kind"] not in ("csv", "xlsx"):
            raise ValueError(f"{path}: kind must be csv or xlsx, not {f['kind']!r}")
        key = (f["table"], path.parent, f["kind"], f.get("delimiter"), f.get("encoding"))
        grouped.setdefault(key, []).append(path.name)
    return [FileGroup(*key, names=tuple(names)) for key, names in grouped.items()]


def csv_options(group: FileGroup) -> dict[str, Any]:
    """Keyword arguments for DuckDB's ``from_csv_auto`` (through ``read_csv_duckdb``).

    UTF-8 only: DuckDB's Python ``from_csv_auto`` refuses any other encoding (its SQL
    ``read_csv`` does not). The bench's CSVs are UTF-8.
    """
    if not group.delimiter:
        raise ValueError(f"{group.table}: a CSV needs a delimiter")
    if group.encoding != "utf-8":
        raise ValueError(f"{group.table}: read_csv_duckdb reads UTF-8 only, not {group.encoding!r}")
    return {"delimiter": group.delimiter, "header": True, "all_varchar": True}


def cell_text(value: Any) -> str | None:
    """A calamine cell as text: whole floats without ``.0``, dates in ISO form, '' as null."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def column_names(header: list[Any], width: int) -> list[str]:
    """Unique snake_case names for ``width`` columns (``column_3`` when blank).

    Snake case before dlt sees them: its own normalisation would turn ``KODE  DESA`` and
    ``Kode Desa`` of two workbooks into one name and refuse the page's table.
    """
    names: list[str] = []
    for i in range(width):
        text = cell_text(header[i]) if i < len(header) else None
        snake = re.sub(r"[^0-9a-z]+", "_", (text or "").lower()).strip("_")
        base = name = snake or f"column_{i + 1}"
        n = 1
        while name in names:
            n += 1
            name = f"{base}_{n}"
        names.append(name)
    return names


def workbook_table(source: IO[bytes] | str) -> pa.Table:
    """The first sheet as an Arrow table of text; empty rows dropped."""
    from python_calamine import CalamineWorkbook

    book = (
        CalamineWorkbook.from_path(source)
        if isinstance(source, str)
        else CalamineWorkbook.from_filelike(source)
    )
    rows = book.get_sheet_by_index(0).to_python()
    if not rows:
        return pa.table({})
    filled = [sum(cell_text(c) is not None for c in row) for row in rows]
    at = next((i for i, n in enumerate(filled[:HEADER_SEARCH_ROWS]) if n >= 2), 0)
    data = [row for row, n in zip(rows[at + 1 :], filled[at + 1 :], strict=True) if n]
    width = max([len(rows[at]), *(len(r) for r in data)])
    names = column_names(rows[at], width)
    columns = {
        name: pa.array([cell_text(r[i]) if i < len(r) else None for r in data], pa.string())
        for i, name in enumerate(names)
    }
    return pa.table(columns)


def read_workbooks(items: Iterable[Any]) -> Iterator[pa.Table]:
    """dlt transformer body: one Arrow table per page of workbook files."""
    tables = []
    for item in items:
        with item.open() as fh:
            tables.append(workbook_table(fh))
    tables = [t for t in tables if t.num_columns]
    if tables:
        yield pa.concat_tables(tables, promote_options="default")


def named(names: Iterable[str]) -> Callable[[Any], bool]:
    """A filter for the ``filesystem`` resource: only the plan's files of a folder.

    One argument only: dlt hands a filter's second positional parameter its ``meta``.
    """
    wanted = frozenset(names)

    def keep(item: Any) -> bool:
        return item["file_name"] in wanted

    return keep


def resources(plan: dict[str, Any]) -> list[Any]:
    """One dlt resource per file group, named after its table (numbered if it has several)."""
    import dlt
    from dlt.sources.filesystem import filesystem, read_csv_duckdb

    groups = file_groups(plan["files"])
    per_table: dict[str, int] = {}
    for g in groups:
        per_table[g.table] = per_table.get(g.table, 0) + 1
    out = []
    for i, group in enumerate(groups):
        files = filesystem(bucket_url=str(group.folder), file_glob="*").add_filter(
            named(group.names)
        )
        if group.kind == "csv":
            reader = read_csv_duckdb(
                chunk_size=CSV_CHUNK_ROWS, use_pyarrow=True, **csv_options(group)
            )
        else:
            reader = dlt.transformer(name="read_workbooks")(read_workbooks)
        name = group.table if per_table[group.table] == 1 else f"{group.table}_{i}"
        resource = (files | reader).with_name(name)
        resource.apply_hints(table_name=group.table)
        out.append(resource)
    return out


def load(plan: dict[str, Any]) -> dict[str, Any]:
    """Run the pipeline; what it took (seconds importing dlt and in ``pipeline.run``)."""
    began = time.perf_counter()
    import dlt

    imported = time.perf_counter()
    kind = plan["destination"]
    if kind not in LOADER_FILE_FORMAT:
        raise ValueError(f"destination must be one of {sorted(LOADER_FILE_FORMAT)}, not {kind!r}")
    destination = getattr(dlt.destinations, kind)(credentials=plan["credentials"])
    pipeline = dlt.pipeline(
        pipeline_name="cakupan_bench_dlt",
        destination=destination,
        dataset_name=plan["dataset"],
        pipelines_dir=plan["pipelines_dir"],
    )
    ran = time.perf_counter()
    pipeline.run(resources(plan), loader_file_format=LOADER_FILE_FORMAT[kind])
    done = time.perf_counter()
    return {
        "dlt_version": dlt.__version__,
        "loader_file_format": LOADER_FILE_FORMAT[kind],
        "import_s": round(imported - began, 3),
        "run_s": round(done - ran, 3),
    }


def main(argv: list[str]) -> int:
    """``load.py PLAN.json``: load, then write the result as one JSON line to stdout."""
    if len(argv) != 1:
        sys.stderr.write("usage: load.py PLAN.json\n")
        return 2
    plan = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    sys.stdout.write(json.dumps(load(plan)) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
