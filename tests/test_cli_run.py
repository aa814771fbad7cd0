"""``cakupan run`` through the real command: problems a person can fix are caught before any
DAG runs, as one line on standard error and exit 2, without a traceback unless --verbose;
a second run on the same data folder waits its turn (issue 14)."""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import pty
import subprocess
import time
from pathlib import Path

import pytest

from tests.runs import CAKUPAN, run_env

DAY = dt.date(2025, 6, 2)
SOURCES = ("village_submissions", "poverty_lists", "member_exports")


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    folder = tmp_path / "landing"
    for source in SOURCES:
        (folder / source).mkdir(parents=True)
    return folder


def _run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [CAKUPAN, "run", "--as-of", DAY.isoformat(), *args],
        env=run_env(tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _settings(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def _refused(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert done.stdout == ""
    return done.stderr.splitlines()[0]


def test_unreachable_postgresql_names_host_and_port_never_the_password(tmp_path, landing):
    url = "postgresql+psycopg://cakupan:s3cr3t-pw@127.0.0.1:1/nowhere"
    done = _run(tmp_path, "--landing", str(landing), "--warehouse", url)
    line = _refused(done)
    assert line.startswith(
        "warehouse unreachable or refusing: PostgreSQL at 127.0.0.1:1, database nowhere: "
    )
    assert line.endswith("(check --warehouse or CAKUPAN_WAREHOUSE_URL)")
    assert "s3cr3t" not in done.stderr


def test_a_file_that_is_not_duckdb_is_refused(tmp_path, landing):
    broken = tmp_path / "broken.duckdb"
    broken.write_bytes(b"not a database" * 100)
    done = _run(tmp_path, "--landing", str(landing), "--warehouse", f"duckdb:///{broken}")
    assert _refused(done).startswith(f"warehouse unreachable or refusing: DuckDB file {broken}: ")


@pytest.mark.parametrize(
    ("text", "first_line"),
    [
        ("min_agee: 18\n", "{path}: unknown key min_agee; did you mean min_age? (known here: "),
        ("min_age: [15,\n", "{path} is not valid YAML at line 2, column 1: "),
        ("min_age: ten\n", "min_age: expected a whole number, got 'ten'"),
    ],
    ids=["unknown-key", "malformed", "bad-value"],
)
def test_settings_problems_are_one_line(tmp_path, landing, text, first_line):
    path = _settings(tmp_path, text)
    line = _refused(_run(tmp_path, "--landing", str(landing), "--settings", str(path)))
    expected = first_line.format(path=f"settings file {path}")
    assert line.startswith(expected), line


def test_a_missing_settings_file(tmp_path, landing):
    missing = tmp_path / "nowhere.yaml"
    line = _refused(_run(tmp_path, "--landing", str(landing), "--settings", str(missing)))
    assert line == f"settings file not found: {missing.resolve()}"


def test_a_landing_folder_one_level_too_high(tmp_path, landing):
    line = _refused(_run(tmp_path, "--landing", str(landing.parent)))
    assert line == (
        f"landing folder {landing.parent} holds none of the source folders "
        "village_submissions/, poverty_lists/, member_exports/: "
        "point --landing at the folder that contains them"
    )


def test_a_missing_landing_folder_from_the_environment(tmp_path):
    done = subprocess.run(
        [CAKUPAN, "run", "--as-of", DAY.isoformat()],
        env=run_env(tmp_path / "data", CAKUPAN_LANDING_DIR=str(tmp_path / "nowhere")),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert _refused(done) == f"landing folder not found: {tmp_path / 'nowhere'}"


def test_verbose_adds_the_traceback(tmp_path, landing):
    done = _run(tmp_path, "--landing", str(landing.parent), "--verbose")
    assert done.returncode == 2
    assert done.stderr.startswith(f"landing folder {landing.parent} holds none")
    assert "Traceback" in done.stderr


def test_a_second_run_on_the_same_data_folder_waits_its_turn(tmp_path, landing):
    data = tmp_path / "data"
    data.mkdir()
    with open(data / ".cakupan-run.lock", "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as a first run holds it
        second = subprocess.Popen(
            [CAKUPAN, "run", "--as-of", DAY.isoformat(), "--landing", str(landing)],
            env=run_env(data),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        first_line = second.stderr.readline().rstrip("\n")
        assert first_line == f"another cakupan run is using {data}; waiting for it to finish"
        assert second.poll() is None  # still waiting
        fcntl.flock(held, fcntl.LOCK_UN)
    out, err = second.communicate(timeout=600)
    assert second.returncode == 0, out + err
    assert out.splitlines()[-1].startswith("  wall time: ")


def _a_village_list(landing: Path) -> None:
    """One small settled submission file (older than landing.settle_seconds)."""
    path = landing / "village_submissions" / "1612052011.csv"
    path.write_text(
        "kode_desa;nik;nama;tanggal lahir\n1612052011;1612052510890060;Ani;25-10-1989\n",
        encoding="utf-8",
    )
    old = time.time() - 3600
    os.utime(path, (old, old))


def _in_a_terminal(tmp_path: Path, landing: Path, **env: str) -> str:
    """``cakupan run`` with a pseudo-terminal as standard output, as a person runs it."""
    main, sub = pty.openpty()
    environ = {k: v for k, v in run_env(tmp_path / "data").items() if k != "CI"}
    run = subprocess.Popen(
        [CAKUPAN, "run", "--as-of", DAY.isoformat(), "--landing", str(landing)],
        env={**environ, "TERM": "xterm", **env},
        stdout=sub,
        stderr=subprocess.PIPE,
    )
    os.close(sub)
    seen = bytearray()
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the command ended and closed its side
            break
        if not chunk:
            break
        seen += chunk
    os.close(main)
    assert run.wait(timeout=600) == 0, run.stderr.read() if run.stderr else ""
    return seen.decode()


def test_a_terminal_shows_a_live_line_of_the_ingest(tmp_path, landing):
    _a_village_list(landing)
    shown = _in_a_terminal(tmp_path, landing)
    assert "\r\x1b[K  village_submissions: 0 files done, 1 row read …" in shown
    # the finished step's line takes the live line's place, then the summary in plain lines
    assert "\r\x1b[Kcakupan_ingest_village_submissions: success (" in shown
    assert "cakupan run 2025-06-02: done" in shown


def test_in_ci_a_terminal_stays_plain(tmp_path, landing):
    _a_village_list(landing)
    shown = _in_a_terminal(tmp_path, landing, CI="true")
    assert "\r\n" in shown  # the terminal's own line ends, nothing drawn over
    assert "\x1b[" not in shown and "read …" not in shown
