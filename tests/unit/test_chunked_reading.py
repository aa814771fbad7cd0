"""Reading a CSV in chunks gives exactly the rows, cells and row numbers of reading it whole."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cakupan.sources import readers
from cakupan.sources.readers import ReadAgain, read_chunks, read_table
from cakupan.sources.specs import POVERTY_LISTS

HEADER = "NIK;No KK;Nama;Tanggal Lahir;Kode Desa;Desil\n"


def _row(i: int) -> str:
    return f"16120512039{i:05d};1612050000{i:06d};Nama {i};12-03-1990;1612052011;{i % 10 + 1}\n"


def _write(path: Path, body: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(("Daftar DTKS\n" + HEADER + body).encode(encoding))
    return path


def _whole_and_chunked(path: Path, rows: int, **kwargs) -> tuple[pd.DataFrame, list[pd.DataFrame]]:
    whole = read_table(path, POVERTY_LISTS).frame
    chunks = [t.frame for t in read_chunks(path, POVERTY_LISTS, rows=rows, **kwargs)]
    return whole, chunks


def _same(whole: pd.DataFrame, chunks: list[pd.DataFrame]) -> None:
    joined = pd.concat(chunks, ignore_index=True)
    pd.testing.assert_frame_equal(
        joined.astype(object).where(joined.notna(), None),
        whole.astype(object).where(whole.notna(), None),
    )


@pytest.fixture
def small_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Arrow's block down to 4 KiB, so a small file spans many blocks and chunks."""
    monkeypatch.setattr(readers, "_CSV_BLOCK", 4096)


def test_chunks_keep_rows_and_numbers(tmp_path: Path, small_blocks: None) -> None:
    body = "".join(_row(i) for i in range(2000))
    # a blank line and a quoted cell spanning two lines, both well inside the file
    body += "\n" + '1612051203900001;;"Nama\ndua baris";12-03-1990;1612052011;3\n'
    body += "".join(_row(i) for i in range(2000, 3000))
    path = _write(tmp_path / "dtks.csv", body)
    whole, chunks = _whole_and_chunked(path, rows=700)
    assert len(chunks) > 3
    assert all(len(c) <= 700 for c in chunks)
    _same(whole, chunks)
    assert whole["row_number"].iloc[0] == 3  # title row 1, header row 2
    # the blank line keeps its number: the quoted record after it is two numbers later,
    # and a record spanning two lines is one row
    numbers = whole["row_number"]
    assert numbers.iloc[2000] == numbers.iloc[1999] + 2
    assert numbers.iloc[2001] == numbers.iloc[2000] + 1
    assert numbers.iloc[-1] == 3 + 3001


def test_whole_file_is_one_chunk_without_rows(tmp_path: Path) -> None:
    path = _write(tmp_path / "dtks.csv", "".join(_row(i) for i in range(50)))
    assert len(list(read_chunks(path, POVERTY_LISTS))) == 1


def test_late_refusal_asks_to_read_again(tmp_path: Path, small_blocks: None) -> None:
    """A ragged row after the first chunk: Arrow refuses late, the careful read agrees."""
    body = "".join(_row(i) for i in range(3000)) + "1;2;3;4;5;6;7;8\n" + _row(3000)
    path = _write(tmp_path / "dtks.csv", body)
    with pytest.raises(ReadAgain):
        list(read_chunks(path, POVERTY_LISTS, rows=500))
    whole, chunks = _whole_and_chunked(path, rows=500, careful=True)
    _same(whole, chunks)
    assert len(whole) == 3002


def test_windows_1252_further_down(tmp_path: Path, small_blocks: None) -> None:
    """UTF-8 at the top, Windows-1252 below the first MiB: read again, as Windows-1252."""
    body = "".join(_row(i) for i in range(20_000))
    body += "1612051203900001;;Désa Muara;12-03-1990;1612052011;3\n"
    path = _write(tmp_path / "dtks.csv", body, encoding="cp1252")
    with pytest.raises(ReadAgain):
        list(read_chunks(path, POVERTY_LISTS, rows=500))
    whole, chunks = _whole_and_chunked(path, rows=5000, careful=True)
    _same(whole, chunks)
    assert whole["name"].iloc[-1] == "Désa Muara"


def test_pandas_chunks_match_arrow(tmp_path: Path, small_blocks: None) -> None:
    """A Windows-1252 file from its first line goes through pandas, in chunks just the same."""
    body = "1612051203900001;;Désa;12-03-1990;1612052011;3\n"
    body += "".join(_row(i) for i in range(1500))
    path = _write(tmp_path / "dtks.csv", body, encoding="cp1252")
    whole, chunks = _whole_and_chunked(path, rows=400)
    assert len(chunks) == 4
    _same(whole, chunks)
