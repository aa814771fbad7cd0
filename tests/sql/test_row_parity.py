"""Row parity: every file of a generated multi-day scenario, through the row pass into each
warehouse engine, lands exactly as the generator's truth says, row by row.

For each delivery day, each source's new files are ingested the way the load task does
(``ingest_files``: read, one row pass per group or chunk, one transaction per file). Then
every truth row is found in staging: a row the truth expects to load is in the source's
staging table with exactly the expected flags; a row it expects to be rejected is in
``staging.rejected_rows`` with that reason; and staging holds nothing else. The truth is
written from the generator's intent, not by running the pipeline (``generate/scenario.py``).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pytest

from cakupan.ingest import ingest_files
from cakupan.landing import scan
from cakupan.settings import load_settings
from cakupan.sources.specs import FLAGS, SOURCES
from cakupan.warehouse.engine import create_warehouse_engine
from cakupan.warehouse.schema import ensure_schema
from cakupan_dev.generate import generate_scenario
from tests.runs import rows

TRUTH_FILES = {
    "village_submissions": "submission_rows.csv",
    "poverty_lists": "poverty_rows.csv",
    "member_exports": "member_rows.csv",
}

Outcome = tuple[str, frozenset[str]]  # (reason or "", flags)


@pytest.fixture(scope="module")
def scenario(tmp_path_factory):
    out = tmp_path_factory.mktemp("parity")
    return generate_scenario(out, regencies=("1612", "1606"), days=3, seed=5, scale=0.1)


def _truth(truth_dir: Path, source: str) -> dict[tuple[str, str, int], Outcome]:
    """(delivery date, file, row) -> what the generator intends for that row."""
    with (truth_dir / TRUTH_FILES[source]).open(encoding="utf-8", newline="") as fh:
        return {
            (r["delivery_date"], r["file_name"], int(r["row_number"])): (
                r["expected_reason"],
                frozenset(f for f in r["expected_flags"].split(";") if f),
            )
            for r in csv.DictReader(fh)
        }


def _loaded_files(truth_dir: Path) -> set[tuple[str, str, str]]:
    with (truth_dir / "files.csv").open(encoding="utf-8", newline="") as fh:
        return {
            (r["delivery_date"], r["source"], r["file_name"])
            for r in csv.DictReader(fh)
            if r["expected_status"] == "loaded"
        }


def _staged(engine, source: str) -> dict[tuple[str, str, int], Outcome]:
    """What staging holds for ``source``: (received date, file, row) -> outcome."""
    flags = ", ".join(FLAGS)
    got: dict[tuple[str, str, int], Outcome] = {}
    for r in rows(
        engine,
        f"SELECT received_date, file_name, row_number, {flags} FROM staging.{source}",
    ):
        key = (r["received_date"].isoformat(), r["file_name"], r["row_number"])
        assert key not in got, f"{key} staged twice"
        got[key] = ("", frozenset(f for f in FLAGS if r[f]))
    for r in rows(
        engine,
        "SELECT received_date, file_name, row_number, reason FROM staging.rejected_rows "
        "WHERE source = :source",
        source=source,
    ):
        key = (r["received_date"].isoformat(), r["file_name"], r["row_number"])
        assert key not in got, f"{key} both loaded and rejected, or rejected twice"
        got[key] = (r["reason"], frozenset())
    return got


def test_every_row_lands_as_the_truth_says(scenario, warehouse_url, tmp_path):
    truth_dir = scenario.out / "truth"
    landing = tmp_path / "landing"
    engine = create_warehouse_engine(warehouse_url)
    settings = load_settings()
    try:
        ensure_schema(engine)
        for day in scenario.days:
            scenario.deliver(day, landing)
            for source in SOURCES:
                ingest_files(engine, scan(landing, source), day, settings)
        loaded_files = _loaded_files(truth_dir)
        for source in SOURCES:
            want = {
                key: outcome
                for key, outcome in _truth(truth_dir, source).items()
                if (key[0], source, key[1]) in loaded_files
            }
            got = _staged(engine, source)
            assert want, f"the scenario has rows for {source}"
            wrong: dict[str, list] = defaultdict(list)
            for key, outcome in want.items():
                if got.get(key) != outcome:
                    wrong[source].append((key, "want", outcome, "got", got.get(key)))
            extra = sorted(set(got) - set(want))
            assert not wrong, wrong[source][:10]
            assert not extra, extra[:10]
            reasons = {reason for reason, _ in want.values() if reason}
            assert reasons, f"the scenario's {source} rows include rejections"
    finally:
        engine.dispose()
