"""Every rejection reason and flag of CONTRACT §3, through the whole read-and-judge path.

Each case is one data row in a small file made by code; the file goes through the real
reader, normaliser, GX suite and Python rules (``cakupan.ingest.examine``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from cakupan.landing import LandingFile
from cakupan.settings import load_settings
from tests.ingested import ingest

RECEIVED = dt.date(2025, 6, 2)
GOOD_NIK = "1612051203900001"  # man, born 12-03-1990, issued in 161205
WOMAN_NIK = "1612055203900002"  # woman (day 12 + 40)
VILLAGE = "1612052011"

SUB_HEADER = ["kode_desa", "nik", "nama", "tanggal lahir", "jk", "tanggal usulan"]
SUB_ROW = {
    "kode_desa": VILLAGE,
    "nik": GOOD_NIK,
    "nama": "Agus Salim",
    "tanggal lahir": "12-03-1990",
    "jk": "L",
    "tanggal usulan": "2025-05-20",
}
POV_HEADER = ["no ktp", "no kk", "nama", "tanggal lahir", "kode desa", "desil"]
POV_ROW = {
    "no ktp": GOOD_NIK,
    "no kk": "1612050101010001",
    "nama": "Agus Salim",
    "tanggal lahir": "1990-03-12",
    "kode desa": VILLAGE,
    "desil": "3",
}
MEM_HEADER = [
    "no kpj",
    "nik",
    "nama",
    "segmen",
    "status kepesertaan",
    "bulan iuran terakhir",
    "tmt",
    "kode desa",
]
MEM_ROW = {
    "no kpj": "12345678901",
    "nik": GOOD_NIK,
    "nama": "Agus Salim",
    "segmen": "BPU",
    "status kepesertaan": "AKTIF",
    "bulan iuran terakhir": "2025-06",
    "tmt": "2025-01-15",
    "kode desa": "",
}

SOURCES = {
    "village_submissions": (SUB_HEADER, SUB_ROW),
    "poverty_lists": (POV_HEADER, POV_ROW),
    "member_exports": (MEM_HEADER, MEM_ROW),
}


def _write_csv(path: Path, header: list[str], rows: list[dict]) -> None:
    lines = [";".join(header)] + [";".join(str(r.get(h, "")) for h in header) for r in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _judge(tmp_path: Path, source: str, rows: list[dict], name: str = "f.csv"):
    header, _ = SOURCES[source]
    path = tmp_path / name
    if name.endswith(".xlsx"):
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append(header)
        for r in rows:
            ws.append([r.get(h) for h in header])
        wb.save(path)
    else:
        _write_csv(path, header, rows)
    [item] = ingest(
        [LandingFile(source, name, "0" * 64, path)], RECEIVED, load_settings(), tmp_path / "wh"
    )
    assert item.result.status == "loaded", item.result.error
    loaded, rejected = item.tables
    return item.result, loaded.to_pylist(), rejected.to_pylist()


def _row(source: str, **changes) -> dict:
    return {**SOURCES[source][1], **changes}


REASON_CASES = [
    # (source, changes, expected reason)
    ("village_submissions", {"nama": ""}, "missing_required"),
    ("village_submissions", {"nik": ""}, "missing_required"),
    ("village_submissions", {"tanggal lahir": ""}, "missing_required"),
    ("village_submissions", {"kode_desa": ""}, "missing_required"),
    ("village_submissions", {"nama": "", "nik": "123"}, "missing_required"),
    ("village_submissions", {"nik": "1.61205E+15"}, "nik_numeric_cell"),
    ("village_submissions", {"nik": "161205120390001"}, "invalid_nik"),  # 15 digits
    ("village_submissions", {"nik": "16120512039000A1"}, "invalid_nik"),
    ("village_submissions", {"nik": "1012051203900001"}, "invalid_nik"),  # province 10
    ("village_submissions", {"nik": "9712051203900001"}, "invalid_nik"),  # province 97
    ("village_submissions", {"nik": "1612053203900001"}, "invalid_nik"),  # day 32
    ("village_submissions", {"nik": "1612057203900001"}, "invalid_nik"),  # day 72
    ("village_submissions", {"nik": "1612051213900001"}, "invalid_nik"),  # month 13
    ("village_submissions", {"nik": "1612051203900000"}, "invalid_nik"),  # serial 0000
    ("village_submissions", {"nik": "1012051203900001", "kode_desa": "1612059999"}, "invalid_nik"),
    ("village_submissions", {"kode_desa": "1612059999"}, "unknown_village"),
    (
        "village_submissions",
        {"kode_desa": "16.12.05.9999", "tanggal lahir": "x"},
        "unknown_village",
    ),
    ("village_submissions", {"tanggal lahir": "31/02/1990"}, "invalid_date"),
    ("village_submissions", {"tanggal lahir": "kemarin"}, "invalid_date"),
    ("village_submissions", {"tanggal lahir": "2025-06-03"}, "invalid_date"),  # after received
    ("village_submissions", {"tanggal usulan": "2025-06-03"}, "invalid_date"),
    ("village_submissions", {"tanggal usulan": "besok"}, "invalid_date"),
    ("poverty_lists", {"desil": "11"}, "invalid_value"),
    ("poverty_lists", {"desil": "0"}, "invalid_value"),
    ("poverty_lists", {"desil": "x"}, "invalid_value"),
    ("poverty_lists", {"no ktp": ""}, "missing_required"),
    ("poverty_lists", {"kode desa": "1612059999"}, "unknown_village"),
    ("member_exports", {"no kpj": "1234567890"}, "invalid_kpj"),  # 10 digits
    ("member_exports", {"no kpj": "123456789012"}, "invalid_kpj"),  # 12 digits
    ("member_exports", {"no kpj": "1234567890", "kode desa": "1612059999"}, "invalid_kpj"),
    ("member_exports", {"kode desa": "1612059999"}, "unknown_village"),
    ("member_exports", {"bulan iuran terakhir": "x"}, "invalid_date"),
    ("member_exports", {"bulan iuran terakhir": ""}, "missing_required"),
    ("member_exports", {"segmen": "ABC"}, "invalid_value"),
    ("member_exports", {"status kepesertaan": "AKTIV"}, "invalid_value"),
    ("member_exports", {"nik": "1612051203900000"}, "invalid_nik"),
]


def _case_id(case: tuple[str, dict, str]) -> str:
    source, changes, reason = case
    return f"{source}-{reason}-{'-'.join(f'{k}={v}' for k, v in changes.items())}"


@pytest.fixture(scope="module")
def judged_cases(tmp_path_factory) -> dict[str, tuple]:
    """All reason cases of a source examined in ONE batch, one file per case."""
    out: dict[str, tuple] = {}
    folder = tmp_path_factory.mktemp("cases")
    for source in SOURCES:
        cases = [c for c in REASON_CASES if c[0] == source]
        files = []
        for i, (_, changes, _) in enumerate(cases):
            path = folder / f"{source}-{i}.csv"
            _write_csv(path, SOURCES[source][0], [_row(source, **changes)])
            files.append(LandingFile(source, path.name, f"{i:064d}", path))
        items = ingest(files, RECEIVED, load_settings(), folder / f"wh-{source}")
        for case, item in zip(cases, items, strict=True):
            loaded, rejected = item.tables
            out[_case_id(case)] = (item.result, loaded.to_pylist(), rejected.to_pylist())
    return out


@pytest.mark.parametrize("case", REASON_CASES, ids=[_case_id(c) for c in REASON_CASES])
def test_first_applicable_reason(judged_cases, case):
    reason = case[2]
    result, loaded, rejected = judged_cases[_case_id(case)]
    assert loaded == []
    assert [(r["row_number"], r["reason"]) for r in rejected] == [(2, reason)]
    assert result.rejected_by_reason == {reason: 1}
    assert result.rows_read == result.rows_loaded + result.rows_rejected == 1


def test_numeric_excel_cell_nik_is_rejected_even_when_it_looks_right(tmp_path):
    rows = [
        _row("village_submissions", nik=1612051203900001),
        _row("village_submissions", nik=GOOD_NIK),
    ]
    _, loaded, rejected = _judge(tmp_path, "village_submissions", rows, name="f.xlsx")
    assert [(r["row_number"], r["reason"]) for r in rejected] == [(2, "nik_numeric_cell")]
    assert [r["row_number"] for r in loaded] == [3]


@pytest.mark.parametrize(
    ("source", "key", "other"),
    [
        ("village_submissions", "nik", {"nama": "Lain"}),
        ("poverty_lists", "no ktp", {"nama": "Lain"}),
        ("member_exports", "no kpj", {"nik": WOMAN_NIK}),
    ],
)
def test_duplicate_in_file_only_after_an_earlier_loaded_row(tmp_path, source, key, other):
    first_bad = _row(source, nama="")  # rejected: cannot be "an earlier loaded row"
    rows = [first_bad, _row(source), _row(source, **other), _row(source)]
    _, loaded, rejected = _judge(tmp_path, source, rows)
    assert [r["row_number"] for r in loaded] == [3]
    assert [(r["row_number"], r["reason"]) for r in rejected] == [
        (2, "missing_required"),
        (4, "duplicate_in_file"),
        (5, "duplicate_in_file"),
    ]


def test_member_kpj_duplicates_not_nik_duplicates(tmp_path):
    rows = [_row("member_exports"), _row("member_exports", **{"no kpj": "12345678902"})]
    _, loaded, rejected = _judge(tmp_path, "member_exports", rows)
    assert len(loaded) == 2 and rejected == []


FLAG_CASES = [
    ({}, set()),
    ({"nik": WOMAN_NIK, "jk": "P"}, set()),
    ({"tanggal lahir": "13-03-1990"}, {"nik_birth_date_mismatch"}),
    ({"jk": "P"}, {"nik_sex_mismatch"}),
    ({"nik": WOMAN_NIK, "jk": "L"}, {"nik_sex_mismatch"}),
    ({"nik": "1871051203900001"}, {"nik_outside_province"}),
    (
        {"nik": "1871051203900001", "jk": "P", "tanggal lahir": "1990-03-13"},
        {"nik_outside_province", "nik_sex_mismatch", "nik_birth_date_mismatch"},
    ),
]


@pytest.mark.parametrize(
    ("changes", "flags"),
    FLAG_CASES,
    ids=["none", "woman-ok", "birth", "sex", "sex-woman", "outside", "all"],
)
def test_flags_are_kept_on_loaded_rows(tmp_path, changes, flags):
    result, loaded, rejected = _judge(
        tmp_path, "village_submissions", [_row("village_submissions", **changes)]
    )
    assert rejected == [] and len(loaded) == 1
    row = loaded[0]
    assert {
        f for f in ("nik_birth_date_mismatch", "nik_sex_mismatch", "nik_outside_province") if row[f]
    } == flags
    assert result.flags_by_reason == dict.fromkeys(sorted(flags), 1)


def test_unparseable_optional_fields_stay_empty(tmp_path):
    _, loaded, rejected = _judge(
        tmp_path, "poverty_lists", [_row("poverty_lists", **{"tanggal lahir": "entah"})]
    )
    assert rejected == [] and loaded[0]["birth_date"] is None
    _, loaded, rejected = _judge(tmp_path, "member_exports", [_row("member_exports", tmt="x")])
    assert rejected == [] and loaded[0]["enrolled_on"] is None


def test_submitted_on_defaults_to_received_date_and_paid_through_to_its_month(tmp_path):
    _, loaded, _ = _judge(
        tmp_path, "village_submissions", [_row("village_submissions", **{"tanggal usulan": ""})]
    )
    assert loaded[0]["submitted_on"] == RECEIVED
    _, loaded, _ = _judge(
        tmp_path,
        "member_exports",
        [_row("member_exports", **{"bulan iuran terakhir": "17 Juli 2025"})],
    )
    assert loaded[0]["paid_through"] == dt.date(2025, 7, 1)
    assert loaded[0]["exported_on"] == RECEIVED


def test_blank_rows_are_not_data_rows_but_keep_their_number(tmp_path):
    path = tmp_path / "f.csv"
    header, row = SOURCES["village_submissions"]
    line = ";".join(row[h] for h in header)
    path.write_text(
        ";".join(header)
        + "\n"
        + line
        + "\n;;;;;\n\n"
        + line.replace(GOOD_NIK, WOMAN_NIK).replace(";L;", ";P;")
        + "\n",
        encoding="utf-8",
    )
    [item] = ingest(
        [LandingFile("village_submissions", "f.csv", "0" * 64, path)],
        RECEIVED,
        load_settings(),
        path.parent / "wh",
    )
    assert item.result.rows_read == 2
    assert [r["row_number"] for r in item.tables[0].to_pylist()] == [2, 5]


def test_duplicates_across_chunks_of_one_file():
    """A big file is judged in chunks: a key an earlier chunk loaded is a duplicate in a later
    one, whatever order the chunks came in; "0100" and "100" are different keys; a new file
    starts with nothing seen."""
    import pyarrow as pa

    from cakupan.checks.row_pass import row_pass
    from cakupan.sources.specs import MEMBER_EXPORTS

    def chunk(kpjs: list[str], first_row: int) -> pa.Table:
        n = len(kpjs)
        return pa.table(
            {
                "file_index": pa.array([0] * n, pa.int32()),
                "row_number": pa.array(range(first_row, first_row + n), pa.int64()),
                "kpj": pa.array(kpjs),
                "nik": pa.array([GOOD_NIK] * n),
                "name": pa.array(["Agus"] * n),
                "segment": pa.array(["BPU"] * n),
                "status": pa.array(["AKTIF"] * n),
                "paid_through": pa.array(["2025-06"] * n),
            }
        )

    def reasons(kpjs: list[str], first_row: int, continues: bool) -> list[str | None]:
        verdicts = row_pass().judge(
            MEMBER_EXPORTS, chunk(kpjs, first_row), [("0" * 64, "f.csv")], RECEIVED, 4, continues
        )
        _, rejected = verdicts.tables()
        why = {r["row_number"]: r["reason"] for r in rejected.to_pylist()}
        return [why.get(first_row + i) for i in range(len(kpjs))]

    assert reasons(["0300", "0100", "0500"], 2, False) == [None, None, None]
    assert reasons(["0200", "0400", "0200"], 5, True) == [None, None, "duplicate_in_file"]
    assert reasons(["0600", "0100"], 8, True) == [None, "duplicate_in_file"]
    assert reasons(["100", "0700", "0300"], 10, True) == ["invalid_kpj", None, "duplicate_in_file"]
    assert reasons(["0100"], 2, False) == [None]
