"""Probable matches for mistyped NIKs (core/065_probable_match, mart.nik_review), on DuckDB and
PostgreSQL: precision and recall on generated typos and look-alikes, the review's rows, the
probably-covered counts, and identical rows on a re-run and on both engines."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
import sqlalchemy as sa

from cakupan.marts.snapshot import build_snapshot
from cakupan.settings import LinkageSettings, load_settings
from cakupan.warehouse.engine import create_warehouse_engine
from cakupan.warehouse.schema import ensure_schema
from tests.sql.test_snapshot_rules import member, poverty, stage, submission

D = dt.date
AS_OF = D(2025, 6, 15)
RECEIVED = D(2025, 6, 1)
VILLAGES = ("1612052011", "1612052012", "1601072001")
PALI_DESA_A = VILLAGES[0]
GIVEN = ("SITI", "NUR", "AHMAD", "RINA", "BUDI", "DEWI", "AGUS", "YANTI", "RUDI", "ENDANG")
FAMILY = ("AMINAH", "HASANAH", "SAPUTRA", "LESTARI", "SUSANTO", "WATI", "RAHMAN", "SARI")
PROVINCES = {11, 12, 13, 14, 15, 16, 17, 18, 19, 21, 31, 32, 33, 34, 35, 36, 51, 52, 53}
PROVINCES |= {61, 62, 63, 64, 65, 71, 72, 73, 74, 75, 76, 81, 82, 91, 92, 93, 94, 95, 96}


def nik_of(district: str, birth: dt.date, female: bool, serial: int) -> str:
    day = birth.day + (40 if female else 0)
    return f"{district}{day:02d}{birth.month:02d}{birth.year % 100:02d}{serial:04d}"


def structurally_valid(nik: str) -> bool:
    """CONTRACT §3's invalid_nik rules: such a NIK loads."""
    day, month = int(nik[6:8]), int(nik[8:10])
    return (
        int(nik[:2]) in PROVINCES
        and (1 <= day <= 31 or 41 <= day <= 71)
        and 1 <= month <= 12
        and nik[12:] != "0000"
    )


def changed(nik: str, rng: random.Random) -> str:
    """One digit changed."""
    at = rng.randrange(16)
    digit = rng.choice([d for d in "0123456789" if d != nik[at]])
    return nik[:at] + digit + nik[at + 1 :]


def swapped(nik: str, rng: random.Random) -> str | None:
    """Two adjacent different digits swapped (None when all neighbours are equal)."""
    places = [i for i in range(15) if nik[i] != nik[i + 1]]
    if not places:
        return None
    at = rng.choice(places)
    return nik[:at] + nik[at + 1] + nik[at] + nik[at + 2 :]


@dataclass
class Population:
    """Staging rows with their truth: which proposed NIK is a typo of which member's NIK."""

    submissions: list[dict] = field(default_factory=list)
    members: list[dict] = field(default_factory=list)
    poverty: list[dict] = field(default_factory=list)
    typos: dict[str, str] = field(default_factory=dict)  # typed NIK -> true NIK
    lookalikes: set[str] = field(default_factory=set)  # proposed NIKs of look-alikes


