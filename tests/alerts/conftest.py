"""Local receivers for alerts: an SMTP sink (aiosmtpd) and an HTTP webhook server.

Each records what it received, so a test can read the message exactly as sent.
"""

from __future__ import annotations

import email
import email.policy
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

from tests.servers import Webhook, free_port, serve_webhook

ALERT_VARIABLES = (
    "CAKUPAN_ALERT_CHANNEL",
    "CAKUPAN_ALERT_EMAIL_TO",
    "CAKUPAN_ALERT_WEBHOOK_URL",
    "CAKUPAN_SETTINGS",
    "AIRFLOW_CONN_SMTP_DEFAULT",
)
# A NIK-shaped value planted in contexts: it must never reach a message.
PLANTED_NIK = "1612054107900003"


@pytest.fixture(autouse=True)
def _clean_alert_env(monkeypatch) -> None:
    """Alerts read the environment when they send: start every test from none."""
    for name in ALERT_VARIABLES:
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def webhook() -> Iterator[Webhook]:
    with serve_webhook() as box:
        yield box


@dataclass
class SmtpSink:
    port: int
    messages: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    def connection_json(self) -> str:
        """The Airflow connection (AIRFLOW_CONN_SMTP_DEFAULT) for this sink: no TLS, no auth."""
        return json.dumps(
            {
                "conn_type": "smtp",
                "host": "127.0.0.1",
                "port": self.port,
                "extra": {
                    "disable_tls": True,
                    "disable_ssl": True,
                    "from_email": "cakupan@example.test",
                    "retry_limit": 0,
                    "timeout": 5,
                },
            }
        )


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    sink = SmtpSink(port=free_port())

    class Handler:
        async def handle_DATA(self, server, session, envelope) -> str:
            sink.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
            sink.messages.append(
                email.message_from_bytes(envelope.content, policy=email.policy.default)
            )
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=sink.port)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


def html_of(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("html", "plain"))
    assert part is not None
    return part.get_content()
