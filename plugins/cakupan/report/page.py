"""HTML assembly: one self-contained page per date and language, and the index of dates.

Pages embed the Vega, Vega-Lite and vega-embed JavaScript once (from vl-convert, no CDN)
and a Content-Security-Policy that forbids any network fetch, so a page opened from a
USB stick or an e-mail attachment shows the same as on the server. Every number a chart
draws is also in a table whose cells carry ``data-col`` and ``data-value`` (the exact
machine value), for screen readers, copy-paste and tests.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from markupsafe import Markup

from cakupan.logs import get_logger
from cakupan.paths import PROJECT_ROOT
from cakupan.report.data import (
    PROJECTION_DAYS,
    STATUSES,
    Attainment,
    FollowUp,
    ReportData,
    StatusCount,
    forecast_outlook,
)
from cakupan.report.labels import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    format_date,
    format_number,
    label,
    labels,
    page_name,
    vega_locales,
)
from cakupan.sources.errors import FileRejected

log = get_logger(__name__)

TEMPLATE_DIR = PROJECT_ROOT / "include" / "templates" / "report"
PAGE_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})\.html$")


@dataclass(frozen=True)
class Cell:
    """One table cell: ``col`` names the column, ``value`` is the exact value for machines."""

    col: str
    text: str
    value: str
    numeric: bool = False


@dataclass
class TableRow:
    cells: list[Cell]
    attrs: dict[str, str] = field(default_factory=dict)


@dataclass
class Table:
    id: str
    caption: str
    columns: list[tuple[str, str, bool]]  # key, header, numeric
    rows: list[TableRow]
    foot: list[TableRow] = field(default_factory=list)


def machine_value(value: Any) -> str:
    """The ``data-value`` of a cell: plain digits, 2 decimals, ISO dates, "" for NULL."""
    if value is None:
        return ""
    if isinstance(value, Decimal | float):
        return f"{value:.2f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _num(col: str, value: Any, lang: str) -> Cell:
    return Cell(col, format_number(value, lang), machine_value(value), numeric=True)


def _text(col: str, text: str, value: str = "") -> Cell:
    return Cell(col, text, value)


def _table(
    table_id: str,
    caption: str,
    columns: Sequence[tuple[str, bool]],
    lang: str,
    headers: dict[str, str] | None = None,
) -> Table:
    """A table whose headers come from the labels (``col_<key>``) unless overridden."""
    t = labels(lang)
    headers = headers or {}
    return Table(
        table_id,
        caption,
        [(key, headers.get(key) or t[f"col_{key}"], numeric) for key, numeric in columns],
        [],
    )


_ATTAINMENT_COLS = (
    "workers_proposed",
    "workers_eligible",
    "workers_covered",
    "target_workers",
    "target_attainment_pct",
)
_WORKFORCE_COLS = (
    "workforce_estimate",
    "members_covered",
    "workforce_coverage_pct",
    "workforce_target_pct",
)


def _unit_row(unit: Attainment, cols: Iterable[str], lang: str) -> TableRow:
    cells = [_text("unit", unit.name, unit.code)]
    cells += [_num(c, getattr(unit, c), lang) for c in cols]
    return TableRow(cells, {"data-unit": unit.code})


def attainment_table(data: ReportData, lang: str) -> Table:
    t = labels(lang)
    table = _table(
        "regency-attainment",
        t["sec_attainment"],
        [("unit", False), *((c, True) for c in _ATTAINMENT_COLS)],
        lang,
        {"unit": t["col_regency"]},
    )
    table.rows = [_unit_row(r, _ATTAINMENT_COLS, lang) for r in data.regencies]
    table.foot = [_unit_row(data.province, _ATTAINMENT_COLS, lang)]
    return table


def workforce_table(data: ReportData, lang: str) -> Table:
    t = labels(lang)
    table = _table(
        "workforce-coverage",
        t["sec_workforce"],
        [("unit", False), *((c, True) for c in _WORKFORCE_COLS)],
        lang,
    )
    table.rows = [_unit_row(r, _WORKFORCE_COLS, lang) for r in data.regencies if r.workforce_known]
    if data.province.workforce_known:
        table.foot = [_unit_row(data.province, _WORKFORCE_COLS, lang)]
    return table


def _status_row(count: StatusCount, lang: str) -> TableRow:
    cells = [_text("unit", count.name, count.code), _num("desa", count.desa, lang)]
    cells += [_num(s, count.counts.get(s, 0), lang) for s in STATUSES]
    return TableRow(cells, {"data-unit": count.code})


def status_table(data: ReportData, lang: str) -> Table:
    t = labels(lang)
    table = _table(
        "village-status",
        t["sec_status"],
        [("unit", False), ("desa", True), *((s, True) for s in STATUSES)],
        lang,
        {
            "unit": t["col_regency"],
            "desa": t["col_villages_expected"],
            **{s: t[f"status_{s}"] for s in STATUSES},
        },
    )
    table.rows = [_status_row(c, lang) for c in data.statuses]
    table.foot = [_status_row(data.status_total, lang)]
    return table


def trend_table(data: ReportData, lang: str) -> Table:
    t = labels(lang)
    table = _table(
        "trend", t["sec_trend"], [("date", False), ("unit", False), ("workers_covered", True)], lang
    )
    points = sorted(data.trend, key=lambda p: (p.snapshot_date, p.code != "province", p.code))
    table.rows = [
        TableRow(
            [
                _text("date", format_date(p.snapshot_date, lang), p.snapshot_date.isoformat()),
                _text("unit", p.name, p.code),
                _num("workers_covered", p.workers_covered, lang),
            ],
            {"data-date": p.snapshot_date.isoformat(), "data-unit": p.code},
        )
        for p in points
    ]
    return table


@dataclass(frozen=True)
class Outlook:
    """One unit's forecast sentence; ``outlook``: its code (``cakupan.report.data.OUTLOOKS``)."""

    code: str
    outlook: str
    text: str
    reached_on: str  # ISO date, "" when there is none


