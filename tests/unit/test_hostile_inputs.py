"""Landing files as they really arrive, through the real path: ``cakupan.ingest.examine``.

Every case of ``hostile_corpus`` ends in exactly one asserted outcome: rows loaded with their
sheet row numbers (and rows rejected with their reason), or the whole file rejected with
the error a village operator reads, in Indonesian and English.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from cakupan.landing import LandingFile, sha256_of
from cakupan.settings import load_settings
from cakupan.sources.errors import FileRejected
from cakupan.sources.readers import read_table
from cakupan.sources.specs import POVERTY_LISTS, VILLAGE_SUBMISSIONS
from tests.ingested import Ingested, ingest
from tests.unit import hostile_corpus as corpus
from tests.unit.hostile_corpus import CASES, RECEIVED, Case, Loaded, Refused


@pytest.fixture(scope="module")
def examined(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Case, Ingested]]:
    """Every case built in its own folder, then ingested in one batch per source, as the DAG
    does (one pass of the row rules per batch)."""
    root = tmp_path_factory.mktemp("hostile")
    cases: dict[str, Case] = {}
    for key, build in CASES.items():
        folder = root / key
        folder.mkdir()
        cases[key] = build(folder)
    out: dict[str, tuple[Case, Ingested]] = {}
    for source in sorted({c.source for c in cases.values()}):
        keys = [key for key, c in cases.items() if c.source == source]
        files = [
            LandingFile(source, cases[k].path.name, sha256_of(cases[k].path), cases[k].path)
            for k in keys
        ]
        items = ingest(files, RECEIVED, load_settings(), root / f"wh-{source}")
        out.update({k: (cases[k], item) for k, item in zip(keys, items, strict=True)})
    return out


@pytest.mark.parametrize("key", list(CASES))
def test_case_outcome(examined: dict[str, tuple[Case, Ingested]], key: str) -> None:
    case, item = examined[key]
    result = item.result
    assert result.file_name == case.path.name
    if isinstance(case.outcome, Refused):
        assert result.status == "rejected_file"
        assert result.error == str(case.outcome.error)
        assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (0, 0, 0)
        assert item.tables is None
        return

    expected: Loaded = case.outcome
    assert result.status == "loaded", result.error
    assert result.error is None
    loaded, rejected = ([], []) if item.tables is None else (t.to_pylist() for t in item.tables)
    assert tuple(r["row_number"] for r in loaded) == expected.rows
    assert tuple((r["row_number"], r["reason"]) for r in rejected) == expected.rejected
    for column, values in expected.values.items():
        assert tuple(r[column] for r in loaded) == values, column
    if expected.header_row is not None:
        assert result.header_row == expected.header_row
    assert result.rows_read == len(expected.rows) + len(expected.rejected)
    assert result.rows_loaded == len(expected.rows)
    assert result.rows_rejected == len(expected.rejected)
    assert all(r["file_name"] == case.path.name for r in loaded + rejected)


def test_every_rejection_speaks_both_languages(
    examined: dict[str, tuple[Case, Ingested]],
) -> None:
    errors = {item.result.error for _, item in examined.values() if item.result.error}
    assert errors, "the corpus has rejected files"
    for error in errors:
        indonesian, english = error.split(" / ")
        assert indonesian.startswith(("berkas", "baris", "kolom")), error
        assert english.startswith(("the file", "no header", "required column")), error


def test_password_protected_message() -> None:
    error = FileRejected.password_protected()
    assert error.code == "password_protected"
    assert str(error).startswith("berkas dilindungi kata sandi")
    assert " / the file is password protected" in str(error)


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".csv", ".bin"])
def test_password_protected_under_any_name(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"usulan{suffix}"
    path.write_bytes(corpus.encrypted_xlsx())
    with pytest.raises(FileRejected) as caught:
        read_table(path, VILLAGE_SUBMISSIONS)
    assert caught.value.code == "password_protected"


def test_ole_file_mentioning_encryption_info_in_a_cell_is_not_taken_for_encrypted(
    tmp_path: Path,
) -> None:
    """The stream name must sit where a directory entry starts, not anywhere in the file."""
    path = tmp_path / "rusak.xls"
    noise = b"\x00" * 3 + "EncryptionInfo\0".encode("utf-16-le") + b"\x1e\x00"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600 + noise * 10)
    with pytest.raises(FileRejected) as caught:
        read_table(path, VILLAGE_SUBMISSIONS)
    assert caught.value.code == "unreadable"


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"x" * (3 << 20), id="3MB-one-cell"),
        pytest.param(b"NIK," * (1 << 19), id="2MB-of-header-names"),
        pytest.param(b'"' + b"a" * (2 << 20), id="2MB-open-quote"),
        pytest.param(b"\r" * (2 << 20), id="2MB-of-carriage-returns"),
    ],
)
def test_huge_single_line_is_rejected_quickly(tmp_path: Path, data: bytes) -> None:
    """No newline in sight: the header search reads 1 MiB and gives up, it never slurps."""
    path = tmp_path / "satu-baris.csv"
    path.write_bytes(data)
    started = time.perf_counter()
    with pytest.raises(FileRejected) as caught:
        read_table(path, VILLAGE_SUBMISSIONS)
    assert time.perf_counter() - started < 5
    assert caught.value.code in ("no_header", "empty")


def test_huge_cell_after_a_good_header_is_read(tmp_path: Path) -> None:
    """A 2 MB cell on the only data row, no final newline: read, not cut or refused."""
    path = tmp_path / "sel-besar.csv"
    name = "A" * (2 << 20)
    row = [corpus.VILLAGE, corpus.nik(1), name, "12-03-1990", "L"]
    path.write_bytes((";".join(corpus.HEADER) + "\n" + ";".join(row)).encode())
    table = read_table(path, VILLAGE_SUBMISSIONS)
    assert table.frame["row_number"].tolist() == [2]
    assert len(table.frame["name"].iloc[0]) == len(name)


def test_utf16_is_transcoded_in_chunks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Tiny odd-sized chunks split code units and surrogate pairs (emoji); nothing is lost."""
    from cakupan.sources import readers

    monkeypatch.setattr(readers, "_TRANSCODE_CHUNK", 7)
    rows = [["NIK", "Nama", "Kode Desa", "Desil"]]
    rows += [[corpus.nik(i), f"Ibu {i} 🌾 Ñ", corpus.VILLAGE, "3"] for i in range(1, 41)]
    text = corpus.csv_text(rows, "\t", "\r\n")
    path = tmp_path / "dtsen.csv"
    path.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    table = read_table(path, POVERTY_LISTS)
    assert table.frame["name"].tolist() == [f"Ibu {i} 🌾 Ñ" for i in range(1, 41)]
    assert table.frame["row_number"].tolist() == list(range(2, 42))


