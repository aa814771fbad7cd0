"""What the coverage report shows, read from the mart tables (and the audit's warnings in
``core.audit_warning``) into plain dataclasses.

The queries live in ``include/sql/report/coverage_*.sql`` (one per file, the same on DuckDB
and PostgreSQL); the shaping below (status counts, JSON sums, the follow-up rule) is plain
Python so it can be unit-tested without a warehouse. Only aggregates, village codes, place
names and the error of a village's rejected file (``FileRejected``'s fixed texts, which never
quote a cell) leave this module: no NIK, no person's name, no file name.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from cakupan.warehouse.sqlfiles import query_file

STATUSES = ("missing", "on_time", "late", "submitted")
FOLLOW_UP_REASONS = (
    "missing",
    "file_rejected",
    "all_rows_rejected",
    "late",
    "rows_rejected",
    "below_target",
)
# Reasons of a desa that sent something of which nothing loaded: its contract status is
# ``missing`` (no loaded row), but it has sent and must fix, not send.
SENT_REJECTED = ("file_rejected", "all_rows_rejected")
# What the report says of a unit's worker target (forecast_outlook; labels outlook_<code>).
OUTLOOKS = ("on_pace", "not_at_pace", "reached", "no_forecast", "no_target")
# The trend chart's projections look this far ahead at most; the sentences give the date.
PROJECTION_DAYS = 180


class SnapshotNotFoundError(LookupError):
    """No snapshot was built for the date; ``latest`` is the newest one (None: none at all)."""

    def __init__(self, as_of: dt.date, latest: dt.date | None) -> None:
        self.as_of = as_of
        self.latest = latest
        hint = (
            f"the latest snapshot is {latest.isoformat()}"
            if latest
            else "no snapshot has been built yet (run cakupan run first)"
        )
        super().__init__(f"no coverage snapshot for {as_of.isoformat()}: {hint}")


@dataclass(frozen=True)
class Attainment:
    """One regency's (or the province's) attainment row; ``code`` is ``province`` for it."""

    code: str
    name: str
    workers_proposed: int
    workers_eligible: int
    workers_covered: int
    target_workers: int | None
    target_attainment_pct: Decimal | None
    workforce_estimate: int | None
    members_covered: int
    workforce_coverage_pct: Decimal | None
    workforce_target_pct: Decimal | None
    villages_expected: int
    villages_submitted: int

    @property
    def workforce_known(self) -> bool:
        return self.workforce_estimate is not None or self.workforce_target_pct is not None


@dataclass(frozen=True)
class StatusCount:
    """Desa of one regency (or the province) per submission status."""

    code: str
    name: str
    counts: Mapping[str, int]

    @property
    def desa(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class TrendPoint:
    snapshot_date: dt.date
    code: str
    name: str
    workers_covered: int


@dataclass(frozen=True)
class Forecast:
    """A unit's row of ``mart.coverage_forecast`` (the worker target); ``code`` as in
    :class:`Attainment` (``province`` for the province)."""

    code: str
    pace_workers_per_week: Decimal | None
    workers_missing: int | None
    target_reached_on: dt.date | None


@dataclass(frozen=True)
class FileCount:
    source: str
    status: str
    files: int
    rows_read: int
    rows_loaded: int
    rows_rejected: int


@dataclass(frozen=True)
class ReasonCount:
    source: str
    reason: str
    rows: int


@dataclass(frozen=True)
class AuditWarning:
    """A warning-level GX expectation that failed on a published table of the date.

    ``check`` keys the report's label (``audit_<check>``); ``message`` is the suite's own
    English sentence, shown where no label exists. Counts only, never a file name.
    """

    table: str
    check: str
    expectation: str
    unexpected_count: int | None
    element_count: int | None
    message: str


@dataclass(frozen=True)
class FollowUp:
    """A desa someone should call, and why (codes of :data:`FOLLOW_UP_REASONS`)."""

    regency_code: str
    regency_name: str
    district_name: str
    village_code: str
    village_name: str
    submission_status: str
    first_submitted_on: dt.date | None
    workers_proposed: int
    workers_covered: int
    target_workers: int | None
    target_attainment_pct: Decimal | None
    rows_rejected: int
    reasons: tuple[str, ...]
    rejected_file_error: str | None = None

    @property
    def shown_status(self) -> str:
        """The status the report shows: ``sent_rejected`` for a desa that sent but has no
        loaded row (its ``submission_status`` stays ``missing``, CONTRACT §4)."""
        if any(r in SENT_REJECTED for r in self.reasons):
            return "sent_rejected"
        return self.submission_status


@dataclass
class ReportData:
    """Everything one date's page shows."""

    as_of: dt.date
    province: Attainment
    regencies: list[Attainment]
    statuses: list[StatusCount]
    status_total: StatusCount
    trend: list[TrendPoint]
    files: list[FileCount]
    rejections: list[ReasonCount]
    flags: list[ReasonCount]
    follow_up: list[FollowUp]
    silent_regencies: list[Attainment] = field(default_factory=list)
    audit_warnings: list[AuditWarning] = field(default_factory=list)
    forecasts: dict[str, Forecast] = field(default_factory=dict)


