"""The written pages in a real headless Chromium, on marts of both engines.

The DOM after the scripts ran must hold a rendered SVG with marks in every chart
container, no chart error and no console message (errors, CSP violations), and its tables
must show exactly the mart rows read here with SQLAlchemy. The English page shows the
same numbers under other labels. A screenshot must not be blank. Without Chromium the
test fails (never skips): install it with `apt-get install chromium`.
"""

from __future__ import annotations

import numpy as np
import pytest

from cakupan.report import write_report
from cakupan.report.page import render_page, vega_script_name, write_atomic
from tests.report import expected
from tests.report.conftest import ALL_ROWS_DESA, REJECTED_FILE_DESA
from tests.report.htmltools import (
    Node,
    dump_dom,
    layout_widths,
    number,
    png_pixels,
    require_chromium,
    screenshot,
    table_rows,
)

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("report")]

CHARTS = ("chart-attainment", "chart-workforce", "chart-status", "chart-trend", "chart-rejections")
TABLES = (
    "regency-attainment",
    "workforce-coverage",
    "village-status",
    "trend",
    "files-by-status",
    "rejections-by-reason",
    "flags-by-reason",
    "silent-regencies",
    "follow-up",
)


@pytest.fixture(scope="module")
def chromium_ok():
    require_chromium()


@pytest.fixture
def written(marts, marts_engine, tmp_path, monkeypatch):
    """Both dates written into one folder; the pages of the last date are checked."""
    monkeypatch.setenv("CAKUPAN_DATA_DIR", str(marts.data_dir))
    out = tmp_path / "reports"
    for day in marts.days:
        result = write_report(marts_engine, day, out)
    return result


def check_charts(root: Node, console: list[str]) -> None:
    assert not console, "console messages:\n" + "\n".join(console)
    assert not root.find_all(class_="chart-error")
    containers = [n for n in root.find_all("div") if "chart" in n.attrs.get("class", "").split()]
    assert sorted(n.attrs["id"] for n in containers) == sorted(CHARTS)
    for div in containers:
        assert div.attrs.get("data-rendered") == "true", div.attrs["id"]
        svgs = div.find_all("svg")
        assert len(svgs) == 1, div.attrs["id"]
        marks = [
            g
            for g in svgs[0].find_all("g")
            if "role-mark" in g.attrs.get("class", "").split()
            and not any(c in g.attrs["class"] for c in ("role-axis", "role-legend", "role-title"))
            and g.find_all("path") + g.find_all("line")
        ]
        assert marks, f"{div.attrs['id']}: no marks drawn"


