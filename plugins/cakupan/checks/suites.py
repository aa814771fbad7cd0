"""Great Expectations 1.x, called directly: the suites in expectations/ run on a frame.

Each expectation carries ``meta.reason``, the CONTRACT §3 rejection reason of the rows it
fails. Rows are identified by GX's own COMPLETE results, indexed by ``file_index`` and
``row_number``, so the quarantine uses GX's verdicts and no second copy of the same rule.
A whole batch of files is validated in one call: GX's cost is mostly per call, not per row.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from cakupan.checks.data_docs import sanitize_result
from cakupan.logs import get_logger, quiet_noisy_libraries
from cakupan.paths import EXPECTATIONS_DIR

if TYPE_CHECKING:
    import great_expectations as gx
    import pandas as pd
    from great_expectations.core.expectation_validation_result import (
        ExpectationSuiteValidationResult,
    )

log = get_logger(__name__)


class SuiteError(RuntimeError):
    """A suite that cannot run as written: a bug to fix, never a data problem."""


@dataclass
class SuiteOutcome:
    """What a suite said about one frame, without any cell values (no personal data)."""

    suite: str
    # reason -> {(file_index, row_number)} of the rows that fail it
    failing_rows: dict[str, set[tuple[int, int]]] = field(default_factory=dict)
    expectations: list[dict[str, Any]] = field(default_factory=list)  # per-expectation summary
    # GX's own result, sanitised (counts only) so Data Docs can render it: see data_docs.
    validation: ExpectationSuiteValidationResult | None = None

    @property
    def success(self) -> bool:
        return not any(self.failing_rows.values())


def suite_path(source: str) -> os.PathLike[str]:
    return EXPECTATIONS_DIR / f"{source}.json"


def read_suite_json(source: str) -> dict[str, Any]:
    with open(suite_path(source), encoding="utf-8") as fh:
        return json.load(fh)


@cache
def _context() -> gx.data_context.AbstractDataContext:
    """One ephemeral GX context per process; no analytics calls, no progress bars."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
    quiet_noisy_libraries()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


@cache
def load_suite(source: str) -> gx.ExpectationSuite:
    """The suite of ``source`` as GX objects; fails when GX does not know an expectation."""
    import great_expectations as gx

    _context()
    raw = read_suite_json(source)
    suite = gx.ExpectationSuite(**raw)
    if len(suite.expectations) != len(raw["expectations"]):
        raise SuiteError(
            f"expectations/{source}.json: GX recognised {len(suite.expectations)} of "
            f"{len(raw['expectations'])} expectations; check their 'type' names"
        )
    return suite


@cache
def _batch_definition(source: str) -> Any:
    context = _context()
    data_source = context.data_sources.add_pandas(f"cakupan_{source}")
    asset = data_source.add_dataframe_asset(source)
    return asset.add_batch_definition_whole_dataframe("whole_file")


def run_suite(frame: pd.DataFrame, source: str, parameters: dict[str, Any]) -> SuiteOutcome:
    """Validate ``frame`` (normalised files, keyed by file_index + row_number) by reason."""
    suite = load_suite(source)
    batch = _batch_definition(source).get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(
        suite,
        result_format={
            "result_format": "COMPLETE",
            "unexpected_index_column_names": ["file_index", "row_number"],
            "partial_unexpected_count": 0,
            "return_unexpected_index_query": False,
        },
        expectation_parameters=parameters,
    )
    outcome = SuiteOutcome(suite=source)
    for item in result.results:
        config = item.expectation_config
        if item.exception_info.get("raised_exception"):
            raise SuiteError(
                f"expectation {config.type} on {config.kwargs.get('column')} of suite "
                f"{source} raised: {item.exception_info.get('exception_message')}"
            )
        reason = (config.meta or {}).get("reason")
        if not reason:
            raise SuiteError(f"expectation {config.type} in suite {source} has no meta.reason")
        rows = {
            (int(r["file_index"]), int(r["row_number"]))
            for r in item.result.get("unexpected_index_list") or []
        }
        outcome.failing_rows.setdefault(reason, set()).update(rows)
        outcome.expectations.append(
            {
                "type": config.type,
                "column": config.kwargs.get("column"),
                "reason": reason,
                "success": bool(item.success),
                "unexpected_count": len(rows),
            }
        )
    outcome.validation = sanitize_result(result)
    return outcome
