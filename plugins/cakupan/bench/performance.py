"""The benchmark's figures as Markdown, written into docs/performance.md between markers.

Only the block between ``<!-- bench:begin -->`` and ``<!-- bench:end -->`` is rewritten, so
the prose around it (what was profiled, what changed) stays as written, and the figures
are always those of the last ``make bench``.
"""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path
from typing import Any

BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"
MEMORY_FLAT = 1.25  # peak RSS at 4x the poverty rows within 25 % of 1x counts as flat

# name, summary key, test, wording; targets hold at scale 1.0 on 2 cores.
TARGETS: tuple[tuple[str, str, Any, str], ...] = (
    ("cold run", "cold_s", lambda v: v <= 180, "<= 180 s"),
    ("daily increment", "increment_s", lambda v: v <= 60, "<= 60 s"),
    ("peer / pipeline", "peer_ratio", lambda v: v >= 5, ">= 5x"),
    ("CSV ingest / bare load", "bare_load_ratio", lambda v: v <= 3, "<= 3x"),
    ("peak memory", "peak_rss_mb", lambda v: v <= 3072, "<= 3,072 MB"),
    ("validation share", "validation_share", lambda v: v < 1 / 3, "< 1/3 per stage"),
)


def summary(measured: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The JSON line: per engine the six headline figures."""
    return {engine: result.summary() for engine, result in measured["results"].items()}


def _status(value: Any, test: Any) -> str:
    if value is None:
        return "not measured"
    return "met" if test(value) else "**not met**"


def render(measured: dict[str, Any]) -> str:
    """The generated block: machine, workload, targets, stages, baselines, memory."""
    heads = summary(measured)
    engines = list(heads)
    lines = [
        BEGIN,
        "",
        f"Measured {dt.date.today().isoformat()} by `make bench SCALE={measured['scale']:g}` "
        f"on {os.cpu_count()} cores ({platform.machine()}, Python {platform.python_version()}). "
        f"Landing set generated (or reused) in {measured['generated_s']:.0f} s.",
        "",
        "| day | source | files | rows read | rows loaded | rows rejected |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for day, sources in measured["set"].items():
        for source, e in sources.items():
            lines.append(
                f"| {day} | {source} | {e['files']:,} | {e['rows_read']:,} | "
                f"{e['rows_loaded']:,} | {e['rows_rejected']:,} |"
            )
    lines += ["", "### Targets", ""]
    lines.append("| target | goal | " + " | ".join(engines) + " |")
    lines.append("|---|---|" + "---|" * len(engines))
    for name, key, test, goal in TARGETS:
        cells = [f"{heads[e][key]} ({_status(heads[e][key], test)})" for e in engines]
        lines.append(f"| {name} | {goal} | " + " | ".join(cells) + " |")
    memory = measured["memory"]
    if memory:
        peaks = {k: v["peak_rss_mb"] for k, v in memory.items()}
        flat = max(peaks.values()) <= MEMORY_FLAT * peaks[min(peaks)]
        figures = ", ".join(f"{k}x: {v:,.0f} MB" for k, v in sorted(peaks.items()))
        lines.append(
            f"| memory flat in input size | 4x within 25 % of 1x | {figures} "
            f"({'met' if flat else '**not met**'}) |" + " |" * (len(engines) - 1)
        )
        lines += [
            "",
            "Poverty register alone, DuckDB (`cakupan run` with only the register):",
            "",
            "| rows | register load, s | whole run, s | peak RSS, MB |",
            "|---:|---:|---:|---:|",
        ]
        for _, v in sorted(memory.items()):
            lines.append(
                f"| {v['rows']:,} | {v['load_s']:.1f} | {v['wall_s']:.1f} | "
                f"{v['peak_rss_mb']:,.0f} |"
            )
    lines += ["", "### Stages (wall seconds, from the tasks)", ""]
    for engine, result in measured["results"].items():
        lines += [
            f"**{engine}**",
            "",
            "| stage | day 1 (cold) | day 2 (increment) |",
            "|---|---:|---:|",
        ]
        cold, incr = result.cold.stage_seconds(), result.increment.stage_seconds()
        for stage in dict.fromkeys([*cold, *incr]):
            lines.append(f"| {stage} | {cold.get(stage, 0):.1f} | {incr.get(stage, 0):.1f} |")
        lines.append(f"| sum of tasks | {sum(cold.values()):.1f} | {sum(incr.values()):.1f} |")
        lines.append(
            f"| whole run (Airflow included) | {result.cold.wall_s:.1f} | "
            f"{result.increment.wall_s:.1f} |"
        )
        lines.append(
            f"| peak RSS, MB | {result.cold.peak_rss_mb:,.0f} | "
            f"{result.increment.peak_rss_mb:,.0f} |"
        )
        shares = ", ".join(f"{s} {v:.0%}" for s, v in result.cold.validation_shares().items())
        lines += [
            "",
            f"Validation (GX suite + Python rules) share of each load stage, day 1: {shares}.",
            f"Load phases summed over day 1, seconds: {_phases(result.cold.tasks, 'load')}.",
            "Slowest snapshot models, day 1 / day 2, seconds: "
            f"{_phases(result.cold.tasks, 'snapshot', 4)} / "
            f"{_phases(result.increment.tasks, 'snapshot', 4)}.",
            "",
        ]
    lines += ["### Baselines (day 1 files)", ""]
    lines.append("| engine | pipeline CSV ingest | bare load | ratio | peer | peer / cold run |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    for engine, result in measured["results"].items():
        peer = result.peer
        peer_cells = (
            f"{peer['seconds']:.0f} s (read {peer.get('read_s', 0):.0f} s, "
            f"to_sql {peer.get('write_s', 0):.0f} s) | {heads[engine]['peer_ratio']}x"
            if peer
            else "not run | -"
        )
        lines.append(
            f"| {engine} | {result.cold.csv_ingest_s():.1f} s | {result.bare['seconds']:.1f} s | "
            f"{heads[engine]['bare_load_ratio']}x | {peer_cells} |"
        )
    lines += ["", END]
    return "\n".join(lines)


def _phases(tasks: list[dict[str, Any]], stage: str, slowest: int | None = None) -> str:
    """The phases of a stage's tasks summed: all by name, or the ``slowest`` few by time."""
    total: dict[str, float] = {}
    for task in tasks:
        if task["stage"] == stage:
            for phase, seconds in task["phases_s"].items():
                total[phase] = total.get(phase, 0.0) + seconds
    items = sorted(total.items())
    if slowest is not None:
        items = sorted(items, key=lambda item: -item[1])[:slowest]
    return ", ".join(f"{k} {v:.1f}" for k, v in items) or "none"


def write_block(path: Path, block: str) -> None:
    """Replace the generated block of ``path`` (appended when the file has none)."""
    text = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        tail = rest.split(END, 1)[1]
        text = head + block + tail
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