def check_numbers(root: Node, engine, day) -> None:
    """Every table number equals the marts (read here, independently of the report)."""
    regency = expected.regencies(engine, day)
    attainment = table_rows(root, "regency-attainment")
    assert [r.attrs["data-unit"] for r in attainment] == [*sorted(regency), "province"]
    province = expected.province(engine, day)
    for row in attainment:
        want = province if row.attrs["data-unit"] == "province" else regency[row.values["unit"]]
        for col in (
            "workers_proposed",
            "workers_eligible",
            "workers_covered",
            "target_workers",
            "target_attainment_pct",
        ):
            assert number(row.values[col]) == want[col], (row.attrs, col)
    assert attainment[-1].part == "tfoot"

    workforce = table_rows(root, "workforce-coverage")
    known = {c for c, r in regency.items() if r["workforce_estimate"] or r["workforce_target_pct"]}
    assert {r.attrs["data-unit"] for r in workforce} == known | {"province"}
    for row in workforce:
        want = province if row.attrs["data-unit"] == "province" else regency[row.attrs["data-unit"]]
        for col in (
            "workforce_estimate",
            "members_covered",
            "workforce_coverage_pct",
            "workforce_target_pct",
        ):
            assert number(row.values[col]) == want[col], (row.attrs, col)

    by_status = expected.desa_by_status(engine, day)
    status = table_rows(root, "village-status")
    assert {r.attrs["data-unit"] for r in status} == set(by_status)
    for row in status:
        counts = by_status[row.attrs["data-unit"]]
        for s in expected.STATUSES:
            assert number(row.values[s]) == counts[s], (row.attrs, s)
        assert number(row.values["desa"]) == sum(counts.values())
    assert number(status[-1].values["desa"]) == province["villages_expected"]

    trend = {
        (r.attrs["data-date"], r.attrs["data-unit"]): number(r.values["workers_covered"])
        for r in table_rows(root, "trend")
    }
    assert trend == expected.trend(engine, day)

    files = {
        (r.attrs["data-source"], r.attrs["data-status"]): {
            c: number(r.values[c]) for c in ("files", "rows_read", "rows_loaded", "rows_rejected")
        }
        for r in table_rows(root, "files-by-status")
        if r.part == "tbody"
    }
    assert files == expected.files_by_status(engine, day)
    [total] = [r for r in table_rows(root, "files-by-status") if r.part == "tfoot"]
    assert number(total.values["files"]) == len(expected.data_quality(engine, day))
    for table, column in (
        ("rejections-by-reason", "rejected_by_reason"),
        ("flags-by-reason", "flags_by_reason"),
    ):
        got = {
            (r.attrs["data-source"], r.attrs["data-reason"]): number(r.values["rows"])
            for r in table_rows(root, table)
        }
        assert got == expected.by_reason(engine, day, column), table

    reasons, silent = expected.follow_up(engine, day)
    follow = table_rows(root, "follow-up")
    assert {r.attrs["data-village"]: set(r.attrs["data-reasons"].split()) for r in follow} == (
        reasons
    )
    assert {r.attrs["data-unit"] for r in table_rows(root, "silent-regencies")} == silent
    villages = {v["village_code"]: v for v in expected.villages(engine, day)}
    for row in follow:
        v = villages[row.attrs["data-village"]]
        assert row.attrs["data-submission-status"] == v["submission_status"]
        sent = reasons[v["village_code"]] & {"file_rejected", "all_rows_rejected"}
        assert row.values["status"] == ("sent_rejected" if sent else v["submission_status"])
        for col in ("workers_covered", "target_attainment_pct", "rows_rejected"):
            assert number(row.values[col]) == v[col]


def check_rejected_deliveries(root: Node, lang: str) -> None:
    """The desa whose delivery loaded nothing (conftest.REJECTED) read as sent, with the
    file's error and the rows to fix, in the page's language; never as not sent."""
    follow = {r.attrs["data-village"]: r.texts for r in table_rows(root, "follow-up")}
    file_desa, rows_desa = follow[REJECTED_FILE_DESA], follow[ALL_ROWS_DESA]
    if lang == "id":
        assert file_desa["status"] == rows_desa["status"] == "Terkirim, tidak ada yang dimuat"
        assert file_desa["follow_up"].startswith("berkas ditolak: kolom NIK tidak ditemukan")
        assert "judul kolom yang diterima: NIK: nik, no ktp" in file_desa["follow_up"]
        assert rows_desa["follow_up"] == "terkirim, semua baris ditolak — perbaiki 2 baris"
    else:
        assert file_desa["status"] == rows_desa["status"] == "Sent, nothing loaded"
        assert file_desa["follow_up"].startswith("file rejected: required column nik not found")
        assert rows_desa["follow_up"] == "sent, all rows rejected — fix 2 rows"


def cells(root: Node) -> dict[str, list[dict[str, str]]]:
    return {t: [r.values for r in table_rows(root, t)] for t in TABLES}


