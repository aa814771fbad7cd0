"""Run by test_real_runs.py in the Airflow home of a finished ``cakupan run``: Airflow's own
code creates runs of the coverage DAG the way the scheduler does, evaluates its Deadline
Alert, handles the miss and runs the resulting trigger the way the triggerer does.

Usage: python deadline_probe.py LANDING WAREHOUSE_URL DAY   (prints one JSON line)
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import sys
from pathlib import Path


def main(landing: str, warehouse: str, day: dt.date) -> dict:
    from cakupan.runner import configure

    configure(Path(landing), warehouse)  # the same Airflow home as the run, before Airflow

    import pendulum
    from airflow._shared.module_loading import import_string
    from airflow.models.dagbag import DBDagBag
    from airflow.models.deadline import Deadline
    from airflow.utils.session import create_session
    from airflow.utils.state import DagRunState
    from airflow.utils.types import DagRunTriggeredByType, DagRunType
    from sqlalchemy import select

    from cakupan.dagkit import TZ

    def deadlines(session, run) -> list:
        session.flush()
        return list(session.scalars(select(Deadline).where(Deadline.dagrun_id == run.id)))

    out: dict = {}
    with create_session() as session:
        dag = DBDagBag().get_latest_version_of_dag("cakupan_coverage", session=session)
        earlier = session.scalars(select(Deadline)).all()
        out["cakupan_run_deadlines"] = [d.deadline_time.isoformat() for d in earlier]

        # The daily run, as the scheduler creates it from the cron timetable.
        at = pendulum.datetime(day.year, day.month, day.day, 6, 30, tz=TZ)
        daily = dag.create_dagrun(
            run_id=f"scheduled__{at.isoformat()}",
            logical_date=at,
            data_interval=(at, at),
            run_after=at,
            run_type=DagRunType.SCHEDULED,
            triggered_by=DagRunTriggeredByType.TIMETABLE,
            state=DagRunState.QUEUED,
            session=session,
        )
        [deadline] = deadlines(session, daily)
        out["daily_deadline"] = deadline.deadline_time.isoformat()

        # An asset-triggered run, as the scheduler creates it: no logical date.
        after = pendulum.datetime(day.year, day.month, day.day, 5, 10, tz=TZ)
        triggered = dag.create_dagrun(
            run_id=f"asset_triggered__{after.isoformat()}",
            logical_date=None,
            data_interval=None,
            run_after=after,
            run_type=DagRunType.ASSET_TRIGGERED,
            triggered_by=DagRunTriggeredByType.ASSET,
            state=DagRunState.QUEUED,
            session=session,
        )
        out["asset_triggered_deadlines"] = len(deadlines(session, triggered))

        # The miss, as the scheduler handles it, then the trigger as the triggerer runs it.
        deadline.handle_miss(session)
        session.flush()
        trigger_row = deadline.callback.trigger
        out["callback_type"] = type(deadline.callback).__name__
        out["trigger_classpath"] = trigger_row.classpath
        trigger = import_string(trigger_row.classpath)(**trigger_row.kwargs)

        async def collect() -> list:
            return [event.payload async for event in trigger.run()]

        out["trigger_events"] = [str(p.get("state")) for p in asyncio.run(collect())]
        session.rollback()  # leave the home as the run left it
    return out


if __name__ == "__main__":
    result = main(sys.argv[1], sys.argv[2], dt.date.fromisoformat(sys.argv[3]))
    sys.stdout.write(json.dumps(result) + "\n")
