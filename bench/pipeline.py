"""Benchmark: the whole job against the wire (issue 17): `fleetreport collect` plus `fleetreport
report` of N VMs, against the time the vCenter takes to produce and send the same inventory.

For each size (default 1,000, 10,000 and 30,000 VMs; vCenter only, so every VM is a desktop),
starts govmomi's simulator with the bulk scenario scaled to it and measures, in the same run:
  - the wire floor: the collector's own RetrievePropertiesEx requests (same property specs,
    views and pages), each response body read in full (gzip decoded) but not parsed;
  - one bulk RetrievePropertiesEx of the same VM properties through pyvmomi;
  - the processes `fleetreport collect`, `fleetreport report --format html` and `--format
    json` on its snapshot: wall time and each process's own peak RSS;
  - a breakdown by stage, in this process: start-up imports, reading and parsing the
    inventory, assembling and writing the snapshot, loading it, judging, rendering.
Each measure is taken --repeat times (3 by default) and the best counts, as timing benchmarks
do on a shared machine (the wire floor moves by 20% from one minute to the next here); a
process's peak RSS is the highest of its runs. Prints each figure, collect + HTML report, its
ratio to the wire floor, and each run's ratio.

    python bench/pipeline.py [--vms 1000,10000,30000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from measure import measured_run  # noqa: E402
from pyVim.connect import Disconnect  # noqa: E402
from support.vcsim import VcsimServer, bulk_scenario, start_vcsim  # noqa: E402

from fleetreport.cli import GC_THRESHOLDS  # noqa: E402
from fleetreport.collect.vcenter import property_reader  # noqa: E402
from fleetreport.collect.vcenter.inventory import (  # noqa: E402
    CLUSTER_PROPERTIES,
    PROPERTIES_BY_TYPE,
    collect_vcenter,
)
from fleetreport.collect.vcenter.session import open_session  # noqa: E402
from fleetreport.collect.vcenter.soap_stream import Page, Received  # noqa: E402
from fleetreport.endpoints import Endpoint, TlsOptions  # noqa: E402
from fleetreport.health.build import build_report  # noqa: E402
from fleetreport.health.report_json import report_to_json  # noqa: E402
from fleetreport.render.html import render_html  # noqa: E402
from fleetreport.secrets import Secret  # noqa: E402
from fleetreport.snapshot.model import Snapshot, Source  # noqa: E402
from fleetreport.snapshot.store import parse_snapshot, snapshot_to_json  # noqa: E402

TOKEN = re.compile(rb"<token>([^<]+)</token>")
PAGE_SIZE = 1000  # the collector's default --page-size


@dataclass(frozen=True)
class Process:
    """One subprocess: wall time and its own peak RSS."""

    seconds: float
    peak_mib: float


def run_process(command: list[str], env: dict[str, str]) -> Process:
    """Run ``command``; its wall time and the peak RSS of that process alone (``measure.py``)."""
    run = measured_run(command, env)
    if run.returncode not in (0, 2):  # 2: findings at --fail-on, not an error
        raise SystemExit(f"{command[3]} exited {run.returncode}")
    return Process(run.seconds, run.peak_mib)


def unparsed(received: Received) -> Page:
    """A result page as the wire floor takes it: the body the collector received, decoded
    (gunzipped when sent so), its token found, nothing parsed."""
    data = b"".join(received.decoded())
    found = TOKEN.search(data)  # RetrieveResult's token comes before its objects
    return Page(objects=[], token=found.group(1).decode() if found else None)


@cache
def as_installed() -> dict[str, str]:
    """The environment of the measured processes, with the package's bytecode compiled as
    ``pip install`` leaves it: a process that compiles fleetreport's modules from source on
    every start (``PYTHONDONTWRITEBYTECODE``, set on some build machines) spends about 0.2 s
    more importing, which no installed copy does."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(REPO / "fleetreport")], check=True, env=env
    )
    return env


@contextmanager
def session_on(server: VcsimServer) -> Iterator[Any]:
    endpoint = Endpoint("https", server.host, server.port, "/sdk")
    assert server.ca_file is not None
    tls = TlsOptions(ca_file=Path(server.ca_file))
    with open_session(endpoint, server.username, Secret(server.password), tls, 300) as session:
        yield session


def wire_floor(server: VcsimServer) -> tuple[float, int]:
    """Seconds for the collector's inventory requests with unparsed answers, and their pages."""
    with session_on(server) as session:
        fields = session.content.customFieldsManager
        original = property_reader.read_page
        property_reader.read_page = unparsed
        pages = 0

        def counted() -> None:
            nonlocal pages
            pages += 1

        try:
            started = time.perf_counter()
            property_reader.retrieve_inventory(
                session.content,
                PROPERTIES_BY_TYPE,
                page_size=PAGE_SIZE,
                count_round_trip=counted,
                extra_objects=[(fields, type(fields), ("field",))] if fields else [],
                subtype_paths=CLUSTER_PROPERTIES,
            )
            return time.perf_counter() - started, pages
        finally:
            property_reader.read_page = original


def pyvmomi_bulk(server: VcsimServer) -> float:
    """One bulk RetrievePropertiesEx of the VM properties through pyvmomi, pages followed
    (``bench/collect.py``'s measurement)."""
    si = server.connect()
    try:
        seconds, _ = _bench_collect().bulk_retrieve(si.RetrieveContent())
        return float(seconds)
    finally:
        Disconnect(si)


