"""Raw cells as Arrow for the row pass, and the cleaning rules as Python calls.

The cleaning rules themselves are SQL (``include/sql/rules/``, run by
:mod:`cakupan.checks.row_pass`). What stays here is what only the reader knows: a workbook
cell's *type*. python-calamine gives a number, a date or a boolean as a Python object, and
the rules must tell a numeric NIK cell from a text one, so each column goes to the pass as
up to four Arrow columns (``include/sql/rules/010_cells.sql``):

* ``<name>``: the text of a text cell (every CSV cell), else null;
* ``<name>__cell``: a typed cell as a person reads it in the sheet: a number with Excel's 15
  significant digits (1612051234560001.0 -> "1612051234560000"), keeping a decimal point
  when it has one; a date as ISO; TRUE / FALSE;
* ``<name>__number``: the typed cell is a number;
* ``<name>__date``: the typed cell is a date between 1900 and 2100 (outside that it is a
  typo or an empty cell's serial 0, and stays text only).

CSV columns arrive as Arrow strings and are handed over without a copy; only workbook
columns that hold typed cells are looked at cell by cell (a sheet has at most about a
million rows, already Python objects from calamine).

The functions below (``clean_ids``, ``parse_dates``, ...) run the same SQL macros on a
pandas Series, for tools and tests; :func:`normalise` runs a source's whole cleaning stage.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from cakupan.sources.specs import SourceSpec

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from cakupan.sources.readers import RawTable

MIN_YEAR, MAX_YEAR = 1900, 2100


def __getattr__(name: str) -> Any:
    """``MONTHS``: the month names the date rules accept, read from the SQL that holds them."""
    if name == "MONTHS":
        from cakupan.checks.row_pass import row_pass

        names = row_pass().scalar("month_names()")
        return dict(sorted(names.items(), key=lambda kv: (kv[1], kv[0])))
    raise AttributeError(name)


# --------------------------------------------------------------------------- raw -> Arrow


def cells_table(raw: RawTable, file_index: pa.Array | int = 0) -> pa.Table:
    """The raw rows of ``raw`` as the row pass reads them (see the module docstring)."""
    import pyarrow as pa

    frame = raw.frame
    n = len(frame)
    index = file_index if isinstance(file_index, pa.Array) else pa.array([file_index] * n)
    data: dict[str, pa.Array] = {
        "file_index": index.cast(pa.int32()),
        "row_number": pa.array(frame["row_number"].to_numpy(), pa.int64()),
    }
    for name in frame.columns:
        if name == "row_number":
            continue
        data.update(column_cells(name, frame[name]))
    return pa.table(data)


def column_cells(name: str, series: pd.Series) -> dict[str, pa.Array]:
    """One column's parts: its text, plus its typed cells when a workbook had any."""
    import pandas as pd
    import pyarrow as pa

    if isinstance(series.dtype, pd.StringDtype):
        return {name: _as_text(pa.array(series.array))}
    values = series.to_numpy(dtype=object)
    try:  # an object column of plain strings / None converts in one go
        array = pa.array(values, from_pandas=True)
        if pa.types.is_null(array.type):
            return {name: pa.nulls(len(values), pa.string())}
        if pa.types.is_string(array.type) or pa.types.is_large_string(array.type):
            return {name: _as_text(array)}
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        pass  # mixed or typed cells (an int beyond int64 too): cell by cell below
    texts: list[str | None] = []
    shown: list[str | None] = []
    is_number: list[bool] = []
    dates: list[dt.date | None] = []
    for value in values:
        typed = not isinstance(value, str) and not _is_missing(value)
        texts.append(value if isinstance(value, str) else None)
        shown.append(_cell_text(value) if typed else None)
        is_number.append(typed and _is_number(value))
        dates.append(_cell_date(value) if typed else None)
    return {
        name: pa.array(texts, pa.string()),
        f"{name}__cell": pa.array(shown, pa.string()),
        f"{name}__number": pa.array(is_number, pa.bool_()),
        f"{name}__date": pa.array(dates, pa.date32()),
    }


def _as_text(array: pa.Array | pa.ChunkedArray) -> pa.Array:
    import pyarrow as pa

    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if not (pa.types.is_string(array.type) or pa.types.is_large_string(array.type)):
        array = array.cast(pa.string())
    return array  # large_string (Arrow's CSV reader) goes to DuckDB as it is: no copy


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


def _cell_date(value: Any) -> dt.date | None:
    """A date cell's day, when it lies in 1900-2100; anything else is no date."""
    if not isinstance(value, dt.date):
        return None
    day = value.date() if isinstance(value, dt.datetime) else value
    return day if MIN_YEAR <= day.year <= MAX_YEAR else None


