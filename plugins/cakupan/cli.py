"""The ``cakupan`` command: run the DAGs for a date, generate a scenario, run the demo."""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from cakupan.paths import data_dir, warehouse_url

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from exc


def _say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _cmd_run(args: argparse.Namespace) -> int:
    from cakupan.runner import configure

    if not args.landing.is_dir():
        _say(f"landing folder not found: {args.landing}")
        return 2
    configure(args.landing, args.warehouse, args.settings, verbose=args.verbose)
    from cakupan.runner import DagRunner

    report = DagRunner().run_date(args.as_of)
    for dag_id, state in report.dag_states.items():
        _say(f"{dag_id}: {state}")
    if not report.ok:
        _say("failed tasks: " + ", ".join(report.failed_tasks))
        return 1
    return 0


def _cmd_generate(args: argparse.Namespace) -> int:
    from cakupan.generate import generate_scenario

    started = time.perf_counter()
    scenario = generate_scenario(
        args.out,
        regencies=args.regencies,
        days=args.days,
        seed=args.seed,
        scale=args.scale,
        progress=_say,
    )
    _say(
        f"scenario written to {scenario.out} ({len(scenario.days)} delivery days, "
        f"{time.perf_counter() - started:.1f} s)"
    )
    return 0


def replay_day(scenario_dir: Path, landing: Path, day: dt.date) -> int:
    """Copy one delivery day of a generated scenario into a landing folder."""
    copied = 0
    source_root = scenario_dir / "deliveries" / day.isoformat()
    for path in sorted(source_root.rglob("*")):
        if path.is_file():
            target = landing / path.relative_to(source_root)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
            copied += 1
    return copied


def _cmd_demo(args: argparse.Namespace) -> int:
    root = args.out.resolve()
    if root.exists():
        shutil.rmtree(root)
    scenario_dir, landing = root / "scenario", root / "landing"
    warehouse = f"duckdb:///{root / 'warehouse.duckdb'}"
    from cakupan.runner import configure

    configure(landing, warehouse, None, verbose=False)
    from cakupan.generate import generate_scenario
    from cakupan.runner import DagRunner
    from cakupan.summary import regency_table
    from cakupan.warehouse.engine import create_warehouse_engine

    _say(f"generating a {args.days}-day scenario for regencies {', '.join(args.regencies)} ...")
    scenario = generate_scenario(
        scenario_dir,
        regencies=args.regencies,
        days=args.days,
        seed=args.seed,
        scale=args.scale,
        progress=_say,
    )
    runner = DagRunner()
    for day in scenario.days:
        copied = replay_day(scenario_dir, landing, day)
        started = time.perf_counter()
        report = runner.run_date(day)
        status = "ok" if report.ok else "FAILED: " + ", ".join(report.failed_tasks)
        _say(
            f"{day.isoformat()}: {copied} new files, DAGs ran in "
            f"{time.perf_counter() - started:.1f} s, {status}"
        )
        if not report.ok:
            return 1
    _say("")
    _say(regency_table(create_warehouse_engine(warehouse), scenario.days[-1]))
    _say("")
    db = root / "warehouse.duckdb"
    _say(f"warehouse: {db}  (schema mart). Query it, e.g.:")
    _say(
        f"  .venv/bin/python -c \"import duckdb; print(duckdb.connect('{db}', "
        "read_only=True).sql('FROM mart.coverage_regency'))\""
    )
    _say(f"landing folder: {landing}")
    return 0


def _on_warehouse(
    warehouse: str | None, action: Callable[[Engine], int], *user_errors: type[Exception]
) -> int:
    """Run ``action`` on the warehouse, turning what a user can fix into exit 2 and a
    message: a missing DuckDB file, ``user_errors``; an unreadable warehouse is exit 1."""
    import sqlalchemy as sa

    from cakupan.warehouse.engine import create_warehouse_engine

    url = sa.engine.make_url(warehouse or warehouse_url())
    if url.get_backend_name() == "duckdb" and not Path(url.database or "").is_file():
        _say(f"warehouse not found: {url.database} (run cakupan run first)")
        return 2
    engine = create_warehouse_engine(url.render_as_string(hide_password=False))
    try:
        return action(engine)
    except user_errors as exc:
        _say(str(exc))
        return 2
    except sa.exc.DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0]
        _say(f"cannot read the warehouse {url.render_as_string(hide_password=True)}: {reason}")
        return 1
    finally:
        engine.dispose()


def _cmd_export_rejections(args: argparse.Namespace) -> int:
    from cakupan.exports import UnknownVillageError, export_village_rejections

    def export(engine: Engine) -> int:
        report = export_village_rejections(engine, args.village, args.out)
        v = report.village
        _say(f"{len(report.rows)} rejected rows of {v.name} ({v.code}) written to {args.out}")
        return 0

    return _on_warehouse(args.warehouse, export, UnknownVillageError)


def _cmd_report(args: argparse.Namespace) -> int:
    from cakupan.report import SnapshotNotFoundError, default_report_dir, write_report

    def report(engine: Engine) -> int:
        result = write_report(engine, args.as_of, args.out or default_report_dir())
        for path in result.paths:
            _say(f"written: {path}")
        return 0

    return _on_warehouse(args.warehouse, report, SnapshotNotFoundError)


