"""``cakupan report``: exit codes, messages, files written, the index across dates."""

from __future__ import annotations

import subprocess

import pytest

from cakupan.cli import main
from cakupan.report.page import vega_script_name
from tests.report.htmltools import parse_html
from tests.runs import CAKUPAN, run_env

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("report")]


def report(capsys, *args: str) -> tuple[int, str]:
    """Exit code, and what it printed (results on standard output, problems on error)."""
    code = main(["report", *args])
    printed = capsys.readouterr()
    return code, printed.out + printed.err


def test_a_missing_warehouse_file_exits_2(capsys, tmp_path):
    code, out = report(
        capsys,
        "--as-of",
        "2025-06-02",
        "--out",
        str(tmp_path / "r"),
        "--warehouse",
        f"duckdb:///{tmp_path / 'nope.duckdb'}",
    )
    assert code == 2
    assert "warehouse not found" in out and "nope.duckdb" in out
    assert not (tmp_path / "r").exists()


def test_a_warehouse_without_snapshots_exits_2(capsys, tmp_path):
    from cakupan.warehouse.engine import create_warehouse_engine
    from cakupan.warehouse.schema import ensure_schema

    url = f"duckdb:///{tmp_path / 'empty.duckdb'}"
    engine = create_warehouse_engine(url)
    ensure_schema(engine)
    engine.dispose()
    code, out = report(
        capsys, "--as-of", "2025-06-02", "--out", str(tmp_path / "r"), "--warehouse", url
    )
    assert code == 2
    assert "no coverage snapshot for 2025-06-02" in out
    assert "no snapshot has been built yet" in out


def test_a_date_without_snapshot_exits_2_naming_the_latest(capsys, tmp_path, duckdb_marts):
    code, out = report(
        capsys, "--as-of", "2025-05-30", "--out", str(tmp_path), "--warehouse", duckdb_marts.url
    )
    assert code == 2
    assert "no coverage snapshot for 2025-05-30" in out
    assert f"latest snapshot is {duckdb_marts.days[-1].isoformat()}" in out
    assert not list(tmp_path.iterdir())


def test_bad_or_missing_date_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["report", "--as-of", "02/06/2025"])
    assert caught.value.code == 2
    with pytest.raises(SystemExit) as caught:
        main(["report"])
    assert caught.value.code == 2
    assert "--as-of" in capsys.readouterr().err


def test_reports_for_two_dates_accumulate_in_the_index(capsys, tmp_path, duckdb_marts, monkeypatch):
    monkeypatch.setenv("CAKUPAN_DATA_DIR", str(duckdb_marts.data_dir))
    out_dir = tmp_path / "reports"
    for day in duckdb_marts.days:
        code, out = report(
            capsys,
            "--as-of",
            day.isoformat(),
            "--out",
            str(out_dir),
            "--warehouse",
            duckdb_marts.url,
        )
        assert code == 0, out
        for name in (f"{day}.html", f"{day}.en.html", "index.html"):
            assert f"written: {out_dir / name}" in out
    names = sorted(p.name for p in out_dir.iterdir())
    first, last = (d.isoformat() for d in duckdb_marts.days)
    assert names == sorted(
        [
            *(f"{first}.html", f"{first}.en.html", f"{last}.html", f"{last}.en.html"),
            "index.html",
            vega_script_name(),  # the charts' library, shared by every page
        ]
    )
    index = parse_html((out_dir / "index.html").read_text(encoding="utf-8"))
    items = index.find("ul", id="report-dates").find_all("li")
    assert [li.attrs["data-date"] for li in items] == [last, first]


def test_out_defaults_to_the_report_dir_setting(capsys, tmp_path, duckdb_marts, monkeypatch):
    monkeypatch.setenv("CAKUPAN_REPORT_DIR", str(tmp_path / "configured"))
    day = duckdb_marts.days[0].isoformat()
    code, out = report(capsys, "--as-of", day, "--warehouse", duckdb_marts.url)
    assert code == 0, out
    assert (tmp_path / "configured" / f"{day}.html").is_file()
    monkeypatch.delenv("CAKUPAN_REPORT_DIR")
    monkeypatch.setenv("CAKUPAN_DATA_DIR", str(tmp_path / "data"))
    code, out = report(capsys, "--as-of", day, "--warehouse", duckdb_marts.url)
    assert code == 0, out
    assert (tmp_path / "data" / "reports" / f"{day}.en.html").is_file()


@pytest.mark.postgres
def test_the_command_on_postgresql(pg_marts, tmp_path):
    """The installed console script, as an operator runs it, against PostgreSQL."""
    day = pg_marts.days[-1].isoformat()
    done = subprocess.run(
        [CAKUPAN, "report", "--as-of", day, "--out", str(tmp_path / "r")],
        env=run_env(pg_marts.data_dir, CAKUPAN_WAREHOUSE_URL=pg_marts.url),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "r" / f"{day}.html").is_file()
    assert (tmp_path / "r" / f"{day}.en.html").is_file()
    missing = subprocess.run(
        [CAKUPAN, "report", "--as-of", "2025-05-30", "--out", str(tmp_path / "r")],
        env=run_env(pg_marts.data_dir, CAKUPAN_WAREHOUSE_URL=pg_marts.url),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert missing.returncode == 2
    assert missing.stderr == f"no coverage snapshot for 2025-05-30: the latest snapshot is {day}\n"
