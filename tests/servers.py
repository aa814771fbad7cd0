"""Local servers for tests: a free port, and an HTTP webhook that records JSON posts."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


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
