"""CONTRACT §4 rules in the SQL models, on DuckDB and PostgreSQL, from hand-made staging rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pyarrow as pa
import pytest
import sqlalchemy as sa

from cakupan.marts.snapshot import build_snapshot
from cakupan.settings import load_settings
from cakupan.warehouse.bulk import bulk_insert

D = dt.date
AS_OF = D(2025, 6, 15)
PALI_DESA_A = "1612052011"  # desa in PALI (deadline 2025-05-30)
PALI_DESA_B = "1612052012"
OKU_DESA = "1601072001"  # desa in a regency without deadline
BORN = D(1990, 3, 12)

_FLAGS = {
    "nik_birth_date_mismatch": False,
    "nik_sex_mismatch": False,
    "nik_outside_province": False,
}


def nik(serial: int, day: int = 12, month: int = 3, year: int = 90) -> str:
    return f"161205{day:02d}{month:02d}{year:02d}{serial:04d}"


def submission(
    nik_: str,
    village: str,
    submitted: dt.date,
    received: dt.date,
    birth: dt.date = BORN,
    file: str = "a.csv",
    row: int = 2,
) -> dict:
    return {
        "sha256": file,
        "file_name": file,
        "received_date": received,
        "row_number": row,
        "village_code": village,
        "nik": nik_,
        "nik_masked": nik_[:6] + "******" + nik_[-4:],
        "name": "X",
        "birth_date": birth,
        "sex": None,
        "occupation": None,
        "submitted_on": submitted,
        "address": None,
        "phone": None,
        **_FLAGS,
    }


def member(
    kpj: str,
    nik_: str,
    status: str,
    paid: dt.date,
    exported: dt.date,
    received: dt.date,
    village: str | None = None,
    file: str = "m.csv",
) -> dict:
    return {
        "sha256": file,
        "file_name": file,
        "received_date": received,
        "row_number": 2,
        "kpj": kpj,
        "nik": nik_,
        "name": "X",
        "segment": "BPU",
        "status": status,
        "paid_through": paid,
        "enrolled_on": None,
        "exported_on": exported,
        "village_code": village,
        "payer": None,
        **_FLAGS,
    }


def poverty(nik_: str, village: str, decile: int, received: dt.date, file: str = "p.csv") -> dict:
    return {
        "sha256": file,
        "file_name": file,
        "received_date": received,
        "row_number": 2,
        "nik": nik_,
        "family_number": None,
        "name": "X",
        "birth_date": None,
        "village_code": village,
        "decile": decile,
        **_FLAGS,
    }


def stage(engine, table: str, rows: list[dict]) -> None:
    with engine.begin() as conn:
        bulk_insert(conn, table, pa.Table.from_pylist(rows))


def village(engine, code: str, as_of: dt.date = AS_OF) -> dict:
    with engine.connect() as conn:
        return dict(
            conn.execute(
                sa.text(
                    "SELECT * FROM mart.coverage_village "
                    "WHERE snapshot_date = :d AND village_code = :v"
                ),
                {"d": as_of, "v": code},
            )
            .mappings()
            .one()
        )


def one(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).mappings().all()


@pytest.fixture
def scenario(warehouse):
    e = warehouse
    early, late = D(2025, 5, 20), D(2025, 6, 10)
    stage(
        e,
        "staging.village_submissions",
        [
            # NIK 1 proposed by A (earlier) and B (later): kept by A, duplicate listed for B.
            submission(nik(1), PALI_DESA_A, D(2025, 5, 20), early),
            submission(nik(1), PALI_DESA_B, D(2025, 5, 25), early, file="b.csv"),
            # NIK 2: same submitted_on in A and B, B received earlier -> kept by B.
            submission(nik(2), PALI_DESA_A, D(2025, 6, 1), late),
            submission(nik(2), PALI_DESA_B, D(2025, 6, 1), early, file="b.csv", row=3),
            # NIK 3: same submitted_on and received date -> lowest village code (A).
            submission(nik(3), PALI_DESA_B, D(2025, 6, 2), late, file="b2.csv"),
            submission(nik(3), PALI_DESA_A, D(2025, 6, 2), late, file="a2.csv"),
            # Ages on submitted_on 2025-05-20: 14 (no), 15 today (yes), 64 (yes), 65 today (no).
            submission(nik(4), PALI_DESA_A, D(2025, 5, 20), early, birth=D(2010, 5, 21), row=4),
            submission(nik(5), PALI_DESA_A, D(2025, 5, 20), early, birth=D(2010, 5, 20), row=5),
            submission(nik(6), PALI_DESA_A, D(2025, 5, 20), early, birth=D(1960, 5, 21), row=6),
            submission(nik(7), PALI_DESA_A, D(2025, 5, 20), early, birth=D(1960, 5, 20), row=7),
            # Not visible on AS_OF: received later, or submitted later.
            submission(nik(8), PALI_DESA_A, D(2025, 6, 1), D(2025, 6, 20), row=8),
            submission(nik(9), OKU_DESA, D(2025, 6, 20), early, row=9),
            # OKU desa (no deadline) submitted.
            submission(nik(10), OKU_DESA, D(2025, 6, 1), late, row=10),
        ],
    )
    stage(
        e,
        "staging.member_exports",
        [
            # NIK 1: covered (AKTIF through June), its KPJ carries a village in OKU.
            member("10000000001", nik(1), "AKTIF", D(2025, 6, 1), D(2025, 6, 1), early, OKU_DESA),
            # NIK 2: latest exported_on wins although received earlier -> NONAKTIF.
            member("10000000002", nik(2), "NONAKTIF", D(2025, 9, 1), D(2025, 6, 9), early),
            member("10000000002", nik(2), "AKTIF", D(2025, 9, 1), D(2025, 6, 1), late, file="m2"),
            # NIK 3: paid through March = 3 months before June -> in arrears.
            member("10000000003", nik(3), "AKTIF", D(2025, 3, 1), D(2025, 6, 1), early),
            # NIK 5: paid through February = 4 months before -> enrolled, neither.
            member("10000000005", nik(5), "AKTIF", D(2025, 2, 1), D(2025, 6, 1), early),
            # NIK 6: old KELUAR KPJ and a new covering one without village -> proposed village.
            member("10000000006", nik(6), "KELUAR", D(2024, 1, 1), D(2025, 6, 1), early),
            member("10000000016", nik(6), "AKTIF", D(2025, 7, 1), D(2025, 6, 1), early),
            # Not proposed, poverty-listed in OKU -> attributed there; and one unattributed.
            member("10000000020", nik(20), "AKTIF", D(2025, 6, 1), D(2025, 6, 1), early),
            member("10000000021", nik(21), "AKTIF", D(2025, 6, 1), D(2025, 6, 1), early),
            # Received after AS_OF: ignored.
            member("10000000022", nik(22), "AKTIF", D(2025, 6, 1), D(2025, 6, 1), D(2025, 6, 20)),
        ],
    )
    stage(
        e,
        "staging.poverty_lists",
        [
            poverty(nik(20), OKU_DESA, 7, early),
            poverty(nik(1), PALI_DESA_A, 3, early),
            # NIK 3: decile 2 first, then 6 in a later file -> not poor any more.
            poverty(nik(3), PALI_DESA_A, 2, early),
            poverty(nik(3), PALI_DESA_B, 6, late, file="p2.csv"),
            poverty(nik(11), PALI_DESA_B, 5, early),
        ],
    )
    build_snapshot(e, AS_OF, load_settings())
    return e


def test_proposals_tie_breaks_and_duplicates(scenario):
    a, b = village(scenario, PALI_DESA_A), village(scenario, PALI_DESA_B)
    # A keeps NIK 1, 3, 4, 5, 6, 7; B keeps NIK 2.
    assert (a["workers_proposed"], b["workers_proposed"]) == (6, 1)
    dups = one(scenario, "SELECT * FROM mart.duplicate_proposals ORDER BY kept_submitted_on")
    assert [(d["kept_village_code"], d["duplicate_village_code"]) for d in dups] == [
        (PALI_DESA_A, PALI_DESA_B),
        (PALI_DESA_B, PALI_DESA_A),
        (PALI_DESA_A, PALI_DESA_B),
    ]
    assert dups[0]["nik_masked"] == "161205******0001"
    assert dups[0]["kept_submitted_on"] == D(2025, 5, 20)
    assert dups[0]["duplicate_submitted_on"] == D(2025, 5, 25)


def test_eligibility_and_member_states(scenario):
    a, b = village(scenario, PALI_DESA_A), village(scenario, PALI_DESA_B)
    # Eligible in A: 1, 3, 5, 6 (4 is 14, 7 is 65 on the submission date).
    assert a["workers_eligible"] == 4
    assert a["workers_enrolled"] == 4  # 1, 3, 5, 6 all have a KPJ
    assert a["workers_covered"] == 2  # 1 and 6
    assert a["workers_in_arrears"] == 1  # 3
    assert (b["workers_eligible"], b["workers_enrolled"], b["workers_covered"]) == (1, 1, 0)
    assert a["coverage_pct"] == Decimal("50.00")
    assert a["target_workers"] == 100 and a["target_attainment_pct"] == Decimal("2.00")


def test_as_of_excludes_later_files_and_submissions(scenario):
    oku = village(scenario, OKU_DESA)
    assert oku["workers_proposed"] == 1  # NIK 10 only; NIK 9 submitted after AS_OF
    assert village(scenario, PALI_DESA_A)["workers_proposed"] == 6  # NIK 8 received later


def test_poverty_and_members_village(scenario):
    a, b, oku = (village(scenario, c) for c in (PALI_DESA_A, PALI_DESA_B, OKU_DESA))
    assert (a["poor_listed"], a["poor_covered"]) == (1, 1)  # NIK 1 (NIK 3 now decile 6)
    assert (b["poor_listed"], b["poor_covered"]) == (1, 0)  # NIK 11
    assert oku["poor_listed"] == 0  # NIK 20 has decile 7
    regencies = {
        r["regency_code"]: r
        for r in one(
            scenario, "SELECT * FROM mart.coverage_regency WHERE snapshot_date = :d", d=AS_OF
        )
    }
    # Covered: 1 (KPJ village OKU), 6 (proposed in PALI), 20 (poverty OKU), 21 (nowhere).
    assert regencies["1601"]["members_covered"] == 2
    assert regencies["1612"]["members_covered"] == 1
    assert regencies["1612"]["workforce_estimate"] == 50000
    assert regencies["1612"]["workforce_coverage_pct"] == Decimal("0.00")
    assert regencies["1601"]["workforce_estimate"] is None
    assert regencies["1601"]["workforce_coverage_pct"] is None
    province = one(scenario, "SELECT * FROM mart.coverage_province")[0]
    assert (province["members_covered"], province["members_unattributed"]) == (4, 1)


def test_submission_status_and_rates(scenario):
    a, b, oku = (village(scenario, c) for c in (PALI_DESA_A, PALI_DESA_B, OKU_DESA))
    assert (a["first_submitted_on"], a["submission_status"]) == (D(2025, 5, 20), "on_time")
    assert (b["first_submitted_on"], b["submission_status"]) == (D(2025, 5, 25), "on_time")
    assert oku["submission_status"] == "submitted"
    kel = one(
        scenario,
        "SELECT * FROM mart.coverage_village WHERE snapshot_date = :d "
        "AND village_type = 'kelurahan' ORDER BY village_code",
        d=AS_OF,
    )[0]
    assert kel["target_workers"] is None and kel["target_attainment_pct"] is None
    assert kel["submission_status"] == "missing"
    pali = one(
        scenario,
        "SELECT * FROM mart.coverage_regency WHERE snapshot_date = :d AND regency_code = '1612'",
        d=AS_OF,
    )[0]
    expected = pali["villages_expected"]
    assert pali["villages_submitted"] == 2 and pali["villages_on_time"] == 2
    assert pali["reporting_rate_pct"] == Decimal(str(round(200 / expected, 2)))
    oku_reg = one(
        scenario,
        "SELECT * FROM mart.coverage_regency WHERE snapshot_date = :d AND regency_code = '1601'",
        d=AS_OF,
    )[0]
    assert oku_reg["on_time_rate_pct"] is None  # no deadline in that regency


def test_every_unit_has_a_row(scenario):
    counts = one(
        scenario,
        """
        SELECT (SELECT COUNT(*) FROM mart.coverage_village WHERE snapshot_date = :d) AS v,
               (SELECT COUNT(*) FROM mart.coverage_district WHERE snapshot_date = :d) AS d,
               (SELECT COUNT(*) FROM mart.coverage_regency WHERE snapshot_date = :d) AS r,
               (SELECT COUNT(*) FROM mart.coverage_province WHERE snapshot_date = :d) AS p""",
        d=AS_OF,
    )[0]
    assert dict(counts) == {"v": 3259, "d": 241, "r": 17, "p": 1}


def test_rebuild_is_identical_and_history_kept(scenario):
    before = one(scenario, "SELECT * FROM mart.coverage_village ORDER BY village_code")
    build_snapshot(scenario, AS_OF, load_settings())
    assert one(scenario, "SELECT * FROM mart.coverage_village ORDER BY village_code") == before
    build_snapshot(scenario, D(2025, 5, 21), load_settings())
    earlier = village(scenario, PALI_DESA_A, D(2025, 5, 21))
    assert earlier["workers_proposed"] == 5  # NIK 1, 4, 5, 6, 7 (2 and 3 came in June)
    assert village(scenario, PALI_DESA_A)["workers_proposed"] == 6


def test_percentages_round_half_up_identically(warehouse):
    """201 covered of a 20,000 target is 1.005 %: 1.01 on both engines (not 1.00)."""
    stage(
        warehouse,
        "staging.village_submissions",
        [
            submission(nik(i + 1), PALI_DESA_A, D(2025, 5, 20), D(2025, 5, 20), row=i + 2)
            for i in range(201)
        ],
    )
    stage(
        warehouse,
        "staging.member_exports",
        [
            member(f"2{i:010d}", nik(i + 1), "AKTIF", D(2025, 6, 1), D(2025, 6, 1), D(2025, 5, 20))
            for i in range(201)
        ],
    )
    settings = load_settings()
    settings = type(settings)(**{**settings.__dict__, "village_target": 20000})
    build_snapshot(warehouse, AS_OF, settings)
    row = village(warehouse, PALI_DESA_A)
    assert row["workers_covered"] == 201
    assert row["target_attainment_pct"] == Decimal("1.01")


def test_poverty_working_set_follows_the_register_files(scenario):
    """core.poverty_latest is rebuilt when the register files up to the date differ and kept
    when they do not; either way every date gives its own rows, backfills included."""
    earlier = D(2025, 5, 21)  # before p2.csv (received 2025-06-10) made NIK 3 decile 6
    history = "SELECT * FROM mart.coverage_village ORDER BY snapshot_date, village_code"
    assert village(scenario, PALI_DESA_A)["poor_listed"] == 1  # NIK 1
    build_snapshot(scenario, earlier, load_settings())
    assert village(scenario, PALI_DESA_A, earlier)["poor_listed"] == 2  # NIK 1 and 3
    assert village(scenario, PALI_DESA_B, earlier)["poor_listed"] == 1  # NIK 11
    both = one(scenario, history)
    build_snapshot(scenario, AS_OF, load_settings())
    assert one(scenario, history) == both

    # Same register files as AS_OF: the working set is kept, not rebuilt. A marker put
    # into it survives, which a rebuild would have wiped out.
    with scenario.begin() as conn:
        conn.execute(
            sa.text("UPDATE core.poverty_latest SET decile = 1 WHERE nik = :n"), {"n": nik(20)}
        )
    build_snapshot(scenario, D(2025, 6, 12), load_settings())
    assert village(scenario, OKU_DESA, D(2025, 6, 12))["poor_listed"] == 1  # the marker

    # A register file staged later for AS_OF changes the basis: rebuilt from staging.
    stage(scenario, "staging.poverty_lists", [poverty(nik(12), OKU_DESA, 1, AS_OF, "p3.csv")])
    build_snapshot(scenario, AS_OF, load_settings())
    assert village(scenario, OKU_DESA)["poor_listed"] == 1  # NIK 12; NIK 20 is decile 7 again
    build_snapshot(scenario, D(2025, 6, 12), load_settings())
    assert village(scenario, OKU_DESA, D(2025, 6, 12))["poor_listed"] == 0


def test_poor_max_decile_applies_without_a_register_change(scenario):
    settings = load_settings()
    wider = type(settings)(**{**settings.__dict__, "poor_max_decile": 6})
    build_snapshot(scenario, AS_OF, wider)
    assert village(scenario, PALI_DESA_B)["poor_listed"] == 2  # NIK 11, and NIK 3 at decile 6
    build_snapshot(scenario, AS_OF, settings)
    assert village(scenario, PALI_DESA_B)["poor_listed"] == 1


def test_per_person_core_tables_hold_only_the_date_built(scenario):
    build_snapshot(scenario, D(2025, 5, 21), load_settings())
    for table in ("proposed_worker", "member_state", "member_coverage", "member_village"):
        dates = one(scenario, f"SELECT DISTINCT snapshot_date AS d FROM core.{table}")
        assert [r["d"] for r in dates] == [D(2025, 5, 21)], table
    kept = one(scenario, "SELECT DISTINCT snapshot_date AS d FROM mart.coverage_village")
    assert sorted(r["d"] for r in kept) == [D(2025, 5, 21), AS_OF]
