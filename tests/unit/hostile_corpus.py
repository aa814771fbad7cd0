"""Landing files as they really arrive, built by code (no committed binaries).

Each ``case_*`` function writes one file into a folder and returns a :class:`Case`: the file,
the source it lands in, and the outcome the whole read-and-judge path must reach: rows
loaded (with their spreadsheet row numbers), rows rejected with a reason, or the file
rejected with the operator-facing message of one :class:`FileRejected` constructor.

Rows are village submissions unless a case says otherwise: ``person(i)`` is a valid row
whose NIK is ``nik(i)``, so expected values can be spelled out without repeating data.
"""

from __future__ import annotations

import codecs
import datetime as dt
import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
from openpyxl.styles import Font, PatternFill

from cakupan.sources.errors import FileRejected
from cakupan.sources.headers import HEADER_SEARCH_ROWS
from cakupan.sources.specs import VILLAGE_SUBMISSIONS

RECEIVED = dt.date(2025, 6, 2)
VILLAGE = "1612052011"  # Talang Akar, in the reference list
BIRTH = dt.date(1990, 3, 12)
HEADER = ["Kode Desa", "NIK", "Nama", "Tanggal Lahir", "L/P"]
SOURCE = "village_submissions"
NO_HEADER = FileRejected.no_header(VILLAGE_SUBMISSIONS.required, HEADER_SEARCH_ROWS)


def nik(i: int) -> str:
    """A valid NIK of a man born 12-03-1990 in 161205, serial ``i``."""
    return f"161205120390{i:04d}"


def person(i: int) -> list[str]:
    return [VILLAGE, nik(i), f"Warga {i}", "12-03-1990", "L"]


@dataclass(frozen=True)
class Loaded:
    """The file loads; ``rows`` are the loaded rows' sheet numbers, in order."""

    rows: tuple[int, ...]
    rejected: tuple[tuple[int, str], ...] = ()
    # canonical column -> expected loaded values, in the order of ``rows``
    values: dict[str, tuple[object, ...]] = field(default_factory=dict)
    header_row: int | None = None


@dataclass(frozen=True)
class Refused:
    """The whole file is ``rejected_file`` with exactly this error."""

    error: FileRejected


@dataclass(frozen=True)
class Case:
    path: Path
    outcome: Loaded | Refused
    source: str = SOURCE


CaseBuilder = Callable[[Path], Case]
CASES: dict[str, CaseBuilder] = {}


def case(builder: CaseBuilder) -> CaseBuilder:
    """Register ``case_<id>`` under ``<id>``."""
    CASES[builder.__name__.removeprefix("case_")] = builder
    return builder


# --------------------------------------------------------------------------- writers


def write_xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> openpyxl.Workbook:
    """A workbook with one sheet per entry, rows appended from row 1; saved and returned."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return workbook


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    buffer = io.BytesIO()
    workbook = openpyxl.Workbook()
    for row in rows:
        workbook.active.append(row)
    workbook.save(buffer)
    return buffer.getvalue()


def excel_serial(day: dt.date) -> int:
    return (day - dt.date(1899, 12, 30)).days


# A hand-written xlsx, because openpyxl cannot store a formula's cached value: each cell is
# (text, formula, cached, type, style) with None for absent parts.
XCell = tuple[str | None, str | None, str | None, str | None, int | None]

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/styles.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>
</Types>"""
_ROOT_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="xl/workbook.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>
</Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Usulan" sheetId="1" r:id="rId1"/></sheets>
</workbook>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Target="worksheets/sheet1.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>
<Relationship Id="rId2" Target="styles.xml"
 Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"/>
