"""Ingest DAGs, one per landing source: find new files, load them, account for every row.

discover_files -> load_files (mapped per batch of files) -> reconcile (emits the asset)

With no new file, discover_files is skipped and so is everything after it: no asset event,
so the coverage DAG is not triggered for nothing.

The work lives in cakupan.pipeline; heavy imports happen inside the tasks, not at parse.
"""

from __future__ import annotations

from airflow.sdk import CronTriggerTimetable, dag, get_current_context, task
from airflow.sdk.exceptions import AirflowSkipException

from cakupan.dagkit import (
    INGEST_CRON,
    LANDING_ASSETS,
    REFERENCE_ASSET,
    SOURCES,
    STAGING_ASSETS,
    START,
    TZ,
    default_args,
    failure_alert,
    local_date,
)


def ingest_dag(source: str) -> None:
    asset, landing = STAGING_ASSETS[source], LANDING_ASSETS[source]

    @dag(
        dag_id=f"cakupan_ingest_{source}",
        schedule=CronTriggerTimetable(INGEST_CRON, timezone=TZ),
        start_date=START,
        catchup=False,
        max_active_runs=1,
        default_args=default_args(),
        on_failure_callback=failure_alert(),
        tags=["cakupan", "ingest", source],
        doc_md=f"Loads new files from the landing folder `{source}/` into the warehouse. "
        "A file's received date is this run's logical date (Asia/Jakarta).",
    )
    def ingest() -> None:
        @task(inlets=[landing])
        def discover_files(**context) -> list[str]:
            from cakupan import pipeline

            manifests = pipeline.discover(source, local_date(context), context["run_id"])
            if not manifests:
                raise AirflowSkipException("no new files in the landing folder")
            return manifests

        @task(map_index_template="{{ batch_name }}", inlets=[landing, REFERENCE_ASSET])
        def load_files(manifest_path: str) -> dict[str, int]:
            from cakupan import pipeline

            get_current_context()["batch_name"] = manifest_path.rsplit("/", 1)[-1]

            return pipeline.load_batch(manifest_path)

        @task(outlets=[asset])
        def reconcile(manifest_paths: list[str], **context) -> dict[str, int]:
            from cakupan import pipeline

            totals = pipeline.reconcile(manifest_paths)
            context["outlet_events"][asset].extra = {"as_of": local_date(context).isoformat()}
            return totals

        manifests = discover_files()
        loaded = load_files.expand(manifest_path=manifests)
        loaded >> reconcile(manifests)

    ingest()


for _source in SOURCES:
    ingest_dag(_source)
