"""Benchmark: `fleetreport collect --usage 30` of 10,000 desktops and about a million events.

Starts govmomi's simulator with the bulk scenario scaled to ``--vms`` VMs (its hosts report a
power draw), and, in a process of its own, the Horizon test server with a machine per desktop
VM (pools of 500, every fourth one dedicated) whose audit events are generated page by page
(``tests/support/horizon/audit_stream.py``: about ``--events`` session events over 30 days,
never held at once). Then measures `fleetreport collect` in subprocesses (a probe wraps the CLI
to time the usage parts and count QueryPerf calls; peak RSS is the subprocess's own):
  - vCenter and Horizon without and with ``--usage 30``: wall time, the usage parts' wall time,
    round trips (Horizon pages; QueryPerf calls, 2 + ceil(entities / 250) expected), peak RSS;
  - Horizon alone at a quarter of the events and at all of them, without and with usage: the
    peak RSS, and the peak Python heap during the usage read (tracemalloc, a separate run),
    to show the collector does not hold every event at once.

    python bench/usage.py [--vms 10000] [--events 1000000] [--no-trace]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from support.vcsim import bulk_scenario, start_vcsim  # noqa: E402

EXAMPLE = REPO / "tests" / "fixtures" / "horizon" / "example"
POOL_SIZE = 500
DEDICATED_EVERY = 4
DAYS = 30
BATCH = 250  # fleetreport.collect.vcenter.usage.DEFAULT_BATCH_SIZE
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://fleetreport.example.test/bench-usage")
HOST_WATTS = [380, 420, 455, 470, 440, 400]


# --------------------------------------------------------------------------- the estate
def scenario(vms: int) -> dict[str, Any]:
    """The bulk scenario with its VM groups scaled to ``vms`` VMs, hosts metering power."""
    data = bulk_scenario(vms)
    for dc in data["datacenters"]:
        for cluster in dc["clusters"]:
            for number, host in enumerate(cluster["hosts"]):
                host["power_watts"] = [w + 5 * number for w in HOST_WATTS]
    return data


def _id(*parts: str) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(parts)))


def horizon_data(folder: Path, manifest: dict[str, Any]) -> int:
    """The example pod's data with a machine per desktop VM of ``manifest``, in pools of
    ``POOL_SIZE``; no stored audit events or sessions. Returns the number of machines."""
    shutil.copytree(EXAMPLE, folder)
    (folder / "audit_events.json").unlink()
    (folder / "sessions.json").write_text("[]")
    centers = json.loads((folder / "virtual_centers.json").read_text())
    centers = centers[:1]
    centers[0]["instance_uuid"] = manifest["instance_uuid"]
    (folder / "virtual_centers.json").write_text(json.dumps(centers))
    vcenter_id = centers[0]["id"]
    templates = json.loads((folder / "desktop_pools.json").read_text())
    floating, dedicated = templates[0], templates[1]
    machine = json.loads((folder / "machines.json").read_text())[0]
    desktops = [vm for vm in manifest["vm_list"] if not vm["name"].startswith("bulk-s-")]
    pools, machines, metrics = [], [], []
    for start in range(0, len(desktops), POOL_SIZE):
        number = start // POOL_SIZE + 1
        is_dedicated = number % DEDICATED_EVERY == 0
        name = f"bench-{'dedicated' if is_dedicated else 'floating'}-{number:02d}"
        members = desktops[start : start + POOL_SIZE]
        pool = json.loads(json.dumps(dedicated if is_dedicated else floating))
        pool.update(id=_id("pool", name), name=name, display_name=name, vcenter_id=vcenter_id)
        pool["num_machines"] = len(members)
        pool.pop("pattern_naming_settings", None)
        pools.append(pool)
        metrics.append(
            {
                "id": pool["id"],
                "num_connected_sessions": 0,
                "num_disconnected_sessions": 0,
                "num_machines": len(members),
            }
        )
        for vm in members:
            record = json.loads(json.dumps(machine))
            record.update(
                id=_id("machine", vm["name"]),
                name=vm["name"],
                dns_name=f"{vm['name']}.corp.example.test",
                desktop_pool_id=pool["id"],
                desktop_pool_name=name,
                desktop_pool_user_assignment=pool["user_assignment"],
            )
            managed = record["managed_machine_data"]
            managed.update(
                virtual_center_id=vcenter_id,
                vm_moid=vm["moid"],
                host_name=vm["host"],
                path=f"/{vm['datacenter']}/vm/{vm['folder']}/{vm['name']}",
            )
            machines.append(record)
    for name, records in (
        ("desktop_pools", pools),
        ("machines", machines),
        ("desktop_pool_metrics", metrics),
    ):
        (folder / f"{name}.json").write_text(json.dumps(records))
    return len(machines)


# ------------------------------------------------------------- the Horizon server process
def serve_horizon(folder: Path, events: int) -> None:
    """Run the Horizon test server on ``folder`` with generated audit events until stdin
    closes; print its address first and the stream's own cost last (one JSON line each)."""
    from support.horizon.audit_stream import AuditStream, StreamMachine
    from support.horizon.server import HorizonTestServer

    pools = {p["id"]: p for p in json.loads((folder / "desktop_pools.json").read_text())}
    machines = [
        StreamMachine(
            m["id"],
            m["dns_name"],
            pools[m["desktop_pool_id"]]["name"],
            pools[m["desktop_pool_id"]]["user_assignment"] == "DEDICATED",
        )
        for m in json.loads((folder / "machines.json").read_text())
    ]
    now_ms = int(time.time() * 1000)
    stream = AuditStream(machines, now_ms, days=DAYS, events=events)
    # No X-TOTAL-COUNT: the usage reader never reads it, and counting a million generated
    # events per filter would add a pass the collector does not need to the first page.
    server = HorizonTestServer(folder, now=now_ms, audit_stream=stream, total_count_header=False)
    with server:
        address = {"url": server.url, "ca_file": server.ca_file, **server.credentials}
        print(json.dumps(address), flush=True)
        sys.stdin.read()
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        stats = {
            "events": stream.generated,
            "serving_seconds": stream.serving_seconds,
            "peak_rss_mib": rss,
        }
        print(json.dumps(stats), flush=True)


