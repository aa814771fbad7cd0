"""Expected mart values computed from the generator's truth, independently of the pipeline.

A second, plain-Python reading of CONTRACT §4 over ``truth/*.csv``: no SQL, no pipeline
code. Only the shipped reference list and settings defaults are shared inputs.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections import Counter, defaultdict
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

from cakupan.paths import REFERENCE_DIR
from tests import runs

MIN_AGE, MAX_AGE, GRACE, POOR_MAX, VILLAGE_TARGET = 15, 65, 3, 5, 100
CONTRIBUTION = 16800  # contribution_idr_per_month
COUNT_KEYS = (
    "workers_proposed",
    "workers_eligible",
    "workers_enrolled",
    "workers_covered",
    "workers_in_arrears",
    "rows_rejected",
    "poor_listed",
    "poor_covered",
    # CONTRACT §5.1. workers_probably_covered is never counted: 0 while the generator
    # writes no mistyped NIK, so no proposed worker has a probable match.
    "workers_probably_covered",
    "workers_awaiting_enrolment",
    "workers_paid_by_village",
)
DEADLINES = {"1612": dt.date(2025, 5, 30)}
WORKFORCE = {"1612": 50000}


def pct(a: int, b: int | None) -> Decimal | None:
    """a / b as a percentage with 2 decimals, half rounded up, exactly (no floats)."""
    if not b:
        return None
    hundredths = Fraction(10000 * a, b)
    return (Decimal(int(hundredths + Fraction(1, 2))) / 100).quantize(Decimal("0.01"))


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _d(text: str) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _age(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _month(text: str) -> int:
    year, month = text[:7].split("-")
    return int(year) * 12 + int(month)


class Oracle:
    def __init__(self, truth_dir: Path) -> None:
        self.files = _read(truth_dir / "files.csv")
        self.subs = _read(truth_dir / "submission_rows.csv")
        self.poverty = _read(truth_dir / "poverty_rows.csv")
        self.members = _read(truth_dir / "member_rows.csv")
        self.villages = {r["code"]: r for r in _read(REFERENCE_DIR / "desa.csv")}

    def coverage(self, day: dt.date) -> dict[str, dict]:
        """Expected mart rows on ``day``: village rows by code, regency rows, province."""
        iso = day.isoformat()
        loaded_subs = [
            r
            for r in self.subs
            if r["delivery_date"] <= iso and not r["expected_reason"] and r["submitted_on"] <= iso
        ]
        # Proposed: earliest submitted_on, then received date, then lowest village code.
        kept: dict[str, dict] = {}
        for r in sorted(
            loaded_subs,
            key=lambda r: (
                r["submitted_on"],
                r["delivery_date"],
                r["village_code"],
                r["file_name"],
                int(r["row_number"]),
            ),
        ):
            kept.setdefault(r["nik"], r)
        first_sub: dict[str, str] = {}
        for r in loaded_subs:
            v = r["village_code"]
            first_sub[v] = min(first_sub.get(v, r["submitted_on"]), r["submitted_on"])
        # Member state per KPJ: latest exported_on, then latest received date.
        state: dict[str, dict] = {}
        rows = [r for r in self.members if r["delivery_date"] <= iso and not r["expected_reason"]]
        for r in sorted(
            rows,
            key=lambda r: (
                r["exported_on"],
                r["delivery_date"],
                r["file_name"],
                int(r["row_number"]),
            ),
        ):
            state[r["kpj"]] = r
        month = day.year * 12 + day.month
        covered: dict[str, str | None] = {}
        paid_by_village: set[str] = set()  # a covering KPJ's payer is APBDES
        grace: set[str] = set()
        enrolled: set[str] = set()
        for r in state.values():
            enrolled.add(r["nik"])
            aktif = r["status"] == "AKTIF"
            if aktif and _month(r["paid_through"]) >= month:
                village = r["village_code"] or None
                prev = covered.get(r["nik"])
                covered[r["nik"]] = (
                    min(v for v in (prev, village) if v) if (prev or village) else None
                )
                if r["payer"] == "APBDES":
                    paid_by_village.add(r["nik"])
            elif aktif and _month(r["paid_through"]) >= month - GRACE:
                grace.add(r["nik"])
        arrears = grace - set(covered)
        # Poverty: latest row per NIK.
        latest_pov: dict[str, dict] = {}
        pov_rows = [
            r for r in self.poverty if r["delivery_date"] <= iso and not r["expected_reason"]
        ]
        for r in sorted(
            pov_rows, key=lambda r: (r["delivery_date"], r["file_name"], int(r["row_number"]))
        ):
            latest_pov[r["nik"]] = r
        # Per village counts.
        village_rows: dict[str, dict] = {}
        counts: dict[str, Counter] = defaultdict(Counter)
        for nik, r in kept.items():
            c = counts[r["village_code"]]
            c["workers_proposed"] += 1
            if MIN_AGE <= _age(_d(r["birth_date"]), _d(r["submitted_on"])) < MAX_AGE:
                c["workers_eligible"] += 1
                c["workers_enrolled"] += nik in enrolled
                c["workers_covered"] += nik in covered
                c["workers_in_arrears"] += nik in arrears
                c["workers_awaiting_enrolment"] += nik not in enrolled
                c["workers_paid_by_village"] += nik in paid_by_village
        for r in self.subs:
            if (
                r["delivery_date"] <= iso
                and r["expected_reason"]
                and r["village_code"] in self.villages
            ):
                counts[r["village_code"]]["rows_rejected"] += 1
        for nik, r in latest_pov.items():
            if int(r["decile"]) <= POOR_MAX:
                counts[r["village_code"]]["poor_listed"] += 1
                counts[r["village_code"]]["poor_covered"] += nik in covered
        member_village: dict[str, str | None] = {}
        for nik, v in covered.items():
            member_village[nik] = (
                v
                or (kept[nik]["village_code"] if nik in kept else None)
                or (latest_pov[nik]["village_code"] if nik in latest_pov else None)
            )
        for v in member_village.values():
            if v:
                counts[v]["members_covered"] += 1
        for code, ref in self.villages.items():
            c = counts[code]
            regency = ref["kabupaten_code"]
            desa = ref["type"] == "desa"
            deadline = DEADLINES.get(regency)
            first = first_sub.get(code)
            status = (
                "missing"
                if first is None
                else "submitted"
                if deadline is None
                else "on_time"
                if _d(first) <= deadline
                else "late"
            )
            target = VILLAGE_TARGET if desa else None
            village_rows[code] = {
                **{k: c[k] for k in COUNT_KEYS},
                "target_workers": target,
                "village_budget_idr_per_year": VILLAGE_TARGET * CONTRIBUTION * 12 if desa else None,
                "target_attainment_pct": pct(c["workers_covered"], target),
                "coverage_pct": pct(c["workers_covered"], c["workers_eligible"]),
                "first_submitted_on": _d(first) if first else None,
                "submission_status": status,
                "_regency": regency,
                "_desa": desa,
                "_deadline": deadline is not None,
                "_members": c["members_covered"],
            }
        regencies: dict[str, dict] = {}
        for code in sorted({v["_regency"] for v in village_rows.values()}):
            mine = [v for v in village_rows.values() if v["_regency"] == code]
            regencies[code] = self._rollup(mine)
            regencies[code]["members_covered"] = sum(v["_members"] for v in mine)
            regencies[code]["workforce_estimate"] = WORKFORCE.get(code)
            regencies[code]["workforce_coverage_pct"] = pct(
                regencies[code]["members_covered"], WORKFORCE.get(code)
            )
        province = self._rollup(list(village_rows.values()))
        province["members_covered"] = len(covered)
        province["members_unattributed"] = sum(1 for v in member_village.values() if not v)
        province["workforce_coverage_pct"] = pct(len(covered), 3_000_000)
        duplicates = sorted(
            (kept[r["nik"]]["village_code"], r["village_code"])
            for r in {(r["nik"], r["village_code"]): r for r in loaded_subs}.values()
            if kept[r["nik"]]["village_code"] != r["village_code"]
        )
        return {
            "village": {
                k: {x: y for x, y in v.items() if not x.startswith("_")}
                for k, v in village_rows.items()
            },
            "regency": regencies,
            "province": province,
            "duplicates": duplicates,
        }

    @staticmethod
    def _rollup(villages: list[dict]) -> dict:
        out = {k: sum(v[k] for v in villages) for k in COUNT_KEYS}
        targets = [v["target_workers"] for v in villages if v["target_workers"] is not None]
        out["target_workers"] = sum(targets) if targets else None
        budgets = [b for v in villages if (b := v["village_budget_idr_per_year"]) is not None]
        out["village_budget_idr_per_year"] = sum(budgets) if budgets else None
        out["target_attainment_pct"] = pct(out["workers_covered"], out["target_workers"])
        out["coverage_pct"] = pct(out["workers_covered"], out["workers_eligible"])
        expected = [v for v in villages if v["_desa"]]
        out["villages_expected"] = len(expected)
        out["villages_submitted"] = sum(v["submission_status"] != "missing" for v in expected)
        out["villages_on_time"] = sum(v["submission_status"] == "on_time" for v in expected)
        out["reporting_rate_pct"] = pct(out["villages_submitted"], len(expected))
        out["on_time_rate_pct"] = pct(
            out["villages_on_time"], sum(1 for v in expected if v["_deadline"])
        )
        return out

    def data_quality(self, day: dt.date) -> dict[tuple[str, str], dict]:
        """Expected ledger rows of every file delivered up to ``day``."""
        iso = day.isoformat()
        rows_by_file: dict[str, list[dict]] = defaultdict(list)
        for source, rows in (
            ("village_submissions", self.subs),
            ("poverty_lists", self.poverty),
            ("member_exports", self.members),
        ):
            for r in rows:
                rows_by_file[(source, r["file_name"], r["delivery_date"])].append(r)
        out = {}
        for f in self.files:
            if f["delivery_date"] > iso:
                continue
            rows = rows_by_file.get((f["source"], f["file_name"], f["delivery_date"]), [])
            reasons = Counter(r["expected_reason"] for r in rows if r["expected_reason"])
            out[(f["source"], f["file_name"], f["sha256"])] = {
                "status": f["expected_status"],
                "received_date": _d(f["delivery_date"]),
                "rows_read": len(rows),
                "rows_rejected": sum(reasons.values()),
                "rows_loaded": len(rows) - sum(reasons.values()),
                "rejected_by_reason": dict(reasons),
            }
        return out


def check_against_truth(engine, oracle: Oracle, day: dt.date) -> None:
    """Every village, regency and province value of ``day`` in the marts equals the truth."""
    expected = oracle.coverage(day)
    villages = {
        r["village_code"]: r
        for r in runs.rows(
            engine, "SELECT * FROM mart.coverage_village WHERE snapshot_date = :d", d=day
        )
    }
    assert len(villages) == 3259
    for code, want in expected["village"].items():
        got = {k: villages[code][k] for k in want}
        assert got == want, f"{day} village {code}"
    regencies = {
        r["regency_code"]: r
        for r in runs.rows(
            engine, "SELECT * FROM mart.coverage_regency WHERE snapshot_date = :d", d=day
        )
    }
    for code, want in expected["regency"].items():
        got = {k: regencies[code][k] for k in want}
        assert got == want, f"{day} regency {code}"
    [province] = runs.rows(
        engine, "SELECT * FROM mart.coverage_province WHERE snapshot_date = :d", d=day
    )
    assert {k: province[k] for k in expected["province"]} == expected["province"]
    districts = runs.rows(
        engine, "SELECT * FROM mart.coverage_district WHERE snapshot_date = :d", d=day
    )
    assert len(districts) == 241
    assert sum(d["workers_covered"] for d in districts) == province["workers_covered"]