</Relationships>"""
# Style 1 is a date (built-in number format 14, what Excel shows as dd/mm/yyyy here).
_STYLES = """<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>
<fills count="1"><fill><patternFill patternType="none"/></fill></fills>
<borders count="1"><border/></borders>
<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>
<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>
<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>
</styleSheet>"""


def _column_letter(index: int) -> str:
    return openpyxl.utils.get_column_letter(index + 1)


def _xml_cell(ref: str, cell: XCell) -> str:
    text, formula, cached, kind, style = cell
    attrs = f' r="{ref}"' + (f' s="{style}"' if style is not None else "")
    if text is not None:
        return f'<c{attrs} t="inlineStr"><is><t>{escape(text)}</t></is></c>'
    body = f"<f>{escape(formula)}</f>" if formula is not None else ""
    if cached is not None:
        body += f"<v>{escape(cached)}</v>"
    kind_attr = f' t="{kind}"' if kind else ""
    return f"<c{attrs}{kind_attr}>{body}</c>"


def write_raw_xlsx(path: Path, rows: list[list[XCell | str | None]]) -> Path:
    """A one-sheet xlsx from raw cell XML; plain strings become inline text cells."""
    xml_rows = []
    for r, row in enumerate(rows, start=1):
        cells = []
        for c, value in enumerate(row):
            if value is None:
                continue
            cell: XCell = (value, None, None, None, None) if isinstance(value, str) else value
            cells.append(_xml_cell(f"{_column_letter(c)}{r}", cell))
        xml_rows.append(f'<row r="{r}">{"".join(cells)}</row>')
    sheet = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"<sheetData>{''.join(xml_rows)}</sheetData></worksheet>"
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _ROOT_RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/styles.xml", _STYLES)
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    return path


def csv_text(rows: list[list[str]], delimiter: str = ";", newline: str = "\n") -> str:
    return "".join(delimiter.join(row) + newline for row in rows)


# --------------------------------------------------------------------------- Excel


@case
def case_xlsx_title_rows_above_header(folder: Path) -> Case:
    path = folder / "usulan-judul.xlsx"
    write_xlsx(
        path,
        {
            "Usulan": [
                ["DAFTAR USULAN PESERTA BPJS KETENAGAKERJAAN PEKERJA RENTAN"],
                ["DESA TALANG AKAR, KECAMATAN TALANG UBI"],
                [],
                HEADER,
                person(1),
                person(2),
            ]
        },
    )
    return Case(path, Loaded(rows=(5, 6), header_row=4, values={"nik": (nik(1), nik(2))}))


@case
def case_xlsx_header_on_row_15(folder: Path) -> Case:
    path = folder / "usulan-baris-15.xlsx"
    write_xlsx(path, {"Usulan": [["Judul"]] + [[]] * 13 + [HEADER, person(1)]})
    return Case(path, Loaded(rows=(16,), header_row=15))


@case
def case_xlsx_header_on_row_16(folder: Path) -> Case:
    path = folder / "usulan-baris-16.xlsx"
    write_xlsx(path, {"Usulan": [["Judul"]] + [[]] * 14 + [HEADER, person(1)]})
    return Case(path, Refused(NO_HEADER))


@case
def case_xlsx_instructions_sheet_first(folder: Path) -> Case:
    path = folder / "usulan-petunjuk.xlsx"
    write_xlsx(
        path,
        {
            "Petunjuk": [
                ["PETUNJUK PENGISIAN"],
                ["Kolom", "Keterangan"],
                ["NIK", "16 digit, format kolom Teks"],
                ["Nama", "sesuai KTP"],
                ["Tanggal Lahir", "dd-mm-yyyy"],
            ],
            "Referensi": [["Kode Desa", "Nama Desa", "Kecamatan"], [VILLAGE, "Talang Akar", "X"]],
            "Usulan": [["USULAN"], HEADER, person(1), person(2)],
            "Contoh": [HEADER, person(9)],
        },
    )
    return Case(path, Loaded(rows=(3, 4), header_row=2, values={"nik": (nik(1), nik(2))}))


@case
def case_xlsx_merged_cells(folder: Path) -> Case:
    """Merged title rows, and a village code merged down the rows it applies to.

    A person sees the merged code on every row it spans, so every row carries it.
    """
    path = folder / "usulan-gabung.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet["A1"] = "DAFTAR USULAN PEKERJA RENTAN"
    sheet.merge_cells("A1:E1")
    sheet["A2"] = "Desa Talang Akar"
    sheet.merge_cells("A2:E3")
    rows = (
        HEADER,
        person(1),
        [None, *person(2)[1:]],
        [None, *person(3)[1:]],
        [None, *person(4)[1:]],
    )
    for r, row in enumerate(rows, start=4):
        for c, value in enumerate(row, start=1):
            sheet.cell(row=r, column=c, value=value)
    sheet.merge_cells("A5:A7")  # rows 5-7 show VILLAGE; row 8 is empty on purpose
    workbook.save(path)
    return Case(
        path,
        Loaded(
            rows=(5, 6, 7),
            rejected=((8, "missing_required"),),
            header_row=4,
            values={"village_code": (VILLAGE,) * 3},
        ),
    )


@case
def case_xlsx_two_row_merged_header(folder: Path) -> Case:
    """ "Tempat/Tanggal Lahir" over two sub-columns; the other headers merged over both rows."""
    path = folder / "usulan-judul-dua-baris.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["No", "Kode Desa", "NIK", "Nama", "Tempat/Tanggal Lahir", None, "L/P"])
    sheet.append([None, None, None, None, "Tempat Lahir", "Tanggal Lahir", None])
    for column in "ABCDG":
        sheet.merge_cells(f"{column}1:{column}2")
    sheet.merge_cells("E1:F1")
    sheet.append([1, VILLAGE, nik(1), "Warga 1", "Muara Enim", "12-03-1990", "L"])
    sheet.append([2, VILLAGE, nik(2), "Warga 2", "Palembang", "12-03-1990", "L"])
    workbook.save(path)
    return Case(
        path,
        Loaded(rows=(3, 4), header_row=2, values={"birth_date": (BIRTH, BIRTH), "sex": ("L", "L")}),
    )


@case
def case_xlsx_formulas_use_cached_values(folder: Path) -> Case:
    path = folder / "usulan-rumus.xlsx"
    serial = str(excel_serial(BIRTH))
    write_raw_xlsx(
        path,
        [
            ["No", *HEADER],
            [
                (None, "ROW()-1", "1", None, None),
                (None, 'TEXT(1612052011,"0")', VILLAGE, "str", None),
                (None, 'CONCATENATE("161205","1203900001")', nik(1), "str", None),
                (None, 'UPPER("warga satu")', "WARGA SATU", "str", None),
                (None, "DATE(1990,3,12)", serial, None, 1),
                (None, 'IF(1,"L","P")', "L", "str", None),
            ],
            # The NIK computed as a number: a numeric cell, whatever it shows.
            [None, VILLAGE, (None, f"{nik(2)}*1", nik(2), None, None), "Warga 2", "12-03-1990"],
            # Saved by a tool that does not compute: a formula without a cached value is empty.
            [None, VILLAGE, nik(3), (None, 'UPPER("x")', None, "str", None), "12-03-1990"],
            # A failed lookup shows #N/A; calamine gives error cells as empty: missing_required.
            [None, VILLAGE, (None, "VLOOKUP(1,Z:Z,1,0)", "#N/A", "e", None), "Warga 4", "1990"],
            # Template rows whose only content is a numbering formula are not data rows.
            *[[(None, 'IF(B7="","",ROW()-1)', "", "str", None)] for _ in range(20)],
            [None, VILLAGE, nik(5), "Warga 5", (None, "DATE(1990,3,12)", serial, None, 1)],
        ],
    )
    return Case(
        path,
        Loaded(
            rows=(2, 26),
            rejected=(
                (3, "nik_numeric_cell"),
                (4, "missing_required"),
                (5, "missing_required"),
            ),
            values={
                "village_code": (VILLAGE, VILLAGE),
                "nik": (nik(1), nik(5)),
                "name": ("WARGA SATU", "Warga 5"),
                "birth_date": (BIRTH, BIRTH),
                "sex": ("L", None),
            },
        ),
    )


@case
def case_xlsx_hidden_rows_and_columns_are_read(folder: Path) -> Case:
    """Hidden rows and columns are still data; a hidden sheet with an old list is not read
    while a visible sheet has a header (the operator hid it: it is not what they send)."""
    path = folder / "usulan-tersembunyi.xlsx"
    workbook = openpyxl.Workbook()
    old = workbook.active
    old.title = "Usulan lama"
    for row in (HEADER, person(7), person(8)):
        old.append(row)
    old.sheet_state = "hidden"
    sheet = workbook.create_sheet("Usulan")
    for row in (["Usulan Juni"], HEADER, person(1), person(2), person(3)):
        sheet.append(row)
    sheet.row_dimensions[4].hidden = True
    sheet.column_dimensions["B"].hidden = True  # the NIK column itself
    workbook.active = 1
    workbook.save(path)
    return Case(path, Loaded(rows=(3, 4, 5), values={"nik": (nik(1), nik(2), nik(3))}))


@case
def case_xlsx_only_a_hidden_sheet_has_the_header(folder: Path) -> Case:
    path = folder / "usulan-hanya-tersembunyi.xlsx"
    workbook = openpyxl.Workbook()
    cover = workbook.active
    cover.title = "Sampul"
    cover.append(["USULAN DESA TALANG AKAR"])
    data = workbook.create_sheet("Data")
    for row in (HEADER, person(1)):
        data.append(row)
    data.sheet_state = "veryHidden"
    workbook.save(path)
    return Case(path, Loaded(rows=(2,), values={"nik": (nik(1),)}))


@case
def case_xlsx_trailing_empty_rows(folder: Path) -> Case:
    """A template formatted down to row 1000: styled empty cells, blanks, lone spaces."""
    path = folder / "usulan-kosong-di-bawah.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in (HEADER, person(1), person(2)):
        sheet.append(row)
    fill = PatternFill("solid", fgColor="FFFF00")
    for r in range(4, 1001):
        for c in range(1, 6):
            sheet.cell(row=r, column=c).fill = fill
    sheet.cell(row=500, column=3).value = " "
    sheet.cell(row=700, column=2).value = "\u00a0"
    sheet.cell(row=1000, column=1).font = Font(bold=True)
    workbook.save(path)
    return Case(path, Loaded(rows=(2, 3)))


@case
def case_xls_old_format(folder: Path) -> Case:
    import xlwt

    path = folder / "usulan-lama.xls"
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("Usulan")
    date_style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    sheet.write(0, 0, "USULAN DESA TALANG AKAR")
    for c, value in enumerate(HEADER):
        sheet.write(2, c, value)
    rows: list[list[object]] = [
        person(1),
        [VILLAGE, nik(2), "Siti Ñurhaliza", BIRTH, "P"],
        [VILLAGE, float(nik(3)), "Warga 3", "12 Maret 1990", "L"],
        [int(VILLAGE), nik(4), "Warga 4", "1990-03-12", "L"],
    ]
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row):
            if isinstance(value, dt.date):
                sheet.write(r, c, value, date_style)
            else:
                sheet.write(r, c, value)
    book.save(str(path))
    return Case(
        path,
        Loaded(
            rows=(4, 5, 7),
            rejected=((6, "nik_numeric_cell"),),
            header_row=3,
            values={
                "nik": (nik(1), nik(2), nik(4)),
                "name": ("Warga 1", "Siti Ñurhaliza", "Warga 4"),
                "birth_date": (BIRTH, BIRTH, BIRTH),
                "village_code": (VILLAGE,) * 3,
            },
        ),
    )


def encrypted_xlsx() -> bytes:
    from msoffcrypto.format.ooxml import OOXMLFile

    out = io.BytesIO()
    OOXMLFile(io.BytesIO(xlsx_bytes([HEADER, person(1)]))).encrypt("rahasia", out)
    return out.getvalue()


@case
def case_xlsx_password_protected(folder: Path) -> Case:
    path = folder / "usulan-sandi.xlsx"
    path.write_bytes(encrypted_xlsx())
    return Case(path, Refused(FileRejected.password_protected()))


@case
def case_xls_name_password_protected(folder: Path) -> Case:
    path = folder / "usulan-sandi.xls"
    path.write_bytes(encrypted_xlsx())
    return Case(path, Refused(FileRejected.password_protected()))


@case
def case_xls_97_2003_password_protected(folder: Path) -> Case:
    """Excel 97-2003 keeps the workbook in BIFF8 and says "encrypted" by a FILEPASS record
    right after the first BOF; the RC4 header in it is filler, as nothing may decrypt it."""
    import struct

    import xlwt
    from xlwt import CompoundDoc

    book = xlwt.Workbook()
    sheet = book.add_sheet("Usulan")
    for c, value in enumerate(HEADER):
        sheet.write(0, c, value)
    biff = book.get_biff_data()
    _, bof_size = struct.unpack("<HH", biff[:4])
    filepass = struct.pack("<HHHHH", 0x002F, 54, 1, 1, 1) + b"\x11" * 48
    path = folder / "usulan-sandi-lama.xls"
    CompoundDoc.XlsDoc().save(str(path), biff[: 4 + bof_size] + filepass + biff[4 + bof_size :])
    return Case(path, Refused(FileRejected.password_protected()))


@case
def case_xlsx_truncated(folder: Path) -> Case:
    path = folder / "usulan-terpotong.xlsx"
    data = xlsx_bytes([HEADER, *(person(i) for i in range(1, 200))])
    path.write_bytes(data[: len(data) // 2])
    return Case(path, Refused(FileRejected.unreadable()))


@case
def case_xls_truncated(folder: Path) -> Case:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Usulan")
    for r, row in enumerate([HEADER, *(person(i) for i in range(1, 200))]):
        for c, value in enumerate(row):
            sheet.write(r, c, value)
    buffer = io.BytesIO()
    book.save(buffer)
    path = folder / "usulan-terpotong.xls"
    path.write_bytes(buffer.getvalue()[: len(buffer.getvalue()) // 2])
    return Case(path, Refused(FileRejected.unreadable()))


@case
def case_csv_saved_with_xlsx_name(folder: Path) -> Case:
    path = folder / "usulan-sebenarnya-csv.xlsx"
    path.write_text(csv_text([HEADER, person(1), person(2)], ";", "\r\n"), encoding="utf-8")
    return Case(path, Loaded(rows=(2, 3)))


@case
def case_xlsx_saved_with_csv_name(folder: Path) -> Case:
    path = folder / "usulan-sebenarnya-excel.csv"
    path.write_bytes(xlsx_bytes([HEADER, person(1)]))
    return Case(path, Loaded(rows=(2,)))


# --------------------------------------------------------------------------- CSV


@case
def case_csv_quoted_newlines(folder: Path) -> Case:
    """Cells spanning lines, header cell included: a record is one row, as Excel shows it."""
    path = folder / "usulan-baris-baru.csv"
    path.write_bytes(
        (
            'Kode Desa;NIK;Nama;"Tanggal\nLahir";L/P\n'
            f'{VILLAGE};{nik(1)};"Budi\nSantoso";12-03-1990;L\n'
            f'{VILLAGE};{nik(2)};"Siti\r\nAminah\n\nbinti X";12-03-1990;P\n'
            f'{VILLAGE};{nik(3)};"";12-03-1990;L\n'
            f"{VILLAGE};{nik(4)};Rini;12-03-1990;L\n"
        ).encode()
    )
    return Case(
        path,
        Loaded(
            rows=(2, 3, 5),
            rejected=((4, "missing_required"),),
            values={"name": ("Budi\nSantoso", "Siti\r\nAminah\n\nbinti X", "Rini")},
        ),
    )


@case
def case_csv_mixed_line_endings(folder: Path) -> Case:
    path = folder / "usulan-akhir-baris.csv"
    path.write_bytes(
        (
            ";".join(HEADER)
            + "\r\n"
            + ";".join(person(1))
            + "\n"
            + ";".join(person(2))
            + "\r"
            + "\r\n"  # a blank line: row 4 is empty
            + ";".join(person(3))
            + "\r\n"
            + ";".join(person(4))
        ).encode()
    )
    return Case(
        path, Loaded(rows=(2, 3, 5, 6), values={"nik": tuple(nik(i) for i in (1, 2, 3, 4))})
    )


@case
def case_csv_utf8_bom_and_title(folder: Path) -> Case:
    path = folder / "usulan-bom.csv"
    text = "USULAN DESA TALANG AKAR\n" + csv_text([HEADER, person(1)], ",")
    path.write_bytes(codecs.BOM_UTF8 + text.encode())
    return Case(path, Loaded(rows=(3,), header_row=2))


def unicode_text(byteorder: str) -> bytes:
    """Excel's "Unicode text": UTF-16 with a BOM, tab-separated, CRLF."""
    rows = [HEADER, person(1), [VILLAGE, nik(2), "Siti Ñurhaliza عائشة", "12 Maret 1990", "P"]]
    text = csv_text(rows, "\t", "\r\n")
    if byteorder == "le":
        return codecs.BOM_UTF16_LE + text.encode("utf-16-le")
    return codecs.BOM_UTF16_BE + text.encode("utf-16-be")


