"""A readable text table of regency coverage for one snapshot (for the terminal)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy.engine import Engine

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
