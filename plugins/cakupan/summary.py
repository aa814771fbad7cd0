"""A readable text table of regency coverage for one snapshot (for the terminal)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.engine import Engine

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
        rows = conn.execute(sa.text(
            "SELECT r.*, REPLACE(REPLACE(regency_name, 'Kabupaten ', ''), 'Kota ', 'Kota ') "
            "AS regency FROM mart.coverage_regency AS r WHERE snapshot_date = :d "
            "ORDER BY regency_code"), {"d": as_of}).mappings().all()
        province = conn.execute(sa.text(
            "SELECT *, 'SUMATERA SELATAN' AS regency, NULL AS regency_code "
            "FROM mart.coverage_province WHERE snapshot_date = :d"), {"d": as_of}).mappings().all()
    if only_active:
        rows = [r for r in rows if r["workers_proposed"] or r["villages_submitted"]]
    header = " ".join(title.rjust(w) if i else title.ljust(w)
                      for i, (_, title, w) in enumerate(_COLUMNS))
    lines = [f"Coverage snapshot {as_of.isoformat()}", header, "-" * len(header)]
    for row in [*rows, *province]:
        cells = []
        for i, (key, _, width) in enumerate(_COLUMNS):
            text = _fmt(row[key])
            cells.append(text[:width].ljust(width) if i == 0 else text.rjust(width))
        lines.append(" ".join(cells))
    return "\n".join(lines)
