"""Storage, alarms, host hardware and cluster settings for the Horizon estates' scenarios.

``tests/tools/horizon_estate.py`` writes ``horizon8.json`` and ``horizon_pod.json``; its
``horizon8_scenario()`` and ``horizon_pod_scenario()`` end with
``return horizon8_storage_and_health(scenario)`` / ``horizon_pod_storage_and_health(scenario)``
so both look like a real Horizon 8 estate's vSphere side (scenario keys: tests/vcsim/README.md).
Every VM gets an explicit ``datastore``. Nothing here draws random numbers, and nothing changes
a desktop's other fields, so the Horizon data generated from the scenarios keep their verdicts.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

ANCHOR = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
"""The estates' anchor (as in demo_estate.py and horizon_estate.py): alarm times are before it."""

FAN_RED = {"name": "Fan Device 2 System Fan 2", "type": "fan", "health": "red"}
PSU_YELLOW = {
    "name": "Power Supply 2 PS2 Status",
    "type": "power",
    "health": "yellow",
    "summary": "Power supply redundancy is lost",
}
MEMORY_ALARM = "Virtual machine memory usage"
DISK_ALARM = "Datastore usage on disk"


def datastore(
    name: str, kind: str, capacity_gib: float, free_pct: float, **state: Any
) -> dict[str, Any]:
    """A datastore with ``free_pct`` percent of its capacity free."""
    free = round(capacity_gib * free_pct / 100, 2)
    return {"name": name, "type": kind, "capacity_gib": capacity_gib, "free_gib": free, **state}


def alarm(name: str, status: str, days_ago: float, acknowledged: bool = False) -> dict[str, Any]:
    """A triggered alarm, named as vCenter's default alarm definitions are."""
    time = (ANCHOR - timedelta(days=days_ago)).isoformat().replace("+00:00", "Z")
    return {"name": name, "status": status, "time": time, "acknowledged": acknowledged}


def _place(scenario: dict[str, Any], rule: Callable[[dict[str, Any]], str]) -> None:
    for vm in scenario["vms"]:
        vm["datastore"] = rule(vm)


def _cluster(scenario: dict[str, Any], name: str) -> dict[str, Any]:
    return next(c for dc in scenario["datacenters"] for c in dc["clusters"] if c["name"] == name)


def _size(
    cluster: dict[str, Any], cores: int, mhz: int, memory_gib: int, load: list[tuple[float, float]]
) -> None:
    for spec, (cpu, memory) in zip(cluster["hosts"], load, strict=True):
        spec.update(
            cpu_mhz=mhz,
            cpu_cores=cores,
            memory_mb=memory_gib * 1024,
            cpu_usage_mhz=round(cores * mhz * cpu),
            memory_usage_mb=round(memory_gib * 1024 * memory),
        )


def _vm(scenario: dict[str, Any], name: str, **state: Any) -> None:
    next(vm for vm in scenario["vms"] if vm["name"] == name).update(state)


