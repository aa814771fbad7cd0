"""Where the project's own files live. Run-time folders are configuration: ``cakupan.config``."""

from __future__ import annotations

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]
SQL_DIR = PROJECT_ROOT / "include" / "sql"
REFERENCE_DIR = PROJECT_ROOT / "include" / "reference" / "wilayah_sumsel"
DEFAULT_SETTINGS_FILE = PROJECT_ROOT / "include" / "settings.yaml"
EXPECTATIONS_DIR = PROJECT_ROOT / "expectations"
DAGS_DIR = PROJECT_ROOT / "dags"
# Run-time data when CAKUPAN_DATA_DIR is not set (cakupan.config resolves it).
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