@cache
def _bench_collect() -> Any:
    """``bench/collect.py`` as a module (the bench folder is not a package), loaded once."""
    spec = importlib.util.spec_from_file_location("bench_collect", REPO / "bench" / "collect.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def stages(server: VcsimServer) -> dict[str, float]:
    """The pipeline's stages, timed in this process (imports measured in a fresh one), with the
    garbage collector tuned as the command line tunes it."""
    gc.set_threshold(*GC_THRESHOLDS)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", "import fleetreport.cli.collect, fleetreport.collect.run"],
        check=True,
        cwd=REPO,
        env=as_installed(),
    )
    timings["start a process and import the collector"] = time.perf_counter() - started
    with session_on(server) as session:
        started = time.perf_counter()
        inventory = collect_vcenter(session, page_size=PAGE_SIZE)
        timings["read and parse the inventory"] = time.perf_counter() - started
    started = time.perf_counter()
    now = datetime.now(UTC)
    source = Source("vcenter", server.url, "ok", now, now, True)
    snapshot = Snapshot(
        schema_version=2,
        generator="bench",
        collected_at=now,
        sources=[source],
        vcenters=[inventory.vcenter],
        datacenters=inventory.datacenters,
        clusters=inventory.clusters,
        hosts=inventory.hosts,
        vms=inventory.vms,
        datastores=inventory.datastores,
        alarms=inventory.alarms,
    )
    text = snapshot_to_json(snapshot)
    timings["write the snapshot (JSON text)"] = time.perf_counter() - started
    raw = text.encode()
    started = time.perf_counter()
    loaded = parse_snapshot(raw, "bench")
    timings["load the snapshot"] = time.perf_counter() - started
    started = time.perf_counter()
    report = build_report(loaded)
    timings["judge (build the scored report)"] = time.perf_counter() - started
    started = time.perf_counter()
    render_html(report)
    timings["render the HTML report"] = time.perf_counter() - started
    started = time.perf_counter()
    report_to_json(report)
    timings["the JSON report's text"] = time.perf_counter() - started
    return timings


def best(runs: list[Process]) -> Process:
    """The fastest of some runs of one process, with the highest peak RSS any of them had."""
    return Process(min(r.seconds for r in runs), max(r.peak_mib for r in runs))


def measure(vms: int, repeat: int) -> None:
    print(f"\n== {vms:,} VMs: starting the simulator ...", flush=True)
    started = time.perf_counter()
    with start_vcsim(bulk_scenario(vms)) as server, tempfile.TemporaryDirectory() as folder:
        print(f"simulator ready in {time.perf_counter() - started:.1f} s", flush=True)
        floors = [wire_floor(server) for _ in range(repeat)]
        wire, pages = min(floors)
        runs: dict[str, list[Process]] = {"collect": [], "html": [], "json": []}
        for _ in range(repeat):
            for name, process in processes(server, Path(folder)).items():
                runs[name].append(process)
        collect = best(runs["collect"])
        report = {form: best(runs[form]) for form in ("html", "json")}
        bulk = pyvmomi_bulk(server)
        parts = stages(server)

    job = collect.seconds + report["html"].seconds
    print(
        f"wire floor (the collector's {pages} inventory pages, read, not parsed): {wire:.2f} s"
        f" (best of {repeat}: {', '.join(f'{seconds:.2f}' for seconds, _ in floors)})"
    )
    print(f"bulk RetrievePropertiesEx through pyvmomi (VM properties): {bulk:.2f} s")
    print(f"fleetreport collect: {collect.seconds:.2f} s, peak RSS {collect.peak_mib:.0f} MiB")
    for form, process in report.items():
        print(
            f"fleetreport report --format {form}: {process.seconds:.2f} s,"
            f" peak RSS {process.peak_mib:.0f} MiB"
        )
    print(f"collect + HTML report: {job:.2f} s = {job / wire:.1f}x the wire floor (target 3x)")
    if repeat > 1:
        each = [
            (c.seconds + h.seconds) / wire
            for c, h in zip(runs["collect"], runs["html"], strict=True)
        ]
        print(f"  each run against the best floor: {', '.join(f'{x:.1f}x' for x in each)}")
    print("stages, in this process:")
    for name, seconds in parts.items():
        print(f"  {name:<45} {seconds:6.2f} s")


def processes(server: VcsimServer, folder: Path) -> dict[str, Process]:
    """One run of ``collect``, then ``report`` as HTML and as JSON on its snapshot."""
    snapshot = folder / "snapshot.json"
    env = {**as_installed(), "BENCH_PASSWORD": server.password, "PYTHONPATH": str(REPO)}
    fleetreport = [sys.executable, "-m", "fleetreport", "--quiet"]
    arguments = _bench_collect().vcenter_arguments(server)
    collect = run_process([*fleetreport, "collect", *arguments, "--out", str(snapshot)], env)
    report = {
        form: run_process(
            [
                *fleetreport,
                "report",
                str(snapshot),
                "--format",
                form,
                "--customer",
                "Bench",
                "--out",
                str(Path(folder) / f"report.{form}"),
            ],
            env,
        )
        for form in ("html", "json")
    }
    return {"collect": collect, **report}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vms", default="1000,10000,30000", help="sizes, comma-separated")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs of each measure; the best one counts"
    )
    args = parser.parse_args()
    for size in (int(v) for v in args.vms.split(",")):
        measure(size, max(args.repeat, 1))


if __name__ == "__main__":
    main()
