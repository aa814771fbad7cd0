"""Alerts from the project's real DAGs, run by ``cakupan run`` in a subprocess.

The warehouse is unreachable, so every DAG run fails for real. ``dag.test()`` (what
``cakupan run`` uses) calls ``DagRun.update_state(execute_callbacks=True)``, which runs the
DAG-level ``on_failure_callback`` in-process (``DagRun.execute_dag_callbacks``), the way the
DAG processor does under a scheduler. The coverage run also gets its Deadline row, which
Airflow's own code evaluated; a probe then handles a miss as the scheduler and triggerer do.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.runs import cakupan_run, run_env
from tests.servers import Webhook, serve_webhook

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("alerts_runs")]

DAY = dt.date(2025, 6, 2)
UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/none"
INGEST = (
    "cakupan_ingest_village_submissions",
    "cakupan_ingest_poverty_lists",
    "cakupan_ingest_member_exports",
)


@pytest.fixture(scope="module")
def webhook() -> Iterator[Webhook]:
    """One receiver for the module: one ``cakupan run`` serves both tests."""
    with serve_webhook() as box:
        yield box


@pytest.fixture(scope="module")
def failed_run(
    tmp_path_factory, webhook: Webhook
) -> tuple[subprocess.CompletedProcess, dict, list[dict]]:
    tmp_path = tmp_path_factory.mktemp("alerts_run")
    landing = tmp_path / "landing"
    landing.mkdir()
    data = tmp_path / "data"
    env = {
        "AIRFLOW_HOME": str(data / "airflow"),
        "CAKUPAN_TASK_RETRIES": "0",
        "CAKUPAN_ALERT_CHANNEL": "webhook",
        "CAKUPAN_ALERT_WEBHOOK_URL": webhook.url,
    }
    done = cakupan_run(landing, DAY, UNREACHABLE, data, expect_ok=False, skip_preflight=True, **env)
    received = list(webhook.received)
    webhook.received.clear()
    webhook.raw.clear()
    return done, {"landing": landing, "data": data, **env}, received


def test_a_real_dag_failure_fires_the_dag_failure_callback(failed_run):
    done, _, received = failed_run
    assert done.returncode == 1, done.stdout[-2000:] + done.stderr[-2000:]
    by_dag = {m["dag_id"]: m for m in received}
    assert len(received) == 4 and set(by_dag) == {*INGEST, "cakupan_coverage"}
    for dag_id in INGEST:
        message = by_dag[dag_id]
        assert message["event"] == "dag_failed"
        assert message["failed_tasks"] == ["discover_files"]
        assert message["logical_date"] == "2025-06-02T05:00:00+07:00"
        assert message["run_date"] == DAY.isoformat()
        assert re.fullmatch(
            rf"http://localhost:8080/dags/{dag_id}/runs/manual__[^/]+/tasks/discover_files"
            r"\?try_number=1",
            message["url"],
        )
    coverage = by_dag["cakupan_coverage"]
    assert coverage["failed_tasks"] == ["build_snapshot[0]"]
    assert coverage["logical_date"] == "2025-06-02T06:30:00+07:00"
    # The task's error (the warehouse URL, the driver's message) stays in the task log.
    raw = json.dumps(received)
    for leak in ("127.0.0.1:1", "nobody", "unreachable", "OperationalError", "Traceback"):
        assert leak not in raw


def test_airflow_sets_and_fires_the_snapshot_deadline(failed_run, webhook):
    """Deadline rows from Airflow's own evaluation: 08:00 WIB for a daily run, none for an
    asset-triggered run; a missed one goes scheduler -> TriggererCallback -> CallbackTrigger
    -> cakupan.alerts.snapshot_deadline_missed -> the webhook."""
    _, run, _ = failed_run
    probe = Path(__file__).with_name("deadline_probe.py")
    env = run_env(run["data"], **{k: v for k, v in run.items() if k.isupper()})
    done = subprocess.run(
        [sys.executable, str(probe), str(run["landing"]), UNREACHABLE, "2025-06-03"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # cakupan run's own coverage run carries no deadline: the in-process runner removes it
    # (no triggerer there, and Airflow 3.3.2's dag.test() crashes pruning it; runner.py).
    assert result["cakupan_run_deadlines"] == []
    assert result["daily_deadline"] == "2025-06-03T01:00:00+00:00"  # 08:00 WIB
    assert result["asset_triggered_deadlines"] == 0
    assert result["callback_type"] == "TriggererCallback"
    assert result["trigger_classpath"] == "airflow.triggers.callback.CallbackTrigger"
    assert result["trigger_events"] == ["running", "success"]
    [message] = webhook.received
    assert message["event"] == "deadline_missed"
    assert message["run_id"] == "scheduled__2025-06-03T06:30:00+07:00"
    assert message["deadline"] == "2025-06-03T08:00:00+07:00"
    assert message["run_date"] == "2025-06-03"
