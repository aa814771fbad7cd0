"""Files the project writes for people, and the guard every such file goes through.

Every text value written to a spreadsheet passes :func:`safe_cell`: cells come from village
files, so a "name" like ``=HYPERLINK(...)`` must never run as a formula where it is opened.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Engine
from sqlalchemy.engine.row import Row

from cakupan.warehouse.sqlfiles import query_file

# OWASP "CSV injection": a cell starting with one of these is a formula to Excel,
# LibreOffice or Google Sheets (tab and CR/LF can hide such a start after a paste).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")

# openpyxl refuses these control characters; a village file can still contain them.
_ILLEGAL_XLSX_CHARS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

WIB = ZoneInfo("Asia/Jakarta")

# One sentence per reason of CONTRACT §3, telling the village operator what to change.
REASON_TEXT: dict[str, str] = {
    "missing_required": (
        "Kolom wajib kosong (NIK, nama, tanggal lahir, kode desa); isi semua kolom wajib."
    ),
    "nik_numeric_cell": (
        "NIK diketik sebagai angka di Excel; ubah kolom NIK menjadi Teks lalu ketik ulang "
        "NIK lengkap 16 digit."
    ),
    "invalid_nik": (
        "NIK tidak sah: harus 16 digit dengan kode provinsi, tanggal lahir, bulan lahir dan "
        "nomor urut yang benar; cocokkan dengan KTP atau KK."
    ),
    "invalid_kpj": "Nomor KPJ tidak sah: jumlah digitnya salah; cocokkan dengan kartu peserta.",
    "unknown_village": (
        "Kode desa tidak ada dalam daftar resmi Kemendagri; tulis kode desa 10 digit yang "
        "benar, misalnya 1612052011 atau 16.12.05.2011."
    ),
    "invalid_date": (
        "Tanggal tidak dapat dibaca atau melewati tanggal berkas diterima (tanggal lahir atau "
        "tanggal usulan); tulis tanggal lengkap dengan tahun 4 digit, misalnya 12/03/1990."
    ),
    "invalid_value": "Isi kolom tidak termasuk pilihan yang sah; periksa isian baris ini.",
    "duplicate_in_file": (
        "NIK sudah tercantum di baris sebelumnya dalam berkas yang sama; hapus baris ganda ini."
    ),
}

# Submission columns of row_data (canonical names, CONTRACT §2) with the operator's labels.
ROW_COLUMNS: dict[str, str] = {
    "village_code": "Kode desa",
    "nik": "NIK",
    "name": "Nama",
    "birth_date": "Tanggal lahir",
    "sex": "Jenis kelamin",
    "occupation": "Pekerjaan",
    "submitted_on": "Tanggal usulan",
    "address": "Alamat",
    "phone": "No HP",
}

REJECTIONS_SHEET = "Perbaikan"
FILES_SHEET = "Berkas ditolak"
FILES_HEADER = ("Nama berkas", "Diterima", "Kesalahan")
TABLE_HEADER = ("Nama berkas", "Diterima", "Baris", "Alasan", "Kode alasan", *ROW_COLUMNS.values())
_WIDTHS = (28, 12, 7, 60, 18, 13, 19, 28, 14, 8, 18, 14, 30, 15)


class UnknownVillageError(ValueError):
    """The code is malformed or not in the official village list."""


def safe_cell(value: Any) -> Any:
    """``value`` with a text that would start a formula prefixed by ``'`` (OWASP).

    Numbers, dates and None pass unchanged. Writers also store the result as a string cell,
    so it is text even where the apostrophe alone would not be enough.
    """
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def write_cell(ws: Any, row: int, column: int, value: Any) -> Any:
    """Write one openpyxl cell through :func:`safe_cell`; text is always a string cell."""
    value = safe_cell(value)
    if isinstance(value, str):
        value = _ILLEGAL_XLSX_CHARS.sub("", value)
    cell = ws.cell(row=row, column=column, value=value)
    if isinstance(value, str):
        cell.data_type = "s"
    return cell


def village_code_from_input(text: str) -> str:
    """A 10-digit code from what a person types: ``16.12.05.2011`` and ``1612052011``."""
    code = re.sub(r"[.\s]", "", text)
    if not re.fullmatch(r"\d{10}", code):
        raise UnknownVillageError(
            f"kode desa {text!r} tidak sah: tulis 10 digit, misalnya 1612052011 atau "
            f"16.12.05.2011 / invalid village code {text!r}: expected 10 digits"
        )
    return code


def reason_text(reason: str) -> str:
    """The Indonesian sentence for a rejection reason (the code itself if it is new)."""
    return REASON_TEXT.get(reason, f"Baris ditolak (alasan: {reason}).")


# The required submission columns (CONTRACT §2), in the order the operator reads them.
REQUIRED_COLUMNS = ("village_code", "nik", "name", "birth_date")
DATE_COLUMNS = ("birth_date", "submitted_on")


def row_reason_text(
    reason: str, data: dict[str, Any], received: dt.date, dates: dict[str, dt.date | None]
) -> str:
    """What to change in this row: which required column is empty, which date (birth or
    submission) cannot be read or lies after the file was received, quoting the value as the
    village's file has it. ``dates``: each date text read as the rules read it. Other
    reasons, or a row that says no more, get the reason's sentence."""
    if reason == "missing_required":
        empty = [ROW_COLUMNS[c] for c in REQUIRED_COLUMNS if not data.get(c)]
        if empty:
            return (
                f"Kolom wajib kosong: {', '.join(empty)}; isi semua kolom wajib "
                "(NIK, nama, tanggal lahir, kode desa)."
            )
    if reason == "invalid_date":
        for column in DATE_COLUMNS:
            typed = data.get(column)
            if not typed:
                continue
            day = dates.get(typed)
            label = ROW_COLUMNS[column]
            if day is None:
                return (
                    f'{label} "{typed}" tidak dapat dibaca; tulis tanggal lengkap dengan '
                    "tahun 4 digit, misalnya 12/03/1990."
                )
            if day > received:
                return (
                    f'{label} "{typed}" ({day:%d/%m/%Y}) sesudah tanggal berkas diterima '
                    f"({received:%d/%m/%Y}); periksa tanggalnya."
                )
    return reason_text(reason)


