"""Time `sunlight flags` on a synthetic county. A benchmark to run by hand, not a test:

    .venv/bin/python tests/bench_flags.py                      # 600 villages × 36 months
    .venv/bin/python tests/bench_flags.py --villages 60 --keep

It writes the county (≈ 280 MB at 600 × 36) to a temporary folder and runs the real command in
a child process: as run by default (every record checked), then twice with --cache (the first
run checks everything and fills `.build/cache`, the second reuses every unchanged village).
It prints the wall time and peak memory of each run and the count line, and deletes the county
unless --keep.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from builder.demo import generate_county

SUNLIGHT = Path(sys.executable).with_name("sunlight")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--villages", type=int, default=600)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument("--keep", action="store_true", help="keep the generated county")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sunlight-bench-flags-"))
    try:
        started = time.perf_counter()
        per_town = min(30, args.villages)
        stats = generate_county(
            work / "villages",
            towns=-(-args.villages // per_town),
            villages_per_town=per_town,
            months=args.months,
        )
        print(f"generated {stats} in {time.perf_counter() - started:.1f} s")
        last = ""
        for label, extra in (
            ("no cache (the default)", []),
            ("--cache, first run", ["--cache"]),
            ("--cache, unchanged", ["--cache"]),
        ):
            started = time.perf_counter()
            out = subprocess.run(
                [str(SUNLIGHT), "flags", "--today", "2026-11-22", *extra],
                cwd=work,
                capture_output=True,
                text=True,
                check=False,
            )
            seconds = time.perf_counter() - started
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            last = out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr
            print(f"{label}: {seconds:.1f} s, peak so far {peak:.0f} MB, exit {out.returncode}")
        print(last)
    finally:
        if args.keep:
            print(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
