"""A landing file that cannot be read at all (CONTRACT §3: status ``rejected_file``).

The message lands in ``mart.data_quality.error`` and goes back to a village operator, so it
says, in Indonesian first, what to fix. It never quotes a cell value: cells may be a NIK, a
name or an address, and the data-quality table is read widely.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cakupan.sources.specs import SourceSpec

# Readable Indonesian labels for the canonical columns, as they appear on the templates.
COLUMN_LABELS_ID: dict[str, str] = {
    "village_code": "Kode Desa",
    "nik": "NIK",
    "name": "Nama",
    "birth_date": "Tanggal Lahir",
    "sex": "Jenis Kelamin",
    "occupation": "Pekerjaan",
    "submitted_on": "Tanggal Usulan",
    "address": "Alamat",
    "phone": "No HP",
    "family_number": "No KK",
    "decile": "Desil",
    "kpj": "No KPJ",
    "segment": "Segmen",
    "status": "Status Kepesertaan",
    "paid_through": "Bulan Iuran Terakhir",
    "enrolled_on": "Tanggal Kepesertaan",
    "exported_on": "Tanggal Ekspor",
    "payer": "Pembayar",
}


def _accepted(spec: SourceSpec, name: str) -> tuple[str, ...]:
    col = spec.column(name)
    return (col.name, *col.aliases)


def _join(items: Sequence[str], last: str) -> str:
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {last} {items[-1]}"


# Between the Indonesian and the English message in the stored text; neither message
# contains it (tests/report/test_shaping.py checks every kind).
SEPARATOR = " / "


class FileRejected(Exception):
    """The whole file is rejected; ``code`` is machine-readable, the messages are for people."""

    def __init__(
        self, code: str, message_en: str, message_id: str, village_code: str | None = None
    ) -> None:
        # All in args so the exception survives pickling between Airflow processes.
        super().__init__(code, message_en, message_id, village_code)
        self.code = code
        self.message_en = message_en
        self.message_id = message_id
        # The village the file is from, when its village-code column could be read: the
        # rejection then reaches that village's operator (export-rejections).
        self.village_code = village_code

    def __str__(self) -> str:
        return f"{self.message_id}{SEPARATOR}{self.message_en}"

    @staticmethod
    def message_in(text: str, lang: str) -> str:
        """One language's half of a stored message (``str`` of a :class:`FileRejected`, as
        the ledger keeps it): ``id`` or ``en``; a text without both halves is returned whole."""
        id_, sep, en = text.partition(SEPARATOR)
        if not sep:
            return text
        return id_ if lang == "id" else en

    @classmethod
    def missing_columns(
        cls, names: Sequence[str], spec: SourceSpec, village_code: str | None = None
    ) -> FileRejected:
        """Required columns not found in the header row; all of them listed at once, each
        with the headers that would have been accepted for it."""
        labels = [COLUMN_LABELS_ID.get(name, name) for name in names]
        plural = "s" if len(names) > 1 else ""
        accepted = "; ".join(
            f"{COLUMN_LABELS_ID.get(name, name)}: {', '.join(_accepted(spec, name))}"
            for name in names
        )
        return cls(
            "missing_column",
            f"required column{plural} {_join(list(names), 'and')} not found "
            f"(headers accepted: {accepted})",
            f"kolom {_join(labels, 'dan')} tidak ditemukan (judul kolom yang diterima: {accepted})",
            village_code,
        )

    @classmethod
    def no_header(cls, required: Sequence[str], max_rows: int) -> FileRejected:
        """No row near the top names any required column."""
        labels = [COLUMN_LABELS_ID.get(name, name) for name in required]
        return cls(
            "no_header",
            f"no header row found in the first {max_rows} rows; "
            f"the header must name the columns {_join(list(required), 'and')}",
            f"baris judul kolom tidak ditemukan di {max_rows} baris pertama; "
            f"judul kolom harus memuat {_join(labels, 'dan')}",
        )

    @classmethod
    def empty(cls) -> FileRejected:
        """0 bytes, or nothing but blank lines / empty sheets."""
        return cls(
            "empty",
            "the file is empty; fill in the data and send it again",
            "berkas kosong; isi datanya lalu kirim ulang",
        )

    @classmethod
    def password_protected(cls) -> FileRejected:
        """An encrypted workbook: the operator knows the password, the pipeline must not."""
        return cls(
            "password_protected",
            "the file is password protected; open it in Excel, remove the password, "
            "save it and send it again",
            "berkas dilindungi kata sandi; buka di Excel, hapus kata sandinya, "
            "simpan lalu kirim ulang",
        )

    @classmethod
    def unreadable(cls) -> FileRejected:
        """Not a spreadsheet, or a corrupt one."""
        return cls(
            "unreadable",
            "the file cannot be read as an Excel (.xlsx, .xls) or CSV file; "
            "open it in Excel, save it as .xlsx without a password and send it again",
            "berkas tidak dapat dibaca sebagai Excel (.xlsx, .xls) atau CSV; "
            "buka di Excel, simpan sebagai .xlsx tanpa kata sandi lalu kirim ulang",
        )
