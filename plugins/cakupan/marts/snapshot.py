"""The coverage snapshot for a date: core models, marts and their GX audit, in one
transaction (write, audit, publish)."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy.engine import Engine

from cakupan.checks.audit import AuditFailed, AuditResult, audit_snapshot
from cakupan.checks.data_docs import render_snapshot_docs
from cakupan.logs import get_logger
from cakupan.settings import Settings
from cakupan.timing import Clock
from cakupan.warehouse.engine import lock_exclusive
from cakupan.warehouse.schema import write_settings
from cakupan.warehouse.sqlfiles import model_files, run_file

log = get_logger(__name__)


def snapshot_params(as_of: dt.date, settings: Settings) -> dict[str, Any]:
    """Bind parameters of the SQL models; months are numbered year * 12 + month."""
    return {
        "as_of": as_of,
        "as_of_month": as_of.year * 12 + as_of.month,
        "min_age": settings.min_age,
        "max_age": settings.max_age,
        "grace_months": settings.grace_months,
        "poor_max_decile": settings.poor_max_decile,
        "min_probability": settings.linkage.min_probability,
        "contribution_idr_per_month": settings.contribution_idr_per_month,
        "window_days": settings.forecast.window_days,
    }


def build_snapshot(
    engine: Engine, as_of: dt.date, settings: Settings, clock: Clock | None = None
) -> AuditResult:
    """Replace the rows of ``as_of`` in every core and mart table, all or nothing.

    Only files received on or before ``as_of`` are used, so re-running a date, or
    backfilling it after later files arrived, reproduces the same rows. Each model's time
    is a phase of ``clock`` (``core/050_poverty_latest``, ...), so a slow model is named.

    Before the transaction commits, GX audits the date's rows of every published table
    (``cakupan.checks.audit``). A failed critical expectation raises
    :class:`~cakupan.checks.audit.AuditFailed`: the transaction rolls back, so nothing of
    the date is published and a previous build of it stays. The audit's Data Docs are
    rendered after the outcome is known; a rendering failure is only logged.
    """
    params = snapshot_params(as_of, settings)
    clock = clock or Clock()
    log.info("snapshot_building", as_of=as_of.isoformat())
    try:
        with engine.begin() as conn:
            lock_exclusive(conn, "snapshot")
            write_settings(conn, settings)
            for relpath in model_files("core") + model_files("mart"):
                model = PurePosixPath(relpath)
                with clock.phase(f"{model.parent.name}/{model.stem}"):
                    run_file(conn, relpath, params)
            with clock.phase("audit"):
                audit = audit_snapshot(conn, as_of, settings)
    except AuditFailed as failed:
        log.error("snapshot_not_published", as_of=as_of.isoformat(), error=str(failed))
        with clock.phase("data_docs"):
            render_snapshot_docs(failed.audit, published=False)
        raise
    log.info("snapshot_built", as_of=as_of.isoformat(), seconds=round(clock.wall, 2))
    with clock.phase("data_docs"):
        render_snapshot_docs(audit)
    return audit