class HorizonProcess:
    """The Horizon test server in a child process (its memory is not the collector's)."""

    def __init__(self, folder: Path, events: int) -> None:
        command = [sys.executable, __file__, "--serve-horizon", str(folder)]
        command += ["--events", str(events)]
        self.process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the Horizon test server did not start")
        self.address: dict[str, str] = json.loads(line)
        self.stats: dict[str, float] = {}

    def stop(self) -> dict[str, float]:
        """Stop the server; its stream's figures."""
        if self.process.poll() is None:
            assert self.process.stdin is not None
            assert self.process.stdout is not None
            self.process.stdin.close()
            line = self.process.stdout.readline()
            self.stats = json.loads(line) if line else {}
            self.process.wait(30)
        return self.stats


@contextlib.contextmanager
def horizon_server(folder: Path, events: int) -> Iterator[HorizonProcess]:
    server = HorizonProcess(folder, events)
    try:
        yield server
    finally:
        server.stop()
        if server.process.poll() is None:
            server.process.kill()


# ------------------------------------------------------------------------------ the probe
def probe(out: Path, trace: bool, arguments: list[str]) -> None:
    """Run the CLI with ``arguments``, timing the usage parts and counting QueryPerf calls;
    with ``trace``, the peak Python heap above its start during each usage part."""
    import threading
    import tracemalloc

    import fleetreport.collect.run as run
    from fleetreport.cli import main
    from fleetreport.collect.vcenter import perf_history

    figures: dict[str, float] = {"queryperf_calls": 0}
    lock = threading.Lock()

    def timed(name: str, function: Any) -> Any:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if trace:
                tracemalloc.reset_peak()
                base = tracemalloc.get_traced_memory()[0]
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                figures[f"{name}_seconds"] = time.perf_counter() - started
                if trace:
                    peak = tracemalloc.get_traced_memory()[1]
                    figures[f"{name}_heap_mib"] = (peak - base) / 2**20

        return wrapper

    original_call = perf_history._call

    def counted(session: Any, fn: Any, what: str) -> Any:
        if what == "QueryPerf":
            with lock:
                figures["queryperf_calls"] += 1
        return original_call(session, fn, what)

    if "--horizon" in arguments:
        # Imported by the collection only when a pod is collected (a vCenter-only run loads no
        # HTTP client): wrapped where the collection looks it up, in its own module.
        from fleetreport.collect.horizon import usage as horizon_usage

        horizon_usage.collect_horizon_usage = timed(
            "horizon_usage", horizon_usage.collect_horizon_usage
        )
    run.collect_vcenter_usage = timed("vcenter_usage", run.collect_vcenter_usage)
    perf_history._call = counted
    if trace:
        tracemalloc.start()
    code = main(arguments)
    out.write_text(json.dumps(figures))
    raise SystemExit(code)


