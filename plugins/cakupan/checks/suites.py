"""The audit's GX suites: which published tables have one, where it lives, the GX project.

Shared by the audit (``audit.py``, which validates) and its Data Docs (``data_docs.py``,
which renders); neither imports the other's internals. GX is imported on first use only.
"""

from __future__ import annotations

import json
import os
from functools import cache
from typing import TYPE_CHECKING, Any

from cakupan.logs import quiet_noisy_libraries
from cakupan.paths import EXPECTATIONS_DIR

if TYPE_CHECKING:
    import great_expectations as gx

# Published tables the audit validates -> the reference-list count (audit/reference_counts)
# its row count must match (None: no such count; the province has one row, data_quality
# one per file).
AUDITED_TABLES: dict[str, str | None] = {
    "coverage_village": "village",
    "coverage_district": "district",
    "coverage_regency": "regency",
    "coverage_province": None,
    "data_quality": None,
    "coverage_forecast": "regency_and_province",
}


# The coverage tables of every level (CONTRACT §5): the same worker counts, the same checks.
COVERAGE_TABLES = ("coverage_village", "coverage_district", "coverage_regency", "coverage_province")


class SuiteError(RuntimeError):
    """A suite that cannot be used as written: a bug to fix, never a data problem."""


def suite_name(table: str) -> str:
    """``coverage_village`` -> ``mart_coverage_village`` (also its file name)."""
    return f"mart_{table}"


def suite_path(table: str) -> os.PathLike[str]:
    return EXPECTATIONS_DIR / f"{suite_name(table)}.json"


def read_suite_json(table: str) -> dict[str, Any]:
    with open(suite_path(table), encoding="utf-8") as fh:
        return json.load(fh)


@cache
def gx_context() -> gx.data_context.AbstractDataContext:
    """One ephemeral GX project per process; no analytics calls, no progress bars."""
    os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")  # GX reads it from the environment
    quiet_noisy_libraries()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context


@cache
def load_suite(table: str) -> gx.ExpectationSuite:
    """The suite of ``table`` as GX objects; fails when GX does not know an expectation."""
    import great_expectations as gx

    gx_context()
    raw = read_suite_json(table)
    suite = gx.ExpectationSuite(**raw)
    if len(suite.expectations) != len(raw["expectations"]):
        raise SuiteError(
            f"expectations/{suite_name(table)}.json: GX recognised {len(suite.expectations)} "
            f"of {len(raw['expectations'])} expectations; check their 'type' names"
        )
    return suite
