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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.engine.row import Row

from cakupan.settings import Settings
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


class ExportError(ValueError):
    """Something the person asking for a file can fix; its text is the one line shown."""


class UnknownVillageError(ExportError):
    """The code is malformed or not in the official village list."""


class UnknownRegencyError(ExportError):
    """The code is malformed or not in the official regency list."""


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


def _code_from_input(
    text: str, digits: int, error: type[ExportError], kind: tuple[str, str], examples: str
) -> str:
    """A code of ``digits`` digits from what a person types, dots and spaces dropped;
    ``error`` naming the ``kind`` (Indonesian, English) of code otherwise."""
    code = re.sub(r"[.\s]", "", text)
    if not (code.isascii() and code.isdigit() and len(code) == digits):
        raise error(
            f"kode {kind[0]} {text!r} tidak sah: tulis {digits} digit, misalnya {examples} / "
            f"invalid {kind[1]} code {text!r}: expected {digits} digits"
        )
    return code


def village_code_from_input(text: str) -> str:
    """A 10-digit code from what a person types: ``16.12.05.2011`` and ``1612052011``."""
    return _code_from_input(
        text, 10, UnknownVillageError, ("desa", "village"), "1612052011 atau 16.12.05.2011"
    )


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


def find_village(conn: Connection, code: str) -> tuple[Village, str]:
    """The village of a 10-digit code and its regency's code; :class:`UnknownVillageError`
    if it is not in the official list."""
    found = query_file(conn, "report/village.sql", {"village_code": code})
    if not found:
        raise UnknownVillageError(
            f"kode desa {code} tidak ada dalam daftar resmi / "
            f"village code {code} is not in the official list"
        )
    v = found[0]
    village = Village(
        v.village_code, v.village_name, v.village_type, v.district_name, v.regency_name
    )
    return village, v.regency_code


def load_village_rejections(engine: Engine, code: str) -> VillageRejections:
    """The village and its rejected rows; :class:`UnknownVillageError` if not in the list."""
    code = village_code_from_input(code)
    with engine.connect() as conn:
        village, _ = find_village(conn, code)
        rows = query_file(conn, "report/village_rejections.sql", {"village_code": code})
        files = query_file(conn, "report/village_rejected_files.sql", {"village_code": code})
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
        ("Dibuat", _wib(generated_at)),
        ("Jumlah baris", n),
        ("Berkas ditolak", len(report.files)),
    ]
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
    dates = _read_dates(report.rows)
    write_sheet(
        ws,
        "Daftar baris usulan yang ditolak dan harus diperbaiki",
        block,
        [note],
        "Berisi NIK lengkap: hanya untuk operator desa ini, jangan dibagikan.",
        TABLE_HEADER,
        [_row_values(row, dates) for row in report.rows],
        _WIDTHS,
    )
    if report.files:
        _files_sheet(wb.create_sheet(FILES_SHEET), report.files)
    return save_private(wb, out, generated_at, f"Perbaikan usulan {v.code}")


def _wib(moment: dt.datetime) -> str:
    return moment.astimezone(WIB).strftime("%Y-%m-%d %H:%M WIB")