def _read_dates(rows: list[Row]) -> dict[str, dt.date | None]:
    """Every date text of the rows' date columns, read once by the rules' own macro."""
    import pandas as pd

    from cakupan.sources.normalise import parse_dates

    texts = sorted(
        {
            text
            for row in rows
            if row.reason == "invalid_date" and row.row_data
            for column, text in json.loads(row.row_data).items()
            if column in DATE_COLUMNS and text
        }
    )
    if not texts:
        return {}
    read = parse_dates(pd.Series(texts, dtype=object))
    return {text: (None if pd.isna(day) else day) for text, day in zip(texts, read, strict=True)}


@dataclass(frozen=True)
class Village:
    code: str
    name: str
    type: str
    district: str
    regency: str


@dataclass
class VillageRejections:
    """What one village must fix: its rejected submission rows, full NIK included."""

    village: Village
    rows: list[Row] = field(default_factory=list)
    files: list[Row] = field(default_factory=list)  # its files rejected whole


def load_village_rejections(engine: Engine, code: str) -> VillageRejections:
    """The village and its rejected rows; :class:`UnknownVillageError` if not in the list."""
    code = village_code_from_input(code)
    with engine.connect() as conn:
        found = query_file(conn, "report/village.sql", {"village_code": code})
        if not found:
            raise UnknownVillageError(
                f"kode desa {code} tidak ada dalam daftar resmi / "
                f"village code {code} is not in the official list"
            )
        v = found[0]
        rows = query_file(conn, "report/village_rejections.sql", {"village_code": code})
        files = query_file(conn, "report/village_rejected_files.sql", {"village_code": code})
    village = Village(
        v.village_code, v.village_name, v.village_type, v.district_name, v.regency_name
    )
    return VillageRejections(village, rows, files)