def generate(seed: int = 15, enrolled: int = 240, typo_share: float = 0.4) -> Population:
    """Enrolled (covered) workers, a share of whose proposals carry a NIK typo (half one
    digit changed, half two adjacent digits swapped; always a NIK that loads); look-alikes
    (same name and village as an enrolled worker, born a year apart, so their own correct
    NIK is one digit from the worker's); and unrelated proposed workers."""
    rng = random.Random(seed)
    pop = Population()
    used: set[str] = set()

    def person(village: str) -> tuple[str, str, dt.date, bool]:
        while True:
            born = D(1962, 1, 1) + dt.timedelta(days=rng.randrange(36 * 365))  # all eligible
            female = rng.random() < 0.5
            nik = nik_of(village[:6], born, female, rng.randrange(1, 60))
            if nik not in used:
                used.add(nik)
                name = f"{rng.choice(GIVEN)} {rng.choice(FAMILY)}"
                return nik, name, born, female

    row = 2
    for i in range(enrolled):
        village = VILLAGES[i % len(VILLAGES)]
        nik, name, born, female = person(village)
        kpj = f"{20000000000 + i}"
        member_village = village if rng.random() < 0.7 else None
        pop.members.append(
            member(kpj, nik, "AKTIF", D(2025, 6, 1), RECEIVED, RECEIVED, member_village)
            | {"name": name}
        )
        if rng.random() < 0.5:
            pop.poverty.append(
                poverty(nik, village, rng.randint(1, 5), RECEIVED)
                | {"name": name.title(), "birth_date": born, "row_number": row}
            )
        typed = nik
        if rng.random() < typo_share:
            for _ in range(50):
                candidate = changed(nik, rng) if i % 2 else swapped(nik, rng)
                if candidate and structurally_valid(candidate) and candidate not in used:
                    typed = candidate
                    break
            if typed != nik:
                used.add(typed)
                pop.typos[typed] = nik
        written = name if rng.random() < 0.8 else name.title()
        pop.submissions.append(
            submission(typed, village, D(2025, 6, 2), RECEIVED, birth=born, row=row)
            | {"name": written}
        )
        row += 1
        if i % 4 == 0:  # a look-alike: same name and village, born a year later, same serial
            later = born.replace(year=born.year + 1) if born.month * 100 + born.day != 229 else born
            twin = nik_of(village[:6], later, female, int(nik[12:]))
            if twin not in used and later != born:
                used.add(twin)
                pop.lookalikes.add(twin)
                pop.submissions.append(
                    submission(twin, village, D(2025, 6, 2), RECEIVED, birth=later, row=row)
                    | {"name": name}
                )
                row += 1
    for _ in range(enrolled // 2):  # proposed, neither enrolled nor anyone's typo
        village = rng.choice(VILLAGES)
        nik, name, born, _female = person(village)
        pop.submissions.append(
            submission(nik, village, D(2025, 6, 2), RECEIVED, birth=born, row=row) | {"name": name}
        )
        row += 1
    return pop


def stage_population(engine, pop: Population) -> None:
    stage(engine, "staging.village_submissions", pop.submissions)
    stage(engine, "staging.member_exports", pop.members)
    stage(engine, "staging.poverty_lists", pop.poverty)


def rows(engine, sql: str, **params) -> list[dict]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.text(sql), params).mappings()]


REVIEW = (
    "SELECT * FROM mart.nik_review WHERE snapshot_date = :d "
    "ORDER BY village_code, proposed_nik_masked, candidate_source, candidate_nik_masked, "
    "differing_positions"
)


def best_matches(engine, source: str, threshold: float) -> dict[str, str]:
    """Proposed NIK -> its best candidate NIK of ``source`` at or above ``threshold``."""
    found = rows(
        engine,
        "SELECT nik, candidate_nik, match_probability FROM core.probable_match "
        "WHERE candidate_source = :s AND match_probability >= :t",
        s=source,
        t=threshold,
    )
    best: dict[str, tuple[float, str]] = {}
    for r in found:
        key = (-r["match_probability"], r["candidate_nik"])
        if r["nik"] not in best or key < best[r["nik"]]:
            best[r["nik"]] = key
    return {nik: key[1] for nik, key in best.items()}


@pytest.fixture
def linked(warehouse):
    pop = generate()
    stage_population(warehouse, pop)
    build_snapshot(warehouse, AS_OF, load_settings())
    return warehouse, pop


def test_precision_and_recall_on_typos_and_lookalikes(linked):
    engine, pop = linked
    threshold = load_settings().linkage.min_probability
    found = best_matches(engine, "member_exports", threshold)
    right = sum(1 for typed, true in pop.typos.items() if found.get(typed) == true)
    precision = right / len(found)
    recall = right / len(pop.typos)
    assert len(pop.typos) >= 80 and len(pop.lookalikes) >= 40
    assert precision >= 0.98, (precision, {k: v for k, v in found.items() if k not in pop.typos})
    assert recall >= 0.90, (recall, [t for t in pop.typos if t not in found])
    assert not set(found) & pop.lookalikes
    # The register: the typos of workers listed there find them too.
    listed = {r["nik"] for r in pop.poverty}
    in_register = {t: n for t, n in pop.typos.items() if n in listed}
    found = best_matches(engine, "poverty_lists", threshold)
    assert sum(found.get(t) == n for t, n in in_register.items()) >= 0.9 * len(in_register)


