"""What the report must show, computed in the tests from whole mart tables read with
SQLAlchemy (plain SELECT *), independently of the report's own SQL and shaping."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter

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


def rejected_files(engine, day: dt.date) -> dict[str, str]:
    """Village code -> error of its latest submission file rejected whole, received <= day."""
    got = [
        r
        for r in rows(engine, "SELECT * FROM staging.file_ledger")
        if r["source"] == "village_submissions"
        and r["status"] == "rejected_file"
        and r["village_code"]
        and r["received_date"] <= day
    ]
    got.sort(key=lambda r: (r["received_date"], r["loaded_at"], r["file_name"].encode()))
    return {r["village_code"]: r["error"] for r in got}  # the latest wins


def follow_up_reasons(v: dict, file_error: str | None) -> set[str]:
    """The documented rule (docs/decisions.md), restated for the test: the reasons of one
    village (none: not listed). A desa with no loaded row is chased for what happened."""
    if v["village_type"] != "desa":
        return set()
    if v["submission_status"] == "missing":
        sent = {"file_rejected"} if file_error else set()
        if v["rows_rejected"] > 0:
            sent.add("all_rows_rejected")
        return sent or {"missing"}
    reasons = {"late"} if v["submission_status"] == "late" else set()
    if v["rows_rejected"] > 0:
        reasons.add("rows_rejected")
    if v["target_workers"] and v["workers_proposed"] < v["target_workers"]:
        reasons.add("below_target")
    return reasons


def follow_up(engine, day: dt.date) -> tuple[dict[str, set[str]], set[str]]:
    """({desa code to follow up: its reasons}, silent regency codes). In a silent regency
    only the desa that sent something of which nothing loaded are listed."""
    regency = regencies(engine, day)
    silent = {
        c for c, r in regency.items() if r["villages_expected"] and not r["villages_submitted"]
    }
    files = rejected_files(engine, day)
    out = {}
    for v in villages(engine, day):
        reasons = follow_up_reasons(v, files.get(v["village_code"]))
        if v["regency_code"] in silent:
            reasons = reasons & {"file_rejected", "all_rows_rejected"}
        if reasons:
            out[v["village_code"]] = reasons
    return out, silent