def _row_values(row: Row, dates: dict[str, dt.date | None]) -> list[Any]:
    data: dict[str, Any] = json.loads(row.row_data) if row.row_data else {}
    if not data.get("nik"):
        data["nik"] = row.nik
    return [
        row.file_name,
        row.received_date,
        row.row_number,
        row_reason_text(row.reason, data, row.received_date, dates),
        row.reason,
        *(data.get(name) for name in ROW_COLUMNS),
    ]


def write_village_rejections(
    report: VillageRejections, out: Path, generated_at: dt.datetime | None = None
) -> Path:
    """Write the village's .xlsx: a header block (village, time, count), then one row each.

    The file holds full NIKs, so it is written owner-only (0600) and swapped in atomically:
    a reader never sees half a file.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    generated_at = generated_at or dt.datetime.now(WIB)
    v = report.village
    n = len(report.rows)
    wb = Workbook()
    ws = wb.active
    ws.title = REJECTIONS_SHEET
    block: list[tuple[str, Any]] = [
        ("Desa/Kelurahan", f"{v.name} ({v.code})"),
        ("Kecamatan", v.district),
        ("Kabupaten/Kota", v.regency),
        ("Dibuat", generated_at.astimezone(WIB).strftime("%Y-%m-%d %H:%M WIB")),
        ("Jumlah baris", n),
        ("Berkas ditolak", len(report.files)),
    ]
    write_cell(ws, 1, 1, "Daftar baris usulan yang ditolak dan harus diperbaiki").font = Font(
        bold=True, size=13
    )
    for i, (label, value) in enumerate(block, start=2):
        write_cell(ws, i, 1, label).font = Font(bold=True)
        write_cell(ws, i, 2, value)
    if report.files:
        note = (
            f"Ada berkas yang ditolak seluruhnya: lihat lembar {FILES_SHEET!r}, perbaiki "
            "berkasnya lalu kirim ulang."
            + (" Perbaiki juga baris-baris di bawah ini." if n else "")
        )
    elif n:
        note = "Perbaiki baris-baris ini di berkas aslinya, lalu kirim ulang berkasnya."
    else:
        note = "Tidak ada baris yang perlu diperbaiki."
    write_cell(ws, len(block) + 2, 1, note)
    write_cell(
        ws,
        len(block) + 3,
        1,
        "Berisi NIK lengkap: hanya untuk operator desa ini, jangan dibagikan.",
    ).font = Font(italic=True)
    header_row = len(block) + 5
    for col, title in enumerate(TABLE_HEADER, start=1):
        write_cell(ws, header_row, col, title).font = Font(bold=True)
    dates = _read_dates(report.rows)
    for r, row in enumerate(report.rows, start=header_row + 1):
        for col, value in enumerate(_row_values(row, dates), start=1):
            cell = write_cell(ws, r, col, value)
            if isinstance(value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    for col, width in enumerate(_WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width
    if report.files:
        _files_sheet(wb.create_sheet(FILES_SHEET), report.files)
    wb.properties.created = generated_at.astimezone(dt.UTC).replace(tzinfo=None)
    wb.properties.title = f"Perbaikan usulan {v.code}"
    return _save_private(wb, out)


def _files_sheet(ws: Any, files: list[Row]) -> None:
    """The village's files rejected whole: which, when, and what to change (the error says
    which columns are missing and the headers accepted for each)."""
    from openpyxl.styles import Font

    for col, title in enumerate(FILES_HEADER, start=1):
        write_cell(ws, 1, col, title).font = Font(bold=True)
    for r, f in enumerate(files, start=2):
        write_cell(ws, r, 1, f.file_name)
        write_cell(ws, r, 2, f.received_date).number_format = "yyyy-mm-dd"
        write_cell(ws, r, 3, f.error)
    for letter, width in zip("ABC", (40, 12, 120), strict=True):
        ws.column_dimensions[letter].width = width


def _save_private(wb: Any, out: Path) -> Path:
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            wb.save(fh)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return out


def export_village_rejections(engine: Engine, code: str, out: Path) -> VillageRejections:
    """Load one village's rejected rows and write its .xlsx; returns what was written."""
    report = load_village_rejections(engine, code)
    write_village_rejections(report, out)
    return report
