"""The dlt peer for real: ``dlt_peer/load.py`` in its own virtualenv, into DuckDB and PostgreSQL.

That virtualenv comes from PyPI: ``make setup`` builds it (``data/bench/venv``, once per
pin set), and this test builds it too where it is missing, so it runs on every machine
and fails, never skips, when it cannot be had.
"""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
import sqlalchemy as sa

from cakupan.warehouse.engine import create_warehouse_engine
from cakupan.warehouse.schema import ensure_schema
from cakupan_dev.bench.baselines import InputFile
from cakupan_dev.bench.dlt_runner import DLT_SCHEMA, SHARED_ROOT, DltEnv, dlt_env, dlt_load

REGISTER = [
    ["0012051203900001", "José Rahmat", "3"],
    ["1612051203900002", "Siti; Aminah", ""],
]


@pytest.fixture(scope="module")
def env() -> DltEnv:
    return dlt_env(SHARED_ROOT)


@pytest.fixture
def inputs(tmp_path: Path) -> list[InputFile]:
    register = tmp_path / "register" / "DTSEN 1612.csv"
    register.parent.mkdir()
    lines = ["NIK;Nama;Desil"] + [
        ";".join(f'"{c}"' if ";" in c else c for c in r) for r in REGISTER
    ]
    register.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    books = []
    for name, rows in {
        "usulan (1612052011).xlsx": [
            ["DAFTAR USULAN DESA HARAPAN JAYA"],
            [],
            ["KODE  DESA", "NIK", "Nama"],
            ["1612052011", 1612051203900006, "Budi"],
            ["1612052011", "1612051203900007", "Ani"],
        ],
        "1612052012_usulan.xlsx": [["nik", "Kode Desa"], ["1612051203900008", "16.12.05.2012"]],
    }.items():
        wb = openpyxl.Workbook()
        for row in rows:
            wb.active.append(row)
        books.append(tmp_path / "books" / name)
        books[-1].parent.mkdir(exist_ok=True)
        wb.save(books[-1])
    return [
        InputFile("poverty_lists", register, "csv", delimiter=";", encoding="utf-8"),
        *(InputFile("village_submissions", b, "xlsx") for b in books),
    ]


def _rows(url: str, table: str) -> list[dict]:
    engine = create_warehouse_engine(url)
    try:
        with engine.connect() as conn:
            result = conn.execute(sa.text(f"SELECT * FROM {DLT_SCHEMA}.{table}"))
            return sorted((dict(r._mapping) for r in result), key=lambda r: r["nik"])
    finally:
        engine.dispose()


def _schemas(url: str) -> set[str]:
    engine = create_warehouse_engine(url)
    try:
        with engine.connect() as conn:
            sql = "SELECT schema_name FROM information_schema.schemata"
            return set(conn.execute(sa.text(sql)).scalars())
    finally:
        engine.dispose()


def test_dlt_loads_every_file_as_text(
    env: DltEnv, warehouse_url: str, inputs: list[InputFile], tmp_path: Path
) -> None:
    engine = create_warehouse_engine(warehouse_url)
    ensure_schema(engine)
    engine.dispose()  # dlt's process opens the DuckDB file itself

    first = dlt_load(warehouse_url, inputs, env, tmp_path / "dlt", keep=True)
    assert first["rows"] == len(REGISTER) + 3
    assert first["dlt_version"].startswith("1.")
    assert first["loader_file_format"] == ("parquet" if "duckdb" in warehouse_url else "csv")
    assert first["seconds"] >= first["run_s"] > 0
    assert _rows(warehouse_url, "poverty_lists") == [
        {"nik": "0012051203900001", "nama": "José Rahmat", "desil": "3"},
        {"nik": "1612051203900002", "nama": "Siti; Aminah", "desil": None},
    ]
    assert _rows(warehouse_url, "village_submissions") == [
        {"kode_desa": "1612052011", "nik": "1612051203900006", "nama": "Budi"},
        {"kode_desa": "1612052011", "nik": "1612051203900007", "nama": "Ani"},
        {"kode_desa": "16.12.05.2012", "nik": "1612051203900008", "nama": None},
    ]

    again = dlt_load(warehouse_url, inputs, env, tmp_path / "dlt")  # from scratch, then dropped
    assert again["rows"] == first["rows"]
    assert DLT_SCHEMA not in _schemas(warehouse_url)
    assert {"staging", "core", "mart"} <= _schemas(warehouse_url)
