"""Coverage DAG: the core models and the mart snapshot for a date.

Runs when any source's staging asset is updated, and daily at 06:30 WIB. Each date's rows
are replaced in one transaction, so re-runs and backfills are safe.
"""

from __future__ import annotations

from airflow.sdk import AssetOrTimeSchedule, CronTriggerTimetable, Param, dag, task

from cakupan.dagkit import (
    COVERAGE_CRON,
    DEFAULT_ARGS,
    MART_ASSET,
    STAGING_ASSETS,
    START,
    TZ,
    snapshot_dates,
)

_any_source = (
    STAGING_ASSETS["village_submissions"]
    | STAGING_ASSETS["poverty_lists"]
    | STAGING_ASSETS["member_exports"]
)


@dag(
    dag_id="cakupan_coverage",
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable(COVERAGE_CRON, timezone=TZ), assets=_any_source
    ),
    start_date=START,
    catchup=False,
    max_active_runs=1,
    default_args=DEFAULT_ARGS,
    params={
        "as_of": Param(
            None,
            type=["null", "string"],
            format="date",
            description="Snapshot date to (re)build, YYYY-MM-DD",
        )
    },
    tags=["cakupan", "coverage"],
    doc_md=__doc__,
)
def cakupan_coverage() -> None:
    @task
    def dates_to_build(**context) -> list[str]:
        return snapshot_dates(context)

    @task(inlets=list(STAGING_ASSETS.values()), outlets=[MART_ASSET])
    def build_snapshot(as_of: str) -> str:
        import datetime as dt

        from cakupan import pipeline

        pipeline.snapshot(dt.date.fromisoformat(as_of))
        return as_of

    build_snapshot.expand(as_of=dates_to_build())


cakupan_coverage()