def test_workers_probably_covered_counts_the_linked_typos(linked):
    engine, pop = linked
    threshold = load_settings().linkage.min_probability
    found = best_matches(engine, "member_exports", threshold)
    # Every enrolled worker here is covered and eligible: each typo linked at or above the
    # threshold is probably covered; exact NIK stays the truth of workers_covered.
    village = rows(
        engine,
        "SELECT SUM(workers_probably_covered) AS probably, SUM(workers_covered) AS covered "
        "FROM mart.coverage_village WHERE snapshot_date = :d",
        d=AS_OF,
    )[0]
    assert village["probably"] == len(found) > 0
    assert village["covered"] == len(pop.members) - len(pop.typos)
    province = rows(
        engine,
        "SELECT workers_probably_covered FROM mart.coverage_province WHERE snapshot_date = :d",
        d=AS_OF,
    )[0]
    assert province["workers_probably_covered"] == len(found)


def test_nik_review_rows(warehouse):
    """A changed digit and a swap: masked NIKs, positions, source, probability."""
    born = D(1990, 3, 12)
    true = nik_of("161205", born, False, 1)  # 1612051203900001
    other = nik_of("161205", D(1985, 7, 4), True, 3)  # 1612054407850003
    change = true[:15] + "7"
    swap = other[:8] + other[9] + other[8] + other[10:]  # positions 9 and 10
    stage(
        warehouse,
        "staging.village_submissions",
        [
            submission(change, PALI_DESA_A, D(2025, 6, 2), RECEIVED, birth=born)
            | {"name": "Siti Aminah"},
            submission(swap, PALI_DESA_A, D(2025, 6, 2), RECEIVED, birth=D(1985, 7, 4), row=3)
            | {"name": "Dewi Lestari"},
        ],
    )
    stage(
        warehouse,
        "staging.member_exports",
        [
            member("30000000001", true, "AKTIF", D(2025, 6, 1), RECEIVED, RECEIVED, PALI_DESA_A)
            | {"name": "SITI AMINAH"},
            member("30000000002", other, "NONAKTIF", D(2025, 1, 1), RECEIVED, RECEIVED)
            | {"name": "DEWI LESTARI"},
        ],
    )
    stage(
        warehouse,
        "staging.poverty_lists",
        [poverty(other, PALI_DESA_A, 2, RECEIVED) | {"name": "Dewi Lestari", "birth_date": None}],
    )
    build_snapshot(warehouse, AS_OF, load_settings())
    review = rows(warehouse, REVIEW, d=AS_OF)
    shown = ("proposed_nik_masked", "candidate_nik_masked", "candidate_source")
    shown += ("differing_positions", "village_code")
    assert [tuple(r[c] for c in shown) for r in review] == [
        ("161205******0003", "161205******0003", "member_exports", "9,10", PALI_DESA_A),
        ("161205******0003", "161205******0003", "poverty_lists", "9,10", PALI_DESA_A),
        ("161205******0007", "161205******0001", "member_exports", "16", PALI_DESA_A),
    ]
    assert all(Decimal("0.95") <= r["match_probability"] <= 1 for r in review)
    assert {r["snapshot_date"] for r in review} == {AS_OF}
    everything = repr(rows(warehouse, "SELECT * FROM mart.nik_review"))
    assert true not in everything and other not in everything and change not in everything
    village = rows(
        warehouse,
        "SELECT workers_covered, workers_probably_covered FROM mart.coverage_village "
        "WHERE snapshot_date = :d AND village_code = :v",
        d=AS_OF,
        v=PALI_DESA_A,
    )[0]
    # The changed digit's worker is covered under its true NIK; the swap's is not covered.
    assert village == {"workers_covered": 0, "workers_probably_covered": 1}


def test_a_nik_on_several_kpjs_is_one_candidate(warehouse):
    """The candidates leave the warehouse a row per KPJ (no DISTINCT there): a member NIK on
    two KPJs with the same name and village, and on a third under another name, is still
    one pair, at the probability of its best record."""
    born = D(1990, 3, 12)
    true = nik_of("161205", born, False, 1)
    typo = true[:15] + "7"
    stage(
        warehouse,
        "staging.village_submissions",
        [
            submission(typo, PALI_DESA_A, D(2025, 6, 2), RECEIVED, birth=born)
            | {"name": "Siti Aminah"}
        ],
    )

    def kpj(number: str, name: str) -> dict:
        return member(number, true, "AKTIF", D(2025, 6, 1), RECEIVED, RECEIVED, PALI_DESA_A) | {
            "name": name
        }

    stage(
        warehouse,
        "staging.member_exports",
        [
            kpj("30000000001", "SITI AMINAH"),
            kpj("30000000002", "SITI AMINAH"),
            kpj("30000000003", "BUDI SAPUTRA"),
        ],
    )
    build_snapshot(warehouse, AS_OF, load_settings())
    pairs = rows(
        warehouse,
        "SELECT nik, candidate_nik, candidate_source, match_probability FROM core.probable_match",
    )
    assert [(r["nik"], r["candidate_nik"], r["candidate_source"]) for r in pairs] == [
        (typo, true, "member_exports")
    ]
    assert pairs[0]["match_probability"] >= 0.99


