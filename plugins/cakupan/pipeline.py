"""What each Airflow task does, as plain functions (the DAG files only wire them).

Tasks pass only small values between them: manifest paths and counts, never data.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import Engine

from cakupan.checks import data_docs
from cakupan.ingest import OnValidation, ingest_files
from cakupan.landing import LandingFile, new_files, scan
from cakupan.logs import get_logger
from cakupan.marts.snapshot import build_snapshot
from cakupan.paths import landing_dir, work_dir
from cakupan.settings import load_settings
from cakupan.warehouse.engine import create_warehouse_engine, reaching
from cakupan.warehouse.schema import ensure_schema
from cakupan.warehouse.sqlfiles import query_file

if TYPE_CHECKING:
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
    )

log = get_logger(__name__)

BATCH_FILES = 200  # files per mapped load task: parallel on Celery, few task instances


@contextmanager
def _warehouse() -> Iterator[Engine]:
    """The task's warehouse engine; connection failures become one actionable error."""
    engine = create_warehouse_engine()
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
    with _warehouse() as engine:
        ensure_schema(engine)
        with engine.connect() as conn:
            fresh = new_files(conn, scan(landing_dir(), source))
            latest = query_file(conn, "staging/ledger_latest_received.sql")[0].latest
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
    by_content: dict[str, list[LandingFile]] = defaultdict(list)
    for f in fresh:
        by_content[f.sha256].append(f)
    groups = sorted(by_content.values(), key=lambda g: g[0].name)
    batches: list[list[LandingFile]] = [[]]
    for group in groups:
        if len(batches[-1]) >= BATCH_FILES:
            batches.append([])
        batches[-1].extend(group)
    folder = work_dir() / "ingest" / source / _safe(run_id)
    folder.mkdir(parents=True, exist_ok=True)
    manifests = []
    for i, batch in enumerate(b for b in batches if b):
        path = folder / f"batch-{i:04d}.json"
        path.write_text(
            json.dumps(
                {
                    "source": source,
                    "received_date": received_date.isoformat(),
                    "run_id": run_id,
                    "landing_dir": str(landing_dir()),
                    "files": [
                        {
                            "name": f.name,
                            "sha256": f.sha256,
                            "path": f.path.relative_to(landing_dir() / source).as_posix(),
                        }
                        for f in batch
                    ],
                },
                indent=1,
            ),
            encoding="utf-8",
        )
        manifests.append(str(path))
    log.info("files_discovered", source=source, new_files=len(fresh), batches=len(manifests))
    return manifests


def _manifest_files(manifest: dict[str, Any]) -> list[LandingFile]:
    """The manifest's files, each proven to lie inside the source's landing folder."""
    root = (Path(manifest["landing_dir"]) / manifest["source"]).resolve()
    files = []
    for f in manifest["files"]:
        path = root / f["path"]
        if not path.resolve().is_relative_to(root):
            raise ValueError(f"manifest names a file outside the landing folder: {f['name']}")
        files.append(LandingFile(manifest["source"], f["name"], f["sha256"], path))
    return files


def _keep_for_docs(manifest: dict[str, Any], batch: str) -> OnValidation:
    """Stores the batch's sanitised GX result for the run's Data Docs (built in reconcile).

    Data Docs are a view for people: failing to write them is logged, never fails the load.
    """

    def keep(result: ExpectationSuiteValidationResult, files: int) -> None:
        try:
            data_docs.keep_validation(
                result,
                source=manifest["source"],
                run_id=manifest["run_id"],
                batch=batch,
                received_date=dt.date.fromisoformat(manifest["received_date"]),
                files=files,
            )
        except Exception:
            log.exception("data_docs_result_not_kept", source=manifest["source"], batch=batch)

    return keep


def load_batch(manifest_path: str) -> dict[str, int]:
    """Ingest every file of one manifest, each in its own transaction."""
    manifest = json.loads(Path(manifest_path).read_text(encoding="utf-8"))
    received = dt.date.fromisoformat(manifest["received_date"])
    settings = load_settings()
    counts: Counter[str] = Counter()
    with _warehouse() as engine:
        results = ingest_files(
            engine,
            _manifest_files(manifest),
            received,
            settings,
            manifest["run_id"],
            on_validation=_keep_for_docs(manifest, Path(manifest_path).stem),
        )
    for result in results:
        counts[result.status] += 1
        counts["rows_read"] += result.rows_read
        counts["rows_loaded"] += result.rows_loaded
        counts["rows_rejected"] += result.rows_rejected
    return dict(counts)


class AccountingFailed(RuntimeError):
    """A file's rows are not all accounted for: the task fails and says which file."""


def reconcile(manifest_paths: list[str]) -> dict[str, int]:
    """Check every file of this run: rows_read = rows_loaded + rows_rejected, and staging
    holds exactly those rows. Fails loudly on any difference."""
    problems: list[str] = []
    totals: Counter[str] = Counter()
    with _warehouse() as engine, engine.connect() as conn:
        for path in manifest_paths:
            manifest = json.loads(Path(path).read_text(encoding="utf-8"))
            for f in manifest["files"]:
                key = {"source": manifest["source"], "file_name": f["name"], "sha256": f["sha256"]}
                found = query_file(conn, "staging/file_accounting.sql", key)
                if not found:
                    totals["deferred"] += 1  # changed while being read: the next run takes it
                    continue
                row = found[0]
                totals[row.status] += 1
                if not (
                    row.rows_read == row.rows_loaded + row.rows_rejected
                    and row.staged_loaded == row.rows_loaded
                    and row.staged_rejected == row.rows_rejected
                ):
                    problems.append(
                        f"{key['source']}/{key['file_name']}: ledger read={row.rows_read} "
                        f"loaded={row.rows_loaded} rejected={row.rows_rejected}, staging has "
                        f"{row.staged_loaded} loaded and {row.staged_rejected} rejected rows"
                    )
    if problems:
        raise AccountingFailed("row accounting failed:\n" + "\n".join(problems))
    log.info("rows_accounted_for", **totals)
    return dict(totals)


def publish_data_docs(manifest_paths: list[str]) -> None:
    """Render the run's GX Data Docs once, at its end; a failure is logged, not raised.

    A task of its own, after ``reconcile`` whatever its outcome, outside the warehouse pool:
    rendering takes seconds (and a GX import) that the single DuckDB writer slot should not
    wait for, and a run that fails its accounting still gets its pages.
    """
    runs: set[tuple[str, str]] = set()
    for path in manifest_paths:
        manifest = json.loads(Path(path).read_text(encoding="utf-8"))
        runs.add((manifest["source"], manifest["run_id"]))
    for source, run_id in sorted(runs):
        try:
            data_docs.build_data_docs(source, run_id)
        except Exception:
            log.exception("data_docs_not_built", source=source, run_id=run_id)


def snapshot(as_of: dt.date) -> None:
    """Build the core models and marts for ``as_of``."""
    with _warehouse() as engine:
        ensure_schema(engine)
        build_snapshot(engine, as_of, load_settings())


def report(dates: list[dt.date]) -> list[str]:
    """Rewrite the coverage report pages of ``dates`` and the index; returns the pages."""
    from cakupan.report import default_report_dir, write_report

    out_dir = default_report_dir()
    written: list[str] = []
    with _warehouse() as engine:
        for as_of in sorted(set(dates)):
            written.extend(str(path) for path in write_report(engine, as_of, out_dir).paths)
    log.info("report_written", dates=[d.isoformat() for d in dates], out_dir=str(out_dir))
    return written
