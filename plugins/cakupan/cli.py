"""The ``cakupan`` command: run the DAGs for a date, write the report, export the files a
village or a registration officer works from (rejected rows, the enrolment worklist).

The development subcommands (``generate``, ``demo``, ``bench``) come from the
``cakupan.commands`` entry point of the development package (``devtools/``), when it is
installed; the runtime never imports it.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import functools
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from importlib.metadata import entry_points
from pathlib import Path
from typing import TYPE_CHECKING

from cakupan.config import current

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

    from cakupan.config import Config
    from cakupan.runner import RunReport

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


def complain(text: str) -> None:
    """One line to the user on standard error, at once: what went wrong and what to do."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _cmd_run(args: argparse.Namespace) -> int:
    from cakupan import preflight
    from cakupan.runner import configure

    started = time.monotonic()
    since = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    config = configure(args.landing, args.warehouse, args.settings, verbose=args.verbose)
    with preflight.holding_data_folder(config, complain):
        if not args.skip_preflight:
            preflight.check(config)
        log_file = config.data_dir / "logs" / f"run-{args.as_of.isoformat()}.log"
        with output_to(None if args.verbose else log_file) as terminal:
            from cakupan.progress import listening
            from cakupan.runner import DagRunner

            with listening(terminal.progress):
                report = DagRunner().run_date(
                    args.as_of,
                    progress=functools.partial(_dag_progress, terminal.line, config, since),
                )
        say(_run_summary(config, args.as_of, since, report, log_file, args.verbose, started))
    return 0 if report.ok else 1


def _dag_progress(
    terminal: Callable[[str], None],
    config: Config,
    since: dt.datetime,
    dag_id: str,
    state: str,
    seconds: float,
) -> None:
    """A line per DAG as it ends; after an ingest DAG, what it did with its source's files
    and rows (the line the summary repeats), so long work shows where it is."""
    terminal(f"{dag_id}: {state} ({seconds:.1f} s)")
    source = dag_id.removeprefix("cakupan_ingest_")
    if source == dag_id or state != "success":
        return
    import sqlalchemy as sa

    from cakupan.summary import tally_run
    from cakupan.warehouse.engine import create_warehouse_engine

    engine = create_warehouse_engine(config=config)
    try:
        terminal(tally_run(engine, since, {})[source].line(source))
    except sa.exc.DBAPIError:
        return  # the summary at the end says what went wrong
    finally:
        engine.dispose()


class Terminal:
    """What the person running the command sees while it works: a line per finished step,
    and, on an interactive terminal only, one live line of the ingest under way (files and
    rows read per source) redrawn in place. Piped, in CI (``CI`` set) or on a dumb terminal
    it stays plain lines, so a log file never fills with carriage returns."""

    REDRAW_S = 0.2  # at most five redraws a second: a 4-million-row file reports per chunk

    def __init__(self, fd: int, live: bool) -> None:
        self.fd = fd
        self.live = live
        self._drawn = False
        self._last = 0.0

    @classmethod
    def on(cls, fd: int, interactive: bool = True) -> Terminal:
        """A terminal writing to ``fd``; live when asked for and ``fd`` is a real terminal."""
        plain = os.environ.get("CI") or os.environ.get("TERM") == "dumb"
        return cls(fd, live=interactive and os.isatty(fd) and not plain)

    def _write(self, text: str) -> None:
        sys.stdout.flush()
        os.write(self.fd, text.encode())

    def line(self, text: str) -> None:
        """A finished step, on a line of its own (the live line, if drawn, gives way)."""
        self._write(("\r\x1b[K" if self._drawn else "") + text + "\n")
        self._drawn = False

    def progress(self, source: str, files: int, rows: int) -> None:
        """The live line: ``source`` so far; nothing unless live."""
        now = time.monotonic()
        if not self.live or now - self._last < self.REDRAW_S:
            return
        self._last = now
        done = f"{counted(files, 'file')} done"
        read = f"{counted(rows, 'row')} read"
        self._write(f"\r\x1b[K  {source}: {done}, {read} …")
        self._drawn = True


