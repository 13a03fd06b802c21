"""Helpers for browser tests: serve a directory on 127.0.0.1 and drive Debian's Chromium.

Plain functions, not fixtures (conftest.py belongs to someone else).  Typical use::

    with serve_directory(site) as base, chromium() as browser:
        page = phone_page(browser)
        requests = record_requests(page)
        page.goto(base + "index.html")
"""

from __future__ import annotations

import gzip
import os
import shutil
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tools.bench import CHROMIUM, CHROMIUM_ARGS

PHONE_VIEWPORT = {"width": 360, "height": 740}
GZIP_TYPES = (".json", ".html", ".js", ".css", ".svg")


def browser_missing() -> str | None:
    """Return why the browser tests cannot run here, or None when they can (never under CI)."""
    if os.environ.get("CI"):
        return None  # NOTE: CI installs Chromium (make browser); a skip there would hide a failure
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        return f"{CHROMIUM} is not installed"
    return None


class StaticHandler(SimpleHTTPRequestHandler):
    """Serve files like a static host: gzip text when asked, no logging, no caching headers."""

    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".js": "text/javascript",
        ".json": "application/json",
        ".css": "text/css",
        ".html": "text/html; charset=utf-8",
    }

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet."""

    def do_GET(self) -> None:
        """Send the file, gzipped (level 6, like most static hosts) when the client accepts it."""
        path = Path(self.translate_path(self.path))
        if path.is_dir() and urlsplit(self.path).path.endswith("/"):
            path = path / "index.html"
        gzip_ok = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (gzip_ok and path.suffix in GZIP_TYPES and path.is_file()):
            super().do_GET()
            return
        body = gzip.compress(path.read_bytes(), compresslevel=6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve_directory(root: Path) -> Iterator[str]:
    """Serve root over HTTP on 127.0.0.1 (a free port) in a thread; yield the base URL ending in /."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(StaticHandler, directory=str(root)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, name="static-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@contextmanager
def chromium() -> Iterator[Any]:
    """Launch Debian's Chromium headless through Playwright; yield the Browser."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def phone_page(browser: Any, **context_options: Any) -> Any:
    """Return a new Page in a fresh context sized like a cheap phone (360×740, touch, zh-CN)."""
    options: dict[str, Any] = {
        "viewport": PHONE_VIEWPORT,
        "is_mobile": True,
        "has_touch": True,
        "locale": "zh-CN",
    }
    options.update(context_options)
    return browser.new_context(**options).new_page()


def record_requests(page: Any) -> list[Any]:
    """Return a list that fills with every Request the page makes from now on."""
    seen: list[Any] = []
    page.on("request", lambda request: seen.append(request))
    return seen


def record_responses(page: Any) -> list[Any]:
    """Return a list that fills with every Response the page receives from now on."""
    seen: list[Any] = []
    page.on("response", lambda response: seen.append(response))
    return seen


def request_paths(requests: list[Any], base: str) -> list[str]:
    """Return the paths (below base, without query) of requests made to base."""
    return [
        urlsplit(r.url).path[len(urlsplit(base).path) :] for r in requests if r.url.startswith(base)
    ]


def foreign_requests(requests: list[Any]) -> list[str]:
    """Return the URLs of requests that did not go to 127.0.0.1 (data: and about: allowed)."""
    return [
        r.url
        for r in requests
        if urlsplit(r.url).scheme not in ("data", "about", "blob")
        and urlsplit(r.url).hostname != "127.0.0.1"
    ]