def horizon8_storage_and_health(scenario: dict[str, Any]) -> dict[str, Any]:
    """vSAN for the Windows 11 cluster at 12% free, VMFS for the Windows 10 cluster at 7%,
    golden images and management apart, a dead NFS ISO library and a VMFS datastore being
    retired; a red fan with its alarm, the host not responding (no hardware health, an
    acknowledged alarm), a management cluster without HA, the Windows 10 cluster without N+1
    headroom (one of three hosts down), memory alarms, ballooning, swapping and a desktop whose
    snapshot disks need consolidating."""
    (dc,) = scenario["datacenters"]
    dc["datastores"] = [
        datastore("vsanDatastore", "vsan", 40960, 12, alarms=[alarm(DISK_ALARM, "red", 2)]),
        datastore("HZN-W10-VMFS-01", "VMFS", 6144, 7, alarms=[alarm(DISK_ALARM, "red", 5)]),
        datastore("HZN-GOLD-VMFS-01", "VMFS", 2048, 48),
        datastore("HZN-MGMT-NFS-01", "NFS", 4096, 57),
        datastore("HZN-ISO-NFS-OLD", "NFS", 1024, 9, accessible=False),
        datastore("HZN-VMFS-RETIRE-02", "VMFS", 4096, 99.2, maintenance_mode="inMaintenance"),
    ]

    def rule(vm: dict[str, Any]) -> str:
        if vm.get("folder") == "Golden Images" or vm.get("template"):
            return "HZN-GOLD-VMFS-01"
        if vm.get("cluster") == "MGMT-CL01":
            return "HZN-MGMT-NFS-01"
        if vm.get("cluster") == "VDI-W10-CL02":
            return "HZN-W10-VMFS-01"
        return "vsanDatastore"

    _place(scenario, rule)
    w11, w10, mgmt = (_cluster(scenario, n) for n in ("VDI-W11-CL01", "VDI-W10-CL02", "MGMT-CL01"))
    _size(w11, 32, 2900, 1024, [(0.44, 0.56), (0.41, 0.54), (0.46, 0.58), (0.39, 0.51)])
    _size(w10, 16, 2600, 512, [(0.63, 0.82), (0.67, 0.86), (0.0, 0.0)])
    _size(mgmt, 16, 2600, 384, [(0.22, 0.41), (0.19, 0.38)])
    w11.update(
        ha={"enabled": True, "admission_control": True},
        drs={"enabled": True, "behavior": "fullyAutomated"},
    )
    w10.update(
        ha={"enabled": True, "admission_control": False},
        drs={"enabled": True, "behavior": "partiallyAutomated"},
    )
    mgmt.update(ha={"enabled": False}, drs={"enabled": True, "behavior": "fullyAutomated"})
    w11["hosts"][1].update(
        hardware_health={"sensors": [FAN_RED]},
        alarms=[alarm("Host hardware fan status", "red", 1)],
    )
    w10["hosts"][2].update(
        hardware_health=None,
        alarms=[alarm("Host connection and power state", "red", 3, acknowledged=True)],
    )
    _vm(scenario, "W11-IC-004", alarms=[alarm(MEMORY_ALARM, "yellow", 0.5)])
    _vm(scenario, "W11-IC-009", alarms=[alarm(MEMORY_ALARM, "yellow", 0.2)])
    _vm(scenario, "W10-IC-002", ballooned_memory_mb=2048)
    _vm(scenario, "W10-IC-005", swapped_memory_mb=768)
    _vm(scenario, "W10-FC-013", consolidation_needed=True)
    return scenario


def horizon_pod_storage_and_health(scenario: dict[str, Any]) -> dict[str, Any]:
    """A two-host cluster without N+1 headroom and with HA off, desktops on vSAN at 12% free,
    golden images on their own VMFS datastore at 7% free; a yellow PSU on one host (alarm
    acknowledged), a desktop ballooning and one needing consolidation."""
    (dc,) = scenario["datacenters"]
    dc["datastores"] = [
        datastore("vsanDatastore", "vsan", 8192, 12),
        datastore("GOLD-VMFS-01", "VMFS", 1024, 7, alarms=[alarm(DISK_ALARM, "red", 4)]),
    ]
    _place(
        scenario,
        lambda vm: "GOLD-VMFS-01" if vm.get("folder") == "Gold" else "vsanDatastore",
    )
    (cluster,) = dc["clusters"]
    _size(cluster, 24, 2800, 512, [(0.58, 0.71), (0.61, 0.74)])
    cluster.update(ha={"enabled": False}, drs={"enabled": True, "behavior": "fullyAutomated"})
    cluster["hosts"][1].update(
        hardware_health={"sensors": [PSU_YELLOW]},
        alarms=[alarm("Host hardware power status", "yellow", 6, acknowledged=True)],
    )
    _vm(scenario, "ic-w11-003", ballooned_memory_mb=1024, alarms=[alarm(MEMORY_ALARM, "yellow", 1)])
    _vm(scenario, "fc-w10-002", consolidation_needed=True)
    return scenario
