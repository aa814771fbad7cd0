"""Spreadsheet formula injection: every text cell the project writes goes through safe_cell."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import openpyxl
import pytest

from cakupan.exports import (
    REASON_TEXT,
    TABLE_HEADER,
    UnknownVillageError,
    Village,
    VillageRejections,
    reason_text,
    safe_cell,
    village_code_from_input,
    write_village_rejections,
)

PAYLOADS = ['=HYPERLINK("http://x","y")', "+1+1", "-2", "@SUM(A1)", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_injection_payloads_are_prefixed(payload: str) -> None:
    assert safe_cell(payload) == "'" + payload


@pytest.mark.parametrize("value", ["Siti Aminah", "1612051203900001", "", 5, 1.5, None])
def test_injection_guard_leaves_other_values_alone(value: object) -> None:
    assert safe_cell(value) == value


def test_injection_guard_leaves_dates_alone() -> None:
    day = dt.date(2025, 6, 2)
    assert safe_cell(day) is day


def _row(name: str, row_number: int) -> SimpleNamespace:
    data = {"village_code": "1612052011", "nik": "1612051203900001", "name": name}
    return SimpleNamespace(
        file_name=name,  # a file name is text from outside too
        received_date=dt.date(2025, 6, 2),
        row_number=row_number,
        reason="invalid_date",
        nik=None,
        row_data=json.dumps(data),
    )


def test_injection_never_written_as_formula(tmp_path) -> None:
    village = Village("1612052011", "=cmd|' /C calc'!A0", "desa", "@x", "-y")
    report = VillageRejections(village, [_row(p, i) for i, p in enumerate(PAYLOADS, start=2)])
    out = write_village_rejections(report, tmp_path / "x.xlsx")

    ws = openpyxl.load_workbook(out).active
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert all(c.data_type != "f" for c in cells)
    texts = {c.value for c in cells if c.data_type == "s"}
    for payload in PAYLOADS:
        assert ("'" + payload).replace("\r", "\n") in texts  # XML stores CR as LF
    assert "=cmd|' /C calc'!A0 (1612052011)" not in texts
    assert not any(isinstance(t, str) and t.startswith(("=", "+", "-", "@")) for t in texts)


def test_export_control_characters_are_dropped(tmp_path) -> None:
    village = Village("1612052011", "Harapan Jaya", "desa", "Tanah Abang", "PALI")
    report = VillageRejections(village, [_row("Budi\x07 Santoso\x00", 2)])
    ws = openpyxl.load_workbook(write_village_rejections(report, tmp_path / "x.xlsx")).active
    assert "Budi Santoso" in {c.value for row in ws.iter_rows() for c in row}


def test_export_header_has_a_column_per_value() -> None:
    assert len(TABLE_HEADER) == 14


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("1612052011", "1612052011"),
        ("16.12.05.2011", "1612052011"),
        (" 16.12.05.2011 ", "1612052011"),
    ],
)
def test_export_village_code_input(text: str, code: str) -> None:
    assert village_code_from_input(text) == code


@pytest.mark.parametrize("text", ["161205201", "16-12-05-2011", "abc", "", "16120520111"])
def test_export_village_code_input_refused(text: str) -> None:
    with pytest.raises(UnknownVillageError):
        village_code_from_input(text)


def test_export_every_contract_reason_has_a_sentence() -> None:
    reasons = {
        "missing_required",
        "nik_numeric_cell",
        "invalid_nik",
        "invalid_kpj",
        "unknown_village",
        "invalid_date",
        "invalid_value",
        "duplicate_in_file",
    }
    assert set(REASON_TEXT) == reasons
    assert reason_text("missing_required").startswith(
        "Kolom wajib kosong (NIK, nama, tanggal lahir, kode desa)"
    )
    assert reason_text("nik_numeric_cell").startswith(
        "NIK diketik sebagai angka di Excel; ubah kolom NIK menjadi Teks lalu ketik ulang"
    )
    assert "new_reason" in reason_text("new_reason")
