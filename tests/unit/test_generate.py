"""The scenario generator: reproducible bytes, complete defects, and a truth that matches its files.

The checks here re-read the written files with their own small reader and their own NIK
rules, so a mistake in the generator's truth cannot hide behind the generator's helpers.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pytest

from cakupan.sources.specs import FLAGS, REASONS
from cakupan_dev.generate import Scenario, generate_scenario
from cakupan_dev.generate.workdays import delivery_days

# One worker generates the module's scenario once (make test runs xdist --dist loadgroup).
pytestmark = pytest.mark.xdist_group("generate")

SEED = 11
PROVINCES = {
    *range(11, 20),
    21,
    *range(31, 37),
    51,
    52,
    53,
    *range(61, 66),
    *range(71, 77),
    81,
    82,
    *range(91, 97),
}
NIK_HEADERS = {"nik", "noktp", "nonik", "nomorindukkependudukan"}


@pytest.fixture(scope="module")
def scenario(tmp_path_factory: pytest.TempPathFactory) -> Scenario:
    return generate_scenario(tmp_path_factory.mktemp("gen") / "a", days=4, seed=SEED, scale=0.2)


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def clean(text: str) -> str:
    text = text.strip()
    text = text[1:] if text.startswith("'") else text
    return "".join(ch for ch in text if ch not in " .-")


def norm(header: str) -> str:
    return "".join(ch for ch in header.lower() if ch.isalnum())


def nik_valid(nik: str) -> bool:
    if len(nik) != 16 or not nik.isdigit() or int(nik[:2]) not in PROVINCES:
        return False
    day, month = int(nik[6:8]), int(nik[8:10])
    return (1 <= day <= 31 or 41 <= day <= 71) and 1 <= month <= 12 and nik[12:] != "0000"


def decode(data: bytes) -> tuple[str, str]:
    """(text, encoding) the way a careful reader would try them."""
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252"), "cp1252"


def sheet_rows(path: Path) -> list[list[object]]:
    """All rows of a delivered file, header first; row i of the list is spreadsheet row i+1."""
    if path.suffix == ".xlsx":
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True)
        rows = [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
        wb.close()
        return rows
    text, _ = decode(path.read_bytes())
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return [list(r) for r in csv.reader(io.StringIO(text), delimiter=delimiter)]


def is_blank(row: list[object]) -> bool:
    return all(c is None or str(c).strip() == "" for c in row)


# -- reproducibility ---------------------------------------------------------------------------


def test_same_seed_gives_the_same_bytes_in_another_process(
    scenario: Scenario, tmp_path: Path
) -> None:
    code = (
        "import sys; from pathlib import Path; from cakupan_dev.generate import generate_scenario; "
        f"generate_scenario(Path(sys.argv[1]), days=4, seed={SEED}, scale=0.2)"
    )
    env = {**os.environ, "PYTHONHASHSEED": "4242"}
    subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "b")], check=True, env=env, capture_output=True
    )
    first, second = tree(scenario.out), tree(tmp_path / "b")
    assert first == second
    assert any(name.endswith(".xlsx") for name in first)


def test_other_seed_gives_other_files(tmp_path: Path) -> None:
    one = generate_scenario(tmp_path / "1", regencies=("1612",), days=2, seed=1, scale=0.2)
    two = generate_scenario(tmp_path / "2", regencies=("1612",), days=2, seed=2, scale=0.2)
    assert one.submission_rows_csv.read_bytes() != two.submission_rows_csv.read_bytes()


# -- completeness ------------------------------------------------------------------------------


def all_reasons_and_flags(s: Scenario) -> tuple[Counter[str], Counter[str]]:
    reasons: Counter[str] = Counter()
    flags: Counter[str] = Counter()
    for path in (s.submission_rows_csv, s.poverty_rows_csv, s.member_rows_csv):
        for row in read_csv(path):
            reasons[row["expected_reason"]] += 1
            flags.update(f for f in row["expected_flags"].split(";") if f)
    return reasons, flags


def test_every_reason_and_flag_occurs(scenario: Scenario) -> None:
    reasons, flags = all_reasons_and_flags(scenario)
    assert set(REASONS) <= set(reasons), set(REASONS) - set(reasons)
    assert set(FLAGS) <= set(flags), set(FLAGS) - set(flags)
    rejected = sum(n for r, n in reasons.items() if r)
    assert rejected < 0.05 * sum(reasons.values())  # defects stay a small share


def test_a_small_single_regency_scenario_is_still_complete(tmp_path: Path) -> None:
    s = generate_scenario(tmp_path / "s", regencies=("1612",), days=3, seed=3, scale=0.2)
    reasons, flags = all_reasons_and_flags(s)
    assert set(REASONS) <= set(reasons)
    assert set(FLAGS) <= set(flags)
    statuses = {r["expected_status"] for r in read_csv(s.files_csv)}
    assert statuses == {"loaded", "skipped_duplicate", "rejected_file"}


def test_file_statuses_and_special_deliveries(scenario: Scenario) -> None:
    files = read_csv(scenario.files_csv)
    by_status = Counter(r["expected_status"] for r in files)
    assert by_status["skipped_duplicate"] == 1
    assert by_status["rejected_file"] >= 1
    # the skipped file has the bytes of a file delivered earlier under another name
    skipped = next(r for r in files if r["expected_status"] == "skipped_duplicate")
    earlier = [r for r in files if r["sha256"] == skipped["sha256"] and r is not skipped]
    assert earlier and earlier[0]["delivery_date"] < skipped["delivery_date"]
    assert earlier[0]["file_name"] != skipped["file_name"]
    # one name delivered twice with different content: both loaded
    names = Counter((r["source"], r["file_name"]) for r in files)
    twice = [k for k, n in names.items() if n == 2]
    assert len(twice) == 1
    again = [r for r in files if (r["source"], r["file_name"]) == twice[0]]
    assert {r["expected_status"] for r in again} == {"loaded"}
    assert again[0]["sha256"] != again[1]["sha256"]
    # every source delivers; members once per day, poverty on day one and an update later
    days = [d.isoformat() for d in scenario.days]
    members = [r for r in files if r["source"] == "member_exports"]
    assert sorted(r["delivery_date"] for r in members) == days
    poverty = [r for r in files if r["source"] == "poverty_lists"]
    assert len(poverty) == len(scenario.regencies) + 1


def test_files_on_disk_match_files_csv(scenario: Scenario) -> None:
    listed = {
        f"deliveries/{r['delivery_date']}/{r['source']}/{r['file_name']}": r["sha256"]
        for r in read_csv(scenario.files_csv)
    }
    on_disk = {k: v for k, v in tree(scenario.out).items() if k.startswith("deliveries/")}
    assert listed == on_disk
    manifest = json.loads(scenario.manifest.read_text(encoding="utf-8"))
    assert manifest["days"] == [d.isoformat() for d in scenario.days]
    assert manifest["seed"] == SEED and manifest["regencies"] == list(scenario.regencies)


def test_truth_rows_only_for_loaded_files(scenario: Scenario) -> None:
    status = {
        (r["delivery_date"], r["file_name"]): r["expected_status"]
        for r in read_csv(scenario.files_csv)
    }
    for path in (scenario.submission_rows_csv, scenario.poverty_rows_csv, scenario.member_rows_csv):
        keys = {(r["delivery_date"], r["file_name"]) for r in read_csv(path)}
        assert keys and all(status[k] == "loaded" for k in keys)


def test_delivery_days_skip_weekends_and_holidays() -> None:
    assert delivery_days(date(2025, 5, 26), 5) == [
        date(2025, 5, 26),
        date(2025, 5, 27),
        date(2025, 5, 28),
        date(2025, 6, 2),
        date(2025, 6, 3),
    ]


# -- the truth agrees with the rules -----------------------------------------------------------


def test_loaded_niks_are_valid_and_agree_with_birth_date_and_sex(scenario: Scenario) -> None:
    for path in (scenario.poverty_rows_csv, scenario.member_rows_csv):
        for row in read_csv(path):
            if not row["expected_reason"]:
                assert nik_valid(row["nik"]), row
                outside = "nik_outside_province" in row["expected_flags"]
                assert outside == (not row["nik"].startswith("16")), row
    checked = Counter()
    for row in read_csv(scenario.submission_rows_csv):
        if row["expected_reason"]:
            assert not row["expected_flags"], row
            continue
        nik, flags = row["nik"], row["expected_flags"].split(";")
        assert nik_valid(nik), row
        assert date.fromisoformat(row["submitted_on"]) <= date.fromisoformat(row["delivery_date"])
        born = date.fromisoformat(row["birth_date"])
        day = int(nik[6:8])
        nik_sex = "P" if day > 40 else "L"
        agrees = (day - (40 if day > 40 else 0), int(nik[8:10]), int(nik[10:12])) == (
            born.day,
            born.month,
            born.year % 100,
        )
        assert agrees != ("nik_birth_date_mismatch" in flags), row
        if row["sex"]:
            assert (row["sex"] == nik_sex) != ("nik_sex_mismatch" in flags), row
            checked["sex"] += 1
        assert (nik[:2] != "16") == ("nik_outside_province" in flags), row
        checked["rows"] += 1
    assert checked["rows"] > 1000 and checked["sex"] > 500


def test_duplicate_in_file_follows_an_earlier_loaded_row(scenario: Scenario) -> None:
    for path, key in (
        (scenario.submission_rows_csv, "nik"),
        (scenario.poverty_rows_csv, "nik"),
        (scenario.member_rows_csv, "kpj"),
    ):
        by_file: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
        for row in read_csv(path):
            by_file[(row["delivery_date"], row["file_name"])].append(row)
        for rows in by_file.values():
            loaded: set[str] = set()
            for row in sorted(rows, key=lambda r: int(r["row_number"])):
                if row["expected_reason"] == "duplicate_in_file":
                    assert row[key] in loaded, row
                elif not row["expected_reason"]:
                    assert row[key] not in loaded, row
                    loaded.add(row[key])


def test_cross_village_duplicates_have_different_dates(scenario: Scenario) -> None:
    proposals: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in read_csv(scenario.submission_rows_csv):
        if not row["expected_reason"]:
            proposals[row["nik"]].append(row)
    crossed = [rows for rows in proposals.values() if len({r["village_code"] for r in rows}) > 1]
    assert len(crossed) >= 3
    for rows in crossed:
        assert len({r["submitted_on"] for r in rows}) > 1


def test_ages_and_deadline_make_eligibility_and_lateness_matter(scenario: Scenario) -> None:
    ages = Counter()
    late = on_time = 0
    for row in read_csv(scenario.submission_rows_csv):
        if row["expected_reason"]:
            continue
        born, on = date.fromisoformat(row["birth_date"]), date.fromisoformat(row["submitted_on"])
        age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
        ages["young" if age < 15 else "old" if age >= 65 else "eligible"] += 1
        if row["village_code"].startswith("1612"):
            late += on > date(2025, 5, 30)
            on_time += on <= date(2025, 5, 30)
    assert ages["young"] and ages["old"] and ages["eligible"] > 0.9 * sum(ages.values())
    assert late and on_time


# -- the truth agrees with the files -----------------------------------------------------------


def test_row_numbers_point_at_the_truth_nik(scenario: Scenario) -> None:
    truth: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
    for row in read_csv(scenario.submission_rows_csv):
        truth[(row["delivery_date"], row["file_name"])].append(row)
    kinds = Counter()
    for (day, name), rows in sorted(truth.items()):
        path = scenario.delivery_dir(date.fromisoformat(day)) / "village_submissions" / name
        if path.suffix == ".xlsx" and kinds["xlsx"] >= 25:
            continue
        kinds[path.suffix[1:]] += 1
        table = sheet_rows(path)
        col = next(i for i, h in enumerate(table[0]) if norm(str(h or "")) in NIK_HEADERS)
        data = [i + 1 for i, r in enumerate(table) if i > 0 and not is_blank(r)]
        assert sorted(int(r["row_number"]) for r in rows) == data, path
        for row in rows:
            cell = table[int(row["row_number"]) - 1][col]
            if row["expected_reason"] == "nik_numeric_cell":
                # a number cell, or in a CSV the scientific notation Excel saved it as
                assert isinstance(cell, (int, float)) or "E+" in str(cell), (path, row)
            elif not row["expected_reason"] or row["expected_reason"] == "duplicate_in_file":
                assert isinstance(cell, str) and clean(cell) == row["nik"], (path, row)
    assert kinds["xlsx"] >= 10 and kinds["csv"] >= 10


def test_poverty_and_member_row_numbers(scenario: Scenario) -> None:
    for path, source in (
        (scenario.poverty_rows_csv, "poverty_lists"),
        (scenario.member_rows_csv, "member_exports"),
    ):
        truth: dict[tuple[str, str], list[dict[str, str]]] = defaultdict(list)
        for row in read_csv(path):
            truth[(row["delivery_date"], row["file_name"])].append(row)
        for (day, name), rows in truth.items():
            table = sheet_rows(scenario.delivery_dir(date.fromisoformat(day)) / source / name)
            col = next(i for i, h in enumerate(table[0]) if norm(str(h)) in NIK_HEADERS)
            assert len(table) - 1 == len(rows)
            for row in rows[:: max(1, len(rows) // 200)]:
                if not row["expected_reason"]:
                    assert clean(table[int(row["row_number"]) - 1][col]) == row["nik"]


def test_file_kinds_are_mixed(scenario: Scenario) -> None:
    encodings, delimiters, suffixes, boms = Counter(), Counter(), Counter(), 0
    files = read_csv(scenario.files_csv)
    for r in files:
        if r["expected_status"] != "loaded":
            continue
        path = (
            scenario.delivery_dir(date.fromisoformat(r["delivery_date"]))
            / r["source"]
            / (r["file_name"])
        )
        suffixes[(r["source"], path.suffix)] += 1
        if path.suffix != ".csv":
            continue
        data = path.read_bytes()
        boms += data.startswith(b"\xef\xbb\xbf")
        text, encoding = decode(data)
        first = text.splitlines()[0]
        delimiter = ";" if first.count(";") > first.count(",") else ","
        encodings[(r["source"], encoding)] += 1
        delimiters[(r["source"], delimiter)] += 1
    assert suffixes[("village_submissions", ".xlsx")] and suffixes[("village_submissions", ".csv")]
    assert delimiters[("village_submissions", ",")] and delimiters[("village_submissions", ";")]
    assert encodings[("village_submissions", "cp1252")] and boms
    assert delimiters[("member_exports", ",")] == 0
