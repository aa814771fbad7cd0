"""The ``cakupan`` command: run the DAGs for a date, write the report, export rejections.

The development subcommands (``generate``, ``demo``, ``bench``) come from the
``cakupan.commands`` entry point of the development package (``devtools/``), when it is
installed; the runtime never imports it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
from collections.abc import Callable
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING

from cakupan.config import current

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

# Subcommands other packages add: a function taking the subparsers (cakupan_dev.cli.register).
COMMANDS_GROUP = "cakupan.commands"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"expected a date YYYY-MM-DD, got {text!r}") from exc


def say(text: str) -> None:
    """One line to the user on standard output, at once."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _cmd_run(args: argparse.Namespace) -> int:
    from cakupan.runner import configure

    config = configure(args.landing, args.warehouse, args.settings, verbose=args.verbose)
    if not config.landing_dir.is_dir():
        say(f"landing folder not found: {config.landing_dir}")
        return 2
    from cakupan.runner import DagRunner

    report = DagRunner().run_date(args.as_of)
    for dag_id, state in report.dag_states.items():
        say(f"{dag_id}: {state}")
    if not report.ok:
        say("failed tasks: " + ", ".join(report.failed_tasks))
        return 1
    return 0


def _on_warehouse(
    warehouse: str | None, action: Callable[[Engine], int], *user_errors: type[Exception]
) -> int:
    """Run ``action`` on the warehouse, turning what a user can fix into exit 2 and a
    message: a missing DuckDB file, ``user_errors``; an unreadable warehouse is exit 1."""
    import sqlalchemy as sa

    from cakupan.warehouse.engine import create_warehouse_engine, describe

    url = sa.engine.make_url(warehouse or current().warehouse_url)
    if url.get_backend_name() == "duckdb" and not Path(url.database or "").is_file():
        say(f"warehouse not found: {url.database} (run cakupan run first)")
        return 2
    engine = create_warehouse_engine(url.render_as_string(hide_password=False))
    try:
        return action(engine)
    except user_errors as exc:
        say(str(exc))
        return 2
    except sa.exc.DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0]
        say(f"cannot read the warehouse {describe(url)}: {reason}")
        return 1
    finally:
        engine.dispose()


def _cmd_export_rejections(args: argparse.Namespace) -> int:
    from cakupan.exports import UnknownVillageError, export_village_rejections

    def export(engine: Engine) -> int:
        report = export_village_rejections(engine, args.village, args.out)
        v = report.village
        say(f"{len(report.rows)} rejected rows of {v.name} ({v.code}) written to {args.out}")
        return 0

    return _on_warehouse(args.warehouse, export, UnknownVillageError)


def _cmd_report(args: argparse.Namespace) -> int:
    from cakupan.report import SnapshotNotFoundError, write_report

    def report(engine: Engine) -> int:
        result = write_report(engine, args.as_of, args.out or current().report_dir)
        for path in result.paths:
            say(f"written: {path}")
        return 0

    return _on_warehouse(args.warehouse, report, SnapshotNotFoundError)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="cakupan",
        description="Coverage of vulnerable workers by BPJS Ketenagakerjaan, village by village.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the ingest and coverage DAGs for one date, in-process")
    run.add_argument(
        "--landing",
        type=Path,
        help="landing folder holding the source folders (default $CAKUPAN_LANDING_DIR or "
        "data/landing)",
    )
    run.add_argument("--as-of", type=_date, required=True, help="snapshot date YYYY-MM-DD")
    run.add_argument(
        "--warehouse", help="SQLAlchemy URL (default $CAKUPAN_WAREHOUSE_URL or DuckDB under data/)"
    )
    run.add_argument("--settings", type=Path, help="YAML file overriding the default settings")
    run.add_argument("--verbose", action="store_true", help="show Airflow's task logs")
    run.set_defaults(func=_cmd_run)

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

    for command in entry_points(group=COMMANDS_GROUP):
        command.load()(sub)
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
