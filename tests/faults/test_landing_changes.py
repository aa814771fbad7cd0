"""Files appearing or changing while a run reads the landing folder, on both engines."""

from __future__ import annotations

import datetime as dt

from cakupan.batches import Batch
from cakupan.ingest import ingest_files
from cakupan.landing import Ledger, scan
from cakupan.settings import load_settings
from tests.runs import rows

DAY = dt.date(2025, 6, 2)
HEADER = "kode_desa;nik;nama;tanggal lahir\n"
ROW = "1612052011;1612051203900001;Agus Salim;12-03-1990\n"
ROW2 = "1612052011;1612055203900002;Siti Aminah;12-03-1990\n"


def test_file_changed_after_discovery_waits_for_the_next_run(warehouse, tmp_path):
    folder = tmp_path / "village_submissions"
    folder.mkdir()
    path = folder / "usulan.csv"
    path.write_text(HEADER + ROW, encoding="utf-8")
    discovered = scan(tmp_path, "village_submissions")
    path.write_text(HEADER + ROW + ROW2, encoding="utf-8")  # overwritten while we work
    (folder / "baru.csv").write_text(HEADER + ROW2, encoding="utf-8")  # appears meanwhile

    assert ingest_files(warehouse, discovered, DAY, load_settings()) == []
    assert rows(warehouse, "SELECT * FROM staging.file_ledger") == []

    with warehouse.connect() as conn:
        fresh = Ledger.read(conn, "village_submissions").unrecorded(
            scan(tmp_path, "village_submissions")
        )
    results = ingest_files(warehouse, fresh, DAY, load_settings())
    assert sorted((r.file_name, r.rows_loaded) for r in results) == [
        ("baru.csv", 1),
        ("usulan.csv", 2),
    ]


def test_overwritten_file_is_a_new_file(warehouse, tmp_path):
    folder = tmp_path / "village_submissions"
    folder.mkdir()
    path = folder / "usulan.csv"
    path.write_text(HEADER + ROW, encoding="utf-8")
    ingest_files(warehouse, scan(tmp_path, "village_submissions"), DAY, load_settings())
    path.write_text(HEADER + ROW + ROW2, encoding="utf-8")
    with warehouse.connect() as conn:
        fresh = Ledger.read(conn, "village_submissions").unrecorded(
            scan(tmp_path, "village_submissions")
        )
    [result] = ingest_files(warehouse, fresh, DAY + dt.timedelta(days=1), load_settings())
    assert (result.status, result.rows_loaded) == ("loaded", 2)
    ledger = rows(
        warehouse, "SELECT file_name, received_date FROM staging.file_ledger ORDER BY received_date"
    )
    assert [(r["file_name"], r["received_date"]) for r in ledger] == [
        ("usulan.csv", DAY),
        ("usulan.csv", DAY + dt.timedelta(days=1)),
    ]


DUPLICATE_ERROR = "isi sama dengan berkas yang sudah dimuat / same content as a file already loaded"


def test_a_copy_of_a_rejected_file_gets_its_own_verdict(warehouse, tmp_path):
    """Only a loaded content makes a duplicate; the message names no other file (issue 14)."""
    folder = tmp_path / "village_submissions"
    folder.mkdir()
    empty = "nama;alamat\n"  # no required column: rejected whole
    (folder / "Talang A.csv").write_text(empty, encoding="utf-8")
    (folder / "Talang B.csv").write_text(empty, encoding="utf-8")  # the same bytes, same batch
    results = ingest_files(warehouse, scan(tmp_path, "village_submissions"), DAY, load_settings())
    assert [(r.file_name, r.status) for r in results] == [
        ("Talang A.csv", "rejected_file"),
        ("Talang B.csv", "rejected_file"),
    ]
    assert all("Talang" not in r.error for r in results)

    (folder / "Talang C.csv").write_text(empty, encoding="utf-8")  # a later day, still rejected
    [later] = ingest_files(
        warehouse, scan(tmp_path, "village_submissions")[2:], DAY, load_settings()
    )
    assert (later.file_name, later.status) == ("Talang C.csv", "rejected_file")


