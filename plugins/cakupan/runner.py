"""Running the project's DAGs in-process for one date: what ``cakupan run`` does.

The same DAG files the scheduler parses are loaded from dags/ and executed with
``dag.test()`` against a local Airflow metadata database (SQLite under the data folder
unless AIRFLOW_HOME / AIRFLOW__DATABASE__SQL_ALCHEMY_CONN say otherwise).
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from cakupan.config import Config, current, install
from cakupan.logs import get_logger
from cakupan.paths import DAGS_DIR

log = get_logger(__name__)

INGEST_DAG_IDS = (
    "cakupan_ingest_village_submissions",
    "cakupan_ingest_poverty_lists",
    "cakupan_ingest_member_exports",
)
COVERAGE_DAG_ID = "cakupan_coverage"


@dataclass
class RunReport:
    as_of: dt.date
    failed_tasks: list[str] = field(default_factory=list)
    dag_states: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.failed_tasks and all(s == "success" for s in self.dag_states.values())


def configure(
    landing: Path | None = None,
    warehouse: str | None = None,
    settings_file: Path | None = None,
    verbose: bool = False,
) -> Config:
    """Resolve the configuration with ``cakupan run``'s options and install it for the
    tasks this process runs; point an in-process Airflow at the DAGs and the data folder.

    Must run before Airflow is imported: Airflow reads its own configuration (``AIRFLOW_*``)
    from the environment then.
    """
    config = Config.resolve(
        landing=landing, warehouse=warehouse, settings_file=settings_file, in_process=True
    )
    install(config)
    airflow_home = Path(os.environ.setdefault("AIRFLOW_HOME", str(config.airflow_home)))
    airflow_home.mkdir(parents=True, exist_ok=True)
    os.environ["AIRFLOW__CORE__DAGS_FOLDER"] = str(DAGS_DIR)
    os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
    os.environ.setdefault("AIRFLOW__LOGGING__LOGGING_LEVEL", "INFO" if verbose else "WARNING")
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    return config


def _prepare_airflow() -> None:
    """Create or migrate the metadata database and the warehouse pool (idempotent)."""
    from airflow.models.pool import Pool
    from airflow.utils import db

    db.initdb()
    Pool.create_or_update_pool(
        current().warehouse_pool,
        slots=1,
        description="one warehouse writer at a time (DuckDB)",
        include_deferred=False,
    )


class DagRunner:
    """Loads dags/ once and runs its DAGs for dates, in this process."""

    def __init__(self) -> None:
        from airflow.dag_processing.dagbag import DagBag

        _prepare_airflow()
        self._bag = DagBag(str(DAGS_DIR))
        if self._bag.import_errors:
            raise RuntimeError(f"DAG import errors: {self._bag.import_errors}")
        for dag in self._bag.dags.values():
            # Deadline alerts need the scheduler and the triggerer, which an in-process run
            # does not have. And Airflow 3.3.2's dag.test() crashes on a successful run of
            # a DAG with a deadline: it prunes deadlines by alert ids that were never stored
            # ('dict' object has no attribute 'hex' in DeadlineAlertModel.get_by_id).
            dag.deadline = None

    def _run(self, dag_id: str, when: dt.datetime, report: RunReport) -> None:
        dag = self._bag.get_dag(dag_id)
        if dag is None:
            raise RuntimeError(f"DAG {dag_id} not found in {DAGS_DIR}")
        dag_run = dag.test(logical_date=when)
        state = str(getattr(dag_run.state, "value", dag_run.state))
        report.dag_states[dag_id] = state
        for ti in dag_run.get_task_instances():
            ti_state = str(getattr(ti.state, "value", ti.state))
            if ti_state in ("failed", "upstream_failed"):
                suffix = f"[{ti.map_index}]" if ti.map_index >= 0 else ""
                report.failed_tasks.append(f"{dag_id}.{ti.task_id}{suffix}")

    def run_date(
        self, as_of: dt.date, progress: Callable[[str, str, float], None] | None = None
    ) -> RunReport:
        """The three ingest DAGs, then the coverage DAG, for ``as_of`` (WIB); ``progress``
        hears of each DAG as it ends (its id, its state, its seconds)."""
        import pendulum

        from cakupan.dagkit import TZ

        report = RunReport(as_of)
        day = pendulum.datetime(as_of.year, as_of.month, as_of.day, tz=TZ)
        runs = [(dag_id, day.add(hours=5)) for dag_id in INGEST_DAG_IDS]
        runs.append((COVERAGE_DAG_ID, day.add(hours=6, minutes=30)))
        for dag_id, when in runs:
            began = time.monotonic()
            self._run(dag_id, when, report)
            if progress is not None:
                progress(dag_id, report.dag_states[dag_id], time.monotonic() - began)
        log.info("run_finished", as_of=as_of.isoformat(), ok=report.ok, failed=report.failed_tasks)
        return report
