"""What each landing source holds (CONTRACT §2): canonical columns, aliases, kinds.

Kinds say how a cell is cleaned:
    text      stripped text
    id        NIK / KPJ / KK: spaces, dots, dashes and a leading apostrophe stripped
    village   10-digit village code, dots removed
    date      a date in any accepted form, or a real Excel date cell
    month     ``YYYY-MM`` or any date: its month (first day of it)
    int       whole number (decile)
    enum      upper-cased text checked against a list by the suite
    sex       L / P (Laki-laki, Perempuan)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Kind = Literal["text", "id", "village", "date", "month", "int", "enum", "sex"]


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = False
    aliases: tuple[str, ...] = ()
    # Filled with the file's received date when the column is absent or the cell empty.
    defaults_to_received: bool = False


@dataclass(frozen=True)
class SourceSpec:
    name: str  # also the landing subfolder and the value of data_quality.source
    extensions: tuple[str, ...]
    columns: tuple[Column, ...]
    key: str  # the column whose repeats within a file are duplicate_in_file

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(f"{self.name} has no column {name!r}")


VILLAGE_SUBMISSIONS = SourceSpec(
    name="village_submissions",
    extensions=(".xlsx", ".xls", ".csv"),
    key="nik",
    columns=(
        Column(
            "village_code",
            "village",
            True,
            ("kode_desa", "kode desa", "kode wilayah", "kode_wilayah"),
        ),
        Column("nik", "id", True, ("no ktp", "no nik", "nomor induk kependudukan")),
        Column("name", "text", True, ("nama", "nama lengkap")),
        Column("birth_date", "date", True, ("tanggal lahir", "tgl lahir", "tgl_lahir")),
        Column("sex", "sex", False, ("jenis kelamin", "jk", "l/p")),
        Column("occupation", "text", False, ("pekerjaan", "jenis pekerjaan")),
        Column(
            "submitted_on",
            "date",
            False,
            ("tanggal usulan", "tgl usulan"),
            defaults_to_received=True,
        ),
        Column("address", "text", False, ("alamat",)),
        Column("phone", "text", False, ("no hp", "telepon")),
    ),
)

POVERTY_LISTS = SourceSpec(
    name="poverty_lists",
    extensions=(".csv",),
    key="nik",
    columns=(
        Column("nik", "id", True, ("no ktp", "no nik")),
        Column("family_number", "id", False, ("no kk", "nomor kk")),
        Column("name", "text", True, ("nama",)),
        Column("birth_date", "date", False, ("tanggal lahir", "tgl lahir")),
        Column("village_code", "village", True, ("kode desa", "kode wilayah")),
        Column("decile", "int", True, ("desil",)),
    ),
)

MEMBER_EXPORTS = SourceSpec(
    name="member_exports",
    extensions=(".csv",),
    key="kpj",
    columns=(
        Column("kpj", "id", True, ("no kpj", "nomor kpj")),
        Column("nik", "id", True, ("no ktp", "no nik")),
        Column("name", "text", True, ("nama",)),
        Column("segment", "enum", True, ("segmen",)),
        Column("status", "enum", True, ("status kepesertaan",)),
        Column("paid_through", "month", True, ("bulan iuran terakhir", "iuran terakhir")),
        Column("enrolled_on", "date", False, ("tanggal kepesertaan", "tmt")),
        Column("exported_on", "date", False, ("tanggal ekspor",), defaults_to_received=True),
        Column("village_code", "village", False, ("kode desa",)),
        Column("payer", "enum", False, ("pembayar", "sumber iuran")),
    ),
)

SOURCES: dict[str, SourceSpec] = {
    spec.name: spec for spec in (VILLAGE_SUBMISSIONS, POVERTY_LISTS, MEMBER_EXPORTS)
}

SEGMENTS = ("PU", "BPU", "JAKON", "PMI")
STATUSES = ("AKTIF", "NONAKTIF", "KELUAR")

# CONTRACT §3: the first reason that applies wins, in this order.
REASONS = (
    "missing_required",
    "nik_numeric_cell",
    "invalid_nik",
    "invalid_kpj",
    "unknown_village",
    "invalid_date",
    "invalid_value",
    "duplicate_in_file",
)
FLAGS = ("nik_birth_date_mismatch", "nik_sex_mismatch", "nik_outside_province")


def accepted_headers_markdown() -> str:
    """The README's table of accepted headers, one row per column of each source.

    Generated from the specs so it cannot drift (a test compares it with the README). A
    header matches when it equals a listed name ignoring case, spaces and punctuation.
    """
    lines = [
        "| source | column | required | headers accepted (case, spaces and punctuation ignored) |",
        "| --- | --- | --- | --- |",
    ]
    for spec in SOURCES.values():
        for col in spec.columns:
            names = ", ".join(f"`{name}`" for name in (col.name, *col.aliases))
            required = "yes" if col.required else "no"
            lines.append(f"| {spec.name} | {col.name} | {required} | {names} |")
    return "\n".join(lines)
