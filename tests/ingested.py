"""Files through the path the DAGs run, read back per file, for the reader and rule tests.

``ingest_files`` (what ``load_files`` runs) records the files into a scratch DuckDB
warehouse; each file's ledger entry and its loaded and rejected rows are read back from
staging. Files with the same content would be one delivery and its duplicates there, so
each repeat of a content goes to a warehouse of its own: every file gets its own verdict.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import sqlalchemy as sa

from cakupan.ingest import FileResult, ingest_files
from cakupan.landing import LandingFile, sha256_of
from cakupan.settings import Settings
from cakupan.warehouse.engine import create_warehouse_engine
from cakupan.warehouse.schema import ensure_schema


@dataclass
class Ingested:
    result: FileResult  # the file's ledger entry
    tables: tuple[pa.Table, pa.Table] | None  # (loaded, rejected) rows by row number


def ingest(
    files: list[LandingFile], received: dt.date, settings: Settings, folder: Path
) -> list[Ingested]:
    """``files`` (their sha256 is computed here) ingested; one item per file, in order."""
    real = [LandingFile(f.source, f.name, sha256_of(f.path), f.path) for f in files]
    seen: Counter[str] = Counter()
    rounds: dict[int, list[LandingFile]] = {}
    for f in real:
        rounds.setdefault(seen[f.sha256], []).append(f)
        seen[f.sha256] += 1
    found: dict[tuple[int, str], Ingested] = {}
    folder.mkdir(parents=True, exist_ok=True)
    for number, batch in rounds.items():
        engine = create_warehouse_engine(f"duckdb:///{folder / f'round-{number}.duckdb'}")
        try:
            ensure_schema(engine)
            for result in ingest_files(engine, batch, received, settings):
                found[(number, result.file_name)] = Ingested(result, _tables(engine, result))
        finally:
            engine.dispose()
    out, seen = [], Counter()
    for f in real:
        out.append(found[(seen[f.sha256], f.name)])
        seen[f.sha256] += 1
    return out


def _tables(engine: sa.Engine, result: FileResult) -> tuple[pa.Table, pa.Table] | None:
    if result.status != "loaded":
        return None
    params = {"source": result.source, "file_name": result.file_name}
    with engine.connect() as conn:
        loaded = conn.execute(
            sa.text(
                f"SELECT * FROM staging.{result.source} "  # the source is one of SOURCES
                "WHERE file_name = :file_name ORDER BY row_number"
            ),
            {"file_name": result.file_name},
        )
        loaded_rows = [dict(r._mapping) for r in loaded]
        rejected = conn.execute(
            sa.text(
                "SELECT * FROM staging.rejected_rows WHERE source = :source "
                "AND file_name = :file_name ORDER BY row_number"
            ),
            params,
        )
        rejected_rows = [dict(r._mapping) for r in rejected]
    return pa.Table.from_pylist(loaded_rows), pa.Table.from_pylist(rejected_rows)
