"""Where things live: the project tree and the run-time folders, each overridable by env."""

from __future__ import annotations

import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = PROJECT_ROOT / "include" / "sql"
REFERENCE_DIR = PROJECT_ROOT / "include" / "reference" / "wilayah_sumsel"
DEFAULT_SETTINGS_FILE = PROJECT_ROOT / "include" / "settings.yaml"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
DAGS_DIR = PROJECT_ROOT / "dags"


def data_dir() -> Path:
    """Run-time data (warehouse file, work files, Airflow home for ``cakupan run``)."""
    return Path(os.environ.get("CAKUPAN_DATA_DIR", PROJECT_ROOT / "data")).resolve()


def landing_dir() -> Path:
    """The landing zone with its three source subfolders (CONTRACT §2)."""
    return Path(os.environ.get("CAKUPAN_LANDING_DIR", data_dir() / "landing")).resolve()


def warehouse_url() -> str:
    """SQLAlchemy URL of the warehouse; an embedded DuckDB file by default (CONTRACT §6)."""
    url = os.environ.get("CAKUPAN_WAREHOUSE_URL")
    if url:
        return url
    return f"duckdb:///{data_dir() / 'warehouse.duckdb'}"


def work_dir() -> Path:
    """Scratch space for batch manifests and validation results passed between tasks."""
    return data_dir() / "work"