def outlooks(data: ReportData, lang: str) -> list[Outlook]:
    """When the province, then each regency drawn in the trend, reaches its worker target,
    in words: "At this pace, PALI reaches 6,500 covered workers on 12 March 2026"."""
    t = labels(lang)
    drawn = {p.code for p in data.trend}
    out = []
    for unit in [data.province, *(r for r in data.regencies if r.code in drawn)]:
        forecast = data.forecasts.get(unit.code)
        outlook = forecast_outlook(unit, forecast)
        reached = forecast.target_reached_on if forecast else None
        pace = forecast.pace_workers_per_week if forecast else None
        text = t[f"outlook_{outlook}"].format(
            unit=unit.name,
            target=format_number(unit.target_workers, lang),
            date=format_date(reached, lang) if reached else "",
            pace=format_number(pace, lang),
        )
        out.append(Outlook(unit.code, outlook, text, machine_value(reached)))
    return out


_FILE_COLS = ("files", "rows_read", "rows_loaded", "rows_rejected")


def files_table(data: ReportData, lang: str) -> Table:
    t = labels(lang)
    table = _table(
        "files-by-status",
        t["table_files"],
        [("source", False), ("status", False), *((c, True) for c in _FILE_COLS)],
        lang,
    )
    table.rows = [
        TableRow(
            [
                _text("source", label(lang, f"source_{f.source}"), f.source),
                _text("status", label(lang, f"file_{f.status}"), f.status),
                *(_num(c, getattr(f, c), lang) for c in _FILE_COLS),
            ],
            {"data-source": f.source, "data-status": f.status},
        )
        for f in data.files
    ]
    total = [sum(getattr(f, c) for f in data.files) for c in _FILE_COLS]
    table.foot = [
        TableRow(
            [
                _text("source", t["total"], "total"),
                _text("status", ""),
                *(_num(c, v, lang) for c, v in zip(_FILE_COLS, total, strict=True)),
            ],
            {"data-source": "total"},
        )
    ]
    return table


