"""The coverage DAG's Deadline Alert: when it falls, and what its callback sends."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pendulum
import pytest
from airflow.sdk import AsyncCallback, DeadlineReference

from cakupan import dagkit
from cakupan.alerts import (
    EVENT_DEADLINE_MISSED,
    MESSAGE_FIELDS,
    deadline_interval,
    snapshot_deadline_for,
    snapshot_deadline_missed,
)
from tests.alerts.conftest import PLANTED_NIK, html_of
from tests.alerts.contexts import deadline_context

WIB = pendulum.timezone("Asia/Jakarta")
DAILY_AT = dt.time(6, 30)  # COVERAGE_CRON


def test_the_deadline_is_the_coverage_dags_built_in_logical_date_reference():
    alert = dagkit.snapshot_deadline()
    assert alert.reference == DeadlineReference.DAGRUN_LOGICAL_DATE
    assert alert.interval == dt.timedelta(hours=1, minutes=30)
    assert isinstance(alert.callback, AsyncCallback)
    assert alert.callback.path == "cakupan.alerts.snapshot_deadline_missed"
    assert json.loads(json.dumps(alert.callback.kwargs)) == {}  # nothing secret, serialisable


def test_the_deadline_follows_the_setting(tmp_path, monkeypatch):
    override = tmp_path / "deadline.yaml"
    override.write_text("alerts: {snapshot_deadline: '07:15'}\n", encoding="utf-8")
    monkeypatch.setenv("CAKUPAN_SETTINGS", str(override))
    assert dagkit.snapshot_deadline().interval == dt.timedelta(minutes=45)
    # Earlier than the daily run: every run is late at once (a test can use this).
    assert deadline_interval(dt.time(6, 0), DAILY_AT) == dt.timedelta(minutes=-30)


@pytest.mark.parametrize("day", [dt.date(2025, 6, 2), dt.date(2025, 12, 31)])
def test_the_daily_run_of_a_date_is_due_at_eight_wib_that_date(day):
    logical = pendulum.datetime(day.year, day.month, day.day, 6, 30, tz=WIB)  # the cron run
    due = snapshot_deadline_for(logical, dt.time(8, 0), DAILY_AT)
    assert due == pendulum.datetime(day.year, day.month, day.day, 8, 0, tz=WIB)
    assert due.in_timezone("UTC").isoformat() == f"{day.isoformat()}T01:00:00+00:00"


def test_an_asset_triggered_run_gets_no_deadline_of_its_own():
    """It has no logical date in Airflow 3: Airflow skips the deadline, and the date's
    snapshot deadline is carried by that date's daily run (always created at 06:30)."""
    assert snapshot_deadline_for(None, dt.time(8, 0), DAILY_AT) is None


def _run(context) -> None:
    asyncio.run(snapshot_deadline_missed(context=context))


def test_the_deadline_callback_posts_deadline_missed(webhook, monkeypatch):
    monkeypatch.setenv("CAKUPAN_ALERT_CHANNEL", "webhook")
    monkeypatch.setenv("CAKUPAN_ALERT_WEBHOOK_URL", webhook.url)
    _run(deadline_context())
    [message] = webhook.received
    assert tuple(message) == MESSAGE_FIELDS
    assert message["event"] == EVENT_DEADLINE_MISSED
    assert message["dag_id"] == "cakupan_coverage"
    assert message["run_id"] == "scheduled__2025-06-01T23:30:00+00:00"
    assert message["logical_date"] == "2025-06-02T06:30:00+07:00"
    assert message["run_date"] == "2025-06-02"
    assert message["deadline"] == "2025-06-02T08:00:00+07:00"
    assert message["failed_tasks"] == []
    assert message["url"].endswith(
        "/dags/cakupan_coverage/runs/scheduled__2025-06-01T23%3A30%3A00%2B00%3A00"
    )
    assert "not done by 08:00 WIB" in message["text"]
    assert PLANTED_NIK not in webhook.raw[0].decode()
    assert "operator" not in webhook.raw[0].decode()


def test_the_deadline_callback_mails_through_airflows_smtp_provider(smtp_sink, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp_sink.connection_json())
    monkeypatch.setenv("CAKUPAN_ALERT_CHANNEL", "smtp")
    monkeypatch.setenv("CAKUPAN_ALERT_EMAIL_TO", "ops@example.test")
    _run(deadline_context())
    [mail] = smtp_sink.messages
    assert mail["Subject"] == "[cakupan] coverage snapshot late: cakupan_coverage (2025-06-02)"
    body = html_of(mail)
    assert "deadline_missed" in body and "2025-06-02T08:00:00+07:00" in body
    assert PLANTED_NIK not in body


@pytest.mark.parametrize(
    ("run_type", "queued_at", "alerted"),
    [
        ("scheduled", None, True),
        # The daily run created late (another run held the DAG past 08:00): still late.
        ("scheduled", dt.datetime(2025, 6, 2, 3, 0, tzinfo=dt.UTC), True),
        ("manual", dt.datetime(2025, 6, 2, 0, 0, tzinfo=dt.UTC), True),
        # A re-run of the date started after its deadline could never meet it.
        ("manual", dt.datetime(2025, 6, 5, 3, 0, tzinfo=dt.UTC), False),
        ("backfill", None, False),
    ],
)
def test_only_a_late_snapshot_is_alerted(webhook, monkeypatch, run_type, queued_at, alerted):
    monkeypatch.setenv("CAKUPAN_ALERT_CHANNEL", "webhook")
    monkeypatch.setenv("CAKUPAN_ALERT_WEBHOOK_URL", webhook.url)
    _run(deadline_context(run_type=run_type, queued_at=queued_at))
    assert len(webhook.received) == (1 if alerted else 0)


def test_the_deadline_callback_never_raises(webhook, monkeypatch):
    monkeypatch.setenv("CAKUPAN_ALERT_CHANNEL", "webhook")
    monkeypatch.setenv("CAKUPAN_ALERT_WEBHOOK_URL", webhook.url)
    webhook.status = 503
    _run(deadline_context())
    assert len(webhook.received) == 1
    webhook.status = 204
    _run(None)  # no context at all: still alerted, with what is known
    assert webhook.received[1]["event"] == "deadline_missed"
    assert webhook.received[1]["dag_id"] is None and webhook.received[1]["deadline"] is None
