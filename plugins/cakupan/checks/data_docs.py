"""GX Data Docs of each snapshot's audit, holding no cell values.

Every snapshot's audit (``cakupan.checks.audit``) gives one GX result per published table.
They are rendered by GX's own site builder into a folder per snapshot date:

- ``data_dir()/gx/snapshots/<date>/index.html``: the audit of the snapshot published for
  that date (the report links here);
- ``data_dir()/gx/failed/<date>/``: the audit that stopped a snapshot (nothing of the date
  was published); removed when the date is later published;
- ``data_dir()/gx/static/``: GX's CSS, fonts and images (4 MB), kept once and hard-linked
  into each date's ``static/`` so a year of daily snapshots does not cost 1.5 GB;
- ``.data_docs.lock``: one swap at a time.

A date's folder is built aside and swapped in whole, so a rebuilt date replaces its pages
and a reader never sees half a site. Rendering is a view for people: a failure is logged
and never fails the snapshot (:func:`render_snapshot_docs`).

Only a sanitised copy of a result is rendered (:func:`sanitize_result`): counts and
percentages per expectation, the suite's kwargs (long value sets shortened), which table and
snapshot it was. The marts hold no personal data, but a ``file_name`` can carry a person's
name, so no listed value ever reaches a page.
"""

from __future__ import annotations

import copy
import datetime as dt
import fcntl
import filecmp
import os
import shutil
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from cakupan.checks.suites import AUDITED_TABLES, gx_context, read_suite_json, suite_name
from cakupan.config import current
from cakupan.logs import get_logger

if TYPE_CHECKING:
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
    )
    from great_expectations.data_context import EphemeralDataContext
    from great_expectations.data_context.types.resource_identifiers import (
        ValidationResultIdentifier,
    )

log = get_logger(__name__)


class AuditedDate(Protocol):
    """What Data Docs need of an audit (``audit.AuditResult`` is one)."""

    as_of: dt.date
    validations: Mapping[str, ExpectationSuiteValidationResult]
    rows: Mapping[str, int]


SITE_NAME = "snapshot_audit"
# A value set longer than this is shown as its first values and its size: a long list on
# every page would bloat it and tell a reader nothing.
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
    return current().data_dir / "gx"


def snapshot_docs_dir(as_of: dt.date, *, published: bool = True) -> Path:
    """The Data Docs folder of one date's audit: published, or the one that failed."""
    return gx_dir() / ("snapshots" if published else "failed") / as_of.isoformat()


def data_docs_index(as_of: dt.date) -> Path | None:
    """The Data Docs index of the snapshot published for ``as_of``, or None (for the report)."""
    index = snapshot_docs_dir(as_of) / "index.html"
    return index if index.is_file() else None


def _shorten(value: Any) -> Any:
    """A long list (a value set, a parameter) as its first few values and its size."""
    if isinstance(value, list | tuple | set | frozenset) and len(value) > MAX_LISTED_VALUES:
        first = sorted(value, key=str)[:SHOWN_VALUES]
        return [*first, f"… {len(value):,} values in all"]
    return value


def raised_exception(exception_info: Any) -> bool:
    """Whether GX says the expectation raised: at the top level, or per metric (GX 1.x
    reports a metric that failed to compute as ``{metric id: {"raised_exception": ...}}``)."""
    if not isinstance(exception_info, dict):
        return False
    if exception_info.get("raised_exception"):
        return True
    return any(
        isinstance(v, dict) and bool(v.get("raised_exception")) for v in exception_info.values()
    )


