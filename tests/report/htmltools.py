"""Reading report pages in tests: a small DOM from html.parser, headless Chromium, PNG pixels.

Only the standard library, numpy, and httpx with websockets (already in the lock) for
Chromium's DevTools protocol: no BeautifulSoup, lxml or Pillow in the venv.
"""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
import time
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import numpy as np
import pytest

from tests.servers import free_port

CHROMIUM = "/usr/bin/chromium"
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source"}
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--virtual-time-budget=10000",
    "--enable-logging=stderr",
    "--v=0",
)


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)

    def iter(self):
        yield self
        for child in self.children:
            yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str) -> list[Node]:
        return [
            n
            for n in self.iter()
            if (tag is None or n.tag == tag)
            and all(n.attrs.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())
        ]

    def find(self, tag: str | None = None, **attrs: str) -> Node | None:
        found = self.find_all(tag, **attrs)
        return found[0] if found else None

    def text(self) -> str:
        parts = list(self.texts)
        for child in self.children:
            parts.append(child.text())
        return " ".join(p.strip() for p in parts if p.strip())


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag, attrs):
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        self.stack[-1].texts.append(data)


def parse_html(text: str) -> Node:
    builder = _Builder()
    builder.feed(text)
    builder.close()
    return builder.root


@dataclass
class Row:
    attrs: dict[str, str]
    values: dict[str, str]  # data-col -> data-value
    texts: dict[str, str]  # data-col -> text shown
    part: str  # tbody or tfoot


def table_rows(root: Node, table_id: str) -> list[Row]:
    table = root.find("table", id=table_id)
    assert table is not None, f"no table #{table_id}"
    rows = []
    for part in ("tbody", "tfoot"):
        for section in table.find_all(part):
            for tr in section.find_all("tr"):
                cells = [c for c in tr.children if c.tag in ("td", "th")]
                rows.append(
                    Row(
                        tr.attrs,
                        {c.attrs["data-col"]: c.attrs.get("data-value", "") for c in cells},
                        {c.attrs["data-col"]: c.text() for c in cells},
                        part,
                    )
                )
    return rows


def number(value: str) -> int | Decimal | None:
    """A cell's data-value as the mart would give it."""
    if value == "":
        return None
    return Decimal(value) if "." in value else int(value)


def require_chromium() -> str:
    if not Path(CHROMIUM).is_file() and not shutil.which("chromium"):
        pytest.fail(
            "Chromium is required for the report browser test and not installed at "
            f"{CHROMIUM}: run `apt-get install chromium`"
        )
    return CHROMIUM if Path(CHROMIUM).is_file() else str(shutil.which("chromium"))


