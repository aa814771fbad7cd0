"""Which dates a coverage run builds, and the run's local date (Asia/Jakarta)."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pendulum

from cakupan.dagkit import local_date, snapshot_dates


def event(as_of: str | None) -> SimpleNamespace:
    return SimpleNamespace(extra={"as_of": as_of} if as_of else {})


def test_local_date_is_the_wib_date_of_the_logical_date():
    # 2025-06-01 23:30 UTC is already 2 June in Jakarta (UTC+7).
    ctx = {"logical_date": pendulum.datetime(2025, 6, 1, 23, 30, tz="UTC")}
    assert local_date(ctx) == dt.date(2025, 6, 2)


def test_runs_without_logical_date_use_when_they_were_due():
    run = SimpleNamespace(run_after=pendulum.datetime(2025, 6, 2, 1, 0, tz="UTC"))
    assert local_date({"logical_date": None, "dag_run": run}) == dt.date(2025, 6, 2)


def test_param_wins():
    ctx = {
        "params": {"as_of": "2025-05-30"},
        "logical_date": pendulum.datetime(2025, 6, 2, tz="UTC"),
    }
    assert snapshot_dates(ctx) == ["2025-05-30"]


def test_asset_events_carry_the_ingested_dates():
    ctx = {
        "params": {},
        "logical_date": None,
        "dag_run": SimpleNamespace(run_after=pendulum.datetime(2025, 7, 1, tz="UTC")),
        "triggering_asset_events": {
            "a": [event("2025-05-27"), event("2025-05-26")],
            "b": [event("2025-05-27"), event(None)],
        },
    }
    assert snapshot_dates(ctx) == ["2025-05-26", "2025-05-27"]


def test_daily_runs_build_their_own_date():
    ctx = {
        "params": {"as_of": None},
        "triggering_asset_events": {},
        "logical_date": pendulum.datetime(2025, 6, 2, 6, 30, tz="Asia/Jakarta"),
    }
    assert snapshot_dates(ctx) == ["2025-06-02"]
