"""What the report must show, computed in the tests from whole mart tables read with
SQLAlchemy (plain SELECT *), independently of the report's own SQL and shaping."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from decimal import Decimal

from tests.runs import rows

STATUSES = ("missing", "on_time", "late", "submitted")


def regencies(engine, day: dt.date) -> dict[str, dict]:
    got = rows(engine, "SELECT * FROM mart.coverage_regency WHERE snapshot_date = :d", d=day)
    return {r["regency_code"]: r for r in got}


def province(engine, day: dt.date) -> dict:
    [row] = rows(engine, "SELECT * FROM mart.coverage_province WHERE snapshot_date = :d", d=day)
    return row


def forecast(engine, day: dt.date) -> dict[str, dict]:
    """The forecast rows of ``day`` by unit code, "province" for the province."""
    got = rows(engine, "SELECT * FROM mart.coverage_forecast WHERE snapshot_date = :d", d=day)
    return {"province" if r["unit_level"] == "province" else r["unit_code"]: r for r in got}


def villages(engine, day: dt.date) -> list[dict]:
    return rows(engine, "SELECT * FROM mart.coverage_village WHERE snapshot_date = :d", d=day)


def desa_by_status(engine, day: dt.date) -> dict[str, Counter]:
    """Desa per regency and status ("province": all of them)."""
    out: dict[str, Counter] = {}
    for v in villages(engine, day):
        if v["village_type"] == "desa":
            out.setdefault(v["regency_code"], Counter())[v["submission_status"]] += 1
            out.setdefault("province", Counter())[v["submission_status"]] += 1
    return out


def trend(engine, day: dt.date) -> dict[tuple[str, str], int]:
    """(ISO date, unit) -> workers_covered for the province and regencies with coverage."""
    out = {
        (r["snapshot_date"].isoformat(), "province"): r["workers_covered"]
        for r in rows(engine, "SELECT * FROM mart.coverage_province")
        if r["snapshot_date"] <= day
    }
    regency_rows = [
        r for r in rows(engine, "SELECT * FROM mart.coverage_regency") if r["snapshot_date"] <= day
    ]
    active = {r["regency_code"] for r in regency_rows if r["workers_covered"]}
    for r in regency_rows:
        if r["regency_code"] in active:
            out[(r["snapshot_date"].isoformat(), r["regency_code"])] = r["workers_covered"]
    return out


def data_quality(engine, day: dt.date) -> list[dict]:
    return [r for r in rows(engine, "SELECT * FROM mart.data_quality") if r["received_date"] <= day]


def files_by_status(engine, day: dt.date) -> dict[tuple[str, str], dict[str, int]]:
    out: dict[tuple[str, str], Counter] = {}
    for r in data_quality(engine, day):
        c = out.setdefault((r["source"], r["status"]), Counter())
        c["files"] += 1
        for col in ("rows_read", "rows_loaded", "rows_rejected"):
            c[col] += r[col]
    return {k: dict(v) for k, v in out.items()}


def by_reason(engine, day: dt.date, column: str) -> dict[tuple[str, str], int]:
    out: Counter = Counter()
    for r in data_quality(engine, day):
        for reason, n in json.loads(r[column]).items():
            out[(r["source"], reason)] += n
    return {k: v for k, v in out.items() if v}


def needs_follow_up(v: dict) -> bool:
    """The documented rule (docs/decisions.md), restated for the test."""
    if v["village_type"] != "desa":
        return False
    below = v["target_workers"] and (
        v["target_attainment_pct"] is None or v["target_attainment_pct"] < Decimal(100)
    )
    return bool(v["submission_status"] in ("missing", "late") or v["rows_rejected"] > 0 or below)


def follow_up(engine, day: dt.date) -> tuple[set[str], set[str]]:
    """(desa codes to follow up, silent regency codes)."""
    regency = regencies(engine, day)
    silent = {
        c for c, r in regency.items() if r["villages_expected"] and not r["villages_submitted"]
    }
    codes = {
        v["village_code"]
        for v in villages(engine, day)
        if v["regency_code"] not in silent and needs_follow_up(v)
    }
    return codes, silent
