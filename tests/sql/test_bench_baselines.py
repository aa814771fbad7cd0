"""The benchmark's baselines (bare load, the analyst's pandas code) on DuckDB and PostgreSQL.

Tiny files in the dialects villages and agencies send: a semicolon cp1252 CSV, a comma
UTF-8 CSV with a BOM and an extra column, and a workbook. Each baseline must leave exactly
the files' rows in its scratch schema, give the same result when run again, and leave the
pipeline's schemas as they were.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from cakupan_dev.bench.baselines import (
    BARE_SCHEMA,
    PEER_SCHEMA,
    InputFile,
    bare_load,
    peer_load,
)

CP1252_ROWS = [
    ["1612051203900001", "José Rahmat", "3"],
    ["1612051203900002", "Siti; Aminah", "10"],  # the delimiter inside a quoted cell
    ["'1612051203900003", "Dedi", ""],
]
UTF8_ROWS = [
    ["1612051203900004", "René Putri", "1", "16.12.05.2011", "x"],
    ["1612051203900005", 'Ahmad "Ucok" Lubis', "2", "1612052011", ""],
]
XLSX_ROWS = [
    ["1612052011", "1612051203900006", "Budi", "Petani"],
    ["1612052011", "1612051203900007", "Ani", "Pedagang"],
    ["1612052012", 1612051203900008, "Yanto", None],  # a NIK typed as a number
    ["1612052012", "1612051203900009", "Sri", "Ojek"],
]


@pytest.fixture
def inputs(tmp_path: Path) -> list[InputFile]:
    cp1252 = tmp_path / "DTSEN_1612_20250602.csv"
    lines = ["NIK;Nama ;Desil"] + [
        ";".join(f'"{c}"' if ";" in c else c for c in row) for row in CP1252_ROWS
    ]
    cp1252.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1252"))

    utf8 = tmp_path / "dtsen_1612_update.csv"
    lines = ['nik,NAMA,desil,Kode Desa,"Ket. ""%s"" ?"'] + [
        ",".join(f'"{c.replace(chr(34), chr(34) * 2)}"' if '"' in c else c for c in row)
        for row in UTF8_ROWS
    ]
    utf8.write_bytes(("\n".join(lines) + "\n").encode("utf-8-sig"))

    workbook = tmp_path / "usulan_harapan_jaya.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Kode Desa", "NIK", "Nama", "Pekerjaan"])
    for row in XLSX_ROWS:
        ws.append(row)
    wb.save(workbook)

    return [
        InputFile("poverty_lists", cp1252, "csv", delimiter=";", encoding="cp1252"),
        InputFile("village_submissions", workbook, "xlsx"),
        InputFile("poverty_lists", utf8, "csv", delimiter=",", encoding="utf-8"),
    ]


def catalog(engine: sa.Engine, sql: str, **params: str) -> list:
    """information_schema answers (duckdb_engine's inspector lacks column reflection)."""
    with engine.connect() as conn:
        return list(conn.execute(sa.text(sql), params).scalars())


def tables(engine: sa.Engine, schema: str) -> dict[str, list[tuple]]:
    """Every table of ``schema`` with its rows, sorted (NULLs as empty text)."""
    names = catalog(
        engine, "SELECT table_name FROM information_schema.tables WHERE table_schema = :s", s=schema
    )
    with engine.connect() as conn:
        return {
            name: sorted(
                tuple("" if v is None else str(v) for v in row)
                for row in conn.execute(sa.text(f'SELECT * FROM {schema}."{name}"'))
            )
            for name in sorted(names)
        }


def columns(engine: sa.Engine, schema: str, table: str) -> list[str]:
    return catalog(
        engine,
        "SELECT column_name FROM information_schema.columns "
        "WHERE table_schema = :s AND table_name = :t ORDER BY ordinal_position",
        s=schema,
        t=table,
    )


def schemas(engine: sa.Engine) -> set[str]:
    return set(catalog(engine, "SELECT schema_name FROM information_schema.schemata"))


def pipeline_state(engine: sa.Engine) -> dict[tuple[str, str], int]:
    """Row counts of every table outside the scratch schemas."""
    with engine.connect() as conn:
        found = conn.execute(
            sa.text(
                "SELECT table_schema, table_name FROM information_schema.tables "
                "WHERE table_type = 'BASE TABLE' "
                "AND table_schema NOT IN ('information_schema', 'pg_catalog')"
            )
        ).all()
        return {
            (schema, name): conn.execute(
                sa.text(f'SELECT count(*) FROM {schema}."{name}"')
            ).scalar_one()
            for schema, name in found
            if not schema.startswith("bench_")
        }


def test_bare_load_is_the_csv_rows_as_text(warehouse, warehouse_url, inputs) -> None:
    before = pipeline_state(warehouse)
    assert ("staging", "village_submissions") in before

    first = bare_load(warehouse_url, inputs, keep=True)
    loaded = tables(warehouse, BARE_SCHEMA)
    assert first.rows == len(CP1252_ROWS) + len(UTF8_ROWS)
    assert set(first.parts) == {"poverty_lists_s"}
    assert first.seconds >= first.parts["poverty_lists_s"] > 0
    assert list(loaded) == ["poverty_lists"]  # the workbook is not a CSV: ignored
    # One column per header name of either file, matched stripped and lower-cased.
    assert columns(warehouse, BARE_SCHEMA, "poverty_lists") == [
        "nik",
        "nama",
        "desil",
        "kode desa",
        'ket. "%s" ?',  # a header is a name, never SQL or a parameter marker
    ]
    assert loaded["poverty_lists"] == sorted(
        [(*row, "", "") for row in CP1252_ROWS] + [tuple(row) for row in UTF8_ROWS]
    )

    second = bare_load(warehouse_url, inputs, keep=True)
    assert second.rows == first.rows
    assert tables(warehouse, BARE_SCHEMA) == loaded

    bare_load(warehouse_url, inputs)
    assert BARE_SCHEMA not in schemas(warehouse)
    assert pipeline_state(warehouse) == before


def test_peer_load_is_every_row_through_to_sql(warehouse, warehouse_url, inputs) -> None:
    before = pipeline_state(warehouse)

    first = peer_load(warehouse_url, inputs, keep=True)
    loaded = tables(warehouse, PEER_SCHEMA)
    assert first.rows == len(CP1252_ROWS) + len(UTF8_ROWS) + len(XLSX_ROWS)
    assert set(first.parts) == {"read_s", "write_s"}
    assert first.seconds >= first.parts["read_s"] + first.parts["write_s"]
    assert sorted(loaded) == ["poverty_lists", "village_submissions"]
    # The first file's columns; the later file's extra column is dropped by the reindex.
    assert columns(warehouse, PEER_SCHEMA, "poverty_lists") == ["nik", "nama", "desil"]
    assert loaded["poverty_lists"] == sorted(
        [tuple(row) for row in CP1252_ROWS] + [tuple(row[:3]) for row in UTF8_ROWS]
    )
    assert len(loaded["village_submissions"]) == len(XLSX_ROWS)
    assert ("1612052011", "1612051203900006", "Budi", "Petani") in loaded["village_submissions"]

    second = peer_load(warehouse_url, inputs, keep=True)
    assert second.rows == first.rows
    assert tables(warehouse, PEER_SCHEMA) == loaded

    peer_load(warehouse_url, inputs)
    assert PEER_SCHEMA not in schemas(warehouse)
    assert pipeline_state(warehouse) == before


def test_baselines_leave_each_other_alone(warehouse, warehouse_url, inputs) -> None:
    bare_load(warehouse_url, inputs, keep=True)
    peer_load(warehouse_url, inputs, keep=True)
    assert {BARE_SCHEMA, PEER_SCHEMA} <= schemas(warehouse)
    assert len(tables(warehouse, BARE_SCHEMA)["poverty_lists"]) == 5
    bare_load(warehouse_url, inputs)
    assert BARE_SCHEMA not in schemas(warehouse)
    assert len(tables(warehouse, PEER_SCHEMA)["poverty_lists"]) == 5


def test_a_csv_needs_its_dialect() -> None:
    with pytest.raises(ValueError, match="delimiter and an encoding"):
        InputFile("poverty_lists", Path("x.csv"), "csv", delimiter=";")
    with pytest.raises(ValueError, match="kind"):
        InputFile("poverty_lists", Path("x.xls"), "xls")
    with pytest.raises(ValueError, match="identifier"):
        InputFile("poverty lists", Path("x.csv"), "csv", delimiter=";", encoding="utf-8")