def write_sheet(
    ws: Any,
    title: str,
    block: Sequence[tuple[str, Any]],
    notes: Sequence[str],
    privacy: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    widths: Sequence[int],
) -> None:
    """One sheet of a file for people: a bold title, the header block (label, value), the
    notes, the personal-data warning in italics, a blank row, then the table under a frozen
    bold header. Every cell goes through :func:`write_cell`; dates show as yyyy-mm-dd."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    write_cell(ws, 1, 1, title).font = Font(bold=True, size=13)
    for i, (label, value) in enumerate(block, start=2):
        write_cell(ws, i, 1, label).font = Font(bold=True)
        _write_value(ws, i, 2, value)
    row = len(block) + 2
    for note in notes:
        write_cell(ws, row, 1, note)
        row += 1
    write_cell(ws, row, 1, privacy).font = Font(italic=True)
    header_row = row + 2
    for col, name in enumerate(header, start=1):
        write_cell(ws, header_row, col, name).font = Font(bold=True)
    for r, values in enumerate(rows, start=header_row + 1):
        for col, value in enumerate(values, start=1):
            _write_value(ws, r, col, value)
    ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
    for col, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(col)].width = width


def _write_value(ws: Any, row: int, column: int, value: Any) -> Any:
    cell = write_cell(ws, row, column, value)
    if isinstance(value, dt.date):
        cell.number_format = "yyyy-mm-dd"
    return cell


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


def save_private(wb: Any, out: Path, generated_at: dt.datetime, title: str) -> Path:
    """Save ``wb`` to ``out`` owner-only (0600: it holds personal data), swapped in
    atomically so a reader never sees half a file. The folder must exist: a mistyped
    folder would otherwise leave full NIKs somewhere nobody looks (:class:`ExportError`)."""
    out = out.resolve()
    if out.is_dir():
        raise ExportError(f"{out} adalah folder / {out} is a folder: name the .xlsx file to write")
    if not out.parent.is_dir():
        raise ExportError(
            f"folder {out.parent} tidak ada / folder {out.parent} does not exist: "
            "create it first or choose another --out"
        )
    wb.properties.created = generated_at.astimezone(dt.UTC).replace(tzinfo=None)
    wb.properties.title = title
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


# The enrolment worklist (issue 15): per worker, what a collective BPU registration needs.
ENROLMENT_COLUMNS: dict[str, str] = {
    **{
        c: ROW_COLUMNS[c]
        for c in ("nik", "name", "birth_date", "sex", "occupation", "address", "phone")
    },
    "village_code": ROW_COLUMNS["village_code"],
    "village_name": "Nama desa/kelurahan",
    "payer": "Pembayar",
}
ENROLMENT_HEADER = tuple(ENROLMENT_COLUMNS.values())
_ENROLMENT_WIDTHS = (19, 28, 13, 8, 18, 30, 15, 13, 24, 10)
NO_ENROLMENT_SHEET = "Tidak ada"
ENROLMENT_NOTE = (
    "Pekerja usulan yang memenuhi syarat umur dan belum terdaftar (tidak ada KPJ) pada "
    "tanggal di atas; daftarkan secara kolektif, iuran dibayar oleh Pembayar."
)
NO_ENROLMENT_NOTE = (
    "Tidak ada pekerja usulan yang menunggu pendaftaran pada tanggal ini. / "
    "No eligible proposed worker awaits enrolment on this date."
)
# Excel's limit on a sheet name, and the characters it refuses there (an apostrophe may
# not start or end one: dropped too).
SHEET_NAME_MAX = 31
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\']")


@dataclass(frozen=True)
class Regency:
    code: str
    name: str


@dataclass
class EnrolmentWorklist:
    """Eligible proposed workers not enrolled on ``as_of``, full personal data included;
    ``rows`` are ordered by village (report/enrolment_worklist.sql)."""

    regency: Regency
    as_of: dt.date
    village: Village | None  # the one village asked for, if any
    rows: list[Row] = field(default_factory=list)

    def by_village(self) -> list[list[Row]]:
        """The rows of each village that has any, in village-code order."""
        groups: dict[str, list[Row]] = {}
        for row in self.rows:
            groups.setdefault(row.village_code, []).append(row)
        return list(groups.values())


def regency_code_from_input(text: str) -> str:
    """A 4-digit code from what a person types: ``16.12`` and ``1612``."""
    return _code_from_input(
        text, 4, UnknownRegencyError, ("kabupaten/kota", "regency"), "1612 atau 16.12"
    )


def load_enrolment_worklist(
    engine: Engine,
    regency: str,
    as_of: dt.date,
    settings: Settings,
    village: str | None = None,
) -> EnrolmentWorklist:
    """The regency's (or one of its villages') worklist on ``as_of``, from staging with the
    snapshot's own rules; :class:`ExportError` for a code that is not in the list."""
    from cakupan.marts.snapshot import snapshot_params

    regency_code = regency_code_from_input(regency)
    village_code = village_code_from_input(village) if village is not None else None
    with engine.connect() as conn:
        found = query_file(conn, "report/regency.sql", {"regency_code": regency_code})
        if not found:
            raise UnknownRegencyError(
                f"kode kabupaten/kota {regency_code} tidak ada dalam daftar resmi / "
                f"regency code {regency_code} is not in the official list"
            )
        chosen = None
        if village_code is not None:
            chosen, its_regency = find_village(conn, village_code)
            if its_regency != regency_code:
                raise UnknownVillageError(
                    f"desa {chosen.name} ({village_code}) bukan di kabupaten/kota "
                    f"{regency_code} / village {village_code} is not in regency "
                    f"{regency_code} (it is in {its_regency})"
                )
        params = {
            **snapshot_params(as_of, settings),
            "regency_code": regency_code,
            "village_code": village_code,
        }
        rows = query_file(conn, "report/enrolment_worklist.sql", params)
    return EnrolmentWorklist(
        Regency(found[0].regency_code, found[0].regency_name), as_of, chosen, rows
    )


