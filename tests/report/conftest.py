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
from cakupan_dev.generate.scenario import delivered_at
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


# Two deliveries of which nothing loads, on the first day, from desa the scenario never
# sends for: a file rejected whole whose village-code column is read (Musi Banyuasin), and
# a file whose every row is rejected from a desa of a regency where no desa's list loaded
# (Ogan Komering Ulu, a silent regency). The report chases both as sent, not as missing.
REJECTED_FILE_DESA = "1606012002"
ALL_ROWS_DESA = "1601072001"
REJECTED = {
    f"ditolak_{REJECTED_FILE_DESA}.csv": (
        f"Kode Desa;Nama;Tanggal Lahir\n{REJECTED_FILE_DESA};Ani;12/03/1990\n"
    ),
    f"{ALL_ROWS_DESA}_usulan.csv": (
        "kode_desa,nik,nama,tanggal lahir\n"
        f"{ALL_ROWS_DESA},1234,Budi,12/03/1990\n{ALL_ROWS_DESA},16010,Sari,01/02/1985\n"
    ),
}


def _deliver_rejected(landing: Path, day: dt.date) -> None:
    folder = landing / "village_submissions"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in REJECTED.items():
        (folder / name).write_text(text, encoding="utf-8")
        delivered_at(folder / name, day)


def _build(scenario, url: str, root: Path, engine_name: str) -> Marts:
    landing, data = root / "landing", root / "data"
    for i, day in enumerate(scenario.days):
        scenario.deliver(day, landing)
        if i == 0:
            _deliver_rejected(landing, day)
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
