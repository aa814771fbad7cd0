"""Reading landing files (CONTRACT §2, §3): formats, encodings, row numbers, rejected files.

Every file is built here by code: CSV as raw bytes, xlsx with openpyxl.
"""

from __future__ import annotations

import datetime as dt
import pickle
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from cakupan.sources.errors import FileRejected
from cakupan.sources.readers import RawTable, read_table
from cakupan.sources.specs import MEMBER_EXPORTS, POVERTY_LISTS, VILLAGE_SUBMISSIONS

NIK = "1612051203900001"
NIK2 = "1612055203900002"


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _xlsx(
    path: Path, rows: list[list[object]], sheets: dict[str, list[list[object]]] | None = None
):
    workbook = openpyxl.Workbook()
    first = workbook.active
    first.title = "Data"
    for row in rows:
        first.append(row)
    for name, extra in (sheets or {}).items():
        sheet = workbook.create_sheet(name)
        for row in extra:
            sheet.append(row)
    workbook.save(path)
    return path


def _values(table: RawTable, column: str) -> list[object]:
    return [None if pd.isna(v) else v for v in table.frame[column].tolist()]


def _rows(table: RawTable) -> list[int]:
    return table.frame["row_number"].tolist()


# --------------------------------------------------------------------------- CSV


POVERTY_CSV = f"NIK{{d}}Nama{{d}}Kode Desa{{d}}Desil\n{NIK}{{d}}Budi{{d}}16.12.05.2011{{d}}3\n"


@pytest.mark.parametrize(
    ("delimiter", "prefix"),
    [
        pytest.param(",", b"", id="comma"),
        pytest.param(";", b"", id="semicolon"),
        pytest.param("\t", b"", id="tab"),
        pytest.param(",", b"\xef\xbb\xbf", id="comma-utf8-bom"),
        pytest.param(";", b"\xef\xbb\xbf", id="semicolon-utf8-bom"),
    ],
)
def test_csv_delimiters_and_bom(tmp_path: Path, delimiter: str, prefix: bytes) -> None:
    path = _write(tmp_path / "p.csv", prefix + POVERTY_CSV.format(d=delimiter).encode())
    table = read_table(path, POVERTY_LISTS)
    assert table.header_row == 1
    assert table.columns_found == ("nik", "name", "village_code", "decile")
    assert _values(table, "nik") == [NIK]
    assert _values(table, "village_code") == ["16.12.05.2011"]
    assert _rows(table) == [2]


@pytest.mark.parametrize(
    ("data", "last_name", "last_row"),
    [
        pytest.param(
            "NIK;Nama;Kode Desa;Desil\r\n1;Suwandi Ñ;2;3\r\n4;José;5;6\r\n".encode("cp1252"),
            "José",
            3,
            id="cp1252-in-head",
        ),
        pytest.param(
            b"NIK;Nama;Kode Desa;Desil\n"
            + b"1;Budi;2;3\n" * 120_000
            + "4;Suwandi Ñ é;5;6\n".encode("cp1252"),
            "Suwandi Ñ é",
            120_002,
            id="cp1252-after-first-mib",
        ),
    ],
)
def test_csv_windows_1252(tmp_path: Path, data: bytes, last_name: str, last_row: int) -> None:
    table = read_table(_write(tmp_path / "p.csv", data), POVERTY_LISTS)
    assert _values(table, "name")[-1] == last_name
    assert _rows(table)[-1] == last_row


def test_csv_utf8_accents(tmp_path: Path) -> None:
    data = "NIK,Nama,Kode Desa,Desil\n1,Suwandi Ñ é,2,3\n".encode()
    table = read_table(_write(tmp_path / "p.csv", data), POVERTY_LISTS)
    assert _values(table, "name") == ["Suwandi Ñ é"]


def test_csv_values_stay_text(tmp_path: Path) -> None:
    data = (
        f'NIK;No KK;Nama;Kode Desa;Desil\n{NIK};0012;NA;1612052011;03\n"{NIK2}";;NULL; ;\n'
    ).encode()
    table = read_table(_write(tmp_path / "p.csv", data), POVERTY_LISTS)
    assert _values(table, "nik") == [NIK, NIK2]
    assert _values(table, "family_number") == ["0012", None]
    assert _values(table, "name") == ["NA", "NULL"]
    assert _values(table, "village_code") == ["1612052011", " "]
    assert _values(table, "decile") == ["03", None]
    assert str(table.frame["nik"].dtype) == "string"


