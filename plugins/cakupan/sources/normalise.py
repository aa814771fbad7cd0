"""Cleaning raw cells into typed, comparable values, one rule per column kind (CONTRACT §2).

Everything is vectorised with Arrow compute kernels (RE2 regexes, C++ string functions) so
the 4-million-row poverty list is cleaned in seconds. Only typed Excel cells (numbers, dates)
go through small per-cell Python functions; an Excel sheet is capped at about a million rows
and those cells already arrived as Python objects from calamine.

Output of :func:`normalise`, one row per raw row, for every column of the spec whether the
file has it or not:

* ``<name>``: the cleaned text (``string[pyarrow]``, missing = NA). It is what the suite checks
  for presence, so an unparseable date keeps its text here while its ``__date`` is None.
* ``<name>__date`` (kinds date, month): ``datetime.date`` or None (object dtype).
* ``<name>__num`` (kind int): nullable ``Int64``, NA unless a whole number.
* ``nik__numeric_cell``: the NIK was a number, not text, in the spreadsheet.

Choices the contract leaves open:

* A numeric cell is rendered as Excel displays it, with 15 significant digits
  (1612051234560001.0 -> "1612051234560000"): that is the NIK the operator sees, and the row
  is rejected as ``nik_numeric_cell`` anyway. A non-whole number keeps its decimal point so
  it can never pass as an id.
* CSV has no cell types, so a NIK counts as a numeric cell when its text is Excel's
  scientific notation ("1.61205E+15", "1,61205E+15" in an Indonesian locale): that is what
  Excel writes when a NIK column became numbers before the file was saved as CSV, and the
  operator's fix is the same (format the column as Text). A plain 16-digit text is taken
  at face value even if it ends in 0.
* Ids also lose Unicode dashes and non-breaking spaces (pasted from Word or WhatsApp), and
  the leading apostrophe may be a typographic one (’ ‘ `).
* Dates may carry a time after them ("1990-03-12 00:00:00", "12/03/1990 08:00"), as
  database exports write them; day-first always; two-digit years are refused; English month
  names are accepted besides the Indonesian ones (no name means different months in the two).
  A number in a date column (an Excel serial whose cell lost its date format) is not a date.
  Nothing outside 1900-2100 is a date, whatever its form, Excel date cells included.
* Spaces are every Unicode space (what ``str.isspace`` calls whitespace); ids and village
  codes also lose zero-width characters and a stray BOM.
* Sex also accepts Pria/Wanita/Lelaki (unambiguous Indonesian words); anything else is empty.
"""

from __future__ import annotations

import datetime as dt
import numbers
from collections.abc import Iterable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from cakupan.sources.specs import Column, SourceSpec

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    from cakupan.sources.readers import RawTable

TEXT_DTYPE = "string[pyarrow]"
# Outside these years a "date" is a typo (0990, 2199) or an empty Excel cell's serial 0.
MIN_YEAR, MAX_YEAR = 1900, 2100
# A CSV NIK in Excel's scientific notation counts as a numeric spreadsheet cell.
MONTHS: dict[str, int] = {
    # Indonesian full names and abbreviations
    "januari": 1, "februari": 2, "pebruari": 2, "maret": 3, "april": 4, "mei": 5, "juni": 6,
    "juli": 7, "agustus": 8, "september": 9, "oktober": 10, "november": 11, "nopember": 11,
    "desember": 12,
    "jan": 1, "feb": 2, "peb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "agu": 8, "agt": 8,
    "ags": 8, "agust": 8, "sep": 9, "sept": 9, "okt": 10, "nov": 11, "nop": 11, "des": 12,
    # English names that differ from the Indonesian ones
    "january": 1, "february": 2, "march": 3, "may": 5, "june": 6, "july": 7, "august": 8,
    "aug": 8, "october": 10, "oct": 10, "december": 12, "dec": 12,
}  # fmt: skip

SEX_VALUES: dict[str, str] = {
    "L": "L", "LK": "L", "LAKILAKI": "L", "LAKI": "L", "LELAKI": "L", "PRIA": "L",
    "P": "P", "PR": "P", "PEREMPUAN": "P", "WANITA": "P",
}  # fmt: skip

