"""Benchmark: `fleetreport collect` of 10,000 VMs against govmomi's simulator.

Prints, measured in one run against the same simulator:
  - `fleetreport collect` (a subprocess): wall time, HTTP round trips, peak memory (max RSS);
  - one bulk RetrievePropertiesEx through pyvmomi for the same VM properties;
  - per-property access on a sample of VMs, scaled up to the whole inventory.

    python bench/collect.py [--vms-scenario tests/vcsim/scenarios/bulk.json] [--sample 300]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from pyVim.connect import Disconnect  # noqa: E402
from pyVmomi import vim, vmodl  # noqa: E402
from support.vcsim import VcsimServer, start_vcsim  # noqa: E402

from fleetreport.collect.vcenter.inventory import VM_PROPERTIES  # noqa: E402

PER_PROPERTY_PATHS = list(VM_PROPERTIES)


def vcenter_arguments(server: VcsimServer) -> list[str]:
    """`fleetreport collect`'s options for the simulator: its URL, user and CA, the password
    in the environment variable ``BENCH_PASSWORD``."""
    return [
        *("--vcenter", server.url, "--user", server.username),
        *("--password-env", "BENCH_PASSWORD", "--ca-file", str(server.ca_file)),
    ]


def bulk_retrieve(content: vim.ServiceInstanceContent) -> tuple[float, int]:
    started = time.perf_counter()
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    collector = vmodl.query.PropertyCollector
    spec = collector.FilterSpec(
        objectSet=[
            collector.ObjectSpec(
                obj=view,
                skip=True,
                selectSet=[
                    collector.TraversalSpec(
                        name="v", path="view", skip=False, type=vim.view.ContainerView
                    )
                ],
            )
        ],
        propSet=[collector.PropertySpec(type=vim.VirtualMachine, pathSet=list(VM_PROPERTIES))],
    )
    result = content.propertyCollector.RetrievePropertiesEx([spec], collector.RetrieveOptions())
    objects = list(result.objects)
    while result.token:
        result = content.propertyCollector.ContinueRetrievePropertiesEx(result.token)
        objects += result.objects
    view.DestroyView()
    return time.perf_counter() - started, len(objects)


def per_property(content: vim.ServiceInstanceContent, sample: int) -> tuple[float, int]:
    view = content.viewManager.CreateContainerView(content.rootFolder, [vim.VirtualMachine], True)
    vms = list(view.view)[:sample]
    started = time.perf_counter()
    for vm in vms:
        for path in PER_PROPERTY_PATHS:
            value = vm
            for part in path.split("."):
                value = getattr(value, part, None)
                if value is None:
                    break
    elapsed = time.perf_counter() - started
    view.DestroyView()
    return elapsed, len(vms)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=REPO / "tests/vcsim/scenarios/bulk.json")
    parser.add_argument("--sample", type=int, default=300)
    args = parser.parse_args()

    print(f"starting simulator with {args.scenario.name} ...", flush=True)
    started = time.perf_counter()
    with start_vcsim(args.scenario) as server, tempfile.TemporaryDirectory() as folder:
        print(f"simulator ready in {time.perf_counter() - started:.1f} s", flush=True)
        out = Path(folder) / "snapshot.json"
        env = {**os.environ, "BENCH_PASSWORD": server.password}
        command = [
            *(sys.executable, "-m", "fleetreport", "collect"),
            *vcenter_arguments(server),
            *("--out", str(out)),
        ]
        started = time.perf_counter()
        subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)
        collect_seconds = time.perf_counter() - started
        peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        snapshot = json.loads(out.read_text())
        source = snapshot["sources"][0]
        vm_count = len(snapshot["vms"])

        si = server.connect()
        try:
            content = si.RetrieveContent()
            bulk_seconds, bulk_count = bulk_retrieve(content)
            sample_seconds, sample_count = per_property(content, args.sample)
        finally:
            Disconnect(si)

    per_vm = sample_seconds / sample_count
    scaled = per_vm * vm_count
    print(f"VMs: {vm_count}")
    print(
        f"fleetreport collect: {collect_seconds:.2f} s wall, {source['round_trips']} round trips,"
        f" peak RSS {peak_mib:.0f} MiB"
    )
    print(
        f"bulk RetrievePropertiesEx ({len(VM_PROPERTIES)} VM properties, {bulk_count} VMs):"
        f" {bulk_seconds:.2f} s"
    )
    print(
        f"per-property access ({len(PER_PROPERTY_PATHS)} properties, {sample_count} VMs):"
        f" {sample_seconds:.2f} s = {per_vm * 1000:.1f} ms/VM, scaled to {vm_count}: {scaled:.0f} s"
    )
    print(f"collect / bulk call: {collect_seconds / bulk_seconds:.2f}x (target <= 2x)")
    print(f"per-property / collect: {scaled / collect_seconds:.0f}x faster (target >= 50x)")


if __name__ == "__main__":
    main()
