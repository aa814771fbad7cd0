"""Warehouse failing mid-load or unreachable: the task fails, retries, says why, and
leaves nothing half-written."""

from __future__ import annotations

import sqlite3

import pytest

import cakupan.ingest as ingest
import cakupan.warehouse.bulk as bulk
from cakupan.landing import scan
from cakupan.settings import load_settings
from tests.runs import cakupan_run, rows

pytestmark = pytest.mark.xdist_group("faults")


def _counts(engine) -> dict[str, int]:
    return {
        t: rows(engine, f"SELECT COUNT(*) AS n FROM staging.{t}")[0]["n"]
        for t in ("file_ledger", "village_submissions", "rejected_rows")
    }


@pytest.mark.parametrize(
    ("stream_bytes", "failing_call", "landed_first"),
    [
        # small files are written as one group: the group's rows are in, its rejections fail
        (1 << 40, 2, 0),
        # every file streamed in its own transaction: file 1 lands, file 2 fails mid-file
        (0, 5, 1),
    ],
    ids=["grouped", "streamed"],
)
def test_failure_mid_file_rolls_the_whole_file_back(
    warehouse, small_scenario, tmp_path, monkeypatch, stream_bytes, failing_call, landed_first
):
    day = small_scenario.days[0]
    small_scenario.deliver(day, tmp_path)
    files = [f for f in scan(tmp_path, "village_submissions")][:3]
    real_insert = ingest.bulk_insert
    calls = {"n": 0}

    def failing_insert(conn, table, data):
        calls["n"] += 1
        if calls["n"] == failing_call:  # some of a file's rows are in, then the link drops
            raise ConnectionError("connection to the warehouse was lost")
        return real_insert(conn, table, data)

    # Streamed chunks are inserted from cakupan.warehouse.bulk's worker (BackgroundInserts).
    monkeypatch.setattr(ingest, "bulk_insert", failing_insert)
    monkeypatch.setattr(bulk, "bulk_insert", failing_insert)
    with pytest.raises(ConnectionError):
        ingest.ingest_files(warehouse, files, day, load_settings(), stream_bytes=stream_bytes)
    after_failure = _counts(warehouse)
    # Files before the failure landed whole; the failing one left no row, rejection or entry.
    landed = [f.name for f in files[:landed_first]]
    ledger = rows(warehouse, "SELECT file_name FROM staging.file_ledger")
    assert [r["file_name"] for r in ledger] == landed
    loaded = rows(warehouse, "SELECT DISTINCT file_name FROM staging.village_submissions")
    assert {r["file_name"] for r in loaded} <= set(landed)
    rejected = rows(warehouse, "SELECT DISTINCT file_name FROM staging.rejected_rows")
    assert {r["file_name"] for r in rejected} <= set(landed)

    monkeypatch.setattr(ingest, "bulk_insert", real_insert)
    monkeypatch.setattr(bulk, "bulk_insert", real_insert)
    results = ingest.ingest_files(warehouse, files, day, load_settings(), stream_bytes=stream_bytes)
    assert [r.file_name for r in results] == [f.name for f in files[landed_first:]]
    final = _counts(warehouse)
    assert final["file_ledger"] == after_failure["file_ledger"] + 3 - landed_first
    for result in results:
        assert result.rows_read == result.rows_loaded + result.rows_rejected


@pytest.mark.parametrize("engine_name", ["duckdb", "postgresql"])
def test_unreachable_warehouse_fails_retries_and_says_why(engine_name, small_scenario, tmp_path):
    if engine_name == "postgresql":
        url = "postgresql+psycopg://postgres@127.0.0.1:1/nowhere"
    else:
        broken = tmp_path / "broken.duckdb"
        broken.write_bytes(b"this is not a DuckDB file" * 100)
        url = f"duckdb:///{broken}"
    small_scenario.deliver(small_scenario.days[0], tmp_path / "landing")
    done = cakupan_run(
        tmp_path / "landing",
        small_scenario.days[0],
        url,
        tmp_path / "data",
        verbose=True,
        expect_ok=False,
        skip_preflight=True,  # the tasks themselves meet the warehouse and are retried
        CAKUPAN_TASK_RETRIES="1",
        CAKUPAN_RETRY_DELAY_S="1",
    )
    output = done.stdout + done.stderr
    assert done.returncode == 1
    assert "failed tasks" in output
    assert "is unreachable or failed" in output and "CAKUPAN_WAREHOUSE_URL" in output
    assert "password" not in output.lower() or "hide" in output.lower()
    # The failed task was tried twice (one retry), as the metadata database records.
    with sqlite3.connect(tmp_path / "data" / "airflow" / "airflow.db") as meta:
        tries = meta.execute(
            "SELECT MAX(try_number) FROM task_instance WHERE state = 'failed'"
        ).fetchone()[0]
    assert tries == 2
    if engine_name == "duckdb":
        assert broken.read_bytes() == b"this is not a DuckDB file" * 100  # untouched