def test_a_copy_of_a_loaded_file_is_its_duplicate_without_naming_it(warehouse, tmp_path):
    folder = tmp_path / "village_submissions"
    folder.mkdir()
    (folder / "Desa A.csv").write_text(HEADER + ROW, encoding="utf-8")
    (folder / "Desa B.csv").write_text(HEADER + ROW, encoding="utf-8")
    results = ingest_files(warehouse, scan(tmp_path, "village_submissions"), DAY, load_settings())
    assert [(r.file_name, r.status, r.error) for r in results] == [
        ("Desa A.csv", "loaded", None),
        ("Desa B.csv", "skipped_duplicate", DUPLICATE_ERROR),
    ]
    (folder / "Desa C.csv").write_text(HEADER + ROW, encoding="utf-8")
    [later] = ingest_files(
        warehouse, scan(tmp_path, "village_submissions")[2:], DAY, load_settings()
    )
    assert (later.status, later.error) == ("skipped_duplicate", DUPLICATE_ERROR)


def test_a_file_still_being_copied_waits_for_the_next_run(warehouse, tmp_path, monkeypatch):
    """landing.settle_seconds: a file modified just now is not read; temporary names never
    are; an old enough file is (issue 14)."""
    import os
    import time

    from cakupan import pipeline

    folder = tmp_path / "landing" / "village_submissions"
    folder.mkdir(parents=True)
    settled = folder / "Desa A.csv"
    settled.write_text(HEADER + ROW, encoding="utf-8")
    old = time.time() - 3600
    os.utime(settled, (old, old))
    (folder / "Desa B.csv").write_text(HEADER + ROW2, encoding="utf-8")  # arriving now
    for name in ("Desa C.csv.part", "Desa D.xlsx.crdownload", "x.tmp", ".~Desa E.csv"):
        (folder / name).write_text(HEADER + ROW2, encoding="utf-8")
        os.utime(folder / name, (old, old))
    monkeypatch.setenv("CAKUPAN_WAREHOUSE_URL", warehouse.url.render_as_string(False))
    monkeypatch.setenv("CAKUPAN_LANDING_DIR", str(tmp_path / "landing"))
    monkeypatch.setenv("CAKUPAN_DATA_DIR", str(tmp_path / "data"))

    def taken() -> list[str]:
        manifests = pipeline.discover("village_submissions", DAY, "test-run")
        return [f.name for m in manifests for f in Batch.read(m).files]

    assert taken() == ["Desa A.csv"]
    eager = tmp_path / "eager.yaml"
    eager.write_text("landing: {settle_seconds: 0}\n", encoding="utf-8")
    monkeypatch.setenv("CAKUPAN_SETTINGS", str(eager))
    assert taken() == ["Desa A.csv", "Desa B.csv"]


def test_a_file_rejected_whole_reaches_its_village(warehouse, tmp_path, capsys):
    """Its village is read from its village-code column, so export-rejections lists it for
    that village's operator, with the error and the accepted headers (issue 14)."""
    import openpyxl

    from cakupan.cli import main
    from cakupan.exports import FILES_HEADER, FILES_SHEET, REJECTIONS_SHEET

    folder = tmp_path / "village_submissions"
    folder.mkdir()
    no_nik = "kode desa;nama;tanggal lahir\n16.12.05.2011;Agus Salim;12-03-1990\n"
    (folder / "usulan tanpa nik.csv").write_text(no_nik, encoding="utf-8")
    [result] = ingest_files(warehouse, scan(tmp_path, "village_submissions"), DAY, load_settings())
    assert (result.status, result.village_code) == ("rejected_file", "1612052011")
    [entry] = rows(warehouse, "SELECT village_code FROM staging.file_ledger")
    assert entry["village_code"] == "1612052011"

    out = tmp_path / "perbaikan.xlsx"
    capsys.readouterr()  # the ingest's log lines
    url = warehouse.url.render_as_string(hide_password=False)
    args = ["export-rejections", "--village", "1612052011", "--out", str(out)]
    assert main([*args, "--warehouse", url]) == 0
    assert capsys.readouterr().out.startswith("0 rejected rows and 1 rejected file of ")
    book = openpyxl.load_workbook(out)
    sheet = [[c.value for c in row] for row in book[FILES_SHEET].iter_rows()]
    assert sheet[0] == list(FILES_HEADER)
    name, received, error = sheet[1]
    assert (name, received.date()) == ("usulan tanpa nik.csv", DAY)
    assert error.startswith("kolom NIK tidak ditemukan (judul kolom yang diterima: NIK: nik, ")
    first = [row[0].value for row in book[REJECTIONS_SHEET].iter_rows(max_row=9)]
    assert any(str(v).startswith("Ada berkas yang ditolak seluruhnya") for v in first if v)