# ----------------------------------------------------------------------------- the runs
def collect(
    folder: Path,
    name: str,
    vcenter: Any | None,
    horizon: HorizonProcess | None,
    usage: bool,
    trace: bool = False,
) -> dict[str, Any]:
    """One `fleetreport collect` subprocess: its figures and the snapshot's."""
    out = folder / f"{name}.json"
    figures_file = folder / f"{name}.figures.json"
    env = dict(os.environ)
    arguments = ["-q", "collect", "--out", str(out)]
    if vcenter is not None:
        env["BENCH_PASSWORD"] = vcenter.password
        arguments += ["--vcenter", vcenter.url, "--user", vcenter.username]
        arguments += ["--password-env", "BENCH_PASSWORD", "--ca-file", str(vcenter.ca_file)]
    if horizon is not None:
        address = horizon.address
        env["BENCH_HZ_PASSWORD"] = address["password"]
        arguments += ["--horizon", address["url"], "--horizon-user", address["username"]]
        arguments += ["--horizon-domain", address["domain"]]
        arguments += ["--horizon-password-env", "BENCH_HZ_PASSWORD"]
        if vcenter is None:
            arguments += ["--ca-file", address["ca_file"]]
        else:  # one --ca-file: both CAs in one bundle
            bundle = folder / "cas.pem"
            bundle.write_text(
                Path(vcenter.ca_file).read_text() + Path(address["ca_file"]).read_text()
            )
            arguments[arguments.index(str(vcenter.ca_file))] = str(bundle)
    if usage:
        arguments += ["--usage", str(DAYS)]
    command = [sys.executable, __file__, "--probe", str(figures_file)]
    command += ["--probe-trace"] if trace else []
    command += ["--", *arguments]
    started = time.perf_counter()
    child = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
    _, status, rusage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - started
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode != 0:
        raise RuntimeError(f"{name}: fleetreport collect exited {child.returncode}")
    snapshot = json.loads(out.read_text())
    cpu = rusage.ru_utime + rusage.ru_stime
    result: dict[str, Any] = {"wall": wall, "cpu": cpu, "peak_rss_mib": rusage.ru_maxrss / 1024}
    result.update(json.loads(figures_file.read_text()))
    for source in snapshot["sources"]:
        result[f"{source['kind']}_round_trips"] = source["round_trips"]
    usage_records = snapshot.get("horizon_usage") or []
    result["events"] = sum(u.get("events") or 0 for u in usage_records)
    result["pages"] = sum(u.get("pages") or 0 for u in usage_records)
    vc_usage = snapshot.get("vcenter_usage") or []
    result["vc_records"] = len(vc_usage)
    result["vc_measured"] = sum(1 for u in vc_usage if u.get("status") == "measured")
    result["vms"] = len(snapshot["vms"])
    result["machines"] = len(snapshot.get("machines") or [])
    out.unlink()
    return result


def run_all(args: argparse.Namespace) -> None:
    data = scenario(args.vms)
    hosts = sum(len(c["hosts"]) for dc in data["datacenters"] for c in dc["clusters"])
    print(f"starting simulator with {args.vms:,} VMs ...", flush=True)
    started = time.perf_counter()
    # Statistics level 2: power.power.average is a level-2 counter; at vCenter's default
    # level 1 the hosts' power is not kept (the collector says so) and not asked for.
    with (
        start_vcsim(data, extra_args=["-stats-level", "2"]) as vcenter,
        tempfile.TemporaryDirectory() as temporary,
    ):
        print(f"simulator ready in {time.perf_counter() - started:.1f} s", flush=True)
        folder = Path(temporary)
        machines = horizon_data(folder / "pod", vcenter.manifest)
        quarter = args.events // 4
        results: dict[str, dict[str, Any]] = {}
        with horizon_server(folder / "pod", args.events) as horizon:
            for name, usage in (("full", False), ("full+usage", True)):
                print(f"collect: {name} ...", flush=True)
                results[name] = collect(folder, name, vcenter, horizon, usage)
            for name, usage in (("hz", False), ("hz+usage", True)):
                print(f"collect: {name} ({args.events:,} events) ...", flush=True)
                results[name] = collect(folder, name, None, horizon, usage)
            if args.trace:
                print("collect: hz+usage traced ...", flush=True)
                results["hz+usage traced"] = collect(folder, "t", None, horizon, True, True)
        server_full = horizon.stats
        with horizon_server(folder / "pod", quarter) as small:
            print(f"collect: hz+usage ({quarter:,} events) ...", flush=True)
            results["hz+usage quarter"] = collect(folder, "q", None, small, True)
            if args.trace:
                print("collect: hz+usage quarter traced ...", flush=True)
                results["hz+usage quarter traced"] = collect(folder, "qt", None, small, True, True)
        server_quarter = small.stats
    report(results, machines, hosts, server_full, server_quarter, args.trace)


