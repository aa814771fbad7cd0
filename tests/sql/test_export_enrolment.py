"""``cakupan export-enrolment`` through the real command, on DuckDB and PostgreSQL: the
eligible proposed workers not enrolled on a date, one sheet per village, owner-only."""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
from pathlib import Path

import openpyxl
import pytest

from cakupan.exports import ENROLMENT_HEADER, NO_ENROLMENT_NOTE, NO_ENROLMENT_SHEET
from cakupan.marts.snapshot import build_snapshot
from cakupan.settings import load_settings
from tests.runs import CAKUPAN, rows
from tests.sql.test_snapshot_rules import (
    OKU_DESA,
    PALI_DESA_A,
    PALI_DESA_B,
    member,
    nik,
    stage,
    submission,
)

D = dt.date
AS_OF = D(2025, 6, 15)
EARLY, LATER = D(2025, 5, 20), D(2025, 6, 20)
PALI_KELURAHAN = "1612011003"  # Talang Ubi Timur
FORMULA = '=HYPERLINK("http://x","y")'
SHEET_A = "1612052011 Harapan Jaya"
SHEET_B = "1612052012 Tanjung Dalam"
SHEET_K = "1612011003 Talang Ubi Timur"


def person(serial: int, village: str, name: str, **kw) -> dict:
    """A submission row with personal columns; ``kw`` overrides submission()'s arguments."""
    submitted = kw.pop("submitted", EARLY)
    received = kw.pop("received", EARLY)
    return {
        **submission(nik(serial), village, submitted, received, row=serial + 1, **kw),
        "name": name,
        "sex": "P" if serial % 2 else "L",
        "occupation": "Petani karet",
        "address": f"Dusun {serial}",
        "phone": "+6281200000" + f"{serial:03d}",
    }


@pytest.fixture
def staged(warehouse):
    stage(
        warehouse,
        "staging.village_submissions",
        [
            person(1, PALI_DESA_A, FORMULA),  # listed; its name must stay text
            person(2, PALI_DESA_A, "Budi"),  # enrolled (AKTIF): not listed
            person(3, PALI_DESA_A, "Ani"),  # its KPJ row arrives after AS_OF: listed
            person(4, PALI_DESA_A, "Cici", birth=D(2010, 5, 21)),  # 14: not eligible
            person(5, PALI_DESA_A, "Dedi", submitted=LATER),  # proposed after AS_OF
            person(6, PALI_DESA_A, "Eka", received=LATER),  # file received after AS_OF
            person(7, PALI_DESA_A, "Fajar", submitted=D(2025, 5, 25)),  # kept by OKU
            person(7, OKU_DESA, "Fajar", file="oku.csv"),  # earlier: another regency's
            person(8, PALI_DESA_A, "Gita"),  # enrolled, KPJ KELUAR: not listed
            person(9, PALI_DESA_B, "Hasan"),  # listed, village B
            person(10, PALI_KELURAHAN, "Indah"),  # listed, a kelurahan: payer APBD
        ],
    )
    stage(
        warehouse,
        "staging.member_exports",
        [
            member("10000000002", nik(2), "AKTIF", D(2025, 6, 1), EARLY, EARLY),
            member("10000000003", nik(3), "AKTIF", D(2025, 6, 1), LATER, LATER, file="m2"),
            member("10000000008", nik(8), "KELUAR", D(2024, 1, 1), EARLY, EARLY, row=3),
        ],
    )
    warehouse.dispose()  # the command opens the DuckDB file from another process
    return warehouse


