"""A snapshot that fails its GX audit, through the real DAGs: the coverage task fails, the
DAG's failure alert goes out, and nothing of the date is published.

``audit_probe.py`` runs what ``cakupan run`` runs (``dag.test()`` of every DAG, in one
process) after planting an impossible mart row just before the audit, so the failure comes
from the real coverage DAG, its real task and its real ``on_failure_callback``.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from tests.runs import SNAPSHOT_TABLES, run_env
from tests.servers import Webhook

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("alerts_runs")]

DAY = dt.date(2025, 6, 2)


def test_a_failed_audit_fails_the_task_alerts_and_publishes_nothing(tmp_path, webhook: Webhook):
    landing, data = tmp_path / "landing", tmp_path / "data"
    landing.mkdir()
    url = f"duckdb:///{tmp_path / 'warehouse.duckdb'}"
    env = run_env(
        data,
        AIRFLOW_HOME=str(data / "airflow"),
        CAKUPAN_TASK_RETRIES="0",
        CAKUPAN_ALERT_CHANNEL="webhook",
        CAKUPAN_ALERT_WEBHOOK_URL=webhook.url,
    )
    probe = Path(__file__).with_name("audit_probe.py")
    done = subprocess.run(
        [sys.executable, str(probe), str(landing), url, DAY.isoformat()],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])

    # The snapshot task failed, so the coverage DAG run failed (no new file: the ingest
    # runs skip and succeed).
    assert result["dag_states"]["cakupan_coverage"] == "failed"
    assert "cakupan_coverage.build_snapshot[0]" in result["failed_tasks"]
    assert {d: s for d, s in result["dag_states"].items() if d != "cakupan_coverage"} == {
        "cakupan_ingest_village_submissions": "success",
        "cakupan_ingest_poverty_lists": "success",
        "cakupan_ingest_member_exports": "success",
    }
    # The task log says, in one line, which table and expectation stopped the snapshot.
    logged = done.stdout + done.stderr
    assert "snapshot 2025-06-02 not published: mart.coverage_village failed " in logged
    assert "covered_within_enrolled" in logged

    # The DAG-level failure callback sent its one message, without the exception text.
    [message] = webhook.received
    assert message["event"] == "dag_failed" and message["dag_id"] == "cakupan_coverage"
    assert message["failed_tasks"] == ["build_snapshot[0]"]
    assert message["run_date"] == DAY.isoformat()
    assert "covered_within_enrolled" not in json.dumps(message)

    # Nothing of the date was published.
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            for table in SNAPSHOT_TABLES:
                count = conn.execute(
                    sa.text(f"SELECT COUNT(*) FROM mart.{table} WHERE snapshot_date = :d"),
                    {"d": DAY},
                ).scalar_one()
                assert count == 0, table
    finally:
        engine.dispose()
    assert (data / "gx" / "failed" / DAY.isoformat() / "index.html").is_file()
    assert not (data / "gx" / "snapshots" / DAY.isoformat()).exists()