def test_pages_render_in_chromium_with_the_marts_numbers(
    chromium_ok, written, marts, marts_engine, tmp_path
):
    day = marts.days[-1]
    id_root, id_html, id_console = dump_dom(written.pages["id"], tmp_path / "chromium-id")
    en_root, _, en_console = dump_dom(written.pages["en"], tmp_path / "chromium-en")
    assert "<svg" in id_html

    for root, console, lang in ((id_root, id_console, "id"), (en_root, en_console, "en")):
        check_charts(root, console)
        check_numbers(root, marts_engine, day)
        check_rejected_deliveries(root, lang)

    # same numbers in both languages, different words
    assert cells(id_root) == cells(en_root)
    assert id_root.find("html").attrs["lang"] == "id"
    assert en_root.find("html").attrs["lang"] == "en"
    assert id_root.find("h1").text() == "Cakupan BPJS Ketenagakerjaan pekerja rentan"
    assert en_root.find("h1").text() == "BPJS Ketenagakerjaan coverage of vulnerable workers"
    id_status = table_rows(id_root, "village-status")[0].texts
    en_status = table_rows(en_root, "village-status")[0].texts
    assert id_root.find("table", id="village-status").find("th", data_col="late").text() == (
        "Terlambat"
    )
    assert en_root.find("table", id="village-status").find("th", data_col="late").text() == "Late"
    big = [r for r in table_rows(id_root, "files-by-status") if number(r.values["rows_read"]) > 999]
    assert big, "a count over 999 to check thousands separators"
    en_big = {
        (r.attrs.get("data-source"), r.attrs.get("data-status")): r
        for r in table_rows(en_root, "files-by-status")
    }
    for row in big:
        n = number(row.values["rows_read"])
        assert row.texts["rows_read"] == f"{n:,}".replace(",", ".")
        twin = en_big[(row.attrs.get("data-source"), row.attrs.get("data-status"))]
        assert twin.texts["rows_read"] == f"{n:,}"
    assert id_status["unit"] == en_status["unit"]  # place names are not translated

    # each page links to the other language and the index; the index lists both dates
    assert id_root.find("a", id="link-other-language").attrs["href"] == f"{day}.en.html"
    assert en_root.find("a", id="link-other-language").attrs["href"] == f"{day}.html"
    assert id_root.find("a", id="link-index").attrs["href"] == "index.html"
    index = written.index.read_text(encoding="utf-8")
    for d in marts.days:
        assert f'href="{d}.html"' in index and f'href="{d}.en.html"' in index

    # nothing from anywhere else: the one script file is the charts' library beside the pages
    sources = [s.attrs["src"] for s in id_root.find_all("script") if s.attrs.get("src")]
    assert sources == [vega_script_name()]
    assert (written.index.parent / sources[0]).is_file()
    # and lighter: the library (about 1 MB) is shared, not repeated in every page of every
    # date; what is left is the page's own tables and chart data
    assert written.pages["id"].stat().st_size < 400_000


def test_a_single_file_page_carries_its_script_and_renders(
    chromium_ok, marts, marts_engine, tmp_path, monkeypatch
):
    """cakupan report --single-file: one page to send on its own (e-mail), charts included."""
    monkeypatch.setenv("CAKUPAN_DATA_DIR", str(marts.data_dir))
    out = tmp_path / "alone"
    result = write_report(marts_engine, marts.days[-1], out, single_file=True)
    assert not list(out.glob("*.js"))
    root, _, console = dump_dom(result.pages["id"], tmp_path / "chromium-alone")
    check_charts(root, console)
    assert not [s for s in root.find_all("script") if s.attrs.get("src")]
    shared = write_report(marts_engine, marts.days[-1], tmp_path / "shared").pages["id"]
    assert result.pages["id"].stat().st_size > shared.stat().st_size + 500_000


