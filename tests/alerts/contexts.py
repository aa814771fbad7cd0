"""Callback contexts shaped like the ones Airflow 3.3 passes, with personal data planted
where a careless alert could pick it up (exception text, params, notes, user names)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from typing import Any

from airflow.sdk import DAG

from tests.alerts.conftest import PLANTED_NIK

UTC = dt.UTC


def dag_failure_context(map_index: int = 2) -> dict[str, Any]:
    """What the DAG processor (or dag.test) hands an ``on_failure_callback``: the template
    context of the task instance whose failure failed the run, plus ``reason``."""
    logical = dt.datetime(2025, 6, 1, 22, 0, tzinfo=UTC)  # 05:00 WIB on 2 June
    run_id = "scheduled__2025-06-01T22:00:00+00:00"
    dag_id = "cakupan_ingest_village_submissions"
    ti = SimpleNamespace(
        dag_id=dag_id,
        run_id=run_id,
        task_id="load_files",
        map_index=map_index,
        try_number=1,
        log_url=(
            f"http://airflow.example/dags/{dag_id}/runs/scheduled__2025-06-01T22%3A00%3A00%2B00"
            f"%3A00/tasks/load_files/mapped/{map_index}?try_number=1"
        ),
    )
    dag_run = SimpleNamespace(
        dag_id=dag_id,
        run_id=run_id,
        logical_date=logical,
        run_after=logical,
        run_type="scheduled",
        conf={"note": f"NIK {PLANTED_NIK}"},
    )
    return {
        "dag": DAG(dag_id=dag_id, schedule=None),
        "dag_run": dag_run,
        "ti": ti,
        "task_instance": ti,
        "run_id": run_id,
        "logical_date": logical,
        "params": {"as_of": None, "who": f"Siti, NIK {PLANTED_NIK}"},
        "exception": ValueError(f"row 7: NIK {PLANTED_NIK} is not valid"),
        "reason": "task_failure",
    }


def deadline_context(
    *,
    run_type: str = "scheduled",
    day: dt.date = dt.date(2025, 6, 2),
    queued_at: dt.datetime | None = None,
    asset_triggered: bool = False,
) -> dict[str, Any]:
    """What the scheduler stores for a deadline callback (Deadline.handle_miss): the run as
    the REST API returns it (JSON) and the deadline."""
    wib = dt.timezone(dt.timedelta(hours=7))
    logical = None if asset_triggered else dt.datetime.combine(day, dt.time(6, 30), wib)
    run_after = dt.datetime.combine(day, dt.time(5, 10 if asset_triggered else 30), wib)
    queued = queued_at or run_after
    run_id = f"{run_type}__{(logical or run_after).astimezone(UTC).isoformat()}"

    def js(moment: dt.datetime | None) -> str | None:
        return moment.astimezone(UTC).isoformat().replace("+00:00", "Z") if moment else None

    return {
        "dag_run": {
            "dag_run_id": run_id,
            "dag_id": "cakupan_coverage",
            "logical_date": js(logical),
            "queued_at": js(queued),
            "start_date": js(queued),
            "end_date": None,
            "run_after": js(run_after),
            "run_type": run_type,
            "state": "running",
            "triggered_by": "timetable",
            "triggering_user_name": f"operator {PLANTED_NIK}",
            "conf": {"as_of": None, "comment": f"NIK {PLANTED_NIK}"},
            "note": f"NIK {PLANTED_NIK}",
            "dag_display_name": "cakupan_coverage",
        },
        "deadline": {
            "id": "01931b5e-0000-7000-8000-000000000000",
            "deadline_time": dt.datetime.combine(day, dt.time(8, 0), wib).astimezone(UTC),
        },
    }
