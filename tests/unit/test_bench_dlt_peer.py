"""The dlt peer's own logic, without dlt: it runs in a virtualenv of its own (PyPI), so these
tests exercise what ``dlt_peer/load.py`` hands dlt with the product's pyarrow, calamine and
DuckDB (the same pinned versions), and the bench's side of it (plan, URLs, the virtualenv's
reuse). ``tests/sql/test_bench_dlt.py`` runs the real dlt when its virtualenv is built."""

from __future__ import annotations

import datetime as dt
from importlib import metadata
from pathlib import Path

import duckdb
import openpyxl
import pyarrow as pa
import pytest

from cakupan_dev.bench.baselines import InputFile
from cakupan_dev.bench.dlt_peer.load import (
    LOADER_FILE_FORMAT,
    column_names,
    csv_options,
    file_groups,
    named,
    read_workbooks,
    workbook_table,
)
from cakupan_dev.bench.dlt_runner import built_env, destination, dlt_env, env_path, pins, plan


def _workbook(path: Path, rows: list[list]) -> Path:
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return path


def test_workbook_table_skips_the_title_and_keeps_every_cell_as_text(tmp_path: Path) -> None:
    book = _workbook(
        tmp_path / "usulan.xlsx",
        [
            ["DAFTAR USULAN PEKERJA RENTAN DESA HARAPAN JAYA"],
            [],
            ["NO. ", "No  KTP", "Nama", "Tgl. Lahir", "Nama", None],
            [1, 1612051203900008, "Budi", dt.date(1990, 3, 12), "x", None],
            [None, None, None, None, None, None],  # an empty row: not a row
            [2, "1612051203900009", "Sri", "12 Maret 1990", None, 2.5],
        ],
    )
    table = workbook_table(str(book))
    assert table.column_names == ["no", "no_ktp", "nama", "tgl_lahir", "nama_2", "column_6"]
    assert table.schema.types == [pa.string()] * 6
    assert table.to_pylist() == [
        {
            "no": "1",
            "no_ktp": "1612051203900008",  # a numeric NIK cell, digits kept
            "nama": "Budi",
            "tgl_lahir": "1990-03-12",
            "nama_2": "x",
            "column_6": None,
        },
        {
            "no": "2",
            "no_ktp": "1612051203900009",
            "nama": "Sri",
            "tgl_lahir": "12 Maret 1990",
            "nama_2": None,
            "column_6": "2.5",
        },
    ]
    with book.open("rb") as fh:  # dlt hands the transformer open files
        assert workbook_table(fh).equals(table)


def test_a_page_of_workbooks_is_one_table_by_column_name(tmp_path: Path) -> None:
    first = _workbook(tmp_path / "a.xlsx", [["KODE  DESA", "NIK"], ["1612052011", "1"]])
    second = _workbook(tmp_path / "b.xlsx", [["nik", "Kode Desa", "Pekerjaan"], ["2", "x", "y"]])
    empty = _workbook(tmp_path / "c.xlsx", [])

    class Item(dict):
        def open(self):
            return Path(self["path"]).open("rb")

    items = [Item(path=str(p)) for p in (first, second, empty)]
    (table,) = list(read_workbooks(items))
    assert sorted(table.to_pylist(), key=lambda r: r["nik"]) == [
        {"kode_desa": "1612052011", "nik": "1", "pekerjaan": None},
        {"kode_desa": "x", "nik": "2", "pekerjaan": "y"},
    ]


def test_column_names_are_unique_snake_case() -> None:
    assert column_names(["Tgl. Lahir", " L/P ", "", "l_p"], 5) == [
        "tgl_lahir",
        "l_p",
        "column_3",
        "l_p_2",
        "column_5",
    ]


def test_csv_options_read_the_file_as_text_in_duckdb(tmp_path: Path) -> None:
    """What ``read_csv_duckdb`` does with the options: DuckDB's ``from_csv_auto`` on the
    open file, Arrow batches out. A UTF-8 register with a BOM and the delimiter in quotes."""
    register = tmp_path / "DTSEN.csv"
    lines = ["NIK;Nama ;Desil", "0012051203900001;José Rahmat;3", '16120512;"Siti; Aminah";']
    register.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    spec = {"table": "poverty_lists", "path": str(register), "kind": "csv"}
    (group,) = file_groups([{**spec, "delimiter": ";", "encoding": "utf-8"}])
    with duckdb.connect() as conn, register.open("rb") as fh:
        reader = conn.from_csv_auto(fh, **csv_options(group)).fetch_arrow_reader(batch_size=10)
        table = reader.read_all()
    assert table.schema.types == [pa.string()] * 3
    assert table.to_pylist() == [
        {"NIK": "0012051203900001", "Nama": "José Rahmat", "Desil": "3"},  # zeros kept
        {"NIK": "16120512", "Nama": "Siti; Aminah", "Desil": None},
    ]
    # DuckDB's Python reader takes UTF-8 only: said before dlt starts, not halfway
    (cp1252,) = file_groups([{**spec, "delimiter": ";", "encoding": "cp1252"}])
    with pytest.raises(ValueError, match="UTF-8 only"):
        csv_options(cp1252)