def test_utf16_without_the_required_columns_names_them(tmp_path: Path) -> None:
    path = tmp_path / "dtsen.csv"
    path.write_bytes("NIK\tNama\r\n1\tA\r\n".encode("utf-16"))
    with pytest.raises(FileRejected) as caught:
        read_table(path, POVERTY_LISTS)
    assert str(caught.value) == str(
        FileRejected.missing_columns(["village_code", "decile"], POVERTY_LISTS)
    )


def test_utf16_temporary_copy_is_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    scratch = tmp_path / "scratch"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    path = tmp_path / "u.csv"
    path.write_bytes(corpus.unicode_text("be"))
    read_table(path, VILLAGE_SUBMISSIONS)
    assert list(scratch.iterdir()) == []


def test_utf16_unpaired_surrogates_become_replacement_characters(tmp_path: Path) -> None:
    """A broken code unit spoils one cell, not the file; the rules then judge that cell."""
    text = "NIK\tNama\tKode Desa\tDesil\r\n" + f"{corpus.nik(1)}\tIbu X\t{corpus.VILLAGE}\t3\r\n"
    data = bytearray(b"\xff\xfe" + text.encode("utf-16-le"))
    at = data.index("X".encode("utf-16-le"))
    data[at : at + 2] = b"\x00\xd8"  # a high surrogate with no low one after it
    path = tmp_path / "dtsen.csv"
    path.write_bytes(bytes(data))
    table = read_table(path, POVERTY_LISTS)
    assert table.frame["name"].tolist() == ["Ibu \ufffd"]
