"""The ``alerts`` settings: documented defaults, environment overrides for deploy secrets,
and loud errors for a channel that could not deliver."""

from __future__ import annotations

import datetime as dt

import pytest

from cakupan.config import Config, current
from cakupan.settings import SettingsError, load_settings


def test_defaults_send_nothing_and_expect_the_snapshot_by_eight():
    alerts = load_settings().alerts
    assert alerts.channel == "none"
    assert alerts.email_to == () and alerts.webhook_url is None
    assert alerts.smtp_conn_id == "smtp_default"
    assert alerts.snapshot_deadline == dt.time(8, 0)


def test_the_environment_wins_and_the_url_stays_out_of_repr(monkeypatch):
    monkeypatch.setenv("CAKUPAN_ALERT_CHANNEL", "Webhook")
    monkeypatch.setenv("CAKUPAN_ALERT_WEBHOOK_URL", "https://hooks.example/T0/SECRET")
    monkeypatch.setenv("CAKUPAN_ALERT_EMAIL_TO", "a@example.test; b@example.test")
    settings = current().settings()
    assert settings.alerts.channel == "webhook"
    assert settings.alerts.webhook_url == "https://hooks.example/T0/SECRET"
    assert settings.alerts.email_to == ("a@example.test", "b@example.test")
    assert "SECRET" not in repr(settings)


def test_a_settings_file_sets_the_deadline_and_smtp(tmp_path, monkeypatch):
    override = tmp_path / "mine.yaml"
    override.write_text(
        "alerts:\n"
        "  channel: smtp\n"
        "  email_to: [ops@example.test]\n"
        "  email_from: cakupan@example.test\n"
        "  smtp_conn_id: mail_relay\n"
        "  snapshot_deadline: 7:45\n",  # unquoted: YAML 1.1 reads 465 (minutes)
        encoding="utf-8",
    )
    monkeypatch.setenv("CAKUPAN_SETTINGS", str(override))
    alerts = current().settings().alerts
    assert (alerts.channel, alerts.email_to, alerts.email_from, alerts.smtp_conn_id) == (
        "smtp",
        ("ops@example.test",),
        "cakupan@example.test",
        "mail_relay",
    )
    assert alerts.snapshot_deadline == dt.time(7, 45)


@pytest.mark.parametrize(
    ("yaml_text", "env", "message"),
    [
        ("alerts: {webhook_url: 'https://x.example/t'}\n", {}, "CAKUPAN_ALERT_WEBHOOK_URL"),
        ("", {"CAKUPAN_ALERT_CHANNEL": "slack"}, "alerts.channel"),
        ("", {"CAKUPAN_ALERT_CHANNEL": "smtp"}, "CAKUPAN_ALERT_EMAIL_TO"),
        ("", {"CAKUPAN_ALERT_CHANNEL": "webhook"}, "CAKUPAN_ALERT_WEBHOOK_URL is not set"),
        ("", {"CAKUPAN_ALERT_WEBHOOK_URL": "ftp://x.example"}, "http"),
        ("alerts: {email_to: [nobody]}\n", {}, "alerts.email_to"),
        ("alerts: {snapshot_deadline: '25:00'}\n", {}, "alerts.snapshot_deadline"),
        ("alerts: {snapshot_deadline: soon}\n", {}, "alerts.snapshot_deadline"),
        ("alerts: [smtp]\n", {}, "alerts must be a mapping"),
    ],
)
def test_bad_alert_settings_name_the_key(tmp_path, monkeypatch, yaml_text, env, message):
    path = tmp_path / "bad.yaml"
    path.write_text(yaml_text or "{}\n", encoding="utf-8")
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match=message):
        Config.resolve(settings_file=path).settings()
