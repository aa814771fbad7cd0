"""``cakupan export-rejections`` on DuckDB and PostgreSQL, from hand-staged rejected rows."""

from __future__ import annotations

import datetime as dt
import json

import openpyxl
import pyarrow as pa
import pytest

from cakupan.cli import main
from cakupan.exports import REASON_TEXT, REJECTIONS_SHEET, TABLE_HEADER
from cakupan.warehouse.bulk import bulk_insert

VILLAGE_A = "1612052011"  # Harapan Jaya, desa in PALI
VILLAGE_B = "1612052012"  # Tanjung Dalam, same district
EMPTY_VILLAGE = "1601072001"


def nik(serial: int) -> str:
    return f"16120512039{serial:05d}"


def rejected(
    village: str | None,
    nik_: str,
    name: str,
    reason: str,
    row: int,
    file: str = "usulan.xlsx",
    source: str = "village_submissions",
    **cells: str | None,
) -> dict:
    data = {
        "village_code": village,
        "nik": nik_,
        "name": name,
        "birth_date": "12/03/1990",
        "sex": "P",
        "occupation": "Petani",
        "submitted_on": None,
        "address": "Dusun II",
        "phone": "+6281234567890",
        **cells,
    }
    return {
        "source": source,
        "file_name": file,
        "sha256": file,
        "received_date": dt.date(2025, 6, 2),
        "row_number": row,
        "reason": reason,
        "village_code": village,
        "nik": nik_,
        "nik_masked": nik_[:6] + "******" + nik_[-4:],
        "row_data": json.dumps(data, ensure_ascii=False),
    }


A_ROWS = [
    rejected(VILLAGE_A, nik(1), '=HYPERLINK("http://x","y")', "invalid_date", 7),
    rejected(VILLAGE_A, nik(2), "+1+1", "duplicate_in_file", 4),
    rejected(VILLAGE_A, nik(3), "-2", "nik_numeric_cell", 3, file="b.xlsx"),
    rejected(VILLAGE_A, nik(4), "@SUM(A1)", "missing_required", 12),
]
B_ROWS = [
    rejected(VILLAGE_B, nik(50), "Rahmat", "invalid_nik", 2, file="tanjung.xlsx"),
    rejected(VILLAGE_B, nik(51), "Siti", "invalid_date", 5, file="tanjung.xlsx"),
]
# Same village code in another source: not a submission row, not the operator's to fix.
OTHER_SOURCE = [rejected(VILLAGE_A, nik(90), "Member", "invalid_kpj", 2, source="member_exports")]


@pytest.fixture
def staged(warehouse):
    with warehouse.begin() as conn:
        bulk_insert(
            conn, "staging.rejected_rows", pa.Table.from_pylist(A_ROWS + B_ROWS + OTHER_SOURCE)
        )
    return warehouse