def reasons_table(table_id: str, caption: str, rows: Sequence[Any], lang: str) -> Table:
    t = labels(lang)
    header = t["col_flag"] if table_id.startswith("flags") else t["col_reason"]
    table = _table(
        table_id,
        caption,
        [("source", False), ("reason", False), ("rows", True)],
        lang,
        {"reason": header},
    )
    table.rows = [
        TableRow(
            [
                _text("source", label(lang, f"source_{r.source}"), r.source),
                _text("reason", label(lang, f"reason_{r.reason}"), r.reason),
                _num("rows", r.rows, lang),
            ],
            {"data-source": r.source, "data-reason": r.reason},
        )
        for r in rows
    ]
    return table


_FOLLOW_NUM_COLS = (
    "workers_proposed",
    "workers_covered",
    "target_workers",
    "target_attainment_pct",
    "rows_rejected",
)


def follow_up_text(f: FollowUp, lang: str) -> str:
    """The reasons in words: a rejected file's error in the page's language, the rows to fix."""
    t = labels(lang)
    error = FileRejected.message_in(f.rejected_file_error or "", lang)
    n = format_number(f.rows_rejected, lang)
    return ", ".join(t[f"follow_{r}"].format(error=error, n=n) for r in f.reasons)


def follow_up_table(data: ReportData, lang: str) -> Table:
    t = labels(lang)
    table = _table(
        "follow-up",
        t["sec_follow_up"],
        [
            ("village", False),
            ("village_code", False),
            ("district", False),
            ("regency", False),
            ("status", False),
            ("first_submitted_on", False),
            *((c, True) for c in _FOLLOW_NUM_COLS),
            ("follow_up", False),
        ],
        lang,
    )
    table.rows = [
        TableRow(
            [
                _text("village", f.village_name, f.village_code),
                _text("village_code", f.village_code, f.village_code),
                _text("district", f.district_name),
                _text("regency", f.regency_name, f.regency_code),
                _text("status", t[f"status_{f.shown_status}"], f.shown_status),
                _text(
                    "first_submitted_on",
                    format_date(f.first_submitted_on, lang) if f.first_submitted_on else t["none"],
                    machine_value(f.first_submitted_on),
                ),
                *(_num(c, getattr(f, c), lang) for c in _FOLLOW_NUM_COLS),
                _text("follow_up", follow_up_text(f, lang), " ".join(f.reasons)),
            ],
            {
                "data-village": f.village_code,
                "data-regency": f.regency_code,
                "data-reasons": " ".join(f.reasons),
                "data-submission-status": f.submission_status,
            },
        )
        for f in data.follow_up
    ]
    return table


def silent_table(data: ReportData, lang: str) -> Table:
    t = labels(lang)
    table = _table(
        "silent-regencies",
        t["silent_regencies"],
        [("unit", False), ("villages_expected", True)],
        lang,
        {"unit": t["col_regency"]},
    )
    table.rows = [
        TableRow(
            [_text("unit", r.name, r.code), _num("villages_expected", r.villages_expected, lang)],
            {"data-unit": r.code},
        )
        for r in data.silent_regencies
    ]
    return table


def audit_table(data: ReportData, lang: str) -> Table:
    """The audit's warnings: which published table, which check, how many rows failed it."""
    t = labels(lang)
    table = _table(
        "audit-warnings",
        t["sec_audit"],
        [("table", False), ("check", False), ("unexpected_count", True), ("element_count", True)],
        lang,
    )
    table.rows = [
        TableRow(
            [
                _text("table", w.table, w.table),
                _text("check", t.get(f"audit_{w.check}") or w.message, w.check),
                _num("unexpected_count", w.unexpected_count, lang),
                _num("element_count", w.element_count, lang),
            ],
            {"data-table": w.table, "data-check": w.check},
        )
        for w in data.audit_warnings
    ]
    return table


