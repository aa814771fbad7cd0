"""Running the real ``cakupan`` command from tests, and reading marts back for comparison."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

import sqlalchemy as sa

SNAPSHOT_TABLES = ("coverage_village", "coverage_district", "coverage_regency", "coverage_province")
CAKUPAN = str(Path(sys.executable).with_name("cakupan"))


def run_env(data: Path, **extra: str) -> dict[str, str]:
    """Environment of one run: its own data folder, and so its own Airflow metadata database,
    copied from one migrated once per test process instead of migrated again per run."""
    metadata = data / "airflow" / "airflow.db"
    if not metadata.exists():
        metadata.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_migrated_metadata(), metadata)
    return {**os.environ, "CAKUPAN_DATA_DIR": str(data), **extra}


@cache
def _migrated_metadata() -> Path:
    """An Airflow metadata database (SQLite) migrated to head, with cakupan's pool, as
    ``cakupan run`` would leave it before its first DAG; made once per test process."""
    folder = Path(tempfile.mkdtemp(prefix="cakupan-airflow-template-"))
    script = (
        "from cakupan.runner import _prepare_airflow, configure\nconfigure()\n_prepare_airflow()\n"
    )
    env = {**os.environ, "CAKUPAN_DATA_DIR": str(folder)}
    env.pop("AIRFLOW_HOME", None)
    subprocess.run([sys.executable, "-c", script], env=env, check=True, capture_output=True)
    template = folder / "airflow" / "airflow.db"
    with sqlite3.connect(template) as db:  # everything in the main file, nothing in a WAL
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return template


def run_args(
    landing: Path, day: dt.date, url: str, verbose: bool = False, skip_preflight: bool = False
) -> list[str]:
    args = [
        CAKUPAN,
        "run",
        "--landing",
        str(landing),
        "--as-of",
        day.isoformat(),
        "--warehouse",
        url,
    ]
    args += ["--skip-preflight"] if skip_preflight else []
    return [*args, "--verbose"] if verbose else args


def cakupan_run(
    landing: Path,
    day: dt.date,
    url: str,
    data: Path,
    *,
    verbose: bool = False,
    expect_ok: bool = True,
    skip_preflight: bool = False,
    **extra_env: str,
) -> subprocess.CompletedProcess:
    done = subprocess.run(
        run_args(landing, day, url, verbose, skip_preflight),
        env=run_env(data, **extra_env),
        capture_output=True,
        text=True,
        timeout=900,
    )
    if expect_ok:
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done


def rows(engine, sql: str, **params) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text(sql), params).mappings()]


def snapshot(engine, day: dt.date) -> dict[str, list[dict]]:
    """Every snapshot table's rows for one date, in a stable order."""
    return {
        t: rows(engine, f"SELECT * FROM mart.{t} WHERE snapshot_date = :d ORDER BY 2", d=day)
        for t in SNAPSHOT_TABLES
    }


def all_marts(engine) -> dict[str, list[dict]]:
    """Every mart table in full, rows sorted, for comparing two warehouses."""
    out = {}
    for table in (*SNAPSHOT_TABLES, "data_quality", "rejected_rows", "duplicate_proposals"):
        got = rows(engine, f"SELECT * FROM mart.{table}")
        out[table] = sorted(got, key=lambda r: tuple(str(v) for v in r.values()))
    return out
