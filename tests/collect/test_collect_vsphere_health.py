"""Storage, triggered alarms, host hardware health and load, cluster HA/DRS and capacity, VM
consolidation and memory contention: collected from the simulator in the same retrieval, with
the exact values the scenario set, None where vCenter does not say, and round trips that do not
grow with VMs or alarms."""

from __future__ import annotations

import copy
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from support.paths import SCENARIOS
from support.vcsim import VcsimServer, load_scenario, start_vcsim
from tools import vsphere_layout

from fleetreport.cli import main
from fleetreport.collect.vcenter.health_records import alarm_states, triggered_alarms
from fleetreport.collect.vcenter.inventory import _InventoryBuilder
from fleetreport.collect.vcenter.soap_stream import MoRef, RawObject
from fleetreport.errors import ExitCode
from fleetreport.snapshot import Snapshot, load_snapshot
from fleetreport.snapshot.model import HostSensor, TriggeredAlarm, VCenter

pytestmark = pytest.mark.simulator

GIB = 1 << 30
T1 = "2026-11-20T10:00:00Z"
T2 = "2026-11-25T06:30:00Z"
T3 = "2026-11-26T22:15:00Z"
HW_ALARM = "Host hardware sensor status"
MEM_ALARM = "Virtual machine memory usage"
DS_ALARM = "Datastore usage on disk"
HA_ALARM = "Insufficient vSphere HA failover resources"


def host(name: str, **state: Any) -> dict[str, Any]:
    return {"name": name, "cpu_mhz": 2600, "cpu_cores": 32, "memory_mb": 524288, **state}


SCENARIO: dict[str, Any] = {
    "vcenter": {"name": "vc-health.example.test", "version": "8.0.3", "build": "24022515"},
    "datacenters": [
        {
            "name": "DC-H",
            "folders": ["VDI", "Gold"],
            "datastores": [
                {
                    "name": "VDI-VMFS-01",
                    "type": "VMFS",
                    "capacity_gib": 4096,
                    "free_gib": 491.5,
                    "alarms": [{"name": DS_ALARM, "status": "yellow", "time": T1}],
                },
                {
                    "name": "ISO-NFS",
                    "type": "NFS",
                    "capacity_gib": 1024,
                    "free_gib": 100,
                    "accessible": False,
                },
                {
                    "name": "vsanDatastore",
                    "type": "vsan",
                    "capacity_gib": 20480,
                    "free_gib": 8192,
                    "maintenance_mode": "inMaintenance",
                },
                {"name": "OLD-DS", "maintenance_mode": None},
            ],
            "clusters": [
                {
                    "name": "VDI-A",
                    "ha": {"enabled": True, "admission_control": False},
                    "drs": {"enabled": True, "behavior": "partiallyAutomated"},
                    "alarms": [{"name": HA_ALARM, "status": "red", "time": T2}],
                    "hosts": [
                        host(
                            "esx-a1.example.test",
                            cpu_usage_mhz=41000,
                            memory_usage_mb=400000,
                            hardware_health={
                                "sensors": [
                                    {"name": "Fan Device 3 FAN3", "type": "fan", "health": "red"},
                                    {
                                        "name": "System Board 1 Ambient Temp",
                                        "type": "temperature",
                                        "health": "green",
                                    },
                                    {
                                        "name": "Power Supply 2 PS2 Status",
                                        "type": "power",
                                        "health": "yellow",
                                        "summary": "Power supply redundancy lost",
                                    },
                                ],
                                "cpu": [{"name": "CPU1", "status": "Green"}],
                                "memory": [
                                    {"name": "DIMM A2", "status": "Red", "summary": "ECC error"}
                                ],
                                "storage": [{"name": "Disk 0 on RAID", "status": "Unknown"}],
                            },
                            alarms=[{"name": HW_ALARM, "status": "red", "time": T2}],
                        ),
                        host(
                            "esx-a2.example.test",
                            in_maintenance_mode=True,
                            hardware_health=None,
                            alarms=[
                                {
                                    "name": HW_ALARM,
                                    "status": "yellow",
                                    "time": T3,
                                    "acknowledged": True,
                                }
                            ],
                        ),
                    ],
                },
                {
                    "name": "MGMT",
                    "ha": {"enabled": False},
                    "drs": {"enabled": False},
                    "hosts": [{"name": "esx-m1.example.test"}],
                },
            ],
        }
    ],
    "vms": [
        {
            "name": "W11-001",
            "cluster": "VDI-A",
            "folder": "VDI",
            "datastore": "VDI-VMFS-01",
            "consolidation_needed": True,
            "ballooned_memory_mb": 512,
            "alarms": [{"name": MEM_ALARM, "status": "yellow", "time": T3}],
        },
        {
            "name": "W11-002",
            "cluster": "VDI-A",
            "folder": "VDI",
            "datastore": "VDI-VMFS-01",
            "consolidation_needed": None,
            "swapped_memory_mb": 256,
            "alarms": [{"name": MEM_ALARM, "status": "red", "time": T1}],
        },
        {
            "name": "GI-W11",
            "cluster": "VDI-A",
            "folder": "Gold",
            "datastore": "vsanDatastore",
            "template": True,
        },
        {"name": "ISO-LIB", "cluster": "MGMT", "datastore": "ISO-NFS"},
    ],
}


