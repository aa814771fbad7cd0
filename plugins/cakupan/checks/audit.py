"""GX audits what is published: write, audit, then publish the snapshot of a date.

``build_snapshot`` runs the core and mart models in one transaction. Before it commits,
:func:`audit_snapshot` reads the date's rows of every published table through that same
connection (the only one that sees the uncommitted rows) into pandas, and validates each
with its suite, ``expectations/mart_<table>.json``, on GX's pandas engine:

* GX 1.x has no DuckDB engine, and its SQL engine would open connections of its own that
  cannot see the rows being written. The frames are small (3,259 villages at most, one row
  per file in ``mart.data_quality``), so reading them into pandas costs next to nothing.
* Each expectation has a GX ``severity``: a failed **critical** one raises
  :class:`AuditFailed`, which rolls the whole snapshot back, so nothing of that date is
  published and the task fails (and with it the DAG's failure alert). A failed **warning**
  is stored in ``core.audit_warning`` in the same transaction and shown in the report.
* ``meta.check`` names each expectation for people and the report's labels;
  ``meta.message`` says in one sentence what it guards.

Row rules of incoming files are not GX's job here: they are SQL (``include/sql/rules``).
GX is imported only when an audit runs, never at DAG parse time.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from cakupan.checks.data_docs import raised_exception, sanitize_result
from cakupan.checks.suites import AUDITED_TABLES, COVERAGE_TABLES, gx_context, load_suite
from cakupan.logs import get_logger
from cakupan.settings import Settings
from cakupan.warehouse.sqlfiles import query_file, run_file, statements

if TYPE_CHECKING:
    import pandas as pd
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
    )

log = get_logger(__name__)

CRITICAL, WARNING = "critical", "warning"
# GX is told to count failing rows, never to list them: the results hold no cell value.
RESULT_FORMAT = {"result_format": "SUMMARY", "partial_unexpected_count": 0}


@cache
def _data_source() -> Any:
    return gx_context().data_sources.add_pandas("cakupan_audit")


@cache
def _batch_definition(table: str) -> Any:
    asset = _data_source().add_dataframe_asset(f"mart.{table}")
    return asset.add_batch_definition_whole_dataframe("snapshot_rows")


WHOLE_TYPES = ("smallint", "integer", "bigint", "hugeint")
FRACTION_TYPES = ("numeric", "decimal", "double", "real")


def _typed(column: pd.Series, data_type: str) -> pd.Series:
    """A column as GX compares it: numbers as int/float, dates as datetime64.

    Typed by the table's declared column type (``information_schema``), not by its values:
    the drivers hand DECIMAL over as ``Decimal`` and DATE as ``datetime.date`` objects, and a
    column of NULLs only (no village has submitted yet) must still compare as a date.
    """
    import pandas as pd

    kind = data_type.lower()
    if kind == "date":
        return pd.to_datetime(column)
    if kind.startswith(WHOLE_TYPES) and not column.isna().any():
        return pd.to_numeric(column).astype("int64")
    if kind.startswith(WHOLE_TYPES + FRACTION_TYPES):
        return pd.to_numeric(column).astype("float64")  # NULL -> NaN, still null to GX
    return column


# Columns computed in pandas (with_helpers) that suites may name beside the table's own.
COVERAGE_HELPERS = ("workers_not_enrolled", "workers_not_covered")
HELPER_COLUMNS: dict[str, tuple[str, ...]] = {
    "data_quality": ("rows_accounted", "rejected_share", "received_on_snapshot_date"),
    **dict.fromkeys(COVERAGE_TABLES, COVERAGE_HELPERS),
}


def with_helpers(table: str, frame: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """Columns some checks need that no published table holds, computed here in pandas.

    data_quality: ``rows_accounted`` (rows_loaded + rows_rejected), ``rejected_share``
    (rows_rejected / rows_read, NaN when no row was read) and ``received_on_snapshot_date``
    (the rejected-share warning is news about that day's files only).
    coverage tables: ``workers_not_enrolled`` and ``workers_not_covered`` (workers_eligible
    less each), since GX compares two columns, not a column with a difference.
    """
    import numpy as np
    import pandas as pd

    if table in COVERAGE_TABLES:
        frame["workers_not_enrolled"] = frame["workers_eligible"] - frame["workers_enrolled"]
        frame["workers_not_covered"] = frame["workers_eligible"] - frame["workers_covered"]
    if table == "data_quality":
        read = frame["rows_read"].astype("float64")
        frame["rows_accounted"] = frame["rows_loaded"] + frame["rows_rejected"]
        frame["rejected_share"] = frame["rows_rejected"] / read.where(read > 0, np.nan)
        frame["received_on_snapshot_date"] = frame["received_date"] == pd.Timestamp(as_of)
    return frame


def table_frame(conn: Connection, table: str, as_of: dt.date) -> pd.DataFrame:
    """The rows of ``mart.<table>`` the snapshot of ``as_of`` publishes, as GX sees them."""
    import pandas as pd

    (stmt,) = statements(f"audit/{table}.sql")
    result = conn.execute(sa.text(stmt), {"as_of": as_of})
    frame = pd.DataFrame(result.fetchall(), columns=list(result.keys()))
    declared = {
        r.column_name: r.data_type
        for r in query_file(conn, "audit/column_types.sql", {"table_name": table})
    }
    for name in frame.columns:
        frame[name] = _typed(frame[name], declared.get(name, ""))
    return with_helpers(table, frame, as_of)


def prepare_audit() -> None:
    """Import GX and build every suite and batch definition (each kept per process), so
    that an audit only validates; the snapshot runs it on a background thread
    (``cakupan.preload``) while its models work."""
    from great_expectations.validator.v1_validator import Validator  # noqa: F401

    for table in AUDITED_TABLES:
        load_suite(table)
        _batch_definition(table)


def suite_parameters(conn: Connection, settings: Settings) -> dict[str, dict[str, Any]]:
    """The ``$PARAMETER`` values of each suite: reference-list counts and settings."""
    (counts,) = query_file(conn, "audit/reference_counts.sql")
    params: dict[str, dict[str, Any]] = {}
    for table, unit in AUDITED_TABLES.items():
        params[table] = {"max_rejected_share": settings.audit.max_rejected_share}
        if unit is not None:
            params[table]["expected_rows"] = int(counts._mapping[unit])
    return params


def validate(
    table: str, frame: pd.DataFrame, parameters: dict[str, Any]
) -> ExpectationSuiteValidationResult:
    """GX's raw result of one table's suite on its frame (counts, no listed values)."""
    from great_expectations.validator.v1_validator import Validator

    validator = Validator(
        batch_definition=_batch_definition(table),
        batch_parameters={"dataframe": frame},
        result_format=RESULT_FORMAT,
    )
    return validator.validate_expectation_suite(
        load_suite(table), expectation_parameters=parameters
    )


@dataclass(frozen=True)
class Finding:
    """One failed expectation of one published table, without any cell value."""

    table: str  # mart.coverage_village
    check: str  # meta.check
    expectation: str  # expect_..._b(workers_enrolled, workers_covered)
    severity: str  # critical | warning
    message: str  # meta.message
    unexpected_count: int | None = None
    element_count: int | None = None
    observed: Any = None  # a table statistic (the row count), never a cell
    raised: bool = False

    @property
    def detail(self) -> str:
        if self.raised:
            return "the expectation raised an exception (see the task log)"
        if self.unexpected_count is not None:
            return f"{self.unexpected_count:,} of {self.element_count or 0:,} rows"
        if self.observed is not None:
            return f"observed {self.observed} rows"
        return "failed"

    def line(self) -> str:
        """One line for a task log or an exception: table, check, expectation, count, why."""
        return (
            f"{self.table} failed {self.check} ({self.expectation}): {self.detail}. {self.message}"
        )


def expectation_label(config: Any) -> str:
    """``type(columns)``: how a GX user recognises an expectation, without its values."""
    kwargs = config.kwargs
    columns = (
        [kwargs["column"]]
        if "column" in kwargs
        else [kwargs[k] for k in ("column_A", "column_B") if k in kwargs]
        or list(kwargs.get("column_list") or [])
    )
    return f"{config.type}({', '.join(columns)})" if columns else config.type


def _exception_message(exception_info: dict[str, Any]) -> str:
    """GX's message of a raised expectation, top-level or from the first failed metric."""
    if exception_info.get("exception_message"):
        return str(exception_info["exception_message"])
    for value in exception_info.values():
        if isinstance(value, dict) and value.get("exception_message"):
            return str(value["exception_message"])
    return "unknown"


def findings_of(table: str, result: ExpectationSuiteValidationResult) -> list[Finding]:
    """The failed expectations of a result. One that raised counts as critical: a check
    that cannot run guards nothing, whatever its severity."""
    found = []
    for item in result.results:
        if item.success:
            continue
        config = item.expectation_config
        raised = raised_exception(item.exception_info)
        severity = str(getattr(config.severity, "value", config.severity) or CRITICAL)
        meta = config.meta or {}
        stats = item.result or {}
        is_row_count = config.type.startswith("expect_table_row_count")
        if raised:  # the sanitised result drops GX's text: the task log keeps it
            log.error(
                "audit_check_raised",
                table=f"mart.{table}",
                check=meta.get("check"),
                error=_exception_message(item.exception_info),
            )
        found.append(
            Finding(
                table=f"mart.{table}",
                check=str(meta.get("check") or config.type),
                expectation=expectation_label(config),
                severity=CRITICAL if raised else severity,
                message=str(meta.get("message") or ""),
                unexpected_count=stats.get("unexpected_count"),
                element_count=stats.get("element_count"),
                observed=stats.get("observed_value") if is_row_count else None,
                raised=raised,
            )
        )
    return found


@dataclass
class AuditResult:
    """What the audit of one snapshot found, and GX's sanitised results for Data Docs."""

    as_of: dt.date
    findings: list[Finding] = field(default_factory=list)
    validations: dict[str, ExpectationSuiteValidationResult] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def critical(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == CRITICAL]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.severity != CRITICAL]


