"""The development subcommands of ``cakupan``: ``generate``, ``demo`` and ``bench``.

Registered through the ``cakupan.commands`` entry point (``devtools/pyproject.toml``), so
they exist where ``make setup`` installed this package and nowhere else.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import time
from pathlib import Path

from cakupan.cli import complain, output_to, say
from cakupan.config import current

# A demo folder holds this file: ``cakupan demo`` only ever empties a folder it made.
DEMO_MARK = ".cakupan-demo"


def register(sub: argparse._SubParsersAction) -> None:
    """Add the development subcommands to the ``cakupan`` parser."""
    regencies = {
        "type": lambda s: [c.strip() for c in s.split(",") if c.strip()],
        "default": ["1612", "1603", "1606"],
        "help": "comma-separated regency codes (default 1612,1603,1606)",
    }
    scenario = argparse.ArgumentParser(add_help=False)
    scenario.add_argument("--regencies", **regencies)
    scenario.add_argument("--days", type=int, default=5, help="delivery days (default 5)")
    scenario.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    scenario.add_argument(
        "--scale", type=float, default=1.0, help="share of each regency's villages (default 1.0)"
    )

    gen = sub.add_parser(
        "generate",
        parents=[scenario],
        help="write a realistic, messy multi-day scenario",
        description="Write a realistic, messy multi-day scenario: deliveries/<day>/<source>/ "
        "(copy a day into a landing folder to replay it), truth/ and manifest.json.",
    )
    gen.add_argument("--out", type=Path, required=True, help="folder to write the scenario in")
    gen.set_defaults(func=_cmd_generate)

    demo = sub.add_parser(
        "demo",
        parents=[scenario],
        help="generate a scenario, run it day by day, print coverage",
        description="Generate a scenario, replay it day by day through the DAGs into an "
        "embedded DuckDB warehouse, and print the coverage of its regencies.",
    )
    demo.add_argument(
        "--out",
        type=Path,
        default=current().data_dir / "demo",
        help="folder of the demo (default $CAKUPAN_DATA_DIR/demo); a folder the demo did "
        "not make is never emptied",
    )
    demo.set_defaults(func=_cmd_demo)

    bench = sub.add_parser(
        "bench", help="province-scale benchmark on DuckDB and PostgreSQL (docs/performance.md)"
    )
    bench.add_argument("--scale", type=float, default=1.0, help="1.0 = the whole province")
    bench.add_argument("--out", type=Path, default=current().data_dir / "bench", help="work folder")
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


def _cmd_generate(args: argparse.Namespace) -> int:
    from cakupan_dev.generate import generate_scenario

    started = time.perf_counter()
    scenario = generate_scenario(
        args.out,
        regencies=args.regencies,
        days=args.days,
        seed=args.seed,
        scale=args.scale,
        progress=say,
    )
    say(
        f"scenario written to {scenario.out} ({len(scenario.days)} delivery days, "
        f"{time.perf_counter() - started:.1f} s)"
    )
    return 0


def demo_folder(root: Path) -> str | None:
    """Make ``root`` ready for a demo; the reason it cannot be, in one line, else None.

    A folder left by an earlier demo (it holds :data:`DEMO_MARK`) is emptied; an empty
    folder is taken; anything else is the user's and is left alone.
    """
    if root.exists() and not root.is_dir():
        return f"--out {root} is a file, not a folder"
    if root.is_dir() and any(root.iterdir()):
        if not (root / DEMO_MARK).is_file():
            return f"--out {root} holds files the demo did not write; choose an empty or new folder"
        shutil.rmtree(root)
    root.mkdir(parents=True, exist_ok=True)
    (root / DEMO_MARK).write_text("made by cakupan demo; the next demo empties this folder\n")
    return None


def _cmd_demo(args: argparse.Namespace) -> int:
    root = args.out.resolve()
    refused = demo_folder(root)
    if refused:
        complain(refused)
        return 2
    scenario_dir, landing = root / "scenario", root / "landing"
    warehouse = f"duckdb:///{root / 'warehouse.duckdb'}"
    from cakupan.runner import configure

    configure(landing, warehouse, None, verbose=False)
    from cakupan.runner import DagRunner
    from cakupan.summary import regency_table
    from cakupan.warehouse.engine import create_warehouse_engine
    from cakupan_dev.generate import generate_scenario

    say(f"generating a {args.days}-day scenario for regencies {', '.join(args.regencies)} ...")
    scenario = generate_scenario(
        scenario_dir,
        regencies=args.regencies,
        days=args.days,
        seed=args.seed,
        scale=args.scale,
        progress=say,
    )
    with output_to(root / "demo.log") as terminal:  # Airflow's and the tasks' logs
        runner = DagRunner()
        for day in scenario.days:
            copied = len(scenario.deliver(day, landing))
            started = time.perf_counter()
            report = runner.run_date(day)
            status = "ok" if report.ok else "FAILED: " + ", ".join(report.failed_tasks)
            terminal.line(
                f"{day.isoformat()}: {copied} new files, DAGs ran in "
                f"{time.perf_counter() - started:.1f} s, {status}"
            )
            if not report.ok:
                break
    if not report.ok:
        complain(f"a task failed; the full log is {root / 'demo.log'}")
        return 1
    say("")
    say(regency_table(create_warehouse_engine(warehouse), scenario.days[-1]))
    say("")
    db = root / "warehouse.duckdb"
    say(f"warehouse: {db}  (schema mart). Query it, e.g.:")
    say(
        f"  .venv/bin/python -c \"import duckdb; print(duckdb.connect('{db}', "
        "read_only=True).sql('FROM mart.coverage_regency'))\""
    )
    say(f"landing folder: {landing}")
    say(f"full log: {root / 'demo.log'}")
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from cakupan_dev.bench.harness import DEFAULT_PG_ADMIN_URL, run_bench
    from cakupan_dev.bench.performance import render, summary, write_block

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
    say(block)
    say(json.dumps(summary(measured)))
    return 0
