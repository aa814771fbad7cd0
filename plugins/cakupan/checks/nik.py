"""What a NIK's digits say, checked column-wise (CONTRACT §3: invalid_nik and the NIK flags).

A NIK is PPRRDD DDMMYY SSSS: province, regency, district, then the birth date (women have 40
added to the day), then a serial. Every function takes a Series of *cleaned* NIK text (see
``cakupan.sources.normalise``) and answers for every row, never raising on odd values:
anything that is not exactly 16 ASCII digits gives False (or, for masking, stars), so the
result can be combined with other masks without NA handling.

Vectorised: the well-formed NIKs are viewed as a (rows x 16) matrix of digits straight from
the Arrow string buffer, so a million rows take a fraction of a second. A caller asking
several questions of one column parses it once (:class:`NikDigits`) and passes that.

Choices:

* Birth date: the NIK's own date is decoded (a day above 40 minus 40) and compared with
  ``birth_date``, whatever sex the row declares. So a row whose only mistake is the sex
  column carries ``nik_sex_mismatch`` alone, not a second, false birth-date flag; with sex
  unknown this is exactly "day or day + 40". ``by_declared_sex=True`` instead applies the
  declared sex's rule when it is known (L: day, P: day + 40). The year is compared on its
  last two digits, as the NIK holds no more.
* Sex: day 01-31 means L, 41-71 means P; any other day (an invalid NIK) is not flagged.
* Outside province, birth-date and sex flags: False for a malformed NIK (it is rejected
  as invalid_nik before any flag matters) and when the compared value is missing.
* Masking keeps the first 6 and last 4 characters only when at least one is hidden
  (11 characters or more); shorter values are all stars, so nothing personal leaks from a
  truncated number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

HOME_PROVINCE = "16"  # Sumatera Selatan
PROVINCE_CODES = frozenset(
    (*range(11, 20), 21, *range(31, 37), *range(51, 54), *range(61, 66), *range(71, 77)),
) | frozenset((81, 82, *range(91, 97)))


@dataclass(frozen=True)
class NikDigits:
    """A NIK column parsed once: which rows are exactly 16 ASCII digits, and their digits.

    Every function below takes this or the Series itself; the rules parse a column once
    and ask it all their questions.
    """

    valid: np.ndarray  # per row: exactly 16 ASCII digits
    digits: np.ndarray  # (valid rows x 16) uint8
    index: pd.Index
    name: Any

    @classmethod
    def of(cls, nik: pd.Series | NikDigits) -> NikDigits:
        if isinstance(nik, NikDigits):
            return nik
        valid, digits = _digits(nik)
        return cls(valid, digits, nik.index, nik.name)


def nik_semantics_ok(nik: pd.Series | NikDigits) -> pd.Series:
    """True where a 16-digit NIK has a real province, day, month and a non-zero serial."""
    import numpy as np

    nik = NikDigits.of(nik)
    d = nik.digits
    province = _number(d, 0, 2)
    day = _number(d, 6, 8)
    month = _number(d, 8, 10)
    ok = (
        np.isin(province, list(PROVINCE_CODES))
        & (((day >= 1) & (day <= 31)) | ((day >= 41) & (day <= 71)))
        & (month >= 1)
        & (month <= 12)
        & (_number(d, 12, 16) != 0)
    )
    return _result(nik, ok)


def flag_birth_date_mismatch(nik: pd.Series | NikDigits, birth_date: pd.Series) -> pd.Series:
    """NIK digits 7-12 (DDMMYY, women DD+40) disagree with ``birth_date``.

    The NIK's own date is decoded (a day above 40 is a woman's, less 40); the declared sex
    is not used, so a row whose only mistake is the sex column gets the sex flag alone.
    """
    nik = NikDigits.of(nik)
    valid, d = nik.valid, nik.digits
    has_date, year, month, day = _date_parts(birth_date)
    has_date, year, month, day = has_date[valid], year[valid], month[valid], day[valid]

    nik_day = _number(d, 6, 8)
    day_ok = (nik_day == day) | (nik_day == day + 40)
    same = day_ok & (_number(d, 8, 10) == month) & (_number(d, 10, 12) == year % 100)
    return _result(nik, has_date & ~same)


def flag_sex_mismatch(nik: pd.Series | NikDigits, sex: pd.Series) -> pd.Series:
    """The NIK's day says L (01-31) or P (41-71) and ``sex`` says the other."""
    nik = NikDigits.of(nik)
    valid, d = nik.valid, nik.digits
    is_l, is_p = _sex_masks(sex)
    day = _number(d, 6, 8)
    female = (day >= 41) & (day <= 71)
    male = (day >= 1) & (day <= 31)
    return _result(nik, (is_l[valid] & female) | (is_p[valid] & male))


