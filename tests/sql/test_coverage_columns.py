"""The coverage columns of CONTRACT §5.1 on DuckDB and PostgreSQL, from hand-made staging
rows: workers awaiting enrolment, workers paid by village, the desa budget (and workers
probably covered, 0 while core.probable_match is empty)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from cakupan.landing import LandingFile
from cakupan.marts.snapshot import build_snapshot
from cakupan.settings import load_settings
from tests.ingested import ingest
from tests.sql.test_snapshot_rules import (
    OKU_DESA,
    PALI_DESA_A,
    member,
    nik,
    one,
    stage,
    submission,
    village,
)

D = dt.date
AS_OF = D(2025, 6, 15)
EARLY = D(2025, 5, 20)
JUNE, JANUARY = D(2025, 6, 1), D(2025, 1, 1)
PALI_KELURAHAN = "1612011003"
AWAITING = nik(9001, day=3, month=7, year=85)
DEFAULT_BUDGET = 100 * 16800 * 12  # village_target x contribution_idr_per_month x 12
NEW_COLUMNS = (
    "workers_probably_covered",
    "workers_awaiting_enrolment",
    "workers_paid_by_village",
    "village_budget_idr_per_year",
)


def paid(kpj: str, nik_: str, payer: str | None, through: dt.date = JUNE, status="AKTIF"):
    """A BPU member export row received early, with its payer."""
    return {**member(kpj, nik_, status, through, EARLY, EARLY, row=int(kpj[-2:])), "payer": payer}


@pytest.fixture
def staged(warehouse):
    stage(
        warehouse,
        "staging.village_submissions",
        [
            # not enrolled: awaiting; its NIK is far from the members' (nik(1) is one digit
            # from nik(2), a covered member of the same name and birth date: the linkage
            # would rightly count it as probably covered).
            submission(AWAITING, PALI_DESA_A, EARLY, EARLY, row=2),
            submission(nik(2), PALI_DESA_A, EARLY, EARLY, row=3),  # covered by APBDES
            submission(nik(3), PALI_DESA_A, EARLY, EARLY, row=4),  # APBDES lapsed, MANDIRI on
            submission(nik(4), PALI_DESA_A, EARLY, EARLY, row=5),  # APBDES but NONAKTIF
            submission(nik(5), PALI_DESA_A, EARLY, EARLY, row=6, birth=D(2010, 5, 21)),  # 14
            submission(nik(6), PALI_DESA_A, EARLY, EARLY, row=7),  # APBDES and MANDIRI on
            submission(nik(8), PALI_KELURAHAN, EARLY, EARLY, row=8),  # kelurahan, awaiting
        ],
    )
    stage(
        warehouse,
        "staging.member_exports",
        [
            paid("10000000002", nik(2), "APBDES"),
            paid("10000000031", nik(3), "APBDES", through=JANUARY),  # not covering in June
            paid("10000000032", nik(3), "MANDIRI"),
            paid("10000000004", nik(4), "APBDES", status="NONAKTIF"),
            paid("10000000061", nik(6), "APBDES"),
            paid("10000000062", nik(6), "MANDIRI"),
            paid("10000000007", nik(7), "APBDES"),  # a member never proposed: no worker
        ],
    )
    return warehouse


def rollup_totals(engine, table: str, code_column: str) -> dict[str, dict]:
    return {
        r["code"]: r
        for r in one(
            engine,
            f"SELECT {code_column} AS code, * FROM mart.{table} WHERE snapshot_date = :d",
            d=AS_OF,
        )
    }


def desa_count(engine, where: str, code: str) -> int:
    [row] = one(
        engine,
        f"SELECT COUNT(*) AS n FROM ref.village WHERE village_type = 'desa' AND {where} = :c",
        c=code,
    )
    return row["n"]


def test_awaiting_enrolment_and_paid_by_village_count_eligible_workers(staged):
    build_snapshot(staged, AS_OF, load_settings())
    a = village(staged, PALI_DESA_A)
    assert (a["workers_eligible"], a["workers_enrolled"], a["workers_covered"]) == (5, 4, 3)
    # AWAITING only: NIK 5 (14) is not eligible, the others have a KPJ (NIK 4's NONAKTIF).
    assert a["workers_awaiting_enrolment"] == 1
    assert a["workers_awaiting_enrolment"] == a["workers_eligible"] - a["workers_enrolled"]
    # NIK 2 and 6; not NIK 3 (its APBDES KPJ lapsed, MANDIRI covers), not NIK 4 (not
    # covered), not NIK 7 (a member, never proposed).
    assert a["workers_paid_by_village"] == 2
    assert a["workers_probably_covered"] == 0  # no NIK here looks like a mistyped one
    kel = village(staged, PALI_KELURAHAN)
    assert (kel["workers_awaiting_enrolment"], kel["workers_paid_by_village"]) == (1, 0)


def test_budget_is_for_desa_only_and_summed_above(staged):
    build_snapshot(staged, AS_OF, load_settings())
    assert village(staged, PALI_DESA_A)["village_budget_idr_per_year"] == DEFAULT_BUDGET
    assert village(staged, PALI_KELURAHAN)["village_budget_idr_per_year"] is None
    districts = rollup_totals(staged, "coverage_district", "district_code")
    regencies = rollup_totals(staged, "coverage_regency", "regency_code")
    [province] = one(
        staged, "SELECT * FROM mart.coverage_province WHERE snapshot_date = :d", d=AS_OF
    )
    # Talang Ubi (161201) holds kelurahan and desa; the desa alone are budgeted.
    assert districts["161201"]["village_budget_idr_per_year"] == DEFAULT_BUDGET * desa_count(
        staged, "district_code", "161201"
    )
    assert regencies["1612"]["village_budget_idr_per_year"] == DEFAULT_BUDGET * desa_count(
        staged, "regency_code", "1612"
    )
    # A district and a city of kelurahan only (Palembang): no desa, no budget (as target_workers).
    assert districts["167101"]["village_budget_idr_per_year"] is None
    assert districts["167101"]["target_workers"] is None
    assert regencies["1671"]["village_budget_idr_per_year"] is None
    [desa] = one(staged, "SELECT COUNT(*) AS n FROM ref.village WHERE village_type = 'desa'")
    assert province["village_budget_idr_per_year"] == DEFAULT_BUDGET * desa["n"]
    # Every count sums up to the province.
    for column in NEW_COLUMNS[:3]:
        assert (
            regencies["1612"][column] == districts["161205"][column] + districts["161201"][column]
        ), column
        assert province[column] == sum(r[column] for r in regencies.values()), column
    assert (province["workers_awaiting_enrolment"], province["workers_paid_by_village"]) == (2, 2)


def test_a_regency_target_and_the_contribution_setting_flow_through(staged, tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text(
        'contribution_idr_per_month: 20000\nregencies:\n  "1612":\n    village_target: 50\n',
        encoding="utf-8",
    )
    build_snapshot(staged, AS_OF, load_settings(path))
    assert village(staged, PALI_DESA_A)["village_budget_idr_per_year"] == 50 * 20000 * 12
    assert village(staged, OKU_DESA)["village_budget_idr_per_year"] == 100 * 20000 * 12
    regencies = rollup_totals(staged, "coverage_regency", "regency_code")
    assert regencies["1612"]["village_budget_idr_per_year"] == 50 * 20000 * 12 * desa_count(
        staged, "regency_code", "1612"
    )
    [province] = one(
        staged, "SELECT * FROM mart.coverage_province WHERE snapshot_date = :d", d=AS_OF
    )
    assert province["village_budget_idr_per_year"] == sum(
        r["village_budget_idr_per_year"] or 0 for r in regencies.values()
    )
    # Back to the defaults: the date is rebuilt with them.
    build_snapshot(staged, AS_OF, load_settings())
    assert village(staged, PALI_DESA_A)["village_budget_idr_per_year"] == DEFAULT_BUDGET


def test_the_payer_is_matched_as_the_rules_clean_it(tmp_path: Path):
    """A payer written "apbdes " or "Apbdes" is APBDES once cleaned (trimmed, upper case),
    as the member coverage model compares it."""
    header = "no kpj;nik;nama;segmen;status kepesertaan;bulan iuran terakhir;sumber iuran"
    lines = [
        header,
        f"12345678901;{nik(1)};Ani;BPU;AKTIF;2025-06;apbdes ",
        f"12345678902;{nik(2)};Budi;BPU;AKTIF;2025-06;Apbdes",
        f"12345678903;{nik(3)};Cici;BPU;AKTIF;2025-06;mandiri",
    ]
    path = tmp_path / "export.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    [item] = ingest(
        [LandingFile("member_exports", "export.csv", "0" * 64, path)],
        AS_OF,
        load_settings(),
        tmp_path / "wh",
    )
    loaded, _ = item.tables
    assert [r["payer"] for r in loaded.to_pylist()] == ["APBDES", "APBDES", "MANDIRI"]
