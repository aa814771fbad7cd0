"""What ``cakupan run`` checks before any DAG runs: every problem a person can fix, as one
line, instead of a task failing deep inside Airflow with pages of tracebacks.

Checked in this order: the settings (file, YAML, keys, values), the landing folder (it must
hold at least one of the source folders), the warehouse (reachable and accepting us). The
data folder is then held for the run, so a second ``cakupan run`` on it waits its turn.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from cakupan.sources.specs import SOURCES

if TYPE_CHECKING:
    from cakupan.config import Config
    from cakupan.settings import Settings


class Refused(Exception):
    """A problem the person running the command can fix; its text is the one line shown."""


def check(config: Config) -> Settings:
    """The settings the run will use, once the landing folder and the warehouse are usable."""
    from cakupan.settings import SettingsError

    try:
        settings = config.settings()
    except SettingsError as exc:
        raise Refused(str(exc)) from exc
    _check_landing(config)
    _check_warehouse(config)
    return settings


def _check_landing(config: Config) -> None:
    landing = config.landing_dir
    if not landing.is_dir():
        raise Refused(f"landing folder not found: {landing}")
    if not any((landing / source).is_dir() for source in SOURCES):
        folders = ", ".join(f"{source}/" for source in SOURCES)
        raise Refused(
            f"landing folder {landing} holds none of the source folders {folders}: "
            "point --landing at the folder that contains them"
        )


def _check_warehouse(config: Config) -> None:
    """Connect once; a refusal names the host and port (or the file), never the password."""
    import sqlalchemy as sa

    from cakupan.warehouse.engine import WarehouseError, create_warehouse_engine

    url = sa.engine.make_url(config.warehouse_url)
    if url.get_backend_name() == "duckdb":
        where = f"DuckDB file {url.database}"
    else:
        where = (
            f"PostgreSQL at {url.host or 'localhost'}:{url.port or 5432}, database {url.database}"
        )
    try:
        engine = create_warehouse_engine(config=config)
    except WarehouseError as exc:
        raise Refused(str(exc)) from exc
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
    except sa.exc.DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
        if url.password:
            reason = reason.replace(url.password, "***")
        raise Refused(
            f"warehouse unreachable or refusing: {where}: {reason} "
            "(check --warehouse or CAKUPAN_WAREHOUSE_URL)"
        ) from exc
    finally:
        engine.dispose()


@contextmanager
def holding_data_folder(config: Config, waiting: Callable[[str], None]) -> Iterator[None]:
    """Hold the data folder (its Airflow metadata, work files, DuckDB file) for one run.

    A second ``cakupan run`` on the same folder says so in one line (``waiting``) and waits
    for the first to finish instead of colliding with it in Airflow's metadata database.
    """
    config.data_dir.mkdir(parents=True, exist_ok=True)
    path = config.data_dir / ".cakupan-run.lock"
    with open(path, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waiting(f"another cakupan run is using {config.data_dir}; waiting for it to finish")
            fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        fh.truncate()
        fh.write(f"{os.getpid()}\n")
        fh.flush()
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