def test_csv_quoted_newline_counts_records_not_lines(tmp_path: Path) -> None:
    data = (
        "NIK,Nama,Kode Desa,Desil\n"
        f'{NIK},"Budi\nSantoso",1612052011,3\n'
        f'{NIK2},"Siti\r\nAminah\nbinti X",1612052011,4\n'
        f"{NIK},Rini,1612052011,5\n"
    ).encode()
    table = read_table(_write(tmp_path / "p.csv", data), POVERTY_LISTS)
    assert _values(table, "name") == ["Budi\nSantoso", "Siti\r\nAminah\nbinti X", "Rini"]
    assert _rows(table) == [2, 3, 4]


@pytest.mark.parametrize(
    ("body", "names", "rows"),
    [
        pytest.param(
            f"{NIK},A,1,1\n\n{NIK},B,1,1\n", ["A", "B"], [2, 4], id="blank-line-in-middle"
        ),
        pytest.param(
            f"{NIK},A,1,1\n,,,\n{NIK},B,1,1\n", ["A", "B"], [2, 4], id="row-of-delimiters"
        ),
        pytest.param(
            f"{NIK},A,1,1\n , ,\t, \n{NIK},B,1,1\n", ["A", "B"], [2, 4], id="row-of-spaces"
        ),
        pytest.param(
            f"\n\n{NIK},A,1,1\n\n\n{NIK},B,1,1\n\n\n", ["A", "B"], [4, 7], id="many-blank-lines"
        ),
        pytest.param(
            f"{NIK},A,1,1\r\n\r\n{NIK},B,1,1\r\n", ["A", "B"], [2, 4], id="crlf-blank-line"
        ),
        pytest.param(
            f"{NIK},A,1,1,extra,cells\n{NIK},B\n{NIK},C,1,1\n",
            ["A", "B", "C"],
            [2, 3, 4],
            id="ragged-rows",
        ),
        pytest.param(f"{NIK},A,1,1", ["A"], [2], id="no-final-newline"),
    ],
)
def test_csv_row_numbers_never_shift(
    tmp_path: Path, body: str, names: list[str], rows: list[int]
) -> None:
    data = ("NIK,Nama,Kode Desa,Desil\n" + body).encode()
    table = read_table(_write(tmp_path / "p.csv", data), POVERTY_LISTS)
    assert _values(table, "name") == names
    assert _rows(table) == rows


def test_csv_row_with_values_only_in_ignored_columns_is_not_a_data_row(tmp_path: Path) -> None:
    data = f"No;NIK;Nama;Kode Desa;Desil\n1;{NIK};A;1;1\n2;;;;\n3;{NIK};B;1;1\n".encode()
    table = read_table(_write(tmp_path / "p.csv", data), POVERTY_LISTS)
    assert _rows(table) == [2, 4]


def test_csv_title_rows_above_header(tmp_path: Path) -> None:
    data = (
        "DATA DTSEN KABUPATEN PALI\n"
        '"Dicetak: 01/06/2025";;\n'
        "\n"
        f"NIK;Nama;Kode Desa;Desil\n{NIK};A;1;1\n"
    ).encode()
    table = read_table(_write(tmp_path / "p.csv", data), POVERTY_LISTS)
    assert table.header_row == 4
    assert _rows(table) == [5]


def test_csv_header_only_gives_no_rows(tmp_path: Path) -> None:
    table = read_table(_write(tmp_path / "p.csv", b"NIK;Nama;Kode Desa;Desil\n"), POVERTY_LISTS)
    assert len(table.frame) == 0
    assert list(table.frame.columns) == ["nik", "name", "village_code", "decile", "row_number"]


def test_csv_with_xlsx_name_is_read_as_csv(tmp_path: Path) -> None:
    path = _write(tmp_path / "usulan.XLSX", POVERTY_CSV.format(d=";").encode())
    table = read_table(path, POVERTY_LISTS)
    assert _values(table, "nik") == [NIK]


def test_member_export_columns(tmp_path: Path) -> None:
    data = (
        "No KPJ,NIK,Nama,Segmen,Status Kepesertaan,Bulan Iuran Terakhir,Tanggal Ekspor,Pembayar\n"
        f"12345678901,{NIK},A,BPU,AKTIF,2025-05,2025-06-01,MANDIRI\n"
    ).encode()
    table = read_table(_write(tmp_path / "m.csv", data), MEMBER_EXPORTS)
    assert table.columns_found == (
        "kpj",
        "nik",
        "name",
        "segment",
        "status",
        "paid_through",
        "exported_on",
        "payer",
    )
    assert _values(table, "kpj") == ["12345678901"]


# --------------------------------------------------------------------------- Excel

SUBMISSION_HEADER = ["Kode Desa", "NIK", "Nama", "Tanggal Lahir", "L/P"]


