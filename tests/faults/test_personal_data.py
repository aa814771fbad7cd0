"""No full NIK, name, phone or address in mart, in the logs, or in error texts.

A day is run with verbose logs; every personal value of the delivered files (read back
with the project's reader) is then searched for in the whole output and in every text
value of every mart table.
"""

from __future__ import annotations

import csv
import re

import pytest
import sqlalchemy as sa

from cakupan.landing import scan
from cakupan.sources.errors import FileRejected
from cakupan.sources.readers import read_table
from cakupan.sources.specs import SOURCES
from cakupan.warehouse.engine import create_warehouse_engine
from tests.runs import cakupan_run

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("faults")]


def personal_values(scenario, landing) -> tuple[set[str], set[str]]:
    """(full NIKs, other personal texts) delivered in the landing folder."""
    niks: set[str] = set()
    for name in ("submission_rows", "poverty_rows", "member_rows"):
        with (scenario.out / "truth" / f"{name}.csv").open(encoding="utf-8") as fh:
            niks |= {r["nik"] for r in csv.DictReader(fh) if len(r["nik"]) == 16}
    texts: set[str] = set()
    for source, spec in SOURCES.items():
        for lf in scan(landing, source):
            try:
                frame = read_table(lf.path, spec).frame
            except FileRejected:
                continue
            for column in ("name", "address", "phone"):
                if column in frame:
                    texts |= {
                        str(v).strip() for v in frame[column].dropna() if len(str(v).strip()) >= 8
                    }
    return niks, texts


def test_no_personal_data_in_marts_logs_or_errors(small_scenario, warehouse_url, tmp_path):
    landing = tmp_path / "landing"
    small_scenario.deliver(small_scenario.days[0], landing)
    done = cakupan_run(
        landing, small_scenario.days[0], warehouse_url, tmp_path / "data", verbose=True
    )
    output = done.stdout + done.stderr
    assert "file_ingested" in output, "verbose task logs were captured"
    niks, texts = personal_values(small_scenario, landing)
    assert len(niks) > 100 and len(texts) > 100

    leaked_niks = set(re.findall(r"(?<!\d)\d{16}(?!\d)", output)) & niks
    assert not leaked_niks, f"{len(leaked_niks)} full NIKs in the logs"
    assert not [t for t in texts if t in output], "names, phones or addresses in the logs"

    engine = create_warehouse_engine(warehouse_url)
    with engine.connect() as conn:
        tables = (
            conn.execute(
                sa.text(
                    "SELECT table_name FROM information_schema.tables WHERE table_schema = 'mart'"
                )
            )
            .scalars()
            .all()
        )
        assert sorted(tables) == [  # every published table is searched below
            "coverage_district",
            "coverage_forecast",
            "coverage_province",
            "coverage_regency",
            "coverage_village",
            "data_quality",
            "duplicate_proposals",
            "nik_review",
            "rejected_rows",
        ]
        for table in tables:
            for row in conn.execute(sa.text(f"SELECT * FROM mart.{table}")):
                for value in row:
                    if isinstance(value, str):
                        assert value not in niks, f"full NIK in mart.{table}"
                        assert not any(t in value for t in texts if len(value) >= 8), (
                            f"personal text in mart.{table}"
                        )
                        assert not re.search(r"(?<!\d)\d{16}(?!\d)", value) or set(
                            re.findall(r"\d{16}", value)
                        ).isdisjoint(niks)
    engine.dispose()
