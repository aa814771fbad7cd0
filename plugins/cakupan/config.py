"""cakupan's configuration, resolved in one place and handed down.

Where the data goes, which warehouse, which settings file and how tasks retry come from the
environment variables of the README's table; ``cakupan run`` may override some of them by
its options. :meth:`Config.resolve` reads them all, once; no other module reads a
``CAKUPAN_*`` variable or writes one to steer another module.

Who resolves it:

* a task (on a worker, or in ``cakupan run``'s own process) calls :func:`current` at its
  entry (``cakupan.pipeline``) and passes the result, and the settings it names, down;
* ``cakupan run`` resolves it from its options and :func:`install`\\ s it before loading the
  DAGs, so the tasks it runs in-process use the same one;
* the DAG files read the few values Airflow needs at parse time (retries, pool) from
  :func:`current` too.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from cakupan.paths import DEFAULT_DATA_DIR
from cakupan.settings import ALERT_ENV

if TYPE_CHECKING:
    from cakupan.settings import Settings


@dataclass(frozen=True)
class Config:
    data_dir: Path  # warehouse file, work files, in-process Airflow home, Data Docs
    landing_dir: Path  # the three source folders (CONTRACT §2)
    warehouse_url: str  # SQLAlchemy URL
    report_dir: Path
    settings_file: Path | None = None  # YAML over include/settings.yaml
    alert_overrides: Mapping[str, str] = field(default_factory=dict)  # settings.ALERT_ENV
    metrics_file: Path | None = None  # where tasks append their timings (the benchmark)
    task_retries: int = 2
    retry_delay_s: int = 120
    warehouse_pool: str = "cakupan_warehouse"
    duckdb_memory_limit: str = "1GB"  # DuckDB would take 80 % of RAM by default
    duckdb_lock_wait_s: float = 600.0  # how long to wait for another process's DuckDB file

    @classmethod
    def resolve(
        cls,
        environ: Mapping[str, str] | None = None,
        *,
        landing: Path | None = None,
        warehouse: str | None = None,
        settings_file: Path | None = None,
        in_process: bool = False,
    ) -> Config:
        """The environment's configuration (``os.environ`` unless given), with the options
        of ``cakupan run`` winning over it. Relative paths are taken from the current
        working directory. ``in_process`` (``cakupan run``): tasks are not retried unless
        ``CAKUPAN_TASK_RETRIES`` says so, as a retry would only repeat the same failure in
        front of the person waiting."""
        env = os.environ if environ is None else environ

        def path(name: str, default: Path) -> Path:
            value = env.get(name, "").strip()
            return Path(value).resolve() if value else default

        data = path("CAKUPAN_DATA_DIR", DEFAULT_DATA_DIR.resolve())
        settings = settings_file or (
            Path(env["CAKUPAN_SETTINGS"]) if env.get("CAKUPAN_SETTINGS", "").strip() else None
        )
        metrics = env.get("CAKUPAN_METRICS_FILE", "").strip()
        return cls(
            data_dir=data,
            landing_dir=Path(landing).resolve()
            if landing
            else path("CAKUPAN_LANDING_DIR", data / "landing"),
            warehouse_url=warehouse
            or env.get("CAKUPAN_WAREHOUSE_URL", "").strip()
            or f"duckdb:///{data / 'warehouse.duckdb'}",
            report_dir=path("CAKUPAN_REPORT_DIR", data / "reports"),
            settings_file=Path(settings).resolve() if settings else None,
            alert_overrides={
                key: env[name].strip()
                for key, name in ALERT_ENV.items()
                if env.get(name, "").strip()
            },
            metrics_file=Path(metrics) if metrics else None,
            task_retries=int(env.get("CAKUPAN_TASK_RETRIES", "0" if in_process else "2")),
            retry_delay_s=int(env.get("CAKUPAN_RETRY_DELAY_S", "120")),
            warehouse_pool=env.get("CAKUPAN_WAREHOUSE_POOL", "cakupan_warehouse"),
            duckdb_memory_limit=env.get("CAKUPAN_DUCKDB_MEMORY_LIMIT", "1GB"),
            duckdb_lock_wait_s=float(env.get("CAKUPAN_DUCKDB_LOCK_WAIT_S", "600")),
        )

    @property
    def work_dir(self) -> Path:
        """Scratch space: batch manifests passed between tasks, caches."""
        return self.data_dir / "work"

    @property
    def airflow_home(self) -> Path:
        """The in-process Airflow's home for ``cakupan run`` (unless AIRFLOW_HOME is set)."""
        return self.data_dir / "airflow"

    def settings(self) -> Settings:
        """The settings this configuration names: shipped defaults, the settings file, then
        the alert destinations from the environment."""
        from cakupan.settings import load_settings

        return load_settings(self.settings_file, self.alert_overrides)

    def with_(self, **changes: object) -> Config:
        return replace(self, **changes)


_INSTALLED: Config | None = None


def install(config: Config | None) -> None:
    """Make ``config`` this process's configuration (``cakupan run``; None: the environment's
    again). Tasks run in this process then use it instead of resolving the environment."""
    global _INSTALLED
    _INSTALLED = config


def current() -> Config:
    """This process's configuration: the installed one, else the environment's, resolved now."""
    return _INSTALLED if _INSTALLED is not None else Config.resolve()
