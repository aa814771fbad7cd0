"""Run by test_audit_alert.py: what ``cakupan run`` does, in this process, with an
impossible mart row planted just before the snapshot's GX audit (inside its transaction).

Usage: python audit_probe.py LANDING WAREHOUSE_URL DAY   (prints one JSON line)
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

VILLAGE = "1612052011"


def corrupting(audit, village: str):
    """``audit`` run after planting, inside the snapshot's transaction, a village covering
    more workers than are eligible (and so enrolled): no SQL model can produce it."""
    import sqlalchemy as sa

    def corrupted_then_audited(conn, as_of, settings):
        conn.execute(
            sa.text(
                "UPDATE mart.coverage_village SET workers_covered = workers_eligible + 1 "
                "WHERE snapshot_date = :d AND village_code = :v"
            ),
            {"d": as_of, "v": village},
        )
        return audit(conn, as_of, settings)

    return corrupted_then_audited


def plant_impossible_row() -> None:
    from cakupan.marts import snapshot

    snapshot.audit_snapshot = corrupting(snapshot.audit_snapshot, VILLAGE)


def main(landing: str, warehouse: str, day: dt.date) -> dict:
    from cakupan.runner import configure

    configure(Path(landing), warehouse)  # before Airflow is imported
    plant_impossible_row()
    from cakupan.runner import DagRunner

    report = DagRunner().run_date(day)
    return {"failed_tasks": report.failed_tasks, "dag_states": report.dag_states}


if __name__ == "__main__":
    out = main(sys.argv[1], sys.argv[2], dt.date.fromisoformat(sys.argv[3]))
    sys.stdout.write(json.dumps(out) + "\n")
