"""Compare a built site with the records: what `sunlight verify --site DIR` answers."""

from __future__ import annotations

from pathlib import Path

from builder import model
from builder.audit.commands import Verdict, log_path
from builder.audit.fingerprint import display, fingerprint, period_url
from builder.audit.snapshot import LOG_NAME
from builder.publish.qr import qr_svg


def verify_site(county: model.County, villages_dir: Path, site_dir: Path) -> Verdict:
    """Does a built site show, for every published period, exactly the records' fingerprint
    (page, printable sheet and its QR code), and the same publication log?"""
    bad: list[str] = []
    seen: set[str] = set()
    count = 0
    for v in county.villages():
        for p in v.periods:
            count += 1
            fp = fingerprint(v, p)
            rel = f"{v.url}{p.period}/"
            seen.add(rel)
            page = site_dir / rel / "index.html"
            sheet = site_dir / rel / "print" / "index.html"
            html = page.read_text(encoding="utf-8") if page.is_file() else ""
            if f'data-fingerprint="{fp}"' not in html:
                bad.append(f"{rel}index.html")
            qr = qr_svg(period_url(county, v, p, fp)).decode().split("\n", 1)[1].strip()
            sheet_html = sheet.read_text(encoding="utf-8") if sheet.is_file() else ""
            if display(fp) not in sheet_html or qr not in sheet_html:
                bad.append(f"{rel}print/index.html")
    for page in sorted(site_dir.glob("*/*/[0-9][0-9][0-9][0-9]-[0-9][0-9]/index.html")):
        rel = page.parent.relative_to(site_dir).as_posix() + "/"
        if rel not in seen and 'name="sunlight-redirect"' in page.read_text(encoding="utf-8"):
            continue  # a migrated village's old address (audit/migrations.py)
        if rel not in seen:
            bad.append(f"{rel}index.html（记录中没有这一期 / not in the records）")
    log_file = log_path(villages_dir)
    site_log = site_dir / "log" / LOG_NAME
    if log_file.is_file() and (
        not site_log.is_file() or site_log.read_bytes() != log_file.read_bytes()
    ):
        bad.append(f"log/{LOG_NAME}")
    if bad:
        return Verdict(
            False,
            [f"不一致：{path}" for path in bad]
            + [f"Mismatch: {len(bad)} files differ from the records."],
        )
    return Verdict(
        True,
        [
            f"一致：{count} 个期间的网页、张贴版和二维码都与记录的指纹相符。",
            f"Match: the pages, printable sheets and QR codes of {count} periods match the records.",
        ],
    )
