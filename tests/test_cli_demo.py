"""``cakupan demo`` through the real command: it never empties a folder it did not make
(issue 14), and a folder it made is reused."""

from __future__ import annotations

import subprocess
from pathlib import Path

from cakupan_dev.cli import DEMO_MARK, demo_folder
from tests.runs import CAKUPAN, run_env


def _demo(tmp_path: Path, out: Path) -> subprocess.CompletedProcess:
    options = ("--regencies", "1612", "--days", "1", "--scale", "0.05")
    return subprocess.run(
        [CAKUPAN, "demo", "--out", str(out), *options],
        env=run_env(tmp_path / "data"),
        capture_output=True,
        text=True,
        timeout=600,
    )


def test_demo_refuses_a_folder_it_did_not_make(tmp_path: Path) -> None:
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "thesis.docx").write_text("years of work", encoding="utf-8")
    done = _demo(tmp_path, mine)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.splitlines()[0] == (
        f"--out {mine} holds files the demo did not write; choose an empty or new folder"
    )
    assert (mine / "thesis.docx").read_text(encoding="utf-8") == "years of work"


def test_demo_runs_in_a_new_folder_and_marks_it(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    done = _demo(tmp_path, out)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert (out / DEMO_MARK).is_file()
    assert (out / "warehouse.duckdb").is_file()
    assert "SUMATERA SELATAN" in done.stdout


def test_a_marked_folder_is_emptied_for_the_next_demo(tmp_path: Path) -> None:
    out = tmp_path / "demo"
    assert demo_folder(out) is None  # new: made and marked
    (out / "old.duckdb").write_text("x", encoding="utf-8")
    assert demo_folder(out) is None  # marked: emptied and marked again
    assert sorted(p.name for p in out.iterdir()) == [DEMO_MARK]
    assert demo_folder(out / DEMO_MARK) is not None  # a file, not a folder
