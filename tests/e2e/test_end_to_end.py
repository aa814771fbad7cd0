"""End to end through ``cakupan run`` on DuckDB and PostgreSQL, checked against the truth.

A generated multi-day scenario is delivered day by day into a landing folder. Its first day
runs through the real command (a subprocess running the real DAGs), the later days and the
re-runs through the same task functions in this process (tests/inprocess.py), so the DAGs'
wiring is proven once per engine and the rules on every day. Mart values are compared with
values computed from the generator's truth by tests/e2e/oracle.py, not read back from the
pipeline. Then: re-running a date gives identical rows; backfilling an earlier date after
later files arrived reproduces that date; the same file under a new name is
skipped_duplicate.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil

import pytest

from cakupan_dev.generate import generate_scenario
from tests.e2e.oracle import Oracle, check_against_truth
from tests.inprocess import run_day
from tests.runs import cakupan_run, rows, snapshot

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("e2e")]


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    out = tmp_path_factory.mktemp("scenario")
    return generate_scenario(out, regencies=("1612", "1603", "1606"), days=4, seed=11, scale=0.2)


def check_data_quality(engine, oracle: Oracle, day: dt.date) -> None:
    got = {
        (r["source"], r["file_name"], r["sha256"]): r
        for r in rows(engine, "SELECT * FROM mart.data_quality")
    }
    want = oracle.data_quality(day)
    assert set(got) == set(want)
    for key, exp in want.items():
        row = got[key]
        assert row["status"] == exp["status"], key
        assert row["received_date"] == exp["received_date"], key
        if exp["status"] == "loaded":
            assert (row["rows_read"], row["rows_loaded"], row["rows_rejected"]) == (
                exp["rows_read"],
                exp["rows_loaded"],
                exp["rows_rejected"],
            ), key
            assert json.loads(row["rejected_by_reason"]) == exp["rejected_by_reason"], key
        assert row["rows_read"] == row["rows_loaded"] + row["rows_rejected"]
    rejected = rows(engine, "SELECT source, reason, nik_masked FROM mart.rejected_rows")
    assert len(rejected) == sum(e["rows_rejected"] for e in want.values())
    for r in rejected:  # masked: first 6 and last 4 characters only
        assert r["nik_masked"] is None or "*" in r["nik_masked"] or len(r["nik_masked"]) < 11


def check_summary(stdout: str, engine, oracle: Oracle, day: dt.date) -> None:
    """The run's last lines: per source what it recorded, the snapshot, where things are."""
    assert "\r" not in stdout and "\x1b[" not in stdout  # piped: plain lines, no live line
    lines = stdout.splitlines()
    start = lines.index(f"cakupan run {day.isoformat()}: done")
    summary = "\n".join(lines[start:])
    want = oracle.data_quality(day)
    for source in ("village_submissions", "poverty_lists", "member_exports"):
        mine = [e for (s, _, _), e in want.items() if s == source]
        loaded = sum(e["rows_loaded"] for e in mine if e["status"] == "loaded")
        rejected = sum(e["rows_rejected"] for e in mine if e["status"] == "loaded")
        files = sum(1 for e in mine if e["status"] == "loaded")
        line = next(x for x in lines[start:] if x.strip().startswith(source))
        assert f"files: {files} loaded" in line, line
        assert f"rows: {loaded:,} loaded, {rejected:,} rejected" in line, line
    province = rows(engine, "SELECT * FROM mart.coverage_province WHERE snapshot_date = :d", d=day)
    assert f"Sumatera Selatan {province[0]['workers_proposed']:,} proposed" in summary
    assert "  report: " in summary and "  full log: " in summary
    assert lines[-1].startswith("  wall time: ")


@pytest.mark.parametrize(
    "engine_name", ["duckdb", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_scenario_day_by_day(engine_name, scenario, tmp_path, request):
    from cakupan.warehouse.engine import create_warehouse_engine

    url = request.getfixturevalue("duckdb_url" if engine_name == "duckdb" else "pg_url")
    landing, data = tmp_path / "landing", tmp_path / "data"
    oracle = Oracle(scenario.out / "truth")
    engine = create_warehouse_engine(url)
    first_day_snapshot = None
    for day in scenario.days:
        scenario.deliver(day, landing)
        if day == scenario.days[0]:
            done = cakupan_run(landing, day, url, data)  # the real command and DAGs
            check_summary(done.stdout, engine, oracle, day)
        else:
            run_day(landing, day, url, data)
        check_against_truth(engine, oracle, day)
        check_data_quality(engine, oracle, day)
        if first_day_snapshot is None:
            first_day_snapshot = snapshot(engine, day)
    last = scenario.days[-1]
    expected_dups = oracle.coverage(last)["duplicates"]
    got_dups = sorted(
        (r["kept_village_code"], r["duplicate_village_code"])
        for r in rows(engine, "SELECT * FROM mart.duplicate_proposals")
    )
    assert got_dups == expected_dups and got_dups, "cross-village duplicates listed"

    # Re-running a date at a later time gives identical rows.
    before = snapshot(engine, last)
    run_day(landing, last, url, data)
    assert snapshot(engine, last) == before

    # Backfill of the first date after later files arrived reproduces that date.
    run_day(landing, scenario.days[0], url, data)
    assert snapshot(engine, scenario.days[0]) == first_day_snapshot

    # The same content under a new name is recorded once, as skipped_duplicate.
    some = sorted((landing / "village_submissions").glob("*.csv"))[0]
    shutil.copy2(some, some.with_name("salinan " + some.name))
    run_day(landing, last, url, data)
    run_day(landing, last, url, data)
    copies = rows(
        engine,
        "SELECT status, error FROM mart.data_quality WHERE file_name = :n",
        n="salinan " + some.name,
    )
    assert [c["status"] for c in copies] == ["skipped_duplicate"]
    assert copies[0]["error"] == (  # names no other file: it may be another village's
        "isi sama dengan berkas yang sudah dimuat / same content as a file already loaded"
    )
    assert snapshot(engine, last) == before
    engine.dispose()
