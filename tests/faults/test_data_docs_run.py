"""A real run audits its snapshot with GX and renders the audit's Data Docs in the
snapshot's own folder, linked from the report, holding no personal data.

A day is run through the tasks' functions (tests/inprocess.py); every NIK and personal text
of the delivered files is then searched for in everything written under ``data/gx`` (pages,
index, suites).
"""

from __future__ import annotations

import re

import pytest

from cakupan.checks.suites import AUDITED_TABLES
from tests.faults.test_personal_data import personal_values
from tests.inprocess import run_day

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("faults")]


def test_a_run_audits_its_snapshot_and_renders_docs_without_personal_data(
    small_scenario, duckdb_url, tmp_path, monkeypatch
):
    landing, data = tmp_path / "landing", tmp_path / "data"
    day = small_scenario.days[0]
    small_scenario.deliver(day, landing)
    run_day(landing, day, duckdb_url, data)

    monkeypatch.setenv("CAKUPAN_DATA_DIR", str(data))
    from cakupan.checks.data_docs import data_docs_index

    index = data_docs_index(day)
    assert index == data / "gx" / "snapshots" / day.isoformat() / "index.html"
    index_text = index.read_text(encoding="utf-8")
    pages = sorted((index.parent / "validations").rglob("*.html"))
    assert sorted(p.stem for p in pages) == sorted(f"mart.{t}" for t in AUDITED_TABLES)
    assert all(p.name in index_text for p in pages)
    report = (data / "reports" / f"{day.isoformat()}.html").read_text(encoding="utf-8")
    assert f'href="../gx/snapshots/{day.isoformat()}/index.html"' in report

    niks, texts = personal_values(small_scenario, landing)
    assert len(niks) > 100 and len(texts) > 100
    written = [p for p in (data / "gx").rglob("*") if p.is_file() and "static" not in p.parts]
    assert written
    for path in written:
        content = path.read_text(encoding="utf-8", errors="replace")
        leaked = set(re.findall(r"(?<!\d)\d{16}(?!\d)", content)) & niks
        assert not leaked, f"{len(leaked)} full NIKs in {path}"
        assert not [t for t in texts if t in content], f"personal text in {path}"