def report(
    results: dict[str, dict[str, Any]],
    machines: int,
    hosts: int,
    server_full: dict[str, float],
    server_quarter: dict[str, float],
    traced: bool,
) -> None:
    plain, used = results["full"], results["full+usage"]
    vms = used["vms"]
    entities = used["vc_records"]
    expected = 2 + math.ceil(entities / BATCH)
    vc_extra = used["vcenter_round_trips"] - plain["vcenter_round_trips"]
    hz_extra = used["horizon_round_trips"] - plain["horizon_round_trips"]
    hz, hz_used, quarter = results["hz"], results["hz+usage"], results["hz+usage quarter"]
    rows = [
        ("VMs / hosts / Horizon machines", f"{vms:,} / {hosts} / {machines:,}"),
        ("session events read (30 days)", f"{hz_used['events']:,}"),
        (
            "collect, vCenter + Horizon, no usage",
            f"{plain['wall']:.1f} s wall ({plain['cpu']:.1f} s CPU), peak RSS"
            f" {plain['peak_rss_mib']:.0f} MiB,"
            f" {plain['vcenter_round_trips']} + {plain['horizon_round_trips']} round trips",
        ),
        (
            "collect --usage 30, vCenter + Horizon",
            f"{used['wall']:.1f} s wall ({used['cpu']:.1f} s CPU), peak RSS"
            f" {used['peak_rss_mib']:.0f} MiB,"
            f" {used['vcenter_round_trips']} + {used['horizon_round_trips']} round trips",
        ),
        (
            "  usage's own cost",
            f"+{used['wall'] - plain['wall']:.1f} s wall, +{used['cpu'] - plain['cpu']:.1f} s CPU,"
            f" +{used['peak_rss_mib'] - plain['peak_rss_mib']:.0f} MiB peak RSS",
        ),
        (
            "  vCenter performance history",
            f"{used.get('vcenter_usage_seconds', 0):.1f} s, {int(used['queryperf_calls'])}"
            f" QueryPerf calls ({entities:,} VMs and hosts / {BATCH}), +{vc_extra} round trips"
            f" (expected 2 + ceil({entities:,} / {BATCH}) = {expected});"
            f" {used['vc_measured']:,} measured",
        ),
        (
            "  Horizon audit events",
            f"{used.get('horizon_usage_seconds', 0):.1f} s, {used['pages']} pages,"
            f" +{hz_extra} round trips (pages + pool metrics)",
        ),
        (
            "Horizon alone, no usage",
            f"{hz['wall']:.1f} s wall, peak RSS {hz['peak_rss_mib']:.0f} MiB",
        ),
        (
            f"Horizon alone --usage 30, {quarter['events']:,} events",
            f"{quarter['wall']:.1f} s wall (reading events"
            f" {quarter.get('horizon_usage_seconds', 0):.1f} s, of it server"
            f" {server_quarter.get('serving_seconds', 0):.1f} s), peak RSS"
            f" {quarter['peak_rss_mib']:.0f} MiB",
        ),
        (
            f"Horizon alone --usage 30, {hz_used['events']:,} events",
            f"{hz_used['wall']:.1f} s wall (reading events"
            f" {hz_used.get('horizon_usage_seconds', 0):.1f} s), peak RSS"
            f" {hz_used['peak_rss_mib']:.0f} MiB",
        ),
        (
            "  RSS above no usage, quarter -> all events",
            f"+{quarter['peak_rss_mib'] - hz['peak_rss_mib']:.0f} MiB ->"
            f" +{hz_used['peak_rss_mib'] - hz['peak_rss_mib']:.0f} MiB"
            f" ({hz_used['events'] / max(1, quarter['events']):.1f}x the events)",
        ),
    ]
    if traced:
        small, big = results["hz+usage quarter traced"], results["hz+usage traced"]
        rows.append(
            (
                "  peak Python heap of the usage read",
                f"{small['horizon_usage_heap_mib']:.1f} MiB -> {big['horizon_usage_heap_mib']:.1f}"
                " MiB (tracemalloc, separate runs)",
            )
        )
    rows.append(
        (
            "Horizon test server (own process)",
            f"{server_full.get('serving_seconds', 0):.1f} s answering audit-event pages,"
            f" {int(server_full.get('events', 0)):,} events generated over all runs,"
            f" peak RSS {server_full.get('peak_rss_mib', 0):.0f} MiB",
        )
    )
    width = max(len(label) for label, _ in rows) + 2
    for label, value in rows:
        print(f"{label:<{width}}{value}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--vms", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--no-trace", dest="trace", action="store_false")
    parser.add_argument("--serve-horizon", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--probe", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--probe-trace", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("rest", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_horizon is not None:
        serve_horizon(args.serve_horizon, args.events)
    elif args.probe is not None:
        probe(args.probe, args.probe_trace, [a for a in args.rest if a != "--"])
    else:
        run_all(args)


if __name__ == "__main__":
    main()
