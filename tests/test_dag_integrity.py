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
                        "timezone": str(d.timezone) if hasattr(d, "timezone") else None}
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
            assert dag["tasks"] == ["build_snapshot", "dates_to_build"]


def test_dag_files_only_wire_tasks():
    """DAG files hold no SQL and no data handling: that lives in plugins/cakupan."""
    for path in DAGS_DIR.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        for forbidden in ("SELECT ", "INSERT ", "import pandas", "read_csv", "create_engine"):
            assert forbidden not in text, f"{path.name} contains {forbidden!r}"
