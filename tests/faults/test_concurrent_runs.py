"""Two runs for different dates at once do not corrupt each other, on both engines.

Days 1 and 2 are loaded, day 3's files arrive, then today's run (day 3) and a backfill of
day 1 start together. The backfill must reproduce day 1 exactly and must not take day 3's
new files (they would get an old received date); day 3 must equal a run done alone.
"""

from __future__ import annotations

import subprocess

import pytest

from cakupan.warehouse.engine import create_warehouse_engine
from tests.runs import all_marts, cakupan_run, run_args, run_env, snapshot

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("faults")]


def test_backfill_and_todays_run_at_once(small_scenario, two_warehouses, tmp_path):
    alone_url, together_url = two_warehouses
    day1, day2, day3 = small_scenario.days
    for url, name in ((alone_url, "alone"), (together_url, "together")):
        for day in (day1, day2):
            small_scenario.deliver(day, tmp_path / name)
            cakupan_run(tmp_path / name, day, url, tmp_path / f"{name}_data")
    together = create_warehouse_engine(together_url)
    day1_before = snapshot(together, day1)

    # Alone: day 3 on its own.
    small_scenario.deliver(day3, tmp_path / "alone")
    cakupan_run(tmp_path / "alone", day3, alone_url, tmp_path / "alone_data")

    # Together: day 3 and a backfill of day 1 at the same time, each with its own Airflow.
    small_scenario.deliver(day3, tmp_path / "together")
    procs = [
        subprocess.Popen(
            run_args(tmp_path / "together", day, together_url),
            env=run_env(tmp_path / f"together_{day}"),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for day in (day3, day1)
    ]
    outputs = [p.communicate(timeout=900)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], "\n".join(o[-2000:] for o in outputs)

    assert snapshot(together, day1) == day1_before
    alone = all_marts(create_warehouse_engine(alone_url))
    both = all_marts(together)
    for table in alone:
        assert both[table] == alone[table], table
