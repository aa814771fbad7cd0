"""The benchmark set generator: sizes, reuse, reproducible bytes, typed cells, valid NIKs, and
expected outcomes that the project's own reader + normaliser + judge reproduce exactly."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import defaultdict
from pathlib import Path

import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from cakupan.checks.nik import nik_semantics_ok
from cakupan.landing import LandingFile
from cakupan.settings import load_settings
from cakupan.sources.specs import REASONS
from cakupan_dev.generate.bench import (
    DAYS,
    GENERATOR,
    SOURCES,
    VERSION,
    BenchSet,
    generate_bench,
)
from cakupan_dev.generate.cells import clean_id
from tests.ingested import ingest

SCALE = 0.002
DAY1, DAY2 = DAYS


@pytest.fixture(scope="module")
def bench(tmp_path_factory: pytest.TempPathFactory) -> BenchSet:
    return generate_bench(tmp_path_factory.mktemp("bench") / "set", scale=SCALE, seed=7)


def entries(bench: BenchSet) -> list[dict]:
    return bench.data()["files"]


def read_csv(path: Path, delimiter: str) -> pd.DataFrame:
    return pd.read_csv(path, sep=delimiter, dtype=str, keep_default_na=False, encoding="utf-8")


def workbook_rows(path: Path, header_row: int) -> tuple[list[object], list[list[object]]]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    return rows[header_row - 1], rows[header_row:]


# --------------------------------------------------------------------------- sizes


@pytest.mark.parametrize(("scale", "factor"), [(SCALE, 1.0), (0.004, 0.5)])
def test_sizes_scale_linearly(tmp_path: Path, scale: float, factor: float) -> None:
    b = generate_bench(tmp_path / "set", scale=scale, poverty_factor=factor)
    assert b.days == (dt.date(2025, 7, 1), dt.date(2025, 7, 2))
    day1, day2 = b.files(DAY1), b.files(DAY2)

    books1 = [f for f in day1 if f.source == "village_submissions"]
    books2 = [f for f in day2 if f.source == "village_submissions"]
    assert len(books1) == round(2850 * scale)
    assert len(books2) == max(1, round(50 * scale))
    assert all(f.kind == "xlsx" and f.rows == 100 for f in books1 + books2)
    assert all(f.delimiter is None and f.encoding is None for f in books1 + books2)
    codes1 = {f.path.name for f in books1}
    assert not codes1 & {f.path.name for f in books2}
    villages = [e["layout"]["village_code"] for e in entries(b) if e["kind"] == "xlsx"]
    assert len(villages) == len(set(villages)), "one workbook per village, day 2 villages new"

    [poverty] = [f for f in day1 if f.source == "poverty_lists"]
    assert poverty.rows == round(4_000_000 * scale * factor)
    assert (poverty.kind, poverty.delimiter, poverty.encoding) == ("csv", ";", "utf-8")
    assert not [f for f in day2 if f.source == "poverty_lists"]

    [members1] = [f for f in day1 if f.source == "member_exports"]
    [members2] = [f for f in day2 if f.source == "member_exports"]
    assert members1.rows == round(1_500_000 * scale)
    assert 1.0 < members2.rows / members1.rows < 1.05
    assert members1.path.name != members2.path.name
    assert (members1.delimiter, members1.encoding) == (",", "utf-8")

    for f in day1 + day2:  # rows written are what the manifest says
        assert f.path.is_file()
        if f.kind == "csv":
            with f.path.open("rb") as fh:
                assert sum(1 for _ in fh) - 1 == f.rows


def test_every_regency_sends_workbooks_at_full_scale_selection(tmp_path: Path) -> None:
    """17 regencies are covered as soon as day 1 has enough villages (scale 0.01: 28)."""
    b = generate_bench(tmp_path / "set", scale=0.01)
    codes = [
        e["layout"]["village_code"]
        for e in entries(b)
        if e["day"] == DAY1.isoformat() and e["kind"] == "xlsx"
    ]
    assert len({c[:4] for c in codes}) == 17


# --------------------------------------------------------------------------- reuse, bytes


def test_reuse_returns_without_regenerating(bench: BenchSet) -> None:
    before = {p: p.stat().st_mtime_ns for p in bench.out.rglob("*") if p.is_file()}
    messages: list[str] = []
    again = generate_bench(bench.out, scale=SCALE, seed=7, progress=messages.append)
    assert again == bench
    assert messages and messages[0].startswith("reusing")
    after = {p: p.stat().st_mtime_ns for p in bench.out.rglob("*") if p.is_file()}
    assert after == before


def test_changed_parameters_or_missing_file_regenerate(tmp_path: Path) -> None:
    out = tmp_path / "set"
    first = generate_bench(out, scale=SCALE, seed=3)
    shas = {e["path"]: e["sha256"] for e in entries(first)}
    stray = out / "deliveries" / "stray.txt"
    stray.write_text("old")
    other = generate_bench(out, scale=SCALE, seed=4)
    assert other.data()["seed"] == 4
    assert not stray.exists(), "out/deliveries is replaced"
    assert {e["path"]: e["sha256"] for e in entries(other)} != shas

    victim = next(out.rglob("*.xlsx"))
    victim.unlink()
    messages: list[str] = []
    generate_bench(out, scale=SCALE, seed=4, progress=messages.append)
    assert victim.exists()
    assert not any(m.startswith("reusing") for m in messages)


def test_same_seed_same_bytes(bench: BenchSet, tmp_path: Path) -> None:
    twin = generate_bench(tmp_path / "twin", scale=SCALE, seed=7)
    mine = {e["path"]: e["sha256"] for e in entries(bench)}
    assert {e["path"]: e["sha256"] for e in entries(twin)} == mine
    for e in entries(twin):  # the manifest tells the truth about the bytes
        assert hashlib.sha256((twin.out / e["path"]).read_bytes()).hexdigest() == e["sha256"]
        assert (twin.out / e["path"]).stat().st_size == e["bytes"]


def test_manifest_records_parameters(bench: BenchSet) -> None:
    data = bench.data()
    assert data["generator"] == {"name": GENERATOR, "version": VERSION}
    assert (data["seed"], data["scale"], data["poverty_factor"]) == (7, SCALE, 1.0)
    assert data["kpj_digits"] == load_settings().kpj_digits
    assert data["days"] == [DAY1.isoformat(), DAY2.isoformat()]
    for e in data["files"]:
        assert set(e) >= {"day", "source", "name", "kind", "rows", "delimiter", "encoding"}
        assert e["path"] == f"deliveries/{e['day']}/{e['source']}/{e['name']}"


def test_deliver_places_the_days_files(bench: BenchSet, tmp_path: Path) -> None:
    landing = tmp_path / "landing"
    placed = bench.deliver(DAY1, landing)
    assert sorted(placed) == sorted(landing / f.source / f.path.name for f in bench.files(DAY1))
    for f in bench.files(DAY1):
        assert (landing / f.source / f.path.name).read_bytes() == f.path.read_bytes()
    assert bench.deliver(DAY1, landing) == placed  # again: nothing changes
    bench.deliver(DAY2, landing)
    assert len(list((landing / "member_exports").iterdir())) == 2


# --------------------------------------------------------------------------- expected counts


def test_expected_counts_add_up(bench: BenchSet) -> None:
    data = bench.data()
    for e in data["files"]:
        x = e["expected"]
        assert x["rows_read"] == e["rows"] == x["rows_loaded"] + x["rows_rejected"]
        assert sum(x["rejected_by_reason"].values()) == x["rows_rejected"]
        assert set(x["rejected_by_reason"]) <= set(REASONS)
    for day in DAYS:
        totals = data["expected"][day.isoformat()]
        for source in SOURCES:
            files = [
                e for e in data["files"] if e["day"] == day.isoformat() and e["source"] == source
            ]
            t = totals[source]
            assert t["files"] == len(files)
            assert t["rows_read"] == sum(e["rows"] for e in files)
            assert t["rows_read"] == t["rows_loaded"] + t["rows_rejected"]
            assert sum(t["rejected_by_reason"].values()) == t["rows_rejected"]
    day1 = data["expected"][DAY1.isoformat()]
    # The mess the brief asks for is there on day 1.
    assert set(day1["village_submissions"]["rejected_by_reason"]) == {
        "missing_required",
        "nik_numeric_cell",
        "invalid_nik",
        "unknown_village",
        "duplicate_in_file",
    }
    assert day1["poverty_lists"]["rows_rejected"] < 0.01 * day1["poverty_lists"]["rows_read"]
    assert day1["member_exports"]["rows_rejected"] < 0.01 * day1["member_exports"]["rows_read"]


def test_expectations_match_the_pipelines_verdicts(bench: BenchSet, tmp_path: Path) -> None:
    """The path the DAGs run (ingest_files: reader, row pass, ledger) on every file."""
    settings = load_settings()
    by_name = {(e["day"], e["source"], e["name"]): e["expected"] for e in entries(bench)}
    for day in DAYS:
        expected = bench.expected(day)
        for source in SOURCES:
            files = [f for f in bench.files(day) if f.source == source]
            landing = [LandingFile(source, f.path.name, "0" * 64, f.path) for f in files]
            items = ingest(landing, day, settings, tmp_path / f"wh-{day}-{source}")
            got = {"rows_read": 0, "rows_loaded": 0, "rows_rejected": 0}
            reasons: dict[str, int] = defaultdict(int)
            flags: dict[str, int] = defaultdict(int)
            for item in items:
                r = item.result
                assert r.status == "loaded", (r.file_name, r.error)
                mine = by_name[(day.isoformat(), source, r.file_name)]
                assert (r.rows_read, r.rows_loaded, r.rejected_by_reason, r.flags_by_reason) == (
                    mine["rows_read"],
                    mine["rows_loaded"],
                    mine["rejected_by_reason"],
                    mine["flags_by_reason"],
                ), r.file_name
                got["rows_read"] += r.rows_read
                got["rows_loaded"] += r.rows_loaded
                got["rows_rejected"] += r.rows_rejected
                for k, v in r.rejected_by_reason.items():
                    reasons[k] += v
                for k, v in r.flags_by_reason.items():
                    flags[k] += v
            want = expected[source]
            assert got == {k: want[k] for k in got}, (day, source)
            assert dict(reasons) == want["rejected_by_reason"], (day, source)
            assert dict(flags) == want["flags_by_reason"], (day, source)


# --------------------------------------------------------------------------- cells and NIKs


def test_workbooks_keep_cell_types(bench: BenchSet) -> None:
    books = [e for e in entries(bench) if e["kind"] == "xlsx"]
    assert {b["layout"]["nik_cells"] for b in books} == {"numeric", "text"}
    assert {b["layout"]["birth_dates"] for b in books} >= {"excel", "long", "dmy_slash"}
    assert {b["layout"]["village_codes"] for b in books} == {"plain", "dotted"}
    for book in books:
        layout = book["layout"]
        _, rows = workbook_rows(bench.out / book["path"], layout["header_row"])
        assert len(rows) == book["rows"]
        nik = [r[layout["columns"].index("nik")] for r in rows]
        births = [r[layout["columns"].index("birth_date")] for r in rows]
        villages = [r[layout["columns"].index("village_code")] for r in rows]
        if layout["nik_cells"] == "numeric":
            assert all(isinstance(v, float) for v in nik)
        else:
            assert all(isinstance(v, str) for v in nik)
        if layout["birth_dates"] == "excel":
            dates = [v for v in births if isinstance(v, dt.date)]
            assert len(dates) > 0.9 * len(births)
            assert all(isinstance(v, dt.date | str) for v in births)
        else:
            assert all(isinstance(v, str) for v in births)
        assert all(isinstance(v, str) for v in villages)
        if layout["village_codes"] == "dotted":
            assert all(v.count(".") == 3 for v in villages)
        if "submitted_on" in layout["columns"]:
            submitted = {r[layout["columns"].index("submitted_on")] for r in rows}
            assert len(submitted) == 1
            assert all(
                isinstance(v, dt.date) and v <= dt.date.fromisoformat(book["day"])
                for v in submitted
            )


@pytest.mark.parametrize("engine", ["calamine", "openpyxl"])
def test_pandas_reads_workbooks_with_types(bench: BenchSet, engine: str) -> None:
    books = [e for e in entries(bench) if e["kind"] == "xlsx"]
    numeric = next(b for b in books if b["layout"]["nik_cells"] == "numeric")
    text = next(
        b
        for b in books
        if b["layout"]["nik_cells"] == "text" and b["layout"]["birth_dates"] == "excel"
    )
    for book in (numeric, text):
        layout = book["layout"]
        frame = pd.read_excel(
            bench.out / book["path"],
            engine=engine,
            header=layout["header_row"] - 1,
            dtype=object,
        )
        assert len(frame) == book["rows"]
        nik = frame.iloc[:, layout["columns"].index("nik")]
        if book is numeric:
            assert all(isinstance(v, int | float) and v > 1e15 for v in nik)
        else:
            assert all(isinstance(v, str) for v in nik)
            births = frame.iloc[:, layout["columns"].index("birth_date")]
            assert sum(isinstance(v, dt.date) for v in births) > 0.9 * len(births)


def test_niks_meant_valid_are_valid_and_one_per_person(bench: BenchSet) -> None:
    names: dict[str, set[str]] = defaultdict(set)
    data = bench.data()
    invalid = 0
    for e in data["files"]:
        path = bench.out / e["path"]
        if e["kind"] == "csv":
            frame = read_csv(path, e["delimiter"])
            nik, name = frame["NIK"], frame["Nama"]
        elif e["layout"]["nik_cells"] == "text":
            layout = e["layout"]
            _, rows = workbook_rows(path, layout["header_row"])
            nik = pd.Series([clean_id(r[layout["columns"].index("nik")]) for r in rows])
            name = pd.Series([r[layout["columns"].index("name")] for r in rows])
        else:
            continue
        well_formed = nik.str.fullmatch(r"[0-9]{16}")
        ok = nik_semantics_ok(nik.where(well_formed, "")).to_numpy() & well_formed.to_numpy()
        # Exactly the rows injected as invalid_nik fail the project's NIK rules.
        bad = int((~ok).sum())
        assert bad == e["expected"]["rejected_by_reason"].get("invalid_nik", 0), e["name"]
        invalid += bad
        for n, who in zip(nik[ok], name[ok], strict=True):
            if who:
                names[n].add(who)
    assert invalid > 0
    assert len(names) > 10_000
    shared = {n: v for n, v in names.items() if len(v) > 1}
    assert not shared, "a NIK belongs to one person (one name) across all sources"
    # Day 1 workers are found in the poverty extract and among members.
    proposed = set()
    for e in data["files"]:
        if e["kind"] == "xlsx" and e["layout"]["nik_cells"] == "text":
            layout = e["layout"]
            _, rows = workbook_rows(bench.out / e["path"], layout["header_row"])
            proposed |= {clean_id(r[layout["columns"].index("nik")]) for r in rows}
    [poverty] = [e for e in data["files"] if e["source"] == "poverty_lists"]
    [members] = [
        e for e in data["files"] if e["source"] == "member_exports" and e["day"] == DAY1.isoformat()
    ]
    in_poverty = proposed & set(read_csv(bench.out / poverty["path"], ";")["NIK"])
    in_members = proposed & set(read_csv(bench.out / members["path"], ",")["NIK"])
    assert 0.75 < len(in_poverty) / len(proposed) < 0.95
    assert 0.05 < len(in_members) / len(proposed) < 0.15


def test_csv_formats(bench: BenchSet) -> None:
    data = bench.data()
    [poverty] = [e for e in data["files"] if e["source"] == "poverty_lists"]
    head = (bench.out / poverty["path"]).read_bytes()[:200].decode("utf-8")
    assert head.startswith("NIK;No KK;Nama;Tanggal Lahir;Kode Desa;Desil\r\n")
    frame = read_csv(bench.out / poverty["path"], ";")
    dotted = frame["Kode Desa"].str.count(r"\.") == 3
    assert 0.1 < dotted.mean() < 0.3
    assert set(frame["Desil"]) <= {str(d) for d in range(0, 12)}

    kpj_digits = load_settings().kpj_digits
    members = {
        e["day"]: read_csv(bench.out / e["path"], ",")
        for e in data["files"]
        if e["source"] == "member_exports"
    }
    one, two = members[DAY1.isoformat()], members[DAY2.isoformat()]
    for frame in (one, two):
        assert (frame["No KPJ"].str.len() == kpj_digits).mean() > 0.99
        assert set(frame["Segmen"]) <= {"PU", "BPU", "JAKON", "PMI"}
        assert set(frame["Status Kepesertaan"]) <= {"AKTIF", "NONAKTIF", "KELUAR", "AKTIP"}
        assert frame["Bulan Iuran Terakhir"].str.fullmatch(r"20[0-9]{2}-[01][0-9]").all()
    # Day 2: the same accounts mostly, a few new, most paid_through moved on.
    kpj1, kpj2 = set(one["No KPJ"]), set(two["No KPJ"])
    invalid_kpj = bench.expected(DAY2)["member_exports"]["rejected_by_reason"]["invalid_kpj"]
    assert len({k for k in kpj1 if len(k) == kpj_digits} - kpj2) <= invalid_kpj
    assert 0.01 < len(kpj2 - kpj1) / len(kpj1) < 0.04
    paid = one.drop_duplicates("No KPJ").merge(
        two.drop_duplicates("No KPJ"), on="No KPJ", suffixes=("_1", "_2")
    )
    active = paid[paid["Status Kepesertaan_1"] == "AKTIF"]
    moved = (active["Bulan Iuran Terakhir_2"] > active["Bulan Iuran Terakhir_1"]).mean()
    assert 0.5 < moved < 0.9
    changed = (paid["Status Kepesertaan_1"] != paid["Status Kepesertaan_2"]).mean()
    assert 0 < changed < 0.05
    assert (
        json.loads(bench.manifest.read_text())["population"]["workers_members_day2"]
        > (data["population"]["workers_members_day1"])
    )


def test_nik_typos_and_lookalikes_are_recorded(tmp_path: Path) -> None:
    """linkage_truth.csv: each typo is one changed digit or two adjacent digits swapped of a
    day-1 member's NIK, loads, and is what a workbook holds; each look-alike has its
    member's name and a correct NIK one digit from the member's."""
    bench = generate_bench(tmp_path / "set", scale=0.02, seed=7)
    meta = bench.data()["linkage"]
    lines = (bench.out / meta["truth"]).read_text(encoding="utf-8").splitlines()[1:]
    rows = [line.split(",") for line in lines]
    typos = [(p, m) for kind, p, m, _v in rows if kind == "typo"]
    lookalikes = [(p, m) for kind, p, m, _v in rows if kind == "lookalike"]
    assert len(typos) == meta["typos"] > 5 and len(lookalikes) == meta["lookalikes"] > 5
    kinds = set()
    for typed, true in typos:
        differ = [i for i in range(16) if typed[i] != true[i]]
        swap = len(differ) == 2 and differ[1] == differ[0] + 1
        swap = swap and typed[differ[0]] == true[differ[1]] and typed[differ[1]] == true[differ[0]]
        assert len(differ) == 1 or swap, (typed, true)
        kinds.add("swap" if swap else "change")
        assert nik_semantics_ok(pd.Series([typed]))[0]
    assert kinds == {"swap", "change"}
    for own, member in lookalikes:
        assert sum(a != b for a, b in zip(own, member, strict=True)) == 1
        assert own[:10] == member[:10] and own[12:] == member[12:]  # the year differs
    written: dict[str, str] = {}
    for e in bench.data()["files"]:
        if e["kind"] == "xlsx" and e["layout"]["nik_cells"] == "text":
            layout = e["layout"]
            _, cells = workbook_rows(bench.out / e["path"], layout["header_row"])
            for r in cells:
                nik = clean_id(r[layout["columns"].index("nik")])
                written[nik] = r[layout["columns"].index("name")]
    [members] = [
        e
        for e in bench.data()["files"]
        if e["source"] == "member_exports" and e["day"] == "2025-07-01"
    ]
    exported = read_csv(bench.out / members["path"], ",")
    member_name = dict(zip(exported["NIK"], exported["Nama"], strict=True))
    for typed, true in typos:
        assert typed in written and true in member_name and true not in written
    for own, member in lookalikes:
        assert written[own] == member_name[member] and own not in member_name