def snapshot_dates(engine: Engine) -> list[dt.date]:
    """Dates with a built snapshot, oldest first; empty when the marts do not exist yet."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("coverage_province", schema="mart"):
            return []
        return [r.snapshot_date for r in query_file(conn, "report/coverage_dates.sql")]


def _attainment(code: str, name: str, row: Mapping[str, Any]) -> Attainment:
    return Attainment(
        code=code,
        name=name,
        workers_proposed=row["workers_proposed"],
        workers_eligible=row["workers_eligible"],
        workers_covered=row["workers_covered"],
        target_workers=row["target_workers"],
        target_attainment_pct=row["target_attainment_pct"],
        workforce_estimate=row["workforce_estimate"],
        members_covered=row["members_covered"],
        workforce_coverage_pct=row["workforce_coverage_pct"],
        workforce_target_pct=row["workforce_target_pct"],
        villages_expected=row["villages_expected"],
        villages_submitted=row["villages_submitted"],
    )


def status_counts(
    rows: Iterable[Mapping[str, Any]], names: Mapping[str, str], province_name: str
) -> tuple[list[StatusCount], StatusCount]:
    """Desa per regency and status (every status present, zeros included) and the total.

    Kelurahan rows are dropped: they are not expected to submit (CONTRACT §4), as in
    ``villages_expected``; so is a city made only of kelurahan.
    """
    per: dict[str, Counter[str]] = {}
    for row in rows:
        if row["village_type"] == "desa":
            per.setdefault(row["regency_code"], Counter())[row["submission_status"]] += int(
                row["villages"]
            )
    statuses = [
        StatusCount(code, names.get(code, code), {s: counts[s] for s in _statuses(counts)})
        for code, counts in sorted(per.items())
    ]
    total: Counter[str] = Counter()
    for counts in per.values():
        total.update(counts)
    return statuses, StatusCount("province", province_name, {s: total[s] for s in _statuses(total)})


def _statuses(counts: Counter[str]) -> list[str]:
    return [*STATUSES, *sorted(set(counts) - set(STATUSES))]


def reason_counts(rows: Iterable[Mapping[str, Any]], column: str) -> list[ReasonCount]:
    """Sum the per-file JSON objects of counts (``{"invalid_nik": 3}``) by source and reason."""
    totals: Counter[tuple[str, str]] = Counter()
    for row in rows:
        text = row[column]
        counts = json.loads(text) if text else {}
        for reason, n in counts.items():
            totals[(row["source"], reason)] += int(n)
    return [
        ReasonCount(source, reason, n)
        for (source, reason), n in sorted(totals.items())
        if n  # a zero count says nothing
    ]


def follow_up_reasons(row: Mapping[str, Any]) -> tuple[str, ...]:
    """Why a desa needs a follow-up (empty: it does not). See docs/decisions.md.

    A desa with no loaded row (``missing``) is chased for what really happened:
    ``file_rejected`` (a file of its rejected whole, ``rejected_file_error``) and/or
    ``all_rows_rejected`` (every row it sent was rejected), else ``missing``: it sent
    nothing; it is trivially below target too, so that is not listed. Otherwise ``late``,
    ``rows_rejected`` (rows to fix with ``export-rejections``) and ``below_target`` (fewer
    workers proposed than its target, the desa's own duty), in that order. Enrolment below
    target is not listed: that is BPJS's step, not the village's, and early in the campaign
    it would list every desa.
    """
    if row["submission_status"] == "missing":
        sent = (("file_rejected",) if row.get("rejected_file_error") else ()) + (
            ("all_rows_rejected",) if row["rows_rejected"] else ()
        )
        return sent or ("missing",)
    reasons: list[str] = []
    if row["submission_status"] == "late":
        reasons.append("late")
    if row["rows_rejected"]:
        reasons.append("rows_rejected")
    if row["target_workers"] and row["workers_proposed"] < row["target_workers"]:
        reasons.append("below_target")
    return tuple(reasons)


def follow_up_list(
    rows: Iterable[Mapping[str, Any]], regencies: Sequence[Attainment]
) -> tuple[list[FollowUp], list[Attainment]]:
    """Desa to follow up, most urgent first per regency, and the silent regencies.

    A regency where no desa has submitted is listed once as a whole instead of desa by
    desa: hundreds of rows would bury the villages that can act now. Its desa that sent
    something of which nothing loaded are still listed: they have their own fix to make.
    """
    by_code = {r.code: r for r in regencies}
    silent = {r.code for r in regencies if r.villages_expected and not r.villages_submitted}
    out: list[FollowUp] = []
    for row in rows:
        reasons = follow_up_reasons(row)
        if not reasons or (
            row["regency_code"] in silent and not any(r in SENT_REJECTED for r in reasons)
        ):
            continue
        regency = by_code.get(row["regency_code"])
        out.append(
            FollowUp(
                regency_code=row["regency_code"],
                regency_name=regency.name if regency else row["regency_code"],
                district_name=row["district_name"],
                village_code=row["village_code"],
                village_name=row["village_name"],
                submission_status=row["submission_status"],
                first_submitted_on=row["first_submitted_on"],
                workers_proposed=row["workers_proposed"],
                workers_covered=row["workers_covered"],
                target_workers=row["target_workers"],
                target_attainment_pct=row["target_attainment_pct"],
                rows_rejected=row["rows_rejected"],
                reasons=reasons,
                rejected_file_error=row.get("rejected_file_error"),
            )
        )
    out.sort(
        key=lambda f: (
            f.regency_code,
            FOLLOW_UP_REASONS.index(f.reasons[0]),
            f.target_attainment_pct if f.target_attainment_pct is not None else Decimal(-1),
            f.village_code,
        )
    )
    return out, [r for r in regencies if r.code in silent]


def forecast_outlook(unit: Attainment, forecast: Forecast | None) -> str:
    """What to say of ``unit``'s worker target (one of :data:`OUTLOOKS`).

    ``reached`` comes from the counts, so it holds whatever the pace; ``no_forecast`` is a
    snapshot built before the forecast existed, or a window of fewer than 3 snapshots.
    """
    if unit.target_workers is None:
        return "no_target"
    if unit.workers_covered >= unit.target_workers:
        return "reached"
    if forecast is None or forecast.pace_workers_per_week is None:
        return "no_forecast"
    return "on_pace" if forecast.target_reached_on is not None else "not_at_pace"


def projection(
    unit: Attainment, forecast: Forecast | None, as_of: dt.date
) -> tuple[tuple[dt.date, float], tuple[dt.date, float]] | None:
    """The trend chart's projection of an ``on_pace`` unit, (date, workers) at both ends:
    from its count on ``as_of`` to its target on the date it is reached, cut off
    :data:`PROJECTION_DAYS` ahead, where a date years away would squeeze the history into
    a corner of the chart."""
    if forecast is None or forecast_outlook(unit, forecast) != "on_pace":
        return None
    reached, pace = forecast.target_reached_on, forecast.pace_workers_per_week
    start = (as_of, float(unit.workers_covered))
    if reached and (reached - as_of).days <= PROJECTION_DAYS:
        return start, (reached, float(unit.target_workers or 0))
    ahead = float(pace or 0) / 7 * PROJECTION_DAYS
    return start, (as_of + dt.timedelta(days=PROJECTION_DAYS), start[1] + ahead)


def forecasts_by_unit(rows: Iterable[Mapping[str, Any]]) -> dict[str, Forecast]:
    """The forecast rows keyed as the report keys its units (``province`` for the province)."""
    return {
        code: Forecast(
            code, r["pace_workers_per_week"], r["workers_missing"], r["target_reached_on"]
        )
        for r in rows
        for code in ("province" if r["unit_level"] == "province" else r["unit_code"],)
    }


def _rows(conn: Connection, name: str, as_of: dt.date) -> list[Mapping[str, Any]]:
    return [r._mapping for r in query_file(conn, f"report/coverage_{name}.sql", {"as_of": as_of})]


def _rows_since(conn: Connection, table: str, name: str, as_of: dt.date) -> list[Mapping[str, Any]]:
    """``_rows``, or none on a warehouse built before ``table`` (``schema.name``) existed."""
    schema, bare = table.split(".")
    if not sa.inspect(conn).has_table(bare, schema=schema):
        return []
    return _rows(conn, name, as_of)


def audit_warnings(conn: Connection, as_of: dt.date) -> list[AuditWarning]:
    """The audit's warnings of the date; none on a warehouse built before the audit existed."""
    return [
        AuditWarning(
            table=r["table_name"],
            check=r["check_name"],
            expectation=r["expectation"],
            unexpected_count=r["unexpected_count"],
            element_count=r["element_count"],
            message=r["message"],
        )
        for r in _rows_since(conn, "core.audit_warning", "audit_warnings", as_of)
    ]


def load_report_data(engine: Engine, as_of: dt.date, province_name: str) -> ReportData:
    """Read one date's report from the marts; :class:`SnapshotNotFoundError` if not built."""
    dates = snapshot_dates(engine)
    if as_of not in dates:
        raise SnapshotNotFoundError(as_of, dates[-1] if dates else None)
    with engine.connect() as conn:
        (province_row,) = _rows(conn, "province", as_of)
        regency_rows = _rows(conn, "regencies", as_of)
        status_rows = _rows(conn, "village_status", as_of)
        trend_regency = _rows(conn, "trend_regency", as_of)
        trend_province = _rows(conn, "trend_province", as_of)
        file_rows = _rows(conn, "files", as_of)
        reason_rows = _rows(conn, "file_reasons", as_of)
        desa_rows = _rows(conn, "desa", as_of)
        rejected_files = {
            r["village_code"]: r["error"] for r in _rows(conn, "rejected_files", as_of)
        }
        warnings = audit_warnings(conn, as_of)
        forecast_rows = _rows_since(conn, "mart.coverage_forecast", "forecast", as_of)
    regencies = [_attainment(r["regency_code"], r["regency_name"], r) for r in regency_rows]
    names = {r.code: r.name for r in regencies}
    statuses, status_total = status_counts(status_rows, names, province_name)
    trend = [
        TrendPoint(r["snapshot_date"], "province", province_name, r["workers_covered"])
        for r in trend_province
    ] + [
        TrendPoint(r["snapshot_date"], code, names.get(code, code), r["workers_covered"])
        for r in trend_regency
        for code in (r["regency_code"],)
    ]
    active = active_trend_units(trend)
    follow_up, silent = follow_up_list(
        [{**r, "rejected_file_error": rejected_files.get(r["village_code"])} for r in desa_rows],
        regencies,
    )
    return ReportData(
        as_of=as_of,
        province=_attainment("province", province_name, province_row),
        regencies=regencies,
        statuses=statuses,
        status_total=status_total,
        trend=[p for p in trend if p.code in active],
        files=[FileCount(**{k: r[k] for k in FileCount.__dataclass_fields__}) for r in file_rows],
        rejections=reason_counts(reason_rows, "rejected_by_reason"),
        flags=reason_counts(reason_rows, "flags_by_reason"),
        follow_up=follow_up,
        silent_regencies=silent,
        audit_warnings=warnings,
        forecasts=forecasts_by_unit(forecast_rows),
    )


def active_trend_units(trend: Sequence[TrendPoint]) -> set[str]:
    """Units worth a line in the trend: the province and regencies with any coverage.

    Regencies that never had a covered worker would draw flat lines at zero over the
    ones that matter.
    """
    return {"province"} | {p.code for p in trend if p.workers_covered}


def with_province_name(data: ReportData, name: str) -> ReportData:
    """The same report with the province called ``name`` (its name in another language)."""
    return replace(
        data,
        province=replace(data.province, name=name),
        status_total=replace(data.status_total, name=name),
        trend=[replace(p, name=name) if p.code == "province" else p for p in data.trend],
    )
