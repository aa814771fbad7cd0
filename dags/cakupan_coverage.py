"""Coverage DAG: the core models and the mart snapshot for a date, then the HTML report.

dates_to_build -> build_snapshot (mapped per date) -> write_report

Runs when any source's staging asset is updated, and daily at 06:30 WIB. Each date's rows
are replaced in one transaction, so re-runs and backfills are safe. The report pages of the
built dates are rewritten (README, "The coverage report").
"""

from __future__ import annotations

import datetime as dt

from airflow.sdk import AssetOrTimeSchedule, CronTriggerTimetable, Param, dag, task

from cakupan.dagkit import (
    COVERAGE_CRON,
    MART_ASSET,
    REFERENCE_ASSET,
    REPORT_ASSET,
    STAGING_ASSETS,
    START,
    TZ,
    default_args,
    failure_alert,
    snapshot_dates,
    snapshot_deadline,
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
    # a hung run would hold back the next day's run (and its deadline alert) for ever
    dagrun_timeout=dt.timedelta(hours=6),
    default_args=default_args(),
    on_failure_callback=failure_alert(),
    deadline=snapshot_deadline(),
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

    @task(inlets=[*STAGING_ASSETS.values(), REFERENCE_ASSET], outlets=[MART_ASSET])
    def build_snapshot(as_of: str) -> str:
        from cakupan import pipeline

        pipeline.snapshot(dt.date.fromisoformat(as_of))
        return as_of

    @task(inlets=[MART_ASSET], outlets=[REPORT_ASSET])
    def write_report(dates: list[str]) -> list[str]:
        from cakupan import pipeline

        return pipeline.report([dt.date.fromisoformat(day) for day in dates])

    dates = dates_to_build()
    build_snapshot.expand(as_of=dates) >> write_report(dates)


cakupan_coverage()
