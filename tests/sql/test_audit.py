"""Write, audit, publish: GX audits each snapshot inside its transaction, on DuckDB and
PostgreSQL. A critical failure publishes nothing of the date; a warning reaches the report."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from cakupan.checks import data_docs
from cakupan.checks.audit import AuditFailed, audit_snapshot
from cakupan.marts import snapshot as snapshot_module
from cakupan.marts.snapshot import build_snapshot
from cakupan.settings import AuditSettings, load_settings
from tests.alerts.audit_probe import corrupting
from tests.runs import rows, snapshot
from tests.sql.test_snapshot_rules import PALI_DESA_A, member, nik, stage, submission

D = dt.date
DAY, NEXT_DAY = D(2025, 6, 2), D(2025, 6, 3)
# A file name can carry a person's name: the report must not show it.
NAMED_FILE = "usulan SITI AMINAH.xlsx"


def ledger_row(name: str, received: dt.date, read: int, loaded: int, rejected: int) -> dict:
    return {
        "source": "village_submissions",
        "file_name": name,
        "sha256": f"sha-{name}",
        "received_date": received,
        "status": "loaded",
        "error": None,
        "rows_read": read,
        "rows_loaded": loaded,
        "rows_rejected": rejected,
        "rejected_by_reason": "{}",
        "flags_by_reason": "{}",
        "header_row": 1,
        "run_id": "test",
        "loaded_at": dt.datetime(2025, 6, 2, 5, 0),
    }


@pytest.fixture
def data(tmp_path, monkeypatch) -> Path:
    monkeypatch.setenv("CAKUPAN_DATA_DIR", str(tmp_path / "data"))
    return tmp_path / "data"


@pytest.fixture
def staged(warehouse, data):
    """A covered worker in one desa, and the ledger rows of its files."""
    received = D(2025, 5, 20)
    stage(
        warehouse,
        "staging.village_submissions",
        [submission(nik(1), PALI_DESA_A, received, received)],
    )
    stage(
        warehouse,
        "staging.member_exports",
        [member("10000000001", nik(1), "AKTIF", D(2025, 6, 1), received, received)],
    )
    # the member export's ledger entry comes with it (stage writes it, as the pipeline does)
    stage(warehouse, "staging.file_ledger", [ledger_row("a.csv", received, 1, 1, 0)])
    return warehouse


def warnings_of(engine, day: dt.date) -> list[dict]:
    return rows(
        engine,
        "SELECT table_name, check_name, unexpected_count, element_count FROM core.audit_warning "
        "WHERE snapshot_date = :d",
        d=day,
    )


def plant_impossible_row(monkeypatch) -> None:
    monkeypatch.setattr(snapshot_module, "audit_snapshot", corrupting(audit_snapshot, PALI_DESA_A))


def test_a_clean_snapshot_is_published_with_its_docs_and_no_warning(staged, data):
    audit = build_snapshot(staged, DAY, load_settings())
    assert audit.findings == []
    assert audit.rows["coverage_village"] == 3259 and audit.rows["data_quality"] == 2
    village = rows(
        staged,
        "SELECT workers_covered FROM mart.coverage_village WHERE snapshot_date = :d "
        "AND village_code = :v",
        d=DAY,
        v=PALI_DESA_A,
    )
    assert village == [{"workers_covered": 1}]
    assert warnings_of(staged, DAY) == []
    assert (
        data_docs.data_docs_index(DAY) == data / "gx" / "snapshots" / DAY.isoformat() / "index.html"
    )


def test_an_impossible_row_publishes_nothing_of_the_date(staged, data, monkeypatch):
    build_snapshot(staged, DAY, load_settings())
    before = snapshot(staged, DAY)
    docs_before = data_docs.data_docs_index(DAY).read_bytes()

    plant_impossible_row(monkeypatch)
    # A re-run of a published date: the previous rows stay as they were.
    with pytest.raises(AuditFailed) as failed:
        build_snapshot(staged, DAY, load_settings())
    message = str(failed.value)
    assert "\n" not in message
    assert message.startswith(
        "snapshot 2025-06-02 not published: mart.coverage_village failed covered_within_enrolled "
        "(expect_column_pair_values_a_to_be_greater_than_b(workers_enrolled, workers_covered)): "
        "1 of 3,259 rows."
    )
    assert snapshot(staged, DAY) == before
    assert data_docs.data_docs_index(DAY).read_bytes() == docs_before

    # A new date: nothing of it in any published table, nor a warning.
    with pytest.raises(AuditFailed):
        build_snapshot(staged, NEXT_DAY, load_settings())
    assert all(table_rows == [] for table_rows in snapshot(staged, NEXT_DAY).values())
    assert warnings_of(staged, NEXT_DAY) == []
    # Its failed audit is rendered apart, for the engineer; the report has nothing to link.
    assert (data / "gx" / "failed" / NEXT_DAY.isoformat() / "index.html").is_file()
    assert data_docs.data_docs_index(NEXT_DAY) is None


def test_a_high_rejected_share_is_a_warning_shown_in_the_report(staged, data, tmp_path):
    from cakupan.report import write_report
    from tests.report.htmltools import parse_html, table_rows

    stage(
        staged,
        "staging.file_ledger",
        [
            ledger_row(NAMED_FILE, DAY, 10, 2, 8),  # 80 % rejected, received that day
            ledger_row("b.csv", DAY, 10, 9, 1),
        ],
    )
    audit = build_snapshot(staged, DAY, load_settings())
    assert audit.critical == []
    assert warnings_of(staged, DAY) == [
        {
            "table_name": "mart.data_quality",
            "check_name": "rejected_share_within_setting",
            "unexpected_count": 1,
            "element_count": 2,
        }
    ]
    assert len(snapshot(staged, DAY)["coverage_village"]) == 3259  # published all the same

    out = tmp_path / "reports"
    pages = write_report(staged, DAY, out).pages
    for lang, page in pages.items():
        html = page.read_text(encoding="utf-8")
        root = parse_html(html)
        (row,) = table_rows(root, "audit-warnings")
        assert row.values["check"] == "rejected_share_within_setting"
        assert row.values["table"] == "mart.data_quality"
        assert (row.values["unexpected_count"], row.values["element_count"]) == ("1", "2")
        assert "audit.max_rejected_share" in row.texts["check"], lang
        assert "SITI" not in html and NAMED_FILE not in html
        link = root.find("a", id="link-data-docs")
        assert link is not None
        assert (out / link.attrs["href"]).resolve() == data_docs.data_docs_index(DAY)

    # The warnings are replaced with the date: a looser setting rebuilds them away.
    looser = dataclasses.replace(load_settings(), audit=AuditSettings(max_rejected_share=0.9))
    build_snapshot(staged, DAY, looser)
    assert warnings_of(staged, DAY) == []
    html = write_report(staged, DAY, out).pages["en"].read_text(encoding="utf-8")
    assert 'id="audit-warnings-empty"' in html and "No audit warnings." in html


def test_failing_data_docs_never_fail_the_snapshot(staged, data, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(data_docs, "_docs_context", broken)
    build_snapshot(staged, DAY, load_settings())
    assert len(snapshot(staged, DAY)["coverage_village"]) == 3259
    assert data_docs.data_docs_index(DAY) is None