def sanitize_result(result: ExpectationSuiteValidationResult) -> ExpectationSuiteValidationResult:
    """A copy of a GX suite result without any cell value, fit to be stored and rendered.

    Built by keeping known-safe fields rather than deleting known-unsafe ones, so a field a
    later GX version adds (and that might carry values) is left out by default. Dropped:
    unexpected and partial lists, index lists, index queries, observed values that can be a
    cell, exception texts (they can quote a value) and GX's batch markers (a load time that
    would make every rebuild differ).
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
        raised = raised_exception(item.exception_info)
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


def result_key(table: str, as_of: dt.date) -> ValidationResultIdentifier:
    """GX's key of one table's audit: its suite, the snapshot date as run, the table."""
    from great_expectations.core.run_identifier import RunIdentifier
    from great_expectations.data_context.types.resource_identifiers import (
        ExpectationSuiteIdentifier,
        ValidationResultIdentifier,
    )

    return ValidationResultIdentifier(
        expectation_suite_identifier=ExpectationSuiteIdentifier(name=suite_name(table)),
        # The snapshot date, not the build time: a rebuilt date renders the same keys.
        run_id=RunIdentifier(
            run_name=f"snapshot_{as_of.isoformat()}",
            run_time=dt.datetime.combine(as_of, dt.time(), tzinfo=dt.UTC),
        ),
        batch_identifier=f"mart.{table}",
    )


def _docs_context(site: Path) -> EphemeralDataContext:
    """A GX context with in-memory stores and one Data Docs site written to ``site``.

    Ephemeral and built directly, not through ``gx.get_context``, so the process's GX
    project (the one validating, in ``audit``) is left alone.
    """
    import great_expectations as gx
    from great_expectations.data_context import EphemeralDataContext
    from great_expectations.data_context.types.base import (
        DataContextConfig,
        InMemoryStoreBackendDefaults,
    )

    gx_context()  # the process-wide GX project the suites below are created under
    config = DataContextConfig(
        store_backend_defaults=InMemoryStoreBackendDefaults(),
        data_docs_sites={
            SITE_NAME: {
                "class_name": "SiteBuilder",
                "show_how_to_buttons": False,
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(site),
                },
                "site_section_builders": {"profiling": "None"},
            }
        },
        analytics_enabled=False,
    )
    context = EphemeralDataContext(project_config=config)
    for table in AUDITED_TABLES:
        # Each suite's own page, linked from its validation page.
        context.suites.add(gx.ExpectationSuite(**read_suite_json(table)))
    return context


@contextmanager
def _site_lock() -> Iterator[None]:
    """One swap at a time: a retried task may render the same date as another process."""
    gx_dir().mkdir(parents=True, exist_ok=True)
    with open(gx_dir() / ".data_docs.lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _share_static(site: Path) -> None:
    """Hard-link the site's static files to one kept copy (``gx/static``) of each.

    GX copies 4 MB of assets into every site. Where a link cannot be made (another file
    system), the copy stays: correct, only bigger.
    """
    shared_root = gx_dir() / "static"
    for path in sorted((site / "static").rglob("*")):
        if not path.is_file():
            continue
        shared = shared_root / path.relative_to(site / "static")
        try:
            if not (shared.is_file() and filecmp.cmp(shared, path, shallow=False)):
                shared.parent.mkdir(parents=True, exist_ok=True)
                tmp = shared.with_name(f".{shared.name}.tmp")
                shutil.copyfile(path, tmp)
                os.replace(tmp, shared)
            link = path.with_name(f".{path.name}.link")
            os.link(shared, link)
            os.replace(link, path)
        except OSError as exc:
            log.info("data_docs_static_not_shared", file=path.name, error=type(exc).__name__)


def build_snapshot_docs(audit: AuditedDate, *, published: bool = True) -> Path:
    """Render the audit of ``audit.as_of`` into its date's folder; returns its index page.

    Idempotent: the same audit gives the same pages (GX's per-render noise aside), and a
    rebuilt date replaces its folder whole.
    """
    target = snapshot_docs_dir(audit.as_of, published=published)
    gx_dir().mkdir(parents=True, exist_ok=True)
    build = Path(tempfile.mkdtemp(dir=gx_dir(), prefix=".build-"))
    try:
        site = build / "site"
        context = _docs_context(site)
        for table, result in sorted(audit.validations.items()):
            key = result_key(table, audit.as_of)
            result = copy.copy(result)  # the audit's copy keeps its meta
            result.meta = {
                **result.meta,
                "run_id": key.run_id,
                # Shown as the page's "Batch Spec": what was audited.
                "batch_spec": {
                    "data_asset_name": f"mart.{table}",
                    "snapshot_date": audit.as_of.isoformat(),
                    "rows": audit.rows.get(table),
                    "published": published,
                },
            }
            context.validation_results_store.set(key, result)
        context.build_data_docs(site_names=[SITE_NAME])
        with _site_lock():
            _share_static(site)
            target.parent.mkdir(parents=True, exist_ok=True)
            old = build / "old"
            if target.exists():
                os.replace(target, old)
            os.replace(site, target)
            if published:  # the date is published now: its failed audit is history
                shutil.rmtree(snapshot_docs_dir(audit.as_of, published=False), ignore_errors=True)
    finally:
        shutil.rmtree(build, ignore_errors=True)
    log.info(
        "data_docs_built",
        as_of=audit.as_of.isoformat(),
        published=published,
        index=str(target / "index.html"),
    )
    return target / "index.html"


def render_snapshot_docs(audit: AuditedDate, *, published: bool = True) -> Path | None:
    """:func:`build_snapshot_docs`, logging instead of raising: docs never fail a snapshot."""
    try:
        return build_snapshot_docs(audit, published=published)
    except Exception:
        log.exception("data_docs_not_built", as_of=audit.as_of.isoformat(), published=published)
        return None
