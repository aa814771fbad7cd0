"""Configuration is resolved in one place (cakupan.config) and handed down (issue 13)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cakupan import config
from cakupan.config import Config, current, install
from cakupan.paths import DEFAULT_DATA_DIR, PROJECT_ROOT


def test_defaults_without_any_variable() -> None:
    c = Config.resolve({})
    data = DEFAULT_DATA_DIR.resolve()
    assert c.data_dir == data
    assert c.landing_dir == data / "landing"
    assert c.warehouse_url == f"duckdb:///{data / 'warehouse.duckdb'}"
    assert c.report_dir == data / "reports"
    assert c.work_dir == data / "work"
    assert (c.settings_file, c.metrics_file, dict(c.alert_overrides)) == (None, None, {})
    assert (c.task_retries, c.retry_delay_s, c.warehouse_pool) == (2, 120, "cakupan_warehouse")


def test_variables_then_options_win(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    env = {
        "CAKUPAN_DATA_DIR": "d",  # relative: from the working directory
        "CAKUPAN_LANDING_DIR": "in",
        "CAKUPAN_WAREHOUSE_URL": "postgresql+psycopg://u@h/db",
        "CAKUPAN_SETTINGS": "s.yaml",
        "CAKUPAN_ALERT_CHANNEL": " webhook ",
        "CAKUPAN_TASK_RETRIES": "5",
    }
    c = Config.resolve(env)
    assert c.data_dir == tmp_path / "d"
    assert c.landing_dir == tmp_path / "in"
    assert c.report_dir == tmp_path / "d" / "reports"
    assert c.settings_file == tmp_path / "s.yaml"
    assert dict(c.alert_overrides) == {"channel": "webhook"}
    assert c.task_retries == 5
    chosen = Config.resolve(env, landing=Path("other"), warehouse="duckdb:///x.duckdb")
    assert (chosen.landing_dir, chosen.warehouse_url) == (tmp_path / "other", "duckdb:///x.duckdb")


def test_in_process_runs_are_not_retried_unless_asked() -> None:
    assert Config.resolve({}, in_process=True).task_retries == 0
    assert Config.resolve({"CAKUPAN_TASK_RETRIES": "1"}, in_process=True).task_retries == 1


def test_an_installed_configuration_is_what_tasks_use(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CAKUPAN_WAREHOUSE_URL", "duckdb:///from-env.duckdb")
    assert current().warehouse_url == "duckdb:///from-env.duckdb"
    mine = Config.resolve({}, warehouse="duckdb:///mine.duckdb")
    install(mine)
    try:
        assert current() is mine
    finally:
        install(None)
    assert current().warehouse_url == "duckdb:///from-env.duckdb"


def test_no_other_module_reads_or_writes_cakupan_variables() -> None:
    """One entry: only config.py names CAKUPAN_* variables, and nothing writes one."""
    offenders = []
    for path in [*(PROJECT_ROOT / "plugins").rglob("*.py"), *(PROJECT_ROOT / "dags").glob("*.py")]:
        if path == Path(config.__file__):
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"os\.environ[^\n]*CAKUPAN_|getenv\([^)]*CAKUPAN_", text):
            offenders.append(path.name)
    assert offenders == []