@case
def case_csv_utf16_le(folder: Path) -> Case:
    path = folder / "usulan-unicode-le.txt.csv"
    path.write_bytes(unicode_text("le"))
    return Case(path, Loaded(rows=(2, 3), values={"name": ("Warga 1", "Siti Ñurhaliza عائشة")}))


@case
def case_csv_utf16_be(folder: Path) -> Case:
    path = folder / "usulan-unicode-be.csv"
    path.write_bytes(unicode_text("be"))
    return Case(path, Loaded(rows=(2, 3), values={"name": ("Warga 1", "Siti Ñurhaliza عائشة")}))


@case
def case_csv_utf16_under_xlsx_name(folder: Path) -> Case:
    path = folder / "usulan-unicode.xlsx"
    path.write_bytes(unicode_text("le"))
    return Case(path, Loaded(rows=(2, 3)))


@case
def case_csv_header_only(folder: Path) -> Case:
    path = folder / "usulan-judul-saja.csv"
    path.write_text(";".join(HEADER) + "\n", encoding="utf-8")
    return Case(path, Loaded(rows=()))


@case
def case_csv_zero_bytes(folder: Path) -> Case:
    path = folder / "usulan-kosong.csv"
    path.write_bytes(b"")
    return Case(path, Refused(FileRejected.empty()))


