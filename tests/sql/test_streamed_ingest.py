"""A big file ingested in chunks lands exactly as if it were read whole, on both engines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cakupan.ingest import ingest_files
from cakupan.landing import scan
from cakupan.settings import load_settings
from cakupan.sources import readers
from cakupan.warehouse.engine import create_warehouse_engine
from cakupan.warehouse.schema import ensure_schema
from tests.runs import rows

DAY = dt.date(2025, 7, 1)
HEADER = "NIK;No KK;Nama;Tanggal Lahir;Kode Desa;Desil\n"


def _row(i: int, nik: str | None = None) -> str:
    nik = nik or f"16120512039{i:05d}"
    return f"{nik};1612050000{i:06d};Nama {i};12-03-1990;16.12.05.2011;{i % 10 + 1}\n"


def _register(folder: Path, late_defect: str = "") -> None:
    """3,000 rows: bad rows here and there, and NIKs repeated across chunk boundaries."""
    lines = [_row(i) for i in range(3000)]
    lines[10] = _row(10, nik="1612051203900010")  # duplicate of row 10's own NIK: no
    lines[1200] = _row(1200, nik="1612051203900005")  # repeats row 5: another chunk
    lines[2900] = _row(2900, nik="1612051203901300")  # repeats row 1300
    lines[700] = "1612051203900700;;;12-03-1990;1612052011;3\n"  # no name
    lines[1800] = "16120512039x1800;;Nama;12-03-1990;1612052011;3\n"  # bad NIK
    lines[2500] = "1612051203902500;;Nama;12-03-1990;1612052011;11\n"  # decile 11
    lines.insert(2990, late_defect)
    (folder / "poverty_lists").mkdir(parents=True, exist_ok=True)
    (folder / "poverty_lists" / "dtks.csv").write_text(HEADER + "".join(lines), encoding="utf-8")


def _land(url: str, folder: Path, **sizes: int) -> dict[str, list]:
    engine = create_warehouse_engine(url)
    try:
        ensure_schema(engine)
        [result] = ingest_files(
            engine, scan(folder, "poverty_lists"), DAY, load_settings(), **sizes
        )
        assert result.status == "loaded"
        return {
            "ledger": rows(
                engine,
                "SELECT file_name, status, rows_read, rows_loaded, rows_rejected, "
                "rejected_by_reason, flags_by_reason, header_row FROM staging.file_ledger",
            ),
            "loaded": rows(
                engine,
                "SELECT row_number, nik, family_number, name, birth_date, village_code, decile, "
                "nik_birth_date_mismatch FROM staging.poverty_lists ORDER BY row_number",
            ),
            "rejected": rows(
                engine,
                "SELECT row_number, reason, nik, row_data FROM staging.rejected_rows "
                "ORDER BY row_number",
            ),
        }
    finally:
        engine.dispose()


@pytest.mark.parametrize("late_defect", ["", "1;2;3;4;5;6;7;8;9\n"], ids=["clean", "ragged"])
def test_chunked_equals_whole(two_warehouses, tmp_path, monkeypatch, late_defect):
    """Same ledger, rows and rejections; a ragged row far down makes the chunked read start
    again (Arrow refuses it late) and still lands the same."""
    monkeypatch.setattr(readers, "_CSV_BLOCK", 4096)
    _register(tmp_path, late_defect)
    whole_url, chunked_url = two_warehouses
    whole = _land(whole_url, tmp_path, stream_bytes=1 << 40)
    chunked = _land(chunked_url, tmp_path, stream_bytes=0, chunk_rows=1000)
    assert chunked == whole
    [ledger] = whole["ledger"]
    assert ledger["rows_read"] == 3000 + bool(late_defect)
    reasons = {r["row_number"]: r["reason"] for r in whole["rejected"]}
    assert reasons[1200 + 2] == "duplicate_in_file"  # header is row 1, row i is line i + 2
    assert reasons[2900 + 2] == "duplicate_in_file"
    assert reasons[700 + 2] == "missing_required"
    assert reasons[1800 + 2] == "invalid_nik"
    assert reasons[2500 + 2] == "invalid_value"
    assert 10 + 2 not in reasons
