"""Running the real ``cakupan`` command from tests, and reading marts back for comparison."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

SNAPSHOT_TABLES = ("coverage_village", "coverage_district", "coverage_regency", "coverage_province")
CAKUPAN = str(Path(sys.executable).with_name("cakupan"))


def run_env(data: Path, **extra: str) -> dict[str, str]:
    """Environment of one run: its own data folder (and so its own Airflow metadata)."""
    return {**os.environ, "CAKUPAN_DATA_DIR": str(data), **extra}


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
