"""Properties of cleaning, date parsing, header matching and CSV reading, checked by hypothesis.

Examples are bounded (``max_examples`` 200, no deadline) so the suite stays a few seconds.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import string
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from cakupan.sources.headers import column_keys, header_key, match_columns
from cakupan.sources.normalise import (
    MONTHS,
    clean_ids,
    clean_village,
    parse_dates,
    parse_months,
    parse_whole_numbers,
)
from cakupan.sources.readers import read_table
from cakupan.sources.specs import POVERTY_LISTS, SOURCES, SourceSpec

BOUNDED = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

FIRST, LAST = dt.date(1900, 1, 1), dt.date(2100, 12, 31)


def _text_series(values: list[object], excel: bool) -> pd.Series:
    """CSV cells arrive as Arrow strings, Excel text cells as Python objects."""
    if excel:
        return pd.Series(values, dtype=object)
    return pd.Series(values, dtype="string[pyarrow]")


def _one(series: pd.Series) -> object:
    value = series.iloc[0]
    return None if value is None or value is pd.NA else value


# --------------------------------------------------------------------------- NIK / KPJ

SEPARATORS = [
    " ", "  ", "\t", ".", "-", "\u00a0", "\u2007", "\u202f", "\u2009", "\u3000", "\u2010",
    "\u2011", "\u2012", "\u2013", "\u2014", "\u2015", "\u2212", "\u200b", "\ufeff", " - ",
]  # fmt: skip
APOSTROPHES = ["'", "\u2018", "\u2019", "`"]


@st.composite
def decorated_ids(draw: st.DrawFn) -> tuple[str, str]:
    """(digits, the digits as an operator may have typed or pasted them)."""
    digits = draw(st.text(alphabet=string.digits, min_size=1, max_size=20))
    parts = [draw(st.sampled_from(["", *APOSTROPHES]))]
    for digit in digits:
        parts.append(digit)
        parts.append(draw(st.sampled_from(["", "", "", *SEPARATORS])))
    padding = st.sampled_from(["", " ", "\u00a0", "\t"])
    return digits, draw(padding) + "".join(parts) + draw(padding)


@BOUNDED
@given(case=decorated_ids(), excel=st.booleans())
@example(case=("1612051203900001", "'1612 0512 0390 0001"), excel=False)
@example(case=("1612051203900001", "16.12.05.120390.0001"), excel=True)
@example(case=("1612051203900001", "’1612-0512-0390-0001 "), excel=False)
def test_decorated_ids_clean_back_to_their_digits(case: tuple[str, str], excel: bool) -> None:
    digits, typed = case
    cleaned, numeric = clean_ids(_text_series([typed], excel))
    assert _one(cleaned) == digits
    assert not bool(numeric.iloc[0])


@BOUNDED
@given(values=st.lists(st.text(max_size=30), min_size=1, max_size=5), excel=st.booleans())
@example(values=["'\u00a0'1"], excel=False)
@example(values=["-\u2028'1"], excel=False)
@example(values=["1\u2028-"], excel=True)
def test_id_cleaning_is_idempotent(values: list[str], excel: bool) -> None:
    once, _ = clean_ids(_text_series(values, excel))
    again = [None if value is pd.NA else value for value in once]
    twice, _ = clean_ids(_text_series(again, excel))
    assert once.tolist() == twice.tolist()


@BOUNDED
@given(case=decorated_ids())
def test_village_codes_lose_dots_and_spaces(case: tuple[str, str]) -> None:
    digits, _ = case
    dotted = ".".join(digits[i : i + 2] for i in range(0, len(digits), 2))
    assert _one(clean_village(_text_series([f" {dotted}\u00a0"], False))) == digits


@BOUNDED
@given(text=st.text(max_size=12))
@example(text="\u0663")  # Arabic-Indic three
@example(text="\uff13")  # full-width three
@example(text="99999999999")
def test_whole_numbers_never_raise(text: str) -> None:
    value = _one(parse_whole_numbers(_text_series([text], False)))
    if value is not None:
        assert text.strip().isascii()
        assert -(10**9) < value < 10**9


# --------------------------------------------------------------------------- dates

MONTH_NAMES = {
    number: [name for name, n in MONTHS.items() if n == number] for number in range(1, 13)
}


@st.composite
def rendered_dates(draw: st.DrawFn) -> tuple[dt.date, str]:
    """A date and one of the accepted ways of writing it (CONTRACT §2)."""
    day = draw(st.dates(min_value=FIRST, max_value=LAST))
    d, m, y = day.day, day.month, day.year
    dd, mm = f"{d:02d}", f"{m:02d}"
    name = draw(st.sampled_from(MONTH_NAMES[m]))
    name = draw(st.sampled_from([name, name.upper(), name.title()]))
    forms = [
        f"{y}-{mm}-{dd}",
        f"{y}-{m}-{d}",
        f"{dd}/{mm}/{y}",
        f"{d}/{m}/{y}",
        f"{dd}-{mm}-{y}",
        f"{d}-{m}-{y}",
        f"{d} {name} {y}",
        f"{dd} {name} {y}",
        f"{d}-{name}-{y}",
        f"{y}-{mm}-{dd} 00:00:00",
        f"{dd}/{mm}/{y} 08:30",
        f"{y}-{mm}-{dd}T00:00:00",
    ]
    text = draw(st.sampled_from(forms))
    pad = st.sampled_from(["", " ", "\u00a0", "\t"])
    return day, draw(pad) + text + draw(pad)


@BOUNDED
@given(case=rendered_dates(), excel=st.booleans())
def test_every_accepted_date_form_parses_back(case: tuple[dt.date, str], excel: bool) -> None:
    day, text = case
    assert _one(parse_dates(_text_series([text], excel))) == day


@BOUNDED
@given(day=st.dates(min_value=FIRST, max_value=LAST), with_time=st.booleans())
def test_excel_date_cells_parse_to_themselves(day: dt.date, with_time: bool) -> None:
    value = dt.datetime.combine(day, dt.time(13, 5)) if with_time else day
    assert _one(parse_dates(pd.Series([value], dtype=object))) == day
    assert _one(parse_months(pd.Series([value], dtype=object))) == day.replace(day=1)


@BOUNDED
@given(day=st.dates(min_value=FIRST, max_value=LAST))
def test_months_parse_to_their_first_day(day: dt.date) -> None:
    for text in (f"{day.year}-{day.month:02d}", f"{day.month}/{day.year}", day.isoformat()):
        assert _one(parse_months(_text_series([text], False))) == day.replace(day=1)


GARBAGE = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"\A[0-9]{1,6}[-/. ][0-9]{1,4}[-/. ][0-9]{1,6}\Z"),
    st.from_regex(r"\A[0-9]{1,3} [A-Za-z]{2,10}\.? [0-9]{1,6}\Z"),
    st.from_regex(r"\A[0-9]{1,6}[-/][0-9]{1,6}\Z"),
)
TYPED_GARBAGE = st.one_of(
    st.dates(),
    st.datetimes(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.booleans(),
    st.none(),
)


@BOUNDED
@given(values=st.lists(st.one_of(GARBAGE, TYPED_GARBAGE), min_size=1, max_size=8))
@example(values=["0001-01-01", "9999-12-31", "31/12/1899", "1 Januari 2101"])
@example(values=[dt.date(1, 1, 1), dt.datetime(9999, 12, 31, 23, 59)])
def test_garbage_never_raises_and_never_leaves_1900_2100(values: list[object]) -> None:
    series = pd.Series(values, dtype=object)
    for parse in (parse_dates, parse_months):
        for value in parse(series):
            assert value is None or (type(value) is dt.date and FIRST <= value <= LAST), (
                values,
                value,
            )


# --------------------------------------------------------------------------- headers

PUNCTUATION = [" ", "  ", "_", ".", "-", "/", ":", "(", ")", "\u00a0", "\t", "*", "#", "'"]


@st.composite
def header_variants(draw: st.DrawFn) -> tuple[SourceSpec, str, str]:
    """(spec, canonical column, a variant of one of its labels)."""
    spec = draw(st.sampled_from(list(SOURCES.values())))
    column = draw(st.sampled_from(spec.columns))
    label = draw(st.sampled_from([column.name, *column.aliases]))
    parts = [draw(st.sampled_from(["", *PUNCTUATION]))]
    for char in label:
        if char in " _/":
            parts.append(draw(st.sampled_from(PUNCTUATION)))
            continue
        parts.append(char.upper() if draw(st.booleans()) else char.lower())
        parts.append(draw(st.sampled_from(["", "", "", *PUNCTUATION])))
    return spec, column.name, "".join(parts) + draw(st.sampled_from(["", *PUNCTUATION]))


@BOUNDED
@given(case=header_variants())
@example(case=(SOURCES["village_submissions"], "birth_date", "Tgl. Lahir"))
@example(case=(SOURCES["village_submissions"], "sex", "L / P"))
@example(case=(SOURCES["village_submissions"], "village_code", "KODE_DESA"))
def test_any_case_spacing_punctuation_variant_matches(case: tuple[SourceSpec, str, str]) -> None:
    spec, name, variant = case
    assert match_columns(["No", variant], spec) == {name: 1}


NEAR_MISSES = [
    "Nama Desa", "Nama Ibu Kandung", "NIK Ibu", "NIK2", "Kode Kecamatan", "Kode", "Tanggal",
    "Tanggal Lahir Ibu", "No", "Nomor", "Keterangan", "Desa", "Nama Kepala Keluarga",
]  # fmt: skip


def _required_keys(spec: SourceSpec) -> set[str]:
    return {key for key, name in column_keys(spec).items() if name in spec.required}


@BOUNDED
@given(
    spec=st.sampled_from(list(SOURCES.values())),
    headers=st.lists(
        st.one_of(
            st.text(max_size=25),
            st.sampled_from(NEAR_MISSES),
            st.builds(
                lambda label, tail: label + tail,
                st.sampled_from(sorted({k for s in SOURCES.values() for k in column_keys(s)})),
                st.text(alphabet=string.ascii_letters + string.digits, min_size=1, max_size=4),
            ),
        ),
        max_size=8,
    ),
)
def test_other_headers_never_match_a_required_column(spec: SourceSpec, headers: list[str]) -> None:
    keys = _required_keys(spec)
    assume(all(header_key(h) not in keys for h in headers))
    assert not set(match_columns(headers, spec)) & set(spec.required)


# --------------------------------------------------------------------------- CSV records

CELL_ALPHABET = 'ab é;,"\n\r\t' + "0123"
LINE_ENDINGS = ["\n", "\r\n", "\r"]


@pytest.fixture(scope="module")
def csv_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("csv-properties")


@BOUNDED
@given(
    rows=st.lists(st.lists(st.text(alphabet=CELL_ALPHABET, max_size=6), min_size=4, max_size=6)),
    endings=st.lists(st.sampled_from(LINE_ENDINGS), min_size=1),
    delimiter=st.sampled_from([",", ";", "\t"]),
    bom=st.booleans(),
    final_newline=st.booleans(),
)
def test_csv_row_numbers_count_records(
    csv_folder: Path,
    rows: list[list[str]],
    endings: list[str],
    delimiter: str,
    bom: bool,
    final_newline: bool,
) -> None:
    """Any cells (quotes, delimiters, newlines inside), any line endings, ragged tails.

    Record k after the header is row k + 1; a record whose four columns are blank is not a
    data row; every other record's cells come back exactly as written.
    """
    header = ["NIK", "Nama", "Kode Desa", "Desil"]
    records = [header, *rows]
    text = ""
    for index, record in enumerate(records):
        line = io.StringIO()
        csv.writer(line, delimiter=delimiter, lineterminator="\r\n").writerow(record)
        text += line.getvalue().removesuffix("\r\n")
        if index < len(records) - 1 or final_newline:
            text += endings[index % len(endings)]
    path = csv_folder / "p.csv"
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())

    table = read_table(path, POVERTY_LISTS)

    expected = [
        (number, row[:4])
        for number, row in enumerate(rows, start=2)
        if any(cell.strip() for cell in row[:4])
    ]
    got_rows = table.frame["row_number"].tolist()
    assert got_rows == [n for n, _ in expected]
    columns = ["nik", "name", "village_code", "decile"]
    got = table.frame[columns].astype(object).where(table.frame[columns].notna(), "")
    assert got.values.tolist() == [cells for _, cells in expected]
