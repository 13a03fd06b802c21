"""`make bench`: build a generated county at scale and print its figures.

    python -m tools.bench [--villages 600] [--months 36] [--out bench-out]

It measures what a county lives with: checking every record (cold, then again with nothing
changed), listing every supervision flag, building the whole site from nothing, republishing after
one village adds a month, a clerk's preview of that village after a save, and what a phone downloads (measured in Debian's headless Chromium
against a local server that gzips like a static host). Each timed command's `*_mb` is its peak
resident set: the largest single process of the command, its forked workers included only when
one of them is larger (the kernel's ru_maxrss of that one child, from os.wait4). The last line is
the one to compare:
bench: machine_s=… villages=… months=… pages=… check_s=… check_mb=… check_again_s=… check_again_mb=…
build_s=… build_mb=… rebuild_one_s=… rebuild_one_mb=… preview_s=… preview_mb=… flags_s=…
flags_mb=… first_visit_kb=… page_kb=… search_kb=…
"""

from __future__ import annotations

import argparse
import gzip
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from builder.audit.snapshot import china_today
from builder.format.values import next_month

ROOT = Path(__file__).resolve().parent.parent
SUNLIGHT = Path(sys.executable).parent / "sunlight"
QUERIES = ("低保", "管理费用", "村道硬化")
# Debian's Chromium, headless, with nothing of its own reaching for the network (the tests use
# the same flags: tests/browser.py)
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass(frozen=True)
class Measure:
    """What one command took: wall time and peak resident set."""

    seconds: float
    peak_mb: float


def run(args: list[str], cwd: Path) -> Measure:
    """Run one command, fail loudly, return its wall time and peak memory."""
    # NOTE: os.wait4 gives the rusage of this one child; RUSAGE_CHILDREN would be the maximum
    # over every command run so far, so a small command would report a big one's peak.
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(args, cwd=cwd, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        if proc.returncode != 0:
            out.seek(0)
            err.seek(0)
            stdout = out.read().decode("utf-8", "replace")
            stderr = err.read().decode("utf-8", "replace")
            sys.exit(f"bench: {' '.join(args)} failed:\n{stdout[-3000:]}\n{stderr[-3000:]}")
    return Measure(seconds, usage.ru_maxrss / 1024)  # NOTE: ru_maxrss is in KiB on Linux


def machine_seconds() -> float:
    """The machine's speed in this sitting: the best of three runs of a fixed single-core
    workload (Python arithmetic and a dict, a zlib pass) that no change to the project touches.
    The shared machine's speed moves from day to day by a factor of two or three; lines from
    two sittings compare only as far as their machine_s agree."""
    data = bytes(range(256)) * 16384
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        total, table = 0, {}
        for i in range(2_000_000):
            total += i * i
            table[i & 1023] = total
        zlib.compress(data, 6)
        best = min(best, time.perf_counter() - started)
    return best


def add_month(village: Path) -> str:
    """Publish one more month for a village: a balanced period after its last one."""
    import yaml

    last = sorted(p.name for p in village.iterdir() if p.is_dir())[-1]
    period = next_month(last)
    after = next_month(period)
    previous = yaml.load(
        (village / last / "disclosure.yml").read_text(encoding="utf-8"), Loader=yaml.BaseLoader
    )
    cash, bank = previous["closing"]["cash"], previous["closing"]["bank"]
    # NOTE: published by today when the month is over: a later day makes it a draft, which a
    # build leaves off the site, and the rebuild would then publish nothing new
    today = china_today().isoformat()
    published = min(f"{after}-05", max(today, f"{after}-01"))
    reviewed = min(f"{after}-03", published)
    folder = village / period
    folder.mkdir()
    (folder / "disclosure.yml").write_text(
        f'period: "{period}"\n'
        f'opening: {{cash: "{cash}", bank: "{bank}"}}\n'
        f'closing: {{cash: "{cash}", bank: "{float(bank) + 4000 - 1200:.2f}"}}\n'
        f"drafted_by: {previous['drafted_by']}\n"
        f"reviewed_by: {previous['reviewed_by']}\n"
        f'reviewed_at: "{reviewed}"\n'
        f'published_at: "{published}"\n',
        encoding="utf-8",
    )
    header = (village / last / "ledger.csv").read_text(encoding="utf-8").split("\n", 1)[0]
    (folder / "ledger.csv").write_text(
        header + "\n"
        f"{period}-05,记-001,收到镇财政拨付村级组织运转经费,503,4000.00,,镇财政所,转账,财政票据,,\n"
        f"{period}-18,记-002,支付村道硬化养护费,514,,1200.00,养护队,转账,发票,,\n",
        encoding="utf-8",
    )
    return period


class GzipHandler(SimpleHTTPRequestHandler):
    """A static host as GitHub Pages is one: gzip for text, a ten-minute cache.

    It counts the bytes it sends, which is what a phone downloads (cached files are not
    asked for again)."""

    sent = 0
    compress_text = True  # False: a host that sends files as they are (the worst case)

    def log_message(self, *args: Any) -> None:
        pass

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file():
            return super().send_head()
        data = path.read_bytes()
        compress = GzipHandler.compress_text and path.suffix in (
            ".html",
            ".css",
            ".js",
            ".json",
            ".svg",
            ".xml",
        )
        if compress:
            data = gzip.compress(data, 6, mtime=0)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        if compress:
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "max-age=600")
        self.end_headers()
        GzipHandler.sent += len(data)
        import io

        return io.BytesIO(data)