def test_xlsx_numeric_nik_cell_arrives_as_number(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "u.xlsx",
        [
            SUBMISSION_HEADER,
            ["1612052011", 1612051203900001, "Budi", "12/03/1990", "L"],
            ["1612052011", NIK, "Siti", "12/03/1990", "P"],
        ],
    )
    table = read_table(path, VILLAGE_SUBMISSIONS)
    first, second = _values(table, "nik")
    assert isinstance(first, int | float) and not isinstance(first, bool)
    assert second == NIK
    assert table.frame["nik"].dtype == object


def test_xlsx_date_cell_arrives_as_date(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "u.xlsx",
        [
            SUBMISSION_HEADER,
            ["1612052011", NIK, "Budi", dt.date(1990, 3, 12), "L"],
            ["1612052011", NIK2, "Siti", dt.datetime(1991, 4, 1, 0, 0), "P"],
        ],
    )
    dates = _values(read_table(path, VILLAGE_SUBMISSIONS), "birth_date")
    assert [d.date() if isinstance(d, dt.datetime) else d for d in dates] == [
        dt.date(1990, 3, 12),
        dt.date(1991, 4, 1),
    ]
    assert all(isinstance(d, dt.date) for d in dates)


def test_xlsx_two_title_rows_above_header(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "u.xlsx",
        [
            ["DAFTAR USULAN PEKERJA RENTAN DESA TALANG AKAR"],
            ["Tahun 2025"],
            SUBMISSION_HEADER,
            ["1612052011", NIK, "Budi", "12/03/1990", "L"],
            [None, None, None, None, None],
            ["1612052011", NIK2, "Siti", "12/03/1990", "P"],
        ],
    )
    table = read_table(path, VILLAGE_SUBMISSIONS)
    assert table.header_row == 3
    assert _rows(table) == [4, 6]
    assert _values(table, "name") == ["Budi", "Siti"]


def test_xlsx_leading_empty_rows_and_columns_keep_true_row_numbers(tmp_path: Path) -> None:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for offset, value in enumerate(SUBMISSION_HEADER):
        sheet.cell(row=5, column=3 + offset, value=value)
    for offset, value in enumerate(["1612052011", NIK, "Budi", "12/03/1990", "L"]):
        sheet.cell(row=6, column=3 + offset, value=value)
    for offset, value in enumerate(["1612052011", NIK2, "Siti", "12/03/1990", "P"]):
        sheet.cell(row=9, column=3 + offset, value=value)
    workbook.save(tmp_path / "u.xlsx")
    table = read_table(tmp_path / "u.xlsx", VILLAGE_SUBMISSIONS)
    assert table.header_row == 5
    assert _rows(table) == [6, 9]
    assert _values(table, "nik") == [NIK, NIK2]


def test_xlsx_first_sheet_with_a_header_is_read(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "u.xlsx",
        [["Petunjuk pengisian"], ["Isi satu baris per pekerja"]],
        sheets={"Usulan": [SUBMISSION_HEADER, ["1612052011", NIK, "Budi", "12/03/1990", "L"]]},
    )
    table = read_table(path, VILLAGE_SUBMISSIONS)
    assert _values(table, "name") == ["Budi"]
    assert _rows(table) == [2]


def test_xlsx_empty_strings_become_none(tmp_path: Path) -> None:
    path = _xlsx(
        tmp_path / "u.xlsx",
        [SUBMISSION_HEADER, ["1612052011", NIK, "Budi", "12/03/1990", None]],
    )
    assert _values(read_table(path, VILLAGE_SUBMISSIONS), "sex") == [None]


# --------------------------------------------------------------------------- rejected files

VILLAGE_ACCEPTED = "Kode Desa: village_code, kode_desa, kode desa, kode wilayah, kode_wilayah"
NAME_ACCEPTED = "Nama: name, nama, nama lengkap"
BIRTH_ACCEPTED = "Tanggal Lahir: birth_date, tanggal lahir, tgl lahir, tgl_lahir"