def _cmd_bench(args: argparse.Namespace) -> int:
    import json

    from cakupan.bench.harness import DEFAULT_PG_ADMIN_URL, run_bench
    from cakupan.bench.performance import render, summary, write_block

    engines = tuple(e.strip() for e in args.engines.split(",") if e.strip())
    measured = run_bench(
        args.scale,
        args.out,
        engines=engines,
        pg_admin_url=args.pg_admin_url
        or os.environ.get("CAKUPAN_BENCH_PG_URL", DEFAULT_PG_ADMIN_URL),
        with_peer=not args.no_peer,
        memory_factors=tuple(int(f) for f in args.memory_factors.split(",") if f.strip()),
        dlt_root=None if args.no_dlt else (args.dlt_venv or args.out / "venv"),
    )
    block = render(measured)
    if args.doc is not None:
        write_block(args.doc, block)
    _say(block)
    _say(json.dumps(summary(measured)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cakupan",
        description="Coverage of vulnerable workers by BPJS Ketenagakerjaan, village by village.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the ingest and coverage DAGs for one date, in-process")
    run.add_argument("--landing", type=Path, required=True, help="landing folder")
    run.add_argument("--as-of", type=_date, required=True, help="snapshot date YYYY-MM-DD")
    run.add_argument(
        "--warehouse", help="SQLAlchemy URL (default $CAKUPAN_WAREHOUSE_URL or DuckDB under data/)"
    )
    run.add_argument("--settings", type=Path, help="YAML file overriding the default settings")
    run.add_argument("--verbose", action="store_true", help="show Airflow's task logs")
    run.set_defaults(func=_cmd_run)

    regencies = {
        "type": lambda s: [c.strip() for c in s.split(",") if c.strip()],
        "default": ["1612", "1603", "1606"],
        "help": "comma-separated regency codes (default 1612,1603,1606)",
    }
    gen = sub.add_parser("generate", help="write a realistic, messy multi-day scenario")
    gen.add_argument("--out", type=Path, required=True)
    gen.add_argument("--regencies", **regencies)
    gen.add_argument("--days", type=int, default=5)
    gen.add_argument("--seed", type=int, default=7)
    gen.add_argument("--scale", type=float, default=1.0)
    gen.set_defaults(func=_cmd_generate)

    demo = sub.add_parser("demo", help="generate a scenario, run it day by day, print coverage")
    demo.add_argument("--out", type=Path, default=data_dir() / "demo")
    demo.add_argument("--regencies", **regencies)
    demo.add_argument("--days", type=int, default=5)
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--scale", type=float, default=1.0)
    demo.set_defaults(func=_cmd_demo)

    export = sub.add_parser(
        "export-rejections",
        help="write a village's rejected rows, full NIK included, as .xlsx for its operator",
    )
    export.add_argument(
        "--village", required=True, help="village code, 1612052011 or 16.12.05.2011"
    )
    export.add_argument("--out", type=Path, required=True, help="the .xlsx file to write")
    export.add_argument(
        "--warehouse", help="SQLAlchemy URL (default $CAKUPAN_WAREHOUSE_URL or DuckDB under data/)"
    )
    export.set_defaults(func=_cmd_export_rejections)

    report = sub.add_parser(
        "report", help="write the coverage report of a date as HTML (Indonesian and English)"
    )
    report.add_argument("--as-of", type=_date, required=True, help="snapshot date YYYY-MM-DD")
    report.add_argument(
        "--out", type=Path, help="folder of the pages (default $CAKUPAN_REPORT_DIR or data/reports)"
    )
    report.add_argument(
        "--warehouse", help="SQLAlchemy URL (default $CAKUPAN_WAREHOUSE_URL or DuckDB under data/)"
    )
    report.set_defaults(func=_cmd_report)

    bench = sub.add_parser(
        "bench", help="province-scale benchmark on DuckDB and PostgreSQL (docs/performance.md)"
    )
    bench.add_argument("--scale", type=float, default=1.0, help="1.0 = the whole province")
    bench.add_argument("--out", type=Path, default=data_dir() / "bench", help="work folder")
    bench.add_argument("--engines", default="duckdb,postgresql", help="comma-separated")
    bench.add_argument(
        "--pg-admin-url",
        help="PostgreSQL URL allowed to create and drop the benchmark's database "
        "(default $CAKUPAN_BENCH_PG_URL or postgres@127.0.0.1:5432)",
    )
    bench.add_argument("--doc", type=Path, help="write the figures into this Markdown file")
    bench.add_argument("--no-peer", action="store_true", help="skip the pandas to_sql peer")
    bench.add_argument(
        "--no-dlt", action="store_true", help="skip the dlt peer (its first run needs PyPI)"
    )
    bench.add_argument(
        "--dlt-venv",
        type=Path,
        help="folder keeping the dlt peer's own virtualenv, built once (default OUT/venv)",
    )
    bench.add_argument(
        "--memory-factors",
        default="1,2,4",
        help="poverty-register sizes of the memory runs, as multiples (empty: none)",
    )
    bench.set_defaults(func=_cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


def entry_point() -> None:
    """Console entry: run, then leave without interpreter teardown.

    All work is committed by then. Tearing down the interpreter makes DuckDB's nanobind
    bindings print pages of "leaked instance" warnings about objects still referenced by
    other libraries' module globals; they are harmless and would bury the summary.
    """
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    entry_point()
