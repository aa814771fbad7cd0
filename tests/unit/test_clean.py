"""Cleaning cells (CONTRACT §2): dates, months, ids, village codes, sex, numbers."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from cakupan.sources.normalise import (
    MONTHS,
    clean_ids,
    clean_sex,
    clean_text,
    clean_village,
    normalise,
    parse_date,
    parse_dates,
    parse_month,
    parse_whole_numbers,
)
from cakupan.sources.readers import RawTable
from cakupan.sources.specs import MEMBER_EXPORTS, POVERTY_LISTS, VILLAGE_SUBMISSIONS

D = dt.date


def _objects(values: list[object]) -> pd.Series:
    return pd.Series(values, dtype=object)


def _texts(values: list[str | None]) -> pd.Series:
    return pd.Series(values, dtype="string[pyarrow]")


def _list(series: pd.Series) -> list[object]:
    return [None if pd.isna(v) else v for v in series.tolist()]


# --------------------------------------------------------------------------- dates

INDONESIAN_MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]
INDONESIAN_ABBREVIATIONS = [
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "Mei",
    "Jun",
    "Jul",
    "Agu",
    "Sep",
    "Okt",
    "Nov",
    "Des",
]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("1990-03-12", D(1990, 3, 12), id="iso"),
        pytest.param("1990-3-2", D(1990, 3, 2), id="iso-single-digits"),
        pytest.param("1990-03-12 00:00:00", D(1990, 3, 12), id="iso-with-time"),
        pytest.param("1990-03-12T08:30", D(1990, 3, 12), id="iso-with-T-time"),
        pytest.param("12/03/1990", D(1990, 3, 12), id="slash-day-first"),
        pytest.param("2/3/1990", D(1990, 3, 2), id="slash-single-digits"),
        pytest.param("12/03/1990 00:00", D(1990, 3, 12), id="slash-with-time"),
        pytest.param("12-03-1990", D(1990, 3, 12), id="dash-day-first"),
        pytest.param("12 Maret 1990", D(1990, 3, 12), id="long-form"),
        pytest.param("12 Mar 1990", D(1990, 3, 12), id="abbreviated"),
        pytest.param("12 MARET 1990", D(1990, 3, 12), id="long-form-upper"),
        pytest.param("12 maret 1990", D(1990, 3, 12), id="long-form-lower"),
        pytest.param(" 12  Maret   1990 ", D(1990, 3, 12), id="long-form-extra-spaces"),
        pytest.param("12 Mar. 1990", D(1990, 3, 12), id="abbreviation-with-dot"),
        pytest.param("12-Mar-1990", D(1990, 3, 12), id="excel-dd-mmm-yyyy"),
        pytest.param("17 Agt 1990", D(1990, 8, 17), id="agt"),
        pytest.param("17 Ags 1990", D(1990, 8, 17), id="ags"),
        pytest.param("12 March 1990", D(1990, 3, 12), id="english-month"),
        pytest.param("29/02/2000", D(2000, 2, 29), id="leap-day"),
        pytest.param(D(1990, 3, 12), D(1990, 3, 12), id="excel-date-cell"),
        pytest.param(dt.datetime(1990, 3, 12, 0, 0), D(1990, 3, 12), id="excel-datetime-cell"),
        pytest.param(pd.Timestamp("1990-03-12"), D(1990, 3, 12), id="timestamp"),
        # impossible or unparseable
        pytest.param("31/02/1990", None, id="31-february"),
        pytest.param("1990-02-30", None, id="iso-30-february"),
        pytest.param("29/02/1900", None, id="not-a-leap-year"),
        pytest.param("31/04/1990", None, id="31-april"),
        pytest.param("00/03/1990", None, id="day-zero"),
        pytest.param("12/13/1990", None, id="month-13"),
        pytest.param("03/31/1990", None, id="month-first-refused"),
        pytest.param("12/03/90", None, id="two-digit-year"),
        pytest.param("12 Maretan 1990", None, id="unknown-month-name"),
        pytest.param("1990-03-12x", None, id="trailing-garbage"),
        pytest.param("kemarin", None, id="word"),
        pytest.param("", None, id="empty"),
        pytest.param(None, None, id="none"),
        pytest.param(32944.0, None, id="excel-serial-number-cell"),
        pytest.param(True, None, id="boolean-cell"),
    ],
)
def test_parse_date(value: object, expected: dt.date | None) -> None:
    assert parse_date(value) == expected


@pytest.mark.parametrize(
    ("name", "month"),
    [pytest.param(n, i, id=n) for i, n in enumerate(INDONESIAN_MONTHS, 1)]
    + [pytest.param(n, i, id=f"abbr-{n}") for i, n in enumerate(INDONESIAN_ABBREVIATIONS, 1)],
)
def test_every_indonesian_month(name: str, month: int) -> None:
    assert parse_date(f"5 {name} 2001") == D(2001, month, 5)
    assert parse_date(f"5 {name.upper()} 2001") == D(2001, month, 5)
    assert MONTHS[name.lower()] == month


def test_parse_dates_keeps_index_and_order() -> None:
    series = pd.Series(["12/03/1990", None, "1990-03-13", "14 Mar 1990"], index=[10, 11, 12, 13])
    result = parse_dates(series)
    assert list(result.index) == [10, 11, 12, 13]
    assert _list(result) == [D(1990, 3, 12), None, D(1990, 3, 13), D(1990, 3, 14)]


def test_parse_dates_mixed_excel_column() -> None:
    result = parse_dates(_objects([D(2000, 1, 2), "03/04/2001", 5.0, None, "  "]))
    assert _list(result) == [D(2000, 1, 2), D(2001, 4, 3), None, None, None]


# --------------------------------------------------------------------------- months


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("2025-03", D(2025, 3, 1), id="yyyy-mm"),
        pytest.param("2025-3", D(2025, 3, 1), id="yyyy-m"),
        pytest.param("2025/03", D(2025, 3, 1), id="yyyy/mm"),
        pytest.param("03/2025", D(2025, 3, 1), id="mm/yyyy"),
        pytest.param("03-2025", D(2025, 3, 1), id="mm-yyyy"),
        pytest.param("Maret 2025", D(2025, 3, 1), id="long-month"),
        pytest.param("Mar 2025", D(2025, 3, 1), id="short-month"),
        pytest.param("DESEMBER 2024", D(2024, 12, 1), id="upper-month"),
        pytest.param("2025-03-31", D(2025, 3, 1), id="iso-date"),
        pytest.param("15/03/2025", D(2025, 3, 1), id="slash-date"),
        pytest.param("15 Maret 2025", D(2025, 3, 1), id="long-date"),
        pytest.param(D(2025, 3, 15), D(2025, 3, 1), id="excel-date-cell"),
        pytest.param(dt.datetime(2025, 3, 15, 9), D(2025, 3, 1), id="excel-datetime-cell"),
        pytest.param("2025-13", None, id="month-13"),
        pytest.param("2025-00", None, id="month-0"),
        pytest.param("13/2025", None, id="mm-13"),
        pytest.param("31/02/2025", None, id="impossible-date"),
        pytest.param("202503", None, id="no-separator"),
        pytest.param("Maret", None, id="no-year"),
        pytest.param("", None, id="empty"),
        pytest.param(None, None, id="none"),
        pytest.param(202503.0, None, id="number-cell"),
    ],
)
def test_parse_month(value: object, expected: dt.date | None) -> None:
    assert parse_month(value) == expected


# --------------------------------------------------------------------------- ids


@pytest.mark.parametrize(
    ("value", "expected", "numeric"),
    [
        pytest.param("1612051203900001", "1612051203900001", False, id="clean"),
        pytest.param("1612 0512 0390 0001", "1612051203900001", False, id="spaces"),
        pytest.param("16.12.05.120390.0001", "1612051203900001", False, id="dots"),
        pytest.param("1612-0512-0390-0001", "1612051203900001", False, id="dashes"),
        pytest.param("'1612051203900001", "1612051203900001", False, id="leading-apostrophe"),
        pytest.param("\u20191612051203900001", "1612051203900001", False, id="curly-apostrophe"),
        pytest.param(" '1612.0512-0390 0001 ", "1612051203900001", False, id="everything"),
        pytest.param("1612\u00a00512\u20130390", "161205120390", False, id="nbsp-and-en-dash"),
        pytest.param("16x2051203900001", "16x2051203900001", False, id="letter-kept"),
        pytest.param("1612'0512", "1612'0512", False, id="inner-apostrophe-kept"),
        pytest.param("0012", "0012", False, id="leading-zeros-kept"),
        pytest.param("", None, False, id="empty"),
        pytest.param(" - ", None, False, id="separators-only"),
        pytest.param(None, None, False, id="none"),
        pytest.param(1.612051234560001e15, "1612051234560000", True, id="float-cell-15-digits"),
        pytest.param(1612051203900001, "1612051203900000", True, id="int-cell-15-digits"),
        pytest.param(12345678901.0, "12345678901", True, id="kpj-float-cell"),
        pytest.param(3.5, "3.5", True, id="fraction-keeps-point"),
        pytest.param("1.61205E+15", "1.61205E+15", True, id="csv-scientific"),
        pytest.param("1,61205E+15", "1,61205E+15", True, id="csv-scientific-comma"),
        pytest.param(" 1.61205e15", "1.61205e15", True, id="csv-scientific-lower"),
    ],
)
def test_clean_ids(value: object, expected: str | None, numeric: bool) -> None:
    cleaned, numeric_mask = clean_ids(_objects([value]))
    assert _list(cleaned) == [expected]
    assert numeric_mask.tolist() == [numeric]


def test_clean_ids_on_text_column_is_vectorised_and_keeps_index() -> None:
    cleaned, numeric = clean_ids(
        pd.Series(["1612 0001", None, "'0012"], index=[5, 6, 7], dtype="string[pyarrow]")
    )
    assert _list(cleaned) == ["16120001", None, "0012"]
    assert list(cleaned.index) == [5, 6, 7]
    assert numeric.tolist() == [False, False, False]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("1612052011", "1612052011", id="plain"),
        pytest.param("16.12.05.2011", "1612052011", id="dotted"),
        pytest.param(" 16.12.05.2011 ", "1612052011", id="padded"),
        pytest.param("16 12 05 2011", "1612052011", id="spaced"),
        pytest.param("'1612052011", "1612052011", id="apostrophe"),
        pytest.param(1612052011.0, "1612052011", id="numeric-cell"),
        pytest.param(1612052011, "1612052011", id="int-cell"),
        pytest.param("16-12-05-2011", "16-12-05-2011", id="dashes-kept"),
        pytest.param("", None, id="empty"),
        pytest.param(None, None, id="none"),
    ],
)
def test_clean_village(value: object, expected: str | None) -> None:
    assert _list(clean_village(_objects([value]))) == [expected]


# --------------------------------------------------------------------------- sex, text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("L", "L", id="L"),
        pytest.param("l", "L", id="l"),
        pytest.param("P", "P", id="P"),
        pytest.param(" p ", "P", id="p-padded"),
        pytest.param("Laki-laki", "L", id="laki-laki"),
        pytest.param("LAKI LAKI", "L", id="laki-space-laki"),
        pytest.param("Laki - Laki", "L", id="laki-dash-spaced"),
        pytest.param("Perempuan", "P", id="perempuan"),
        pytest.param("PEREMPUAN", "P", id="perempuan-upper"),
        pytest.param("LK", "L", id="LK"),
        pytest.param("Pr", "P", id="PR"),
        pytest.param("Pria", "L", id="pria"),
        pytest.param("Wanita", "P", id="wanita"),
        pytest.param("X", None, id="unknown-letter"),
        pytest.param("1", None, id="digit"),
        pytest.param("", None, id="empty"),
        pytest.param(None, None, id="none"),
        pytest.param(1.0, None, id="numeric-cell"),
    ],
)
def test_clean_sex(value: object, expected: str | None) -> None:
    assert _list(clean_sex(_objects([value]))) == [expected]


@pytest.mark.parametrize(
    ("value", "upper", "expected"),
    [
        pytest.param("  Budi Santoso ", False, "Budi Santoso", id="stripped"),
        pytest.param("   ", False, None, id="blank"),
        pytest.param("aktif", True, "AKTIF", id="enum-upper"),
        pytest.param(" bpu ", True, "BPU", id="enum-padded"),
        pytest.param(8123456789.0, False, "8123456789", id="numeric-cell"),
        pytest.param(D(2025, 1, 2), False, "2025-01-02", id="date-cell"),
        pytest.param(True, True, "TRUE", id="boolean-cell"),
    ],
)
def test_clean_text(value: object, upper: bool, expected: str | None) -> None:
    assert _list(clean_text(_objects([value]), upper=upper)) == [expected]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("3", 3, id="text"),
        pytest.param(" 03 ", 3, id="padded-leading-zero"),
        pytest.param("3.0", 3, id="text-point-zero"),
        pytest.param(3.0, 3, id="numeric-cell"),
        pytest.param(10, 10, id="int-cell"),
        pytest.param("-1", -1, id="negative"),
        pytest.param("3.5", None, id="fraction"),
        pytest.param(3.5, None, id="fraction-cell"),
        pytest.param("tiga", None, id="word"),
        pytest.param("", None, id="empty"),
        pytest.param(None, None, id="none"),
        pytest.param("12345678901234", None, id="too-long"),
    ],
)
def test_parse_whole_numbers(value: object, expected: int | None) -> None:
    result = parse_whole_numbers(_objects([value]))
    assert str(result.dtype) == "Int64"
    assert _list(result) == [expected]


# --------------------------------------------------------------------------- normalise

RECEIVED = D(2025, 6, 1)


def _raw(columns: dict[str, list[object]], text: bool = False) -> RawTable:
    n = len(next(iter(columns.values())))
    frame = pd.DataFrame(
        {name: (_texts(values) if text else _objects(values)) for name, values in columns.items()}
    )
    frame["row_number"] = range(2, 2 + n)
    return RawTable(frame=frame, header_row=1, columns_found=tuple(columns))


def test_normalise_submission_from_excel_cells() -> None:
    raw = _raw(
        {
            "village_code": ["16.12.05.2011", 1612052011.0],
            "nik": [1.612051234560001e15, "'1612-0512-0390-0001"],
            "name": [" Budi ", "Siti"],
            "birth_date": [D(1990, 3, 12), "12 Maret 1990"],
            "sex": ["Laki-laki", "pr"],
            "submitted_on": [None, "31/02/2025"],
        }
    )
    out = normalise(raw, VILLAGE_SUBMISSIONS, RECEIVED)
    assert list(out["row_number"]) == [2, 3]
    assert _list(out["village_code"]) == ["1612052011", "1612052011"]
    assert _list(out["nik"]) == ["1612051234560000", "1612051203900001"]
    assert out["nik__numeric_cell"].tolist() == [True, False]
    assert _list(out["name"]) == ["Budi", "Siti"]
    assert _list(out["birth_date"]) == ["1990-03-12", "12 Maret 1990"]
    assert _list(out["birth_date__date"]) == [D(1990, 3, 12), D(1990, 3, 12)]
    assert _list(out["sex"]) == ["L", "P"]
    # absent in the file -> empty
    assert _list(out["occupation"]) == [None, None]
    assert _list(out["phone"]) == [None, None]
    # empty -> received date; present but impossible -> None (invalid_date later)
    assert _list(out["submitted_on"]) == [None, "31/02/2025"]
    assert _list(out["submitted_on__date"]) == [RECEIVED, None]


def test_normalise_fills_received_date_when_column_absent() -> None:
    raw = _raw({"kpj": ["123"], "nik": ["1"], "name": ["a"], "segment": ["bpu"]}, text=True)
    out = normalise(raw, MEMBER_EXPORTS, RECEIVED)
    assert _list(out["exported_on"]) == [None]
    assert _list(out["exported_on__date"]) == [RECEIVED]
    assert _list(out["segment"]) == ["BPU"]
    assert _list(out["paid_through__date"]) == [None]


def test_normalise_has_every_column_of_every_kind() -> None:
    raw = _raw(
        {
            "nik": ["1612051203900001", "1.61205E+15"],
            "family_number": ["1612 0500 0000 0001", None],
            "name": ["A", "B"],
            "birth_date": ["", "1990-03-12"],
            "village_code": ["16.12.05.2011", None],
            "decile": ["3", "3.5"],
        },
        text=True,
    )
    out = normalise(raw, POVERTY_LISTS, RECEIVED)
    assert list(out.columns) == [
        "row_number",
        "nik",
        "nik__numeric_cell",
        "family_number",
        "name",
        "birth_date",
        "birth_date__date",
        "village_code",
        "decile",
        "decile__num",
    ]
    assert out["nik__numeric_cell"].tolist() == [False, True]
    assert _list(out["family_number"]) == ["1612050000000001", None]
    assert _list(out["birth_date"]) == [None, "1990-03-12"]
    assert _list(out["birth_date__date"]) == [None, D(1990, 3, 12)]
    assert _list(out["decile__num"]) == [3, None]
    assert out["nik__numeric_cell"].dtype == bool


def test_normalise_empty_table() -> None:
    frame = pd.DataFrame({"row_number": pd.Series([], dtype="int64")})
    out = normalise(RawTable(frame, 1, ()), MEMBER_EXPORTS, RECEIVED)
    assert len(out) == 0
    assert "paid_through__date" in out.columns
