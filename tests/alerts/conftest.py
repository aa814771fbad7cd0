"""Local receivers for alerts: an SMTP sink (aiosmtpd) and an HTTP webhook server.

Each records what it received, so a test can read the message exactly as sent.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

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


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Webhook:
    url: str
    received: list[dict] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)
    paths: list[str] = field(default_factory=list)
    status: int = 204


@contextmanager
def serve_webhook() -> Iterator[Webhook]:
    """A local HTTP server taking JSON POSTs; set ``status`` to make it answer an error."""
    box = Webhook(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            box.raw.append(body)
            box.paths.append(self.path)
            box.received.append(json.loads(body or b"{}"))
            self.send_response(box.status)
            self.end_headers()

        def log_message(self, *args) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    box.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/SECRET-TOKEN-123"
    try:
        yield box
    finally:
        server.shutdown()
        server.server_close()


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
