"""Day-by-day time of the member models, rebuilt (before) against kept and merged (after).

Not a test: the measurement behind docs/performance.md, "The member state, built
incrementally". It stages a synthetic member export a day in the bench's shape (a full
export of N KPJs on day 1, 2 % new accounts a day, rows in no KPJ order, each with its
ledger entry), then for each day times ``core/030`` and ``core/040`` as they are now and
as they were at ``--before`` (read from git, run against a copy of the old table), and
checks that both give the same state and coverage. After the last day it times a
backfill to day 2, the next day forward again and a re-run.

    .venv/bin/python docs/measure_member_state.py --kpjs 500000 --days 5 \
        --url postgresql+psycopg://postgres@127.0.0.1/an_empty_database

The URL must name an empty warehouse (a fresh DuckDB file or PostgreSQL database).
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import re
import subprocess
import sys
import time
from collections.abc import Mapping
from typing import Any

import numpy as np
import pyarrow as pa
import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from cakupan.marts.snapshot import snapshot_params
from cakupan.paths import PROJECT_ROOT
from cakupan.settings import load_settings
from cakupan.warehouse.bulk import bulk_insert
from cakupan.warehouse.engine import create_warehouse_engine
from cakupan.warehouse.schema import ensure_schema, village_codes
from cakupan.warehouse.sqlfiles import run_file

MODELS = ("core/030_member_state.sql", "core/040_member_coverage.sql")
OLD_STATE = """CREATE TABLE IF NOT EXISTS core.member_state (
    snapshot_date DATE NOT NULL, kpj VARCHAR NOT NULL, nik VARCHAR NOT NULL,
    segment VARCHAR NOT NULL, status VARCHAR NOT NULL, paid_through DATE NOT NULL,
    village_code VARCHAR)"""
STATE_COLUMNS = "kpj, nik, segment, status, paid_through, village_code"
FIRST_DAY = dt.date(2025, 7, 1)


def old_statements(rev: str, relpath: str) -> list[str]:
    """The statements of a model file as it was at ``rev`` (split as sqlfiles does)."""
    text = subprocess.run(
        ["git", "show", f"{rev}:include/sql/{relpath}"],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    text = re.sub(r"--[^\n]*", "", text)
    return [p.strip() for p in re.split(r";\s*(?:\n|$)", text) if p.strip()]


def stage_day(engine: Engine, day: int, kpjs: int, rng: np.random.Generator) -> int:
    """One day's full export with its ledger entry; returns its row count."""
    received = FIRST_DAY + dt.timedelta(days=day)
    n = int(kpjs * (1 + 0.02 * day))
    ids = rng.permutation(n)
    name = f"export-{received}.csv"
    sha = hashlib.sha256(name.encode()).hexdigest()
    villages = np.array([*sorted(village_codes()), *[None] * 500], dtype=object)
    months = rng.integers(0, 9, size=n)
    rows = pa.table(
        {
            "sha256": [sha] * n,
            "file_name": [name] * n,
            "received_date": [received] * n,
            "row_number": np.arange(n) + 2,
            "kpj": [f"{10_000_000_000 + i}" for i in ids],
            "nik": [f"1612{(i * 7919) % 10**12:012d}" for i in ids * 10 // 11],
            "name": ["X"] * n,
            "segment": ["BPU"] * n,
            "status": rng.choice(["AKTIF", "NONAKTIF", "KELUAR"], size=n, p=[0.7, 0.2, 0.1]),
            "paid_through": [dt.date(2025, 1 + int(m), 1) for m in months],
            "enrolled_on": pa.nulls(n, pa.date32()),
            "exported_on": [received] * n,
            "village_code": rng.choice(villages, size=n),
            "payer": ["MANDIRI"] * n,
            "nik_birth_date_mismatch": [False] * n,
            "nik_sex_mismatch": [False] * n,
            "nik_outside_province": [False] * n,
        }
    )
    ledger = {
        "source": "member_exports",
        "file_name": name,
        "sha256": sha,
        "received_date": received,
        "status": "loaded",
        "error": None,
        "rows_read": n,
        "rows_loaded": n,
        "rows_rejected": 0,
        "rejected_by_reason": "{}",
        "flags_by_reason": "{}",
        "header_row": 1,
        "run_id": "measure",
        "loaded_at": dt.datetime.now(),
    }
    with engine.begin() as conn:
        bulk_insert(conn, "staging.member_exports", rows)
        bulk_insert(conn, "staging.file_ledger", pa.Table.from_pylist([ledger]))
    with engine.begin() as conn:  # as reconcile does after a load
        conn.execute(sa.text("ANALYZE staging.member_exports"))
        conn.execute(sa.text("ANALYZE staging.file_ledger"))
    return n


def timed(engine: Engine, as_of: dt.date, old: Mapping[str, list[str]] | None) -> list[float]:
    """Seconds of each member model for ``as_of``, in one transaction as in a snapshot."""
    params = snapshot_params(as_of, load_settings())
    seconds = []
    with engine.begin() as conn:
        for relpath in MODELS:
            began = time.perf_counter()
            if old is None:
                run_file(conn, relpath, params)
            else:
                for stmt in old[relpath]:
                    bound = {k: v for k, v in params.items() if f":{k}" in stmt}
                    conn.execute(sa.text(stmt), bound)
            seconds.append(time.perf_counter() - began)
    return seconds


def scalar(conn: Connection, sql: str) -> Any:
    return conn.execute(sa.text(sql)).scalar()


def same_result(engine: Engine, coverage_after: int) -> None:
    """The kept state equals the old model's for the date, and so does the coverage count."""
    with engine.connect() as conn:
        for a, b in (("member_state", "member_latest"), ("member_latest", "member_state")):
            missing = scalar(
                conn,
                f"SELECT COUNT(*) FROM (SELECT {STATE_COLUMNS} FROM core.{a} "
                f"EXCEPT SELECT {STATE_COLUMNS} FROM core.{b}) AS d",
            )
            assert missing == 0, f"{missing} rows of core.{a} not in core.{b}"
        counts = [
            scalar(conn, f"SELECT COUNT(*) FROM core.{t}")
            for t in ("member_state", "member_latest")
        ]
        assert counts[0] == counts[1], counts
        assert scalar(conn, "SELECT COUNT(*) FROM core.member_coverage") == coverage_after


def build_both(engine: Engine, as_of: dt.date, old: Mapping[str, list[str]]) -> str:
    after = timed(engine, as_of, None)
    with engine.connect() as conn:
        plan = scalar(conn, "SELECT merge_after FROM core.member_build")
        coverage = scalar(conn, "SELECT COUNT(*) FROM core.member_coverage")
    before = timed(engine, as_of, old)
    same_result(engine, coverage)
    return (
        f"before {before[0]:6.2f} {before[1]:6.2f}   after {after[0]:6.2f} {after[1]:6.2f}"
        f"   merge_after={plan}"
    )


def say(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="an empty warehouse")
    parser.add_argument("--kpjs", type=int, default=150_000, help="KPJs in day 1's export")
    parser.add_argument("--days", type=int, default=6)
    parser.add_argument("--before", default="5ea8071", help="git revision of the old models")
    args = parser.parse_args()
    engine = create_warehouse_engine(args.url)
    ensure_schema(engine)
    with engine.begin() as conn:
        conn.execute(sa.text(OLD_STATE))
    old = {relpath: old_statements(args.before, relpath) for relpath in MODELS}
    rng = np.random.default_rng(7)
    staged = 0
    say(f"{engine.dialect.name}, {args.kpjs:,} KPJs: seconds of core/030 and core/040")
    for day in range(args.days):
        staged += stage_day(engine, day, args.kpjs, rng)
        as_of = FIRST_DAY + dt.timedelta(days=day)
        say(f"day {day + 1} ({staged:>10,} rows staged)  {build_both(engine, as_of, old)}")
    last = FIRST_DAY + dt.timedelta(days=args.days - 1)
    for label, as_of in (
        ("backfill to day 2", FIRST_DAY + dt.timedelta(days=1)),
        (f"forward to day {args.days}", last),
        (f"re-run of day {args.days}", last),
    ):
        say(f"{label:>32}  {build_both(engine, as_of, old)}")
    engine.dispose()


if __name__ == "__main__":
    main()
