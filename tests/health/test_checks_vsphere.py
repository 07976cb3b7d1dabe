"""The vSphere checks (storage, alarms, host hardware, clusters, desktop memory and disks) against
small fleets whose subjects say what they must give.

A subject named ``fail-...`` must fail, ``pass-...`` pass, ``unknown-...`` be unknown for
missing data and ``na-...`` be unknown because the check does not apply. Each test asserts the
exact sets, the severity of every failure and what its message names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from support.fleet_builders import IMAGE_VM, connection_server, host, machine, vm
from support.horizon_builders import gateway
from support.judging import (
    assert_messages_name,
    configured,
    covers,
    judged,
    messages,
    outcomes,
    severities,
)
from support.snapshots import make_vm
from support.vsphere_builders import (
    alarm,
    cluster,
    datastore,
    free_percent,
    loaded_host,
    sensor,
    vsphere_fleet,
)

from fleetreport.health.build import build_report
from fleetreport.health.catalogue import catalogue
from fleetreport.snapshot.model import Datastore, Snapshot, VirtualMachine

VSPHERE_CHECKS = (
    "datastore_free_space",
    "datastore_inaccessible",
    "datastore_alarms",
    "host_alarms",
    "cluster_alarms",
    "desktop_alarms",
    "host_hardware_sensors",
    "vm_consolidation_needed",
    "vm_memory_contention",
    "cluster_ha_disabled",
    "cluster_n_plus_one",
)
SERVER_GUEST = "windows2019srv_64Guest"
"""A server guest OS: never a desktop by the guest-OS rule, never a Horizon machine here."""


def desktop_on(name: str, *stores: Datastore, **overrides: Any) -> VirtualMachine:
    """A desktop VM with its files on ``stores``."""
    return vm(name, datastores=[s.moref for s in stores], **overrides)


def server_on(name: str, *stores: Datastore) -> VirtualMachine:
    """A server VM (not a desktop) with its files on ``stores``."""
    return make_vm(
        f"vm-{name}", name=name, guest_id=SERVER_GUEST, datastores=[s.moref for s in stores]
    )


# ----------------------------------------------------------------------------- datastores


def free_space_fleet() -> Snapshot:
    roomy = datastore("pass-roomy", **free_percent(20))
    at_warning = datastore("pass-exactly-15", **free_percent(15))
    warning = datastore("fail-12-percent", **free_percent(12))
    at_critical = datastore("fail-exactly-10", **free_percent(10))
    critical = datastore("fail-5-percent", **free_percent(5))
    image_full = datastore("fail-image-store", **free_percent(4))
    replica_full = datastore("fail-replica-store", **free_percent(14))
    no_capacity = datastore("unknown-no-capacity", capacity_bytes=None)
    zero_capacity = datastore("unknown-zero-capacity", capacity_bytes=0)
    no_free = datastore("unknown-no-free-space", free_bytes=None)
    inaccessible = datastore("na-inaccessible", accessible=False, **free_percent(1))
    servers = datastore("na-server-store", **free_percent(1))
    empty = datastore("na-empty", **free_percent(1))
    on_stores = [roomy, at_warning, warning, at_critical, critical, no_capacity]
    on_stores += [zero_capacity, no_free, inaccessible]
    return vsphere_fleet(
        [desktop_on(f"desk-{s.name}", s) for s in on_stores],
        [*on_stores, image_full, replica_full, servers, empty],
        others=[
            make_vm(IMAGE_VM, name="win11-gold", datastores=[image_full.moref]),
            make_vm("vm-replica", name="cp-replica-1a2b", datastores=[replica_full.moref]),
            server_on("sql01", servers),
        ],
    )


@covers("datastore_free_space")
def test_datastore_free_space() -> None:
    snap = free_space_fleet()
    assert outcomes(snap, "datastore_free_space") == {
        "pass": {"pass-roomy", "pass-exactly-15"},
        "fail": {
            "fail-12-percent",
            "fail-exactly-10",
            "fail-5-percent",
            "fail-image-store",
            "fail-replica-store",
        },
        "unknown": {"unknown-no-capacity", "unknown-zero-capacity", "unknown-no-free-space"},
        "n/a": {"na-inaccessible", "na-server-store", "na-empty"},
    }
    assert severities(snap, "datastore_free_space") == {
        "fail-12-percent": "warning",
        "fail-exactly-10": "warning",
        "fail-5-percent": "critical",
        "fail-image-store": "critical",
        "fail-replica-store": "warning",
    }
    assert_messages_name(
        messages(snap, "datastore_free_space"),
        {
            "fail-12-percent": ["12.0% free", "120.0 GiB of 1,000.0 GiB", "warning under 15%"],
            "fail-5-percent": ["5.0% free", "critical under 10%"],
        },
    )


def test_datastore_free_space_thresholds_and_scope_come_from_the_config() -> None:
    snap = free_space_fleet()
    stricter = configured("[checks.datastore_free_space]\nwarning_free_percent = 25\n")
    assert severities(snap, "datastore_free_space", stricter)["pass-roomy"] == "warning"
    assert severities(snap, "datastore_free_space", stricter)["pass-exactly-15"] == "warning"
    every = configured("[checks.datastore_free_space]\njudge_all_datastores = true\n")
    judged_all = outcomes(snap, "datastore_free_space", every)
    assert judged_all["n/a"] == {"na-inaccessible"}
    assert {"na-server-store", "na-empty"} <= judged_all["fail"]
    assert severities(snap, "datastore_free_space", every)["na-server-store"] == "critical"


def inaccessible_fleet() -> Snapshot:
    stores = [
        datastore("pass-accessible"),
        datastore("pass-maintenance-not-reported", maintenance_mode=None),
        datastore("fail-inaccessible", accessible=False),
        datastore("fail-entering-maintenance", maintenance_mode="enteringMaintenance"),
        datastore("fail-in-maintenance", maintenance_mode="inMaintenance"),
        datastore("unknown-not-reported", accessible=None),
    ]
    servers = datastore("na-server-store", accessible=False)
    return vsphere_fleet(
        [desktop_on(f"desk-{s.name}", s) for s in stores],
        [*stores, servers],
        others=[server_on("file01", servers)],
    )


@covers("datastore_inaccessible")
def test_datastore_inaccessible() -> None:
    snap = inaccessible_fleet()
    assert outcomes(snap, "datastore_inaccessible") == {
        "pass": {"pass-accessible", "pass-maintenance-not-reported"},
        "fail": {"fail-inaccessible", "fail-entering-maintenance", "fail-in-maintenance"},
        "unknown": {"unknown-not-reported"},
        "n/a": {"na-server-store"},
    }
    assert severities(snap, "datastore_inaccessible") == {
        "fail-inaccessible": "critical",
        "fail-entering-maintenance": "warning",
        "fail-in-maintenance": "warning",
    }
    assert_messages_name(
        messages(snap, "datastore_inaccessible"),
        {
            "fail-inaccessible": ["not accessible"],
            "fail-entering-maintenance": ["enteringMaintenance"],
        },
    )
    every = configured("[checks.datastore_inaccessible]\njudge_all_datastores = true\n")
    assert severities(snap, "datastore_inaccessible", every)["na-server-store"] == "critical"


def test_an_inaccessible_datastore_costs_its_desktops_power_points_once() -> None:
    dead = datastore("dead", accessible=False)
    also_dead = datastore("also-dead", accessible=False)
    emptying = datastore("emptying", maintenance_mode="inMaintenance")
    healthy = datastore("healthy")
    report = build_report(
        vsphere_fleet(
            [
                desktop_on("on-dead", dead),
                desktop_on("on-two-dead", dead, also_dead),
                desktop_on("on-emptying", emptying),
                # the worst of its datastores counts, in whichever order vCenter lists them
                desktop_on("on-dead-then-healthy", dead, healthy),
                desktop_on("on-dead-then-emptying", dead, emptying),
                desktop_on("on-emptying-then-healthy", emptying, healthy),
                vm("elsewhere"),
            ],
            [dead, also_dead, emptying, healthy],
        )
    )
    rows = {row.name: row for row in report.vms}
    assert {name: row.power_score for name, row in rows.items()} == {
        "on-dead": 60,
        "on-two-dead": 60,
        "on-emptying": 85,
        "on-dead-then-healthy": 60,
        "on-dead-then-emptying": 60,
        "on-emptying-then-healthy": 85,
        "elsewhere": 100,
    }
    lost = {
        name: [(d.check, d.subject) for d in row.deductions if d.points]
        for name, row in rows.items()
    }
    assert lost["on-dead"] == [("datastore_inaccessible", "dead")]
    assert [check for check, _ in lost["on-two-dead"]] == ["datastore_inaccessible"]
    assert {row.patch_score for row in rows.values()} == {100}
    priority = next(p for p in report.priorities if p.check == "datastore_inaccessible")
    assert priority.desktops == 6


def alarm_statuses(entities: Iterable[tuple[str, str]], entity_type: str) -> list[Any]:
    """The alarms every alarm test gives its subjects, by (subject moref, name prefix)."""
    found = []
    for moref, name in entities:
        found += {
            "pass-green": [alarm(moref, "green", "Usage", entity_type)],
            "pass-gray": [alarm(moref, "gray", "Usage", entity_type)],
            "fail-red": [
                alarm(moref, "red", "Connection lost", entity_type),
                alarm(moref, "yellow", "Usage high", entity_type),
            ],
            "fail-yellow": [alarm(moref, "yellow", "Usage high", entity_type)],
            "fail-red-acknowledged": [
                alarm(moref, "red", "Connection lost", entity_type, acknowledged=True)
            ],
            "fail-yellow-acknowledged": [
                alarm(moref, "yellow", "Usage high", entity_type, acknowledged=True)
            ],
            "fail-unnamed": [alarm(moref, "red", None, entity_type)],
            "unknown-strange-status": [alarm(moref, "purple", "Odd", entity_type)],
        }.get(name, [])
    return found


ALARM_OUTCOMES = {
    "pass": {"pass-quiet", "pass-green", "pass-gray"},
    "fail": {
        "fail-red",
        "fail-yellow",
        "fail-red-acknowledged",
        "fail-yellow-acknowledged",
        "fail-unnamed",
    },
    "unknown": {"unknown-strange-status"},
}
ALARM_SEVERITIES = {
    "fail-red": "critical",
    "fail-yellow": "warning",
    "fail-red-acknowledged": "warning",
    "fail-yellow-acknowledged": "info",
    "fail-unnamed": "critical",
}
ALARM_MESSAGES = {
    "fail-red": ["2 alarms", "'Connection lost' (red)", "'Usage high' (yellow)"],
    "fail-red-acknowledged": ["'Connection lost' (red, acknowledged)"],
    "fail-unnamed": ["alarm-unnamed (name not read, red)"],
}
ALARM_NAMES = sorted({*ALARM_OUTCOMES["pass"], *ALARM_OUTCOMES["fail"], "unknown-strange-status"})


def alarm_datastore_fleet() -> Snapshot:
    stores = [datastore(name) for name in ALARM_NAMES]
    servers = datastore("na-server-store")
    alarms = alarm_statuses([(s.moref, s.name) for s in [*stores, servers]], "Datastore")
    alarms += [alarm(servers.moref, "red", "Server store full", "Datastore")]
    return vsphere_fleet(
        [desktop_on(f"desk-{s.name}", s) for s in stores],
        [*stores, servers],
        others=[server_on("app01", servers)],
        alarms=alarms,
    )


@covers("datastore_alarms")
def test_datastore_alarms() -> None:
    snap = alarm_datastore_fleet()
    assert outcomes(snap, "datastore_alarms") == {**ALARM_OUTCOMES, "n/a": {"na-server-store"}}
    assert severities(snap, "datastore_alarms") == ALARM_SEVERITIES
    assert_messages_name(messages(snap, "datastore_alarms"), ALARM_MESSAGES)


def test_acknowledged_alarms_keep_their_grade_when_configured() -> None:
    snap = alarm_datastore_fleet()
    settings = configured("[checks.datastore_alarms]\nacknowledged_one_lower = false\n")
    found = severities(snap, "datastore_alarms", settings)
    assert (found["fail-red-acknowledged"], found["fail-yellow-acknowledged"]) == (
        "critical",
        "warning",
    )


def alarm_host_fleet(**overrides: Any) -> Snapshot:
    hosts = [host(name) for name in ALARM_NAMES]
    many = host("fail-seven-alarms")
    alarms = alarm_statuses([(h.moref, h.name) for h in hosts], "HostSystem")
    alarms += [alarm(many.moref, "yellow", f"Alarm {n}") for n in range(7)]
    return vsphere_fleet([vm("desk")], hosts=[*hosts, many], alarms=alarms, **overrides)


@covers("host_alarms")
def test_host_alarms() -> None:
    snap = alarm_host_fleet()
    assert outcomes(snap, "host_alarms") == {
        **ALARM_OUTCOMES,
        "fail": {*ALARM_OUTCOMES["fail"], "fail-seven-alarms"},
    }
    assert severities(snap, "host_alarms") == {**ALARM_SEVERITIES, "fail-seven-alarms": "warning"}
    assert_messages_name(
        messages(snap, "host_alarms"),
        {**ALARM_MESSAGES, "fail-seven-alarms": ["7 alarms", "'Alarm 0'", "and 2 more"]},
    )
    # A snapshot made before alarms were read (or a vCenter that refused them) cannot pass.
    for read in (None, False):
        unread = replace(snap, vcenters=[replace(vc, alarms_read=read) for vc in snap.vcenters])
        assert outcomes(unread, "host_alarms") == {"unknown": {*ALARM_NAMES, "fail-seven-alarms"}}
        assert all(
            "were not read" in said.message for said in judged(unread, "host_alarms").values()
        )


@covers("cluster_alarms")
def test_cluster_alarms() -> None:
    clusters = [cluster(name) for name in ALARM_NAMES]
    servers = cluster("na-server-cluster")
    alarms = alarm_statuses([(c.moref, c.name) for c in clusters], "ClusterComputeResource")
    alarms.append(alarm(servers.moref, "red", "HA failover", "ClusterComputeResource"))
    snap = vsphere_fleet(
        [vm(f"desk-{c.name}", cluster=c.name) for c in clusters],
        clusters=[*clusters, servers],
        alarms=alarms,
    )
    assert outcomes(snap, "cluster_alarms") == {**ALARM_OUTCOMES, "n/a": {"na-server-cluster"}}
    assert severities(snap, "cluster_alarms") == ALARM_SEVERITIES
    assert_messages_name(messages(snap, "cluster_alarms"), ALARM_MESSAGES)
    every = configured("[checks.cluster_alarms]\njudge_all_clusters = true\n")
    assert severities(snap, "cluster_alarms", every)["na-server-cluster"] == "critical"


@covers("desktop_alarms")
def test_desktop_alarms() -> None:
    vms = [vm(name) for name in ALARM_NAMES]
    alarms = alarm_statuses([(v.moref, v.name) for v in vms], "VirtualMachine")
    snap = vsphere_fleet(vms, alarms=alarms, extra_machines=[machine(None, name="unknown-no-vm")])
    assert outcomes(snap, "desktop_alarms") == {
        **ALARM_OUTCOMES,
        "unknown": {"unknown-strange-status", "unknown-no-vm"},
    }
    assert severities(snap, "desktop_alarms") == ALARM_SEVERITIES
    assert_messages_name(messages(snap, "desktop_alarms"), ALARM_MESSAGES)
    # Alarms lower no desktop score.
    rows = {row.name: row for row in build_report(snap).vms}
    assert not [d for d in rows["fail-red"].deductions if d.check == "desktop_alarms"]


# ---------------------------------------------------------------------------------- hosts


@covers("host_hardware_sensors")
def test_host_hardware_sensors() -> None:
    hosts = [
        loaded_host("pass-green", "C1"),
        loaded_host("pass-only-unknown-sensors", "C1", sensor_alerts=[sensor("PSU 2", "unknown")]),
        loaded_host(
            "fail-red-and-yellow",
            "C1",
            sensor_alerts=[sensor("Fan 3", "yellow"), sensor("DIMM A1", "red", "memory")],
        ),
        loaded_host("fail-yellow", "C1", sensor_alerts=[sensor("Temp 1", "yellow", "temperature")]),
        loaded_host(
            "unknown-disconnected",
            "C1",
            connection_state="disconnected",
            sensor_alerts=[sensor("Fan 1", "red")],
        ),
        loaded_host("unknown-not-reported", "C1", sensors_reported=None),
        loaded_host("unknown-no-provider", "C1", sensors_reported=False),
        loaded_host("unknown-strange-health", "C1", sensor_alerts=[sensor("Fan 9", "purple")]),
    ]
    snap = vsphere_fleet([vm("desk")], hosts=hosts)
    assert outcomes(snap, "host_hardware_sensors") == {
        "pass": {"pass-green", "pass-only-unknown-sensors"},
        "fail": {"fail-red-and-yellow", "fail-yellow"},
        "unknown": {
            "unknown-disconnected",
            "unknown-not-reported",
            "unknown-no-provider",
            "unknown-strange-health",
        },
    }
    assert severities(snap, "host_hardware_sensors") == {
        "fail-red-and-yellow": "critical",
        "fail-yellow": "warning",
    }
    assert_messages_name(
        messages(snap, "host_hardware_sensors"),
        {
            "fail-red-and-yellow": [
                "2 sensors",
                "'DIMM A1' (memory, red)",
                "'Fan 3' (fan, yellow)",
            ],
            "fail-yellow": ["'Temp 1' (temperature, yellow)"],
        },
    )


# ------------------------------------------------------------------------------- clusters


@covers("cluster_ha_disabled")
def test_cluster_ha_disabled() -> None:
    clusters = [
        cluster("pass-ha-on"),
        cluster("pass-admission-not-reported", ha_admission_control=None),
        cluster("fail-ha-off", ha_enabled=False, ha_admission_control=False),
        cluster("fail-no-admission-control", ha_admission_control=False),
        cluster("unknown-not-reported", ha_enabled=None),
    ]
    servers = cluster("na-server-cluster", ha_enabled=False)
    snap = vsphere_fleet(
        [vm(f"desk-{c.name}", cluster=c.name) for c in clusters], clusters=[*clusters, servers]
    )
    assert outcomes(snap, "cluster_ha_disabled") == {
        "pass": {"pass-ha-on", "pass-admission-not-reported"},
        "fail": {"fail-ha-off", "fail-no-admission-control"},
        "unknown": {"unknown-not-reported"},
        "n/a": {"na-server-cluster"},
    }
    assert severities(snap, "cluster_ha_disabled") == {
        "fail-ha-off": "warning",
        "fail-no-admission-control": "info",
    }
    assert_messages_name(
        messages(snap, "cluster_ha_disabled"),
        {"fail-ha-off": ["HA is off"], "fail-no-admission-control": ["admission control is off"]},
    )
    relaxed = configured(
        "[checks.cluster_ha_disabled]\n"
        "require_admission_control = false\n"
        "judge_all_clusters = true\n"
    )
    assert severities(snap, "cluster_ha_disabled", relaxed) == {
        "fail-ha-off": "warning",
        "na-server-cluster": "warning",
    }


def test_the_management_cluster_and_datastore_of_the_connection_servers_are_judged() -> None:
    """A cluster or datastore running only the pod's Connection Server or gateway VMs serves the
    desktops too; one running neither (another team's servers) is not applicable."""
    mgmt, servers = cluster("MGMT", ha_enabled=False), cluster("SQL-FARM", ha_enabled=False)
    mgmt_store = datastore("MGMT-NFS", "datastore-30", **free_percent(5))
    other_store = datastore("SQL-VMFS", "datastore-31", **free_percent(5))
    cs_vm = make_vm(
        "vm-cs",
        name="HZN-CS01",
        guest_hostname="hzn-cs01.corp.example.test",
        cluster="MGMT",
        datastores=["datastore-30"],
    )
    uag_vm = make_vm("vm-uag", name="UAG-DMZ-1", guest_hostname=None, cluster="MGMT")
    sql_vm = make_vm("vm-sql", name="SQL01", cluster="SQL-FARM", datastores=["datastore-31"])
    snap = vsphere_fleet(
        [vm("desk-1")],
        [mgmt_store, other_store],
        others=[cs_vm, uag_vm, sql_vm],
        clusters=[mgmt, servers],
        connection_servers=[connection_server("hzn-cs01.corp.example.test")],
        gateways=[gateway("uag-dmz-1")],
    )
    assert outcomes(snap, "cluster_ha_disabled") == {
        "fail": {"MGMT"},
        "n/a": {"SQL-FARM"},
    }
    assert outcomes(snap, "datastore_free_space")["fail"] == {"MGMT-NFS"}
    assert "SQL-VMFS" in outcomes(snap, "datastore_free_space")["n/a"]
    alone = replace(snap, connection_servers=[], gateways=[])
    assert outcomes(alone, "cluster_ha_disabled") == {"n/a": {"MGMT", "SQL-FARM"}}


def headroom_fleet() -> Snapshot:
    """Clusters of hosts with (used, capacity) memory in GiB; CPU light unless said."""

    def hosts(name: str, *memory: tuple[int, int], **overrides: Any) -> list[Any]:
        return [
            loaded_host(f"{name}-esx{n}", name, memory=(used * 1024, size * 1024), **overrides)
            for n, (used, size) in enumerate(memory, start=1)
        ]

    names = [
        "pass-three-hosts",
        "fail-memory",
        "fail-cpu",
        "fail-largest-host",
        "fail-single-host",
        "fail-one-out-of-maintenance",
        "unknown-no-usage",
        "unknown-no-hosts",
        "unknown-state-not-reported",
        "na-all-down",
    ]
    all_hosts = [
        *hosts("pass-three-hosts", (200, 512), (200, 512), (200, 512)),
        *hosts("fail-memory", (400, 512), (400, 512), (400, 512)),
        *[loaded_host(f"fail-cpu-esx{n}", "fail-cpu", cpu=(50_000, 64_000)) for n in range(1, 4)],
        # Without the 1 TiB host, 512 GiB are left for 600 GiB: an average host (512 GiB)
        # would leave 1 TiB and pass.
        *hosts("fail-largest-host", (200, 1024), (200, 256), (200, 256)),
        *hosts("fail-single-host", (10, 512)),
        *hosts("fail-one-out-of-maintenance", (10, 512)),
        loaded_host(
            "fail-one-out-of-maintenance-esx2",
            "fail-one-out-of-maintenance",
            in_maintenance_mode=True,
        ),
        *hosts("unknown-no-usage", (10, 512)),
        loaded_host("unknown-no-usage-esx2", "unknown-no-usage", memory=(None, 512 * 1024)),
        *hosts("unknown-state-not-reported", (10, 512), (10, 512)),
        loaded_host(
            "unknown-state-not-reported-esx3", "unknown-state-not-reported", connection_state=None
        ),
        *hosts("na-all-down", (0, 512), (0, 512), connection_state="notResponding"),
        *hosts("na-server-cluster", (10, 512)),
    ]
    clusters = [cluster(name) for name in [*names, "na-server-cluster"]]
    return vsphere_fleet(
        [vm(f"desk-{name}", cluster=name) for name in names], clusters=clusters, hosts=all_hosts
    )


@covers("cluster_n_plus_one")
def test_cluster_n_plus_one() -> None:
    snap = headroom_fleet()
    assert outcomes(snap, "cluster_n_plus_one") == {
        "pass": {"pass-three-hosts"},
        "fail": {
            "fail-memory",
            "fail-cpu",
            "fail-largest-host",
            "fail-single-host",
            "fail-one-out-of-maintenance",
        },
        "unknown": {"unknown-no-usage", "unknown-no-hosts", "unknown-state-not-reported"},
        "n/a": {"na-all-down", "na-server-cluster"},
    }
    assert set(severities(snap, "cluster_n_plus_one").values()) == {"warning"}
    found = messages(snap, "cluster_n_plus_one")
    assert_messages_name(
        found,
        {
            "fail-memory": ["memory 1,200 GiB in use, 1,024 GiB without fail-memory-esx"],
            "fail-cpu": ["CPU 150.0 GHz in use, 128.0 GHz without fail-cpu-esx"],
            "fail-largest-host": ["512 GiB without fail-largest-host-esx1 (1,024 GiB)"],
            "fail-single-host": ["only one host", "fail-single-host-esx1"],
            "fail-one-out-of-maintenance": ["only one host", "fail-one-out-of-maintenance-esx1"],
        },
    )
    assert "CPU" not in found["fail-memory"] and "memory" not in found["fail-cpu"]
    half = configured("[checks.cluster_n_plus_one]\nmemory_limit_percent = 50\n")
    assert "pass-three-hosts" in outcomes(snap, "cluster_n_plus_one", half)["fail"]


# ------------------------------------------------------------------------------- desktops


@covers("vm_consolidation_needed")
def test_vm_consolidation_needed() -> None:
    snap = vsphere_fleet(
        [
            vm("pass-consolidated", consolidation_needed=False),
            vm("fail-needs-consolidation", consolidation_needed=True),
            vm("unknown-not-reported", consolidation_needed=None),
            vm("na-host-down", consolidation_needed=True, host="esx-down"),
        ],
        extra_machines=[machine(None, name="unknown-no-vm")],
        hosts=[
            host("esx1.example.test", "host-9"),
            host("esx-down", connection_state="disconnected"),
        ],
    )
    assert outcomes(snap, "vm_consolidation_needed") == {
        "pass": {"pass-consolidated"},
        "fail": {"fail-needs-consolidation"},
        "unknown": {"unknown-not-reported", "unknown-no-vm"},
        "n/a": {"na-host-down"},
    }
    assert severities(snap, "vm_consolidation_needed") == {"fail-needs-consolidation": "warning"}
    assert_messages_name(
        messages(snap, "vm_consolidation_needed"),
        {"fail-needs-consolidation": ["need consolidation"]},
    )


def memory(ballooned: int | None, swapped: int | None) -> dict[str, int | None]:
    return {"ballooned_memory_mb": ballooned, "swapped_memory_mb": swapped}


def contention_fleet() -> Snapshot:
    return vsphere_fleet(
        [
            vm("pass-no-contention", **memory(0, 0)),
            vm("fail-ballooned", **memory(300, 0)),
            vm("fail-swapped", **memory(0, 1024)),
            vm("fail-both", **memory(2048, 4)),
            vm("fail-ballooned-swap-not-reported", **memory(100, None)),
            vm("unknown-swap-not-reported", **memory(0, None)),
            vm("unknown-not-reported", **memory(None, None)),
            vm("unknown-no-power-state", power_state=None, **memory(300, 0)),
            vm("na-powered-off", power_state="poweredOff", **memory(300, 0)),
            vm("na-suspended", power_state="suspended", **memory(300, 0)),
        ],
        extra_machines=[machine(None, name="unknown-no-vm")],
    )


@covers("vm_memory_contention")
def test_vm_memory_contention() -> None:
    snap = contention_fleet()
    assert outcomes(snap, "vm_memory_contention") == {
        "pass": {"pass-no-contention"},
        "fail": {
            "fail-ballooned",
            "fail-swapped",
            "fail-both",
            "fail-ballooned-swap-not-reported",
        },
        "unknown": {
            "unknown-swap-not-reported",
            "unknown-not-reported",
            "unknown-no-power-state",
            "unknown-no-vm",
        },
        "n/a": {"na-powered-off", "na-suspended"},
    }
    assert set(severities(snap, "vm_memory_contention").values()) == {"warning"}
    assert_messages_name(
        messages(snap, "vm_memory_contention"),
        {
            "fail-ballooned": ["300 MiB ballooned"],
            "fail-swapped": ["1,024 MiB swapped"],
            "fail-both": ["2,048 MiB ballooned", "4 MiB swapped"],
        },
    )
    tolerant = configured("[checks.vm_memory_contention]\nballooned_warning_mb = 512\n")
    assert outcomes(snap, "vm_memory_contention", tolerant)["fail"] == {
        "fail-swapped",
        "fail-both",
    }


# ----------------------------------------------------------------------- every check


def test_a_vcenter_only_snapshot_gets_every_vsphere_check() -> None:
    """No Horizon: desktops by their guest OS; every vSphere check judges them and their
    cluster, hosts and datastores (nothing is not-applicable for want of Horizon)."""
    snap = vsphere_fleet(
        [vm("desk-1", **memory(0, 0), consolidation_needed=False)],
        horizon=False,
        clusters=[cluster("C1")],
        hosts=[
            loaded_host("esx1.example.test", "C1"),
            loaded_host("esx2.example.test", "C1"),
        ],
    )
    assert not snap.pods and not snap.machines
    for check_id in VSPHERE_CHECKS:
        assert set(outcomes(snap, check_id)) == {"pass"}, (check_id, outcomes(snap, check_id))


def test_the_vsphere_checks_are_declared_plainly() -> None:
    specs = catalogue()
    for check_id in VSPHERE_CHECKS:
        spec = specs[check_id]
        assert len(spec.title) <= 40, spec.title
        assert spec.title[0].isupper() and not spec.title.endswith("."), spec.title