def _place(name: str, code: str, district: str) -> list[tuple[str, Any]]:
    return [("Desa/Kelurahan", f"{name} ({code})"), ("Kecamatan", district)]


def sheet_name(code: str, name: str) -> str:
    """``1612052011 Harapan Jaya`` without the characters Excel refuses, at most 31 long."""
    return _SHEET_UNSAFE.sub("", f"{code} {name}")[:SHEET_NAME_MAX].strip()


def write_enrolment_worklist(
    worklist: EnrolmentWorklist, out: Path, generated_at: dt.datetime | None = None
) -> Path:
    """Write the worklist's .xlsx: one sheet per village with workers to enrol, each with a
    header block (regency, date, counts) above its table; one sheet saying so when there is
    none. Owner-only and atomic, as every file with full NIKs (:func:`save_private`)."""
    from openpyxl import Workbook

    generated_at = generated_at or dt.datetime.now(WIB)
    r = worklist.regency
    groups = worklist.by_village()
    wb = Workbook()
    wb.remove(wb.active)
    common: list[tuple[str, Any]] = [
        ("Kabupaten/Kota", f"{r.name} ({r.code})"),
        ("Per tanggal", worklist.as_of),
        ("Dibuat", _wib(generated_at)),
    ]
    totals: list[tuple[str, Any]] = [
        ("Pekerja dalam berkas", len(worklist.rows)),
        ("Desa/kelurahan dalam berkas", len(groups)),
    ]
    title = "Pekerja rentan yang menunggu pendaftaran BPJS Ketenagakerjaan (BPU: JKK + JKM)"
    privacy = (
        "Berisi NIK dan data pribadi lengkap: hanya untuk petugas pendaftaran, jangan dibagikan."
    )
    v = worklist.village
    sheets = [
        (
            sheet_name(row.village_code, row.village_name),
            _place(row.village_name, row.village_code, row.district_name),
            rows,
            ENROLMENT_NOTE,
        )
        for rows in groups
        for row in rows[:1]
    ] or [
        (NO_ENROLMENT_SHEET, _place(v.name, v.code, v.district) if v else [], [], NO_ENROLMENT_NOTE)
    ]
    for name, place, rows, note in sheets:
        write_sheet(
            wb.create_sheet(name),
            title,
            [*common, *place, ("Pekerja di lembar ini", len(rows)), *totals],
            [note],
            privacy,
            ENROLMENT_HEADER,
            [[getattr(row, c) for c in ENROLMENT_COLUMNS] for row in rows],
            _ENROLMENT_WIDTHS,
        )
    return save_private(wb, out, generated_at, f"Pendaftaran BPU {r.code} {worklist.as_of}")


def export_enrolment_worklist(
    engine: Engine,
    regency: str,
    as_of: dt.date,
    settings: Settings,
    out: Path,
    village: str | None = None,
) -> EnrolmentWorklist:
    """Load a regency's enrolment worklist and write its .xlsx; returns what was written."""
    worklist = load_enrolment_worklist(engine, regency, as_of, settings, village)
    write_enrolment_worklist(worklist, out)
    return worklist