def flag_outside_province(nik: pd.Series | NikDigits) -> pd.Series:
    """Issued outside Sumatera Selatan (digits 1-2 not 16); says nothing about the address."""
    nik = NikDigits.of(nik)
    return _result(nik, _number(nik.digits, 0, 2) != int(HOME_PROVINCE))


def mask_nik(nik: pd.Series) -> pd.Series:
    """First 6 and last 4 characters kept, the rest ``*`` (same length); NA stays NA."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    text = _arrow_text(nik)
    length = pc.utf8_length(text)
    star = pa.scalar("*", pa.large_string())
    hidden = pc.max_element_wise(pc.subtract(length, 10), 0)
    long_form = pc.binary_join_element_wise(
        pc.utf8_slice_codeunits(text, 0, 6),
        pc.binary_repeat(star, hidden),
        pc.utf8_slice_codeunits(text, -4),
        pa.scalar("", pa.large_string()),
    )
    all_stars = pc.binary_repeat(star, length)
    masked = pc.if_else(pc.greater_equal(length, 11), long_form, all_stars)
    return pd.Series(pd.arrays.ArrowStringArray(masked), index=nik.index, name=nik.name)


# --------------------------------------------------------------------------- helpers


def _arrow_text(series: pd.Series) -> pa.Array:
    import pandas as pd
    import pyarrow as pa

    if not isinstance(series.dtype, pd.StringDtype) or series.dtype.storage != "pyarrow":
        series = series.astype("string[pyarrow]")
    array = pa.array(series.array)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    return array.cast(pa.large_string())


def _digits(nik: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Rows that are exactly 16 ASCII digits, and their digits as a (valid rows x 16) matrix."""
    import numpy as np
    import pyarrow.compute as pc

    text = _arrow_text(nik)
    # Exactly 16 bytes, all ASCII digits: "^[0-9]{16}$" without a regex engine.
    valid = pc.and_(pc.equal(pc.binary_length(text), 16), pc.ascii_is_decimal(text))
    valid = valid.fill_null(False)
    valid_np = valid.to_numpy(zero_copy_only=False)
    good = text.filter(valid)
    if len(good) == 0:
        return valid_np, np.zeros((0, 16), dtype=np.uint8)
    offsets = np.frombuffer(good.buffers()[1], dtype=np.int64)
    start = int(offsets[good.offset])
    data = np.frombuffer(good.buffers()[2], dtype=np.uint8)
    # uint8 keeps the matrix at 16 bytes a row (64 MB for 4 million NIKs).
    matrix = data[start : start + 16 * len(good)].reshape(-1, 16) - np.uint8(ord("0"))
    return valid_np, matrix


def _number(d: np.ndarray, start: int, stop: int) -> np.ndarray:
    """Digits ``start:stop`` (0-based) of each row as one integer."""
    import numpy as np

    weights = 10 ** np.arange(stop - start - 1, -1, -1, dtype=np.int64)
    return d[:, start:stop].astype(np.int64) @ weights


def _sex_masks(sex: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    import pyarrow.compute as pc

    text = pc.utf8_upper(pc.utf8_trim_whitespace(_arrow_text(sex)))
    is_l = pc.equal(text, "L").fill_null(False).to_numpy(zero_copy_only=False)
    is_p = pc.equal(text, "P").fill_null(False).to_numpy(zero_copy_only=False)
    return is_l, is_p


def _date_parts(dates: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(present, year, month, day) from dates, datetimes or None/NaT (0 where missing)."""
    import numpy as np
    import pandas as pd

    stamps = pd.to_datetime(dates, errors="coerce")
    present = stamps.notna().to_numpy()

    def part(values: Any) -> np.ndarray:
        return values.fillna(0).to_numpy(dtype=np.int64)

    return present, part(stamps.dt.year), part(stamps.dt.month), part(stamps.dt.day)


def _result(nik: NikDigits, values_for_valid: np.ndarray) -> pd.Series:
    """Spread the answers for the well-formed rows back over all rows (False elsewhere)."""
    import numpy as np
    import pandas as pd

    out = np.zeros(len(nik.valid), dtype=bool)
    out[nik.valid] = values_for_valid
    return pd.Series(out, index=nik.index, name=nik.name)