def test_file_groups_make_one_resource_per_table_folder_and_dialect(tmp_path: Path) -> None:
    files = [
        {
            "table": "poverty_lists",
            "path": "/in/p/a.csv",
            "kind": "csv",
            "delimiter": ";",
            "encoding": "utf-8",
        },
        {"table": "village_submissions", "path": "/in/v/1.xlsx", "kind": "xlsx"},
        {
            "table": "poverty_lists",
            "path": "/in/p/b.csv",
            "kind": "csv",
            "delimiter": ";",
            "encoding": "utf-8",
        },
        {
            "table": "poverty_lists",
            "path": "/in/p/c.csv",
            "kind": "csv",
            "delimiter": ",",
            "encoding": "utf-8",
        },
        {"table": "village_submissions", "path": "/in/v/2.xlsx", "kind": "xlsx"},
    ]
    groups = file_groups(files)
    assert [(g.table, g.names) for g in groups] == [
        ("poverty_lists", ("a.csv", "b.csv")),
        ("village_submissions", ("1.xlsx", "2.xlsx")),
        ("poverty_lists", ("c.csv",)),
    ]
    assert csv_options(groups[2]) == {"delimiter": ",", "header": True, "all_varchar": True}
    keep = named(groups[0].names)
    assert keep({"file_name": "a.csv"}) and not keep({"file_name": "c.csv"})
    with pytest.raises(ValueError, match="kind"):
        file_groups([{"table": "t", "path": "/x.xls", "kind": "xls"}])
    with pytest.raises(ValueError, match="delimiter"):
        csv_options(groups[1])


def test_destinations_from_warehouse_urls(tmp_path: Path) -> None:
    assert destination(f"duckdb:///{tmp_path}/w.duckdb") == ("duckdb", f"{tmp_path}/w.duckdb")
    # dlt wants a password: trust authentication gets an empty one
    assert destination("postgresql+psycopg://postgres@127.0.0.1:5432/bench") == (
        "postgres",
        "postgresql://postgres:@127.0.0.1:5432/bench",
    )
    assert destination("postgresql+psycopg://u:s%40cret@db/x")[1] == "postgresql://u:s%40cret@db/x"
    with pytest.raises(ValueError, match="DuckDB file"):
        destination("duckdb:///:memory:")
    assert set(LOADER_FILE_FORMAT) == {"duckdb", "postgres"}


def test_plan_names_every_file_with_its_table(tmp_path: Path) -> None:
    files = [
        InputFile("poverty_lists", tmp_path / "a.csv", "csv", delimiter=";", encoding="cp1252"),
        InputFile("village_submissions", tmp_path / "b.xlsx", "xlsx"),
    ]
    got = plan("postgresql+psycopg://postgres@h/db", files, tmp_path / "dlt")
    assert got["destination"] == "postgres" and got["dataset"] == "bench_dlt"
    assert got["pipelines_dir"] == str(tmp_path / "dlt" / "pipelines")
    assert got["files"] == [
        {
            "table": "poverty_lists",
            "path": str(tmp_path / "a.csv"),
            "kind": "csv",
            "delimiter": ";",
            "encoding": "cp1252",
        },
        {
            "table": "village_submissions",
            "path": str(tmp_path / "b.xlsx"),
            "kind": "xlsx",
            "delimiter": None,
            "encoding": None,
        },
    ]


def test_pins_are_exact_and_the_built_env_is_reused(tmp_path: Path) -> None:
    wanted = pins()
    assert wanted[0].startswith("dlt[duckdb,postgres]==1.")
    assert all("==" in line for line in wanted)
    # the libraries both sides share are the product's own versions (requirements.lock)
    for line in wanted[1:]:
        name, version = line.split("==")
        assert metadata.version(name) == version, f"{line}: the product has another version"
    assert built_env(tmp_path) is None
    # a virtualenv already built for these pins is reused as it is: no build, no network
    python = env_path(tmp_path) / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.touch()
    (env_path(tmp_path) / ".installed").write_text("\n".join(wanted))
    env = dlt_env(tmp_path)
    assert env.python == python and env.setup_s is None and env.pins == wanted
    # another pin, another virtualenv
    other = tmp_path / "requirements.txt"
    other.write_text("dlt==1.0.0\n")
    assert env_path(tmp_path, other) != env_path(tmp_path)
    assert built_env(tmp_path, other) is None
