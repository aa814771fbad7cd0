"""Real marts for the report tests: a small generated scenario run for 2 days per engine.

Each engine's warehouse is built once per session, by the pipeline's task functions in
this process (tests/inprocess.py: what ``cakupan run`` does, without Airflow); every report
test of that engine reads it and writes its pages under its own tmp_path.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from cakupan_dev.generate import generate_scenario
from tests.conftest import pg_database
from tests.inprocess import run_day

# 2025-05-28 and 2025-06-02: PALI's deadline (2025-05-30) falls between them, so the
# second snapshot has desa on time, late and missing; Musi Banyuasin has no deadline.
START = dt.date(2025, 5, 28)


@dataclass(frozen=True)
class Marts:
    engine_name: str
    url: str
    days: tuple[dt.date, ...]
    data_dir: Path


@pytest.fixture(scope="session")
def report_scenario(tmp_path_factory):
    return generate_scenario(
        tmp_path_factory.mktemp("report_scenario"),
        regencies=("1612", "1606"),
        days=2,
        seed=5,
        scale=0.1,
        start=START,
    )


def _build(scenario, url: str, root: Path, engine_name: str) -> Marts:
    landing, data = root / "landing", root / "data"
    for day in scenario.days:
        scenario.deliver(day, landing)
        run_day(landing, day, url, data)
    return Marts(engine_name, url, tuple(scenario.days), data)


@pytest.fixture(scope="session")
def duckdb_marts(report_scenario, tmp_path_factory) -> Marts:
    root = tmp_path_factory.mktemp("report_duckdb")
    return _build(report_scenario, f"duckdb:///{root / 'warehouse.duckdb'}", root, "duckdb")


@pytest.fixture(scope="session")
def pg_marts(report_scenario, tmp_path_factory) -> Iterator[Marts]:
    root = tmp_path_factory.mktemp("report_pg")
    with pg_database() as url:
        yield _build(report_scenario, url, root, "postgresql")


@pytest.fixture(
    scope="session", params=["duckdb", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def marts(request) -> Marts:
    """The built marts of each engine in turn."""
    return request.getfixturevalue("duckdb_marts" if request.param == "duckdb" else "pg_marts")


@pytest.fixture
def marts_engine(marts):
    from cakupan.warehouse.engine import create_warehouse_engine

    engine = create_warehouse_engine(marts.url)
    yield engine
    engine.dispose()
