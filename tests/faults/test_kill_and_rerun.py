"""A run killed with SIGKILL at any moment, then run again, ends with exactly the marts of
an uninterrupted run: a file's rows, rejections and ledger entry land together or not at
all, and a snapshot is replaced in one transaction.

The run is killed at points read from its own log: after a file was ingested, right after
the snapshot build began, and between two ingest DAGs.
"""

from __future__ import annotations

import os
import signal
import subprocess

import pytest

from cakupan.warehouse.engine import create_warehouse_engine
from tests.runs import all_marts, cakupan_run, run_args, run_env

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("faults")]

# (log event, how many times it must appear before the kill), per delivery day: mid-ingest,
# mid-snapshot, and between two ingest DAGs.
KILL_POINTS = [
    [("file_ingested", 2), ("snapshot_building", 1)],
    [("rows_accounted_for", 1), ("file_ingested", 1)],
]


def run_and_kill(landing, day, url, data, event: str, nth: int) -> bool:
    """Start ``cakupan run`` and SIGKILL its whole process group at the nth ``event``.
    Returns False when the run finished before the event was seen."""
    proc = subprocess.Popen(
        run_args(landing, day, url, verbose=True),
        env=run_env(data),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    seen = 0
    try:
        for line in proc.stdout:
            if event in line:
                seen += 1
                if seen == nth:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait(timeout=60)
                    return True
        proc.wait(timeout=60)
        return False
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=60)
        proc.stdout.close()


def test_killed_runs_rerun_to_the_same_marts(small_scenario, two_warehouses, tmp_path):
    reference_url, chaos_url = two_warehouses
    ref_landing, chaos_landing = tmp_path / "ref_landing", tmp_path / "chaos_landing"
    kills = 0
    for day, kill_points in zip(small_scenario.days, KILL_POINTS, strict=False):
        small_scenario.deliver(day, ref_landing)
        cakupan_run(ref_landing, day, reference_url, tmp_path / "ref_data")
        small_scenario.deliver(day, chaos_landing)
        for event, nth in kill_points:
            kills += run_and_kill(
                chaos_landing, day, chaos_url, tmp_path / "chaos_data", event, nth
            )
        cakupan_run(chaos_landing, day, chaos_url, tmp_path / "chaos_data")
    assert kills >= 3, "the kill points were not reached: the test would prove nothing"
    reference = all_marts(create_warehouse_engine(reference_url))
    disturbed = all_marts(create_warehouse_engine(chaos_url))
    assert reference["data_quality"], "the reference run loaded files"
    for table in reference:
        assert disturbed[table] == reference[table], table
