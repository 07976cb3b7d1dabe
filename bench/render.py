"""Benchmark: the HTML report of 10,000 desktops: render time, file size, and opening it.

Replicates the demo fleet to the requested size (as ``bench/health.py`` does), renders the
HTML report, and, when Debian's chromium is installed, loads the file headless and reports how
long the browser takes to reach the load event and the first screenshot.

    python bench/render.py [--desktops 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from health import DEMO, best_of, replicated

from fleetreport.health.build import build_report
from fleetreport.render.html import render_html
from fleetreport.snapshot.store import load_snapshot

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def browser_seconds(html: Path, folder: Path) -> float | None:
    """Wall time for headless chromium to load the file and write a screenshot."""
    chromium = shutil.which("chromium")
    if chromium is None:
        return None
    started = time.perf_counter()
    subprocess.run(
        [
            chromium,
            *CHROMIUM_FLAGS,
            f"--user-data-dir={folder / 'profile'}",
            "--window-size=1280,2000",
            f"--screenshot={folder / 'shot.png'}",
            html.as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--desktops", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    demo = load_snapshot(DEMO)
    report = build_report(replicated(demo, args.desktops))
    render_s = best_of(args.repeat, lambda: render_html(report))
    html = render_html(report)
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        path = folder / "report.html"
        path.write_text(html, encoding="utf-8")
        open_s = browser_seconds(path, folder)
        small = folder / "small.html"
        small.write_text(render_html(build_report(demo)), encoding="utf-8")
        small_open_s = browser_seconds(small, folder)
    print(f"desktops                     {report.fleet.desktops:,}")
    print(f"findings                     {len(report.findings):,}")
    print(f"render HTML                  {render_s:.2f} s")
    print(f"file size                    {len(html.encode()) / 1e6:.1f} MB")
    if open_s is not None and small_open_s is not None:
        print(f"chromium load + screenshot   {open_s:.2f} s (demo fleet: {small_open_s:.2f} s)")
    else:
        print("chromium not installed: no load time")


if __name__ == "__main__":
    main()
