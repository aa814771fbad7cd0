"""What each Airflow task does, as plain functions (the DAG files only wire them).

Tasks pass only small values between them: manifest paths and counts, never data.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Engine

from cakupan.batches import Batch, plan
from cakupan.config import Config, current
from cakupan.ingest import ingest_files
from cakupan.landing import Ledger, scan, settling
from cakupan.logs import get_logger
from cakupan.marts.snapshot import build_snapshot
from cakupan.summary import SourceTally, snapshot_line
from cakupan.timing import Clock, record_task
from cakupan.warehouse.bulk import checked_identifier
from cakupan.warehouse.engine import create_warehouse_engine, reaching
from cakupan.warehouse.schema import ensure_schema
from cakupan.warehouse.sqlfiles import query_file, run_file

log = get_logger(__name__)


@contextmanager
def _warehouse(config: Config) -> Iterator[Engine]:
    """The task's warehouse engine; connection failures become one actionable error."""
    engine = create_warehouse_engine(config=config)
    try:
        with reaching(engine):
            yield engine
    finally:
        engine.dispose()


def _safe(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", text)[:120]


def discover(source: str, received_date: dt.date, run_id: str) -> list[str]:
    """Find files not yet in the ledger and write them into batch manifests.

    Files with the same content go to the same batch, so the first one loads and the
    others are recorded as skipped_duplicate rather than racing each other. A run dated
    before the latest received date is a backfill and takes no new file.
    """
    config = current()
    clock = Clock()
    with _warehouse(config) as engine:
        ensure_schema(engine)
        with engine.connect() as conn:
            fresh = Ledger.read(conn, source).unrecorded(scan(config.landing_dir, source))
            latest = query_file(conn, "staging/ledger_latest_received.sql")[0].latest
    waiting = settling(fresh, config.settings().landing.settle_seconds, time.time())
    if waiting:
        log.warning(
            "files_waiting",
            source=source,
            reason="modified less than landing.settle_seconds ago: maybe still being copied",
            files=[f.name for f in waiting[:20]],
            count=len(waiting),
        )
        fresh = [f for f in fresh if f not in waiting]
    if fresh and latest is not None and received_date < latest:
        # A backfill must reproduce its date: new files wait for a run dated >= latest.
        log.warning(
            "backfill_leaves_new_files",
            source=source,
            run_date=str(received_date),
            latest_received=str(latest),
            new_files=len(fresh),
        )
        fresh = []
    batches = plan([(f, f.path.stat().st_size) for f in fresh])
    folder = config.work_dir / "ingest" / source / _safe(run_id)
    folder.mkdir(parents=True, exist_ok=True)
    manifests = []
    for i, files in enumerate(batches):
        path = folder / f"batch-{i:04d}.json"
        Batch.of(source, received_date, run_id, config.landing_dir, files).write(path)
        manifests.append(str(path))
    log.info("files_discovered", source=source, new_files=len(fresh), batches=len(manifests))
    record_task(
        "discover",
        clock,
        config.metrics_file,
        source=source,
        new_files=len(fresh),
        batches=len(manifests),
    )
    return manifests


def load_batch(manifest_path: str) -> dict[str, int]:
    """Ingest every file of one manifest, each file atomically."""
    config = current()
    batch = Batch.read(manifest_path)
    settings = config.settings()
    counts: Counter[str] = Counter()
    clock = Clock()
    with _warehouse(config) as engine:
        results = ingest_files(
            engine, batch.landing_files(), batch.received_date, settings, batch.run_id, clock=clock
        )
    for result in results:
        counts[result.status] += 1
        counts["rows_read"] += result.rows_read
        counts["rows_loaded"] += result.rows_loaded
        counts["rows_rejected"] += result.rows_rejected
    record_task(
        "load", clock, config.metrics_file, source=batch.source, files=len(results), **counts
    )
    return dict(counts)


class AccountingFailed(RuntimeError):
    """A file's rows are not all accounted for: the task fails and says which file."""


def reconcile(manifest_paths: list[str]) -> dict[str, int]:
    """Check every file of this run: rows_read = rows_loaded + rows_rejected, and staging
    holds exactly those rows. Fails loudly on any difference.

    One query per source and received date covers all the run's files. A manifest file
    missing from its answer was not recorded: it changed while being read and waits for
    the next run (or another run, dated otherwise, recorded it and reconciles it).
    """
    config = current()
    clock = Clock()
    problems: list[str] = []
    totals: Counter[str] = Counter()
    tallies: dict[str, SourceTally] = defaultdict(SourceTally)
    wanted: dict[tuple[str, dt.date], list[tuple[str, str]]] = defaultdict(list)
    for path in manifest_paths:
        batch = Batch.read(path)
        wanted[(batch.source, batch.received_date)].extend((f.name, f.sha256) for f in batch.files)
    with _warehouse(config) as engine, engine.connect() as conn:
        with clock.phase("analyze"):
            run_file(conn, "staging/analyze.sql")
            for source in sorted({source for source, _ in wanted}):
                conn.exec_driver_sql(f"ANALYZE {checked_identifier(f'staging.{source}')}")
            conn.commit()
        for (source, received), files in wanted.items():
            params = {"source": source, "received_date": received}
            rows = {
                (r.file_name, r.sha256): r
                for r in query_file(conn, "staging/file_accounting.sql", params)
            }
            for name, sha256 in files:
                row = rows.get((name, sha256))
                if row is None:
                    totals["deferred"] += 1
                    tallies[source].waiting += 1
                    continue
                totals[row.status] += 1
                tallies[source].add(row)
                if not (
                    row.rows_read == row.rows_loaded + row.rows_rejected
                    and row.staged_loaded == row.rows_loaded
                    and row.staged_rejected == row.rows_rejected
                ):
                    problems.append(
                        f"{source}/{name}: ledger read={row.rows_read} "
                        f"loaded={row.rows_loaded} rejected={row.rows_rejected}, staging has "
                        f"{row.staged_loaded} loaded and {row.staged_rejected} rejected rows"
                    )
    if problems:
        raise AccountingFailed("row accounting failed:\n" + "\n".join(problems))
    log.info("rows_accounted_for", **totals)
    for source, tally in tallies.items():  # what cakupan run's summary says, in the task log
        log.info("run_summary", source=source, summary=tally.line(source).strip())
    record_task(
        "reconcile", clock, config.metrics_file, sources=sorted({s for s, _ in wanted}), **totals
    )
    return dict(totals)


def snapshot(as_of: dt.date) -> None:
    """Build the core models and marts for ``as_of``, audited by GX before they commit.

    A failed critical audit expectation raises ``AuditFailed``: nothing of the date is
    published and the task fails, so the DAG's failure alert goes out.
    """
    config = current()
    clock = Clock()
    with _warehouse(config) as engine:
        ensure_schema(engine)
        audit = build_snapshot(engine, as_of, config.settings(), clock)
        line, warnings = snapshot_line(engine, as_of)
    log.info("snapshot_summary", summary=line, audit_warnings=warnings)
    record_task(
        "snapshot",
        clock,
        config.metrics_file,
        as_of=as_of.isoformat(),
        audit_warnings=len(audit.warnings),
    )


def report(dates: list[dt.date]) -> list[str]:
    """Rewrite the coverage report pages of ``dates`` and the index; returns the pages."""
    from cakupan.report import write_report

    config = current()
    clock = Clock()
    out_dir = config.report_dir
    written: list[str] = []
    with _warehouse(config) as engine:
        for as_of in sorted(set(dates)):
            written.extend(str(path) for path in write_report(engine, as_of, out_dir).paths)
    log.info("report_written", dates=[d.isoformat() for d in dates], out_dir=str(out_dir))
    record_task("report", clock, config.metrics_file, dates=len(set(dates)))
    return written
