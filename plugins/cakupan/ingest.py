"""Ingesting one landing file: read, normalise, validate, and record it atomically.

Every data row read ends in exactly one place: a staging table (loaded) or
staging.rejected_rows (with its reason). The file's rows, its rejections and its ledger
entry are written in one transaction, so a crash leaves either all of them or none, and
re-running simply picks the file up again.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
from sqlalchemy.engine import Connection, Engine

from cakupan.checks.nik import mask_nik
from cakupan.checks.rules import Verdict, judge
from cakupan.checks.suites import run_suite
from cakupan.landing import LandingFile, sha256_of
from cakupan.logs import get_logger
from cakupan.settings import Settings
from cakupan.sources.errors import FileRejected
from cakupan.sources.normalise import normalise
from cakupan.sources.readers import read_table
from cakupan.sources.specs import FLAGS, SOURCES, SourceSpec
from cakupan.warehouse.bulk import bulk_insert
from cakupan.warehouse.engine import lock_exclusive
from cakupan.warehouse.schema import village_codes
from cakupan.warehouse.sqlfiles import query_file, run_file

if TYPE_CHECKING:
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
    )

log = get_logger(__name__)

# Receives each GX call's sanitised result and how many files it validated (for Data Docs).
OnValidation = Callable[["ExpectationSuiteValidationResult", int], None]


class AccountingError(RuntimeError):
    """rows_read != rows_loaded + rows_rejected: a bug, so the task fails loudly."""


@dataclass
class FileResult:
    """The ledger entry of one file; what mart.data_quality shows."""

    source: str
    file_name: str
    sha256: str
    received_date: dt.date
    status: str  # loaded | rejected_file | skipped_duplicate
    error: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rejected_by_reason: dict[str, int] = field(default_factory=dict)
    flags_by_reason: dict[str, int] = field(default_factory=dict)
    header_row: int | None = None

    def check_accounting(self) -> None:
        if self.rows_read != self.rows_loaded + self.rows_rejected:
            raise AccountingError(
                f"{self.source}/{self.file_name}: rows_read {self.rows_read} != rows_loaded "
                f"{self.rows_loaded} + rows_rejected {self.rows_rejected}"
            )
        if sum(self.rejected_by_reason.values()) != self.rows_rejected:
            raise AccountingError(
                f"{self.source}/{self.file_name}: rejected_by_reason does not add up to "
                f"rows_rejected {self.rows_rejected}"
            )


def suite_parameters(received_date: dt.date, settings: Settings) -> dict[str, Any]:
    """Values the suites take as ``$PARAMETER``: they depend on settings and the file."""
    return {
        "village_codes": sorted(village_codes()),
        "received_date": received_date,
        "kpj_regex": rf"^[0-9]{{{settings.kpj_digits}}}$",
    }


def _ledger_lookup(conn: Connection, lf: LandingFile) -> tuple[bool, str | None]:
    """(this name+content already recorded?, name of an earlier file with this content)."""
    rows = query_file(
        conn, "staging/ledger_same_content.sql", {"source": lf.source, "sha256": lf.sha256}
    )
    names = [r.file_name for r in rows]
    return lf.name in names, (names[0] if names else None)


def _column_array(frame: pd.DataFrame, spec: SourceSpec, name: str) -> pa.Array:
    kind = spec.column(name).kind
    if kind in ("date", "month"):
        dates = frame[f"{name}__date"].to_numpy(dtype=object)
        return pa.array(dates, pa.date32(), from_pandas=True)
    if kind == "int":
        return pa.array(frame[f"{name}__num"].astype("Int64"), pa.int32(), from_pandas=True)
    return pa.array(frame[name].astype(object).to_numpy(), pa.string(), from_pandas=True)


def _loaded_table(
    frame: pd.DataFrame, verdict: Verdict, spec: SourceSpec, lf: LandingFile, received: dt.date
) -> pa.Table:
    rows = frame[verdict.loaded]
    n = len(rows)
    data: dict[str, pa.Array] = {
        "sha256": pa.array([lf.sha256] * n, pa.string()),
        "file_name": pa.array([lf.name] * n, pa.string()),
        "received_date": pa.array([received] * n, pa.date32()),
        "row_number": pa.array(rows["row_number"].astype("int64"), pa.int32()),
    }
    for col in spec.columns:
        data[col.name] = _column_array(rows, spec, col.name)
    if spec.name == "village_submissions":
        data["nik_masked"] = pa.array(mask_nik(rows["nik"]).astype(object), pa.string())
    for flag in FLAGS:
        data[flag] = pa.array(verdict.flags.loc[rows.index, flag].to_numpy(bool), pa.bool_())
    return pa.table(data)


def _rejected_table(
    frame: pd.DataFrame, verdict: Verdict, spec: SourceSpec, lf: LandingFile, received: dt.date
) -> pa.Table:
    rows = frame[~verdict.loaded]
    n = len(rows)
    text_columns = [c.name for c in spec.columns]
    row_data = rows[text_columns].astype(object).where(rows[text_columns].notna(), None)
    as_json = [json.dumps(r, ensure_ascii=False, default=str) for r in row_data.to_dict("records")]
    village = rows["village_code"] if "village_code" in rows else pd.Series(None, index=rows.index)
    return pa.table(
        {
            "source": pa.array([spec.name] * n, pa.string()),
            "file_name": pa.array([lf.name] * n, pa.string()),
            "sha256": pa.array([lf.sha256] * n, pa.string()),
            "received_date": pa.array([received] * n, pa.date32()),
            "row_number": pa.array(rows["row_number"].astype("int64"), pa.int32()),
            "reason": pa.array(verdict.reason[rows.index].to_numpy(dtype=object), pa.string()),
            "village_code": pa.array(
                village.astype(object).to_numpy(), pa.string(), from_pandas=True
            ),
            "nik": pa.array(rows["nik"].astype(object).to_numpy(), pa.string(), from_pandas=True),
            "nik_masked": pa.array(
                mask_nik(rows["nik"]).astype(object).to_numpy(), pa.string(), from_pandas=True
            ),
            "row_data": pa.array(as_json, pa.string()),
        }
    )


def _write_ledger(conn: Connection, result: FileResult, run_id: str | None) -> None:
    row = asdict(result)
    row["rejected_by_reason"] = json.dumps(result.rejected_by_reason, sort_keys=True)
    row["flags_by_reason"] = json.dumps(result.flags_by_reason, sort_keys=True)
    row["run_id"] = run_id
    row["loaded_at"] = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    run_file(conn, "staging/ledger_insert.sql", row)


@dataclass
class Examined:
    """A file read and judged, ready to be recorded (tables is None for rejected files)."""

    file: LandingFile
    result: FileResult
    tables: tuple[pa.Table, pa.Table] | None = None


def _file_result(examined: Examined, frame: pd.DataFrame, verdict: Verdict) -> None:
    result = examined.result
    result.rows_read = len(frame)
    result.rows_loaded = int(verdict.loaded.sum())
    result.rows_rejected = result.rows_read - result.rows_loaded
    result.rejected_by_reason = dict(sorted(Counter(verdict.reason.dropna()).items()))
    result.flags_by_reason = {
        flag: int(verdict.flags[flag].sum()) for flag in FLAGS if verdict.flags[flag].any()
    }
    result.check_accounting()


def examine(
    files: list[LandingFile],
    received: dt.date,
    settings: Settings,
    on_validation: OnValidation | None = None,
) -> list[Examined]:
    """Read, normalise and judge files of one source without touching the warehouse.

    All readable files are validated together in one GX call (rows keyed by file_index and
    row_number): GX's cost is mostly per call, so 2,900 small workbooks cost one call.
    ``on_validation`` gets that call's sanitised GX result, to keep it for Data Docs.
    """
    if not files:
        return []
    spec = SOURCES[files[0].source]
    examined: list[Examined] = []
    frames: list[pd.DataFrame] = []
    for lf in files:
        item = Examined(lf, FileResult(lf.source, lf.name, lf.sha256, received, "loaded"))
        examined.append(item)
        try:
            raw = read_table(lf.path, spec)
        except FileRejected as exc:
            item.result.status, item.result.error = "rejected_file", str(exc)
            continue
        item.result.header_row = raw.header_row
        frame = normalise(raw, spec, received)
        frame["file_index"] = len(examined) - 1
        frames.append(frame)
    if not frames:
        return examined
    combined = pd.concat(frames, ignore_index=True)
    outcome = run_suite(combined, spec.name, suite_parameters(received, settings))
    if on_validation is not None and outcome.validation is not None:
        on_validation(outcome.validation, len(frames))
    verdict = judge(combined, spec, outcome)
    for index, rows in combined.groupby("file_index", sort=False).groups.items():
        item = examined[int(index)]
        frame = combined.loc[rows]
        part = Verdict(reason=verdict.reason.loc[rows], flags=verdict.flags.loc[rows])
        _file_result(item, frame, part)
        item.tables = (
            _loaded_table(frame, part, spec, item.file, received),
            _rejected_table(frame, part, spec, item.file, received),
        )
    return examined


def _skipped(lf: LandingFile, received: dt.date, earlier: str) -> FileResult:
    return FileResult(
        lf.source,
        lf.name,
        lf.sha256,
        received,
        status="skipped_duplicate",
        error=f"isi sama dengan berkas {earlier} / same content as file {earlier}",
    )


def _record(conn: Connection, item: Examined, run_id: str | None) -> FileResult | None:
    """Write one file's rows, rejections and ledger entry in one transaction of ``conn``."""
    lf, result, tables = item.file, item.result, item.tables
    with conn.begin():
        # Decide again under the lock: another worker may have recorded this content.
        lock_exclusive(conn, f"file:{lf.source}:{lf.sha256}")
        recorded, earlier = _ledger_lookup(conn, lf)
        if recorded:
            return None
        if earlier is not None and result.status != "skipped_duplicate":
            result, tables = _skipped(lf, result.received_date, earlier), None
        if tables is not None:
            loaded, rejected = tables
            bulk_insert(conn, f"staging.{lf.source}", loaded)
            bulk_insert(conn, "staging.rejected_rows", rejected)
        _write_ledger(conn, result, run_id)
    log.info(
        "file_ingested",
        source=lf.source,
        file=lf.name,
        status=result.status,
        rows_read=result.rows_read,
        rows_loaded=result.rows_loaded,
        rows_rejected=result.rows_rejected,
        error=result.error,
    )
    return result


