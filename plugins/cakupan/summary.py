"""What a person reads in the terminal: a run's summary, a snapshot's regency table."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy.engine import Engine

from cakupan.sources.specs import SOURCES
from cakupan.warehouse.sqlfiles import query_file

_COLUMNS = (
    ("regency", "Kabupaten/Kota", 34),
    ("workers_proposed", "proposed", 9),
    ("workers_eligible", "eligible", 9),
    ("workers_covered", "covered", 8),
    ("target_workers", "target", 7),
    ("target_attainment_pct", "attain%", 8),
    ("villages_submitted", "desa sent", 9),
    ("villages_expected", "of desa", 7),
    ("reporting_rate_pct", "report%", 8),
    ("on_time_rate_pct", "ontime%", 8),
)


def _fmt(value: object) -> str:
    if value is None:
        return "-"
    if isinstance(value, Decimal | float):
        return f"{value:.2f}"
    return str(value)


def regency_table(engine: Engine, as_of: dt.date, only_active: bool = True) -> str:
    """Regency rows of mart.coverage_regency plus the province total, as aligned text."""
    with engine.connect() as conn:
        rows = [
            r._mapping for r in query_file(conn, "report/regency_summary.sql", {"as_of": as_of})
        ]
    if only_active:
        rows = [
            r for r in rows if r["is_total"] or r["workers_proposed"] or r["villages_submitted"]
        ]
    header = " ".join(
        title.rjust(w) if i else title.ljust(w) for i, (_, title, w) in enumerate(_COLUMNS)
    )
    lines = [f"Coverage snapshot {as_of.isoformat()}", header, "-" * len(header)]
    for row in rows:
        cells = []
        for i, (key, _, width) in enumerate(_COLUMNS):
            text = _fmt(row[key])
            cells.append(text[:width].ljust(width) if i == 0 else text.rjust(width))
        lines.append(" ".join(cells))
    return "\n".join(lines)


# --------------------------------------------------------------------------- a run's summary

STATUS_WORDS = {"loaded": "loaded", "rejected_file": "rejected", "skipped_duplicate": "skipped"}


@dataclass
class SourceTally:
    """What one run did with one source's files."""

    files: Counter[str] = field(default_factory=Counter)  # loaded / rejected / skipped
    rows_loaded: int = 0
    rows_rejected: int = 0
    reasons: Counter[str] = field(default_factory=Counter)
    rejected_files: list[str] = field(default_factory=list)
    waiting: int = 0  # in the landing folder, not recorded: still being copied or changed

    def add(self, entry: Any) -> None:
        """Count one ledger entry (a row with status, file_name, error, rows_loaded,
        rows_rejected and rejected_by_reason as JSON)."""
        self.files[STATUS_WORDS.get(entry.status, entry.status)] += 1
        self.rows_loaded += entry.rows_loaded or 0
        self.rows_rejected += entry.rows_rejected or 0
        self.reasons.update(json.loads(entry.rejected_by_reason or "{}"))
        if entry.status == "rejected_file":
            self.rejected_files.append(f"{entry.file_name}: {entry.error}")

    def line(self, source: str) -> str:
        files = ", ".join(
            f"{self.files[status]} {word}"
            for status, word in STATUS_WORDS.items()
            if self.files[status] or status == "loaded"
        )
        waiting = f", {self.waiting} waiting" if self.waiting else ""
        text = (
            f"  {source:<20} files: {files}{waiting}; rows: {self.rows_loaded:,} loaded, "
            f"{self.rows_rejected:,} rejected"
        )
        if self.reasons:
            top = ", ".join(f"{reason} {n:,}" for reason, n in self.reasons.most_common(3))
            text += f" ({top})"
        return text


def tally_run(
    engine: Engine, since: dt.datetime, waiting: dict[str, int]
) -> dict[str, SourceTally]:
    """Per source, the files this run recorded (ledger entries written since ``since``)."""
    tallies = {source: SourceTally(waiting=waiting.get(source, 0)) for source in SOURCES}
    with engine.connect() as conn:
        entries = query_file(conn, "report/run_files.sql", {"since": since})
    for entry in entries:
        tallies[entry.source].add(entry)
    return tallies


def run_summary(
    engine: Engine,
    as_of: dt.date,
    tallies: dict[str, SourceTally],
    places: dict[str, str],
    wall_s: float,
    failed_tasks: list[str],
) -> str:
    """The lines ``cakupan run`` ends with: per source, the snapshot, warnings, where."""
    lines = [f"cakupan run {as_of.isoformat()}: " + ("done" if not failed_tasks else "FAILED")]
    lines += [tally.line(source) for source, tally in tallies.items()]
    line, audit_warnings = snapshot_line(engine, as_of)
    if line:
        lines.append(f"  {line}")
    warnings = _warnings(tallies, audit_warnings, failed_tasks)
    lines += [f"  warning: {w}" for w in warnings]
    lines += [f"  {name}: {where}" for name, where in places.items()]
    lines.append(f"  wall time: {wall_s:.1f} s")
    return "\n".join(lines)


def snapshot_line(engine: Engine, as_of: dt.date) -> tuple[str | None, int]:
    """The province's line of the snapshot of ``as_of`` (None before it is built) and its
    number of audit warnings; cakupan run's summary and the snapshot task's log say it."""
    with engine.connect() as conn:
        province = query_file(conn, "report/run_snapshot.sql", {"as_of": as_of})
    if not province:
        return None, 0
    p = province[0]
    attained = "-" if p.target_attainment_pct is None else f"{p.target_attainment_pct:.2f} %"
    line = (
        f"snapshot {as_of.isoformat()}: Sumatera Selatan {p.workers_proposed:,} proposed, "
        f"{p.workers_covered:,} covered of a target of {p.target_workers:,} ({attained})"
    )
    return line, int(p.audit_warnings)


def _warnings(tallies: dict[str, SourceTally], audit_warnings: int, failed: list[str]) -> list[str]:
    out = ["failed tasks: " + ", ".join(failed)] if failed else []
    for source, tally in tallies.items():
        for rejected in tally.rejected_files[:3]:
            out.append(f"{source} file rejected: {rejected}")
        if len(tally.rejected_files) > 3:
            out.append(f"{source}: {len(tally.rejected_files) - 3} more files rejected")
        if not sum(tally.files.values()) and not tally.waiting:
            out.append(f"{source}: nothing new in the landing folder")
        if tally.waiting:
            out.append(
                f"{source}: {tally.waiting} new file(s) not read, waiting for the next run: "
                "modified less than landing.settle_seconds ago (still being copied?) or "
                "changed while read"
            )
    if audit_warnings:
        out.append(f"{audit_warnings} audit warning(s): see the report")
    return out
