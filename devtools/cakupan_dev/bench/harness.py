"""The province-scale benchmark: ``cakupan bench`` / ``make bench`` (docs/performance.md).

For each engine it runs the real job, ``cakupan run``, as a child process on a generated
landing set (:mod:`cakupan_dev.generate.bench`): day 1 cold, then day 2's increment. Each run's
wall time and peak RSS (its own ``VmHWM``, polled) come from the operating system, the
stages' times from the tasks themselves (``CAKUPAN_METRICS_FILE``, see
:mod:`cakupan.timing`). The ledger is then compared with what the generator injected, so a
fast run that lost rows fails.
The same files then go through the two baselines (:mod:`cakupan_dev.bench.baselines`) and
the dlt peer (:mod:`cakupan_dev.bench.dlt_runner`, dlt in a virtualenv of its own); an empty
``cakupan run`` gives the job's fixed cost; and the poverty register is run again at 2x and
4x its rows to show memory stays flat.

Everything lands under ``--out`` (default ``data/bench``); PostgreSQL work happens in a
database created for the run and dropped after it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from cakupan.logs import get_logger
from cakupan.settings import load_settings
from cakupan.timing import VALIDATION_PHASES
from cakupan_dev.bench.baselines import InputFile, bare_load, peer_load
from cakupan_dev.bench.dlt_runner import DltEnv, dlt_env, dlt_load
from cakupan_dev.generate.bench import SOURCES, BenchSet, generate_bench

log = get_logger(__name__)

ENGINES = ("duckdb", "postgresql")
CSV_SOURCES = ("poverty_lists", "member_exports")
INGEST_STAGES = ("discover", "load", "reconcile")
POVERTY_FACTORS = (1, 2, 4)
DEFAULT_PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


class BenchFailed(RuntimeError):
    """The pipeline failed or its ledger disagrees with the generated set."""


@dataclass
class Run:
    """One ``cakupan run`` of one day: wall time, peak memory and the tasks' own timings."""

    wall_s: float
    peak_rss_mb: float
    tasks: list[dict[str, Any]]

    def stage_seconds(self) -> dict[str, float]:
        """Wall seconds per stage (``load poverty_lists``, ``snapshot``, ...), summed."""
        out: dict[str, float] = {}
        for task in self.tasks:
            name = task["stage"] + (f" {task['source']}" if task.get("source") else "")
            out[name] = out.get(name, 0.0) + task["wall_s"]
        return out

    def csv_ingest_s(self) -> float:
        """The CSV sources' discover, load and reconcile stages."""

        def is_csv(task: dict[str, Any]) -> bool:
            sources = task.get("sources") or [task.get("source")]
            return all(s in CSV_SOURCES for s in sources)

        return sum(t["wall_s"] for t in self.tasks if is_csv(t))

    def ingest_s(self) -> float:
        """The three sources' discover, load and reconcile stages (snapshot and report not)."""
        return sum(t["wall_s"] for t in self.tasks if t["stage"] in INGEST_STAGES)

    def validation_shares(self) -> dict[str, float]:
        """Per load stage: the share of its wall time spent deciding verdicts."""
        shares: dict[str, list[float]] = {}
        for task in self.tasks:
            if task["stage"] != "load":
                continue
            spent = sum(task["phases_s"].get(p, 0.0) for p in VALIDATION_PHASES)
            totals = shares.setdefault(task["source"], [0.0, 0.0])
            totals[0] += spent
            totals[1] += task["wall_s"]
        return {s: round(v / w, 3) for s, (v, w) in shares.items() if w}