@contextmanager
def serve(root: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(GzipHandler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()


# The issue's slow phone network: 400 kbit/s each way, 400 ms round trips (DevTools' throttling)
SLOW_NETWORK = {
    "offline": False,
    "latency": 400,
    "downloadThroughput": 400_000 / 8,
    "uploadThroughput": 400_000 / 8,
}


# a cheap phone's CPU: DevTools' "4x slowdown" (its mid-tier mobile preset)
SLOW_CPU = 4
# first-contentful-paint as Chromium reports it, waited for: the entry is queued after the frame
# is presented, which can be after `load`; a page that never paints has none (null)
FIRST_PAINT = """() => new Promise(resolve => {
  const seen = performance.getEntriesByName("first-contentful-paint")[0];
  if (seen) return resolve(seen.startTime);
  new PerformanceObserver(list => {
    for (const e of list.getEntries()) if (e.name === "first-contentful-paint") resolve(e.startTime);
  }).observe({type: "paint", buffered: true});
  setTimeout(() => resolve(null), 15000);
})"""


def page_weights(
    site: Path, first: str, second: str, *, compress: bool = True
) -> tuple[float, float, float]:
    """KB a phone downloads: a period page with an empty cache, then the next one, warm; and
    the seconds to the first text (first contentful paint) of the first page on a slow network.
    compress: the host gzips text (most do), else it sends every file as it is."""
    from playwright.sync_api import sync_playwright

    GzipHandler.compress_text = compress
    with serve(site) as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 360, "height": 740})
        GzipHandler.sent = 0
        page.goto(base + first, wait_until="networkidle")
        cold = GzipHandler.sent
        GzipHandler.sent = 0
        page.click(f"a[href$='{second.rstrip('/').rsplit('/', 1)[-1]}/']")  # as a reader does
        page.wait_for_load_state("networkidle")
        warm = GzipHandler.sent
        page.context.close()
        seconds = first_text_seconds(browser, base + first)
        browser.close()
    GzipHandler.compress_text = True
    return cold / 1024, warm / 1024, seconds


def first_text_seconds(browser: Any, url: str) -> float:
    """Seconds from navigation to the first text painted, on the issue's phone: 400 kbit/s,
    400 ms round trips, a CPU four times slower, nothing cached. The page is the only one of
    its browser context, so it is the visible tab (Chromium does not paint a background tab,
    and reports no first paint for it)."""
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        slow = context.new_page()
        cdp = context.new_cdp_session(slow)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        cdp.send("Network.emulateNetworkConditions", SLOW_NETWORK)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": SLOW_CPU})
        slow.bring_to_front()
        slow.goto(url, wait_until="load", timeout=120_000)
        fcp = slow.evaluate(FIRST_PAINT)
    finally:
        context.close()
    if fcp is None:  # a figure of 0 would read as "instant"
        sys.exit(f"bench: Chromium reported no first paint for {url}")
    return float(fcp) / 1000


# What `sunlight serve FOLDER` does on every save, timed inside the process: the server built the
# preview once when it started (so its imports and its first build are not part of a clerk's
# wait), then a clerk saves one of the village's files and the server builds it again, with
# the options serve_site gives MkDocs.
PREVIEW = """
import sys, time
from pathlib import Path
from mkdocs.commands.build import build
from mkdocs.config import load_config
from builder.publish.build import preview_options
options, _ = preview_options(Path("mkdocs.yml"), [Path(sys.argv[1])])
def rebuild():
    build(load_config("mkdocs.yml", site_dir=sys.argv[2], **options))
rebuild()
saved = sorted(Path(sys.argv[1]).glob("*/disclosure.yml"))[-1]
saved.write_bytes(saved.read_bytes())
started = time.perf_counter()
rebuild()
print(f"{time.perf_counter() - started:.3f}")
"""


