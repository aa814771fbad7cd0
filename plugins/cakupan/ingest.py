"""Ingesting landing files: read, judge every row, and record each file atomically.

Every data row read ends in exactly one place: a staging table (loaded) or
staging.rejected_rows (with its reason). A file's rows, its rejections and its ledger entry
are written in one transaction, so a crash leaves either all of them or none, and re-running
simply picks the file up again.

How the work is cut, for speed and flat memory:

* Small files (village workbooks) are read whole and judged together, up to
  ``chunk_rows`` rows per pass of the row rules (:mod:`cakupan.checks.row_pass`, one
  in-process DuckDB query), so 2,900 workbooks cost a few passes. Their rows and ledger
  entries are written in ONE transaction per group, a few statements in all; each file is
  still all-or-nothing.
* A big CSV (``stream_bytes`` and more: a poverty register, a member export) is read in
  chunks of ``chunk_rows`` records, each judged and written inside the file's own
  transaction, so memory stays flat however long the file is. Duplicates within the file
  are found across chunks (the row pass keeps the keys earlier chunks loaded).

Writers of one source take turns on a lock (PostgreSQL advisory lock; a DuckDB file has a
single writer anyway) and look at the ledger again under it, so two workers never record the
same content twice.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from dataclasses import asdict, dataclass, field

import pyarrow as pa
from sqlalchemy.engine import Connection, Engine

from cakupan.checks.row_pass import Verdicts, row_pass
from cakupan.landing import LandingFile, Ledger, sha256_of
from cakupan.logs import get_logger
from cakupan.progress import SourceProgress
from cakupan.settings import Settings
from cakupan.sources.errors import FileRejected
from cakupan.sources.normalise import cells_table
from cakupan.sources.readers import RawTable, ReadAgain, read_chunks
from cakupan.sources.specs import SOURCES, SourceSpec
from cakupan.timing import Clock
from cakupan.warehouse.bulk import BackgroundInserts, bulk_insert
from cakupan.warehouse.engine import lock_exclusive

log = get_logger(__name__)

# Rows judged per pass: large enough that a pass's fixed cost is small, small enough that
# memory stays well under a gigabyte.
CHUNK_ROWS = 500_000
# Files this big are streamed in chunks; smaller ones are read whole.
STREAM_BYTES = 32 << 20


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
    village_code: str | None = None  # a rejected file's village, when it could be read

    @classmethod
    def for_file(cls, lf: LandingFile, received: dt.date) -> FileResult:
        """A file's entry before reading it: loaded until something says otherwise."""
        return cls(lf.source, lf.name, lf.sha256, received, "loaded")

    def add(self, read: int, loaded: int, reasons: Counter[str], flags: Counter[str]) -> None:
        """Count one judged part of the file (the whole file, or one chunk of it)."""
        self.rows_read += read
        self.rows_loaded += loaded
        self.rows_rejected = self.rows_read - self.rows_loaded
        self.rejected_by_reason = dict(sorted((Counter(self.rejected_by_reason) + reasons).items()))
        self.flags_by_reason = dict(sorted((Counter(self.flags_by_reason) + flags).items()))

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


# --------------------------------------------------------------------------- judging


def judge_parts(
    spec: SourceSpec,
    files: list[LandingFile],
    parts: list[tuple[int, RawTable]],
    received: dt.date,
    settings: Settings,
    clock: Clock,
    continues_file: bool = False,
) -> Verdicts:
    """Clean and judge raw parts ((file index, raw rows)) in one pass of the row rules.

    ``continues_file``: the one part is the next chunk of the file judged just before.
    """
    with clock.phase("cells"):  # "permissive": a group may mix workbooks and CSVs
        cells = pa.concat_tables(
            [cells_table(part, index) for index, part in parts], promote_options="permissive"
        )
    with clock.phase("judge"):
        return row_pass().judge(
            spec,
            cells,
            [(f.sha256, f.name) for f in files],
            received,
            settings.kpj_digits,
            continues_file,
        )


def _counted(result: FileResult, verdicts: Verdicts, index: int) -> None:
    counts = verdicts.counts.get(index)
    if counts is not None:
        result.add(counts.read, counts.loaded, counts.reasons, counts.flags)
    result.check_accounting()


# --------------------------------------------------------------------------- the ledger


def _duplicate(result: FileResult) -> FileResult:
    """The ledger entry of a file whose content was already loaded. It names no other file:
    the first may be another village's, and its operator's business."""
    return FileResult(
        result.source,
        result.file_name,
        result.sha256,
        result.received_date,
        status="skipped_duplicate",
        error="isi sama dengan berkas yang sudah dimuat / same content as a file already loaded",
    )


