"""Small, consistent published-table frames for the audit's unit tests (no warehouse).

Shaped as ``cakupan.checks.audit.table_frame`` hands them to GX: the mart columns, counts
as integers, percentages and nullable counts as floats, dates as datetime64. Three villages
(two desa, one kelurahan) in one district, regency and province; two files, the one with a
high rejected share received before the snapshot date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from cakupan.checks.audit import with_helpers
from cakupan.checks.suites import AUDITED_TABLES

AS_OF = dt.date(2025, 6, 2)
NAN = np.nan
# A file name can carry a person's name: it must never reach a result page.
BUDGET = 100 * 16800 * 12  # a desa's village_budget_idr_per_year
PERSONAL_FILE_NAME = "usulan SITI AMINAH 1612054101900001.xlsx"


def _dates(*values: dt.date | None) -> pd.Series:
    return pd.to_datetime(pd.Series(values, dtype="object"))


def _counts(**columns: list[Any]) -> dict[str, Any]:
    return {
        k: pd.Series(v, dtype="float64" if any(x is NAN for x in v) else "int64")
        for k, v in columns.items()
    }


def _units(rows: int, extra: dict[str, Any]) -> pd.DataFrame:
    return pd.DataFrame({"snapshot_date": _dates(*[AS_OF] * rows), **extra})


def village() -> pd.DataFrame:
    return _coverage(
        "coverage_village",
        3,
        {
            "village_code": ["1612052011", "1612052012", "1612051001"],
            "village_name": ["Harapan Jaya", "Sukamaju", "Talang Ubi Timur"],
            "village_type": ["desa", "desa", "kelurahan"],
            "district_code": ["161205"] * 3,
            "district_name": ["Talang Ubi"] * 3,
            "regency_code": ["1612"] * 3,
            "regency_name": ["Penukal Abab Lematang Ilir"] * 3,
            **_counts(
                workers_proposed=[10, 0, 3],
                workers_eligible=[8, 0, 3],
                workers_enrolled=[6, 0, 1],
                workers_covered=[4, 0, 1],
                workers_in_arrears=[1, 0, 0],
                rows_rejected=[2, 0, 0],
                target_workers=[100, 100, NAN],
                poor_listed=[5, 0, 0],
                poor_covered=[2, 0, 0],
            ),
            "target_attainment_pct": [4.0, 0.0, NAN],
            "coverage_pct": [50.0, NAN, 33.33],
            "first_submitted_on": _dates(dt.date(2025, 5, 20), None, dt.date(2025, 5, 28)),
            "submission_status": ["on_time", "missing", "on_time"],
            **_counts(
                workers_probably_covered=[1, 0, 0],
                workers_awaiting_enrolment=[2, 0, 2],
                workers_paid_by_village=[3, 0, 0],
                village_budget_idr_per_year=[BUDGET, BUDGET, NAN],
            ),
        },
    )


def _coverage(table: str, rows: int, extra: dict[str, Any]) -> pd.DataFrame:
    """A coverage table's frame with the audit's helper columns, as table_frame gives it."""
    return with_helpers(table, _units(rows, extra), AS_OF)


def _rolled(rows: int = 1) -> dict[str, Any]:
    """The sums of the villages above, as district, regency and province rows carry them."""
    return {
        **_counts(
            workers_proposed=[13],
            workers_eligible=[11],
            workers_enrolled=[7],
            workers_covered=[5],
            workers_in_arrears=[1],
            rows_rejected=[2],
            target_workers=[200],
            poor_listed=[5],
            poor_covered=[2],
            villages_expected=[2],
            villages_submitted=[1],
            villages_on_time=[1],
        ),
        "target_attainment_pct": [2.5],
        "coverage_pct": [45.45],
        "reporting_rate_pct": [50.0],
        "on_time_rate_pct": [50.0],
        **_counts(
            workers_probably_covered=[1],
            workers_awaiting_enrolment=[4],
            workers_paid_by_village=[3],
            village_budget_idr_per_year=[2 * BUDGET],
        ),
    }


def district() -> pd.DataFrame:
    return _coverage(
        "coverage_district",
        1,
        {
            "district_code": ["161205"],
            "district_name": ["Talang Ubi"],
            "regency_code": ["1612"],
            "regency_name": ["Penukal Abab Lematang Ilir"],
            **_rolled(),
        },
    )


def _workforce() -> dict[str, Any]:
    return {
        "workforce_estimate": [50000.0],
        **_counts(members_covered=[7]),
        "workforce_coverage_pct": [0.01],
        "workforce_target_pct": [50.0],
    }


def regency() -> pd.DataFrame:
    return _coverage(
        "coverage_regency",
        1,
        {
            "regency_code": ["1612"],
            "regency_name": ["Penukal Abab Lematang Ilir"],
            **_rolled(),
            **_workforce(),
        },
    )


def province() -> pd.DataFrame:
    return _coverage(
        "coverage_province",
        1,
        {**_rolled(), **_workforce(), **_counts(members_unattributed=[1])},
    )


def forecast() -> pd.DataFrame:
    """PALI on pace (workers and workforce), the province with a falling pace and no date."""
    return _units(
        2,
        {
            "unit_level": ["regency", "province"],
            "unit_code": ["1612", "16"],
            "pace_workers_per_week": [14.0, -1.5],
            **_counts(workers_missing=[195, 195]),
            "target_reached_on": _dates(dt.date(2025, 8, 8), None),
            "pace_members_per_week": [3.5, 0.0],
            **_counts(members_missing=[24993, 1499993]),
            "workforce_target_reached_on": _dates(dt.date(2140, 1, 1), None),
        },
    )


def data_quality(rows: list[tuple[str, dt.date, int, int, int]] | None = None) -> pd.DataFrame:
    """Files as (name, received_date, rows_read, rows_loaded, rows_rejected)."""
    rows = rows or [
        ("desa_a.xlsx", AS_OF, 10, 9, 1),
        (PERSONAL_FILE_NAME, AS_OF - dt.timedelta(days=3), 10, 2, 8),  # old news: no warning
    ]
    frame = pd.DataFrame(
        {
            "source": ["village_submissions"] * len(rows),
            "file_name": [r[0] for r in rows],
            "sha256": [f"{i:064x}" for i in range(len(rows))],
            "received_date": _dates(*(r[1] for r in rows)),
            "status": ["loaded"] * len(rows),
            **_counts(
                rows_read=[r[2] for r in rows],
                rows_loaded=[r[3] for r in rows],
                rows_rejected=[r[4] for r in rows],
            ),
        }
    )
    return with_helpers("data_quality", frame, AS_OF)


def frames() -> dict[str, pd.DataFrame]:
    built = {
        "coverage_village": village(),
        "coverage_district": district(),
        "coverage_regency": regency(),
        "coverage_province": province(),
        "data_quality": data_quality(),
        "coverage_forecast": forecast(),
    }
    assert set(built) == set(AUDITED_TABLES)
    return built


def parameters(max_rejected_share: float = 0.5) -> dict[str, dict[str, Any]]:
    rows = {
        "coverage_village": 3,
        "coverage_district": 1,
        "coverage_regency": 1,
        "coverage_forecast": 2,
    }
    return {
        table: {
            "max_rejected_share": max_rejected_share,
            **({"expected_rows": rows[table]} if table in rows else {}),
        }
        for table in AUDITED_TABLES
    }
