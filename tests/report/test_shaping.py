"""Shaping and page assembly without a warehouse: status counts, JSON sums, the follow-up
rule, escaping, the index scan, atomic writes and the Data Docs link."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import subprocess
import sys
import types
from decimal import Decimal
from pathlib import Path

import pytest

from cakupan.config import current
from cakupan.report import data_docs_href
from cakupan.report.data import (
    PROJECTION_DAYS,
    Attainment,
    AuditWarning,
    FileCount,
    Forecast,
    ReasonCount,
    ReportData,
    TrendPoint,
    follow_up_list,
    follow_up_reasons,
    forecast_outlook,
    projection,
    reason_counts,
    status_counts,
    with_province_name,
)
from cakupan.report.page import (
    machine_value,
    outlooks,
    render_index,
    render_page,
    report_dates,
    script_json,
    vega_bundle,
    write_atomic,
)
from cakupan.sources.errors import FileRejected
from cakupan.sources.specs import SOURCES
from tests.report.htmltools import parse_html, table_rows

DAY = dt.date(2025, 6, 2)


def unit(code: str, name: str, **kw) -> Attainment:
    values = {
        "workers_proposed": 10,
        "workers_eligible": 9,
        "workers_covered": 5,
        "target_workers": 200,
        "target_attainment_pct": Decimal("2.50"),
        "workforce_estimate": None,
        "members_covered": 6,
        "workforce_coverage_pct": None,
        "workforce_target_pct": None,
        "villages_expected": 2,
        "villages_submitted": 1,
    }
    values.update(kw)
    return Attainment(code=code, name=name, **values)


def desa(code: str, status: str, **kw) -> dict:
    row = {
        "regency_code": code[:4],
        "district_name": "Talang Ubi",
        "village_code": code,
        "village_name": f"Desa {code[-4:]}",
        "submission_status": status,
        "first_submitted_on": None if status == "missing" else dt.date(2025, 5, 20),
        "workers_proposed": 0 if status == "missing" else 40,
        "workers_covered": 0 if status == "missing" else 20,
        "target_workers": 100,
        "target_attainment_pct": Decimal("0.00") if status == "missing" else Decimal("20.00"),
        "rows_rejected": 0,
    }
    row.update(kw)
    return row


def sample_data(village_name: str = "Desa Baru") -> ReportData:
    regencies = [
        unit(
            "1612",
            "Kabupaten Penukal Abab Lematang Ilir",
            workforce_estimate=50000,
            workforce_coverage_pct=Decimal("0.01"),
            workforce_target_pct=Decimal("50.00"),
        ),
        unit("1601", "Kabupaten Ogan Komering Ulu", villages_submitted=0, workers_covered=0),
    ]
    statuses, total = status_counts(
        [
            {"regency_code": "1612", "village_type": "desa", "submission_status": s, "villages": 1}
            for s in ("missing", "on_time")
        ],
        {r.code: r.name for r in regencies},
        "Provinsi Sumatera Selatan",
    )
    follow, silent = follow_up_list(
        [desa("1612010001", "late", village_name=village_name)], regencies
    )
    return ReportData(
        as_of=DAY,
        province=unit("province", "Provinsi Sumatera Selatan", workforce_target_pct=Decimal(50)),
        regencies=regencies,
        statuses=statuses,
        status_total=total,
        trend=[
            TrendPoint(DAY, "province", "Provinsi Sumatera Selatan", 5),
            TrendPoint(DAY, "1612", "Kabupaten Penukal Abab Lematang Ilir", 5),
        ],
        files=[FileCount("village_submissions", "loaded", 3, 30, 27, 3)],
        rejections=[ReasonCount("village_submissions", "invalid_nik", 3)],
        flags=[],
        follow_up=follow,
        silent_regencies=silent,
    )


def test_status_counts_keep_desa_only_with_every_status_and_a_total():
    keys = ("regency_code", "village_type", "submission_status", "villages")
    rows = [
        dict(zip(keys, values, strict=True))
        for values in (
            ("1612", "desa", "late", 3),
            ("1612", "desa", "missing", 2),
            ("1612", "kelurahan", "missing", 5),
            ("1606", "desa", "submitted", 4),
            ("1671", "kelurahan", "missing", 9),
        )
    ]
    names = {"1606": "Musi Banyuasin", "1612": "PALI", "1671": "Palembang"}
    per, total = status_counts(rows, names, "Sumsel")
    assert [(c.code, c.name, c.desa) for c in per] == [
        ("1606", "Musi Banyuasin", 4),
        ("1612", "PALI", 5),
    ]
    assert dict(per[1].counts) == {"missing": 2, "on_time": 0, "late": 3, "submitted": 0}
    assert total.code == "province" and total.name == "Sumsel"
    assert dict(total.counts) == {"missing": 2, "on_time": 0, "late": 3, "submitted": 4}
    assert total.desa == 9


def test_reason_counts_sum_the_json_of_every_file_by_source():
    files = [
        ("village_submissions", {"invalid_nik": 2, "invalid_date": 1}),
        ("village_submissions", {"invalid_nik": 3}),
        ("member_exports", {"invalid_nik": 1, "invalid_kpj": 0}),
        ("poverty_lists", {}),
    ]
    rows = [{"source": s, "rejected_by_reason": json.dumps(c)} for s, c in files]
    rows.append({"source": "poverty_lists", "rejected_by_reason": ""})
    got = reason_counts(rows, "rejected_by_reason")
    assert got == [
        ReasonCount("member_exports", "invalid_nik", 1),
        ReasonCount("village_submissions", "invalid_date", 1),
        ReasonCount("village_submissions", "invalid_nik", 5),
    ]


@pytest.mark.parametrize(
    ("overrides", "reasons"),
    [
        ({"submission_status": "missing"}, ("missing",)),
        # sent, but nothing loaded: chased for what happened, not as "not sent"
        (
            {"submission_status": "missing", "rejected_file_error": "kolom NIK / column nik"},
            ("file_rejected",),
        ),
        ({"submission_status": "missing", "rows_rejected": 3}, ("all_rows_rejected",)),
        (
            {"submission_status": "missing", "rows_rejected": 3, "rejected_file_error": "x / y"},
            ("file_rejected", "all_rows_rejected"),
        ),
        # a rejected file of a desa with loaded rows: re-sent or not, its rows are in
        (
            {"submission_status": "on_time", "workers_proposed": 100, "rejected_file_error": "x"},
            (),
        ),
        ({"submission_status": "late"}, ("late", "below_target")),
        ({"submission_status": "on_time", "rows_rejected": 2}, ("rows_rejected", "below_target")),
        ({"submission_status": "submitted", "workers_proposed": 100}, ()),
        ({"submission_status": "on_time", "workers_proposed": 120}, ()),
        ({"submission_status": "late", "workers_proposed": 100}, ("late",)),
        # enrolment below target is BPJS's step, not a reason to chase the village
        ({"workers_proposed": 100, "target_attainment_pct": Decimal("20.00")}, ()),
        ({"target_workers": None, "target_attainment_pct": None}, ()),
        ({"target_workers": 0, "target_attainment_pct": None}, ()),
    ],
)
def test_follow_up_rule(overrides, reasons):
    row = desa("1612010001", overrides.get("submission_status", "on_time"))
    row.update(overrides)
    assert follow_up_reasons(row) == reasons


def test_follow_up_list_orders_by_urgency_and_lists_silent_regencies_once():
    regencies = [
        unit("1612", "PALI"),
        unit("1601", "OKU", villages_submitted=0),
        unit("1671", "Palembang", villages_expected=0, villages_submitted=0),
    ]
    rows = [
        desa("1612010001", "on_time", target_attainment_pct=Decimal("40.00")),
        desa("1612010002", "on_time", target_attainment_pct=Decimal("10.00")),
        desa("1612010003", "late"),
        desa("1612010004", "missing"),
        desa("1612010005", "on_time", workers_proposed=100),
        desa("1601010001", "missing"),
    ]
    follow, silent = follow_up_list(rows, regencies)
    assert [f.village_code for f in follow] == [
        "1612010004",  # missing
        "1612010003",  # late
        "1612010002",  # fewer proposed than target, lowest attainment first
        "1612010001",
    ]
    assert follow[0].regency_name == "PALI"
    assert [r.code for r in silent] == ["1601"]  # Palembang has no desa: nothing to chase


def test_a_silent_regency_still_lists_its_desa_whose_delivery_was_rejected():
    regencies = [unit("1601", "OKU", villages_submitted=0)]
    rows = [
        desa("1601010001", "missing"),
        desa("1601010002", "missing", rows_rejected=4),
        desa("1601010003", "missing", rejected_file_error="e / e"),
    ]
    follow, silent = follow_up_list(rows, regencies)
    assert [r.code for r in silent] == ["1601"]
    assert [(f.village_code, f.reasons, f.shown_status) for f in follow] == [
        ("1601010003", ("file_rejected",), "sent_rejected"),
        ("1601010002", ("all_rows_rejected",), "sent_rejected"),
    ]
    assert {f.submission_status for f in follow} == {"missing"}  # the contract's, unchanged


ERROR = str(FileRejected.missing_columns(["nik"], SOURCES["village_submissions"], "1612052011"))


@pytest.mark.parametrize(
    "error",
    [
        FileRejected.missing_columns(["nik", "name"], SOURCES["village_submissions"]),
        FileRejected.missing_columns(["kpj"], SOURCES["member_exports"]),
        FileRejected.no_header(SOURCES["poverty_lists"].required, 15),
        FileRejected.empty(),
        FileRejected.password_protected(),
        FileRejected.unreadable(),
    ],
)
def test_a_stored_error_splits_back_into_its_two_languages(error):
    assert FileRejected.message_in(str(error), "id") == error.message_id
    assert FileRejected.message_in(str(error), "en") == error.message_en


def test_the_follow_up_says_which_file_error_and_how_many_rows_to_fix():
    regencies = [unit("1612", "PALI")]
    rows = [
        desa("1612010001", "missing", rejected_file_error=ERROR),
        desa("1612010002", "missing", rows_rejected=1234),
        desa("1612010003", "missing"),
    ]
    follow, _ = follow_up_list(rows, regencies)
    data = dataclasses.replace(sample_data(), follow_up=follow)
    id_rows = table_rows(parse_html(render_page(data, "id")), "follow-up")
    en_rows = table_rows(parse_html(render_page(data, "en")), "follow-up")
    assert [r.attrs["data-village"] for r in id_rows] == ["1612010003", "1612010001", "1612010002"]
    want_id = {
        "1612010001": ("Terkirim, tidak ada yang dimuat", "berkas ditolak: kolom NIK tidak"),
        "1612010002": (
            "Terkirim, tidak ada yang dimuat",
            "terkirim, semua baris ditolak — perbaiki 1.234 baris",
        ),
        "1612010003": ("Belum mengirim", "belum mengirim"),
    }
    want_en = {
        "1612010001": ("Sent, nothing loaded", "file rejected: required column nik not found"),
        "1612010002": ("Sent, nothing loaded", "sent, all rows rejected — fix 1,234 rows"),
        "1612010003": ("Missing", "not submitted"),
    }
    for got, want in ((id_rows, want_id), (en_rows, want_en)):
        for row in got:
            status, reason = want[row.attrs["data-village"]]
            assert row.texts["status"] == status
            assert row.texts["follow_up"].startswith(reason), row.texts["follow_up"]
            assert row.attrs["data-submission-status"] == "missing"
    # the accepted headers come with the error, in the page's language only
    assert "judul kolom yang diterima: NIK: nik, no ktp" in id_rows[1].texts["follow_up"]
    assert "headers accepted" not in id_rows[1].texts["follow_up"]
    assert "headers accepted: NIK: nik, no ktp" in en_rows[1].texts["follow_up"]
    assert [r.values["status"] for r in id_rows] == ["missing", "sent_rejected", "sent_rejected"]


def test_with_province_name_renames_every_province_row_only():
    data = sample_data()
    renamed = with_province_name(data, "Sumatera Selatan province")
    assert renamed.province.name == renamed.status_total.name == "Sumatera Selatan province"
    assert [p.name for p in renamed.trend] == [
        "Sumatera Selatan province",
        "Kabupaten Penukal Abab Lematang Ilir",
    ]
    assert data.province.name == "Provinsi Sumatera Selatan"  # the original is untouched


def test_machine_values_and_script_json():
    assert machine_value(None) == ""
    assert machine_value(Decimal("3.1")) == "3.10"
    assert machine_value(12) == "12"
    assert machine_value(DAY) == "2025-06-02"
    text = str(script_json({"name": "</script><script>alert(1)</script> & co"}))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"name": "</script><script>alert(1)</script> & co"}


def test_page_escapes_text_and_fetches_nothing():
    hostile = '<img src=x onerror="alert(1)"></script>'
    html = render_page(sample_data(village_name=hostile), "id")
    assert hostile not in html
    assert "&lt;img src=x onerror=" in html
    root = parse_html(html)
    assert not [s for s in root.find_all("script") if "src" in s.attrs]
    assert not root.find_all("link", rel="stylesheet")
    csp = root.find("meta", http_equiv="Content-Security-Policy")
    assert csp is not None and "default-src 'none'" in csp.attrs["content"]
    for url in ("cdn.jsdelivr", "unpkg.com", "cdnjs"):
        assert url not in html
    # the chart specs parse back and name every chart container present on the page
    specs = json.loads(root.find("script", id="chart-specs").text())
    assert set(specs) == {
        "chart-attainment",
        "chart-workforce",
        "chart-status",
        "chart-trend",
        "chart-rejections",
    }
    for chart_id in specs:
        assert root.find("div", id=chart_id) is not None
    [row] = table_rows(root, "follow-up")
    assert row.texts["village"] == hostile
    assert row.attrs["data-reasons"] == "late below_target"


def test_tables_carry_machine_values_and_localised_text():
    data = sample_data()
    id_root = parse_html(render_page(data, "id"))
    en_root = parse_html(render_page(with_province_name(data, "Sumatera Selatan province"), "en"))
    for root in (id_root, en_root):
        rows = table_rows(root, "regency-attainment")
        assert [r.attrs["data-unit"] for r in rows] == ["1612", "1601", "province"]
        assert rows[0].values["target_attainment_pct"] == "2.50"
        assert rows[-1].part == "tfoot"
    assert table_rows(id_root, "regency-attainment")[0].texts["target_attainment_pct"] == "2,50"
    assert table_rows(en_root, "regency-attainment")[0].texts["target_attainment_pct"] == "2.50"
    assert id_root.find("html").attrs["lang"] == "id"
    assert en_root.find("html").attrs["lang"] == "en"
    assert id_root.find("a", id="link-other-language").attrs["href"] == "2025-06-02.en.html"
    assert en_root.find("a", id="link-other-language").attrs["href"] == "2025-06-02.html"
    silent = table_rows(id_root, "silent-regencies")
    assert [r.attrs["data-unit"] for r in silent] == ["1601"]
    assert id_root.find(id="flags-by-reason-empty") is not None  # no flags: a sentence instead


def test_rendering_is_deterministic():
    assert render_page(sample_data(), "en") == render_page(sample_data(), "en")


def test_index_lists_every_dated_page_in_the_folder(tmp_path):
    for name in (
        "2025-05-28.html",
        "2025-05-28.en.html",
        "2025-06-02.html",
        "2025-13-40.html",  # not a date
        "notes.html",
        ".2025-06-03.html.abc.tmp",  # a write in progress
    ):
        (tmp_path / name).write_text("x", encoding="utf-8")
    assert report_dates(tmp_path) == [dt.date(2025, 6, 2), dt.date(2025, 5, 28)]
    root = parse_html(render_index(tmp_path))
    items = root.find("ul", id="report-dates").find_all("li")
    assert [li.attrs["data-date"] for li in items] == ["2025-06-02", "2025-05-28"]
    assert [a.attrs["href"] for a in items[1].find_all("a")] == [
        "2025-05-28.html",
        "2025-05-28.en.html",
    ]
    assert [a.attrs["href"] for a in items[0].find_all("a")] == ["2025-06-02.html"]
    assert report_dates(tmp_path / "absent") == []


def test_write_atomic_replaces_whole_files_and_leaves_no_temp(tmp_path):
    target = tmp_path / "sub" / "page.html"
    write_atomic(target, "first")
    write_atomic(target, "second")
    assert target.read_text(encoding="utf-8") == "second"
    assert [p.name for p in target.parent.iterdir()] == ["page.html"]
    assert target.stat().st_mode & 0o777 == 0o644


def test_vega_bundle_is_built_once_per_vl_convert_version(monkeypatch, tmp_path):
    import vl_convert

    monkeypatch.setenv("CAKUPAN_DATA_DIR", str(tmp_path / "data"))
    vega_bundle.cache_clear()
    built = []
    monkeypatch.setattr(
        vl_convert, "javascript_bundle", lambda: built.append(1) or "var v = '</script>';"
    )
    try:
        first = vega_bundle()
        vega_bundle.cache_clear()  # another process: reads the kept bundle
        assert vega_bundle() == first == "var v = '<\\/script>';"
        assert built == [1]
        kept = tmp_path / "data" / "work" / "cache" / f"vega-bundle-{vl_convert.__version__}.js"
        assert kept.read_text(encoding="utf-8") == first
    finally:
        vega_bundle.cache_clear()


def test_default_report_dir(monkeypatch, tmp_path):
    monkeypatch.delenv("CAKUPAN_REPORT_DIR", raising=False)
    monkeypatch.setenv("CAKUPAN_DATA_DIR", str(tmp_path / "data"))
    assert current().report_dir == (tmp_path / "data" / "reports").resolve()
    monkeypatch.setenv("CAKUPAN_REPORT_DIR", str(tmp_path / "elsewhere"))
    assert current().report_dir == (tmp_path / "elsewhere").resolve()


def _fake_data_docs(monkeypatch, index):
    module = types.ModuleType("cakupan.checks.data_docs")
    asked: list[dt.date] = []

    def data_docs_index(as_of):
        asked.append(as_of)
        if isinstance(index, Exception):
            raise index
        return index

    module.data_docs_index = data_docs_index
    monkeypatch.setitem(sys.modules, "cakupan.checks.data_docs", module)
    return asked


def test_data_docs_link_is_relative_and_points_at_the_snapshots_docs(monkeypatch, tmp_path):
    index = tmp_path / "data" / "gx" / "snapshots" / DAY.isoformat() / "index.html"
    index.parent.mkdir(parents=True)
    index.write_text("<html></html>", encoding="utf-8")
    asked = _fake_data_docs(monkeypatch, index)
    out = tmp_path / "data" / "reports"
    href = data_docs_href(out, DAY)
    assert href == f"../gx/snapshots/{DAY.isoformat()}/index.html"
    assert asked == [DAY]
    html = render_page(sample_data(), "en", href)
    link = parse_html(html).find("a", id="link-data-docs")
    assert link is not None and link.attrs["href"] == href


@pytest.mark.parametrize("index", [None, "missing", RuntimeError("boom")])
def test_no_data_docs_link_without_docs(monkeypatch, tmp_path, index):
    if index == "missing":
        index = tmp_path / "never_built" / "index.html"
    _fake_data_docs(monkeypatch, index)
    assert data_docs_href(tmp_path, DAY) is None
    assert 'id="link-data-docs"' not in render_page(sample_data(), "id", None)


def test_no_data_docs_link_when_the_module_is_absent(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "cakupan.checks.data_docs", None)  # import -> ImportError
    assert data_docs_href(tmp_path, DAY) is None


def test_audit_warnings_are_listed_in_the_page_language():
    warning = AuditWarning(
        table="mart.data_quality",
        check="rejected_share_within_setting",
        expectation="expect_column_values_to_be_between(rejected_share)",
        unexpected_count=1234,
        element_count=2000,
        message="No file received on the snapshot date has more than ... rejected.",
    )
    unlabelled = dataclasses.replace(warning, check="brand_new_check", message="A new check.")
    data = dataclasses.replace(sample_data(), audit_warnings=[warning, unlabelled])
    for lang, failing, words in (
        ("id", "1.234", "bagian baris ditolak"),
        ("en", "1,234", "rejected share"),
    ):
        root = parse_html(render_page(data, lang))
        first, second = table_rows(root, "audit-warnings")
        assert first.values["check"] == "rejected_share_within_setting"
        assert words in first.texts["check"]
        assert (first.texts["unexpected_count"], first.values["element_count"]) == (failing, "2000")
        assert second.texts["check"] == "A new check."  # no label yet: the suite's sentence
    empty = render_page(sample_data(), "id")
    assert 'id="audit-warnings-empty"' in empty and "Tidak ada peringatan audit." in empty


def test_importing_the_report_package_stays_cheap():
    """DAG files import it at parse time: no Altair, Jinja or vl-convert until a report."""
    code = (
        "import sys, cakupan.report; "
        "print(sorted(m for m in ('altair', 'jinja2', 'vl_convert') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "plugins")},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_attainment_runs_from_0_to_100_percent_with_the_target_marked():
    """A regency at 0.9 % looks nearly empty, not full (issue 14)."""
    from cakupan.report.charts import TARGET_COLOUR, attainment_chart

    spec = attainment_chart(sample_data(), "id")
    bars, rule, text = spec["layer"]
    assert bars["encoding"]["x"]["scale"] == {"domain": [0, 100.0], "nice": False}
    assert rule["mark"]["color"] == TARGET_COLOUR and rule["encoding"]["x"]["scale"]["domain"]
    assert text["encoding"]["text"]["field"] == "label"


def test_the_province_line_stands_out_in_the_trend():
    """Thicker, dashed, dark and drawn over the regencies whose line it may cover."""
    from cakupan.report.charts import PROVINCE_COLOUR, trend_chart

    spec = trend_chart(sample_data(), "en")
    encoding = spec["encoding"]
    assert encoding["strokeWidth"]["condition"]["value"] == 4
    assert encoding["strokeDash"]["condition"]["value"] == [8, 4]
    scale = encoding["color"]["scale"]
    colours = dict(zip(scale["domain"], scale["range"], strict=True))
    assert colours["Provinsi Sumatera Selatan"] == PROVINCE_COLOUR
    assert len(set(colours.values())) == len(colours)


def forecast_data() -> ReportData:
    """sample_data with a forecast: PALI on pace, the province not at the current pace."""
    data = sample_data()
    return dataclasses.replace(
        data,
        forecasts={
            "1612": Forecast("1612", Decimal("14.00"), 195, dt.date(2026, 3, 12)),
            "province": Forecast("province", Decimal("-1.50"), 195, None),
        },
    )


@pytest.mark.parametrize(
    ("covered", "target", "forecast", "outlook"),
    [
        (5, 200, Forecast("1612", Decimal("14.00"), 195, dt.date(2026, 3, 12)), "on_pace"),
        (5, 200, Forecast("1612", Decimal("0.00"), 195, None), "not_at_pace"),
        (5, 200, Forecast("1612", None, 195, None), "no_forecast"),  # < 3 snapshots
        (5, 200, None, "no_forecast"),  # a snapshot from before the forecast
        (200, 200, Forecast("1612", Decimal("0.00"), 0, None), "reached"),  # whatever the pace
        (5, None, Forecast("1612", Decimal("3.00"), None, None), "no_target"),
    ],
)
def test_forecast_outlook(covered, target, forecast, outlook):
    assert (
        forecast_outlook(
            unit("1612", "PALI", workers_covered=covered, target_workers=target), forecast
        )
        == outlook
    )


def test_projection_runs_to_the_target_or_stops_at_the_horizon():
    pali = unit("1612", "PALI", workers_covered=5, target_workers=200)
    near = Forecast("1612", Decimal("14.00"), 195, DAY + dt.timedelta(days=98))
    assert projection(pali, near, DAY) == ((DAY, 5.0), (DAY + dt.timedelta(days=98), 200.0))
    far = Forecast("1612", Decimal("0.70"), 195, DAY + dt.timedelta(days=1950))
    start, end = projection(pali, far, DAY)
    assert start == (DAY, 5.0)
    assert end == (DAY + dt.timedelta(days=PROJECTION_DAYS), pytest.approx(5 + 0.1 * 180))
    assert projection(pali, Forecast("1612", Decimal("-1.00"), 195, None), DAY) is None


def test_the_forecast_is_said_in_words_in_both_languages():
    data = forecast_data()
    for lang, pali, province in (
        (
            "id",
            "Dengan laju ini, Kabupaten Penukal Abab Lematang Ilir mencapai 200 pekerja "
            "terlindungi pada 12 Maret 2026.",
            "belum tercapai dengan laju saat ini (-1,50 pekerja per minggu)",
        ),
        (
            "en",
            "At this pace, Kabupaten Penukal Abab Lematang Ilir reaches 200 covered workers on "
            "12 March 2026.",
            "is not reached at the current pace (-1.50 workers a week)",
        ),
    ):
        items = parse_html(render_page(data, lang)).find("ul", id="forecast").find_all("li")
        # the province first, then the regencies drawn in the trend (1601 has no coverage)
        assert [li.attrs["data-unit"] for li in items] == ["province", "1612"]
        assert [li.attrs["data-outlook"] for li in items] == ["not_at_pace", "on_pace"]
        assert items[1].text() == pali and items[1].attrs["data-reached-on"] == "2026-03-12"
        assert province in items[0].text()
    lines = outlooks(sample_data(), "en")  # no forecast rows at all
    assert [o.outlook for o in lines] == ["no_forecast", "no_forecast"]


def test_the_projection_is_drawn_dotted_after_the_lines():
    from cakupan.report.charts import trend_chart

    spec = trend_chart(forecast_data(), "en")
    lines, ahead = spec["layer"]  # cut off before the target: no ring
    assert lines["encoding"]["strokeDash"]["condition"]["value"] == [8, 4]  # unchanged
    assert ahead["mark"]["strokeDash"] == [2, 4]
    assert [(v["unit"], v["date"], v["covered"]) for v in ahead["data"]["values"]] == [
        ("Kabupaten Penukal Abab Lematang Ilir", "2025-06-02", 5),
        # 12 March 2026 is more than 180 days ahead: cut there, at 14 a week (2 a day)
        ("Kabupaten Penukal Abab Lematang Ilir", "2025-11-29", 5 + 2 * 180),
    ]
    # the same colour scale: a projection has its unit's colour
    assert ahead["encoding"]["color"]["scale"] == lines["encoding"]["color"]["scale"]
    near = dataclasses.replace(
        forecast_data(),
        forecasts={"1612": Forecast("1612", Decimal("14.00"), 195, dt.date(2025, 9, 8))},
    )
    _, ahead, ring = trend_chart(near, "en")["layer"]
    assert ahead["data"]["values"][-1]["covered"] == 200  # the target, on its date
    assert [(v["date"], v["covered"]) for v in ring["data"]["values"]] == [("2025-09-08", 200)]
    assert ring["mark"]["filled"] is False