# RE2 (Arrow) and Python's re read these the same way; [0-9], not \d, so that Arabic-Indic
# or full-width digits never pass as digits. RE2's \s is ASCII only, so the spaces are spelled
# out: exactly what Arrow's utf8_trim_whitespace (and str.isspace) call whitespace, so that
# stripping and trimming agree and cleaning twice changes nothing.
_SPACES = "\t\n\x0b\x0c\r\x1c-\x1f \x85\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
# Invisible characters pasted from WhatsApp or Word, or a BOM left inside a concatenated file.
_INVISIBLE = "\u200b-\u200d\u2060\ufeff"
_GAP = f"[{_SPACES}]+"
_TIME = rf"(?:(?:{_GAP}|[tT])[0-9]{{1,2}}[:.][0-9]{{2}}(?:[:.][0-9]{{2}}(?:\.[0-9]+)?)?)?"
_DATE_PATTERNS = (
    rf"^(?P<y>[0-9]{{4}})-(?P<m>[0-9]{{1,2}})-(?P<d>[0-9]{{1,2}}){_TIME}$",
    rf"^(?P<d>[0-9]{{1,2}})[/-](?P<m>[0-9]{{1,2}})[/-](?P<y>[0-9]{{4}}){_TIME}$",
    rf"^(?P<d>[0-9]{{1,2}})[{_SPACES}.-]*(?P<name>[A-Za-z]+)\.?[{_SPACES}.-]*(?P<y>[0-9]{{4}})$",
)
_MONTH_PATTERNS = (
    r"^(?P<y>[0-9]{4})[/-](?P<m>[0-9]{1,2})$",
    r"^(?P<m>[0-9]{1,2})[/-](?P<y>[0-9]{4})$",
    rf"^(?P<name>[A-Za-z]+)\.?[{_SPACES}.-]*(?P<y>[0-9]{{4}})$",
)
_ID_SEPARATOR_SET = f"{_SPACES}{_INVISIBLE}.\\-\u2010-\u2015\u2212"
_VILLAGE_SEPARATOR_SET = f"{_SPACES}{_INVISIBLE}."
_APOSTROPHES = "'\u2018\u2019`"
# Excel's text prefix may come after stray spaces, so the leading run takes both.
_ID_STRIP = f"^[{_APOSTROPHES}{_ID_SEPARATOR_SET}]+|[{_ID_SEPARATOR_SET}]+"
_VILLAGE_STRIP = f"^[{_APOSTROPHES}{_VILLAGE_SEPARATOR_SET}]+|[{_VILLAGE_SEPARATOR_SET}]+"
_SCIENTIFIC = r"^[+-]?[0-9]+(?:[.,][0-9]+)?[eE][+-]?[0-9]+$"
_WHOLE_NUMBER = r"^-?[0-9]{1,9}(?:\.0+)?$"


# --------------------------------------------------------------------------- public API


def normalise(raw: RawTable, spec: SourceSpec, received_date: dt.date) -> pd.DataFrame:
    """Clean every column of ``spec`` (missing ones as all-empty) next to ``row_number``."""
    import pandas as pd

    frame = raw.frame
    n = len(frame)
    out: dict[str, Any] = {"row_number": frame["row_number"].to_numpy(dtype="int64")}
    for col in spec.columns:
        series = frame[col.name] if col.name in frame else pd.Series([None] * n, dtype=object)
        out.update(_normalise_column(series, col, received_date))
    return pd.DataFrame(out, index=pd.RangeIndex(n))


