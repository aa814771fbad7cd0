"""The coverage snapshot for a date: core models, marts and their GX audit, in one
transaction (write, audit, publish)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy.engine import Connection, Engine

from cakupan.checks.audit import AuditFailed, AuditResult, audit_snapshot, prepare_audit
from cakupan.checks.data_docs import render_snapshot_docs
from cakupan.logs import get_logger
from cakupan.marts.linkage import link_probable_matches, prepare_linkage
from cakupan.preload import Preload
from cakupan.settings import Settings
from cakupan.timing import Clock
from cakupan.warehouse.engine import lock_exclusive
from cakupan.warehouse.schema import write_settings
from cakupan.warehouse.sqlfiles import model_files, run_file

log = get_logger(__name__)

# A model takes the snapshot's connection and its bind parameters.
Model = Callable[[Connection, Mapping[str, Any]], None]

# Models written in Python, by the name of the slot they take among the SQL models'
# numbered files: what SQL cannot do well (a probabilistic linkage) still runs in order,
# in the snapshot's transaction, timed as a model.
PYTHON_MODELS: dict[str, Model] = {
    "core/065_probable_match": link_probable_matches,
}


def snapshot_models() -> list[tuple[str, Model]]:
    """Every model of a snapshot in run order, named ``layer/stem``: the SQL files of core,
    then mart, each layer's Python models in their slots."""
    models: list[tuple[str, Model]] = []
    for layer in ("core", "mart"):
        named: dict[str, Model] = {
            str(PurePosixPath(relpath).with_suffix("")): _sql_model(relpath)
            for relpath in model_files(layer)
        }
        named.update({n: m for n, m in PYTHON_MODELS.items() if n.startswith(f"{layer}/")})
        models.extend(sorted(named.items()))
    return models


def _sql_model(relpath: str) -> Model:
    def run(conn: Connection, params: Mapping[str, Any]) -> None:
        run_file(conn, relpath, params)

    return run


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

    Splink and GX are imported on a background thread while the SQL models before the
    first Python model work (``cakupan.preload``); the models wait for it only there.
    """
    params = snapshot_params(as_of, settings)
    clock = clock or Clock()
    log.info("snapshot_building", as_of=as_of.isoformat())
    preload = Preload(prepare_linkage, prepare_audit)
    try:
        with engine.begin() as conn:
            lock_exclusive(conn, "snapshot")
            write_settings(conn, settings)
            for name, model in snapshot_models():
                with clock.phase(name):
                    if name in PYTHON_MODELS:
                        preload.wait()
                    model(conn, params)
            with clock.phase("audit"):
                preload.wait()
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