def url_of(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def table(path) -> tuple[dict[str, object], list[dict[str, object]], list]:
    """The header block (label -> value), the data rows by column title, and every cell."""
    ws = openpyxl.load_workbook(path)[REJECTIONS_SHEET]
    values = [[c.value for c in row] for row in ws.iter_rows()]
    head = next(i for i, row in enumerate(values) if row[0] == TABLE_HEADER[0])
    block = {row[0]: row[1] for row in values[:head] if row[0] is not None}
    rows = [dict(zip(TABLE_HEADER, row, strict=False)) for row in values[head + 1 :]]
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    return block, rows, cells


def test_export_only_the_villages_rows(staged, tmp_path, capsys) -> None:
    out = tmp_path / "harapan_jaya.xlsx"
    code = main(
        [
            "export-rejections",
            "--village",
            "16.12.05.2011",
            "--out",
            str(out),
            "--warehouse",
            url_of(staged),
        ]
    )
    assert code == 0
    assert "4 rejected rows" in capsys.readouterr().out

    block, rows, cells = table(out)
    assert block["Desa/Kelurahan"] == f"Harapan Jaya ({VILLAGE_A})"
    assert block["Jumlah baris"] == 4
    assert block["Dibuat"].endswith("WIB")
    # ordered by received date, file, row; row numbers as in the village's file
    assert [(r["Nama berkas"], r["Baris"]) for r in rows] == [
        ("b.xlsx", 3),
        ("usulan.xlsx", 4),
        ("usulan.xlsx", 7),
        ("usulan.xlsx", 12),
    ]
    assert [r["Kode alasan"] for r in rows] == [
        "nik_numeric_cell",
        "duplicate_in_file",
        "invalid_date",
        "missing_required",
    ]
    assert [r["Alasan"] for r in rows] == [REASON_TEXT[r["Kode alasan"]] for r in rows]
    assert rows[0]["Alasan"].startswith("NIK diketik sebagai angka di Excel")
    assert rows[3]["Alasan"].startswith("Kolom wajib kosong (NIK, nama, tanggal lahir, kode desa)")
    # full NIK, as text, only this village's
    assert [r["NIK"] for r in rows] == [nik(3), nik(2), nik(1), nik(4)]
    assert all(isinstance(r["NIK"], str) for r in rows)
    everything = " ".join(str(c.value) for c in cells)
    for other in (*B_ROWS, *OTHER_SOURCE):
        assert other["nik"] not in everything
        assert other["nik_masked"] not in everything
    assert rows[0]["Tanggal lahir"] == "12/03/1990"
    assert rows[0]["Kode desa"] == VILLAGE_A
    # formula injection neutralised: nothing is a formula, payloads shown as text
    assert all(c.data_type != "f" for c in cells)
    assert {r["Nama"] for r in rows} == {
        "'-2",
        "'+1+1",
        '\'=HYPERLINK("http://x","y")',
        "'@SUM(A1)",
    }
    assert rows[0]["No HP"] == "'+6281234567890"


def test_export_other_village_gets_its_own_rows(staged, tmp_path) -> None:
    out = tmp_path / "tanjung.xlsx"
    assert (
        main(
            [
                "export-rejections",
                "--village",
                VILLAGE_B,
                "--out",
                str(out),
                "--warehouse",
                url_of(staged),
            ]
        )
        == 0
    )
    block, rows, cells = table(out)
    assert block["Jumlah baris"] == 2
    assert [(r["Baris"], r["NIK"], r["Nama"]) for r in rows] == [
        (2, nik(50), "Rahmat"),
        (5, nik(51), "Siti"),
    ]
    everything = " ".join(str(c.value) for c in cells)
    assert not any(r["nik"] in everything for r in A_ROWS)


def test_export_village_with_nothing_to_fix(staged, tmp_path) -> None:
    out = tmp_path / "empty.xlsx"
    assert (
        main(
            [
                "export-rejections",
                "--village",
                EMPTY_VILLAGE,
                "--out",
                str(out),
                "--warehouse",
                url_of(staged),
            ]
        )
        == 0
    )
    block, rows, _ = table(out)
    assert block["Jumlah baris"] == 0
    assert "Tidak ada baris yang perlu diperbaiki." in block
    assert rows == []


@pytest.mark.parametrize("village", ["1612059999", "16.12.05", "desa"])
def test_export_unknown_village_exits_2(staged, tmp_path, capsys, village: str) -> None:
    out = tmp_path / "x.xlsx"
    assert (
        main(
            [
                "export-rejections",
                "--village",
                village,
                "--out",
                str(out),
                "--warehouse",
                url_of(staged),
            ]
        )
        == 2
    )
    assert "kode desa" in capsys.readouterr().err
    assert not out.exists()


def test_export_missing_duckdb_warehouse_exits_2(tmp_path, capsys) -> None:
    url = f"duckdb:///{tmp_path / 'nope.duckdb'}"
    out = tmp_path / "x.xlsx"
    assert (
        main(["export-rejections", "--village", VILLAGE_A, "--out", str(out), "--warehouse", url])
        == 2
    )
    assert "warehouse not found" in capsys.readouterr().err
    assert not (tmp_path / "nope.duckdb").exists()


def test_each_reason_says_what_to_change_in_the_row(warehouse, tmp_path) -> None:
    """Which date (birth or submission) and its value as the file has it; which required
    column is empty (issue 14)."""
    rows = [
        rejected(VILLAGE_A, nik(1), "Ani", "invalid_date", 2, birth_date="31/02/1990"),
        rejected(VILLAGE_A, nik(2), "Budi", "invalid_date", 3, submitted_on="12 Maret 2030"),
        rejected(VILLAGE_A, nik(3), None, "missing_required", 4, birth_date=None),
    ]
    with warehouse.begin() as conn:
        bulk_insert(conn, "staging.rejected_rows", pa.Table.from_pylist(rows))
    out = tmp_path / "perbaikan.xlsx"
    args = ["export-rejections", "--village", VILLAGE_A, "--out", str(out)]
    assert main([*args, "--warehouse", url_of(warehouse)]) == 0
    _, got, _ = table(out)
    assert [r["Alasan"] for r in got] == [
        'Tanggal lahir "31/02/1990" tidak dapat dibaca; tulis tanggal lengkap dengan tahun 4 '
        "digit, misalnya 12/03/1990.",
        'Tanggal usulan "12 Maret 2030" (12/03/2030) sesudah tanggal berkas diterima '
        "(02/06/2025); periksa tanggalnya.",
        "Kolom wajib kosong: Nama, Tanggal lahir; isi semua kolom wajib (NIK, nama, tanggal "
        "lahir, kode desa).",
    ]


def test_export_into_a_missing_folder_exits_2(staged, tmp_path, capsys) -> None:
    """A mistyped folder is refused, not created: full NIKs never land where nobody looks."""
    out = tmp_path / "nowhere" / "x.xlsx"
    args = ["export-rejections", "--village", VILLAGE_A, "--out", str(out)]
    assert main([*args, "--warehouse", url_of(staged)]) == 2
    assert capsys.readouterr().err.startswith(f"folder {out.parent} tidak ada / ")
    assert not out.parent.exists()
