"""GX Data Docs of every validation call of a run, holding no cell values.

The suites run with ``result_format`` COMPLETE, so GX's raw results list the failing values
themselves: NIKs, names, birth dates. Data Docs are meant to be browsed by anyone who runs
the pipeline, so only a sanitised copy is ever written: counts and percentages per
expectation, the suite's kwargs (large value sets shortened), and which run and batch it was.

Layout under ``data_dir()/gx``:

- ``validations/``: a GX ValidationResultsStore on the filesystem, one sanitised result per
  validation call, keyed by suite (= source), Airflow run id, the run's received date and
  batch (manifest) name;
- ``data_docs/local_site/``: the Data Docs site GX builds from it (``index.html``);
- ``.data_docs.lock``: serialises builds, because ingest DAGs may reconcile at the same time.

Validation stays fast: ``load_batch`` only writes one small JSON per batch (no GX context);
the pages are rendered once per ingest run, in ``reconcile``, by a separate ephemeral GX
context whose stores point at these folders.
"""

from __future__ import annotations

import copy
import datetime as dt
import fcntl
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cakupan.logs import get_logger
from cakupan.paths import data_dir

if TYPE_CHECKING:
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
    )
    from great_expectations.data_context import EphemeralDataContext
    from great_expectations.data_context.types.resource_identifiers import (
        ValidationResultIdentifier,
    )

log = get_logger(__name__)

SITE_NAME = "local_site"
# The index lists the newest results only: GX reads every listed result to build it
# (about 2.5 ms each), so an unbounded list would slow every run's build as history grows.
# Older pages stay in the site, under validations/<source>/<run id>/.
INDEX_LIMIT = 500
# A value set longer than this (the 3,259 village codes) is shown as its first values and
# its size: the whole list on every page would bloat it and tell a reader nothing.
MAX_LISTED_VALUES = 20
SHOWN_VALUES = 3
# Result fields that are counts or percentages, never a cell's value.
RESULT_KEYS = frozenset(
    {
        "element_count",
        "missing_count",
        "missing_percent",
        "unexpected_count",
        "unexpected_percent",
        "unexpected_percent_total",
        "unexpected_percent_nonmissing",
    }
)
# Expectations whose observed_value is a statistic of the table or column. For every other
# type (a column's min, max, median, most common value...) it can be a cell's value.
STATISTIC_EXPECTATIONS = frozenset(
    {
        "expect_table_row_count_to_be_between",
        "expect_table_row_count_to_equal",
        "expect_table_column_count_to_be_between",
        "expect_table_column_count_to_equal",
        "expect_column_proportion_of_unique_values_to_be_between",
        "expect_column_unique_value_count_to_be_between",
    }
)


def gx_dir() -> Path:
    """Everything GX keeps on disk for Data Docs, under the run-time data folder."""
    return data_dir() / "gx"


def _store_dir() -> Path:
    return gx_dir() / "validations"


def _site_dir() -> Path:
    return gx_dir() / "data_docs" / SITE_NAME


def data_docs_index() -> Path | None:
    """The Data Docs index page, or None while no docs have been built (for the report)."""
    index = _site_dir() / "index.html"
    return index if index.is_file() else None


def _shorten(value: Any) -> Any:
    """A long list (evaluation parameter values) as its first few values and its size."""
    if isinstance(value, list | tuple | set | frozenset) and len(value) > MAX_LISTED_VALUES:
        first = sorted(value, key=str)[:SHOWN_VALUES]
        return [*first, f"… {len(value):,} values in all"]
    return value


def sanitize_result(result: ExpectationSuiteValidationResult) -> ExpectationSuiteValidationResult:
    """A copy of a GX suite result without any cell value, fit to be stored and rendered.

    Built by keeping known-safe fields rather than deleting known-unsafe ones, so a field a
    later GX version adds (and that might carry values) is left out by default. Dropped:
    unexpected and partial lists, index lists (they repeat the failing value next to the row
    number), index queries, observed values that can be a cell, exception texts (they can
    quote a value) and GX's batch markers.
    """
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
        ExpectationValidationResult,
    )
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    items = []
    for item in result.results:
        config = item.expectation_config
        raw = item.result or {}
        kept = {k: v for k, v in raw.items() if k in RESULT_KEYS}
        if config is not None and config.type in STATISTIC_EXPECTATIONS and "observed_value" in raw:
            kept["observed_value"] = raw["observed_value"]
        clean_config = None
        if config is not None:
            clean_config = ExpectationConfiguration(
                type=config.type,
                kwargs={k: _shorten(v) for k, v in config.kwargs.items() if k != "batch_id"},
                meta=dict(config.meta or {}),
                notes=config.notes,
                description=config.description,
                severity=config.severity,
            )
        raised = bool((item.exception_info or {}).get("raised_exception"))
        message = "raised an exception; see the task log" if raised else None
        items.append(
            ExpectationValidationResult(
                success=item.success,
                expectation_config=clean_config,
                result=kept,
                exception_info={
                    "raised_exception": raised,
                    "exception_message": message,
                    "exception_traceback": None,
                },
            )
        )
    return ExpectationSuiteValidationResult(
        success=bool(result.success),
        results=items,
        suite_name=result.suite_name,
        suite_parameters={k: _shorten(v) for k, v in (result.suite_parameters or {}).items()},
        statistics=dict(result.statistics or {}),
        meta={"great_expectations_version": result.meta.get("great_expectations_version")},
    )