def url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def export(engine, tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """The real command, in a process of its own."""
    return subprocess.run(
        [CAKUPAN, "export-enrolment", *args, "--warehouse", url_of(engine)],
        env={**os.environ, "CAKUPAN_DATA_DIR": str(tmp_path / "data")},
        capture_output=True,
        text=True,
        timeout=300,
    )


def sheet(book: openpyxl.Workbook, name: str) -> tuple[dict, list[dict], list]:
    """A sheet's header block (label -> value), its rows by column title, every cell."""
    ws = book[name]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    head = next(i for i, row in enumerate(values) if row[0] == ENROLMENT_HEADER[0])
    assert tuple(values[head][: len(ENROLMENT_HEADER)]) == ENROLMENT_HEADER
    block = {row[0]: row[1] for row in values[1:head] if row[0] is not None}
    table = [dict(zip(ENROLMENT_HEADER, row, strict=False)) for row in values[head + 1 :]]
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    return block, table, cells


def test_eligible_workers_not_enrolled_one_sheet_per_village(staged, tmp_path):
    out = tmp_path / "pendaftaran.xlsx"
    done = export(
        staged, tmp_path, "--regency", "16.12", "--as-of", "2025-06-15", "--out", str(out)
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1:] == [  # after the log line
        "4 workers awaiting enrolment in 3 villages of Kabupaten Penukal Abab Lematang Ilir "
        f"(1612) on 2025-06-15 written to {out}"
    ]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600

    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [SHEET_K, SHEET_A, SHEET_B]  # in village-code order
    block, table, cells = sheet(book, SHEET_A)
    assert block["Kabupaten/Kota"] == "Kabupaten Penukal Abab Lematang Ilir (1612)"
    assert block["Per tanggal"] == dt.datetime(2025, 6, 15)
    assert block["Desa/Kelurahan"] == "Harapan Jaya (1612052011)"
    assert block["Kecamatan"] == "Tanah Abang"
    assert block["Pekerja di lembar ini"] == 2
    assert block["Pekerja dalam berkas"] == 4
    assert block["Desa/kelurahan dalam berkas"] == 3
    assert block["Dibuat"].endswith("WIB")
    # Byte order of names: "'=HYPERLINK" is written for "=HYPERLINK", which sorts before "A".
    assert [list(r.values()) for r in table] == [
        [
            nik(1),
            "'" + FORMULA,
            dt.datetime(1990, 3, 12),
            "P",
            "Petani karet",
            "Dusun 1",
            "'+6281200000001",
            PALI_DESA_A,
            "Harapan Jaya",
            "APBDES",
        ],
        [
            nik(3),
            "Ani",
            dt.datetime(1990, 3, 12),
            "P",
            "Petani karet",
            "Dusun 3",
            "'+6281200000003",
            PALI_DESA_A,
            "Harapan Jaya",
            "APBDES",
        ],
    ]
    assert all(c.data_type != "f" for c in cells)  # nothing runs as a formula
    assert all(isinstance(r["NIK"], str) for r in table)  # full NIK, as text

    _, table_b, _ = sheet(book, SHEET_B)
    assert [(r["NIK"], r["Nama"], r["Pembayar"]) for r in table_b] == [(nik(9), "Hasan", "APBDES")]
    block_k, table_k, _ = sheet(book, SHEET_K)
    assert block_k["Pekerja di lembar ini"] == 1
    assert [(r["NIK"], r["Nama"], r["Pembayar"]) for r in table_k] == [(nik(10), "Indah", "APBD")]
    everything = " ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row)
    for absent in (2, 4, 5, 6, 7, 8):  # enrolled, too young, too late, another regency's
        assert nik(absent) not in everything


def test_one_village_only_and_the_mart_counts_the_same(staged, tmp_path):
    """--village keeps that village's sheet; on a built date its rows are the village's
    workers_awaiting_enrolment (the same rules, once in SQL)."""
    out = tmp_path / "a.xlsx"
    args = ["--regency", "1612", "--village", "16.12.05.2011", "--as-of", "2025-06-15"]
    done = export(staged, tmp_path, *args, "--out", str(out))
    assert done.returncode == 0, done.stderr
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [SHEET_A]
    block, table, _ = sheet(book, SHEET_A)
    assert block["Pekerja dalam berkas"] == len(table) == 2

    build_snapshot(staged, AS_OF, load_settings())
    staged.dispose()
    awaiting = {
        r["village_code"]: r["workers_awaiting_enrolment"]
        for r in rows(
            staged,
            "SELECT village_code, workers_awaiting_enrolment FROM mart.coverage_village "
            "WHERE snapshot_date = :d AND workers_awaiting_enrolment > 0",
            d=AS_OF,
        )
    }
    staged.dispose()
    assert awaiting == {OKU_DESA: 1, PALI_KELURAHAN: 1, PALI_DESA_A: 2, PALI_DESA_B: 1}


def test_a_regency_with_nobody_to_enrol_gets_one_sheet_saying_so(staged, tmp_path):
    out = tmp_path / "kosong.xlsx"
    done = export(staged, tmp_path, "--regency", "1671", "--as-of", "2025-06-15", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].startswith("0 workers awaiting enrolment in 0 villages")
    book = openpyxl.load_workbook(out)
    assert book.sheetnames == [NO_ENROLMENT_SHEET]
    block, table, _ = sheet(book, NO_ENROLMENT_SHEET)
    assert table == []
    assert block["Pekerja dalam berkas"] == 0
    assert NO_ENROLMENT_NOTE in block
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_settings_decide_who_is_eligible(staged, tmp_path):
    """min_age from --settings: at 14 worker 4 is eligible too."""
    settings = tmp_path / "mine.yaml"
    settings.write_text("min_age: 14\n", encoding="utf-8")
    out = tmp_path / "a.xlsx"
    args = ["--regency", "1612", "--village", PALI_DESA_A, "--as-of", "2025-06-15"]
    done = export(staged, tmp_path, *args, "--settings", str(settings), "--out", str(out))
    assert done.returncode == 0, done.stderr
    _, table, _ = sheet(openpyxl.load_workbook(out), SHEET_A)
    assert sorted(r["NIK"] for r in table) == [nik(1), nik(3), nik(4)]


@pytest.mark.parametrize(
    ("args", "first_line"),
    [
        (
            ["--regency", "1699"],
            "kode kabupaten/kota 1699 tidak ada dalam daftar resmi / "
            "regency code 1699 is not in the official list",
        ),
        (
            ["--regency", "16.1"],
            "kode kabupaten/kota '16.1' tidak sah: tulis 4 digit, misalnya 1612 atau 16.12 / "
            "invalid regency code '16.1': expected 4 digits",
        ),
        (
            ["--regency", "1612", "--village", OKU_DESA],
            f"desa Negeri Sindang ({OKU_DESA}) bukan di kabupaten/kota 1612 / "
            f"village {OKU_DESA} is not in regency 1612 (it is in 1601)",
        ),
        (
            ["--regency", "1612", "--village", "1612059999"],
            "kode desa 1612059999 tidak ada dalam daftar resmi / "
            "village code 1612059999 is not in the official list",
        ),
    ],
    ids=["unknown-regency", "malformed-regency", "village-elsewhere", "unknown-village"],
)
def test_codes_a_person_can_fix_are_one_line_and_exit_2(staged, tmp_path, args, first_line):
    out = tmp_path / "x.xlsx"
    done = export(staged, tmp_path, *args, "--as-of", "2025-06-15", "--out", str(out))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [first_line]
    assert done.stdout == "" and "Traceback" not in done.stderr
    assert not out.exists()


def test_a_missing_folder_and_a_bad_date_exit_2(staged, tmp_path):
    out = tmp_path / "nowhere" / "x.xlsx"
    done = export(staged, tmp_path, "--regency", "1612", "--as-of", "2025-06-15", "--out", str(out))
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"folder {out.parent} tidak ada / folder {out.parent} does not exist: "
        "create it first or choose another --out"
    ]
    assert not out.parent.exists()
    out = tmp_path / "x.xlsx"
    done = export(staged, tmp_path, "--regency", "1612", "--as-of", "2025-02-30", "--out", str(out))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.splitlines()[-1].endswith(
        "error: argument --as-of: expected a date YYYY-MM-DD, got '2025-02-30'"
    )
    assert not out.exists()