def test_screenshot_is_not_blank(chromium_ok, written, tmp_path):
    for lang, page in written.pages.items():
        png = tmp_path / f"report-{lang}.png"
        console = screenshot(page, png, tmp_path / f"shot-{lang}")
        assert not console, console
        assert png.stat().st_size > 20_000
        pixels = png_pixels(png)
        assert pixels.shape[:2] == (2400, 1280)
        ink = (pixels[..., :3].min(axis=2) < 200).mean()
        colours = len(np.unique(pixels[..., :3].reshape(-1, 3), axis=0))
        assert ink > 0.01, f"{lang}: the page looks blank ({ink:.4f} of pixels inked)"
        assert colours > 50, f"{lang}: only {colours} colours"
        # chart colours are drawn, not just text: the bars' blue is present (small bars: the
        # attainment axis runs to 100 %), and so is the dashed target line at 100 %
        blue = np.all(pixels[..., :3] == (0x5D, 0xAD, 0xE2), axis=2).sum()
        assert blue > 50, f"{lang}: no chart bars in the screenshot"
        target = np.all(pixels[..., :3] == (0x7B, 0x24, 0x1C), axis=2).sum()
        assert target > 100, f"{lang}: no target line in the attainment chart"


def test_every_table_fits_a_1280_px_screen(chromium_ok, written, tmp_path):
    """Nothing scrolls sideways at 1,280 px, the page or any table, in both languages."""
    for lang, page in written.pages.items():
        widths = layout_widths(page, tmp_path / f"layout-{lang}")
        assert widths["page"][0] <= 1280, (lang, widths["page"])
        assert "follow-up" in widths
        too_wide = {name: w for name, w in widths.items() if w[0] > w[1]}
        assert not too_wide, (lang, too_wide)


def check_forecast(root: Node, engine, day, lang: str) -> None:
    """One sentence for the province and each regency in the trend, saying what the mart's
    forecast row says (the report scenario's 2 snapshots: no pace yet, or a reached target)."""
    forecast = expected.forecast(engine, day)
    drawn = {unit for _, unit in expected.trend(engine, day)}
    items = root.find("ul", id="forecast").find_all("li")
    assert [li.attrs["data-unit"] for li in items] == [
        "province",
        *sorted(drawn - {"province"}),
    ]
    regency = expected.regencies(engine, day)
    province = expected.province(engine, day)
    for li in items:
        code = li.attrs["data-unit"]
        unit = province if code == "province" else regency[code]
        row = forecast[code]
        assert li.attrs["data-reached-on"] == (
            row["target_reached_on"].isoformat() if row["target_reached_on"] else ""
        )
        if unit["target_workers"] is None:
            want = "no_target"
        elif unit["workers_covered"] >= unit["target_workers"]:
            want = "reached"
        elif row["pace_workers_per_week"] is None:
            want = "no_forecast"
        else:
            want = "on_pace" if row["target_reached_on"] else "not_at_pace"
        assert li.attrs["data-outlook"] == want, code
        assert li.text(), code
    words = {"id": "belum ada perkiraan", "en": "no forecast yet"}[lang]
    assert any(words in li.text() for li in items), [li.text() for li in items]


def test_the_forecast_sentences_show(chromium_ok, written, marts, marts_engine, tmp_path):
    for lang, page in written.pages.items():
        root, _, console = dump_dom(page, tmp_path / f"forecast-{lang}")
        assert not console, console
        check_forecast(root, marts_engine, marts.days[-1], lang)


def test_a_projection_renders_with_its_sentence(chromium_ok, tmp_path):
    """A page with a unit on pace: the dotted projection is drawn, the sentence names the
    date in the page's language, and no console message (no Vega warning either)."""
    from tests.report.test_shaping import forecast_data

    out = tmp_path / "projection"
    for lang, sentence in (
        ("id", "mencapai 200 pekerja terlindungi pada 12 Maret 2026."),
        ("en", "reaches 200 covered workers on 12 March 2026."),
    ):
        page = write_atomic(out / f"{lang}.html", render_page(forecast_data(), lang))
        root, _, console = dump_dom(page, tmp_path / f"chromium-projection-{lang}")
        assert not console, console
        trend = root.find("div", id="chart-trend")
        assert trend.attrs.get("data-rendered") == "true"
        dotted = [p for p in trend.find_all("path") if p.attrs.get("stroke-dasharray") == "2,4"]
        assert dotted, "no dotted projection drawn"
        pali = root.find("li", data_unit="1612")
        assert pali is not None and pali.text().endswith(sentence)