def counted(n: int, noun: str) -> str:
    """``n`` and ``noun``, plural unless one: "1 rejected file", "1,204 rows"."""
    return f"{n:,} {noun}{'' if n == 1 else 's'}"


@contextlib.contextmanager
def output_to(log_file: Path | None) -> Iterator[Terminal]:
    """Everything Airflow, the libraries and the tasks write (their logs go to standard
    output and standard error) goes to ``log_file``, appended; the terminal shows only what
    goes through the yielded :class:`Terminal` (progress), then the summary. Without a log
    file (``--verbose``) the logs scroll by, so there is no live line to draw over them."""
    if log_file is None:
        yield Terminal.on(sys.stdout.fileno(), interactive=False)
        return
    log_file.parent.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    sys.stderr.flush()
    saved = {fd: os.dup(fd) for fd in (1, 2)}
    terminal = Terminal.on(saved[1])

    with open(log_file, "ab") as sink:
        for fd in saved:
            os.dup2(sink.fileno(), fd)
        try:
            yield terminal
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            for fd, copy in saved.items():
                os.dup2(copy, fd)
                os.close(copy)


def _run_summary(
    config: Config,
    as_of: dt.date,
    since: dt.datetime,
    report: RunReport,
    log_file: Path,
    verbose: bool,
    started: float,
) -> str:
    import sqlalchemy as sa

    from cakupan.landing import Ledger, scan
    from cakupan.sources.specs import SOURCES
    from cakupan.summary import run_summary, tally_run
    from cakupan.warehouse.engine import create_warehouse_engine, describe

    places = {
        "report": str(config.report_dir / f"{as_of.isoformat()}.html"),
        "warehouse": describe(config.warehouse_url),
    }
    if not verbose:
        places["full log"] = str(log_file)
    engine = create_warehouse_engine(config=config)
    try:
        with engine.connect() as conn:
            waiting = {
                source: len(Ledger.read(conn, source).unrecorded(scan(config.landing_dir, source)))
                for source in SOURCES
            }
        return run_summary(
            engine,
            as_of,
            tally_run(engine, since, waiting),
            places,
            time.monotonic() - started,
            report.failed_tasks,
        )
    except sa.exc.DBAPIError:  # the run failed because the warehouse did: say only that
        lines = [f"cakupan run {as_of.isoformat()}: FAILED (the warehouse could not be read)"]
        lines.append("  failed tasks: " + ", ".join(report.failed_tasks))
        lines += [f"  {name}: {where}" for name, where in places.items()]
        return "\n".join(lines)
    finally:
        engine.dispose()


def _on_warehouse(
    warehouse: str | None, action: Callable[[Engine], int], *user_errors: type[Exception]
) -> int:
    """Run ``action`` on the warehouse, turning what a user can fix into exit 2 and a line
    on standard error: a missing DuckDB file, ``user_errors``; an unreadable warehouse is
    exit 1 (its line on standard error too)."""
    import sqlalchemy as sa

    from cakupan.warehouse.engine import create_warehouse_engine, describe

    url = sa.engine.make_url(warehouse or current().warehouse_url)
    if url.get_backend_name() == "duckdb" and not Path(url.database or "").is_file():
        complain(f"warehouse not found: {url.database} (run cakupan run first)")
        return 2
    engine = create_warehouse_engine(url.render_as_string(hide_password=False))
    try:
        return action(engine)
    except user_errors as exc:
        complain(str(exc))
        return 2
    except sa.exc.DBAPIError as exc:
        reason = str(exc.orig).strip().splitlines()[0]
        complain(f"cannot read the warehouse {describe(url)}: {reason}")
        return 1
    finally:
        engine.dispose()