def preview_seconds(out: Path, village: Path) -> tuple[float, Measure]:
    """Seconds a running preview of a village takes to rebuild after a save, and the process's
    figures (its peak memory is of both builds)."""
    folder = village.relative_to(out).as_posix()
    with tempfile.TemporaryDirectory(dir=out) as scratch:
        args = [sys.executable, "-c", PREVIEW, folder, scratch]
        done = subprocess.Popen(args, cwd=out, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert done.stdout is not None
        text = done.stdout.read().decode()
        _, status, usage = os.wait4(done.pid, 0)
        if status != 0:
            sys.exit(f"bench: the preview build failed:\n{text}")
        seconds = float(text.strip().splitlines()[-1])
    return seconds, Measure(seconds, usage.ru_maxrss / 1024)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--villages", type=int, default=600)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--out", type=Path, default=ROOT / "bench-out")
    opts = parser.parse_args(argv)
    out: Path = opts.out.resolve()
    machine_s = machine_seconds()
    print(f"machine: {machine_s:.2f} s for the fixed workload", flush=True)
    if out.exists():
        out.rename(out.with_name(f"{out.name}.old-{os.getpid()}"))
    out.mkdir(parents=True)
    try:
        measure(out, opts, machine_s)
    finally:
        # NOTE: the last run's county (600,000 files) is deleted only now, after the figures:
        # on ext4 without a journal (this machine's disk) the kernel passes over each inode
        # freed in the last one to six minutes when it makes a file, so deleting it first made
        # each file of the build from nothing cost 200-1,000 µs of system CPU instead of 50-70
        for old in out.parent.glob(f"{out.name}.old-*"):
            shutil.rmtree(old, ignore_errors=True)


def measure(out: Path, opts: argparse.Namespace, machine_s: float) -> None:
    """Generate the county in out, time each command on it, print the figures."""
    from builder.publish.search import plan_query
    from tools.demo import generate_county

    shutil.copy(ROOT / "mkdocs.yml", out / "mkdocs.yml")
    shutil.copytree(ROOT / "content", out / "content")
    per_town = min(30, opts.villages)
    started = time.perf_counter()
    generate_county(
        out / "villages",
        towns=-(-opts.villages // per_town),
        villages_per_town=per_town,
        months=opts.months,
    )
    print(f"generated in {time.perf_counter() - started:.1f} s", flush=True)
    check = run([str(SUNLIGHT), "check"], out)
    print(f"check: {check.seconds:.1f} s, {check.peak_mb:.0f} MB", flush=True)
    check_again = run([str(SUNLIGHT), "check"], out)
    print(
        f"check again, nothing changed: {check_again.seconds:.1f} s, {check_again.peak_mb:.0f} MB",
        flush=True,
    )
    flags = run([str(SUNLIGHT), "flags", "--json"], out)
    print(
        f"flags (every rule, every village): {flags.seconds:.1f} s, {flags.peak_mb:.0f} MB",
        flush=True,
    )
    build = run([str(SUNLIGHT), "build", "--no-cache"], out)
    print(f"build from nothing: {build.seconds:.1f} s, {build.peak_mb:.0f} MB", flush=True)
    run([str(SUNLIGHT), "build"], out)  # fill the cache, as the last published build would
    town = sorted(p for p in (out / "villages").iterdir() if p.is_dir())[0]
    village = sorted(p for p in town.iterdir() if p.is_dir())[0]
    period = add_month(village)
    rebuild = run([str(SUNLIGHT), "build"], out)
    print(
        f"rebuild after {village.name} added {period}: {rebuild.seconds:.1f} s, "
        f"{rebuild.peak_mb:.0f} MB",
        flush=True,
    )
    preview_s, preview = preview_seconds(out, village)
    print(
        f"preview of {village.name} after a save (sunlight serve {village.name}'s folder): "
        f"{preview_s:.2f} s, {preview.peak_mb:.0f} MB",
        flush=True,
    )
    site = out / "site"
    # NOTE: through links: a cached build's village folders link to their stored copies
    pages = sum(names.count("index.html") for _, _, names in os.walk(site, followlinks=True))
    periods = sorted(p.name for p in village.iterdir() if p.is_dir())
    rel = village.relative_to(out / "villages").as_posix()
    first_kb, page_kb, first_text_s = page_weights(
        site, f"{rel}/{periods[-2]}/", f"{rel}/{periods[-3]}/"
    )
    raw_kb, _, raw_first_text_s = page_weights(
        site, f"{rel}/{periods[-2]}/", f"{rel}/{periods[-3]}/", compress=False
    )
    search_kb = max(plan_query(site / "search", q).gzip_bytes for q in QUERIES) / 1024
    print(
        f"bench: machine_s={machine_s:.2f} villages={opts.villages} months={opts.months} "
        f"pages={pages} "
        f"check_s={check.seconds:.1f} check_mb={check.peak_mb:.0f} "
        f"check_again_s={check_again.seconds:.1f} check_again_mb={check_again.peak_mb:.0f} "
        f"build_s={build.seconds:.1f} build_mb={build.peak_mb:.0f} "
        f"rebuild_one_s={rebuild.seconds:.1f} rebuild_one_mb={rebuild.peak_mb:.0f} "
        f"preview_s={preview_s:.2f} preview_mb={preview.peak_mb:.0f} "
        f"flags_s={flags.seconds:.1f} flags_mb={flags.peak_mb:.0f} "
        f"first_visit_kb={first_kb:.1f} first_visit_raw_kb={raw_kb:.1f} page_kb={page_kb:.1f} "
        f"search_kb={search_kb:.1f} first_text_s={first_text_s:.2f} "
        f"first_text_raw_s={raw_first_text_s:.2f}"
    )


if __name__ == "__main__":
    main()
