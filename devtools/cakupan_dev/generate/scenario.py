"""A whole multi-day scenario: landing files per delivery day plus the ground truth.

The truth is written from the generator's own intent (which row carries which defect), not
by running the pipeline, so a test can compute expected marts independently of it.

``out/truth/`` (UTF-8, comma, one header line; rows sorted by delivery date, file, row):

* ``files.csv``: delivery_date, source, file_name, expected_status (loaded |
  skipped_duplicate | rejected_file), note, sha256. One row per delivered file; a name
  delivered twice (an overwrite) has two rows.
* ``submission_rows.csv``: delivery_date, file_name, row_number, nik, village_code,
  submitted_on, birth_date, sex, expected_reason, expected_flags, nik_as_written, variant.
* ``poverty_rows.csv``: delivery_date, file_name, row_number, nik, village_code, decile,
  expected_reason, expected_flags, nik_as_written, variant.
* ``member_rows.csv``: delivery_date, file_name, row_number, kpj, nik, segment, status,
  paid_through, exported_on, village_code, expected_reason, expected_flags, payer,
  nik_as_written, kpj_as_written, variant.

Every data row of a loaded file has exactly one truth row (all-empty rows have none but
keep their number; the header is row 1). ``nik`` / ``kpj`` are the person's true
identifiers; ``*_as_written`` is the cell's text (a number cell: its digits). The other
values are what the file says, cleaned: ``village_code`` without dots ("" when empty, and
the bad code on an ``unknown_village`` row); ``submitted_on`` / ``exported_on`` the
delivery date when the column is absent or the cell empty, "" when unparseable;
``birth_date``, ``paid_through`` (YYYY-MM) "" when empty or unparseable; ``sex`` L/P or
""; ``decile``, ``segment``, ``status`` as written. ``expected_reason`` is the first
reason of CONTRACT §3 ("" = loads); ``expected_flags`` (";"-joined, only on loading rows)
compares NIK digits 7-12 with the row's birth date after taking 40 off a day above 40, so
a wrong sex gives nik_sex_mismatch alone. ``variant`` names the generator's defect.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import random
import shutil
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from operator import itemgetter
from pathlib import Path

from cakupan.logs import get_logger
from cakupan_dev.generate import members, poverty, submissions
from cakupan_dev.generate.model import Ctx, TruthRow
from cakupan_dev.generate.people import PeopleFactory
from cakupan_dev.generate.region import load_region
from cakupan_dev.generate.workdays import delivery_days

log = get_logger(__name__)

SOURCES = ("village_submissions", "poverty_lists", "member_exports")
FILES_COLUMNS = ("delivery_date", "source", "file_name", "expected_status", "note", "sha256")
TRUTH_FILES = {
    "village_submissions": ("submission_rows.csv", submissions.TRUTH_COLUMNS),
    "poverty_lists": ("poverty_rows.csv", poverty.TRUTH_COLUMNS),
    "member_exports": ("member_rows.csv", members.TRUTH_COLUMNS),
}
GENERATOR_VERSION = 1


@dataclass(frozen=True)
class Scenario:
    """Where a generated scenario lives; ``days`` are the delivery (= received) dates."""

    out: Path
    days: list[date]
    regencies: tuple[str, ...]
    seed: int
    scale: float
    files_csv: Path
    submission_rows_csv: Path
    poverty_rows_csv: Path
    member_rows_csv: Path
    manifest: Path

    def delivery_dir(self, day: date) -> Path:
        """``deliveries/<day>/``, holding one subfolder per source."""
        return self.out / "deliveries" / day.isoformat()

    def deliver(self, day: date, landing: Path) -> list[Path]:
        """Copy day ``day``'s files into a landing zone, as the villages' uploads would."""
        copied: list[Path] = []
        src_root = self.delivery_dir(day)
        for src in sorted(src_root.rglob("*")):
            if src.is_file():
                dst = landing / src.relative_to(src_root)
                dst.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dst)
                delivered_at(dst, day)  # it arrived that morning: settled by the run
                copied.append(dst)
        return copied


def delivered_at(path: Path, day: date) -> None:
    """Date a delivered file 04:00 WIB of its delivery day, before the 05:00 ingest, as a
    real delivery would be: it has settled (``landing.settle_seconds``) by any run."""
    wib = timezone(timedelta(hours=7))
    stamp = datetime(day.year, day.month, day.day, 4, tzinfo=wib).timestamp()
    os.utime(path, (stamp, stamp))


def _write_truth(path: Path, columns: Sequence[str], rows: list[TruthRow]) -> None:
    rows.sort(key=itemgetter(0, 1, 2))  # delivery date, file name, row number
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)


def _counts(rows: list[TruthRow], columns: Sequence[str]) -> dict[str, dict[str, int]]:
    """Rows by expected reason ("loaded" when none) and flags, for the manifest."""
    reason_at, flags_at = columns.index("expected_reason"), columns.index("expected_flags")
    reasons: Counter[str] = Counter()
    flags: Counter[str] = Counter()
    for row in rows:
        reasons[str(row[reason_at]) or "loaded"] += 1
        if row[flags_at]:
            flags.update(str(row[flags_at]).split(";"))
    return {"rows": dict(sorted(reasons.items())), "flags": dict(sorted(flags.items()))}


def generate_scenario(
    out: Path,
    regencies: Sequence[str] = ("1612", "1603", "1606"),
    days: int = 5,
    seed: int = 7,
    scale: float = 1.0,
    start: date = date(2025, 5, 26),
    progress: Callable[[str], None] | None = None,
) -> Scenario:
    """Write a reproducible scenario under ``out`` (its deliveries/ and truth/ are replaced).

    ``days`` counts delivery days: working days from ``start``, skipping national holidays.
    ``scale`` multiplies people and rows, never villages or regencies.
    """
    began = time.perf_counter()
    out = Path(out)
    if scale <= 0:
        raise ValueError("scale must be positive")

    def say(message: str) -> None:
        if progress is not None:
            progress(message)
        else:
            log.info("generate", step=message)

    region = load_region()
    regencies = tuple(str(r) for r in regencies)
    region.check_regencies(regencies)
    day_list = delivery_days(start, days)
    factory = PeopleFactory(random.Random(f"cakupan:{seed}:people"), region)
    ctx = Ctx(
        seed=seed, region=region, factory=factory, days=day_list, regencies=regencies, scale=scale
    )

    say(f"village submissions for {', '.join(regencies)} over {len(day_list)} days")
    sub_result = submissions.SubmissionBuilder(ctx).build()
    say(f"poverty lists: {len(sub_result.persons)} proposed workers and their neighbours")
    pov_builder = poverty.PovertyBuilder(ctx, sub_result.persons)
    poverty_truth = pov_builder.build()
    say("member exports")
    member_truth = members.MemberBuilder(
        ctx, sub_result.persons, sub_result.proposals, pov_builder.others
    ).build()

    for sub in ("deliveries", "truth"):
        shutil.rmtree(out / sub, ignore_errors=True)
    files_rows: list[dict[str, str]] = []
    for f in ctx.files:
        day = day_list[f.day]
        path = out / "deliveries" / day.isoformat() / f.source / f.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(f.data)
        files_rows.append(
            {
                "delivery_date": day.isoformat(),
                "source": f.source,
                "file_name": f.name,
                "expected_status": f.status,
                "note": f.note,
                "sha256": hashlib.sha256(f.data).hexdigest(),
            }
        )
    say(f"wrote {len(ctx.files)} landing files")

    truth_dir = out / "truth"
    truth_dir.mkdir(parents=True, exist_ok=True)
    files_rows.sort(key=lambda r: (r["delivery_date"], SOURCES.index(r["source"]), r["file_name"]))
    with (truth_dir / "files.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(FILES_COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(files_rows)
    truths = {
        "village_submissions": sub_result.truth,
        "poverty_lists": poverty_truth,
        "member_exports": member_truth,
    }
    counts: dict[str, dict[str, dict[str, int]]] = {}
    for source, rows in truths.items():
        name, columns = TRUTH_FILES[source]
        _write_truth(truth_dir / name, columns, rows)
        counts[source] = _counts(rows, columns)
    manifest = {
        "generator_version": GENERATOR_VERSION,
        "seed": seed,
        "regencies": list(regencies),
        "days": [d.isoformat() for d in day_list],
        "start": start.isoformat(),
        "scale": scale,
        "counts": {
            "files": {
                source: dict(
                    sorted(
                        Counter(
                            r["expected_status"] for r in files_rows if r["source"] == source
                        ).items()
                    )
                )
                for source in SOURCES
            },
            "rows": {source: c["rows"] for source, c in counts.items()},
            "flags": {source: c["flags"] for source, c in counts.items()},
            "villages_submitting": len({v.code for f in sub_result.files for v in f.villages}),
            "workers_in_submissions": len(sub_result.persons),
        },
    }
    manifest_path = out / "manifest.json"
    manifest_path.write_text(
        json.dumps(manifest, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    for day in day_list:  # dated their delivery morning, also when copied with `cp -a`
        for path in (out / "deliveries" / day.isoformat()).rglob("*"):
            if path.is_file():
                delivered_at(path, day)
    say(f"scenario ready in {time.perf_counter() - began:.1f}s")
    return Scenario(
        out=out,
        days=day_list,
        regencies=regencies,
        seed=seed,
        scale=scale,
        files_csv=truth_dir / "files.csv",
        submission_rows_csv=truth_dir / "submission_rows.csv",
        poverty_rows_csv=truth_dir / "poverty_rows.csv",
        member_rows_csv=truth_dir / "member_rows.csv",
        manifest=manifest_path,
    )
