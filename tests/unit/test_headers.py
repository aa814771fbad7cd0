"""Header matching (CONTRACT §2): case-, space- and punctuation-insensitive, aliases included."""

from __future__ import annotations

import pytest

from cakupan.sources.headers import (
    best_header_row,
    find_header_row,
    header_key,
    match_columns,
)
from cakupan.sources.specs import (
    MEMBER_EXPORTS,
    POVERTY_LISTS,
    SOURCES,
    VILLAGE_SUBMISSIONS,
    SourceSpec,
)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        pytest.param("Tgl. Lahir", "tgllahir", id="dot-and-space"),
        pytest.param("L/P", "lp", id="slash"),
        pytest.param("kode_desa", "kodedesa", id="underscore"),
        pytest.param("NIK ", "nik", id="trailing-space"),
        pytest.param(" Kode-Desa ", "kodedesa", id="dash-and-spaces"),
        pytest.param("No.\u00a0KTP", "noktp", id="nbsp"),
        pytest.param("NAMA\nLENGKAP", "namalengkap", id="newline-in-cell"),
        pytest.param(None, "", id="none"),
        pytest.param(2025.0, "20250", id="number"),
    ],
)
def test_header_key(text: object, key: str) -> None:
    assert header_key(text) == key


def _variants(label: str) -> dict[str, str]:
    return {
        "as-is": label,
        "upper": label.upper(),
        "title": label.title(),
        "underscore": label.replace(" ", "_").upper(),
        "dash": label.replace(" ", "-"),
        "padded-dotted": f"  {label.title().replace(' ', '. ')}. ",
        "no-space": label.replace(" ", ""),
    }


LABEL_CASES = [
    pytest.param(
        spec.name,
        col.name,
        variant,
        id=f"{spec.name}-{col.name}-{label}-{how}",
    )
    for spec in SOURCES.values()
    for col in spec.columns
    for label in (col.name, *col.aliases)
    for how, variant in _variants(label).items()
]


@pytest.mark.parametrize(("source", "column", "header"), LABEL_CASES)
def test_every_name_and_alias_matches(source: str, column: str, header: str) -> None:
    spec = SOURCES[source]
    headers = ["No", "Keterangan", header, "Kolom Lain"]
    assert match_columns(headers, spec) == {column: 2}


@pytest.mark.parametrize(
    "header",
    [
        pytest.param("KODE DESA", id="upper"),
        pytest.param("Kode_Desa", id="underscore"),
        pytest.param("kode-desa", id="dash"),
        pytest.param(" Kode Desa ", id="padded"),
    ],
)
def test_village_code_spellings(header: str) -> None:
    assert match_columns([header], VILLAGE_SUBMISSIONS) == {"village_code": 0}


def test_tgl_lahir_with_dot_and_padding() -> None:
    assert match_columns([" Tgl. Lahir "], VILLAGE_SUBMISSIONS) == {"birth_date": 0}


def test_unknown_columns_are_ignored() -> None:
    headers = ["No", "NIK", "Catatan", "Nama", "RT/RW", None, "", 12.0]
    assert match_columns(headers, POVERTY_LISTS) == {"nik": 1, "name": 3}


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param(["NIK", "NIK"], {"nik": 0}, id="same-name-twice"),
        pytest.param(["No KTP", "NIK"], {"nik": 0}, id="alias-before-canonical"),
        pytest.param(["Nama", "nik", "nama lengkap"], {"name": 0, "nik": 1}, id="two-aliases"),
        pytest.param(["kode desa", "kode wilayah"], {"village_code": 0}, id="two-village-aliases"),
    ],
)
def test_first_duplicate_wins(headers: list[str], expected: dict[str, int]) -> None:
    assert match_columns(headers, VILLAGE_SUBMISSIONS) == expected


@pytest.mark.parametrize("spec", list(SOURCES.values()), ids=list(SOURCES))
def test_no_two_columns_share_a_key(spec: SourceSpec) -> None:
    owners: dict[str, str] = {}
    for col in spec.columns:
        for label in (col.name, *col.aliases):
            key = header_key(label)
            assert owners.setdefault(key, col.name) == col.name, key


SUBMISSION_HEADER = ["No", "Kode Desa", "NIK", "Nama Lengkap", "Tgl Lahir", "L/P"]


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        pytest.param([SUBMISSION_HEADER, ["1", "x"]], 0, id="header-first"),
        pytest.param(
            [["DAFTAR USULAN PEKERJA RENTAN"], ["Desa Talang Akar", None], SUBMISSION_HEADER],
            2,
            id="below-two-title-rows",
        ),
        pytest.param([[], [], [], SUBMISSION_HEADER], 3, id="below-empty-rows"),
        pytest.param([["x"]] * 14 + [SUBMISSION_HEADER], 14, id="on-row-15"),
        pytest.param([["x"]] * 15 + [SUBMISSION_HEADER], None, id="on-row-16-too-far"),
        pytest.param([["Kode Desa", "Nama", "Tgl Lahir"]], None, id="nik-missing"),
        pytest.param([["judul"], ["lain"]], None, id="no-header"),
        pytest.param([], None, id="no-rows"),
        pytest.param(
            [["Kode Desa", "Nama"], SUBMISSION_HEADER], 1, id="partial-row-above-full-one"
        ),
    ],
)
def test_find_header_row(rows: list[list[object]], expected: int | None) -> None:
    assert find_header_row(rows, VILLAGE_SUBMISSIONS) == expected


def test_best_header_row_reports_partial_match() -> None:
    rows = [["Judul"], ["No KPJ", "NIK", "Nama", "Segmen"]]
    index, matched = best_header_row(rows, MEMBER_EXPORTS) or (None, {})
    assert index == 1
    assert matched == {"kpj": 0, "nik": 1, "name": 2, "segment": 3}


def test_best_header_row_none_without_any_required_column() -> None:
    assert best_header_row([["Judul"], ["Alamat", "No HP"]], VILLAGE_SUBMISSIONS) is None
