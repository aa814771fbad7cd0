"""Vega-Lite specs (built with Altair) for the report's charts.

Each chart draws numbers that the page also lists in a table, so the charts can stay
simple and the tables carry the exact values. Data is inlined as plain values (no pandas,
no URLs), so a spec is deterministic and the page works offline.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import altair as alt

from cakupan.report.data import STATUSES, ReportData, projection
from cakupan.report.labels import label, labels

WIDTH = 620
# Missing stands out; on time and submitted read as good, late as a warning.
STATUS_COLOURS = {
    "missing": "#c0392b",
    "late": "#e67e22",
    "on_time": "#27ae60",
    "submitted": "#2980b9",
}
PROVINCE_COLOUR = "#34495e"
TARGET_COLOUR = "#7b241c"  # the 100 % line of the attainment chart
REGENCY_COLOUR = "#5dade2"


def _num(value: Decimal | int | None) -> float | int | None:
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal) else int(value)


def _spec(chart: alt.TopLevelMixin, description: str) -> dict[str, Any]:
    spec = (
        chart.properties(description=description)
        .configure_axis(labelLimit=280)
        .configure_legend(labelLimit=300)
        .to_dict()
    )
    spec.pop("$schema", None)  # vega-embed gets mode="vega-lite"; no URL in the page
    return spec


def attainment_chart(data: ReportData, lang: str) -> dict[str, Any]:
    """Target attainment (%) per regency with a target, the province last and darker.

    The axis always runs from 0 to 100 % (further only when a unit is past its target), with
    the target drawn at 100 %: a regency at 0.9 % must look nearly empty, not full.
    """
    t = labels(lang)
    units = [r for r in data.regencies if r.target_workers] + [data.province]
    values = [
        {
            "unit": r.name,
            "kind": "province" if r.code == "province" else "regency",
            "pct": _num(r.target_attainment_pct),
            "covered": r.workers_covered,
            "target": r.target_workers,
        }
        for r in units
    ]
    order = [v["unit"] for v in values]
    top = max([100.0, *(v["pct"] for v in values if v["pct"] is not None)])
    axis = alt.Scale(domain=[0, top], nice=False)
    bars = (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            y=alt.Y("unit:N", sort=order, title=None),
            x=alt.X("pct:Q", title=t["col_target_attainment_pct"], scale=axis),
            color=alt.Color(
                "kind:N",
                scale=alt.Scale(
                    domain=["regency", "province"], range=[REGENCY_COLOUR, PROVINCE_COLOUR]
                ),
                legend=None,
            ),
            tooltip=[
                alt.Tooltip("unit:N", title=t["col_unit"]),
                alt.Tooltip("covered:Q", title=t["col_workers_covered"], format=","),
                alt.Tooltip("target:Q", title=t["col_target_workers"], format=","),
                alt.Tooltip("pct:Q", title=t["col_target_attainment_pct"], format=",.2f"),
            ],
        )
    )
    target = alt.Chart(alt.Data(values=[{"pct": 100, "label": t["target_line"]}]))
    rule = target.mark_rule(color=TARGET_COLOUR, strokeDash=[4, 3], strokeWidth=2).encode(
        x=alt.X("pct:Q", scale=axis)
    )
    text = target.mark_text(align="right", dx=-4, dy=-6, color=TARGET_COLOUR).encode(
        x=alt.X("pct:Q", scale=axis), text="label:N", y=alt.value(0)
    )
    chart = alt.layer(bars, rule, text).properties(width=WIDTH, title=t["chart_attainment"])
    return _spec(chart, t["chart_attainment"])


def workforce_chart(data: ReportData, lang: str) -> dict[str, Any] | None:
    """Workforce coverage next to its target, where the workforce figures are known."""
    t = labels(lang)
    units = [r for r in data.regencies if r.workforce_known]
    if data.province.workforce_known:
        units.append(data.province)
    if not units:
        return None
    measures = ("workforce_coverage_pct", "workforce_target_pct")
    names = {m: t[f"measure_{m}"] for m in measures}
    values = [
        {"unit": r.name, "measure": names[m], "pct": _num(getattr(r, m))}
        for r in units
        for m in measures
        if getattr(r, m) is not None
    ]
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            y=alt.Y("unit:N", sort=[r.name for r in units], title=None),
            yOffset=alt.YOffset("measure:N", sort=[names[m] for m in measures]),
            x=alt.X("pct:Q", title=t["col_percent"]),
            color=alt.Color(
                "measure:N",
                sort=[names[m] for m in measures],
                scale=alt.Scale(range=[REGENCY_COLOUR, "#bdc3c7"]),
                title=t["col_measure"],
            ),
            tooltip=[
                alt.Tooltip("unit:N", title=t["col_unit"]),
                alt.Tooltip("measure:N", title=t["col_measure"]),
                alt.Tooltip("pct:Q", title=t["col_percent"], format=",.2f"),
            ],
        )
        .properties(width=WIDTH, title=t["chart_workforce"])
    )
    return _spec(chart, t["chart_workforce"])


def status_chart(data: ReportData, lang: str) -> dict[str, Any]:
    """Desa per submission status, stacked per regency."""
    t = labels(lang)
    statuses = [s for s in STATUSES if any(c.counts.get(s) for c in data.statuses)] or ["missing"]
    names = [t[f"status_{s}"] for s in statuses]
    values = [
        {"unit": c.name, "status": t[f"status_{s}"], "order": i, "desa": c.counts.get(s, 0)}
        for c in data.statuses
        for i, s in enumerate(statuses)
    ]
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            y=alt.Y(
                "unit:N",
                sort=[c.name for c in data.statuses],
                title=None,
            ),
            x=alt.X("desa:Q", stack="zero", title=t["col_villages_expected"]),
            color=alt.Color(
                "status:N",
                sort=names,
                scale=alt.Scale(domain=names, range=[STATUS_COLOURS[s] for s in statuses]),
                title=t["col_status"],
            ),
            order=alt.Order("order:Q"),
            tooltip=[
                alt.Tooltip("unit:N", title=t["col_regency"]),
                alt.Tooltip("status:N", title=t["col_status"]),
                alt.Tooltip("desa:Q", title=t["col_village"], format=","),
            ],
        )
        .properties(width=WIDTH, title=t["chart_status"])
    )
    return _spec(chart, t["chart_status"])


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _projections(data: ReportData, lang: str) -> list[dict[str, Any]]:
    """Both ends of the projection of each unit drawn in the trend that is on pace;
    ``target`` marks an end that is the target on its date (not cut off before it)."""
    drawn = {p.code for p in data.trend}
    what = labels(lang)["projection"]
    values = []
    for unit in [data.province, *data.regencies]:
        forecast = data.forecasts.get(unit.code)
        ends = projection(unit, forecast, data.as_of)
        if unit.code not in drawn or forecast is None or ends is None:
            continue
        values += [
            {
                "date": _iso(day),
                "unit": unit.name,
                "covered": round(n),
                "what": what,
                "target": day == forecast.target_reached_on,
            }
            for day, n in ends
        ]
    return values


def trend_chart(data: ReportData, lang: str) -> dict[str, Any]:
    """Workers covered per snapshot date, one line per area (the province included).

    The province is a thick dark dashed line drawn on top, so it stays visible where a
    single regency's line lies on it (early in the drive the province is mostly PALI).
    A unit on pace to reach its worker target goes on as a thin dotted line of its colour
    to a ring on its target (``projection``: cut off ``PROJECTION_DAYS`` ahead, then no ring).
    """
    t = labels(lang)
    province = data.province.name
    values = [
        {
            "date": _iso(p.snapshot_date),
            "unit": p.name,
            "covered": p.workers_covered,
            "kind": "province" if p.name == province else "regency",
        }
        for p in data.trend
    ]
    units = list(dict.fromkeys(p.name for p in data.trend))
    is_province = alt.datum.kind == "province"
    x = alt.X(
        "date:T",
        timeUnit="utcyearmonthdate",
        title=t["col_date"],
        axis=alt.Axis(format="%-d %b %Y", labelAngle=0),
    )
    colour = alt.Color(
        "unit:N",
        sort=units,
        title=t["col_unit"],
        scale=alt.Scale(
            domain=units,
            range=[PROVINCE_COLOUR if u == province else c for u, c in _palette(units)],
        ),
    )
    tooltip = [
        alt.Tooltip("date:T", timeUnit="utcyearmonthdate", title=t["col_date"]),
        alt.Tooltip("unit:N", title=t["col_unit"]),
        alt.Tooltip("covered:Q", title=t["col_workers_covered"], format=","),
    ]
    lines = (
        alt.Chart(alt.Data(values=values))
        .mark_line(point=True)
        .encode(
            x=x,
            y=alt.Y("covered:Q", title=t["col_workers_covered"]),
            color=colour,
            strokeWidth=alt.condition(is_province, alt.value(4), alt.value(2)),
            strokeDash=alt.condition(is_province, alt.value([8, 4]), alt.value([1, 0])),
            order=alt.Order("kind:N", sort="descending"),
            tooltip=tooltip,
        )
    )
    chart: alt.TopLevelMixin = lines
    projected = _projections(data, lang)
    if projected:
        encoding = {
            "x": x,
            "y": "covered:Q",
            "color": colour,
            "detail": "unit:N",
            "tooltip": [*tooltip, alt.Tooltip("what:N", title=t["col_measure"])],
        }
        layers = [
            lines,
            alt.Chart(alt.Data(values=projected))
            .mark_line(strokeDash=[2, 4], strokeWidth=2, opacity=0.9)
            .encode(**encoding),
        ]
        targets = [v for v in projected if v["target"]]
        if targets:  # an empty layer would make Vega warn of an infinite extent
            layers.append(
                alt.Chart(alt.Data(values=targets))
                .mark_point(shape="circle", filled=False, size=70, strokeWidth=2)
                .encode(**encoding)
            )
        chart = alt.layer(*layers)
    chart = chart.properties(width=WIDTH, height=260, title=t["chart_trend"])
    return _spec(chart, t["chart_trend"])


# Regency lines: Tableau 10 without its dark blue-grey, which is the province's.
_REGENCY_PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#17becf",
)


def _palette(units: list[str]) -> list[tuple[str, str]]:
    return [(u, _REGENCY_PALETTE[i % len(_REGENCY_PALETTE)]) for i, u in enumerate(units)]


def rejections_chart(data: ReportData, lang: str) -> dict[str, Any] | None:
    """Rejected rows per reason, coloured by source; None when nothing was rejected."""
    if not data.rejections:
        return None
    t = labels(lang)
    values = [
        {
            "reason": label(lang, f"reason_{r.reason}"),
            "source": label(lang, f"source_{r.source}"),
            "rows": r.rows,
        }
        for r in data.rejections
    ]
    chart = (
        alt.Chart(alt.Data(values=values))
        .mark_bar()
        .encode(
            y=alt.Y("reason:N", title=None, sort="-x"),
            x=alt.X("rows:Q", stack="zero", title=t["col_rows_rejected"]),
            color=alt.Color("source:N", title=t["col_source"]),
            tooltip=[
                alt.Tooltip("source:N", title=t["col_source"]),
                alt.Tooltip("reason:N", title=t["col_reason"]),
                alt.Tooltip("rows:Q", title=t["col_rows"], format=","),
            ],
        )
        .properties(width=WIDTH, title=t["chart_rejections"])
    )
    return _spec(chart, t["chart_rejections"])


def all_charts(data: ReportData, lang: str) -> dict[str, dict[str, Any]]:
    """The page's charts by container id, in page order; absent charts are left out."""
    charts = {
        "chart-attainment": attainment_chart(data, lang),
        "chart-workforce": workforce_chart(data, lang),
        "chart-status": status_chart(data, lang),
        "chart-trend": trend_chart(data, lang),
        "chart-rejections": rejections_chart(data, lang),
    }
    return {k: v for k, v in charts.items() if v is not None}
