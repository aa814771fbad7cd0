"""The cakupan Airflow plugin: the coverage report in Airflow's web UI, for logged-in users.

The one module Airflow's plugin manager loads from this folder (``.airflowignore`` keeps
the ``cakupan`` package out of its file-by-file scan); what it registers lives in
``cakupan.webui``. The api-server mounts the app at ``/cakupan``; the UI shows "Coverage
report" under Browse, and a "Coverage report" tab on every DAG run leading to the report
of the dates a coverage run built.
"""

from __future__ import annotations

from typing import Any, ClassVar

from airflow.plugins_manager import AirflowPlugin

from cakupan.webui import URL_PREFIX, report_app

ROUTE = URL_PREFIX.strip("/")


class CakupanPlugin(AirflowPlugin):
    name = "cakupan"
    fastapi_apps: ClassVar[list[dict[str, Any]]] = [
        {"app": report_app(), "url_prefix": URL_PREFIX, "name": "Coverage report"}
    ]
    external_views: ClassVar[list[dict[str, Any]]] = [
        {
            "name": "Coverage report",
            "href": f"{ROUTE}/reports/index.html",
            "destination": "nav",
            "category": "browse",
            "url_route": "cakupan-report",
        },
        {
            "name": "Coverage report",
            "href": f"{ROUTE}/runs/{{DAG_ID}}/{{RUN_ID}}",
            "destination": "dag_run",
            "url_route": "cakupan-run-report",
        },
    ]
