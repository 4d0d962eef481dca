"""The HTML report and a saved map, opened in headless Chromium: what a person would see.

Chromium is Debian's ``chromium`` package (``.ci/run`` installs it where it can; set
``VESSELSCREEN_CHROMIUM`` to use another binary). Without it these tests are skipped
with a message saying so. The browser is driven over the DevTools protocol with
``websockets`` (a dev dependency): the tests read the rendered DOM and every console
message, and save screenshots under ``build/screenshots/``.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import vesselscreen as vs

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots"
FLAGS = (
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage", "--hide-scrollbars", "--remote-debugging-port=0",
)  # fmt: skip
TIMEOUT_S = 30.0

websockets_sync = pytest.importorskip("websockets.sync.client")


def _chromium() -> str | None:
    configured = os.environ.get("VESSELSCREEN_CHROMIUM")
    if configured:
        return configured
    return shutil.which("chromium") or shutil.which("chromium-browser")


class Page:
    """One browser tab over the DevTools protocol (flattened session), with its console log."""

    def __init__(self, ws: Any, session: str) -> None:
        self.ws = ws
        self.session = session
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, **params: object) -> dict[str, Any]:
        self.next_id += 1
        message_id = self.next_id
        self.ws.send(
            json.dumps({"id": message_id, "method": method, "params": params, "sessionId": self.session})
        )
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv(timeout=TIMEOUT_S))
            if message.get("id") == message_id:
                if "error" in message:
                    raise AssertionError(f"{method}: {message['error']}")
                return message.get("result", {})  # type: ignore[no-any-return]
            self.events.append(message)
        raise AssertionError(f"no answer to {method} in {TIMEOUT_S} s")

    def wait_for(self, method: str) -> dict[str, Any]:
        for event in self.events:
            if event.get("method") == method:
                return event
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv(timeout=TIMEOUT_S))
            self.events.append(message)
            if message.get("method") == method:
                return message
        raise AssertionError(f"no {method} in {TIMEOUT_S} s")

    def open(self, path: Path, *, width: int = 1200, height: int = 900) -> None:
        for domain in ("Page", "Runtime", "Log"):
            self.send(f"{domain}.enable")
        self.send(
            "Emulation.setDeviceMetricsOverride",
            width=width,
            height=height,
            deviceScaleFactor=1,
            mobile=False,
        )
        self.send("Page.navigate", url=path.resolve().as_uri())
        self.wait_for("Page.loadEventFired")
        self.send("Runtime.evaluate", expression="new Promise(r => setTimeout(r, 300))", awaitPromise=True)

    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and failed loads seen so far."""
        out = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                out.append(str(params["exceptionDetails"]))
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                out.append(
                    " ".join(str(a.get("value", a.get("description"))) for a in params.get("args", []))
                )
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                entry = params["entry"]
                out.append(f"{entry.get('source')}: {entry.get('text')} {entry.get('url', '')}")
        return out

    def screenshot(self, name: str, *, full_page: bool = False) -> Path:
        params: dict[str, object] = {"format": "png"}
        if full_page:
            size = self.send("Page.getLayoutMetrics")["cssContentSize"]
            params["clip"] = {
                "x": 0,
                "y": 0,
                "width": size["width"],
                "height": min(size["height"], 6000),
                "scale": 1,
            }
            params["captureBeyondViewport"] = True
        data = self.send("Page.captureScreenshot", **params)["data"]
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        path = SCREENSHOTS / name
        path.write_bytes(base64.b64decode(data))
        return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    binary = _chromium()
    if binary is None:
        pytest.skip(
            "headless Chromium not found: install Debian's `chromium` package (`.ci/run` does so as root) "
            "or set VESSELSCREEN_CHROMIUM to a Chromium binary"
        )
    profile = tempfile.mkdtemp(prefix="vesselscreen-chromium-")
    log = Path(profile) / "stderr.log"  # a file, not a pipe: Chromium logs a lot and must never block
    with log.open("w") as stderr:
        process = subprocess.Popen(  # a fixed browser command line
            [binary, *FLAGS, f"--user-data-dir={profile}/data", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=stderr,
        )
    try:
        url = None
        deadline = time.monotonic() + TIMEOUT_S
        while url is None and time.monotonic() < deadline and process.poll() is None:
            found = re.search(r"DevTools listening on (ws://\S+)", log.read_text(errors="replace"))
            url = found.group(1) if found else None
            time.sleep(0.05)
        if url is None:
            pytest.skip(f"{binary} did not start a DevTools endpoint (exit status {process.poll()})")
        with websockets_sync.connect(url, max_size=None, open_timeout=TIMEOUT_S) as ws:
            yield ws
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        shutil.rmtree(profile, ignore_errors=True)


def _page(ws: Any) -> Page:
    ws.send(json.dumps({"id": 1, "method": "Target.createTarget", "params": {"url": "about:blank"}}))
    target = None
    while target is None:
        message = json.loads(ws.recv(timeout=TIMEOUT_S))
        target = message.get("result", {}).get("targetId") if message.get("id") == 1 else None
    ws.send(
        json.dumps(
            {"id": 2, "method": "Target.attachToTarget", "params": {"targetId": target, "flatten": True}}
        )
    )
    session = None
    while session is None:
        message = json.loads(ws.recv(timeout=TIMEOUT_S))
        session = message.get("result", {}).get("sessionId") if message.get("id") == 2 else None
    return Page(ws, session)


def test_html_report_in_chromium(browser: Any, demo: vs.ScreeningResult, tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    demo.to_html(path)
    page = _page(browser)
    page.open(path)
    rendered = page.evaluate(
        """({
        findings: [...document.querySelectorAll('div.finding')].map(d => d.id),
        tracks: document.querySelectorAll('svg.map polyline.track').length,
        ports: document.querySelectorAll('svg.map circle.port-call').length,
        gaps: document.querySelectorAll('svg.map line.gap').length,
        land: document.querySelectorAll('svg.map path.land').length,
        vessels: [...document.querySelectorAll('section.vessel h2')].map(h => h.innerText),
        firstMap: (() => { const r = document.querySelector('svg.map').getBoundingClientRect();
                           return [r.width, r.height]; })(),
        })"""
    )
    assert sorted(rendered["findings"]) == sorted(f"finding-{i}" for i in range(1, len(demo.findings) + 1))
    assert rendered["tracks"] >= 3 + 3  # the overview and one map per flagged vessel
    assert rendered["ports"] >= 3
    assert rendered["gaps"] == 2  # PORT OLYA 3's dark gap, on the overview and on its own map
    assert rendered["land"] >= 4
    assert [v.split("\n")[0].split(" MMSI")[0] for v in rendered["vessels"]] == [
        "PORT OLYA 3", "PORT OLYA-4", "MUSA JALIL",
    ]  # fmt: skip
    width, height = rendered["firstMap"]
    assert width > 500
    assert height > 300
    assert page.errors() == []
    shot = page.screenshot("demo-report.png", full_page=True)
    assert shot.stat().st_size > 10_000


def test_saved_map_in_chromium(browser: Any, demo: vs.ScreeningResult, tmp_path: Path) -> None:
    pytest.importorskip("folium")
    path = tmp_path / "map.html"
    demo.map().save(str(path))
    page = _page(browser)
    page.open(path, width=1100, height=800)
    rendered = page.evaluate(
        """({
        leaflet: typeof L === 'object' && L.version,
        tracks: document.querySelectorAll('path.vs-track').length,
        gaps: document.querySelectorAll('path.vs-gap').length,
        ports: document.querySelectorAll('path.vs-port').length,
        findings: document.querySelectorAll('path.vs-finding').length,
        tiles: document.querySelectorAll('img.leaflet-tile').length,
        })"""
    )
    assert rendered["leaflet"] == "1.9.4"
    assert rendered["tracks"] >= 7  # every vessel of the demo has a track
    assert rendered["gaps"] == 1
    assert rendered["ports"] >= 3
    assert rendered["findings"] == len(demo.findings)
    assert rendered["tiles"] == 0
    # a finding's popup opens with its explanation and evidence table
    page.evaluate(
        "document.querySelector('path.vs-dark_gap').dispatchEvent(new MouseEvent('click', {bubbles: true}))"
    )
    page.send(
        "Runtime.evaluate", expression="new Promise(r => setTimeout(r, 600))", awaitPromise=True
    )  # fade-in
    popup = page.evaluate("document.querySelector('.leaflet-popup-content').innerText")
    assert "sent no AIS for 87.3 h" in popup
    assert "duration_h" in popup
    assert page.errors() == []
    shot = page.screenshot("demo-map.png")
    assert shot.stat().st_size > 10_000
