"""Shared pieces of the DAG files: time zone, assets, defaults, alerts, the run's local date.

Cheap to import (DAG files import it at parse time): no pandas, GX or drivers here.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pendulum
from airflow.sdk import Asset

from cakupan.config import current

if TYPE_CHECKING:
    from airflow.sdk import DeadlineAlert

    from cakupan.alerts import CakupanNotifier

TZ = pendulum.timezone("Asia/Jakarta")
START = pendulum.datetime(2025, 5, 1, tz=TZ)
SOURCES = ("village_submissions", "poverty_lists", "member_exports")

# Ingest each morning at 05:00 WIB; the snapshot follows the assets, and runs daily at
# 06:30 WIB in any case so a quiet day still gets its row.
INGEST_CRON = "0 5 * * *"
COVERAGE_CRON = "30 6 * * *"


STAGING_ASSETS = {
    source: Asset(name=f"cakupan_staging_{source}", uri=f"cakupan://warehouse/staging/{source}")
    for source in SOURCES
}
MART_ASSET = Asset(name="cakupan_mart_coverage", uri="cakupan://warehouse/mart/coverage")

# Lineage only (nothing is scheduled on these): where the data comes from and where the
# report goes, so the Airflow UI's asset graph shows landing -> staging -> mart -> report.
LANDING_ASSETS = {
    source: Asset(name=f"cakupan_landing_{source}", uri=f"cakupan://landing/{source}")
    for source in SOURCES
}
REFERENCE_ASSET = Asset(name="cakupan_reference_villages", uri="cakupan://reference/wilayah_sumsel")
REPORT_ASSET = Asset(name="cakupan_coverage_report", uri="cakupan://reports/coverage")


def default_args() -> dict[str, Any]:
    """Every task's defaults, from the configuration when the DAG file is parsed.

    DuckDB allows one writing process per file: every task that writes the warehouse runs in
    the warehouse pool, which the deployment creates with 1 slot on DuckDB (more on
    PostgreSQL).
    """
    config = current()
    return {
        "owner": "cakupan",
        "retries": config.task_retries,
        "retry_delay": dt.timedelta(seconds=config.retry_delay_s),
        "pool": config.warehouse_pool,
    }


def failure_alert() -> CakupanNotifier:
    """Every DAG's ``on_failure_callback``: the ``dag_failed`` alert (README, "Alerts")."""
    from cakupan.alerts import CakupanNotifier

    return CakupanNotifier()


def snapshot_deadline() -> DeadlineAlert:
    """The coverage DAG's ``deadline``: day D's run done by ``alerts.snapshot_deadline`` WIB.

    Reads the settings YAML at parse time (cheap; no database).
    """
    from cakupan.alerts import snapshot_deadline_alert

    minute, hour = (int(part) for part in COVERAGE_CRON.split()[:2])
    ready_by = current().settings().alerts.snapshot_deadline
    return snapshot_deadline_alert(ready_by, dt.time(hour, minute))


def local_date(context: Any) -> dt.date:
    """The run's date in WIB: its logical date, or when it was due for runs without one."""
    moment = context.get("logical_date") or context["dag_run"].run_after
    return pendulum.instance(moment).in_timezone(TZ).date()


def snapshot_dates(context: Any) -> list[str]:
    """Dates to build: the ``as_of`` param, else the dates of the ingest runs whose assets
    triggered this run (a backfilled ingest rebuilds its own date), else the run's date."""
    requested = (context.get("params") or {}).get("as_of")
    if requested:
        return [dt.date.fromisoformat(str(requested)).isoformat()]
    dates = set()
    for events in (context.get("triggering_asset_events") or {}).values():
        for event in events:
            as_of = (event.extra or {}).get("as_of")
            if as_of:
                dates.add(dt.date.fromisoformat(as_of).isoformat())
    return sorted(dates) or [local_date(context).isoformat()]
