"""The coverage snapshot for a date: core models then marts, in one transaction."""

from __future__ import annotations

import datetime as dt
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy.engine import Engine

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
    }


def build_snapshot(
    engine: Engine, as_of: dt.date, settings: Settings, clock: Clock | None = None
) -> None:
    """Replace the rows of ``as_of`` in every core and mart table, all or nothing.

    Only files received on or before ``as_of`` are used, so re-running a date, or
    backfilling it after later files arrived, reproduces the same rows. Each model's time
    is a phase of ``clock`` (``core/050_poverty_latest``, ...), so a slow model is named.
    """
    params = snapshot_params(as_of, settings)
    clock = clock or Clock()
    log.info("snapshot_building", as_of=as_of.isoformat())
    with engine.begin() as conn:
        lock_exclusive(conn, "snapshot")
        write_settings(conn, settings)
        for relpath in model_files("core") + model_files("mart"):
            model = PurePosixPath(relpath)
            with clock.phase(f"{model.parent.name}/{model.stem}"):
                run_file(conn, relpath, params)
    log.info("snapshot_built", as_of=as_of.isoformat(), seconds=round(clock.wall, 2))
