"""A real run builds GX Data Docs under the data folder, and they hold no personal data.

A day is run through the DAGs; every NIK and personal text of the delivered files is then
searched for in everything written under ``data/gx`` (stored results, pages, index).
"""

from __future__ import annotations

import re

import pytest

from cakupan.cli import replay_day
from cakupan.sources.specs import SOURCES
from tests.faults.test_personal_data import personal_values
from tests.runs import cakupan_run

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("faults")]


def test_a_run_builds_data_docs_without_personal_data(
    small_scenario, duckdb_url, tmp_path, monkeypatch
):
    landing, data = tmp_path / "landing", tmp_path / "data"
    replay_day(small_scenario.out, landing, small_scenario.days[0])
    cakupan_run(landing, small_scenario.days[0], duckdb_url, data)

    monkeypatch.setenv("CAKUPAN_DATA_DIR", str(data))
    from cakupan.checks.data_docs import data_docs_index

    index = data_docs_index()
    assert index is not None and index.is_relative_to(data / "gx")
    index_text = index.read_text(encoding="utf-8")
    for source in SOURCES:
        pages = list((index.parent / "validations" / source).rglob("batch-*.html"))
        assert pages, f"no Data Docs page for {source}"
        assert all(p.name in index_text for p in pages)

    niks, texts = personal_values(small_scenario, landing)
    assert len(niks) > 100 and len(texts) > 100
    written = [p for p in (data / "gx").rglob("*") if p.is_file() and "static" not in p.parts]
    assert written
    for path in written:
        content = path.read_text(encoding="utf-8", errors="replace")
        leaked = set(re.findall(r"(?<!\d)\d{16}(?!\d)", content)) & niks
        assert not leaked, f"{len(leaked)} full NIKs in {path}"
        assert not [t for t in texts if t in content], f"personal text in {path}"
