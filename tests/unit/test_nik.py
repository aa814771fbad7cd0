"""NIK rules (CONTRACT §3): invalid_nik sub-rules, the three flags, masking."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cakupan.checks.nik import (
    PROVINCE_CODES,
    flag_birth_date_mismatch,
    flag_outside_province,
    flag_sex_mismatch,
    mask_nik,
    nik_semantics_ok,
)

D = dt.date


def make_nik(
    province: str = "16",
    regency: str = "12",
    district: str = "05",
    day: str = "12",
    month: str = "03",
    year: str = "90",
    serial: str = "0001",
) -> str:
    return f"{province}{regency}{district}{day}{month}{year}{serial}"


# --------------------------------------------------------------------------- invalid_nik


@pytest.mark.parametrize(
    ("nik", "ok"),
    [
        pytest.param(make_nik(), True, id="valid"),
        # province boundaries
        pytest.param(make_nik(province="10"), False, id="province-10"),
        pytest.param(make_nik(province="11"), True, id="province-11"),
        pytest.param(make_nik(province="19"), True, id="province-19"),
        pytest.param(make_nik(province="20"), False, id="province-20"),
        pytest.param(make_nik(province="21"), True, id="province-21"),
        pytest.param(make_nik(province="22"), False, id="province-22"),
        pytest.param(make_nik(province="30"), False, id="province-30"),
        pytest.param(make_nik(province="31"), True, id="province-31"),
        pytest.param(make_nik(province="36"), True, id="province-36"),
        pytest.param(make_nik(province="37"), False, id="province-37"),
        pytest.param(make_nik(province="50"), False, id="province-50"),
        pytest.param(make_nik(province="53"), True, id="province-53"),
        pytest.param(make_nik(province="54"), False, id="province-54"),
        pytest.param(make_nik(province="61"), True, id="province-61"),
        pytest.param(make_nik(province="66"), False, id="province-66"),
        pytest.param(make_nik(province="76"), True, id="province-76"),
        pytest.param(make_nik(province="77"), False, id="province-77"),
        pytest.param(make_nik(province="80"), False, id="province-80"),
        pytest.param(make_nik(province="82"), True, id="province-82"),
        pytest.param(make_nik(province="83"), False, id="province-83"),
        pytest.param(make_nik(province="90"), False, id="province-90"),
        pytest.param(make_nik(province="91"), True, id="province-91"),
        pytest.param(make_nik(province="96"), True, id="province-96"),
        pytest.param(make_nik(province="97"), False, id="province-97"),
        pytest.param(make_nik(province="00"), False, id="province-00"),
        # day boundaries (men 01-31, women 41-71)
        pytest.param(make_nik(day="00"), False, id="day-00"),
        pytest.param(make_nik(day="01"), True, id="day-01"),
        pytest.param(make_nik(day="31"), True, id="day-31"),
        pytest.param(make_nik(day="32"), False, id="day-32"),
        pytest.param(make_nik(day="40"), False, id="day-40"),
        pytest.param(make_nik(day="41"), True, id="day-41"),
        pytest.param(make_nik(day="71"), True, id="day-71"),
        pytest.param(make_nik(day="72"), False, id="day-72"),
        # month
        pytest.param(make_nik(month="00"), False, id="month-00"),
        pytest.param(make_nik(month="01"), True, id="month-01"),
        pytest.param(make_nik(month="12"), True, id="month-12"),
        pytest.param(make_nik(month="13"), False, id="month-13"),
        # serial
        pytest.param(make_nik(serial="0000"), False, id="serial-0000"),
        pytest.param(make_nik(serial="0001"), True, id="serial-0001"),
        pytest.param(make_nik(serial="9999"), True, id="serial-9999"),
        # not 16 digits: False, never an error
        pytest.param(make_nik()[:15], False, id="15-digits"),
        pytest.param(make_nik() + "1", False, id="17-digits"),
        pytest.param("16x2051203900001", False, id="letter"),
        pytest.param("", False, id="empty"),
        pytest.param(None, False, id="none"),
        pytest.param("١٦١٢٠٥١٢٠٣٩٠٠٠٠١", False, id="arabic-indic-digits"),
    ],
)
def test_nik_semantics_ok(nik: str | None, ok: bool) -> None:
    assert nik_semantics_ok(pd.Series([nik], dtype=object)).tolist() == [ok]


def test_province_list_is_the_contract_list() -> None:
    expected = {*range(11, 20), 21, *range(31, 37), *range(51, 54), *range(61, 66)}
    expected |= {*range(71, 77), 81, 82, *range(91, 97)}
    assert set(PROVINCE_CODES) == expected


def test_semantics_on_a_mixed_column_keeps_index() -> None:
    series = pd.Series(
        [make_nik(), None, "123", make_nik(month="13")],
        index=[7, 8, 9, 10],
        dtype="string[pyarrow]",
    )
    result = nik_semantics_ok(series)
    assert list(result.index) == [7, 8, 9, 10]
    assert result.dtype == bool
    assert result.tolist() == [True, False, False, False]


# --------------------------------------------------------------------------- flags


# The NIK's own date is decoded (day > 40: a woman, day - 40); the declared sex is ignored.
@pytest.mark.parametrize(
    ("nik", "birth_date", "sex", "flag"),
    [
        pytest.param(make_nik(), D(1990, 3, 12), "L", False, id="man-matches"),
        pytest.param(make_nik(day="52"), D(1990, 3, 12), "P", False, id="woman-plus-40"),
        pytest.param(make_nik(), D(1990, 3, 12), "P", False, id="declared-P-nik-says-L"),
        pytest.param(make_nik(day="52"), D(1990, 3, 12), "L", False, id="declared-L-nik-P"),
        pytest.param(make_nik(), D(1990, 3, 12), None, False, id="sex-unknown-day"),
        pytest.param(make_nik(day="52"), D(1990, 3, 12), None, False, id="sex-unknown-day+40"),
        pytest.param(make_nik(day="13"), D(1990, 3, 12), None, True, id="day-differs"),
        pytest.param(make_nik(day="53"), D(1990, 3, 12), "P", True, id="woman-day-differs"),
        pytest.param(make_nik(day="41"), D(1990, 3, 1), "P", False, id="woman-day-01"),
        pytest.param(make_nik(day="71"), D(1990, 3, 31), "P", False, id="woman-day-31"),
        pytest.param(make_nik(month="04"), D(1990, 3, 12), "L", True, id="month-differs"),
        pytest.param(make_nik(year="91"), D(1990, 3, 12), "L", True, id="year-differs"),
        pytest.param(make_nik(year="05"), D(2005, 3, 12), "L", False, id="year-2005"),
        pytest.param(make_nik(), D(1890, 3, 12), "L", False, id="two-digit-year-only"),
        pytest.param(make_nik(), None, "L", False, id="no-birth-date"),
        pytest.param("123", D(1990, 3, 12), "L", False, id="malformed-nik"),
        pytest.param(None, D(1990, 3, 12), "L", False, id="no-nik"),
        pytest.param(
            make_nik(), dt.datetime(1990, 3, 12, 10), "L", False, id="datetime-birth-date"
        ),
    ],
)
def test_flag_birth_date_mismatch(
    nik: str | None,
    birth_date: dt.date | None,
    sex: str | None,
    flag: bool,
) -> None:
    niks = pd.Series([nik], dtype=object)
    births = pd.Series([birth_date], dtype=object)
    sexes = pd.Series([sex], dtype=object)
    del sexes  # the declared sex never changes this flag
    assert flag_birth_date_mismatch(niks, births).tolist() == [flag]


@pytest.mark.parametrize(
    ("nik", "sex", "flag"),
    [
        pytest.param(make_nik(day="12"), "L", False, id="man-L"),
        pytest.param(make_nik(day="12"), "P", True, id="man-day-says-L-given-P"),
        pytest.param(make_nik(day="52"), "P", False, id="woman-P"),
        pytest.param(make_nik(day="52"), "L", True, id="woman-day-says-P-given-L"),
        pytest.param(make_nik(day="31"), "P", True, id="day-31-is-L"),
        pytest.param(make_nik(day="41"), "L", True, id="day-41-is-P"),
        pytest.param(make_nik(day="71"), "L", True, id="day-71-is-P"),
        pytest.param(make_nik(day="35"), "L", False, id="day-35-neither"),
        pytest.param(make_nik(day="52"), None, False, id="sex-missing"),
        pytest.param("123", "P", False, id="malformed-nik"),
    ],
)
def test_flag_sex_mismatch(nik: str, sex: str | None, flag: bool) -> None:
    result = flag_sex_mismatch(pd.Series([nik], dtype=object), pd.Series([sex], dtype=object))
    assert result.tolist() == [flag]


@pytest.mark.parametrize(
    ("nik", "flag"),
    [
        pytest.param(make_nik(province="16"), False, id="sumsel"),
        pytest.param(make_nik(province="15"), True, id="jambi"),
        pytest.param(make_nik(province="31"), True, id="jakarta"),
        pytest.param(make_nik(province="17"), True, id="bengkulu"),
        pytest.param("16", False, id="malformed"),
        pytest.param(None, False, id="missing"),
    ],
)
def test_flag_outside_province(nik: str | None, flag: bool) -> None:
    assert flag_outside_province(pd.Series([nik], dtype=object)).tolist() == [flag]


def test_flags_vectorised_over_a_column() -> None:
    niks = pd.Series([make_nik(), make_nik(day="52"), make_nik(province="31"), None])
    births = pd.Series([D(1990, 3, 12), D(1990, 3, 12), D(1991, 3, 12), D(1990, 1, 1)])
    sexes = pd.Series(["L", "L", None, "P"])
    assert flag_birth_date_mismatch(niks, births).tolist() == [False, False, True, False]
    assert flag_sex_mismatch(niks, sexes).tolist() == [False, True, False, False]
    assert flag_outside_province(niks).tolist() == [False, False, True, False]


# --------------------------------------------------------------------------- masking


@pytest.mark.parametrize(
    ("nik", "masked"),
    [
        pytest.param("1612051203900001", "161205******0001", id="16-digits"),
        pytest.param("161205120390001", "161205*****0001", id="15-digits"),
        pytest.param("16120512039000012", "161205*******0012", id="17-digits"),
        pytest.param("12345678901", "123456*8901", id="11-chars-one-hidden"),
        pytest.param("1234567890", "**********", id="10-chars-all-hidden"),
        pytest.param("123", "***", id="short"),
        pytest.param("", "", id="empty"),
        pytest.param(None, None, id="missing"),
        pytest.param("16x2051203900001", "16x205******0001", id="letters"),
    ],
)
def test_mask_nik(nik: str | None, masked: str | None) -> None:
    result = mask_nik(pd.Series([nik], dtype=object))
    value = result.iloc[0]
    assert (None if pd.isna(value) else value) == masked


def test_mask_keeps_index_and_never_shows_the_middle() -> None:
    niks = pd.Series([make_nik(), make_nik(serial="9999")], index=["a", "b"])
    masked = mask_nik(niks)
    assert list(masked.index) == ["a", "b"]
    assert all(m[6:12] == "******" for m in masked)
    assert all(len(m) == 16 for m in masked)