@pytest.fixture(scope="module")
def server() -> Iterator[VcsimServer]:
    with start_vcsim(copy.deepcopy(SCENARIO)) as running:
        yield running


def collect(server: VcsimServer, out: Path, *extra: str) -> Snapshot:
    os.environ["VC_TEST_PASSWORD"] = server.password
    try:
        code = main(
            [
                "collect",
                "--vcenter",
                server.url,
                "--user",
                server.username,
                "--password-env",
                "VC_TEST_PASSWORD",
                "--ca-file",
                str(server.ca_file),
                "--out",
                str(out),
                *extra,
            ]
        )
    finally:
        del os.environ["VC_TEST_PASSWORD"]
    assert code == ExitCode.OK
    return load_snapshot(out)


@pytest.fixture(scope="module")
def snapshot(server: VcsimServer, tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    return collect(server, tmp_path_factory.mktemp("health") / "snapshot.json")


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def test_datastores_exact(server: VcsimServer, snapshot: Snapshot) -> None:
    moids = server.manifest["datastores"]
    got = {
        d.name: (d.moref, d.datacenter, d.type, d.capacity_bytes, d.free_bytes, d.accessible)
        for d in snapshot.datastores
    }
    assert {k: v for k, v in got.items() if k != "OLD-DS"} == {
        "VDI-VMFS-01": (
            moids["DC-H/VDI-VMFS-01"],
            "DC-H",
            "VMFS",
            4096 * GIB,
            491 * GIB + GIB // 2,
            True,
        ),
        "ISO-NFS": (moids["DC-H/ISO-NFS"], "DC-H", "NFS", 1024 * GIB, 100 * GIB, False),
        "vsanDatastore": (
            moids["DC-H/vsanDatastore"],
            "DC-H",
            "vsan",
            20480 * GIB,
            8192 * GIB,
            True,
        ),
    }
    modes = {d.name: d.maintenance_mode for d in snapshot.datastores}
    # OLD-DS: no summary.maintenanceMode (vSphere before 5.0): unknown, not "normal"
    assert modes == {
        "VDI-VMFS-01": "normal",
        "ISO-NFS": "normal",
        "vsanDatastore": "inMaintenance",
        "OLD-DS": None,
    }
    old = next(d for d in snapshot.datastores if d.name == "OLD-DS")
    assert old.type == "VMFS" and old.accessible is True and old.capacity_bytes


def test_vm_placement_contention_and_consolidation(server: VcsimServer, snapshot: Snapshot) -> None:
    ds = server.manifest["datastores"]
    got = {
        vm.name: (
            vm.datastores,
            vm.consolidation_needed,
            vm.ballooned_memory_mb,
            vm.swapped_memory_mb,
        )
        for vm in snapshot.vms
    }
    assert got == {
        "W11-001": ([ds["DC-H/VDI-VMFS-01"]], True, 512, 0),
        "W11-002": ([ds["DC-H/VDI-VMFS-01"]], None, 0, 256),  # consolidationNeeded not returned
        "GI-W11": ([ds["DC-H/vsanDatastore"]], False, 0, 0),
        "ISO-LIB": ([ds["DC-H/ISO-NFS"]], False, 0, 0),
    }


def test_host_load_capacity_and_sensors(snapshot: Snapshot) -> None:
    hosts = {h.name: h for h in snapshot.hosts}
    sizes = {
        name: (h.cpu_usage_mhz, h.cpu_capacity_mhz, h.memory_usage_mb, h.memory_capacity_mb)
        for name, h in hosts.items()
    }
    assert sizes == {
        "esx-a1.example.test": (41000, 2600 * 32, 400000, 524288),
        "esx-a2.example.test": (67, 2600 * 32, 1404, 524288),  # the simulator's quickStats
        "esx-m1.example.test": (67, 2294 * 2, 1404, 4294430720 // (1 << 20)),  # its hardware
    }
    reported = {name: (h.sensors_reported, h.sensor_alerts) for name, h in hosts.items()}
    assert reported == {
        "esx-a1.example.test": (
            True,
            [
                HostSensor(
                    "Fan Device 3 FAN3",
                    "fan",
                    "red",
                    "Sensor is not operating under normal conditions",
                ),
                HostSensor(
                    "Power Supply 2 PS2 Status", "power", "yellow", "Power supply redundancy lost"
                ),
                HostSensor("DIMM A2", "memory", "red", "ECC error"),
                HostSensor("Disk 0 on RAID", "storage", "unknown", ""),
            ],
        ),
        "esx-a2.example.test": (None, []),  # no healthSystemRuntime (no CIM provider)
        "esx-m1.example.test": (True, []),  # the simulator's sensors, all green
    }


def test_cluster_ha_drs_and_capacity(snapshot: Snapshot) -> None:
    got = {
        c.name: (
            c.ha_enabled,
            c.ha_admission_control,
            c.drs_enabled,
            c.drs_behavior,
            c.hosts,
            c.effective_hosts,
            c.cpu_capacity_mhz,
            c.effective_cpu_mhz,
            c.memory_capacity_mb,
            c.effective_memory_mb,
        )
        for c in snapshot.clusters
    }
    host_mib = 4294430720 >> 20
    assert got == {
        # esx-a2 is in maintenance: two hosts, one effective
        "VDI-A": (True, False, True, "partiallyAutomated", 2, 1, 166400, 83200, 1048576, 524288),
        "MGMT": (False, False, False, "fullyAutomated", 1, 1, 4588, 4588, host_mib, host_mib),
    }


def test_alarms_once_on_their_entity_with_names(server: VcsimServer, snapshot: Snapshot) -> None:
    """A host's alarm is also in its cluster's and datacenter's triggeredAlarmState: it is
    recorded once, on the host."""
    mf = server.manifest
    alarm = mf["alarms"]
    vc = snapshot.vcenters[0].instance_uuid
    rows = [
        ("ClusterComputeResource", mf["clusters"]["VDI-A"], HA_ALARM, "red", T2, False),
        ("Datastore", mf["datastores"]["DC-H/VDI-VMFS-01"], DS_ALARM, "yellow", T1, False),
        ("HostSystem", mf["hosts"]["esx-a1.example.test"], HW_ALARM, "red", T2, False),
        ("HostSystem", mf["hosts"]["esx-a2.example.test"], HW_ALARM, "yellow", T3, True),
        ("VirtualMachine", mf["vms"]["W11-001"], MEM_ALARM, "yellow", T3, False),
        ("VirtualMachine", mf["vms"]["W11-002"], MEM_ALARM, "red", T1, False),
    ]
    expected = [
        TriggeredAlarm(vc, kind, moref, alarm[name], name, status, when(t), acknowledged)
        for kind, moref, name, status, t, acknowledged in rows
    ]
    key = lambda a: (a.entity_type, a.entity, a.alarm)  # noqa: E731
    assert sorted(snapshot.alarms, key=key) == sorted(expected, key=key)


def test_alarm_names_cost_one_call(snapshot: Snapshot) -> None:
    """Six alarm states of four alarms: one RetrievePropertiesEx for all their names.

    version document, content, login, 7 views, 1 retrieval, 1 for alarm names, 7 destroys,
    logout.
    """
    assert snapshot.sources[0].round_trips == 20


def bulk(count: int) -> dict[str, Any]:
    """bulk.json with ``count`` VMs, every one of them with a triggered alarm."""
    scenario = load_scenario(SCENARIOS / "bulk.json")
    groups = scenario["bulk"]
    groups[0]["count"] = count
    for group in groups[1:]:
        group["count"] = 0
    groups[0]["template"]["alarms"] = [{"name": MEM_ALARM, "status": "yellow", "time": T1}]
    groups[0]["template"]["ballooned_memory_mb"] = 64
    return scenario


@pytest.mark.parametrize("count", [10, 1000])
def test_round_trips_do_not_grow_with_vms_or_alarms(count: int, tmp_path: Path) -> None:
    with start_vcsim(bulk(count)) as running:
        collected = collect(running, tmp_path / "bulk.json", "--page-size", "5000")
    assert len(collected.vms) == count
    assert len(collected.alarms) == count + 2  # the VMs' alarms and bulk.json's two
    assert {a.name for a in collected.alarms} == {MEM_ALARM, HW_ALARM, DS_ALARM}
    assert {vm.ballooned_memory_mb for vm in collected.vms} == {64}
    assert collected.sources[0].round_trips == 20


# --------------------------------------------------------------------- partial answers
VCENTER = VCenter("vc-uuid", "vc01.example.test", "https://vc01/sdk", "6.0.0", "1", "VMware", "6.0")


def raw(kind: str, moref: str, missing: dict[str, str] | None = None, **props: Any) -> RawObject:
    properties = {key.replace("__", "."): value for key, value in props.items()}
    return RawObject(MoRef(kind, moref), properties, missing or {})


def test_properties_not_returned_are_unknown() -> None:
    """An old vCenter, or an account that may not read them: None, never a failure."""
    denied = {"summary.type": "NoPermission", "configurationEx": "NoPermission"}
    records = [
        raw("Datacenter", "datacenter-1", name="DC"),
        raw("Folder", "group-s1", name="datastore", parent=MoRef("Datacenter", "datacenter-1")),
        raw("Datastore", "datastore-1", denied, name="DS", parent=MoRef("Folder", "group-s1")),
        raw("ClusterComputeResource", "domain-c1", denied, name="CL"),
        raw("HostSystem", "host-1", name="esx"),
        raw("VirtualMachine", "vm-1", name="vm"),
    ]
    inventory = _InventoryBuilder(VCENTER, records).build()
    (datastore,) = inventory.datastores
    assert (datastore.datacenter, datastore.type, datastore.capacity_bytes) == ("DC", None, None)
    assert (datastore.accessible, datastore.maintenance_mode) == (None, None)
    (cluster,) = inventory.clusters
    assert (cluster.ha_enabled, cluster.ha_admission_control, cluster.drs_enabled) == (None,) * 3
    assert (cluster.drs_behavior, cluster.hosts, cluster.memory_capacity_mb) == (None,) * 3
    (esx,) = inventory.hosts
    assert (esx.sensors_reported, esx.sensor_alerts, esx.cpu_capacity_mhz) == (None, [], None)
    assert (esx.cpu_usage_mhz, esx.memory_usage_mb, esx.memory_capacity_mb) == (None,) * 3
    (vm,) = inventory.vms
    assert (vm.datastores, vm.consolidation_needed, vm.ballooned_memory_mb) == ([], None, None)
    assert vm.swapped_memory_mb is None


def test_an_alarm_whose_name_was_not_read_has_none() -> None:
    state = {
        "key": "alarm-9.vm-1",
        "entity": MoRef("VirtualMachine", "vm-1"),
        "alarm": MoRef("Alarm", "alarm-9"),
        "overallStatus": "red",
    }
    folder_state = dict(state, entity=MoRef("Folder", "group-v1"), key="alarm-9.group-v1")
    records = [
        raw("VirtualMachine", "vm-1", triggeredAlarmState=[state]),
        raw("Datacenter", "datacenter-1", triggeredAlarmState=[state, folder_state]),
    ]
    states = alarm_states(records)
    assert triggered_alarms("vc", states, {}) == [
        TriggeredAlarm("vc", "VirtualMachine", "vm-1", "alarm-9", None, "red", None, None)
    ]


# ------------------------------------------------------------------ the test estates
def estate(name: str) -> dict[str, Any]:
    """A shipped scenario; horizon8 and horizon_pod with their storage and health layout."""
    scenario = load_scenario(SCENARIOS / f"{name}.json")
    layouts = {
        "horizon8": vsphere_layout.horizon8_storage_and_health,
        "horizon_pod": vsphere_layout.horizon_pod_storage_and_health,
    }
    return layouts[name](scenario) if name in layouts else scenario


def free_percent(snapshot: Snapshot) -> dict[str, tuple[str | None, int, bool | None, str | None]]:
    return {
        d.name: (
            d.type,
            round(100 * (d.free_bytes or 0) / (d.capacity_bytes or 1)),
            d.accessible,
            d.maintenance_mode,
        )
        for d in snapshot.datastores
    }


ESTATES = {
    "demo-vc01": {
        "storage": {
            "vsanDatastore": ("vsan", 12, True, "normal"),
            "AMS-VDI-VMFS-01": ("VMFS", 7, True, "normal"),
            "AMS-GOLD-VMFS-01": ("VMFS", 55, True, "normal"),
            "AMS-INFRA-NFS-01": ("NFS", 60, True, "normal"),
            "AMS-ISO-NFS-OLD": ("NFS", 8, False, "normal"),
            "AMS-VMFS-LEGACY-02": ("VMFS", 100, True, "inMaintenance"),
        },
        "gold": "AMS-GOLD-VMFS-01",
        "ha_off": set(),
        "red_sensors": {"esx-ams-04.corp.example.test": ["Fan Device 2 System Fan 2"]},
        "consolidate": {"AMS-DEV-017"},
        "balloon": {"AMS-ENG-WS03"},
        "swap": {"AMS-ENG-WS09"},
        "acknowledged": set(),
    },
    "demo-vc02": {
        "storage": {
            "vsanDatastore-RTM": ("vsan", 41, True, "normal"),
            "RTM-GOLD-VMFS-01": ("VMFS", 62, True, "normal"),
        },
        "gold": "RTM-GOLD-VMFS-01",
        "ha_off": {"VDI-Cluster-R1"},
        "red_sensors": {},
        "consolidate": set(),
        "balloon": set(),
        "swap": set(),
        "acknowledged": {"Host hardware power status"},
    },
    "horizon8": {
        "storage": {
            "vsanDatastore": ("vsan", 12, True, "normal"),
            "HZN-W10-VMFS-01": ("VMFS", 7, True, "normal"),
            "HZN-GOLD-VMFS-01": ("VMFS", 48, True, "normal"),
            "HZN-MGMT-NFS-01": ("NFS", 57, True, "normal"),
            "HZN-ISO-NFS-OLD": ("NFS", 9, False, "normal"),
            "HZN-VMFS-RETIRE-02": ("VMFS", 99, True, "inMaintenance"),
        },
        "gold": "HZN-GOLD-VMFS-01",
        "ha_off": {"MGMT-CL01"},
        "red_sensors": {"esx-w11-02.corp.example.test": ["Fan Device 2 System Fan 2"]},
        "consolidate": {"W10-FC-013"},
        "balloon": {"W10-IC-002"},
        "swap": {"W10-IC-005"},
        "acknowledged": {"Host connection and power state"},
    },
    "horizon_pod": {
        "storage": {
            "vsanDatastore": ("vsan", 12, True, "normal"),
            "GOLD-VMFS-01": ("VMFS", 7, True, "normal"),
        },
        "gold": "GOLD-VMFS-01",
        "ha_off": {"Cluster-VDI"},
        "red_sensors": {},
        "consolidate": {"fc-w10-002"},
        "balloon": {"ic-w11-003"},
        "swap": set(),
        "acknowledged": {"Host hardware power status"},
    },
}


@pytest.mark.parametrize("name", sorted(ESTATES))
def test_estates_look_like_a_horizon_8_estate(name: str, tmp_path: Path) -> None:
    want = ESTATES[name]
    with start_vcsim(estate(name)) as running:
        snapshot = collect(running, tmp_path / "estate.json")
    assert free_percent(snapshot) == want["storage"]
    by_moref = {d.moref: d.name for d in snapshot.datastores}
    golden = {
        v.name for v in snapshot.vms if v.template or v.name.lower().startswith(("gold", "gi-"))
    }
    golden |= {v.name for v in snapshot.vms if v.folder in ("Golden Images", "Gold")}
    assert {by_moref[ds] for v in snapshot.vms if v.name in golden for ds in v.datastores} == {
        want["gold"]
    }
    assert {c.name for c in snapshot.clusters if c.ha_enabled is False} == want["ha_off"]
    red = {h.name: [s.name for s in h.sensor_alerts if s.health == "red"] for h in snapshot.hosts}
    assert {k: v for k, v in red.items() if v} == want["red_sensors"]
    assert {v.name for v in snapshot.vms if v.consolidation_needed} == want["consolidate"]
    assert {v.name for v in snapshot.vms if v.ballooned_memory_mb} == want["balloon"]
    assert {v.name for v in snapshot.vms if v.swapped_memory_mb} == want["swap"]
    assert {a.name for a in snapshot.alarms if a.acknowledged} == want["acknowledged"]
    assert all(a.name for a in snapshot.alarms)