def chromium(page: Path, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    """Run headless Chromium on a file:// page; console messages go to stderr."""
    exe = require_chromium()
    profile = tmp / "chromium-profile"
    profile.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        [exe, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args, page.resolve().as_uri()],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def console_messages(stderr: str) -> list[str]:
    """The page's console output (errors, CSP violations, warnings) from Chromium's log."""
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


def dump_dom(page: Path, tmp: Path) -> tuple[Node, str, list[str]]:
    """The DOM after the page's scripts ran, its HTML, and its console messages."""
    done = chromium(page, tmp, "--dump-dom")
    return parse_html(done.stdout), done.stdout, console_messages(done.stderr)


def screenshot(page: Path, png: Path, tmp: Path) -> list[str]:
    done = chromium(page, tmp, f"--screenshot={png}", "--window-size=1280,2400")
    assert png.is_file(), done.stderr[-2000:]
    return console_messages(done.stderr)


def png_pixels(path: Path) -> np.ndarray:
    """Decode an 8-bit RGB/RGBA PNG (what Chromium writes) into an (h, w, channels) array."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, bytearray(), None
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
    assert header is not None
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    raw = np.frombuffer(zlib.decompress(bytes(idat)), dtype=np.uint8).reshape(height, stride + 1)
    out = np.zeros((height, stride), dtype=np.uint8)
    prev = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        kind, line = raw[y, 0], raw[y, 1:]
        if kind == 0:
            row = line.copy()
        elif kind == 2:
            row = line + prev
        elif kind == 1:
            row = line.reshape(width, bpp).cumsum(axis=0, dtype=np.uint8).reshape(stride)
        else:
            row = _sequential(kind, line.tolist(), prev.tolist(), bpp)
        out[y] = row
        prev = row
    return out.reshape(height, width, bpp)


def _sequential(kind: int, line: list[int], prev: list[int], bpp: int) -> np.ndarray:
    row = [0] * len(line)
    for i, x in enumerate(line):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i]
        if kind == 3:
            row[i] = (x + (a + b) // 2) & 0xFF
            continue
        c = prev[i - bpp] if i >= bpp else 0
        p = a + b - c
        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
        pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
        row[i] = (x + pred) & 0xFF
    return np.array(row, dtype=np.uint8)


MEASURE = """<!doctype html><html><body>
<iframe id="f" src="{page}" width="{width}" height="900"></iframe>
<script>
document.getElementById("f").addEventListener("load", function () {{
  var doc = this.contentDocument, tables = [];
  doc.querySelectorAll(".table-wrap").forEach(function (w) {{
    tables.push(w.querySelector("table").id + "=" + w.scrollWidth + "/" + w.clientWidth);
  }});
  document.body.setAttribute("data-page",
    doc.documentElement.scrollWidth + "/" + doc.documentElement.clientWidth);
  document.body.setAttribute("data-tables", tables.join(" "));
}});
</script></body></html>
"""


def layout_widths(page: Path, tmp: Path, width: int = 1280) -> dict[str, tuple[int, int]]:
    """(scroll width, visible width) of the page and of each table's box, laid out by
    Chromium in a ``width`` px wide window: a page wider than its window scrolls sideways."""
    probe = page.parent / f".measure-{page.stem}.html"
    probe.write_text(MEASURE.format(page=page.name, width=width), encoding="utf-8")
    try:
        done = chromium(probe, tmp, "--dump-dom", "--allow-file-access-from-files")
    finally:
        probe.unlink()
    body = parse_html(done.stdout).find("body")
    pairs = [("page=" + body.attrs["data-page"]), *body.attrs["data-tables"].split()]
    out = {}
    for pair in pairs:
        name, sizes = pair.split("=")
        scroll, visible = sizes.split("/")
        out[name] = (int(scroll), int(visible))
    return out


@dataclass
class Opened:
    """A URL as headless Chromium ended up showing it: the main document's HTTP status, its
    final URL, the DOM after its scripts ran, and its console messages."""

    status: int
    url: str
    root: Node
    console: list[str]


class _DevTools:
    """A minimal Chrome DevTools Protocol client over the browser's websocket."""

    def __init__(self, ws_url: str) -> None:
        from websockets.sync.client import connect

        self.ws = connect(ws_url, max_size=None, open_timeout=30)
        self.next_id = 0
        self.events: list[dict] = []

    def send(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self.next_id += 1
        message: dict = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        while True:
            reply = json.loads(self.ws.recv(timeout=60))
            if reply.get("id") == self.next_id:
                assert "error" not in reply, (method, reply["error"])
                return reply.get("result", {})
            self.events.append(reply)

    def wait_event(self, method: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self.events):
                if event.get("method") == method:
                    return self.events.pop(i)
            reply = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            self.events.append(reply)


def open_url(
    url: str,
    tmp: Path,
    cookies: dict[str, str] | None = None,
    ready: str = "document.readyState === 'complete'",
    timeout: float = 60,
) -> Opened:
    """Open an http(s) URL in headless Chromium, with ``cookies`` set for its host first (a
    browser after login), and wait until the JavaScript ``ready`` is true."""

    exe = require_chromium()
    profile = tmp / "chromium-profile"
    profile.mkdir(parents=True, exist_ok=True)
    flags = [f for f in CHROMIUM_FLAGS if not f.startswith("--virtual-time-budget")]
    port = free_port()
    with open(tmp / "chromium.log", "w") as log:
        proc = subprocess.Popen(
            [exe, *flags, f"--user-data-dir={profile}", f"--remote-debugging-port={port}"],
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                version = httpx.get(f"http://127.0.0.1:{port}/json/version", timeout=5).json()
                break
            except httpx.HTTPError:
                assert proc.poll() is None and time.monotonic() < deadline, (
                    "Chromium did not start its DevTools:\n"
                    + (tmp / "chromium.log").read_text(errors="replace")[-3000:]
                )
                time.sleep(0.3)
        tools = _DevTools(version["webSocketDebuggerUrl"])
        [page] = [t for t in tools.send("Target.getTargets")["targetInfos"] if t["type"] == "page"]
        session = tools.send(
            "Target.attachToTarget", {"targetId": page["targetId"], "flatten": True}
        )["sessionId"]
        host = urlsplit(url)
        for name, value in (cookies or {}).items():
            tools.send(
                "Network.setCookie",
                {"name": name, "value": value, "url": f"{host.scheme}://{host.netloc}/"},
                session,
            )
        for domain in ("Network", "Page", "Runtime", "Log"):
            tools.send(f"{domain}.enable", session=session)
        tools.send("Page.navigate", {"url": url}, session)
        tools.wait_event("Page.loadEventFired", timeout)
        deadline = time.monotonic() + timeout
        while not tools.send(
            "Runtime.evaluate", {"expression": f"Boolean({ready})", "returnByValue": True}, session
        )["result"]["value"]:
            assert time.monotonic() < deadline, f"{url}: not ready ({ready})"
            time.sleep(0.5)
        html_text = tools.send(
            "Runtime.evaluate",
            {"expression": "document.documentElement.outerHTML", "returnByValue": True},
            session,
        )["result"]["value"]
        final = tools.send(
            "Runtime.evaluate", {"expression": "location.href", "returnByValue": True}, session
        )["result"]["value"]
        documents = [
            e["params"]["response"]
            for e in tools.events
            if e.get("method") == "Network.responseReceived" and e["params"]["type"] == "Document"
        ]
        console = [
            str(e["params"])
            for e in tools.events
            if e.get("method") in ("Runtime.consoleAPICalled", "Log.entryAdded")
        ]
        tools.ws.close()
        return Opened(documents[-1]["status"], final, parse_html(html_text), console)
    finally:
        proc.kill()
        proc.wait()
