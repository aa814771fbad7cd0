"""The verdict on each row: GX's failures plus the rules GX cannot state, first reason wins.

GX states presence, patterns, value sets and ranges (expectations/*.json). Python states
what needs more than one cell or the cell's type: a NIK from a numeric spreadsheet cell,
NIK date/province semantics, duplicates within the file, and the flags kept on loaded rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cakupan.checks.nik import (
    flag_birth_date_mismatch,
    flag_outside_province,
    flag_sex_mismatch,
    nik_semantics_ok,
)
from cakupan.checks.suites import SuiteOutcome
from cakupan.sources.specs import FLAGS, REASONS, SourceSpec


@dataclass
class Verdict:
    reason: pd.Series  # per row: a reason of CONTRACT §3, or None when the row loads
    flags: pd.DataFrame  # per row: one boolean column per flag (False on rejected rows)

    @property
    def loaded(self) -> pd.Series:
        return self.reason.isna()


def _python_failures(frame: pd.DataFrame) -> dict[str, pd.Series]:
    nik = frame["nik"]
    sixteen = nik.fillna("").str.fullmatch(r"[0-9]{16}")
    return {
        "nik_numeric_cell": frame["nik__numeric_cell"].fillna(False).astype(bool) & nik.notna(),
        "invalid_nik": sixteen & ~nik_semantics_ok(nik.where(sixteen, "")).astype(bool),
    }


def judge(frame: pd.DataFrame, spec: SourceSpec, outcome: SuiteOutcome) -> Verdict:
    """Give every row of normalised files its first failing reason and its flags."""
    keys = pd.MultiIndex.from_arrays([frame["file_index"], frame["row_number"]])
    failures: dict[str, pd.Series] = {
        reason: pd.Series(keys.isin(list(rows)), index=frame.index)
        for reason, rows in outcome.failing_rows.items()
    }
    for reason, mask in _python_failures(frame).items():
        failures[reason] = failures[reason] | mask if reason in failures else mask

    reason = pd.Series(None, index=frame.index, dtype=object)
    for name in REASONS:
        if name == "duplicate_in_file":
            # Only rows that would load count as "an earlier loaded row of the same file".
            candidates = reason.isna() & frame[spec.key].notna()
            repeated = frame.loc[candidates, ["file_index", spec.key]].duplicated(keep="first")
            mask = pd.Series(False, index=frame.index)
            mask.loc[repeated.index] = repeated
        else:
            mask = failures.get(name)
            if mask is None:
                continue
        reason = reason.mask(reason.isna() & mask.astype(bool), name)

    loaded = reason.isna()
    empty = pd.Series(None, index=frame.index, dtype=object)
    birth = frame.get("birth_date__date", empty)
    sex = frame.get("sex", empty)
    flags = pd.DataFrame(
        {
            "nik_birth_date_mismatch": flag_birth_date_mismatch(frame["nik"], birth),
            "nik_sex_mismatch": flag_sex_mismatch(frame["nik"], sex),
            "nik_outside_province": flag_outside_province(frame["nik"]),
        },
        index=frame.index,
    )[list(FLAGS)]
    flags = flags.fillna(False).astype(bool)
    flags.loc[~loaded, :] = False
    return Verdict(reason=reason, flags=flags)
