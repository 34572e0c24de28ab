"""Open an HTML file in headless Chromium with networking off; report console errors, failed
requests and any request that left the file, and save screenshots.

    python scripts/check_page.py data/reports/E08000034/2025-03.html --screenshot out.png

Drives Debian's /usr/bin/chromium over the Chrome DevTools Protocol (a websocket; the
`websockets` package comes with dagster-webserver). Install Chromium with
scripts/ensure_chromium.sh. Networking is off three ways: DevTools' offline emulation, a proxy
that points nowhere, and a host resolver that resolves nothing; so anything the page tried to fetch
shows up as a failed request.
"""

from __future__ import annotations

import argparse
import base64
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

from websockets.sync.client import connect

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--hide-scrollbars",
    "--proxy-server=127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
    "--host-resolver-rules=MAP * ~NOTFOUND",
    "--remote-debugging-address=127.0.0.1",
    "--remote-debugging-port=0",
]


@dataclass
class PageCheck:
    url: str
    console_errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    title: str = ""
    screenshots: list[Path] = field(default_factory=list)

    @property
    def external_requests(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(("file:", "data:", "about:"))]

    @property
    def ok(self) -> bool:
        return not (self.console_errors or self.failed_requests or self.external_requests)


class _DevTools:
    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.events: list[dict] = []

    def call(self, method: str, timeout: float = 60, **params) -> dict:
        self.next_id += 1
        msg_id = self.next_id
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("id") == msg_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, method: str, timeout: float = 60) -> dict:
        deadline = time.monotonic() + timeout
        for i, event in enumerate(self.events):
            if event.get("method") == method:
                return self.events.pop(i)
        while time.monotonic() < deadline:
            message = json.loads(self.ws.recv(timeout=max(0.1, deadline - time.monotonic())))
            if message.get("method") == method:
                return message
            self.events.append(message)
        raise TimeoutError(method)

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self.events.append(json.loads(self.ws.recv(timeout=deadline - time.monotonic())))
            except TimeoutError:
                break


def _devtools_port(profile: Path, proc: subprocess.Popen, timeout: float = 30) -> int:
    marker = profile / "DevToolsActivePort"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if marker.exists() and marker.read_text().strip():
            return int(marker.read_text().split()[0])
        if proc.poll() is not None:
            raise RuntimeError(f"chromium exited with {proc.returncode}")
        time.sleep(0.1)
    raise TimeoutError("chromium did not open its DevTools port")


def _page_ws_url(port: int) -> str:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, no proxy
    with opener.open(f"http://127.0.0.1:{port}/json/list", timeout=10) as response:
        targets = json.load(response)
    return next(t["webSocketDebuggerUrl"] for t in targets if t.get("type") == "page")


def check_page(
    html_file: Path,
    screenshot: Path | None = None,
    *,
    width: int = 1280,
    height: int = 1800,
    full_page: Path | None = None,
    print_screenshot: Path | None = None,
    chromium: str = CHROMIUM,
) -> PageCheck:
    """Load the file with networking off and collect what went wrong."""
    url = html_file.resolve().as_uri()
    result = PageCheck(url)
    profile = Path(tempfile.mkdtemp(prefix="chromium-profile-"))
    proc = subprocess.Popen(
        [chromium, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        ws_url = _page_ws_url(_devtools_port(profile, proc))
        with connect(ws_url, max_size=None, open_timeout=30) as ws:
            tools = _DevTools(ws)
            for domain in ("Page", "Runtime", "Log", "Network"):
                tools.call(f"{domain}.enable")
            tools.call(
                "Network.emulateNetworkConditions",
                offline=True,
                latency=0,
                downloadThroughput=-1,
                uploadThroughput=-1,
            )
            tools.call(
                "Emulation.setDeviceMetricsOverride",
                width=width,
                height=height,
                deviceScaleFactor=1,
                mobile=False,
            )
            tools.call("Page.navigate", url=url)
            tools.wait_for("Page.loadEventFired")
            tools.drain(0.5)
            result.title = tools.call("Runtime.evaluate", expression="document.title")["result"][
                "value"
            ]
            if screenshot:
                _screenshot(tools, screenshot)
                result.screenshots.append(screenshot)
            if full_page:
                size = tools.call("Page.getLayoutMetrics")["cssContentSize"]
                _screenshot(
                    tools,
                    full_page,
                    clip={"x": 0, "y": 0, "width": width, "height": size["height"], "scale": 1},
                )
                result.screenshots.append(full_page)
            if print_screenshot:
                tools.call("Emulation.setEmulatedMedia", media="print")
                tools.call(
                    "Emulation.setDeviceMetricsOverride",
                    width=794,  # A4 at 96 dpi
                    height=1123,
                    deviceScaleFactor=1,
                    mobile=False,
                )
                tools.drain(0.3)
                _screenshot(tools, print_screenshot)
                result.screenshots.append(print_screenshot)
            tools.drain(0.2)
            _collect(tools.events, result)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)
    return result


def _screenshot(tools: _DevTools, path: Path, clip: dict | None = None) -> None:
    params = {"format": "png", "captureBeyondViewport": clip is not None}
    if clip:
        params["clip"] = clip
    data = tools.call("Page.captureScreenshot", **params)["data"]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(base64.b64decode(data))


def _collect(events: list[dict], result: PageCheck) -> None:
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in {"error", "assert"}:
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            result.console_errors.append(text)
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            result.console_errors.append(details.get("text", "exception"))
        elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
            entry = params["entry"]
            result.console_errors.append(f"{entry.get('source')}: {entry.get('text')}")
        elif method == "Network.requestWillBeSent":
            result.requests.append(params["request"]["url"])
        elif method == "Network.loadingFailed":
            result.failed_requests.append(
                f"{params.get('type')}: {params.get('errorText')} ({params.get('requestId')})"
            )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("html", type=Path)
    parser.add_argument("--screenshot", type=Path)
    parser.add_argument("--full-page", type=Path)
    parser.add_argument("--print-screenshot", type=Path)
    args = parser.parse_args(argv)
    result = check_page(
        args.html, args.screenshot, full_page=args.full_page, print_screenshot=args.print_screenshot
    )
    print(
        json.dumps(
            {
                "url": result.url,
                "title": result.title,
                "console_errors": result.console_errors,
                "failed_requests": result.failed_requests,
                "external_requests": result.external_requests,
                "screenshots": [str(p) for p in result.screenshots],
            },
            indent=2,
        )
    )
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
