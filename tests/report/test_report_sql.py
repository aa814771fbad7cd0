"""The report's queries on DuckDB and PostgreSQL against marts built by real runs."""

from __future__ import annotations

import datetime as dt

import pytest

from cakupan.report import SnapshotNotFoundError, snapshot_dates, write_report
from cakupan.report.data import load_report_data
from cakupan.report.page import report_dates, vega_script_name
from tests.report import expected
from tests.report.conftest import ALL_ROWS_DESA, REJECTED_FILE_DESA

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("report")]

PROVINCE = "Provinsi Sumatera Selatan"


def test_the_scenario_exercises_every_status(marts, marts_engine):
    last = marts.days[-1]
    by_status = expected.desa_by_status(marts_engine, last)
    assert by_status["1612"]["on_time"] and by_status["1612"]["late"]
    assert by_status["1606"]["submitted"] and by_status["1606"]["missing"]
    assert snapshot_dates(marts_engine) == list(marts.days)


@pytest.mark.parametrize("which", [0, -1])
def test_report_data_equals_the_marts(marts, marts_engine, which):
    day = marts.days[which]
    data = load_report_data(marts_engine, day, PROVINCE)

    want = expected.regencies(marts_engine, day)
    assert [r.code for r in data.regencies] == sorted(want)
    for r in data.regencies:
        for col in (
            "workers_proposed",
            "workers_eligible",
            "workers_covered",
            "target_workers",
            "target_attainment_pct",
            "workforce_estimate",
            "members_covered",
            "workforce_coverage_pct",
            "workforce_target_pct",
            "villages_expected",
            "villages_submitted",
        ):
            assert getattr(r, col) == want[r.code][col], (r.code, col)
        assert r.name == want[r.code]["regency_name"]
    prov = expected.province(marts_engine, day)
    for col in ("workers_covered", "target_workers", "target_attainment_pct", "members_covered"):
        assert getattr(data.province, col) == prov[col], col

    by_status = expected.desa_by_status(marts_engine, day)
    assert {c.code: nonzero(c.counts) for c in data.statuses} == {
        code: dict(counts) for code, counts in by_status.items() if code != "province"
    }
    assert nonzero(data.status_total.counts) == dict(by_status["province"])
    assert data.status_total.desa == prov["villages_expected"]

    assert {(p.snapshot_date.isoformat(), p.code): p.workers_covered for p in data.trend} == (
        expected.trend(marts_engine, day)
    )
    assert {
        (f.source, f.status): {
            "files": f.files,
            "rows_read": f.rows_read,
            "rows_loaded": f.rows_loaded,
            "rows_rejected": f.rows_rejected,
        }
        for f in data.files
    } == expected.files_by_status(marts_engine, day)
    assert {(r.source, r.reason): r.rows for r in data.rejections} == expected.by_reason(
        marts_engine, day, "rejected_by_reason"
    )
    assert {(r.source, r.reason): r.rows for r in data.flags} == expected.by_reason(
        marts_engine, day, "flags_by_reason"
    )
    reasons, silent = expected.follow_up(marts_engine, day)
    assert {f.village_code: set(f.reasons) for f in data.follow_up} == reasons
    assert {r.code for r in data.silent_regencies} == silent
    assert len(silent) == 12  # 17 regencies: 2 in the scenario, 3 cities of kelurahan only
    # the deliveries of conftest.REJECTED that nothing loaded from are chased as such, from
    # the day they arrived (the silent regency's desa included)
    for code, reason in (
        (REJECTED_FILE_DESA, "file_rejected"),
        (ALL_ROWS_DESA, "all_rows_rejected"),
    ):
        assert reasons[code] == {reason}
        [f] = [f for f in data.follow_up if f.village_code == code]
        assert f.submission_status == "missing" and f.shown_status == "sent_rejected"


def nonzero(counts) -> dict[str, int]:
    return {k: v for k, v in counts.items() if v}


def test_data_quality_is_restricted_to_files_received_by_the_date(marts, marts_engine):
    first, last = marts.days[0], marts.days[-1]
    early = load_report_data(marts_engine, first, PROVINCE)
    late = load_report_data(marts_engine, last, PROVINCE)
    assert sum(f.files for f in early.files) < sum(f.files for f in late.files)
    assert [p.snapshot_date for p in early.trend if p.code == "province"] == [first]
    assert [p.snapshot_date for p in late.trend if p.code == "province"] == list(marts.days)


def test_a_date_without_snapshot_names_the_latest(marts, marts_engine, tmp_path):
    with pytest.raises(SnapshotNotFoundError) as caught:
        write_report(marts_engine, dt.date(2025, 5, 29), tmp_path)
    assert caught.value.latest == marts.days[-1]
    assert marts.days[-1].isoformat() in str(caught.value)
    assert not list(tmp_path.iterdir()), "nothing written for a missing snapshot"


def test_an_empty_warehouse_has_no_snapshot(warehouse, tmp_path):
    assert snapshot_dates(warehouse) == []
    with pytest.raises(SnapshotNotFoundError, match="no snapshot has been built yet"):
        write_report(warehouse, dt.date(2025, 6, 2), tmp_path)


def test_a_warehouse_without_marts_has_no_snapshot(duckdb_url):
    from cakupan.warehouse.engine import create_warehouse_engine

    engine = create_warehouse_engine(duckdb_url)
    try:
        assert snapshot_dates(engine) == []
    finally:
        engine.dispose()


def test_write_report_is_idempotent_and_the_index_accumulates(
    marts, marts_engine, tmp_path, monkeypatch
):
    monkeypatch.setenv("CAKUPAN_DATA_DIR", str(marts.data_dir))
    out = tmp_path / "reports"
    first, last = marts.days
    one = write_report(marts_engine, first, out)
    assert {p.name for p in one.paths} == {
        f"{first}.html",
        f"{first}.en.html",
        "index.html",
    }
    two = write_report(marts_engine, last, out)
    snapshot = {p.name: p.read_bytes() for p in out.iterdir()}
    again = write_report(marts_engine, last, out)
    assert again.paths == two.paths
    assert {p.name: p.read_bytes() for p in out.iterdir()} == snapshot, "not idempotent"
    assert sorted(snapshot) == sorted(
        [
            *(f"{first}.html", f"{first}.en.html", f"{last}.html", f"{last}.en.html"),
            "index.html",
            vega_script_name(),  # the charts' library, shared by every page
        ]
    )
    assert report_dates(out) == [last, first]
    index = (out / "index.html").read_text(encoding="utf-8")
    for day in (first, last):
        assert f'href="{day}.html"' in index and f'href="{day}.en.html"' in index