def clean_ids(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Ids (NIK, KPJ, KK) without separators, and whether each was a numeric cell."""
    cells = _Cells.split(series)
    return _series(_clean_id(cells), series), _series(_numeric_mask(cells), series)


def clean_village(series: pd.Series) -> pd.Series:
    """Village codes without dots or spaces ("16.12.05.2011" -> "1612052011")."""
    return _series(_clean_village(_Cells.split(series)), series)


def clean_text(series: pd.Series, upper: bool = False) -> pd.Series:
    """Stripped text, empty -> NA; ``upper`` for enumerations."""
    return _series(_clean_text(_Cells.split(series), upper), series)


def clean_sex(series: pd.Series) -> pd.Series:
    """Sex as L, P or NA."""
    return _series(_clean_sex(_Cells.split(series)), series)


def parse_dates(series: pd.Series) -> pd.Series:
    """``datetime.date`` or None for each cell, in any accepted date form."""
    return _series(_parse_dates(_Cells.split(series)), series)


def parse_months(series: pd.Series) -> pd.Series:
    """First day of the month (``datetime.date``) or None, for ``paid_through``."""
    return _series(_parse_months(_Cells.split(series)), series)


def parse_whole_numbers(series: pd.Series) -> pd.Series:
    """Nullable Int64: NA unless the cell is a whole number ("3", "3.0", 3.0)."""
    return _series(_whole_numbers(_clean_text(_Cells.split(series), False)), series)


def parse_date(value: object) -> dt.date | None:
    """Scalar convenience over :func:`parse_dates`."""
    import pandas as pd

    return parse_dates(pd.Series([value], dtype=object)).iloc[0]


def parse_month(value: object) -> dt.date | None:
    """Scalar convenience over :func:`parse_months`."""
    import pandas as pd

    return parse_months(pd.Series([value], dtype=object)).iloc[0]


# --------------------------------------------------------------------------- per column


def _normalise_column(series: pd.Series, col: Column, received_date: dt.date) -> dict[str, Any]:
    import numpy as np

    cells = _Cells.split(series)
    out: dict[str, Any] = {}
    if col.kind == "id":
        out[col.name] = _clean_id(cells)
        if col.name == "nik":
            out["nik__numeric_cell"] = _numeric_mask(cells)
    elif col.kind == "village":
        out[col.name] = _clean_village(cells)
    elif col.kind == "sex":
        out[col.name] = _clean_sex(cells)
    elif col.kind == "int":
        text = _clean_text(cells, False)
        out[col.name] = text
        out[f"{col.name}__num"] = _whole_numbers(text)
    elif col.kind in ("date", "month"):
        text = _clean_text(cells, False)
        dates = _parse_dates(cells) if col.kind == "date" else _parse_months(cells)
        if col.defaults_to_received:
            absent = text.is_null().to_numpy(zero_copy_only=False)
            dates = np.where(absent, received_date, dates)
        out[col.name] = text
        out[f"{col.name}__date"] = dates
    else:  # text, enum
        out[col.name] = _clean_text(cells, col.kind == "enum")
    return {name: _to_pandas(values) for name, values in out.items()}


class _Cells:
    """A column as Arrow text (null where not text) plus the typed Excel cells beside it."""

    def __init__(self, text: pa.Array, typed: dict[int, Any]) -> None:
        self.text = text
        self.typed = typed  # position -> number / date / bool from an Excel cell

    @classmethod
    def split(cls, series: pd.Series) -> _Cells:
        """Arrow text for string columns (CSV) at once; object columns (Excel) cell by cell."""
        import pandas as pd
        import pyarrow as pa

        if isinstance(series.dtype, pd.StringDtype):
            return cls(_as_array(pa.array(series.array)), {})
        values = series.to_numpy(dtype=object)
        try:  # an object column of plain strings / None converts in one go
            array = pa.array(values, from_pandas=True)
            if pa.types.is_null(array.type):  # e.g. a column absent from the file
                return cls(pa.nulls(len(values), pa.large_string()), {})
            if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
                return cls(_as_array(array), {})
        except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
            pass  # mixed or typed cells (an int beyond int64 too): cell by cell below
        texts: list[str | None] = []
        typed: dict[int, Any] = {}
        for position, value in enumerate(values):
            if isinstance(value, str):
                texts.append(value)
                continue
            texts.append(None)
            if not _is_missing(value):
                typed[position] = value
        return cls(pa.array(texts, type=pa.large_string()), typed)

    def numbers(self) -> dict[int, Any]:
        return {p: v for p, v in self.typed.items() if _is_number(v)}

    def dates(self) -> dict[int, dt.date]:
        """Date cells within MIN_YEAR..MAX_YEAR; others stay text, which no date rule accepts."""
        days = {
            p: v.date() if isinstance(v, dt.datetime) else v
            for p, v in self.typed.items()
            if isinstance(v, dt.date)
        }
        return {p: d for p, d in days.items() if MIN_YEAR <= d.year <= MAX_YEAR}

    def text_with_typed(self, numbers: bool = True) -> pa.Array:
        """The text column with typed cells rendered in (numbers too unless told not to)."""
        return _overlay(
            self.text,
            {p: _cell_text(v) for p, v in self.typed.items() if numbers or not _is_number(v)},
        )


def _clean_text(cells: _Cells, upper: bool) -> pa.Array:
    import pyarrow.compute as pc

    text = pc.utf8_trim_whitespace(cells.text_with_typed())
    if upper:
        text = pc.utf8_upper(text)
    return _empty_to_null(text)


def _clean_code(cells: _Cells, pattern: str, plain: str) -> pa.Array:
    """Ids and village codes: separators stripped from text; a number rendered whole,
    keeping any decimal point so a non-whole number can never pass as a code."""
    import pyarrow.compute as pc

    text = pc.utf8_trim_whitespace(cells.text_with_typed(numbers=False))
    text = _strip_pattern(text, pattern, plain)
    numbers = {p: _number_text(v) for p, v in cells.numbers().items()}
    return _overlay(_empty_to_null(text), numbers)


def _clean_id(cells: _Cells) -> pa.Array:
    return _clean_code(cells, _ID_STRIP, ".- ")


def _numeric_mask(cells: _Cells) -> np.ndarray:
    import pyarrow.compute as pc

    text = pc.utf8_trim_whitespace(cells.text)
    maybe = pc.match_substring(text, "e", ignore_case=True).fill_null(False)
    mask = maybe.to_numpy(zero_copy_only=False).copy()
    if mask.any():  # the regex runs only on values holding an "e"
        hits = pc.match_substring_regex(text.filter(maybe), _SCIENTIFIC).fill_null(False)
        mask[mask] = hits.to_numpy(zero_copy_only=False)
    mask[list(cells.numbers())] = True
    return mask


def _clean_village(cells: _Cells) -> pa.Array:
    return _clean_code(cells, _VILLAGE_STRIP, ". ")


def _clean_sex(cells: _Cells) -> pa.Array:
    """Typed cells (a number, a date) are not a sex: they stay empty."""
    import pyarrow as pa
    import pyarrow.compute as pc

    key = pc.replace_substring_regex(pc.utf8_upper(cells.text), pattern="[^A-Z]+", replacement="")
    keys = pa.array(list(SEX_VALUES), type=pa.large_string())
    codes = pa.array(list(SEX_VALUES.values()), type=pa.large_string())
    return pc.take(codes, pc.index_in(key, value_set=keys))


def _whole_numbers(text: pa.Array) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    short = pc.and_(pc.less_equal(pc.utf8_length(text), 9), pc.string_is_ascii(text))
    # the usual "3"; ASCII only, as utf8_is_digit also says yes to "٣" and "３"
    plain = pc.and_(pc.utf8_is_digit(text), short).fill_null(False)
    other = pc.invert(plain).fill_null(True)
    whole = pc.and_(other, pc.match_substring_regex(text, _WHOLE_NUMBER)).fill_null(False)
    digits = pc.replace_with_mask(
        text, whole, pc.replace_substring_regex(text.filter(whole), r"\.0+$", "")
    )
    keep = pc.or_(plain, whole)
    return pc.cast(pc.if_else(keep, digits, pa.scalar(None, pa.large_string())), pa.int64())


def _parse_dates(cells: _Cells) -> np.ndarray:
    year, month, day = _extract_ymd(_match_text(cells), _DATE_PATTERNS)
    dates = _compose_dates(year, month, day)
    for position, value in cells.dates().items():
        dates[position] = value
    return dates


def _parse_months(cells: _Cells) -> np.ndarray:
    """Month forms first; what they leave is read as a date (a real one) and keeps its month."""
    import numpy as np
    import pyarrow as pa

    text = _match_text(cells)
    year, month, _ = _extract_ymd(text, _MONTH_PATTERNS)
    todo = np.flatnonzero(year == 0)
    if len(todo):
        y, m, d = _extract_ymd(text.take(pa.array(todo)), _DATE_PATTERNS)
        real = _valid_days(y, m, d)[0]
        year[todo] = np.where(real, y, 0)
        month[todo] = np.where(real, m, 0)
    months = _compose_dates(year, month, np.ones_like(year))
    for position, value in cells.dates().items():
        months[position] = value.replace(day=1)
    return months


# --------------------------------------------------------------------------- helpers


def _match_text(cells: _Cells) -> pa.Array:
    """Trimmed text; the patterns themselves allow any case and runs of whitespace."""
    import pyarrow.compute as pc

    return pc.utf8_trim_whitespace(cells.text)


def _extract_ymd(
    text: pa.Array, patterns: Iterable[str]
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Year, month, day as int arrays (0 = no match), trying each pattern on what is left.

    One pattern at a time on the rows still unmatched: a file almost always uses a single
    form, so after the first pass little is left, which is far cheaper than one big
    alternation over every row.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    n = len(text)
    parts = {key: np.zeros(n, dtype=np.int64) for key in ("y", "m", "d")}
    todo = np.flatnonzero(text.is_valid().to_numpy(zero_copy_only=False))
    for pattern in patterns:
        if not len(todo):
            break
        found = pc.extract_regex(text.take(pa.array(todo)), pattern)
        hit = found.is_valid().to_numpy(zero_copy_only=False)
        if not hit.any():
            continue
        found = found.filter(pa.array(hit))
        rows = todo[hit]
        names = [found.type.field(i).name for i in range(found.type.num_fields)]
        for key in ("y", "m", "d"):
            if key in names:
                parts[key][rows] = _to_ints(pc.struct_field(found, key))
        if "name" in names:
            parts["m"][rows] = _month_numbers(pc.struct_field(found, "name"))
        todo = todo[~hit]
    return parts["y"], parts["m"], parts["d"]


def _to_ints(digits: pa.Array) -> np.ndarray:
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.cast(digits, pa.int64()).to_numpy(zero_copy_only=False)


def _month_numbers(names: pa.Array) -> np.ndarray:
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    names = pc.utf8_lower(names)
    index = pc.index_in(names, value_set=pa.array(list(MONTHS), type=pa.large_string()))
    numbers = np.array([*MONTHS.values(), 0], dtype=np.int64)
    return numbers[index.fill_null(len(MONTHS)).to_numpy(zero_copy_only=False)]


def _valid_days(
    year: np.ndarray, month: np.ndarray, day: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Which (year, month, day) are real dates, and those dates as ``datetime64[D]``."""
    import numpy as np

    ok = (year >= MIN_YEAR) & (year <= MAX_YEAR) & (month >= 1) & (month <= 12)
    ok &= (day >= 1) & (day <= 31)
    y = np.where(ok, year, 1970)
    m = np.where(ok, month, 1)
    d = np.where(ok, day, 1)
    months = ((y - 1970) * 12 + (m - 1)).astype("datetime64[M]")
    days = months.astype("datetime64[D]") + (d - 1).astype("timedelta64[D]")
    ok &= days.astype("datetime64[M]") == months  # day 31 of a 30-day month rolled over
    return ok, days


def _compose_dates(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> np.ndarray:
    """Object array of ``datetime.date`` / None; impossible dates (31/02) are None."""
    import numpy as np

    ok, days = _valid_days(year, month, day)
    out = np.full(len(year), None, dtype=object)
    out[ok] = days[ok].astype(object)
    return out


def _is_missing(value: Any) -> bool:
    import pandas as pd

    return (
        value is None
        or value is pd.NA
        or value is pd.NaT
        or (isinstance(value, float) and value != value)
    )


def _is_number(value: Any) -> bool:
    import numpy as np

    return isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)


def _strip_pattern(text: pa.Array, pattern: str, literals: str) -> pa.Array:
    """Remove ``pattern`` from each value; cheap literal removals go first.

    Most values of a big file are bare digits, or digits with dots ("16.12.05.2011"), so
    the plain substring removals of ``literals`` do nearly all the work and the regex runs
    only on what is still not all digits.
    """
    import pyarrow.compute as pc

    for literal in literals:
        text = pc.replace_substring(text, literal, "")
    needs = pc.invert(pc.utf8_is_digit(text)).fill_null(False)
    todo = text.filter(needs)
    if len(todo) == 0:
        return text
    done = pc.replace_substring_regex(todo, pattern=pattern, replacement="")
    return pc.replace_with_mask(text, needs, done)


def _empty_to_null(text: pa.Array) -> pa.Array:
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.if_else(pc.equal(text, ""), pa.scalar(None, text.type), text)


def _overlay(text: pa.Array, typed: dict[int, str | None]) -> pa.Array:
    """Put the rendered typed Excel cells into the text column (small: Excel only)."""
    import pyarrow as pa

    if not typed:
        return text
    values = text.to_pylist()
    for position, value in typed.items():
        values[position] = value
    return pa.array(values, type=pa.large_string())


def _number_text(value: float | int) -> str:
    """A number as Excel shows it: 15 significant digits, whole numbers without ".0"."""
    number = Decimal(f"{float(value):.15g}")
    if number == number.to_integral_value():
        return str(int(number))
    return format(number.normalize(), "f")


def _cell_text(value: Any) -> str:
    """Text of a typed Excel cell, as a person reading the sheet would write it."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if _is_number(value):
        return _number_text(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value)


def _as_array(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    import pyarrow as pa

    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not pa.types.is_large_string(array.type):
        array = array.cast(pa.large_string())
    return array


def _to_pandas(values: pa.Array | np.ndarray) -> Any:
    """Arrow text -> ``string[pyarrow]``; Arrow ints -> ``Int64``; numpy as it is."""
    import pandas as pd
    import pyarrow as pa

    if not isinstance(values, pa.Array):
        return values
    if pa.types.is_integer(values.type):
        return pd.arrays.IntegerArray(
            values.fill_null(0).to_numpy(zero_copy_only=False).astype("int64"),
            values.is_null().to_numpy(zero_copy_only=False),
        )
    return pd.arrays.ArrowStringArray(_as_array(values))


def _series(values: pa.Array | np.ndarray, like: pd.Series) -> pd.Series:
    import pandas as pd

    return pd.Series(_to_pandas(values), index=like.index, name=like.name)