def _write_ledger(conn: Connection, results: list[FileResult], run_id: str | None) -> None:
    if not results:
        return
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    rows = []
    for result in results:
        row = asdict(result)
        row["rejected_by_reason"] = json.dumps(result.rejected_by_reason, sort_keys=True)
        row["flags_by_reason"] = json.dumps(result.flags_by_reason, sort_keys=True)
        row["run_id"] = run_id
        row["loaded_at"] = now
        rows.append(row)
    schema = pa.schema(
        [
            ("source", pa.string()),
            ("file_name", pa.string()),
            ("sha256", pa.string()),
            ("received_date", pa.date32()),
            ("status", pa.string()),
            ("error", pa.string()),
            ("rows_read", pa.int32()),
            ("rows_loaded", pa.int32()),
            ("rows_rejected", pa.int32()),
            ("rejected_by_reason", pa.string()),
            ("flags_by_reason", pa.string()),
            ("header_row", pa.int32()),
            ("village_code", pa.string()),
            ("run_id", pa.string()),
            ("loaded_at", pa.timestamp("us")),
        ]
    )
    bulk_insert(conn, "staging.file_ledger", pa.Table.from_pylist(rows, schema))
    for result in results:
        log.info(
            "file_ingested",
            source=result.source,
            file=result.file_name,
            status=result.status,
            rows_read=result.rows_read,
            rows_loaded=result.rows_loaded,
            rows_rejected=result.rows_rejected,
            error=result.error,
        )


def _still_new(conn: Connection, candidates: list[FileResult]) -> tuple[list[FileResult], set[int]]:
    """Under the source's lock: which candidates to record, as what, and which of them keep
    their rows (indexes into ``candidates``). A file another worker recorded meanwhile is
    dropped; a content recorded meanwhile under another name makes this one a duplicate."""
    if not candidates:
        return [], set()
    lock_exclusive(conn, f"ingest:{candidates[0].source}")
    ledger = Ledger.read(conn, candidates[0].source)
    keep: list[FileResult] = []
    with_rows: set[int] = set()
    for i, result in enumerate(candidates):
        if ledger.recorded(result.file_name, result.sha256):
            continue
        if ledger.already_loaded(result.sha256) and result.status != "skipped_duplicate":
            result = _duplicate(result)
        elif result.status == "loaded":
            with_rows.add(i)
        keep.append(result)
        ledger.note(result.file_name, result.sha256, result.status)
    return keep, with_rows


# --------------------------------------------------------------------------- ingesting


@dataclass
class _Group:
    """Small files read whole, waiting to be judged and written together."""

    files: list[LandingFile] = field(default_factory=list)
    results: list[FileResult] = field(default_factory=list)
    parts: list[tuple[int, RawTable]] = field(default_factory=list)
    rows: int = 0


class _Changed(Exception):
    """The file's content changed while it was read: its transaction is rolled back."""