@pytest.mark.parametrize(
    ("header", "code", "message"),
    [
        pytest.param(
            ["Kode Desa", "Nama", "Tanggal Lahir"],
            "missing_column",
            "kolom NIK tidak ditemukan (judul kolom yang diterima: NIK: nik, no ktp, no nik, "
            "nomor induk kependudukan) / required column nik not found (headers accepted: "
            "NIK: nik, no ktp, no nik, nomor induk kependudukan)",
            id="nik-missing",
        ),
        pytest.param(
            ["NIK", "Nama"],
            "missing_column",
            "kolom Kode Desa dan Tanggal Lahir tidak ditemukan (judul kolom yang diterima: "
            f"{VILLAGE_ACCEPTED}; {BIRTH_ACCEPTED}) / required columns village_code and "
            f"birth_date not found (headers accepted: {VILLAGE_ACCEPTED}; {BIRTH_ACCEPTED})",
            id="two-missing",
        ),
        pytest.param(
            ["NIK"],
            "missing_column",
            "kolom Kode Desa, Nama dan Tanggal Lahir tidak ditemukan (judul kolom yang "
            f"diterima: {VILLAGE_ACCEPTED}; {NAME_ACCEPTED}; {BIRTH_ACCEPTED}) / required "
            "columns village_code, name and birth_date not found (headers accepted: "
            f"{VILLAGE_ACCEPTED}; {NAME_ACCEPTED}; {BIRTH_ACCEPTED})",
            id="three-missing",
        ),
    ],
)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_missing_required_columns(
    tmp_path: Path, header: list[str], code: str, message: str, fmt: str
) -> None:
    path = tmp_path / f"u.{fmt}"
    row = ["x"] * len(header)
    if fmt == "csv":
        _write(path, (";".join(header) + "\n" + ";".join(row) + "\n").encode())
    else:
        _xlsx(path, [["Judul"], header, row])
    with pytest.raises(FileRejected) as caught:
        read_table(path, VILLAGE_SUBMISSIONS)
    assert caught.value.code == code
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        pytest.param("a.csv", b"", "empty", id="zero-bytes-csv"),
        pytest.param("a.xlsx", b"", "empty", id="zero-bytes-xlsx"),
        pytest.param("a.csv", b"\n\n\r\n", "empty", id="only-blank-lines"),
        pytest.param("a.csv", b";;;\n,,\n", "empty", id="only-delimiters"),
        pytest.param("a.xlsx", bytes(range(256)) * 20, "unreadable", id="garbage-xlsx"),
        pytest.param("a.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "unreadable", id="png"),
        pytest.param("a.xlsx", b"PK\x03\x04" + b"not a zip" * 50, "unreadable", id="broken-zip"),
        pytest.param("a.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 600, "unreadable", id="broken-ole"),
        pytest.param(
            "a.csv", "NIK;Nama\n".encode("utf-16"), "missing_column", id="utf16-bom-no-village"
        ),
        pytest.param("a.csv", "NIK;Nama\n".encode("utf-16-le"), "unreadable", id="utf16-no-bom"),
        pytest.param("a.csv", b"Laporan bulanan\nTidak ada data\n", "no_header", id="no-header"),
        pytest.param(
            "a.xls", b"<html><table><tr><td>NIK</td></tr></table>", "unreadable", id="html-as-xls"
        ),
        pytest.param(
            "a.xlsx", b"NIK;Nama;Desil\n1;A;3\n", "missing_column", id="csv-as-xlsx-no-village"
        ),
        pytest.param(
            "a.csv", b'NIK,Nama,Kode Desa,Desil\n1,"A,1,1\n', "unreadable", id="open-quote"
        ),
    ],
)
def test_rejected_files(tmp_path: Path, name: str, data: bytes, code: str) -> None:
    path = _write(tmp_path / name, data)
    with pytest.raises(FileRejected) as caught:
        read_table(path, POVERTY_LISTS)
    assert caught.value.code == code
    assert " / " in str(caught.value)


def test_empty_workbook_is_rejected_as_empty(tmp_path: Path) -> None:
    path = _xlsx(tmp_path / "u.xlsx", [])
    with pytest.raises(FileRejected) as caught:
        read_table(path, VILLAGE_SUBMISSIONS)
    assert caught.value.code == "empty"


def test_zip_that_is_not_a_workbook(tmp_path: Path) -> None:
    import zipfile

    path = tmp_path / "u.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "bukan excel")
    with pytest.raises(FileRejected) as caught:
        read_table(path, VILLAGE_SUBMISSIONS)
    assert caught.value.code == "unreadable"


def test_file_rejected_carries_both_languages_and_pickles() -> None:
    error = FileRejected.missing_columns(["nik"], VILLAGE_SUBMISSIONS)
    assert error.code == "missing_column"
    assert error.message_en.startswith("required column nik not found (headers accepted: NIK: ")
    assert error.message_id.startswith("kolom NIK tidak ditemukan (judul kolom yang diterima: ")
    again = pickle.loads(pickle.dumps(error))
    assert (again.code, str(again)) == (error.code, str(error))


def test_rejection_messages_never_quote_cells(tmp_path: Path) -> None:
    path = _write(tmp_path / "p.csv", f"Nama;NIK\nBudi Santoso;{NIK}\n".encode())
    with pytest.raises(FileRejected) as caught:
        read_table(path, POVERTY_LISTS)
    assert NIK not in str(caught.value)
    assert "Budi" not in str(caught.value)
