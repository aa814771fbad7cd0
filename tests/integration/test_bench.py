"""``cakupan bench`` end to end at a tiny scale: the real job as a child process on a fresh
PostgreSQL database and a DuckDB file, the ledger checked against the generated set, both
baselines, the empty run, one memory run, the doc block and the JSON line.

The dlt peer runs when ``make bench`` has built its virtualenv (``data/bench/venv``, from
PyPI, which tests must not need); otherwise the bench runs with ``--no-dlt`` and its dlt
figures must be null."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import sqlalchemy as sa

from cakupan.cli import main
from cakupan_dev.bench.dlt_runner import SHARED_ROOT, dlt_env
from tests.conftest import PG_ADMIN_URL

pytestmark = [pytest.mark.slow, pytest.mark.postgres, pytest.mark.xdist_group("bench")]

KEYS = {
    "cold_s",
    "increment_s",
    "peak_rss_mb",
    "bare_load_ratio",
    "peer_ratio",
    "validation_share",
    "ingest_s",
    "dlt_s",
    "dlt_ratio",
    "empty_run_s",
}


def _bench_databases() -> set[str]:
    engine = sa.create_engine(PG_ADMIN_URL)
    try:
        with engine.connect() as conn:
            names = conn.exec_driver_sql("SELECT datname FROM pg_database").scalars()
            return {n for n in names if n.startswith("cakupan_bench_")}
    finally:
        engine.dispose()


def test_bench_on_both_engines(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    doc = tmp_path / "performance.md"
    doc.write_text("# Performance\n\nProse.\n", encoding="utf-8")
    before = _bench_databases()
    dlt_env(SHARED_ROOT)  # built by make setup; built here if it is missing
    dlt_args = ["--dlt-venv", str(SHARED_ROOT)]
    code = main(
        [
            "bench",
            "--scale",
            "0.002",
            "--out",
            str(tmp_path / "bench"),
            "--pg-admin-url",
            PG_ADMIN_URL,
            "--doc",
            str(doc),
            "--memory-factors",
            "1",
            *dlt_args,
        ]
    )
    assert code == 0
    last = capsys.readouterr().out.strip().splitlines()[-1]
    figures = json.loads(last)
    assert set(figures) == {"duckdb", "postgresql"}
    for engine, values in figures.items():
        assert set(values) >= KEYS, engine
        assert values["cold_s"] > 0 and values["increment_s"] > 0
        assert values["peak_rss_mb"] > 100
        assert values["bare_load_ratio"] > 0 and values["peer_ratio"] > 0
        assert 0 < values["validation_share"] < 1
        assert 0 < values["ingest_s"] < values["cold_s"]
        assert values["empty_run_s"] > 0
        assert values["dlt_s"] > 0
        assert values["dlt_ratio"] == pytest.approx(values["ingest_s"] / values["dlt_s"], 0.05)
    text = doc.read_text(encoding="utf-8")
    assert text.startswith("# Performance\n\nProse.")
    assert "<!-- bench:begin -->" in text and "| load poverty_lists |" in text
    assert "| day 1's files into the warehouse | duckdb | postgresql |" in text
    assert "| cakupan ingest / dlt |" in text
    assert len([line for line in text.splitlines() if line.startswith("Fixed cost of an")]) == 1
    assert _bench_databases() == before  # the benchmark's database was dropped