def _number_text(value: float | int) -> str:
    """A number as Excel shows it: 15 significant digits, whole numbers without ".0"."""
    if not math.isfinite(value):  # no spreadsheet cell holds one; shown, never a code
        return str(value)
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


# --------------------------------------------------------------------------- the rules


def normalise(raw: RawTable, spec: SourceSpec, received_date: dt.date) -> pd.DataFrame:
    """A source's cleaning stage on ``raw``: every column of ``spec`` cleaned, in the
    pandas types a person inspecting it expects (text, ``datetime.date``, ``Int64``)."""
    from cakupan.checks.row_pass import row_pass

    table = row_pass().clean(spec, cells_table(raw), received_date)
    frame = table.drop_columns(["file_index"]).to_pandas(types_mapper=_pandas_type)
    for name in frame.columns:
        if name.endswith("__date"):
            frame[name] = _dates(frame[name])
    frame["nik__numeric_cell"] = frame["nik__numeric_cell"].astype(bool)
    return frame


def _pandas_type(arrow_type: pa.DataType) -> Any:
    import pandas as pd
    import pyarrow as pa

    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return pd.StringDtype("pyarrow")
    if pa.types.is_integer(arrow_type):
        return pd.Int64Dtype()
    return None


def _dates(series: pd.Series) -> pd.Series:
    import pandas as pd

    values = [v if isinstance(v, dt.date) else None for v in series.tolist()]
    return pd.Series(values, index=series.index, name=series.name, dtype=object)


def _apply(expression: str, series: pd.Series) -> list[Any]:
    """Evaluate a rule macro on one column's cells; ``x``, ``x__cell``... name its parts."""
    from cakupan.checks.row_pass import CELL_PARTS, row_pass

    parts = column_cells("x", series)
    for suffix, sql_type in CELL_PARTS.items():
        name = f"x{suffix}"
        value = name if name in parts else f"CAST(NULL AS {sql_type})"
        expression = expression.replace(f"{{{name}}}", value)
    return row_pass().evaluate(expression, parts)


def _text_series(values: list[Any], like: pd.Series) -> pd.Series:
    import pandas as pd

    return pd.Series(values, index=like.index, name=like.name, dtype="string[pyarrow]")


def _object_series(values: list[Any], like: pd.Series) -> pd.Series:
    import pandas as pd

    return pd.Series(values, index=like.index, name=like.name, dtype=object)


def clean_ids(series: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Ids (NIK, KPJ, KK) without separators, and whether each was a numeric cell."""
    import pandas as pd

    cleaned = _apply("id_value({x}, {x__cell}, {x__number})", series)
    numeric = _apply("from_number({x}, {x__number})", series)
    return (
        _text_series(cleaned, series),
        pd.Series(numeric, index=series.index, name=series.name, dtype=bool),
    )


def clean_village(series: pd.Series) -> pd.Series:
    """Village codes without dots or spaces ("16.12.05.2011" -> "1612052011")."""
    return _text_series(_apply("village_value({x}, {x__cell}, {x__number})", series), series)


def clean_text(series: pd.Series, upper: bool = False) -> pd.Series:
    """Stripped text, empty -> NA; ``upper`` for enumerations."""
    macro = "enum_value" if upper else "text_value"
    return _text_series(_apply(f"{macro}({{x}}, {{x__cell}})", series), series)


def clean_sex(series: pd.Series) -> pd.Series:
    """Sex as L, P or NA."""
    return _text_series(_apply("sex_value({x})", series), series)


def parse_dates(series: pd.Series) -> pd.Series:
    """``datetime.date`` or None for each cell, in any accepted date form."""
    return _object_series(_apply("date_value({x}, {x__date})", series), series)


def parse_months(series: pd.Series) -> pd.Series:
    """First day of the month (``datetime.date``) or None, for ``paid_through``."""
    return _object_series(_apply("month_value({x}, {x__date})", series), series)


def parse_whole_numbers(series: pd.Series) -> pd.Series:
    """Nullable Int64: NA unless the cell is a whole number ("3", "3.0", 3.0)."""
    import pandas as pd

    values = _apply("whole_value({x}, {x__cell})", series)
    return pd.Series(values, index=series.index, name=series.name, dtype="Int64")


def parse_date(value: object) -> dt.date | None:
    """Scalar convenience over :func:`parse_dates`."""
    import pandas as pd

    return parse_dates(pd.Series([value], dtype=object)).iloc[0]


def parse_month(value: object) -> dt.date | None:
    """Scalar convenience over :func:`parse_months`."""
    import pandas as pd

    return parse_months(pd.Series([value], dtype=object)).iloc[0]