@dataclass
class EngineResult:
    engine: str
    cold: Run
    increment: Run
    bare: dict[str, Any]
    peer: dict[str, Any] | None
    memory: dict[int, float] = field(default_factory=dict)  # poverty factor -> peak RSS MB
    dlt: dict[str, Any] | None = None  # dlt_runner.dlt_load's result
    empty: dict[str, float] | None = None  # empty_run's result
    linkage: dict[str, Any] | None = None  # linkage_quality's result on day 1

    def linkage_s(self) -> float | None:
        """The cold snapshot's probable-match model (core/065), seconds."""
        seconds = [
            t["phases_s"]["core/065_probable_match"]
            for t in self.cold.tasks
            if t["stage"] == "snapshot" and "core/065_probable_match" in t.get("phases_s", {})
        ]
        return round(sum(seconds), 1) if seconds else None

    def summary(self) -> dict[str, Any]:
        csv_s = self.cold.csv_ingest_s()
        ingest_s = self.cold.ingest_s()
        shares = self.cold.validation_shares()
        return {
            "cold_s": round(self.cold.wall_s, 1),
            "increment_s": round(self.increment.wall_s, 1),
            "peak_rss_mb": round(max(self.cold.peak_rss_mb, self.increment.peak_rss_mb), 0),
            "bare_load_ratio": round(csv_s / self.bare["seconds"], 2),
            "peer_ratio": round(self.peer["seconds"] / self.cold.wall_s, 2) if self.peer else None,
            "validation_share": max(shares.values()) if shares else None,
            "ingest_s": round(ingest_s, 1),
            "dlt_s": round(self.dlt["seconds"], 1) if self.dlt else None,
            "dlt_ratio": round(ingest_s / self.dlt["seconds"], 2) if self.dlt else None,
            "empty_run_s": round(self.empty["seconds"], 1) if self.empty else None,
            "linkage_s": self.linkage_s(),
            "linkage_precision": self.linkage["precision"] if self.linkage else None,
            "linkage_recall": self.linkage["recall"] if self.linkage else None,
        }


# --------------------------------------------------------------------------- running


def _cakupan_command() -> list[str]:
    script = Path(sys.executable).with_name("cakupan")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "cakupan.cli"]


def run_day(landing: Path, as_of: dt.date, url: str, workdir: Path) -> Run:
    """``cakupan run`` for one date in a child process; its log goes to ``workdir``."""
    metrics = workdir / f"metrics-{as_of}.jsonl"
    metrics.unlink(missing_ok=True)
    env = {
        **os.environ,
        "CAKUPAN_DATA_DIR": str(workdir / "data"),
        "CAKUPAN_WAREHOUSE_URL": url,
        "CAKUPAN_METRICS_FILE": str(metrics),
    }
    command = [*_cakupan_command(), "run", "--landing", str(landing), "--as-of", str(as_of)]
    began = time.perf_counter()
    with (workdir / f"run-{as_of}.log").open("wb") as out:
        child = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT)
        peak_kib = 0
        while child.poll() is None:
            peak_kib = max(peak_kib, _high_water_kib(child.pid))
            time.sleep(0.1)
    wall = time.perf_counter() - began
    if child.returncode != 0:
        raise BenchFailed(f"cakupan run --as-of {as_of} exited {child.returncode}; see {out.name}")
    lines = metrics.read_text(encoding="utf-8").splitlines() if metrics.exists() else []
    tasks = [json.loads(line) for line in lines]
    run = Run(wall_s=wall, peak_rss_mb=peak_kib / 1024, tasks=tasks)
    log.info("bench_day_ran", as_of=str(as_of), wall_s=round(wall, 1), rss_mb=run.peak_rss_mb)
    return run


def _high_water_kib(pid: int) -> int:
    """The process's peak resident set so far (``VmHWM``, KiB), 0 once it is gone.

    Read from /proc while the child runs, not from ``wait4``: the kernel carries the
    parent's peak over a fork and exec into the child's ``ru_maxrss``, so a bench process
    that had grown (the peer holds whole files in pandas) would be reported as the child's.
    ``VmHWM`` belongs to the child's own address space, and being a high-water mark a
    poll every 0.1 s misses only what the last tenth of a second before exit adds.
    """
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (FileNotFoundError, ProcessLookupError, ValueError):
        pass
    return 0