def _cmd_export_rejections(args: argparse.Namespace) -> int:
    from cakupan.exports import ExportError, export_village_rejections

    def export(engine: Engine) -> int:
        report = export_village_rejections(engine, args.village, args.out)
        v = report.village
        files = f" and {counted(len(report.files), 'rejected file')}" if report.files else ""
        rows = counted(len(report.rows), "rejected row")
        say(f"{rows}{files} of {v.name} ({v.code}) written to {args.out}")
        return 0

    return _on_warehouse(args.warehouse, export, ExportError)


def _cmd_export_enrolment(args: argparse.Namespace) -> int:
    from cakupan.exports import ExportError, export_enrolment_worklist
    from cakupan.settings import SettingsError

    def export(engine: Engine) -> int:
        config = current()
        if args.settings is not None:
            config = config.with_(settings_file=args.settings.resolve())
        worklist = export_enrolment_worklist(
            engine, args.regency, args.as_of, config.settings(), args.out, args.village
        )
        r = worklist.regency
        villages = len(worklist.by_village())
        say(
            f"{len(worklist.rows)} workers awaiting enrolment in {villages} villages of "
            f"{r.name} ({r.code}) on {args.as_of.isoformat()} written to {args.out}"
        )
        return 0

    return _on_warehouse(args.warehouse, export, ExportError, SettingsError)


def _cmd_report(args: argparse.Namespace) -> int:
    from cakupan.report import SnapshotNotFoundError, write_report

    def report(engine: Engine) -> int:
        out = args.out or current().report_dir
        result = write_report(engine, args.as_of, out, single_file=args.single_file)
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
    run.add_argument(
        "--verbose",
        action="store_true",
        help="show Airflow's and the tasks' logs here (else they go to DATA/logs/), and the "
        "traceback of an error",
    )
    run.add_argument(
        "--skip-preflight",
        action="store_true",
        help="run the DAGs even when the checks before them fail (to try the failure alerts)",
    )
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

    enrol = sub.add_parser(
        "export-enrolment",
        help="write a regency's eligible proposed workers not enrolled on a date, full "
        "personal data included, as .xlsx for a collective BPU registration",
        description="Every eligible proposed worker not enrolled on --as-of (no KPJ row "
        "received by then), with NIK, name, birth date, sex, occupation, address, phone, "
        "village and payer (APBDES for a desa, APBD for a kelurahan): one sheet per village "
        "with a header block. The file is written owner-only (mode 0600); send it only to "
        "the officer who registers the workers.",
    )
    enrol.add_argument(
        "--regency", required=True, metavar="CODE", help="regency code, 1612 or 16.12"
    )
    enrol.add_argument(
        "--village",
        metavar="CODE",
        help="only this village of the regency, 1612052011 or 16.12.05.2011",
    )
    enrol.add_argument(
        "--as-of",
        type=_date,
        required=True,
        metavar="YYYY-MM-DD",
        help="the date the list is for: workers proposed and files received by then",
    )
    enrol.add_argument(
        "--out", type=Path, required=True, metavar="FILE.xlsx", help="the .xlsx file to write"
    )
    enrol.add_argument(
        "--warehouse",
        metavar="URL",
        help="SQLAlchemy URL (default $CAKUPAN_WAREHOUSE_URL or DuckDB under data/)",
    )
    enrol.add_argument(
        "--settings",
        type=Path,
        metavar="FILE",
        help="YAML file overriding the default settings (min_age, max_age; default "
        "$CAKUPAN_SETTINGS)",
    )
    enrol.set_defaults(func=_cmd_export_enrolment)

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
    report.add_argument(
        "--single-file",
        action="store_true",
        help="put the charts' script inside each page (about 1 MB more), to send a page alone",
    )
    report.set_defaults(func=_cmd_report)

    for command in entry_points(group=COMMANDS_GROUP):
        command.load()(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run a subcommand. A problem the user can fix is one line on standard error and
    exit 2; ``--verbose`` adds its traceback."""
    from cakupan.preflight import Refused

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except Refused as exc:
        complain(str(exc))
        if getattr(args, "verbose", False):
            traceback.print_exc()
        return 2


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