def ingest_files(
    engine: Engine,
    files: list[LandingFile],
    received_date: dt.date,
    settings: Settings,
    run_id: str | None = None,
    on_validation: OnValidation | None = None,
) -> list[FileResult]:
    """Ingest files of one source; each lands (rows + rejections + ledger) atomically.

    Files already in the ledger are passed over; a file whose content was already seen
    (earlier, or earlier in this batch) is recorded as skipped_duplicate; a file that
    changed while being read is left for the next run.
    """
    to_read: list[LandingFile] = []
    duplicates: list[Examined] = []
    first_name: dict[str, str] = {}
    with engine.connect() as conn:
        for lf in files:
            recorded, earlier = _ledger_lookup(conn, lf)
            earlier = earlier or first_name.get(lf.sha256)
            if recorded:
                continue
            if earlier is not None:
                duplicates.append(Examined(lf, _skipped(lf, received_date, earlier)))
                continue
            first_name[lf.sha256] = lf.name
            to_read.append(lf)
    results: list[FileResult] = []
    examined = examine(to_read, received_date, settings, on_validation) + duplicates
    # One connection for the batch, one transaction per file: opening and closing a DuckDB
    # connection per file cost more than writing its rows (a checkpoint at each close).
    with engine.connect() as conn:
        for item in examined:
            if (
                item.result.status != "skipped_duplicate"
                and sha256_of(item.file.path) != item.file.sha256
            ):
                log.warning(
                    "file_changed_while_reading", source=item.file.source, file=item.file.name
                )
                continue
            result = _record(conn, item, run_id)
            if result is not None:
                results.append(result)
    return results
