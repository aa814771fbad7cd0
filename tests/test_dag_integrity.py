"""DAG integrity: every DAG imports cleanly, fast, and without touching any database.

Parsing runs in a fresh interpreter so the timing and the imported modules are honest.
The warehouse URL points at a closed port and the database drivers are made to explode,
so any connection attempt at parse time fails the test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from cakupan.paths import DAGS_DIR, PROJECT_ROOT

_PROBE = r"""
import json, sys, time
import airflow  # noqa: F401 - importing Airflow itself is not counted
from airflow.dag_processing.dagbag import DagBag
import sqlalchemy

def refuse(*args, **kwargs):
    raise RuntimeError("a DAG file opened a database connection at parse time")

import duckdb
duckdb.connect = refuse
import psycopg
psycopg.connect = refuse
sqlalchemy.create_engine = refuse

started = time.perf_counter()
bag = DagBag(sys.argv[1])
seconds = time.perf_counter() - started
heavy = [m for m in ("pandas", "great_expectations", "pyarrow.csv", "openpyxl", "python_calamine")
         if m in sys.modules]
print(json.dumps({
    "seconds": seconds,
    "errors": {k: str(v) for k, v in bag.import_errors.items()},
    "dags": {d.dag_id: {"tasks": sorted(d.task_ids), "tags": sorted(d.tags or []),
                        "timezone": str(d.timezone) if hasattr(d, "timezone") else None,
                        "on_failure": type(d.on_failure_callback).__name__,
                        "lineage": {t.task_id: {"in": sorted(a.uri for a in t.inlets),
                                                "out": sorted(a.uri for a in t.outlets)}
                                    for t in d.tasks},
                        "deadline": [{"reference": type(a.reference).__name__,
                                      "seconds": a.interval.total_seconds(),
                                      "callback": type(a.callback).__name__,
                                      "path": a.callback.path} for a in d.deadline or []]}
             for d in bag.dags.values()},
    "heavy": heavy,
}))
"""


def _parse() -> dict:
    env = {
        **os.environ,
        "AIRFLOW_HOME": str(PROJECT_ROOT / "data" / "airflow-integrity"),
        "AIRFLOW__CORE__DAGS_FOLDER": str(DAGS_DIR),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        "CAKUPAN_WAREHOUSE_URL": "postgresql://nobody@127.0.0.1:1/nothing",
    }
    out = subprocess.run(
        [sys.executable, "-c", _PROBE, str(DAGS_DIR)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_dags_import_fast_without_databases_or_heavy_libraries():
    result = _parse()
    assert result["errors"] == {}
    assert set(result["dags"]) == {
        "cakupan_ingest_village_submissions",
        "cakupan_ingest_poverty_lists",
        "cakupan_ingest_member_exports",
        "cakupan_coverage",
    }
    assert result["seconds"] < 2.0, f"parsing dags/ took {result['seconds']:.2f} s"
    assert result["heavy"] == [], "DAG files must not import data libraries at parse time"
    for dag_id, dag in result["dags"].items():
        assert "cakupan" in dag["tags"]
        if dag_id.startswith("cakupan_ingest_"):
            assert dag["tasks"] == ["discover_files", "load_files", "reconcile"]
        else:
            assert dag["tasks"] == ["build_snapshot", "dates_to_build", "write_report"]
    # README, "Alerts": a DAG-level failure callback on every DAG; on the coverage DAG, a
    # Deadline Alert for 08:00 WIB (06:30 logical date + 1 h 30), run by the triggerer.
    dags = result["dags"]
    assert {d["on_failure"] for d in dags.values()} == {"CakupanNotifier"}
    assert [d for d, dag in dags.items() if dag["deadline"]] == ["cakupan_coverage"]
    assert dags["cakupan_coverage"]["deadline"] == [
        {
            "reference": "DagRunLogicalDateDeadline",
            "seconds": 5400.0,
            "callback": "AsyncCallback",
            "path": "cakupan.alerts.snapshot_deadline_missed",
        }
    ]


def test_assets_draw_the_lineage_from_landing_to_report():
    """Inlets and outlets make the UI's asset graph: landing -> staging -> mart -> report."""
    dags = _parse()["dags"]
    for source in ("village_submissions", "poverty_lists", "member_exports"):
        lineage = dags[f"cakupan_ingest_{source}"]["lineage"]
        assert lineage["discover_files"]["in"] == [f"cakupan://landing/{source}"]
        assert lineage["load_files"]["in"] == [
            f"cakupan://landing/{source}",
            "cakupan://reference/wilayah_sumsel",
        ]
        assert lineage["reconcile"]["out"] == [f"cakupan://warehouse/staging/{source}"]
    coverage = dags["cakupan_coverage"]["lineage"]
    assert coverage["build_snapshot"]["in"] == [
        "cakupan://reference/wilayah_sumsel",
        "cakupan://warehouse/staging/member_exports",
        "cakupan://warehouse/staging/poverty_lists",
        "cakupan://warehouse/staging/village_submissions",
    ]
    assert coverage["build_snapshot"]["out"] == ["cakupan://warehouse/mart/coverage"]
    assert coverage["write_report"] == {
        "in": ["cakupan://warehouse/mart/coverage"],
        "out": ["cakupan://reports/coverage"],
    }


def test_dag_files_only_wire_tasks():
    """DAG files hold no SQL and no data handling: that lives in plugins/cakupan."""
    for path in DAGS_DIR.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for forbidden in ("SELECT ", "INSERT ", "import pandas", "read_csv", "create_engine"):
            assert forbidden not in text, f"{path.name} contains {forbidden!r}"