def test_min_probability_setting_applies(linked):
    """A stricter linkage.min_probability counts fewer (never more) as probably covered; the
    review lists every pair kept, whatever the setting."""
    engine, _pop = linked

    def counted() -> tuple[int, int]:
        total = rows(
            engine,
            "SELECT SUM(workers_probably_covered) AS n FROM mart.coverage_village "
            "WHERE snapshot_date = :d",
            d=AS_OF,
        )[0]["n"]
        return total, len(rows(engine, REVIEW, d=AS_OF))

    default = counted()
    settings = load_settings()
    strict = dataclasses.replace(settings, linkage=LinkageSettings(min_probability=1.0))
    build_snapshot(engine, AS_OF, strict)
    assert counted()[1] == default[1]
    assert counted()[0] < default[0]


def test_rerun_gives_identical_rows(linked):
    engine, _pop = linked
    first = rows(engine, REVIEW, d=AS_OF)
    matches = rows(
        engine, "SELECT * FROM core.probable_match ORDER BY nik, candidate_source, candidate_nik"
    )
    build_snapshot(engine, AS_OF, load_settings())
    assert rows(engine, REVIEW, d=AS_OF) == first
    assert (
        rows(
            engine,
            "SELECT * FROM core.probable_match ORDER BY nik, candidate_source, candidate_nik",
        )
        == matches
    )
    assert len(first) > 0


@pytest.mark.postgres
def test_both_engines_publish_identical_rows(duckdb_url, pg_url):
    pop = generate(seed=16, enrolled=120)
    published = []
    for url in (duckdb_url, pg_url):
        engine = create_warehouse_engine(url)
        ensure_schema(engine)
        stage_population(engine, pop)
        build_snapshot(engine, AS_OF, load_settings())
        published.append(
            (
                rows(engine, REVIEW, d=AS_OF),
                rows(
                    engine,
                    "SELECT village_code, workers_probably_covered FROM mart.coverage_village "
                    "WHERE snapshot_date = :d ORDER BY village_code",
                    d=AS_OF,
                ),
            )
        )
        engine.dispose()
    assert published[0] == published[1]
    assert len(published[0][0]) > 0


def test_the_linkage_runs_in_its_slot_among_the_sql_models():
    from cakupan.marts.snapshot import snapshot_models

    names = [name for name, _model in snapshot_models()]
    at = names.index("core/065_probable_match")
    assert names[at - 2 : at + 2] == [
        "core/050_poverty_latest",
        "core/060_member_village",
        "core/065_probable_match",
        "core/070_village_snapshot",
    ]
    assert names.index("mart/090_nik_review") > names.index("core/080_unit_snapshot")
    assert names == sorted(names, key=lambda n: (n.split("/")[0] != "core", n))


def test_working_sets_built_before_the_names_are_rebuilt_once(linked):
    """A member state or register working set kept from before they carried the name (NULL)
    is rebuilt, so the linkage sees every name again."""
    engine, _pop = linked
    before = rows(engine, "SELECT * FROM core.probable_match ORDER BY nik, candidate_nik")
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE core.member_latest SET name = NULL"))
        conn.execute(sa.text("UPDATE core.poverty_latest SET name = NULL, birth_date = NULL"))
    build_snapshot(engine, AS_OF, load_settings())
    nameless = "SELECT COUNT(*) AS n FROM {} WHERE name IS NULL"
    for table in ("core.member_latest", "core.poverty_latest"):
        assert rows(engine, nameless.format(table))[0]["n"] == 0
    assert rows(engine, "SELECT * FROM core.probable_match ORDER BY nik, candidate_nik") == before
