"""Benchmark: judging and scoring 10,000 desktops (`fleetreport report --format json`).

Builds a large snapshot by replicating the demo fleet (``fixtures/demo/snapshot.json``: its
pools, machines, sessions and their realistic mix of problems) until it holds the requested
number of desktops, each copy with its own VM morefs and machine ids, then measures:
  - loading the snapshot file (parse and check every field);
  - building the scored report (every check over every subject, scores, energy);
  - writing the JSON report; and the whole `fleetreport report` process with its peak memory.

    python bench/health.py [--desktops 10000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))  # the replicated fleet is the tests' too

from measure import measured_run  # noqa: E402
from support.large_fleet import replicated  # noqa: E402

from fleetreport.cli import GC_THRESHOLDS  # noqa: E402
from fleetreport.health.build import build_report  # noqa: E402
from fleetreport.health.report_json import report_to_json  # noqa: E402
from fleetreport.snapshot.store import load_snapshot, save_snapshot  # noqa: E402

DEMO = REPO / "fixtures" / "demo" / "snapshot.json"


def best_of(repeat: int, action: object) -> float:
    """Fastest of ``repeat`` runs, in seconds."""
    assert callable(action)
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--desktops", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    gc.set_threshold(*GC_THRESHOLDS)  # as the command line runs

    big = replicated(load_snapshot(DEMO), args.desktops)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "big.json"
        save_snapshot(big, path)
        size_mb = path.stat().st_size / 1e6
        load_s = best_of(args.repeat, lambda: load_snapshot(path))
        snapshot = load_snapshot(path)
        report = build_report(snapshot)
        desktops = report.fleet.desktops
        build_s = best_of(args.repeat, lambda: build_report(snapshot))
        write_s = best_of(args.repeat, lambda: report_to_json(report))
        out = Path(folder) / "report.json"
        run = measured_run(
            [
                *(sys.executable, "-m", "fleetreport", "-q", "report", str(path)),
                *("--format", "json", "--out", str(out)),
            ]
        )
        if run.returncode not in (0, 2):  # 2: findings at --fail-on, not an error
            raise SystemExit(f"fleetreport report exited {run.returncode}")
        process_s, peak_mib = run.seconds, run.peak_mib
        report_mb = out.stat().st_size / 1e6

    per_thousand = build_s / desktops * 1000
    print(f"desktops                         {desktops:,} ({len(snapshot.vms):,} VMs)")
    print(f"snapshot file                    {size_mb:.1f} MB")
    print(f"load snapshot                    {load_s:.2f} s")
    print(f"build scored report              {build_s:.2f} s ({per_thousand:.3f} s per 1,000)")
    print(f"  findings                       {len(report.findings):,}")
    print(f"JSON text of the report          {write_s:.2f} s ({report_mb:.1f} MB)")
    print(f"`fleetreport report` process     {process_s:.2f} s wall, peak RSS {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
