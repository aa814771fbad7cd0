"""Every ingest checks rows_read = rows_loaded + rows_rejected per file, and fails loudly."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from cakupan import pipeline
from cakupan.ingest import AccountingError, FileResult


def test_file_result_refuses_rows_that_do_not_add_up():
    result = FileResult(
        "village_submissions",
        "a.csv",
        "x",
        dt.date(2025, 6, 2),
        "loaded",
        rows_read=10,
        rows_loaded=7,
        rows_rejected=2,
        rejected_by_reason={"invalid_nik": 2},
    )
    with pytest.raises(AccountingError, match="rows_read 10 != rows_loaded 7"):
        result.check_accounting()
    result.rows_loaded = 8
    result.check_accounting()
    result.rejected_by_reason = {"invalid_nik": 1}
    with pytest.raises(AccountingError, match="rejected_by_reason"):
        result.check_accounting()


def _loaded_member_exports(warehouse, scenario, tmp_path, monkeypatch) -> list[str]:
    """The first day's member exports discovered and loaded by the tasks' functions; their
    manifests, for reconcile."""
    day = scenario.days[0]
    landing = tmp_path / "landing"
    scenario.deliver(day, landing)
    monkeypatch.setenv("CAKUPAN_WAREHOUSE_URL", warehouse.url.render_as_string(False))
    monkeypatch.setenv("CAKUPAN_LANDING_DIR", str(landing))
    monkeypatch.setenv("CAKUPAN_DATA_DIR", str(tmp_path / "data"))
    manifests = pipeline.discover("member_exports", day, "test-run")
    for manifest in manifests:
        pipeline.load_batch(manifest)
    return manifests


def test_reconcile_fails_loudly_when_staging_lost_a_row(
    warehouse, small_scenario, tmp_path, monkeypatch
):
    manifests = _loaded_member_exports(warehouse, small_scenario, tmp_path, monkeypatch)
    assert pipeline.reconcile(manifests)["loaded"] >= 1
    name = json.loads(Path(manifests[0]).read_text())["files"][0]["name"]
    with warehouse.begin() as conn:
        conn.execute(
            sa.text(
                "DELETE FROM staging.member_exports WHERE file_name = :n "
                "AND row_number = (SELECT MIN(row_number) FROM "
                "staging.member_exports WHERE file_name = :n)"
            ),
            {"n": name},
        )
    with pytest.raises(pipeline.AccountingFailed, match=name):
        pipeline.reconcile(manifests)


def test_reconcile_logs_the_summary_a_run_shows(warehouse, small_scenario, tmp_path, monkeypatch):
    """The task log says what cakupan run's summary says (issue 14): per source and snapshot."""
    from structlog.testing import capture_logs

    day = small_scenario.days[0]
    manifests = _loaded_member_exports(warehouse, small_scenario, tmp_path, monkeypatch)
    with capture_logs() as logs:
        pipeline.reconcile(manifests)
        pipeline.snapshot(day)
    [summary] = [e for e in logs if e["event"] == "run_summary"]
    assert summary["source"] == "member_exports"
    assert summary["summary"].startswith("member_exports")
    assert "files: 1 loaded" in summary["summary"] and "rows: " in summary["summary"]
    [snap] = [e for e in logs if e["event"] == "snapshot_summary"]
    assert snap["summary"].startswith(f"snapshot {day.isoformat()}: Sumatera Selatan ")


@pytest.mark.postgres
@pytest.mark.parametrize("warehouse_url", ["postgresql"], indirect=True)
def test_reconcile_analyzes_the_staging_tables_of_its_run_only(
    warehouse, small_scenario, tmp_path, monkeypatch
):
    """Fresh statistics for the accounting and the snapshot where the run loaded rows, and no
    sampling of a source's table the run did not touch (the register's millions of rows cost
    about 1 s of every PostgreSQL reconcile)."""

    def analyzed() -> dict[str, int]:
        with warehouse.connect() as conn:
            found = conn.execute(
                sa.text(
                    "SELECT relname, analyze_count FROM pg_stat_user_tables "
                    "WHERE schemaname = 'staging'"
                )
            )
            return {name: count for name, count in found}

    manifests = _loaded_member_exports(warehouse, small_scenario, tmp_path, monkeypatch)
    before = analyzed()
    assert pipeline.reconcile(manifests)["loaded"] >= 1
    after = analyzed()
    assert {table for table in after if after[table] > before.get(table, 0)} == {
        "file_ledger",
        "rejected_rows",
        "member_exports",
    }