class _Ingest:
    """One batch of files of one source on one connection (see the module docstring)."""

    def __init__(
        self,
        conn: Connection,
        spec: SourceSpec,
        received: dt.date,
        settings: Settings,
        run_id: str | None,
        clock: Clock,
        chunk_rows: int,
    ) -> None:
        self.conn, self.spec, self.received, self.settings = conn, spec, received, settings
        self.run_id, self.clock = run_id, clock
        self.chunk_rows = chunk_rows
        self.group = _Group()
        self.recorded: list[FileResult] = []
        self.progress = SourceProgress(spec.name)

    def _new_result(self, lf: LandingFile) -> FileResult:
        return FileResult.for_file(lf, self.received)

    def _unchanged(self, lf: LandingFile) -> bool:
        """The file still has the content it was discovered with; else the next run takes it."""
        with self.clock.phase("read"):
            same = sha256_of(lf.path) == lf.sha256
        if not same:
            log.warning("file_changed_while_reading", source=lf.source, file=lf.name)
        return same

    def _record(self, results: list[FileResult], verdicts: Verdicts | None = None) -> None:
        """Rows and ledger entries of ``results`` in one transaction, all or none."""
        with self.clock.phase("write"), self.conn.begin():
            keep, with_rows = _still_new(self.conn, results)
            if verdicts is not None and with_rows:
                loaded, rejected = verdicts.tables(only=with_rows)
                bulk_insert(self.conn, f"staging.{self.spec.name}", loaded)
                bulk_insert(self.conn, "staging.rejected_rows", rejected)
            _write_ledger(self.conn, keep, self.run_id)
        self.recorded.extend(keep)
        for _ in results:
            self.progress.file_done()

    # small files -------------------------------------------------------------

    def add_small(self, lf: LandingFile) -> None:
        result = self._new_result(lf)
        try:
            with self.clock.phase("read"):
                (raw,) = read_chunks(lf.path, self.spec)
        except FileRejected as exc:
            result.status, result.error = "rejected_file", str(exc)
            result.village_code = exc.village_code
            raw = None
        if not self._unchanged(lf):
            return
        index = len(self.group.files)
        self.group.files.append(lf)
        self.group.results.append(result)
        if raw is not None:
            result.header_row = raw.header_row
            self.group.parts.append((index, raw))
            self.group.rows += len(raw.frame)
            self.progress.rows_read(len(raw.frame))
        if self.group.rows >= self.chunk_rows:
            self.flush()

    def flush(self) -> None:
        group, self.group = self.group, _Group()
        if not group.files:
            return
        verdicts = None
        if group.parts:
            verdicts = judge_parts(
                self.spec, group.files, group.parts, self.received, self.settings, self.clock
            )
            for index, _ in group.parts:
                _counted(group.results[index], verdicts, index)
        self._record(group.results, verdicts)

    def add_skipped(self, results: list[FileResult]) -> None:
        self._record(results)

    # big files ---------------------------------------------------------------

    def add_streamed(self, lf: LandingFile) -> None:
        """A big file in chunks, all inside its own transaction."""
        self.flush()
        for careful in (False, True):
            result = self._new_result(lf)
            try:
                recorded = self._stream(lf, result, careful)
            except _Changed:
                return
            except ReadAgain:
                log.info("file_read_again", source=lf.source, file=lf.name)
                continue
            except FileRejected as exc:
                result = self._new_result(lf)
                result.status, result.error = "rejected_file", str(exc)
                result.village_code = exc.village_code
                self._record([result])
                return
            if recorded is not None:
                self.recorded.append(recorded)
                self.progress.file_done()
            return

    def _stream(self, lf: LandingFile, result: FileResult, careful: bool) -> FileResult | None:
        chunk = 0
        with self.conn.begin(), BackgroundInserts(self.conn) as inserts:
            with self.clock.phase("write"):
                keep, _ = _still_new(self.conn, [result])
            if not keep or keep[0].status != "loaded":
                _write_ledger(self.conn, keep, self.run_id)
                return keep[0] if keep else None
            chunks = read_chunks(lf.path, self.spec, self.chunk_rows, careful)
            while True:
                with self.clock.phase("read"):
                    raw = next(chunks, None)
                if raw is None:
                    break
                result.header_row = raw.header_row
                verdicts = judge_parts(
                    self.spec,
                    [lf],
                    [(0, raw)],
                    self.received,
                    self.settings,
                    self.clock,
                    continues_file=chunk > 0,
                )
                chunk += 1
                counts = verdicts.counts.get(0)
                if counts is not None:
                    result.add(counts.read, counts.loaded, counts.reasons, counts.flags)
                    self.progress.rows_read(counts.read)
                loaded, rejected = verdicts.tables()
                del verdicts, raw
                # "write" is only the wait for the chunk before; the insert itself runs
                # beside the judging of the next chunk ("write_background").
                with self.clock.phase("write"):
                    inserts.submit(
                        [(f"staging.{self.spec.name}", loaded), ("staging.rejected_rows", rejected)]
                    )
                del loaded, rejected
            with self.clock.phase("write"):
                inserts.wait()
            result.check_accounting()
            if not self._unchanged(lf):
                raise _Changed(lf.name)
            with self.clock.phase("write"):
                _write_ledger(self.conn, [result], self.run_id)
        self.clock.add("write_background", inserts.seconds)
        return result


def ingest_files(
    engine: Engine,
    files: list[LandingFile],
    received_date: dt.date,
    settings: Settings,
    run_id: str | None = None,
    clock: Clock | None = None,
    chunk_rows: int = CHUNK_ROWS,
    stream_bytes: int = STREAM_BYTES,
) -> list[FileResult]:
    """Ingest files of one source; each lands (rows + rejections + ledger) atomically.

    Files already in the ledger are passed over; a file whose content was already loaded
    (earlier, or earlier in this batch) is recorded as skipped_duplicate, one whose content
    was only ever rejected is judged again; a file that changed while being read is left
    for the next run.
    """
    if not files:
        return []
    clock = clock or Clock()
    spec = SOURCES[files[0].source]
    with clock.phase("rules_setup"):  # the row pass's DuckDB and macros: once per process
        row_pass()
    with engine.connect() as conn:
        ledger = Ledger.read(conn, spec.name)
        conn.rollback()
        fresh: list[LandingFile] = []
        skipped: list[FileResult] = []
        for lf in ledger.unrecorded(files):
            if ledger.already_loaded(lf.sha256):
                skipped.append(_duplicate(FileResult.for_file(lf, received_date)))
                continue
            fresh.append(lf)  # an identical file of this batch is judged under the lock
        work = _Ingest(conn, spec, received_date, settings, run_id, clock, chunk_rows)
        for lf in fresh:
            if lf.path.stat().st_size >= stream_bytes:
                work.add_streamed(lf)
            else:
                work.add_small(lf)
        work.flush()
        work.add_skipped(skipped)
    return work.recorded