@case
def case_csv_one_megabyte_single_line(folder: Path) -> Case:
    path = folder / "usulan-satu-baris.csv"
    path.write_bytes((nik(1) + ";").encode() * 70_000)  # 1.1 MB, no newline at all
    return Case(path, Refused(NO_HEADER))


@case
def case_csv_columns_in_any_order(folder: Path) -> Case:
    path = folder / "usulan-urutan.csv"
    order = [3, 4, 2, 0, 1]  # Tanggal Lahir, L/P, Nama, Kode Desa, NIK
    rows = [[row[i] for i in order] for row in (HEADER, person(1), person(2))]
    path.write_text(csv_text(rows, ","), encoding="utf-8")
    return Case(
        path,
        Loaded(
            rows=(2, 3),
            values={
                "nik": (nik(1), nik(2)),
                "village_code": (VILLAGE, VILLAGE),
                "name": ("Warga 1", "Warga 2"),
                "birth_date": (BIRTH, BIRTH),
            },
        ),
    )


@case
def case_csv_duplicated_header_names(folder: Path) -> Case:
    """The leftmost of two NIK columns (here under two aliases) is the NIK."""
    path = folder / "usulan-kolom-ganda.csv"
    header = ["No KTP", "Kode Desa", "Nama", "NIK", "Tanggal Lahir", "Nama"]
    rows = [
        header,
        [nik(1), VILLAGE, "Pertama", nik(7), "12-03-1990", "Kedua"],
        [nik(2), VILLAGE, "", nik(8), "12-03-1990", "Kedua"],
    ]
    path.write_text(csv_text(rows), encoding="utf-8")
    return Case(
        path,
        Loaded(
            rows=(2,),
            rejected=((3, "missing_required"),),
            values={"nik": (nik(1),), "name": ("Pertama",)},
        ),
    )


