"""QR codes stay module for module what they were: every speed-up of builder.publish.qr must
draw byte-identical SVG and PNG files for the URLs the site prints (period sheets with their
fingerprint and tree head, village pages and cards), so a sheet reprinted after an upgrade
matches the one on the noticeboard.

tests/data/qr_frozen.txt holds, for each URL below, the first 64 bits of the SHA-256 of its SVG
(and of every tenth URL's PNG) as drawn by the implementation of 2026-12-01 (commit 783b710).
"""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

from builder.publish.qr import qr_png, qr_svg

FROZEN = Path(__file__).parent / "data" / "qr_frozen.txt"
COUNT = 3000
PNG_EVERY = 10


def site_urls(count: int = COUNT, seed: int = 18004) -> list[str]:
    """URLs of the shapes render.py puts in QR codes: the county's site URL, then
    town/village/ (village page and card) or town/village/period/?fp=…[&t=size-root]
    (a period's print sheet), over every QR version these lengths reach."""
    rng = random.Random(seed)
    sites = [
        "http://x.cn/",
        "https://example.org/yunxi/",
        "https://sunlight.example.gov.cn/",
        "https://yunxi-county.sanwu.example.gov.cn/public/transparency/sites/",
    ]
    towns = ["hekou", "t-01", "t-12", "chengguan", "dongshan-zhen"]
    villages = ["dongshan", "nanling", "xiaowang-cun", "shangxiahe-cun"]
    urls = []
    for _ in range(count):
        site, town = rng.choice(sites), rng.choice(towns)
        village = rng.choice([*villages, f"v-{rng.randint(1, 600):03d}"])
        if rng.random() < 0.1:
            urls.append(f"{site}{town}/{village}/")
            continue
        year, month = rng.randint(2020, 2027), rng.randint(1, 12)
        period = f"{year}-{month:02d}" if rng.random() < 0.9 else f"{year}-q{month % 4 + 1}"
        url = f"{site}{town}/{village}/{period}/?fp={rng.getrandbits(128):032x}"
        if rng.random() < 0.7:
            url += f"&t={rng.randint(1, 300000)}-{rng.getrandbits(64):016x}"
        urls.append(url)
    return urls


def digests(url: str, index: int) -> str:
    """The line of qr_frozen.txt for url."""
    line = hashlib.sha256(qr_svg(url)).hexdigest()[:16]
    if index % PNG_EVERY == 0:
        line += " " + hashlib.sha256(qr_png(url)).hexdigest()[:16]
    return line


def test_site_urls_cover_several_versions() -> None:
    """The URLs reach more than one QR version, the longest sheets included."""
    lengths = sorted(len(url) for url in site_urls())
    assert lengths[0] < 40 and lengths[-1] > 150


def test_qr_codes_are_byte_identical_to_the_frozen_ones() -> None:
    expected = FROZEN.read_text(encoding="ascii").splitlines()
    urls = site_urls()
    assert len(expected) == len(urls)
    changed = [
        url
        for i, (url, line) in enumerate(zip(urls, expected, strict=True))
        if digests(url, i) != line
    ]
    assert not changed, f"{len(changed)} QR codes changed, e.g. {changed[:3]}"


if __name__ == "__main__":  # writes the frozen file: only ever from the reference commit
    FROZEN.write_text(
        "".join(digests(url, i) + "\n" for i, url in enumerate(site_urls())), encoding="ascii"
    )
