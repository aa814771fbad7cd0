"""The verdict on each row: GX's failures plus the rules GX cannot state, first reason wins.

GX states presence, patterns, value sets and ranges (expectations/*.json). Python states
what needs more than one cell or the cell's type: a NIK from a numeric spreadsheet cell,
NIK date/province semantics, duplicates within the file, and the flags kept on loaded rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from cakupan.checks.nik import (
    NikDigits,
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


@dataclass
class SeenKeys:
    """Keys of the rows a file has loaded so far, when the file is judged in chunks.

    Keys reaching the duplicate rule have passed their pattern (16-digit NIK, all-digit
    KPJ), so they are kept as a sorted int64 array: 8 bytes a row, 128 MB for 16 million
    rows, where a set of strings would take ten times that. Anything else (a KPJ setting of
    more than 18 digits) falls back to a set of strings.
    """

    numbers: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    texts: set[str] = field(default_factory=set)
    width: int | None = None  # digits of every numeric key, so "0123" and "123" differ

    def _as_numbers(self, keys: pd.Series) -> np.ndarray | None:
        import pyarrow as pa
        import pyarrow.compute as pc

        if not len(keys):
            return np.empty(0, dtype=np.int64)
        text = pa.array(keys.astype("string[pyarrow]").array)
        width = self.width or len(keys.iloc[0])
        if width > 18 or not pc.all(pc.match_substring_regex(text, f"^[0-9]{{{width}}}$")).as_py():
            return None
        self.width = width
        return pc.cast(text, pa.int64()).to_numpy()

    def _numbers_or_texts(self, keys: pd.Series) -> np.ndarray | None:
        """The keys as numbers, or None once any key is not one (all kept as text then)."""
        numbers = None if self.texts else self._as_numbers(keys)
        if numbers is None and len(self.numbers):
            self.texts.update(f"{n:0{self.width}d}" for n in self.numbers)  # zeros kept
            self.numbers = np.empty(0, dtype=np.int64)
        return numbers

    def seen(self, keys: pd.Series) -> np.ndarray:
        """Which ``keys`` an earlier chunk loaded."""
        numbers = self._numbers_or_texts(keys)
        if numbers is None:
            return keys.astype(str).isin(self.texts).to_numpy()
        at = np.searchsorted(self.numbers, numbers).clip(max=max(len(self.numbers) - 1, 0))
        return (self.numbers[at] == numbers) if len(self.numbers) else np.zeros(len(keys), bool)

    def add(self, keys: pd.Series) -> None:
        numbers = self._numbers_or_texts(keys)
        if numbers is None:
            self.texts.update(keys.astype(str))
        else:
            # Two sorted runs: a stable sort (timsort) merges them in linear time, in place
            # once the old array is let go: two copies of the keys at the peak, not three.
            merged = np.concatenate([self.numbers, np.sort(numbers)])
            self.numbers = merged
            merged.sort(kind="stable")


def _python_failures(frame: pd.DataFrame, nik: NikDigits) -> dict[str, pd.Series]:
    sixteen = pd.Series(nik.valid, index=frame.index)
    return {
        "nik_numeric_cell": frame["nik__numeric_cell"].fillna(False).astype(bool)
        & frame["nik"].notna(),
        "invalid_nik": sixteen & ~nik_semantics_ok(nik),
    }


def judge(
    frame: pd.DataFrame, spec: SourceSpec, outcome: SuiteOutcome, seen: SeenKeys | None = None
) -> Verdict:
    """Give every row of normalised files its first failing reason and its flags.

    ``seen`` carries a file's loaded keys from one chunk to the next (a chunked file has a
    single file_index); it is updated with this chunk's loaded keys.
    """
    keys = pd.MultiIndex.from_arrays([frame["file_index"], frame["row_number"]])
    failures: dict[str, pd.Series] = {
        reason: pd.Series(keys.isin(list(rows)), index=frame.index)
        for reason, rows in outcome.failing_rows.items()
    }
    nik = NikDigits.of(frame["nik"])
    for reason, mask in _python_failures(frame, nik).items():
        failures[reason] = failures[reason] | mask if reason in failures else mask

    reason = pd.Series(None, index=frame.index, dtype=object)
    for name in REASONS:
        if name == "duplicate_in_file":
            # Only rows that would load count as "an earlier loaded row of the same file".
            candidates = reason.isna() & frame[spec.key].notna()
            keyed = frame.loc[candidates, ["file_index", spec.key]]
            repeated = keyed.duplicated(keep="first")
            if seen is not None and len(keyed):
                repeated |= seen.seen(keyed[spec.key])
                seen.add(keyed.loc[~repeated, spec.key])
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
            "nik_birth_date_mismatch": flag_birth_date_mismatch(nik, birth),
            "nik_sex_mismatch": flag_sex_mismatch(nik, sex),
            "nik_outside_province": flag_outside_province(nik),
        },
        index=frame.index,
    )[list(FLAGS)]
    flags = flags.fillna(False).astype(bool)
    flags.loc[~loaded, :] = False
    return Verdict(reason=reason, flags=flags)