# --------------------------------------------------------------------------- file names

# Names must fit a 255-byte path component: Arabic letters take 2 bytes in UTF-8.
ODD_NAMES = {
    "spaces": "  Usulan Desa  Talang Akar (revisi) final .csv",
    "latin": "Usulan Désa Ñ 2025.csv",
    "arabic": "قائمة العمال ٢٠٢٥.csv",
    "indonesian": "Daftar Usulan Pekerja Rentan Desa Talang Akar – Juni ’25.csv",
    "long": "Usulan " + "Desa Talang Akar " * 13 + "2025.csv",
    "dots": "a..b.csv",
    "backslash-dots": "..\\..\\x.csv",
    "leading-dash": "-usulan.csv",
    "newline": "usulan\nbaru.csv",
}


def odd_name_case(key: str) -> CaseBuilder:
    def build(folder: Path) -> Case:
        path = folder / ODD_NAMES[key]
        path.write_text(csv_text([HEADER, person(1)]), encoding="utf-8")
        return Case(path, Loaded(rows=(2,)))

    build.__name__ = f"case_name_{key}"
    return build


for _key in ODD_NAMES:
    case(odd_name_case(_key))


# --------------------------------------------------------------------------- other sources


@case
def case_poverty_unicode_digits_and_invisible_characters(folder: Path) -> Case:
    """Digits that are not ASCII are not digits; invisible characters in an id are dropped."""
    path = folder / "dtsen-digit-unicode.csv"
    rows = [
        ["NIK", "No KK", "Nama", "Kode Desa", "Desil"],
        [nik(1), "", "Ibu Satu", VILLAGE, "\u0663"],  # Arabic-Indic 3
        [nik(2), "", "Ibu Dua", VILLAGE, "\uff13"],  # full-width 3
        ["".join(chr(0x0660 + int(d)) for d in nik(3)), "", "Ibu Tiga", VILLAGE, "3"],
        ["\ufeff" + nik(4)[:8] + "\u200b" + nik(4)[8:], "", "Ibu Empat", VILLAGE, "3"],
        [f"'{nik(5)}", "", "Ibu Lima", "16\u00a012\u202f05\u20092011", "03"],
    ]
    path.write_text(csv_text(rows, ";"), encoding="utf-8")
    return Case(
        path,
        Loaded(
            rows=(5, 6),
            rejected=((2, "invalid_value"), (3, "invalid_value"), (4, "invalid_nik")),
            values={"nik": (nik(4), nik(5)), "village_code": (VILLAGE, VILLAGE)},
        ),
        source="poverty_lists",
    )