def check_ledger(
    url: str, bench: BenchSet, day: dt.date, sources: tuple[str, ...] = SOURCES
) -> None:
    """The ledger's counts for ``day`` equal what the generator put into the files of
    ``sources`` (a file the run left waiting fails the bench, not a figure)."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT source, SUM(rows_read) AS r, SUM(rows_loaded) AS l, "
                    "SUM(rows_rejected) AS j FROM staging.file_ledger "
                    "WHERE received_date = :d GROUP BY source"
                ),
                {"d": day},
            ).all()
    finally:
        engine.dispose()
    found = {r.source: (int(r.r), int(r.l), int(r.j)) for r in rows}
    for source, want in bench.expected(day).items():
        if source not in sources:
            continue
        expected = (want["rows_read"], want["rows_loaded"], want["rows_rejected"])
        if found.get(source, (0, 0, 0)) != expected:
            raise BenchFailed(
                f"{day} {source}: ledger read/loaded/rejected {found.get(source)} but the "
                f"generated files hold {expected}"
            )


def _inputs(bench: BenchSet, day: dt.date, kinds: tuple[str, ...]) -> list[InputFile]:
    return [
        InputFile(f.source, f.path, f.kind, f.delimiter, f.encoding)
        for f in bench.files(day)
        if f.kind in kinds
    ]


@contextmanager
def warehouse(engine: str, workdir: Path, pg_admin_url: str) -> Iterator[str]:
    """A brand-new, empty warehouse URL for one engine, removed afterwards (PostgreSQL)."""
    if engine == "duckdb":
        path = workdir / "warehouse.duckdb"
        path.unlink(missing_ok=True)
        yield f"duckdb:///{path}"
        return
    name = f"cakupan_bench_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield sa.engine.make_url(pg_admin_url).set(database=name).render_as_string(False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


def bench_engine(
    engine: str,
    bench: BenchSet,
    out: Path,
    pg_admin_url: str,
    with_peer: bool = True,
    dlt: DltEnv | None = None,
) -> EngineResult:
    """Cold day, increment, bare load, peer, dlt (given its virtualenv) and the empty run."""
    workdir = out / engine
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    landing = workdir / "landing"
    day1, day2 = bench.days
    with warehouse(engine, workdir, pg_admin_url) as url:
        bench.deliver(day1, landing)
        cold = run_day(landing, day1, url, workdir)
        check_ledger(url, bench, day1)
        linkage = linkage_quality(url, bench)
        bench.deliver(day2, landing)
        increment = run_day(landing, day2, url, workdir)
        check_ledger(url, bench, day2)
        bare = bare_load(url, _inputs(bench, day1, ("csv",)))
        peer = peer_load(url, _inputs(bench, day1, ("xlsx", "csv"))) if with_peer else None
        dlt_result = None
        if dlt is not None:
            dlt_result = dlt_load(url, _inputs(bench, day1, ("xlsx", "csv")), dlt, workdir / "dlt")
            want = sum(f.rows for f in bench.files(day1))
            if dlt_result["rows"] != want:
                raise BenchFailed(f"dlt loaded {dlt_result['rows']:,} rows of {want:,}")
    empty = empty_run(engine, day1, workdir / "empty", pg_admin_url)
    return EngineResult(
        engine=engine,
        cold=cold,
        increment=increment,
        bare={"seconds": bare.seconds, "rows": bare.rows, **bare.parts},
        peer={"seconds": peer.seconds, "rows": peer.rows, **peer.parts} if peer else None,
        dlt=dlt_result,
        empty=empty,
        linkage=linkage,
    )


def linkage_quality(url: str, bench: BenchSet) -> dict[str, Any]:
    """Precision and recall of day 1's probable matches against the injected NIK typos.

    core.probable_match holds the date built last (day 1 here). A proposed NIK counts as
    linked when its best member candidate reaches ``linkage.min_probability``: right when
    that is the true NIK of an injected typo. Precision is over every such link (a link
    of a look-alike or of anyone else is wrong), recall over the injected typos.
    """
    threshold = load_settings().linkage.min_probability
    truth = (bench.out / bench.data()["linkage"]["truth"]).read_text(encoding="utf-8")
    typos: dict[str, str] = {}
    lookalikes: set[str] = set()
    for line in truth.splitlines()[1:]:
        kind, proposed, member, _village = line.split(",")
        if kind == "typo":
            typos[proposed] = member
        else:
            lookalikes.add(proposed)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                sa.text(
                    "SELECT nik, candidate_nik FROM ("
                    " SELECT nik, candidate_nik, ROW_NUMBER() OVER ("
                    "  PARTITION BY nik ORDER BY match_probability DESC, candidate_nik) AS pick"
                    " FROM core.probable_match"
                    " WHERE candidate_source = 'member_exports' AND match_probability >= :t"
                    ") AS ranked WHERE pick = 1"
                ),
                {"t": threshold},
            ).all()
    finally:
        engine.dispose()
    best = {nik: candidate for nik, candidate in found}
    right = sum(1 for typed, true in typos.items() if best.get(typed) == true)
    return {
        "typos": len(typos),
        "lookalikes": len(lookalikes),
        "links": len(best),
        "right": right,
        "lookalikes_linked": len(lookalikes & set(best)),
        "precision": round(right / len(best), 4) if best else None,
        "recall": round(right / len(typos), 4) if typos else None,
        "threshold": threshold,
    }


def empty_run(engine: str, as_of: dt.date, workdir: Path, pg_admin_url: str) -> dict[str, float]:
    """The job's fixed cost: ``cakupan run`` on a landing folder of three empty source folders.

    Twice on a fresh warehouse: the first run also creates the warehouse's tables and the
    report's caches (``first_s``), the second is what every day pays (``seconds``).
    """
    workdir.mkdir(parents=True, exist_ok=True)
    landing = workdir / "landing"
    for source in SOURCES:
        (landing / source).mkdir(parents=True, exist_ok=True)
    with warehouse(engine, workdir, pg_admin_url) as url:
        first = run_day(landing, as_of, url, workdir)
        again = run_day(landing, as_of, url, workdir)
    return {"seconds": again.wall_s, "first_s": first.wall_s, "peak_rss_mb": again.peak_rss_mb}


def poverty_memory(scale: float, out: Path, factor: int) -> dict[str, float]:
    """Peak RSS (MB), wall and register load seconds of ``cakupan run`` on DuckDB with only
    the poverty register, at ``factor`` times its rows."""
    bench = generate_bench(out / f"set-poverty-x{factor}", scale=scale, poverty_factor=factor)
    workdir = out / f"memory-x{factor}"
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    day1 = bench.days[0]
    bench.deliver(day1, workdir / "landing", sources=("poverty_lists",))
    with warehouse("duckdb", workdir, "") as url:
        run = run_day(workdir / "landing", day1, url, workdir)
        check_ledger(url, bench, day1, sources=("poverty_lists",))
    return {
        "rows": bench.expected(day1)["poverty_lists"]["rows_read"],
        "peak_rss_mb": round(run.peak_rss_mb, 0),
        "wall_s": round(run.wall_s, 1),
        "load_s": round(run.stage_seconds().get("load poverty_lists", 0.0), 1),
    }


def run_bench(
    scale: float,
    out: Path,
    engines: tuple[str, ...] = ENGINES,
    pg_admin_url: str = DEFAULT_PG_ADMIN_URL,
    with_peer: bool = True,
    memory_factors: tuple[int, ...] = POVERTY_FACTORS,
    dlt_root: Path | None = None,
) -> dict[str, Any]:
    """The whole benchmark; returns everything measured (the JSON line is its summary).

    ``dlt_root`` holds the dlt peer's virtualenv (built there once); None skips the peer.
    """
    out.mkdir(parents=True, exist_ok=True)
    dlt = dlt_env(dlt_root) if dlt_root is not None else None
    began = time.perf_counter()
    bench = generate_bench(out / "set", scale=scale)
    generated_s = time.perf_counter() - began
    results = {e: bench_engine(e, bench, out, pg_admin_url, with_peer, dlt) for e in engines}
    memory = {f: poverty_memory(scale, out, f) for f in memory_factors}
    return {
        "scale": scale,
        "generated_s": round(generated_s, 1),
        "set": bench.data()["expected"],
        "results": results,
        "memory": memory,
        "dlt_env": {"setup_s": dlt.setup_s, "pins": list(dlt.pins)} if dlt else None,
    }