class AuditFailed(RuntimeError):
    """A critical expectation failed: the snapshot is rolled back and the task fails.

    The message is one line naming the table and the expectation (the first failure; the
    others are logged as ``audit_failed``).
    """

    def __init__(self, audit: AuditResult) -> None:
        self.audit = audit
        first, *others = audit.critical
        more = f" (+{len(others)} more critical failures in the log)" if others else ""
        super().__init__(f"snapshot {audit.as_of.isoformat()} not published: {first.line()}{more}")


def _record_warnings(conn: Connection, audit: AuditResult) -> None:
    """Replace the date's rows of core.audit_warning, inside the snapshot's transaction."""
    run_file(conn, "audit/delete_warnings.sql", {"as_of": audit.as_of})
    rows = [
        {
            "snapshot_date": audit.as_of,
            "table_name": f.table,
            "check_name": f.check,
            "expectation": f.expectation,
            "unexpected_count": f.unexpected_count,
            "element_count": f.element_count,
            "message": f.message,
        }
        for f in audit.warnings
    ]
    if rows:
        (stmt,) = statements("audit/insert_warning.sql")
        conn.execute(sa.text(stmt), rows)


def audit_frames(
    as_of: dt.date, frames: dict[str, pd.DataFrame], parameters: dict[str, dict[str, Any]]
) -> AuditResult:
    """Validate each published table's frame with its suite; findings and sanitised results."""
    audit = AuditResult(as_of)
    for table in AUDITED_TABLES:
        raw = validate(table, frames[table], parameters[table])
        audit.rows[table] = len(frames[table])
        audit.findings.extend(findings_of(table, raw))
        audit.validations[table] = sanitize_result(raw)
    return audit


def audit_snapshot(conn: Connection, as_of: dt.date, settings: Settings) -> AuditResult:
    """Validate every published table's rows of ``as_of`` on ``conn``, before it commits.

    Warnings are written to core.audit_warning on ``conn``; a critical failure raises
    :class:`AuditFailed`, and the caller's transaction rolls back with it.
    """
    frames = {table: table_frame(conn, table, as_of) for table in AUDITED_TABLES}
    audit = audit_frames(as_of, frames, suite_parameters(conn, settings))
    for finding in audit.findings:
        if finding.severity == CRITICAL:
            log.error("audit_failed", as_of=as_of.isoformat(), finding=finding.line())
        else:
            log.warning("audit_warning", as_of=as_of.isoformat(), finding=finding.line())
    _record_warnings(conn, audit)
    if audit.critical:
        raise AuditFailed(audit)
    log.info("audit_passed", as_of=as_of.isoformat(), warnings=len(audit.warnings), rows=audit.rows)
    return audit