@case
def case_member_exports_pasted_together(folder: Path) -> Case:
    """Two exports joined with ``copy /b``: the second header (and its BOM) is a data row."""
    path = folder / "ekspor-gabungan.csv"
    header = ["No KPJ", "NIK", "Nama", "Segmen", "Status Kepesertaan", "Bulan Iuran Terakhir"]
    first = csv_text([header, ["12345678901", nik(1), "A", "BPU", "AKTIF", "2025-05"]], ",")
    second = csv_text([header, ["12345678902", nik(2), "B", "BPU", "AKTIF", "2025-05"]], ",")
    path.write_bytes(codecs.BOM_UTF8 + first.encode() + codecs.BOM_UTF8 + second.encode())
    return Case(
        path,
        Loaded(
            rows=(2, 4),
            rejected=((3, "invalid_nik"),),
            values={"kpj": ("12345678901", "12345678902")},
        ),
        source="member_exports",
    )


@case
def case_xlsx_header_merged_over_two_rows(folder: Path) -> Case:
    """Every required header cell merged over rows 1-2, "Alamat" split into sub-headers on
    row 2: row 2 is part of the header, not a data row, and data starts on row 3."""
    path = folder / "usulan-alamat-rinci.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Kode Desa", "NIK", "Nama", "Tanggal Lahir", "Alamat", None, None])
    sheet.append([None, None, None, None, "Jalan", "RT", "RW"])
    for column in "ABCD":
        sheet.merge_cells(f"{column}1:{column}2")
    sheet.merge_cells("E1:G1")
    sheet.append([*person(1)[:4], "Jl. Merdeka", "001", "002"])
    sheet.append([*person(2)[:4], "Jl. Sudirman", "003", "004"])
    workbook.save(path)
    return Case(
        path,
        Loaded(rows=(3, 4), header_row=1, values={"address": ("Jl. Merdeka", "Jl. Sudirman")}),
    )


@case
def case_xlsx_one_stray_merge_in_header_hides_no_row(folder: Path) -> Case:
    """Only "No" is merged down over row 2: row 2 is still a data row."""
    path = folder / "usulan-gabung-no.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["No", *HEADER])
    sheet.append([None, *person(1)])
    sheet.append([2, *person(2)])
    sheet.merge_cells("A1:A2")
    workbook.save(path)
    return Case(path, Loaded(rows=(2, 3), header_row=1))