@cache
def vega_bundle() -> str:
    """Vega, Vega-Lite and vega-embed as one inline script.

    vl-convert builds the bundle in about 3 s, which every run's report task paid; it
    depends only on vl-convert's version, so it is kept in the work folder per version.
    """
    import vl_convert

    from cakupan.config import current

    kept = current().work_dir / "cache" / f"vega-bundle-{vl_convert.__version__}.js"
    if kept.is_file():
        return kept.read_text(encoding="utf-8")
    # Inside <script>, only "</script" could end the element early; neutralise it.
    bundle = re.sub(r"</(script)", r"<\\/\1", vl_convert.javascript_bundle(), flags=re.IGNORECASE)
    write_atomic(kept, bundle)
    return bundle


def script_json(value: Any) -> Markup:
    """JSON safe inside a <script> element (no ``<``, ``>`` or ``&`` left to parse)."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escape)
    return Markup(text)  # escaped above for the script context


@cache
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIR),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def vega_script_name() -> str:
    """The shared script's file name beside the pages, one per vl-convert version."""
    import vl_convert

    return f"vega-bundle-{vl_convert.__version__}.js"


def render_page(
    data: ReportData,
    lang: str,
    data_docs_href: str | None = None,
    vega_src: str | None = None,
) -> str:
    """One date's page in one language. ``vega_src``: the charts' library as a script file
    beside the page (every page of a folder shares it); None puts it inside the page, for a
    single file to e-mail (about 1 MB more)."""
    from cakupan.report.charts import all_charts

    t = labels(lang)
    other = next(code for code in LANGUAGES if code != lang)
    charts = all_charts(data, lang)
    context = {
        "lang": lang,
        "t": t,
        "as_of": data.as_of.isoformat(),
        "date_text": format_date(data.as_of, lang),
        "other_lang": other,
        "other_href": page_name(data.as_of, other),
        "other_label": labels(lang)["other_language"],
        "data_docs_href": data_docs_href,
        "charts": charts,
        "tables": {
            "attainment": attainment_table(data, lang),
            "workforce": workforce_table(data, lang),
            "status": status_table(data, lang),
            "trend": trend_table(data, lang),
            "files": files_table(data, lang),
            "rejections": reasons_table(
                "rejections-by-reason", t["table_rejections"], data.rejections, lang
            ),
            "flags": reasons_table("flags-by-reason", t["table_flags"], data.flags, lang),
            "follow_up": follow_up_table(data, lang),
            "silent": silent_table(data, lang),
            "audit": audit_table(data, lang),
        },
        "follow_up_count": t["follow_up_count"].format(n=format_number(len(data.follow_up), lang)),
        "outlooks": outlooks(data, lang),
        "forecast_note": t["forecast_note"].format(days=PROJECTION_DAYS),
        "chart_specs": script_json(charts),
        "chart_options": script_json(vega_locales(lang)),
        "vega_src": vega_src,
        "vega_bundle": Markup("" if vega_src else vega_bundle()),  # library code, not data
    }
    return _environment().get_template("page.html.j2").render(context)


def report_dates(out_dir: Path) -> list[dt.date]:
    """Dates with an Indonesian page in ``out_dir``, newest first (rescanned every time)."""
    found = []
    if out_dir.is_dir():
        for path in out_dir.iterdir():
            match = PAGE_NAME.match(path.name)
            if match and path.is_file():
                try:
                    found.append(dt.date.fromisoformat(match.group(1)))
                except ValueError:
                    continue
    return sorted(found, reverse=True)


def render_index(out_dir: Path) -> str:
    """The list of every date's pages present in ``out_dir``, both languages."""
    entries = [
        {
            "iso": day.isoformat(),
            "pages": [
                {
                    "lang": lang,
                    "href": page_name(day, lang),
                    "text": format_date(day, lang),
                    "language": labels(lang)["language_name"],
                }
                for lang in LANGUAGES
                if (out_dir / page_name(day, lang)).is_file()
            ],
        }
        for day in report_dates(out_dir)
    ]
    return (
        _environment()
        .get_template("index.html.j2")
        .render(
            {
                "lang": DEFAULT_LANGUAGE,
                "t": {code: labels(code) for code in LANGUAGES},
                "entries": entries,
            }
        )
    )


def write_atomic(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` via a temp file and rename: readers never see half a page."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o644)  # a report is for reading: no personal data in it
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path
