"""Matching a file's header cells to a source's canonical columns (CONTRACT §2).

Village operators type headers by hand ("Tgl. Lahir", "KODE DESA", "L/P"), so a header is
compared by a key that ignores case, spaces and punctuation. Pure Python on purpose: it runs
on a handful of header cells and must stay importable without pandas.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from cakupan.sources.specs import SourceSpec

# Anything that is not a letter or a digit (underscore included) is not part of the key.
_NOT_KEY = re.compile(r"[\W_]+")

# Excel templates put title rows above the header; the header is looked for this far down.
HEADER_SEARCH_ROWS = 15


def header_key(text: object) -> str:
    """Case-, space- and punctuation-insensitive key: "Tgl. Lahir" -> "tgllahir"."""
    if text is None:
        return ""
    return _NOT_KEY.sub("", str(text).casefold())


def column_keys(spec: SourceSpec) -> dict[str, str]:
    """Header key -> canonical column name, for the canonical names and all aliases."""
    keys: dict[str, str] = {}
    for col in spec.columns:
        for label in (col.name, *col.aliases):
            keys.setdefault(header_key(label), col.name)
    return keys


def match_columns(headers: Sequence[object], spec: SourceSpec) -> dict[str, int]:
    """Canonical column -> position of the first header cell naming it; others ignored.

    When a column appears twice (or under two aliases) the leftmost one wins, which is
    what a person reading the sheet from the left would take as "the" column.
    """
    keys = column_keys(spec)
    found: dict[str, int] = {}
    for position, cell in enumerate(headers):
        name = keys.get(header_key(cell))
        if name is not None and name not in found:
            found[name] = position
    return found


def best_header_row(
    rows: Sequence[Sequence[object]], spec: SourceSpec, max_rows: int = HEADER_SEARCH_ROWS
) -> tuple[int, dict[str, int]] | None:
    """The row (within ``max_rows``) matching the most required columns, and its matches.

    Ties go to the upper row. None when no row names any required column: then the file
    has no recognisable header at all, which is a different error from a missing column.
    """
    best: tuple[int, dict[str, int]] | None = None
    best_count = 0
    for index, row in enumerate(rows[:max_rows]):
        matched = match_columns(row, spec)
        count = sum(1 for name in spec.required if name in matched)
        if count > best_count:
            best, best_count = (index, matched), count
            if count == len(spec.required):
                break
    return best


def find_header_row(
    rows: Sequence[Sequence[object]], spec: SourceSpec, max_rows: int = HEADER_SEARCH_ROWS
) -> int | None:
    """Index of the first row (within ``max_rows``) naming every required column."""
    best = best_header_row(rows, spec, max_rows)
    if best is None:
        return None
    index, matched = best
    return index if all(name in matched for name in spec.required) else None


def missing_required(matched: dict[str, int], spec: SourceSpec) -> list[str]:
    """Required canonical columns absent from ``matched``, in spec order."""
    return [name for name in spec.required if name not in matched]
