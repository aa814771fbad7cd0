"""What a NIK's digits say, as Python calls over the SQL rules (CONTRACT §3).

The rules themselves are the macros of ``include/sql/rules/macros/030_nik.sql``, run by the
row pass's in-process DuckDB; these functions evaluate the same macros on a pandas Series,
for tools and tests, so a NIK rule exists once. Every function answers for every row and
never raises on odd values: anything that is not exactly 16 ASCII digits gives False (or,
for masking, stars), and the result keeps the Series' index.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

HOME_PROVINCE = "16"  # Sumatera Selatan


def __getattr__(name: str) -> Any:
    """``PROVINCE_CODES``: Kemendagri's province codes, as the SQL rule lists them."""
    if name == "PROVINCE_CODES":
        from cakupan.checks.row_pass import row_pass

        return frozenset(row_pass().scalar("nik_provinces()"))
    raise AttributeError(name)


def nik_semantics_ok(nik: pd.Series) -> pd.Series:
    """True where a 16-digit NIK has a real province, day, month and a non-zero serial."""
    return _flags("nik_valid(nik_number(nik))", nik)


def flag_birth_date_mismatch(nik: pd.Series, birth_date: pd.Series) -> pd.Series:
    """NIK digits 7-12 (DDMMYY, women DD+40) disagree with ``birth_date``."""
    return _flags("flag_birth_date_mismatch(nik_number(nik), other)", nik, _dates(birth_date))


def flag_sex_mismatch(nik: pd.Series, sex: pd.Series) -> pd.Series:
    """The NIK's day says L (01-31) or P (41-71) and ``sex`` says the other."""
    return _flags("flag_sex_mismatch(nik_number(nik), other)", nik, _texts(sex))


def flag_outside_province(nik: pd.Series) -> pd.Series:
    """Issued outside Sumatera Selatan (digits 1-2 not 16); says nothing about the address."""
    return _flags("flag_outside_province(nik_number(nik))", nik)


def mask_nik(nik: pd.Series) -> pd.Series:
    """First 6 and last 4 characters kept, the rest ``*`` (same length); NA stays NA."""
    import pandas as pd

    values = _evaluate("mask_nik(nik)", nik)
    return pd.Series(values, index=nik.index, name=nik.name, dtype="string[pyarrow]")


# --------------------------------------------------------------------------- helpers


def _texts(series: pd.Series) -> pa.Array:
    import pyarrow as pa

    return pa.array([v if isinstance(v, str) else None for v in series.tolist()], pa.string())


def _dates(series: pd.Series) -> pa.Array:
    import pyarrow as pa

    def day(value: object) -> dt.date | None:
        if isinstance(value, dt.datetime):
            return value.date()
        return value if isinstance(value, dt.date) else None

    return pa.array([day(v) for v in series.tolist()], pa.date32())


def _evaluate(expression: str, nik: pd.Series, other: pa.Array | None = None) -> list[Any]:
    from cakupan.checks.row_pass import row_pass

    columns = {"nik": _texts(nik)}
    if other is not None:
        columns["other"] = other
    return row_pass().evaluate(expression, columns)


def _flags(expression: str, nik: pd.Series, other: pa.Array | None = None) -> pd.Series:
    import pandas as pd

    values = _evaluate(f"coalesce({expression}, false)", nik, other)
    return pd.Series(values, index=nik.index, name=nik.name, dtype=bool)
