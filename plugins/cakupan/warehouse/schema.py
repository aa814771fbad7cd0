"""Creating the warehouse schema and loading the reference list and the settings into it."""

from __future__ import annotations

import csv
from functools import cache
from typing import Any

import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from cakupan.logs import get_logger
from cakupan.paths import REFERENCE_DIR
from cakupan.settings import Settings
from cakupan.warehouse.bulk import bulk_insert, checked_identifier
from cakupan.warehouse.engine import describe, dialect_of, lock_exclusive
from cakupan.warehouse.sqlfiles import model_files, run_file

log = get_logger(__name__)

# The core tables a snapshot can always rebuild from staging: the working sets it empties
# and refills, and the kept state core/030 and core/050 rebuild whenever they find it empty.
# On PostgreSQL they are UNLOGGED: they write no WAL (a day-2 snapshot at province scale
# writes some 5 million of their rows), and a crash empties them, which only costs the
# next snapshot a rebuild. Staging, the ledger, the history and the marts stay logged.
REBUILDABLE_TABLES = (
    "core.proposed_worker",
    "core.member_latest",
    "core.member_enrolled",
    "core.member_previous",
    "core.member_staged",
    "core.member_coverage",
    "core.poverty_latest",
    "core.member_village",
    "core.probable_match",
)


def _read_reference(name: str) -> list[dict[str, str]]:
    with (REFERENCE_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def reference_tables() -> dict[str, pa.Table]:
    """The shipped Kemendagri lists shaped as the ref.* tables."""
    regencies = _read_reference("kabupaten.csv")
    districts = _read_reference("kecamatan.csv")
    villages = _read_reference("desa.csv")
    district_names = {d["code"]: d["name"] for d in districts}
    return {
        "ref.regency": pa.table(
            {
                "regency_code": [r["code"] for r in regencies],
                "regency_name": [r["name"] for r in regencies],
                "regency_type": [r["type"] for r in regencies],
            }
        ),
        "ref.district": pa.table(
            {
                "district_code": [d["code"] for d in districts],
                "district_name": [d["name"] for d in districts],
                "regency_code": [d["parent_code"] for d in districts],
            }
        ),
        "ref.village": pa.table(
            {
                "village_code": [v["code"] for v in villages],
                "village_name": [v["name"] for v in villages],
                "village_type": [v["type"] for v in villages],
                "district_code": [v["parent_code"] for v in villages],
                "district_name": [district_names[v["parent_code"]] for v in villages],
                "regency_code": [v["kabupaten_code"] for v in villages],
                "regency_name": [v["kabupaten_name"] for v in villages],
            }
        ),
    }


@cache
def village_codes() -> frozenset[str]:
    """The 10-digit codes a snapshot reports on: exactly the shipped reference list.

    Cached: every validation batch needs it, and the shipped list never changes in a run.
    """
    return frozenset(v["code"] for v in _read_reference("desa.csv"))


def ensure_schema(engine: Engine) -> None:
    """Create schemas and tables if missing and (re)load the reference list. Idempotent."""
    with engine.begin() as conn:
        lock_exclusive(conn, "schema")
        for relpath in model_files("ddl"):
            run_file(conn, relpath)
        if dialect_of(conn) == "postgresql":
            _unlog_rebuildable(conn)
        for table, data in reference_tables().items():
            conn.execute(sa.text(f"DELETE FROM {checked_identifier(table)}"))
            bulk_insert(conn, table, data)
    log.info("warehouse_schema_ready", url=describe(engine.url))


def _unlog_rebuildable(conn: Connection) -> None:
    """Make each of :data:`REBUILDABLE_TABLES` still logged UNLOGGED (PostgreSQL). Only
    those: ``ALTER TABLE`` locks the table even when there is nothing to change, and a
    load task must not wait here for a snapshot that holds core's tables."""
    logged = conn.execute(
        sa.text(
            "SELECT n.nspname || '.' || c.relname FROM pg_class AS c "
            "JOIN pg_namespace AS n ON n.oid = c.relnamespace "
            "WHERE c.relpersistence = 'p' AND n.nspname || '.' || c.relname = ANY(:names)"
        ),
        {"names": list(REBUILDABLE_TABLES)},
    ).scalars()
    for table in logged:
        conn.execute(sa.text(f"ALTER TABLE {checked_identifier(table)} SET UNLOGGED"))


def write_settings(conn: Connection, settings: Settings) -> None:
    """Put the targets of ``settings`` into ref.regency_target / ref.province_target."""
    province = _read_reference("provinsi.csv")[0]
    rows: dict[str, list[Any]] = {
        "regency_code": [],
        "village_target": [],
        "workforce_estimate": [],
        "workforce_target_pct": [],
        "submission_deadline": [],
    }
    for regency in _read_reference("kabupaten.csv"):
        entry = settings.regencies.get(regency["code"])
        rows["regency_code"].append(regency["code"])
        target = entry.village_target if entry and entry.village_target is not None else None
        rows["village_target"].append(target if target is not None else settings.village_target)
        rows["workforce_estimate"].append(entry.workforce_estimate if entry else None)
        rows["workforce_target_pct"].append(entry.workforce_target_pct if entry else None)
        rows["submission_deadline"].append(entry.submission_deadline if entry else None)
    regency_target = pa.table(
        {
            "regency_code": pa.array(rows["regency_code"], pa.string()),
            "village_target": pa.array(rows["village_target"], pa.int32()),
            "workforce_estimate": pa.array(rows["workforce_estimate"], pa.int64()),
            "workforce_target_pct": pa.array(rows["workforce_target_pct"], pa.float64()),
            "submission_deadline": pa.array(rows["submission_deadline"], pa.date32()),
        }
    )
    province_target = pa.table(
        {
            "province_code": [province["code"]],
            "province_name": [province["name"]],
            "workforce_estimate": pa.array([settings.province_workforce_estimate], pa.int64()),
            "workforce_target_pct": pa.array(
                [settings.province_workforce_target_pct], pa.float64()
            ),
        }
    )
    conn.execute(sa.text("DELETE FROM ref.regency_target"))
    conn.execute(sa.text("DELETE FROM ref.province_target"))
    bulk_insert(conn, "ref.regency_target", regency_target)
    bulk_insert(conn, "ref.province_target", province_target)
