"""The coverage report inside Airflow's web UI: a FastAPI app that Airflow's api-server
mounts at ``/cakupan`` (``plugins/cakupan_plugin.py``), serving the report folder and the
GX Data Docs beside it, read-only, to users logged in to Airflow.

Airflow does not protect a plugin's endpoints, so every route here depends on
:func:`reader`: the caller's identity is taken as Airflow's own API takes it (a bearer
token, else the ``_token`` cookie the UI sets at login), a request without a valid one gets
401, and the user must be allowed to read the coverage DAG (403 otherwise).

URLs mirror the data folder, so the pages' relative links work unchanged:
``/cakupan/reports/<date>.html`` (and ``index.html``, the shared chart script),
``/cakupan/gx/snapshots/<date>/index.html`` (the report's ``../gx/...`` Data Docs link), and
``/cakupan/runs/<dag_id>/<run_id>``: the report of the dates a coverage run built.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from cakupan.logs import get_logger
from cakupan.runner import COVERAGE_DAG_ID

if TYPE_CHECKING:
    from airflow.api_fastapi.auth.managers.models.base_user import BaseUser

log = get_logger(__name__)

URL_PREFIX = "/cakupan"
# The coverage DAG's first task returns the dates the run builds (dags/cakupan_coverage.py).
DATES_TASK_ID = "dates_to_build"
_HEADERS = {
    "Cache-Control": "private, no-cache",
    "X-Content-Type-Options": "nosniff",
}

RunDates = Callable[[str, str], list[dt.date]]


class NotLoggedInError(Exception):
    """No valid Airflow token or session cookie on the request."""


class NotAllowedError(Exception):
    """A logged-in user who may not read the coverage DAG."""


_bearer = HTTPBearer(auto_error=False)


async def reader(
    request: Request,
    bearer: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> BaseUser:
    """The logged-in Airflow user allowed to read the coverage DAG's runs.

    Airflow's own ``get_user`` decides who the caller is (bearer token first, then the UI's
    cookie); a missing, expired or forged token is 401 here, where Airflow's API answers a
    forged one with 403: to this page they all mean "log in". Airflow's modules are imported
    here, when called, so the scheduler and workers, which load plugins too, never import
    the API's security module (many seconds).
    """
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import (
        DagAccessEntity,
        DagDetails,
    )
    from airflow.api_fastapi.core_api.security import get_user

    try:
        user = await get_user(request, _oauth_token=None, bearer_credentials=bearer)
    except HTTPException as exc:
        log.info("report_login_required", path=request.url.path, reason=str(exc.detail))
        raise NotLoggedInError from exc
    allowed = get_auth_manager().is_authorized_dag(
        method="GET",
        access_entity=DagAccessEntity.RUN,
        details=DagDetails(id=COVERAGE_DAG_ID),
        user=user,
    )
    if not allowed:
        log.info("report_not_allowed", path=request.url.path, user=user.get_name())
        raise NotAllowedError
    return user


Reader = Annotated[Any, Depends(reader)]


def _page(status: int, title: str, body: str) -> HTMLResponse:
    """A small bilingual page for what is not a report (login, not allowed, not found)."""
    text = (
        '<!doctype html><html lang="id"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
    headers = {**_HEADERS, **({"WWW-Authenticate": "Bearer"} if status == 401 else {})}
    return HTMLResponse(text, status_code=status, headers=headers)


def _login_page() -> HTMLResponse:
    return _page(
        401,
        "Masuk ke Airflow dulu / Log in to Airflow first",
        '<p>Laporan cakupan hanya untuk pengguna Airflow. <a href="/">Masuk</a>, lalu buka '
        "lagi halaman ini.</p><p>The coverage report is for Airflow users only. "
        '<a href="/">Log in</a>, then open this page again.</p>',
    )


def _missing_page(what: str, index_url: str) -> HTMLResponse:
    return _page(
        404,
        "Laporan belum ada / No report yet",
        f"<p>{html.escape(what)}</p><p>Laporan ditulis oleh tugas <code>write_report</code> DAG "
        f"<code>{COVERAGE_DAG_ID}</code>. / The report is written by the "
        f"<code>write_report</code> task of the <code>{COVERAGE_DAG_ID}</code> DAG.</p>"
        f'<p><a href="{html.escape(index_url)}">Semua tanggal laporan / All report dates</a></p>',
    )


def safe_file(root: Path, path: str) -> Path | None:
    """The regular file ``path`` names under ``root``, or None: no ``..``, no hidden names
    (temporary files, locks, build folders), nothing a link leads to outside ``root``."""
    parts = [p for p in path.split("/") if p]
    if any(p.startswith(".") or "\\" in p or "\x00" in p for p in parts):
        return None
    base = root.resolve()
    found = base.joinpath(*parts).resolve()
    if not found.is_relative_to(base) or not found.is_file():
        return None
    return found


def airflow_run_dates(dag_id: str, run_id: str) -> list[dt.date]:
    """The dates a coverage run built, from its first task's XCom in Airflow's metadata
    database (empty for another DAG, or before the task ran)."""
    from airflow.models.xcom import XComModel
    from airflow.utils.session import create_session

    with create_session() as session:
        found = session.scalars(
            XComModel.get_many(
                run_id=run_id, dag_ids=dag_id, task_ids=DATES_TASK_ID, key="return_value"
            )
        ).all()
        values = [XComModel.deserialize_value(x) for x in found]
    return sorted({dt.date.fromisoformat(day) for value in values for day in value or ()})


async def _login_required(request: Request, exc: Exception) -> Response:
    return _login_page()


async def _not_allowed(request: Request, exc: Exception) -> Response:
    return _page(
        403,
        "Tidak diizinkan / Not allowed",
        f"<p>Akun ini tidak boleh membaca DAG {COVERAGE_DAG_ID}. / This account may not "
        f"read the {COVERAGE_DAG_ID} DAG.</p>",
    )


def _index_url(request: Request) -> str:
    return f"{request.scope.get('root_path', '')}/reports/index.html"


def _serve(request: Request, root: Path, path: str) -> Response:
    found = safe_file(root, path)
    if found is None:
        return _missing_page(
            "Berkas ini tidak ada di laporan. / This file is not part of the report.",
            _index_url(request),
        )
    return FileResponse(found, headers=_HEADERS)


def _run_page(request: Request, report_dir: Path, dates: list[dt.date]) -> Response:
    """The page of the latest date a run built; the index for a run that built none (an
    ingest run); a clear page when that report is not written (yet)."""
    from cakupan.report.labels import DEFAULT_LANGUAGE, page_name

    if not dates:
        return RedirectResponse(_index_url(request))
    name = page_name(dates[-1], DEFAULT_LANGUAGE)
    if safe_file(report_dir, name) is None:
        return _missing_page(
            f"Laporan {dates[-1].isoformat()} belum ditulis. / The report of "
            f"{dates[-1].isoformat()} has not been written yet.",
            _index_url(request),
        )
    return RedirectResponse(_index_url(request).replace("index.html", name))


def create_app(
    report_dir: Callable[[], Path],
    gx_dir: Callable[[], Path],
    run_dates: RunDates = airflow_run_dates,
) -> FastAPI:
    """The report app; folders are read per request, so a changed configuration needs no
    restart of the api-server."""
    app = FastAPI(title="cakupan coverage report", docs_url=None, redoc_url=None, openapi_url=None)
    app.add_exception_handler(NotLoggedInError, _login_required)
    app.add_exception_handler(NotAllowedError, _not_allowed)

    @app.get("/")
    def home(request: Request, user: Reader) -> Response:
        return RedirectResponse(_index_url(request))

    @app.get("/reports/{path:path}")
    def report_file(request: Request, path: str, user: Reader) -> Response:
        return _serve(request, report_dir(), path or "index.html")

    @app.get("/gx/{path:path}")
    def data_docs_file(request: Request, path: str, user: Reader) -> Response:
        return _serve(request, gx_dir(), path)

    @app.get("/runs/{dag_id}/{run_id}")
    def run_report(request: Request, dag_id: str, run_id: str, user: Reader) -> Response:
        return _run_page(request, report_dir(), run_dates(dag_id, run_id))

    return app


def report_app() -> FastAPI:
    """The app the plugin mounts, reading the folders of this process's configuration."""
    from cakupan.checks.data_docs import gx_dir
    from cakupan.config import current

    return create_app(lambda: current().report_dir, gx_dir)