def _key_part(text: str) -> str:
    """A run id or batch name as one safe path component of GX's filesystem keys."""
    part = re.sub(r"[^A-Za-z0-9_.:+-]+", "_", text)
    return part if part.strip(".") else f"_{part}"


def _run_time(received_date: dt.date) -> dt.datetime:
    """The run's GX run_time: its received date, so re-running a run gives the same key."""
    return dt.datetime.combine(received_date, dt.time(), tzinfo=dt.UTC)


def result_key(
    source: str, run_id: str, received_date: dt.date, batch: str
) -> ValidationResultIdentifier:
    """GX's key of one validation call: suite (= source), run id + received date, batch."""
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    return ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=source),
        run_id=RunIdentifier(run_name=_key_part(run_id), run_time=_run_time(received_date)),
        batch_identifier=_key_part(batch),
    )


def _filesystem_store(base: Path) -> Any:
    from great_expectations.data_context.store import ValidationResultsStore

    return ValidationResultsStore(
        store_backend={"class_name": "TupleFilesystemStoreBackend", "base_directory": str(base)}
    )


def keep_validation(
    result: ExpectationSuiteValidationResult,
    *,
    source: str,
    run_id: str,
    batch: str,
    received_date: dt.date,
    files: int,
) -> Path:
    """Store one batch's sanitised result for the run's Data Docs; returns its JSON file.

    Called on the validation path, so it builds no data context: GX's store writes the JSON
    into a private temporary folder and the file is then moved into place in one rename.
    Mapped load tasks of several DAGs write at the same time; a reader never sees half a file.
    A retried batch overwrites its own key, so the docs show its last attempt.
    """
    key = result_key(source, run_id, received_date, batch)
    result = copy.copy(result)  # the caller's copy keeps its meta
    result.meta = {
        **result.meta,
        "run_id": key.run_id,
        # Shown as the page's data asset and "Batch Spec": which delivery this was.
        "batch_spec": {
            "data_asset_name": source,
            "airflow_run_id": run_id,
            "batch": batch,
            "received_date": received_date.isoformat(),
            "files_validated": files,
        },
    }
    store_dir = _store_dir()
    store_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=gx_dir(), prefix=".keep-") as tmp:
        _filesystem_store(Path(tmp)).set(key, result)
        (written,) = (p for p in Path(tmp).rglob("*.json"))
        target = store_dir / written.relative_to(tmp)
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(written, target)
    log.info("validation_result_kept", source=source, run_id=run_id, batch=batch)
    return target


def _docs_context(sources: list[str]) -> EphemeralDataContext:
    """A GX context whose validation store and Data Docs site live under ``gx_dir()``.

    Ephemeral and built directly, not through ``gx.get_context``, so the process's current
    GX project (the one validating, in ``suites``) is left alone.
    """
    import great_expectations as gx
    from great_expectations.data_context import EphemeralDataContext
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
    )

    from cakupan.checks.suites import _context, read_suite_json

    _context()  # the process-wide GX project the suites below are created under
    in_memory = {"store_backend": {"class_name": "InMemoryStoreBackend"}}
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        stores={
            "expectations_store": {"class_name": "ExpectationsStore", **in_memory},
            "checkpoint_store": {"class_name": "CheckpointStore", **in_memory},
            "validation_definition_store": {"class_name": "ValidationDefinitionStore", **in_memory},
            "validation_results_store": {
                "class_name": "ValidationResultsStore",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(_store_dir()),
                },
            },
        },
        data_docs_sites={
            SITE_NAME: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(_site_dir()),
                },
                "site_index_builder": {
                    "class_name": "DefaultSiteIndexBuilder",
                    "validation_results_limit": INDEX_LIMIT,
                },
                # The limit is for the index only: every result keeps its page.
                "site_section_builders": {
                    "validations": {"validation_results_limit": None},
                    "profiling": "None",
                },
            }
        },
        analytics_enabled=False,
    )
    context = EphemeralDataContext(project_config=config)
    for source in sources:
        # Each suite's own page, linked from its validation pages.
        context.suites.add(gx.ExpectationSuite(**read_suite_json(source)))
    return context


@contextmanager
def _site_lock() -> Iterator[None]:
    """One builder at a time: GX's index build also removes pages it believes orphaned."""
    gx_dir().mkdir(parents=True, exist_ok=True)
    with open(gx_dir() / ".data_docs.lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def build_data_docs(source: str | None = None, run_id: str | None = None) -> Path | None:
    """Render the pages of one run's validations (all, when no run is given) and the index.

    Idempotent: the same run has the same keys, so a rebuild rewrites the same pages.
    Returns the index page, or None when there is nothing to show.
    """
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
    )

    from cakupan.sources.specs import SOURCES

    if not _store_dir().is_dir():
        return data_docs_index()
    with _site_lock():
        context = _docs_context(sorted(SOURCES))
        keys = [
            key
            for key in context.validation_results_store.list_keys()
            if (source is None or key.expectation_suite_identifier.name == source)
            and (run_id is None or key.run_id.run_name == _key_part(run_id))
        ]
        if not keys:
            return data_docs_index()
        wanted = (
            None
            if source is None and run_id is None
            else [*keys, *(ExpectationSuiteIdentifier(name=s) for s in sorted(SOURCES))]
        )
        context.build_data_docs(site_names=[SITE_NAME], resource_identifiers=wanted)
    log.info("data_docs_built", source=source, run_id=run_id, pages=len(keys))
    return data_docs_index()
