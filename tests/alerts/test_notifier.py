"""The notifier delivers the documented message over a webhook and over SMTP (through
Airflow's SMTP provider), carries no personal data, and never raises when delivery fails."""

from __future__ import annotations

import asyncio
import json
import re

import pytest
from structlog.testing import capture_logs

from cakupan.alerts import (
    EVENT_DAG_FAILED,
    MESSAGE_FIELDS,
    CakupanNotifier,
    deliver,
    failure_message,
)
from cakupan.settings import AlertSettings
from tests.alerts.conftest import PLANTED_NIK, html_of
from tests.alerts.contexts import dag_failure_context
from tests.servers import free_port

NIK_LIKE = re.compile(r"\d{16}")


def _no_personal_data(text: str) -> None:
    assert PLANTED_NIK not in text
    assert not NIK_LIKE.search(text), text
    for leak in ("Siti", "is not valid", "operator"):
        assert leak not in text


def test_failure_message_has_the_documented_fields_and_nothing_personal():
    message = failure_message(dag_failure_context())
    assert tuple(message) == MESSAGE_FIELDS
    assert message["event"] == EVENT_DAG_FAILED
    assert message["dag_id"] == "cakupan_ingest_village_submissions"
    assert message["run_id"] == "scheduled__2025-06-01T22:00:00+00:00"
    assert message["logical_date"] == "2025-06-02T05:00:00+07:00"
    assert message["run_date"] == "2025-06-02"
    assert message["failed_tasks"] == ["load_files[2]"]
    assert message["deadline"] is None
    assert message["url"].endswith("/tasks/load_files/mapped/2?try_number=1")
    assert "load_files[2]" in message["text"] and message["url"] in message["text"]
    _no_personal_data(json.dumps(message))


def test_failure_message_from_the_minimal_context():
    """Without a task instance Airflow passes only the DAG, the run id and the reason."""
    context = dag_failure_context()
    minimal = {"dag": context["dag"], "run_id": context["run_id"], "reason": "timed_out"}
    message = failure_message(minimal)
    assert message["failed_tasks"] == []
    assert message["logical_date"] is None and message["run_date"] is None
    assert message["url"].endswith(
        "/dags/cakupan_ingest_village_submissions/runs/scheduled__2025-06-01T22%3A00%3A00%2B00%3A00"
    )


def test_notifier_posts_to_the_webhook(webhook, monkeypatch):
    monkeypatch.setenv("CAKUPAN_ALERT_CHANNEL", "webhook")
    monkeypatch.setenv("CAKUPAN_ALERT_WEBHOOK_URL", webhook.url)
    CakupanNotifier()(dag_failure_context())  # how Airflow calls an on_failure_callback
    assert webhook.paths == ["/hooks/SECRET-TOKEN-123"]
    [message] = webhook.received
    assert tuple(message) == MESSAGE_FIELDS
    assert message["event"] == "dag_failed"
    assert message["failed_tasks"] == ["load_files[2]"]
    _no_personal_data(webhook.raw[0].decode())


def test_notifier_sends_mail_through_airflows_smtp_provider(smtp_sink, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp_sink.connection_json())
    monkeypatch.setenv("CAKUPAN_ALERT_CHANNEL", "smtp")
    monkeypatch.setenv("CAKUPAN_ALERT_EMAIL_TO", "data-team@example.test, oncall@example.test")
    CakupanNotifier()(dag_failure_context())
    [mail] = smtp_sink.messages
    assert smtp_sink.envelopes == [
        ("cakupan@example.test", ["data-team@example.test", "oncall@example.test"])
    ]
    assert mail["Subject"] == "[cakupan] DAG cakupan_ingest_village_submissions failed (2025-06-02)"
    body = html_of(mail)
    for value in ("dag_failed", "load_files[2]", "2025-06-02T05:00:00+07:00", "try_number=1"):
        assert value in body
    _no_personal_data(mail["Subject"] + body)


def test_smtp_delivery_uses_the_configured_connection_and_sender(smtp_sink, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_ALERTS_MAIL", smtp_sink.connection_json())
    alerts = AlertSettings(
        channel="smtp",
        email_to=("a@example.test",),
        email_from="pipeline@example.test",
        smtp_conn_id="alerts_mail",
    )
    assert deliver(failure_message(dag_failure_context()), alerts)
    assert smtp_sink.envelopes == [("pipeline@example.test", ["a@example.test"])]


def test_async_delivery_over_both_channels(webhook, smtp_sink, monkeypatch):
    """The same notifier awaited (triggerer style) uses the async clients."""
    monkeypatch.setenv("AIRFLOW_CONN_SMTP_DEFAULT", smtp_sink.connection_json())
    context = dag_failure_context()
    for alerts in (
        AlertSettings(channel="webhook", webhook_url=webhook.url),
        AlertSettings(channel="smtp", email_to=("a@example.test",)),
    ):
        notifier = CakupanNotifier(alerts)
        asyncio.run(notifier.async_notify(context))
    assert [m["event"] for m in webhook.received] == ["dag_failed"]
    assert len(smtp_sink.messages) == 1


@pytest.mark.parametrize("status", [404, 500])
def test_a_failing_webhook_is_logged_not_raised_and_the_token_is_not_logged(webhook, status):
    webhook.status = status
    alerts = AlertSettings(channel="webhook", webhook_url=webhook.url)
    with capture_logs() as logs:
        CakupanNotifier(alerts)(dag_failure_context())
    [entry] = [e for e in logs if e["event"] == "alert_not_delivered"]
    assert entry["status"] == status and entry["error"] == "HTTPStatusError"
    assert entry["to"] == webhook.url.split("/hooks")[0]
    assert "SECRET-TOKEN" not in repr(logs)


def test_unreachable_destinations_are_logged_not_raised(monkeypatch):
    closed = free_port()
    monkeypatch.setenv(
        "AIRFLOW_CONN_SMTP_DEFAULT",
        json.dumps(
            {
                "conn_type": "smtp",
                "host": "127.0.0.1",
                "port": closed,
                "extra": {"disable_tls": True, "disable_ssl": True, "retry_limit": 0},
            }
        ),
    )
    context = dag_failure_context()
    for alerts in (
        AlertSettings(channel="webhook", webhook_url=f"http://127.0.0.1:{closed}/x"),
        AlertSettings(channel="smtp", email_to=("a@example.test",), email_from="c@example.test"),
        AlertSettings(channel="smtp", email_to=("a@example.test",), smtp_conn_id="missing"),
    ):
        with capture_logs() as logs:
            CakupanNotifier(alerts)(context)
            asyncio.run(CakupanNotifier(alerts).async_notify(context))
        failures = [e for e in logs if e["event"] == "alert_not_delivered"]
        assert len(failures) == 2, logs


def test_a_bad_setting_at_send_time_is_logged_not_raised(tmp_path, monkeypatch):
    monkeypatch.setenv("CAKUPAN_ALERT_CHANNEL", "pager")
    with capture_logs() as logs:
        CakupanNotifier()(dag_failure_context())
    assert [e["error"] for e in logs if e["event"] == "alert_not_built"] == ["SettingsError"]


def test_channel_none_sends_nothing(webhook):
    with capture_logs() as logs:
        CakupanNotifier()(dag_failure_context())
    assert webhook.received == []
    assert [e["reason"] for e in logs if e["event"] == "alert_not_sent"] == [
        "alerts.channel is none"
    ]
