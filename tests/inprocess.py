"""What ``cakupan run`` does for a date, without Airflow: the pipeline functions the tasks
call, in the DAGs' order, in this process.

Most end-to-end, fault and report tests build their warehouses this way: it runs the same
code as the tasks (``cakupan.pipeline``) on the same configuration, minus Airflow's start,
parsing and bookkeeping (about 15 s a run). The wiring itself (DAG files, assets, mapped
tasks, the command) is proven by the tests that keep the real command (``tests/runs.py``)
and by the DAG-integrity test.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from cakupan import pipeline
from cakupan.config import Config, install
from cakupan.dagkit import SOURCES


def run_day(landing: Path, day: dt.date, url: str, data: Path) -> list[str]:
    """The three ingest DAGs (discover_files -> load_files per batch -> reconcile), then the
    coverage DAG (build_snapshot -> write_report) for ``day``; returns the report pages."""
    env = {**os.environ, "CAKUPAN_DATA_DIR": str(data)}
    install(Config.resolve(env, landing=landing, warehouse=url, in_process=True))
    try:
        run_id = f"inprocess__{day.isoformat()}"
        for source in SOURCES:
            manifests = pipeline.discover(source, day, run_id)
            for manifest in manifests:  # the mapped load_files tasks
                pipeline.load_batch(manifest)
            if manifests:  # discover_files skips the rest of the DAG run when there is none
                pipeline.reconcile(manifests)
        pipeline.snapshot(day)
        return pipeline.report([day])
    finally:
        install(None)
