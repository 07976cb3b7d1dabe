"""Every check of the catalogue against a small fleet whose subjects say what they must give.

A subject named ``fail-tools-too-old`` must fail, ``pass-...`` pass, ``unknown-...`` be
unknown for missing data and ``na-...`` be unknown because the check does not apply. Each
test asserts the exact sets, the severity of every failure and what its message names.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from support.fleet_builders import (
    HZ_VCENTER_ID,
    IMAGE_SNAPSHOT,
    NOW,
    POD,
    ago,
    connection_server,
    desktops,
    fleet_snapshot,
    host,
    machine,
    pool,
    session,
    vm,
)
from support.judging import (
    assert_messages_name,
    configured,
    covered_check_ids,
    covers,
    judged,
    messages,
    outcomes,
    severities,
)
from support.snapshots import VC_UUID
from support.vsphere_builders import datastore

from fleetreport.health.build import build_report
from fleetreport.health.catalogue import Category, Check, catalogue
from fleetreport.health.fleet import FleetView
from fleetreport.snapshot.model import (
    ConnectionServer,
    HorizonPod,
    HorizonVCenter,
    Machine,
    ServiceStatus,
    Session,
    Snapshot,
    Source,
    UnmatchedVm,
    VirtualMachine,
    VmSnapshot,
)

# ----------------------------------------------------------------------------- helpers


def horizon_fleet(*vms: VirtualMachine, extra: Iterable[Machine] = (), **kw: Any) -> Snapshot:
    """Each VM as a healthy machine of pool-1, plus ``extra`` machines."""
    vm_list, machines = desktops(*vms)
    return fleet_snapshot(vm_list, [*machines, *extra], **kw)


def with_missing_vm(*vms: VirtualMachine) -> Snapshot:
    """The VMs as desktops of pool-1, plus a machine ``unknown-no-vm`` whose VM was not found."""
    return horizon_fleet(*vms, extra=[machine(None, name="unknown-no-vm")])


def failed_horizon_source() -> Source:
    return Source(
        kind="horizon",
        url=f"https://{POD}/rest",
        status="failed",
        started_at=NOW,
        finished_at=NOW,
        tls_verified=True,
        error="connection refused",
    )


def disk_snapshot(name: str, days_old: float | None) -> VmSnapshot:
    created = ago(days=days_old) if days_old is not None else None
    return VmSnapshot(f"snapshot-{name}", name, created, 0, f"/{name}")


def inferred_machine(name: str, **overrides: Any) -> Machine:
    """A machine inferred from vCenter folders (no Horizon data behind it)."""
    values: dict[str, Any] = dict(pod="inferred", kind="inferred", pool_id=None, name=name)
    values.update(overrides)
    return machine(None, **values)


# ------------------------------------------------------------------------- the catalogue

CHECKS = list(catalogue().values())


@pytest.mark.parametrize("spec", CHECKS, ids=[spec.id for spec in CHECKS])
def test_every_check_is_declared_completely(spec: Check[Any]) -> None:
    assert spec.id == spec.judge.__name__
    assert spec.title.strip()
    assert spec.rationale.strip()
    assert spec.remediation.strip()
    assert spec.category in {"patch", "power", "hygiene", "infrastructure", "usage"}
    assert isinstance(spec.category, Category)


def test_every_check_has_a_test_here() -> None:
    assert set(catalogue()) == covered_check_ids(Path(__file__).parent)


# ---------------------------------------------------------------------------------- patch


HOST_DOWN = "esx-down.example.test"


def tools_fleet(*vms: VirtualMachine) -> Snapshot:
    """The VMs as desktops of pool-1 on a connected host, a machine without a VM, and a
    desktop ``na-host-not-responding`` on a host vCenter cannot reach."""
    on_dead_host = vm(
        "na-host-not-responding",
        host=HOST_DOWN,
        tools_version_status="guestToolsTooOld",
        tools_running_status="guestToolsNotRunning",
    )
    return horizon_fleet(
        *vms,
        on_dead_host,
        extra=[machine(None, name="unknown-no-vm")],
        hosts=[
            host("esx1.example.test", "host-9"),
            host(HOST_DOWN, connection_state="notResponding"),
        ],
    )


@covers("vm_tools_outdated")
def test_vm_tools_outdated() -> None:
    snap = tools_fleet(
        vm("pass-current", tools_version_status="guestToolsCurrent"),
        vm("pass-unmanaged", tools_version_status="guestToolsUnmanaged"),
        vm("pass-supported-new", tools_version_status="guestToolsSupportedNew"),
        vm("fail-need-upgrade", tools_version_status="guestToolsNeedUpgrade"),
        vm("fail-supported-old", tools_version_status="guestToolsSupportedOld"),
        vm("fail-too-old", tools_version_status="guestToolsTooOld", tools_version="10346"),
        vm("fail-blacklisted", tools_version_status="guestToolsBlacklisted"),
        vm(
            "fail-not-installed",
            tools_version_status="guestToolsNotInstalled",
            tools_running_status="guestToolsNotRunning",
            tools_version=None,
        ),
        vm("fail-too-new", tools_version_status="guestToolsTooNew"),
        vm("na-powered-off", power_state="poweredOff", tools_version_status="guestToolsTooOld"),
        vm("na-suspended", power_state="suspended", tools_version_status="guestToolsTooOld"),
        vm("unknown-future-status", tools_version_status="guestToolsFromTheFuture"),
        vm("unknown-no-status", tools_version_status=None),
        vm("unknown-no-power-state", power_state=None, tools_version_status="guestToolsTooOld"),
    )
    assert outcomes(snap, "vm_tools_outdated") == {
        "pass": {"pass-current", "pass-unmanaged", "pass-supported-new"},
        "fail": {
            "fail-need-upgrade",
            "fail-supported-old",
            "fail-too-old",
            "fail-blacklisted",
            "fail-not-installed",
            "fail-too-new",
        },
        "unknown": {
            "unknown-future-status",
            "unknown-no-status",
            "unknown-no-power-state",
            "unknown-no-vm",
        },
        "n/a": {"na-powered-off", "na-suspended", "na-host-not-responding"},
    }
    assert severities(snap, "vm_tools_outdated") == {
        "fail-need-upgrade": "warning",
        "fail-supported-old": "warning",
        "fail-too-old": "critical",
        "fail-blacklisted": "critical",
        "fail-not-installed": "critical",
        "fail-too-new": "critical",
    }
    assert_messages_name(
        messages(snap, "vm_tools_outdated"),
        {
            "fail-need-upgrade": ["guestToolsNeedUpgrade", "12352"],
            "fail-too-old": ["guestToolsTooOld", "10346"],
            "fail-not-installed": ["guestToolsNotInstalled"],
        },
    )
    said = judged(snap, "vm_tools_outdated")
    assert HOST_DOWN in said["na-host-not-responding"].message
    assert "notResponding" in said["na-host-not-responding"].message


@covers("vm_tools_not_running")
def test_vm_tools_not_running() -> None:
    snap = tools_fleet(
        vm("pass-running", tools_running_status="guestToolsRunning"),
        vm("pass-executing-scripts", tools_running_status="guestToolsExecutingScripts"),
        vm("fail-not-running", tools_running_status="guestToolsNotRunning"),
        vm(
            "na-not-installed",
            tools_version_status="guestToolsNotInstalled",
            tools_running_status="guestToolsNotRunning",
        ),
        vm("na-powered-off", power_state="poweredOff", tools_running_status="guestToolsNotRunning"),
        vm("na-suspended", power_state="suspended", tools_running_status="guestToolsNotRunning"),
        vm("unknown-not-reported", tools_running_status=None),
    )
    assert outcomes(snap, "vm_tools_not_running") == {
        "pass": {"pass-running", "pass-executing-scripts"},
        "fail": {"fail-not-running"},
        "unknown": {"unknown-not-reported", "unknown-no-vm"},
        "n/a": {"na-not-installed", "na-powered-off", "na-suspended", "na-host-not-responding"},
    }
    assert severities(snap, "vm_tools_not_running") == {"fail-not-running": "critical"}
    assert_messages_name(
        messages(snap, "vm_tools_not_running"), {"fail-not-running": ["guestToolsNotRunning"]}
    )
    said = judged(snap, "vm_tools_not_running")
    assert "vm_tools_outdated" in said["na-not-installed"].message
    assert HOST_DOWN in said["na-host-not-responding"].message


def hardware_fleet() -> Snapshot:
    """Desktops on clusters of known ESXi versions; each name says what it must give."""
    hosts = [
        host("esx7-a", cluster="C7", version="7.0.3", build="21424296"),
        host("esx7-b", cluster="C7", version="8.0.3", build="24022510"),
        host("esx8-a", cluster="C8", version="8.0.3", build="24022510"),
        host("esx8-b", cluster="C8", version="8.0.2", build="22380479"),
        host("esx8-c", cluster="C8", version="7.0.0", connection_state="disconnected"),
        host("esx67", cluster="C67", version="6.7.0", build=None),
        host("esx-unknown", cluster="CX", version=None),
        host("esx-solo", cluster=None, version="7.0.1", build="16850804"),
    ]

    def on(cluster: str | None, name: str, hardware: str | None, **kw: Any) -> VirtualMachine:
        return vm(name, cluster=cluster, hardware_version=hardware, **kw)

    vms = [
        on("C7", "pass-vmx19-on-esxi7.0.3", "vmx-19", host="esx7-a"),
        on("C7", "info-vmx17-on-esxi7.0.3", "vmx-17", host="esx7-b"),
        on("C7", "info-vmx14-at-baseline", "vmx-14", host="esx7-a"),
        on("C7", "warning-vmx13-below-baseline", "vmx-13", host="esx7-a"),
        on("C8", "pass-vmx21-disconnected-7.0-host-ignored", "vmx-21", host="esx8-a"),
        on("C8", "info-vmx20-on-esxi8.0.2", "vmx-20", host="esx8-a"),
        on("C67", "pass-vmx15-on-esxi6.7", "vmx-15", host="esx67"),
        on("C67", "unknown-vmx14-on-esxi6.7-without-build", "vmx-14", host="esx67"),
        on("C67", "warning-vmx13-on-esxi6.7", "vmx-13", host="esx67"),
        on("CX", "unknown-no-host-version", "vmx-19", host="esx-unknown"),
        on("CX", "warning-vmx11-without-host-version", "vmx-11", host="esx-unknown"),
        on(None, "pass-vmx18-on-standalone-7.0.1", "vmx-18", host="esx-solo"),
        on(None, "info-vmx17-on-standalone-7.0.1", "vmx-17", host="esx-solo"),
        on("C7", "unknown-odd-version", "vmx-latest", host="esx7-a"),
        on("C7", "unknown-not-reported", None, host="esx7-a"),
    ]
    return horizon_fleet(*vms, extra=[machine(None, name="unknown-no-vm")], hosts=hosts)


HARDWARE_UNKNOWN = {
    "unknown-vmx14-on-esxi6.7-without-build",
    "unknown-no-host-version",
    "unknown-odd-version",
    "unknown-not-reported",
    "unknown-no-vm",
}
HARDWARE_INFO = {
    "info-vmx17-on-esxi7.0.3",
    "info-vmx14-at-baseline",
    "info-vmx20-on-esxi8.0.2",
    "info-vmx17-on-standalone-7.0.1",
}
HARDWARE_BELOW_BASELINE = {
    "warning-vmx13-below-baseline",
    "warning-vmx13-on-esxi6.7",
    "warning-vmx11-without-host-version",
}


@covers("vm_hardware_outdated")
def test_vm_hardware_outdated() -> None:
    snap = hardware_fleet()
    expected = {
        "pass": {
            "pass-vmx19-on-esxi7.0.3",
            "pass-vmx21-disconnected-7.0-host-ignored",
            "pass-vmx15-on-esxi6.7",
            "pass-vmx18-on-standalone-7.0.1",
        },
        "fail": HARDWARE_INFO | HARDWARE_BELOW_BASELINE,
        "unknown": HARDWARE_UNKNOWN,
    }
    # Below the vTPM baseline (vmx-14) is a warning, wherever it runs; older than what the
    # cluster can run, but at or above the baseline, is information.
    assert outcomes(snap, "vm_hardware_outdated") == expected
    assert severities(snap, "vm_hardware_outdated") == {
        **dict.fromkeys(HARDWARE_INFO, "info"),
        **dict.fromkeys(HARDWARE_BELOW_BASELINE, "warning"),
    }
    said = messages(snap, "vm_hardware_outdated")
    assert_messages_name(
        said,
        {
            "info-vmx17-on-esxi7.0.3": ["vmx-17", "vmx-19", "cluster C7", "esx7-a", "7.0.3"],
            "info-vmx14-at-baseline": ["vmx-14", "vmx-19", "cluster C7", "baseline vmx-14"],
            "info-vmx20-on-esxi8.0.2": ["vmx-20", "vmx-21", "cluster C8", "8.0.2"],
            "info-vmx17-on-standalone-7.0.1": ["vmx-17", "vmx-18", "esx-solo", "7.0.1"],
            "warning-vmx13-below-baseline": ["vmx-13", "baseline vmx-14", "TPM", "Windows 11"],
            "warning-vmx13-on-esxi6.7": ["vmx-13", "baseline vmx-14", "TPM"],
            "warning-vmx11-without-host-version": ["vmx-11", "baseline vmx-14", "TPM"],
        },
    )
    # Below a configured minimum is critical.
    minimum = configured("[checks.vm_hardware_outdated]\nminimum_version = 14\n")
    assert outcomes(snap, "vm_hardware_outdated", minimum) == expected
    assert severities(snap, "vm_hardware_outdated", minimum) == {
        **dict.fromkeys(HARDWARE_INFO, "info"),
        **dict.fromkeys(HARDWARE_BELOW_BASELINE, "critical"),
    }
    assert_messages_name(
        messages(snap, "vm_hardware_outdated", minimum),
        {"warning-vmx13-below-baseline": ["vmx-13", "minimum vmx-14"]},
    )
    # A higher baseline turns those versions into warnings; the vTPM reason is named only
    # where it holds.
    higher = configured("[checks.vm_hardware_outdated]\nbaseline_version = 19\n")
    below_19 = (HARDWARE_BELOW_BASELINE | HARDWARE_INFO) - {"info-vmx20-on-esxi8.0.2"} | {
        "unknown-vmx14-on-esxi6.7-without-build",
        "pass-vmx15-on-esxi6.7",
        "pass-vmx18-on-standalone-7.0.1",
    }
    assert severities(snap, "vm_hardware_outdated", higher) == {
        **dict.fromkeys(below_19, "warning"),
        "info-vmx20-on-esxi8.0.2": "info",
    }
    raised = messages(snap, "vm_hardware_outdated", higher)
    assert "baseline vmx-19" in raised["info-vmx17-on-esxi7.0.3"]
    assert "TPM" not in raised["info-vmx17-on-esxi7.0.3"]
    assert "TPM" in raised["warning-vmx13-below-baseline"]
    # Without a baseline, every version older than what its cluster runs is information.
    no_baseline = configured("[checks.vm_hardware_outdated]\nbaseline_version = 0\n")
    assert severities(snap, "vm_hardware_outdated", no_baseline) == dict.fromkeys(
        HARDWARE_INFO | {"warning-vmx13-below-baseline", "warning-vmx13-on-esxi6.7"}, "info"
    )
    # Without the comparison to the cluster, only the minimum and the baseline are left.
    baseline_only = configured("[checks.vm_hardware_outdated]\ncompare_to_newest = false\n")
    assert outcomes(snap, "vm_hardware_outdated", baseline_only) == {
        "pass": expected["pass"]
        | HARDWARE_INFO
        | {"unknown-vmx14-on-esxi6.7-without-build", "unknown-no-host-version"},
        "fail": HARDWARE_BELOW_BASELINE,
        "unknown": {"unknown-odd-version", "unknown-not-reported", "unknown-no-vm"},
    }


def uptime_desktop(name: str, pool_id: str = "pool-1", **times: Any) -> tuple[Any, Machine]:
    """A desktop VM and its machine; ``times`` sets the VM's ``boot_time``/``create_date`` and
    the machine's ``create_time``/``last_maintenance_time`` (all None unless given)."""
    desktop = vm(
        name,
        boot_time=times.pop("boot_time", None),
        create_date=times.pop("create_date", None),
        power_state=times.pop("power_state", "poweredOn"),
    )
    return desktop, machine(
        desktop,
        pool_id,
        create_time=times.pop("create_time", None),
        last_maintenance_time=times.pop("last_maintenance_time", None),
    )


def uptime_snapshot(*pairs: tuple[VirtualMachine, Machine], missing_in: str = "pool-1") -> Snapshot:
    """An instant-clone pool-1 and a dedicated full-clone pool-full, with the given desktops
    and a machine ``unknown-no-vm`` of pool ``missing_in`` whose VM was not found."""
    full_clones = pool("pool-full", source="VIRTUAL_CENTER", user_assignment="DEDICATED")
    return fleet_snapshot(
        [v for v, _ in pairs],
        [*(m for _, m in pairs), machine(None, missing_in, name="unknown-no-vm")],
        [pool(), full_clones],
    )


@covers("vm_uptime_long")
def test_vm_uptime_long() -> None:
    snap = uptime_snapshot(
        uptime_desktop("pass-created-1-day-ago", boot_time=ago(days=1), create_time=ago(days=1)),
        uptime_desktop("pass-exactly-35-days", boot_time=ago(days=35), create_time=ago(days=35)),
        uptime_desktop(
            "pass-refreshed-yesterday",
            boot_time=ago(days=90),
            create_time=ago(days=90),
            last_maintenance_time=ago(days=1),
        ),
        uptime_desktop(
            "fail-refreshed-40-days-ago",
            boot_time=ago(days=50),
            create_time=ago(days=60),
            last_maintenance_time=ago(days=40),
        ),
        uptime_desktop("fail-exactly-60-days", boot_time=ago(days=60)),
        uptime_desktop("fail-powered-on-61-days-ago", boot_time=ago(days=61)),
        uptime_desktop("fail-vm-created-70-days-ago", create_date=ago(days=70)),
        uptime_desktop("na-powered-off", power_state="poweredOff", create_time=ago(days=90)),
        uptime_desktop("na-persistent", "pool-full", boot_time=ago(days=90)),
        uptime_desktop("unknown-no-times"),
    )
    assert outcomes(snap, "vm_uptime_long") == {
        "pass": {"pass-created-1-day-ago", "pass-exactly-35-days", "pass-refreshed-yesterday"},
        "fail": {
            "fail-refreshed-40-days-ago",
            "fail-exactly-60-days",
            "fail-powered-on-61-days-ago",
            "fail-vm-created-70-days-ago",
        },
        "unknown": {"unknown-no-times", "unknown-no-vm"},
        "n/a": {"na-powered-off", "na-persistent"},
    }
    assert severities(snap, "vm_uptime_long") == {
        "fail-refreshed-40-days-ago": "warning",
        "fail-exactly-60-days": "warning",
        "fail-powered-on-61-days-ago": "critical",
        "fail-vm-created-70-days-ago": "critical",
    }
    assert_messages_name(
        messages(snap, "vm_uptime_long"),
        {
            "fail-refreshed-40-days-ago": ["refreshed by Horizon", "40 days", "35 days"],
            "fail-powered-on-61-days-ago": ["powered on", "61 days", "60 days"],
            "fail-vm-created-70-days-ago": ["created in vCenter", "70 days"],
        },
    )
    assert "vm_power_cycle_old" in judged(snap, "vm_uptime_long")["na-persistent"].message


@covers("vm_power_cycle_old")
def test_vm_power_cycle_old() -> None:
    def full_clone(name: str, **times: Any) -> tuple[VirtualMachine, Machine]:
        return uptime_desktop(name, "pool-full", **times)

    pairs = [
        full_clone("pass-up-1-day", boot_time=ago(days=1)),
        full_clone("pass-up-exactly-60-days", boot_time=ago(days=60)),
        full_clone("fail-up-61-days", boot_time=ago(days=61), create_time=ago(days=1)),
        full_clone("fail-up-exactly-90-days", boot_time=ago(days=90)),
        full_clone("fail-up-91-days", boot_time=ago(days=91)),
        full_clone("na-powered-off", power_state="poweredOff"),
        full_clone("na-suspended", power_state="suspended", boot_time=ago(days=100)),
        full_clone("unknown-no-boot-time"),
        uptime_desktop("na-instant-clone", boot_time=ago(days=100)),
    ]
    snap = uptime_snapshot(*pairs, missing_in="pool-full")
    assert outcomes(snap, "vm_power_cycle_old") == {
        "pass": {"pass-up-1-day", "pass-up-exactly-60-days"},
        "fail": {"fail-up-61-days", "fail-up-exactly-90-days", "fail-up-91-days"},
        "unknown": {"unknown-no-boot-time", "unknown-no-vm"},
        "n/a": {"na-powered-off", "na-suspended", "na-instant-clone"},
    }
    assert severities(snap, "vm_power_cycle_old") == {
        "fail-up-61-days": "info",
        "fail-up-exactly-90-days": "info",
        "fail-up-91-days": "warning",
    }
    assert_messages_name(
        messages(snap, "vm_power_cycle_old"),
        {
            "fail-up-61-days": ["power-cycled", "61 days", "60 days"],
            "fail-up-91-days": ["power-cycled", "91 days", "90 days"],
        },
    )
    assert "vm_uptime_long" in judged(snap, "vm_power_cycle_old")["na-instant-clone"].message
    # A VM without Horizon data is judged on what vCenter shows: its power-cycle age.
    vcenter_only = fleet_snapshot([vm("fail-vcenter-only", boot_time=ago(days=95))])
    assert outcomes(vcenter_only, "vm_power_cycle_old") == {"fail": {"fail-vcenter-only"}}
    assert outcomes(vcenter_only, "vm_uptime_long") == {"n/a": {"fail-vcenter-only"}}


@covers("host_build_behind")
def test_host_build_behind() -> None:
    snap = fleet_snapshot(
        hosts=[
            host("pass-newest-of-c1", cluster="C1", version="8.0.3", build="24022510"),
            host("fail-behind-c1", cluster="C1", version="8.0.3", build="23305546"),
            host("fail-8.0.2-in-c1", cluster="C1", version="8.0.2", build="24585300"),
            host("fail-7.0-in-c1-no-build", cluster="C1", version="7.0.3", build=None),
            host("pass-c2-not-compared-with-c1", cluster="C2", version="8.0.3", build="23305546"),
            host(
                "pass-other-dc-same-cluster-name",
                datacenter="DC2",
                cluster="C1",
                version="7.0.3",
                build="21424296",
            ),
            host("na-standalone", cluster=None, version="8.0.3", build="1"),
            host("unknown-no-build", cluster="C1", version="8.0.3", build=None),
            host("unknown-no-version", cluster="C1", version=None, build="24022510"),
        ]
    )
    assert outcomes(snap, "host_build_behind") == {
        "pass": {
            "pass-newest-of-c1",
            "pass-c2-not-compared-with-c1",
            "pass-other-dc-same-cluster-name",
        },
        "fail": {"fail-behind-c1", "fail-8.0.2-in-c1", "fail-7.0-in-c1-no-build"},
        "unknown": {"unknown-no-build", "unknown-no-version"},
        "n/a": {"na-standalone"},
    }
    assert severities(snap, "host_build_behind") == {
        "fail-behind-c1": "warning",
        "fail-8.0.2-in-c1": "warning",
        "fail-7.0-in-c1-no-build": "warning",
    }
    newest = ["8.0.3", "24022510", "pass-newest-of-c1", "C1"]
    assert_messages_name(
        messages(snap, "host_build_behind"),
        {
            "fail-behind-c1": ["23305546", *newest],
            "fail-8.0.2-in-c1": ["8.0.2", "24585300", *newest],
            "fail-7.0-in-c1-no-build": ["7.0.3", *newest],
        },
    )


@covers("pool_image_old")
def test_pool_image_old() -> None:
    snap = fleet_snapshot(
        pools=[
            pool("pass-image-10-days", golden_image_created=ago(days=10)),
            pool("pass-image-exactly-35-days", golden_image_created=ago(days=35)),
            pool("fail-image-40-days", golden_image_created=ago(days=40)),
            pool("fail-image-61-days", golden_image_created=ago(days=61)),
            pool("na-no-image", base_snapshot_id=None, base_snapshot_path=None),
            pool("unknown-image-not-found", golden_image_created=None),
        ]
    )
    assert outcomes(snap, "pool_image_old") == {
        "pass": {"pass-image-10-days", "pass-image-exactly-35-days"},
        "fail": {"fail-image-40-days", "fail-image-61-days"},
        "unknown": {"unknown-image-not-found"},
        "n/a": {"na-no-image"},
    }
    assert severities(snap, "pool_image_old") == {
        "fail-image-40-days": "warning",
        "fail-image-61-days": "critical",
    }
    assert_messages_name(
        messages(snap, "pool_image_old"),
        {
            "fail-image-40-days": ["/2026-11-patch", "40 days", "35 days"],
            "fail-image-61-days": ["61 days", "60 days"],
        },
    )


@covers("machine_image_drift")
def test_machine_image_drift() -> None:
    on_image, old, pending, unreported = (
        vm("pass-on-image"),
        vm("fail-old-image"),
        vm("fail-push-pending"),
        vm("unknown-image-not-reported"),
    )
    no_image, no_pool = vm("na-pool-without-image"), vm("na-no-pool")
    snap = fleet_snapshot(
        [on_image, old, pending, unreported, no_image, no_pool],
        [
            machine(on_image),
            machine(old, base_snapshot_id="snapshot-800"),
            machine(
                pending, base_snapshot_id="snapshot-800", pending_base_snapshot_id=IMAGE_SNAPSHOT
            ),
            machine(unreported, base_snapshot_id=None),
            machine(no_image, "manual", base_snapshot_id=None),
            machine(no_pool, None),
        ],
        [pool(), pool("manual", base_snapshot_id=None, base_snapshot_path=None)],
    )
    assert outcomes(snap, "machine_image_drift") == {
        "pass": {"pass-on-image"},
        "fail": {"fail-old-image", "fail-push-pending"},
        "unknown": {"unknown-image-not-reported"},
        "n/a": {"na-pool-without-image", "na-no-pool"},
    }
    assert severities(snap, "machine_image_drift") == {
        "fail-old-image": "warning",
        "fail-push-pending": "warning",
    }
    assert_messages_name(
        messages(snap, "machine_image_drift"),
        {
            "fail-old-image": ["snapshot-800", "/2026-11-patch"],
            "fail-push-pending": ["snapshot-800", "pending"],
        },
    )


@covers("pool_image_push_failed")
def test_pool_image_push_failed() -> None:
    snap = fleet_snapshot(
        pools=[
            pool("pass-no-error"),
            pool("pass-push-publishing", pending_image_state="PUBLISHING"),
            pool(
                "fail-push-failed",
                pending_image_state="FAILED",
                pending_image_error="customization timed out",
            ),
            pool(
                "fail-error-2-days-ago",
                last_provisioning_error="no free IP addresses",
                last_provisioning_error_time=ago(days=2),
            ),
            pool(
                "fail-error-exactly-7-days-ago",
                last_provisioning_error="no free IP addresses",
                last_provisioning_error_time=ago(days=7),
            ),
            pool(
                "pass-error-10-days-ago",
                last_provisioning_error="no free IP addresses",
                last_provisioning_error_time=ago(days=10),
            ),
            pool("na-inferred", pod="inferred", kind="inferred"),
        ]
    )
    assert outcomes(snap, "pool_image_push_failed") == {
        "pass": {"pass-no-error", "pass-push-publishing", "pass-error-10-days-ago"},
        "fail": {"fail-push-failed", "fail-error-2-days-ago", "fail-error-exactly-7-days-ago"},
        "n/a": {"na-inferred"},
    }
    assert severities(snap, "pool_image_push_failed") == {
        "fail-push-failed": "critical",
        "fail-error-2-days-ago": "warning",
        "fail-error-exactly-7-days-ago": "warning",
    }
    assert_messages_name(
        messages(snap, "pool_image_push_failed"),
        {
            "fail-push-failed": ["FAILED", "customization timed out"],
            "fail-error-2-days-ago": ["2 days", "7 days", "no free IP addresses"],
        },
    )


def test_pool_image_push_failed_with_an_undated_error_is_unknown() -> None:
    snap = fleet_snapshot(
        pools=[pool("unknown-undated-error", last_provisioning_error="no free IP addresses")]
    )
    assert outcomes(snap, "pool_image_push_failed") == {"unknown": {"unknown-undated-error"}}


@covers("machine_agent_outdated")
def test_machine_agent_outdated() -> None:
    newest, older, older_build, unreported, other_pod = (
        vm("pass-newest-2512.10.0"),
        vm("fail-2512.9.0"),
        vm("fail-older-build"),
        vm("unknown-not-reported"),
        vm("pass-only-agent-of-its-pod"),
    )
    snap = fleet_snapshot(
        [newest, older, older_build, unreported, other_pod],
        [
            machine(newest, agent_version="2512.10.0", agent_build="100"),
            machine(older, agent_version="2512.9.0", agent_build="900"),
            machine(older_build, agent_version="2512.10.0", agent_build="50"),
            machine(unreported, agent_version=None),
            machine(other_pod, None, pod="hzcs02.example.test", agent_version="2406.0.0"),
            inferred_machine("na-inferred"),
        ],
    )
    assert outcomes(snap, "machine_agent_outdated") == {
        "pass": {"pass-newest-2512.10.0", "pass-only-agent-of-its-pod"},
        "fail": {"fail-2512.9.0", "fail-older-build"},
        "unknown": {"unknown-not-reported"},
        "n/a": {"na-inferred"},
    }
    assert severities(snap, "machine_agent_outdated") == {
        "fail-2512.9.0": "warning",
        "fail-older-build": "warning",
    }
    assert_messages_name(
        messages(snap, "machine_agent_outdated"), {"fail-2512.9.0": ["2512.9.0", "2512.10.0"]}
    )


def test_machine_agent_outdated_compares_versions_of_different_lengths() -> None:
    short, longer = vm("fail-2512.10"), vm("pass-2512.10.1")
    snap = fleet_snapshot(
        [short, longer],
        [
            machine(short, agent_version="2512.10", agent_build="999"),
            machine(longer, agent_version="2512.10.1", agent_build="1"),
        ],
    )
    assert outcomes(snap, "machine_agent_outdated") == {
        "pass": {"pass-2512.10.1"},
        "fail": {"fail-2512.10"},
    }


def test_machine_agent_outdated_by_build_names_the_builds() -> None:
    newest, older_build = vm("pass-build-100"), vm("fail-build-50")
    snap = fleet_snapshot(
        [newest, older_build],
        [
            machine(newest, agent_version="2512.10.0", agent_build="100"),
            machine(older_build, agent_version="2512.10.0", agent_build="50"),
        ],
    )
    assert_messages_name(messages(snap, "machine_agent_outdated"), {"fail-build-50": ["50", "100"]})


def guest(
    name: str, configured: str | None, running: str | None, **overrides: Any
) -> VirtualMachine:
    """A desktop VM configured as one guest OS id and running another (None: not reported)."""
    values: dict[str, Any] = {"guest_os_configured": None, "guest_os_running": None}
    values.update(overrides)
    return vm(name, guest_id=configured, guest_id_running=running, **values)


@covers("vm_guest_os_mismatch")
def test_vm_guest_os_mismatch() -> None:
    snap = with_missing_vm(
        guest("pass-same", "windows11_64Guest", "windows11_64Guest"),
        guest(
            "pass-centos-6-on-centos-range",
            "centos64Guest",
            "centos6_64Guest",
            guest_os_configured="CentOS 4/5/6/7 (64-bit)",
            guest_os_running="CentOS 6 (64-bit)",
        ),
        guest(
            "pass-photon-on-other-3x-linux",
            "other3xLinux64Guest",
            "vmwarePhoton64Guest",
            guest_os_configured="Other 3.x or later Linux (64-bit)",
            guest_os_running="VMware Photon OS (64-bit)",
        ),
        guest(
            "pass-other-3x-names-differ",
            "other3xLinux64Guest",
            "other3xLinux64Guest",
            guest_os_configured="Other 3.x or later Linux (64-bit)",
            guest_os_running="Other 3.x Linux (64-bit)",
        ),
        guest("pass-windows-older-than-type", "windows11_64Guest", "windows9_64Guest"),
        guest(
            "fail-windows-10-to-11",
            "windows9_64Guest",
            "windows11_64Guest",
            guest_os_configured="Microsoft Windows 10 (64-bit)",
            guest_os_running="Microsoft Windows 11 (64-bit)",
        ),
        guest("fail-server-2016-to-2022", "windows9Server64Guest", "windows2019srvNext_64Guest"),
        guest("fail-client-to-server", "windows9_64Guest", "windows9Server64Guest"),
        guest("fail-linux-to-windows", "otherLinux64Guest", "windows9_64Guest"),
        guest("fail-32-bit-configured", "windows9Guest", "windows9_64Guest"),
        guest("fail-64-bit-configured", "ubuntu64Guest", "ubuntuGuest"),
        guest("unknown-running-id-unknown", "windows11_64Guest", "plan9Guest"),
        guest("unknown-configured-id-unknown", "madeUpGuest", "windows11_64Guest"),
        guest("unknown-no-configured-id", None, "windows11_64Guest"),
        guest("unknown-hyper-v-names-no-release", "windowsHyperVGuest", "windows2019srv_64Guest"),
        guest("unknown-on-but-not-reported", "windows11_64Guest", None),
        guest("na-powered-off", "windows11_64Guest", None, power_state="poweredOff"),
        guest("na-suspended", "windows11_64Guest", None, power_state="suspended"),
    )
    failing = {
        "fail-windows-10-to-11",
        "fail-server-2016-to-2022",
        "fail-client-to-server",
        "fail-linux-to-windows",
        "fail-32-bit-configured",
        "fail-64-bit-configured",
    }
    assert outcomes(snap, "vm_guest_os_mismatch") == {
        "pass": {
            "pass-same",
            "pass-centos-6-on-centos-range",
            "pass-photon-on-other-3x-linux",
            "pass-other-3x-names-differ",
            "pass-windows-older-than-type",
        },
        "fail": failing,
        "unknown": {
            "unknown-running-id-unknown",
            "unknown-configured-id-unknown",
            "unknown-no-configured-id",
            "unknown-hyper-v-names-no-release",
            "unknown-on-but-not-reported",
            "unknown-no-vm",
        },
        "n/a": {"na-powered-off", "na-suspended"},
    }
    assert severities(snap, "vm_guest_os_mismatch") == dict.fromkeys(failing, "warning")
    assert_messages_name(
        messages(snap, "vm_guest_os_mismatch"),
        {
            "fail-windows-10-to-11": [
                "windows9_64Guest (Microsoft Windows 10 (64-bit))",
                "windows11_64Guest (Microsoft Windows 11 (64-bit))",
                "Windows 11 is newer than the configured type's Windows 10",
            ],
            "fail-server-2016-to-2022": ["Windows Server 2022", "Windows Server 2016"],
            "fail-client-to-server": ["another OS family", "Windows Server", "Windows client"],
            "fail-linux-to-windows": ["another OS family", "otherLinux64Guest", "Linux"],
            "fail-32-bit-configured": ["64-bit running on a 32-bit", "windows9Guest"],
            "fail-64-bit-configured": ["32-bit running on a 64-bit", "ubuntu64Guest"],
        },
    )
    said = judged(snap, "vm_guest_os_mismatch")
    assert_messages_name(
        {name: said[name].message for name in ("pass-photon-on-other-3x-linux",)},
        {"pass-photon-on-other-3x-linux": ["other3xLinux64Guest", "vmwarePhoton64Guest"]},
    )
    assert "CentOS 4/5/6/7 (64-bit)" in said["pass-centos-6-on-centos-range"].message
    assert "'plan9Guest'" in said["unknown-running-id-unknown"].message
    assert "windowsHyperVGuest" in said["unknown-hyper-v-names-no-release"].message


# ---------------------------------------------------------------------------------- power

MACHINE_CRITICAL_STATES = [
    "AGENT_UNREACHABLE",
    "ERROR",
    "PROVISIONING_ERROR",
    "AGENT_ERROR_DISABLED",
    "AGENT_ERROR_INVALID_IP",
    "AGENT_ERROR_NEEDS_REBOOT",
    "AGENT_ERROR_PROTOCOL_FAILURE",
    "AGENT_ERROR_DOMAIN_FAILURE",
    "AGENT_CONFIG_ERROR",
    "ALREADY_USED",
    "BLOCKED_AGENT_VERSION",
    "UNKNOWN",
    "UNASSIGNED_USER_CONNECTED",
    "UNASSIGNED_USER_DISCONNECTED",
]
RDS_CRITICAL_STATES = [
    "AGENT_ERR_NEED_REBOOT",
    "AGENT_ERR_DISABLED",
    "AGENT_ERR_DOMAIN_FAILURE",
    "AGENT_ERR_INVALID_IP",
    "AGENT_ERR_PROTOCOL_FAILURE",
    "ALREADY_USED",
]
WARNING_STATES = [
    "AGENT_DRAIN_MODE",
    "AGENT_DRAIN_UNTIL_RESTART",
    "DISABLED",
    "DISABLE_IN_PROGRESS",
]
IN_PROGRESS_STATES = [
    "PROVISIONING",
    "CUSTOMIZING",
    "VALIDATING",
    "DELETING",
    "MAINTENANCE",
    "IN_PROGRESS",
    "WAITING_FOR_AGENT",
    "AGENT_ERROR_STARTUP_IN_PROGRESS",
    "AGENT_ERROR_WAIT_FOR_HYBRID_JOIN",
]
RDS_IN_PROGRESS_STATES = ["WAIT_FOR_AGENT", "AGENT_ERR_STARTUP_IN_PROGRESS"]
HEALTHY_STATES = ["AVAILABLE", "CONNECTED", "DISCONNECTED", "PROVISIONED"]


@covers("machine_problem_state")
def test_machine_problem_state() -> None:
    def rds(name: str, state: str) -> Machine:
        return machine(None, name=name, state=state, kind="rds_server")

    machines = [
        *(machine(None, name=f"fail-{state}", state=state) for state in MACHINE_CRITICAL_STATES),
        *(rds(f"fail-rds-{state}", state) for state in RDS_CRITICAL_STATES),
        *(machine(None, name=f"fail-{state}", state=state) for state in WARNING_STATES),
        *(machine(None, name=f"pass-{state}", state=state) for state in HEALTHY_STATES),
        *(
            machine(None, name=f"pass-{state}", state=state, create_time=ago(hours=1))
            for state in IN_PROGRESS_STATES
        ),
        *(rds(f"pass-rds-{state}", state) for state in RDS_IN_PROGRESS_STATES),
        machine(None, name="unknown-FUTURE_STATE_X", state="FUTURE_STATE_X"),
        machine(None, name="unknown-no-state", state=None),
        inferred_machine("na-inferred"),
    ]
    snap = fleet_snapshot(machines=machines)
    critical = [f"fail-{s}" for s in MACHINE_CRITICAL_STATES]
    critical += [f"fail-rds-{s}" for s in RDS_CRITICAL_STATES]
    in_progress = [f"pass-{s}" for s in IN_PROGRESS_STATES]
    in_progress += [f"pass-rds-{s}" for s in RDS_IN_PROGRESS_STATES]
    assert outcomes(snap, "machine_problem_state") == {
        "pass": {f"pass-{state}" for state in HEALTHY_STATES} | set(in_progress),
        "fail": set(critical) | {f"fail-{state}" for state in WARNING_STATES},
        "unknown": {"unknown-FUTURE_STATE_X", "unknown-no-state"},
        "n/a": {"na-inferred"},
    }
    assert severities(snap, "machine_problem_state") == {
        **{name: "critical" for name in critical},
        **{f"fail-{state}": "warning" for state in WARNING_STATES},
    }
    assert_messages_name(
        messages(snap, "machine_problem_state"),
        {
            **{f"fail-{s}": [s] for s in MACHINE_CRITICAL_STATES + WARNING_STATES},
            **{f"fail-rds-{s}": ["RDS host", s] for s in RDS_CRITICAL_STATES},
        },
    )
    said = judged(snap, "machine_problem_state")
    assert all(said[name].message.startswith("in progress:") for name in in_progress)
    assert "FUTURE_STATE_X" in said["unknown-FUTURE_STATE_X"].message


def power_policy_fleet() -> Snapshot:
    """Pools of every power policy, with desktops that agree with it or not."""
    on = {"power_state": "poweredOn"}
    layout: dict[str, list[tuple[VirtualMachine, bool]]] = {
        # pool id: its desktops, each with or without a session
        "always-on": [
            (vm("pass-always-on-running", **on), False),
            (vm("fail-always-on-powered-off", power_state="poweredOff"), False),
            (vm("fail-always-on-suspended", power_state="suspended"), False),
            (vm("unknown-no-power-state", power_state=None), False),
        ],
        "power-off": [
            (vm("pass-off-with-session", boot_time=ago(days=2)), True),
            (vm("pass-off-booted-30-minutes-ago", boot_time=ago(minutes=30)), False),
            (vm("pass-off-powered-off", power_state="poweredOff"), False),
            (vm("fail-off-idle-3-hours", boot_time=ago(hours=3)), False),
        ],
        "suspend": [
            (vm("pass-suspend-suspended", power_state="suspended"), False),
            (vm("fail-suspend-idle", boot_time=ago(days=1)), False),
        ],
        "no-action": [(vm("pass-no-action-idle", boot_time=ago(days=3)), False)],
        "two-spares": [
            (vm("pass-spare-1", boot_time=ago(days=1)), False),
            (vm("pass-spare-2", boot_time=ago(days=1)), False),
        ],
        "one-spare": [
            (vm("fail-beyond-spares-1", boot_time=ago(days=1)), False),
            (vm("fail-beyond-spares-2", boot_time=ago(days=1)), False),
        ],
        "no-policy": [(vm("unknown-no-policy"), False)],
    }
    full_clone = {"source": "VIRTUAL_CENTER"}
    pools = [
        pool("always-on", power_policy="ALWAYS_POWERED_ON", **full_clone),
        pool("power-off", power_policy="POWER_OFF", **full_clone),
        pool("suspend", power_policy="SUSPEND", **full_clone),
        pool("no-action", power_policy="TAKE_NO_POWER_ACTION", **full_clone),
        pool("two-spares", power_policy="POWER_OFF", spare_machines=2, **full_clone),
        pool("one-spare", power_policy="POWER_OFF", spare_machines=1, **full_clone),
        pool("no-policy", power_policy=None, **full_clone),
        pool("inferred-pool", pod="inferred", kind="inferred"),
    ]
    vms, machines, sessions = [], [], []
    for pool_id, members in layout.items():
        for desktop_vm, busy in members:
            vms.append(desktop_vm)
            machines.append(machine(desktop_vm, pool_id))
            if busy:
                sessions.append(session(machines[-1]))
    machines.append(machine(None, "always-on", name="unknown-no-vm"))
    inferred_vm = vm("na-inferred-pool", boot_time=ago(days=1))
    vms.append(inferred_vm)
    machines.append(
        machine(inferred_vm, "inferred-pool", pod="inferred", kind="inferred", join="inferred")
    )
    return fleet_snapshot(vms, machines, pools, sessions)


@covers("vm_power_policy_mismatch")
def test_vm_power_policy_mismatch() -> None:
    snap = power_policy_fleet()
    assert outcomes(snap, "vm_power_policy_mismatch") == {
        "pass": {
            "pass-always-on-running",
            "pass-off-with-session",
            "pass-off-booted-30-minutes-ago",
            "pass-off-powered-off",
            "pass-suspend-suspended",
            "pass-no-action-idle",
            "pass-spare-1",
            "pass-spare-2",
        },
        "fail": {
            "fail-always-on-powered-off",
            "fail-always-on-suspended",
            "fail-off-idle-3-hours",
            "fail-suspend-idle",
            "fail-beyond-spares-1",
            "fail-beyond-spares-2",
        },
        "unknown": {"unknown-no-power-state", "unknown-no-policy", "unknown-no-vm"},
        "n/a": {"na-inferred-pool"},
    }
    assert set(severities(snap, "vm_power_policy_mismatch").values()) == {"warning"}
    assert_messages_name(
        messages(snap, "vm_power_policy_mismatch"),
        {
            "fail-always-on-powered-off": ["poweredOff", "ALWAYS_POWERED_ON"],
            "fail-always-on-suspended": ["suspended", "ALWAYS_POWERED_ON"],
            "fail-off-idle-3-hours": ["POWER_OFF", "1 hour"],
            "fail-suspend-idle": ["SUSPEND", "1 hour"],
            "fail-beyond-spares-1": ["2 such desktops", "1 spare"],
        },
    )
    # Without the spare allowance, the spares of a power-saving pool fail too.
    no_spares = configured("[checks.vm_power_policy_mismatch]\nallow_spare_machines = false\n")
    assert {"pass-spare-1", "pass-spare-2"} <= outcomes(
        snap, "vm_power_policy_mismatch", no_spares
    )["fail"]
    # The grace period is a threshold: at 20 minutes the desktop booted 30 minutes ago fails.
    short_grace = configured("[checks.vm_power_policy_mismatch]\ngrace_minutes = 20\n")
    assert (
        "pass-off-booted-30-minutes-ago"
        in (outcomes(snap, "vm_power_policy_mismatch", short_grace)["fail"])
    )


def test_vm_power_policy_mismatch_without_a_boot_time_is_unknown() -> None:
    desktop = vm("unknown-no-boot-time", boot_time=None)
    snap = fleet_snapshot(
        [desktop],
        [machine(desktop)],
        [pool(power_policy="POWER_OFF", source="VIRTUAL_CENTER")],
        sessions=[],
    )
    assert outcomes(snap, "vm_power_policy_mismatch") == {"unknown": {"unknown-no-boot-time"}}


@covers("vm_orphaned")
def test_vm_orphaned() -> None:
    bad = ["orphaned", "inaccessible", "invalid"]
    snap = with_missing_vm(
        vm("pass-connected", connection_state="connected"),
        *(vm(f"fail-{state}", connection_state=state) for state in bad),
        vm("fail-config-unset", connection_state="connected", config_unset=True),
        vm("unknown-not-reported", connection_state=None),
        vm("unknown-vm-disconnected-host-unknown", connection_state="disconnected", host="gone"),
    )
    failing = {f"fail-{state}" for state in bad} | {"fail-config-unset"}
    assert outcomes(snap, "vm_orphaned") == {
        "pass": {"pass-connected"},
        "fail": failing,
        "unknown": {
            "unknown-not-reported",
            "unknown-no-vm",
            "unknown-vm-disconnected-host-unknown",
        },
    }
    assert severities(snap, "vm_orphaned") == {name: "critical" for name in failing}
    found = messages(snap, "vm_orphaned")
    assert_messages_name(found, {f"fail-{state}": ["inaccessible", state] for state in bad})
    assert_messages_name(found, {"fail-config-unset": ["inaccessible", "no configuration"]})
    assert not [m for m in found.values() if "deleted" in m]
    said = judged(snap, "vm_orphaned")
    assert "gone" in said["unknown-vm-disconnected-host-unknown"].message


def test_vm_orphaned_on_an_inaccessible_datastore_is_the_datastores_finding() -> None:
    dead = datastore("nfs-dead", "datastore-9", accessible=False)
    alive = datastore("vmfs-ok", "datastore-8", accessible=True)
    snap = fleet_snapshot(
        [
            vm("na-on-dead-store", connection_state="inaccessible", datastores=["datastore-9"]),
            vm("fail-on-live-store", connection_state="inaccessible", datastores=["datastore-8"]),
            vm("pass-on-dead-store", connection_state="connected", datastores=["datastore-9"]),
        ],
        datastores=[dead, alive],
    )
    assert outcomes(snap, "vm_orphaned") == {
        "n/a": {"na-on-dead-store"},
        "fail": {"fail-on-live-store"},
        "pass": {"pass-on-dead-store"},
    }
    assert "nfs-dead" in judged(snap, "vm_orphaned")["na-on-dead-store"].message
    assert outcomes(snap, "datastore_inaccessible")["fail"] == {"nfs-dead"}


@covers("machine_missing_in_vcenter")
def test_machine_missing_in_vcenter() -> None:
    found, flagged = vm("pass-found"), vm("fail-horizon-says-missing")
    snap = fleet_snapshot(
        [found, flagged],
        [
            machine(found),
            machine(flagged, missing_in_vcenter=True),
            machine(None, name="fail-not-in-its-collected-vcenter", vm_moid="vm-404"),
            machine(None, name="unknown-vcenter-unknown-to-horizon", vcenter_id="hz-vc-2"),
            machine(None, name="unknown-vcenter-not-collected", vcenter_id="hz-vc-3"),
            machine(None, name="na-unmanaged", vcenter_id=None),
            inferred_machine("na-inferred"),
        ],
    )
    # Horizon's hz-vc-1 is the collected vCenter; hz-vc-3 is one this snapshot did not collect.
    assert [(v.id, v.instance_uuid) for v in snap.horizon_vcenters] == [(HZ_VCENTER_ID, VC_UUID)]
    uncollected = HorizonVCenter(
        pod=POD,
        id="hz-vc-3",
        name="vc2.example.test",
        instance_uuid="99999999-0000-0000-0000-000000000000",
        version=None,
        build=None,
        enabled=True,
        status="OK",
    )
    snap = replace(snap, horizon_vcenters=[*snap.horizon_vcenters, uncollected])
    assert outcomes(snap, "machine_missing_in_vcenter") == {
        "pass": {"pass-found"},
        "fail": {"fail-horizon-says-missing", "fail-not-in-its-collected-vcenter"},
        "unknown": {"unknown-vcenter-unknown-to-horizon", "unknown-vcenter-not-collected"},
        "n/a": {"na-unmanaged", "na-inferred"},
    }
    assert severities(snap, "machine_missing_in_vcenter") == {
        "fail-horizon-says-missing": "critical",
        "fail-not-in-its-collected-vcenter": "critical",
    }
    assert_messages_name(
        messages(snap, "machine_missing_in_vcenter"),
        {"fail-not-in-its-collected-vcenter": ["vm-404"]},
    )


@covers("vm_suspended")
def test_vm_suspended() -> None:
    suspended_by_policy = vm("pass-suspended-by-policy", power_state="suspended")
    base = with_missing_vm(
        vm("pass-powered-on", power_state="poweredOn"),
        vm("pass-powered-off", power_state="poweredOff"),
        vm("fail-suspended", power_state="suspended"),
        vm("unknown-no-power-state", power_state=None),
    )
    suspend_pool = pool("suspend-pool", power_policy="SUSPEND", source="VIRTUAL_CENTER")
    snap = replace(
        base,
        vms=[*base.vms, suspended_by_policy],
        machines=[*base.machines, machine(suspended_by_policy, "suspend-pool")],
        pools=[*base.pools, suspend_pool],
    )
    assert outcomes(snap, "vm_suspended") == {
        "pass": {"pass-powered-on", "pass-powered-off", "pass-suspended-by-policy"},
        "fail": {"fail-suspended"},
        "unknown": {"unknown-no-power-state", "unknown-no-vm"},
    }
    assert severities(snap, "vm_suspended") == {"fail-suspended": "warning"}
    assert_messages_name(messages(snap, "vm_suspended"), {"fail-suspended": ["suspended"]})


@covers("vm_idle_powered_on")
def test_vm_idle_powered_on() -> None:
    busy, idle, off, suspended, unreported, poolless = (
        vm("pass-with-session"),
        vm("fail-idle"),
        vm("pass-powered-off", power_state="poweredOff"),
        vm("pass-suspended", power_state="suspended"),
        vm("unknown-no-power-state", power_state=None),
        vm("na-no-pool"),
    )
    machines = [machine(v) for v in (busy, idle, off, suspended, unreported)]
    snap = fleet_snapshot(
        [busy, idle, off, suspended, unreported, poolless],
        [*machines, machine(poolless, None), machine(None, name="unknown-no-vm")],
        sessions=[session(machines[0])],
    )
    assert outcomes(snap, "vm_idle_powered_on") == {
        "pass": {"pass-with-session", "pass-powered-off", "pass-suspended"},
        "fail": {"fail-idle"},
        "unknown": {"unknown-no-power-state", "unknown-no-vm"},
        "n/a": {"na-no-pool"},
    }
    assert severities(snap, "vm_idle_powered_on") == {"fail-idle": "info"}
    assert_messages_name(messages(snap, "vm_idle_powered_on"), {"fail-idle": ["no session"]})


def test_vm_idle_powered_on_does_not_apply_to_inferred_pools() -> None:
    desktop = vm("na-inferred-pool")
    snap = fleet_snapshot(
        [desktop],
        [machine(desktop, "inferred-pool", pod="inferred", kind="inferred", join="inferred")],
        [pool("inferred-pool", pod="inferred", kind="inferred")],
    )
    assert outcomes(snap, "vm_idle_powered_on") == {"n/a": {"na-inferred-pool"}}


@covers("session_disconnected_long")
def test_session_disconnected_long() -> None:
    def disconnected(on: Machine, hours: float | None, user: str = "EXAMPLE\\user") -> Session:
        when = ago(hours=hours) if hours is not None else None
        return session(on, state="DISCONNECTED", disconnected_time=when, user_name=user)

    names = [
        "pass-no-session",
        "pass-connected",
        "pass-disconnected-7-hours",
        "pass-disconnected-exactly-8-hours",
        "fail-disconnected-9-hours",
        "fail-two-long-sessions",
        "unknown-disconnected-undated",
    ]
    vms = [vm(name) for name in names]
    m = {name: machine(v) for name, v in zip(names, vms, strict=True)}
    sessions = [
        session(m["pass-connected"]),
        disconnected(m["pass-disconnected-7-hours"], 7),
        disconnected(m["pass-disconnected-exactly-8-hours"], 8),
        disconnected(m["fail-disconnected-9-hours"], 9, "EXAMPLE\\alice"),
        disconnected(m["fail-two-long-sessions"], 9, "EXAMPLE\\bob"),
        disconnected(m["fail-two-long-sessions"], 30, "EXAMPLE\\carol"),
        disconnected(m["unknown-disconnected-undated"], None),
    ]
    snap = fleet_snapshot(vms, [*m.values(), inferred_machine("na-inferred")], sessions=sessions)
    assert outcomes(snap, "session_disconnected_long") == {
        "pass": {
            "pass-no-session",
            "pass-connected",
            "pass-disconnected-7-hours",
            "pass-disconnected-exactly-8-hours",
        },
        "fail": {"fail-disconnected-9-hours", "fail-two-long-sessions"},
        "unknown": {"unknown-disconnected-undated"},
        "n/a": {"na-inferred"},
    }
    assert severities(snap, "session_disconnected_long") == {
        "fail-disconnected-9-hours": "warning",
        "fail-two-long-sessions": "warning",
    }
    assert_messages_name(
        messages(snap, "session_disconnected_long"),
        {
            "fail-disconnected-9-hours": ["9 hours", "8 hours", "alice"],
            "fail-two-long-sessions": ["2 sessions", "30 hours", "carol", "8 hours"],
        },
    )


HORIZON_DESKTOP_CHECKS = [
    "machine_image_drift",
    "machine_agent_outdated",
    "machine_problem_state",
    "vm_power_policy_mismatch",
    "machine_missing_in_vcenter",
    "vm_idle_powered_on",
    "session_disconnected_long",
]


@pytest.mark.parametrize("check_id", HORIZON_DESKTOP_CHECKS)
def test_horizon_checks_without_horizon_data(check_id: str) -> None:
    desktop = vm("desk-1")
    vcenter_only = fleet_snapshot([desktop])
    assert outcomes(vcenter_only, check_id) == {"n/a": {"desk-1"}}
    horizon_failed = fleet_snapshot(
        [desktop], sources=[*vcenter_only.sources, failed_horizon_source()]
    )
    assert outcomes(horizon_failed, check_id) == {"unknown": {"desk-1"}}


@pytest.mark.parametrize(
    "check_id",
    ["vm_tools_outdated", "vm_tools_not_running", "vm_power_cycle_old", "vm_guest_os_mismatch"],
)
def test_an_unreported_power_state_is_missing_data(check_id: str) -> None:
    silent = vm("unknown-no-power-state", power_state=None, guest_os_running=None)
    snap = fleet_snapshot([replace(silent, guest_id_running=None)])
    assert outcomes(snap, check_id) == {"unknown": {"unknown-no-power-state"}}


# -------------------------------------------------------------------------------- hygiene


@covers("vm_snapshot_old")
def test_vm_snapshot_old() -> None:
    snap = with_missing_vm(
        vm("pass-no-snapshots", snapshots=[]),
        vm("pass-snapshot-3-days", snapshots=[disk_snapshot("before-update", 3)]),
        vm("pass-snapshot-exactly-7-days", snapshots=[disk_snapshot("before-update", 7)]),
        vm("fail-snapshot-10-days", snapshots=[disk_snapshot("before-update", 10)]),
        vm(
            "fail-oldest-20-days",
            snapshots=[disk_snapshot("old-one", 20), disk_snapshot("new-one", 1)],
        ),
        vm("unknown-undated", snapshots=[disk_snapshot("mystery", None)]),
    )
    assert outcomes(snap, "vm_snapshot_old") == {
        "pass": {"pass-no-snapshots", "pass-snapshot-3-days", "pass-snapshot-exactly-7-days"},
        "fail": {"fail-snapshot-10-days", "fail-oldest-20-days"},
        "unknown": {"unknown-undated", "unknown-no-vm"},
    }
    assert severities(snap, "vm_snapshot_old") == {
        "fail-snapshot-10-days": "warning",
        "fail-oldest-20-days": "critical",
    }
    assert_messages_name(
        messages(snap, "vm_snapshot_old"),
        {
            "fail-snapshot-10-days": ["before-update", "10 days", "7 days"],
            "fail-oldest-20-days": ["old-one", "20 days", "14 days"],
        },
    )


@covers("vm_snapshot_many")
def test_vm_snapshot_many() -> None:
    def chain(count: int) -> list[VmSnapshot]:
        return [disk_snapshot(f"s{n}", 1) for n in range(count)]

    snap = with_missing_vm(
        vm("pass-no-snapshots", snapshots=[]),
        vm("pass-two-snapshots", snapshots=chain(2)),
        vm("fail-three-snapshots", snapshots=chain(3)),
        vm("fail-five-snapshots", snapshots=chain(5)),
    )
    assert outcomes(snap, "vm_snapshot_many") == {
        "pass": {"pass-no-snapshots", "pass-two-snapshots"},
        "fail": {"fail-three-snapshots", "fail-five-snapshots"},
        "unknown": {"unknown-no-vm"},
    }
    assert severities(snap, "vm_snapshot_many") == {
        "fail-three-snapshots": "warning",
        "fail-five-snapshots": "warning",
    }
    assert_messages_name(
        messages(snap, "vm_snapshot_many"),
        {
            "fail-three-snapshots": ["3 snapshots", "3 or more"],
            "fail-five-snapshots": ["5 snapshots", "3 or more"],
        },
    )


@covers("pool_stray_vms")
def test_pool_stray_vms() -> None:
    folder = {"vm_folder_path": "/DC/vm/VDI/IC", "vcenter": VC_UUID}
    pools = [
        pool("pass-no-strays", **folder),
        pool("fail-one-stray", **folder),
        pool("fail-seven-strays", **folder),
        pool("pass-only-internal-vms", **folder),
        pool("na-no-folder", vm_folder_path=None, vm_folder_id=None),
        pool("unknown-vcenter-not-collected", vm_folder_path="/DC/vm/X", vcenter="other-vc"),
    ]
    strays = [UnmatchedVm(VC_UUID, "vm-s1", "ic-w11-099", "fail-one-stray")]
    strays += [UnmatchedVm(VC_UUID, f"vm-t{n}", f"t-{n}", "fail-seven-strays") for n in range(7)]
    internal = vm("cp-parent-7a3c91e2", folder="ClonePrepParentVmFolder")
    strays += [UnmatchedVm(VC_UUID, internal.moref, internal.name, "pass-only-internal-vms")]
    vm_list, machines = desktops(vm("w11-001"))
    snap = fleet_snapshot([*vm_list, internal], machines, pools=pools, unmatched_vms=strays)
    assert outcomes(snap, "pool_stray_vms") == {
        "pass": {"pass-no-strays", "pass-only-internal-vms"},
        "fail": {"fail-one-stray", "fail-seven-strays"},
        "n/a": {"na-no-folder"},
        "unknown": {"unknown-vcenter-not-collected"},
    }
    assert severities(snap, "pool_stray_vms") == {
        "fail-one-stray": "warning",
        "fail-seven-strays": "warning",
    }
    assert_messages_name(
        messages(snap, "pool_stray_vms"),
        {
            "fail-one-stray": ["1 VM in", "ic-w11-099"],
            "fail-seven-strays": ["7 VMs", "t-0, t-1, t-2, t-3, t-4 and 2 more"],
        },
    )


# ------------------------------------------------------------------------- infrastructure


@covers("host_not_connected")
def test_host_not_connected() -> None:
    snap = fleet_snapshot(
        hosts=[
            host("pass-connected", connection_state="connected"),
            host("fail-disconnected", connection_state="disconnected"),
            host("fail-not-responding", connection_state="notResponding"),
            host("unknown-not-reported", connection_state=None),
        ]
    )
    assert outcomes(snap, "host_not_connected") == {
        "pass": {"pass-connected"},
        "fail": {"fail-disconnected", "fail-not-responding"},
        "unknown": {"unknown-not-reported"},
    }
    assert severities(snap, "host_not_connected") == {
        "fail-disconnected": "critical",
        "fail-not-responding": "critical",
    }
    assert_messages_name(
        messages(snap, "host_not_connected"),
        {"fail-disconnected": ["disconnected"], "fail-not-responding": ["notResponding"]},
    )


@covers("host_in_maintenance")
def test_host_in_maintenance() -> None:
    snap = fleet_snapshot(
        hosts=[
            host("pass-not-in-maintenance", in_maintenance_mode=False),
            host("fail-in-maintenance", in_maintenance_mode=True),
            host("unknown-not-reported", in_maintenance_mode=None),
        ]
    )
    assert outcomes(snap, "host_in_maintenance") == {
        "pass": {"pass-not-in-maintenance"},
        "fail": {"fail-in-maintenance"},
        "unknown": {"unknown-not-reported"},
    }
    assert severities(snap, "host_in_maintenance") == {"fail-in-maintenance": "warning"}
    assert_messages_name(
        messages(snap, "host_in_maintenance"), {"fail-in-maintenance": ["maintenance mode"]}
    )


@covers("cs_certificate_expiring")
def test_cs_certificate_expiring() -> None:
    def expiring(name: str, days_left: float | None, **overrides: Any) -> ConnectionServer:
        valid_to = NOW + timedelta(days=days_left) if days_left is not None else None
        return connection_server(name, certificate_valid_to=valid_to, **overrides)

    snap = fleet_snapshot(
        connection_servers=[
            expiring("pass-a-year-left", 365),
            expiring("pass-exactly-60-days-left", 60),
            expiring("fail-45-days-left", 45),
            expiring("fail-10-days-left", 10),
            expiring("fail-expired-3-days-ago", -3),
            expiring("fail-marked-not-valid", 365, certificate_valid=False),
            expiring("fail-not-valid-no-expiry", None, certificate_valid=False),
            expiring("unknown-no-expiry", None),
        ]
    )
    assert outcomes(snap, "cs_certificate_expiring") == {
        "pass": {"pass-a-year-left", "pass-exactly-60-days-left"},
        "fail": {
            "fail-45-days-left",
            "fail-10-days-left",
            "fail-expired-3-days-ago",
            "fail-marked-not-valid",
            "fail-not-valid-no-expiry",
        },
        "unknown": {"unknown-no-expiry"},
    }
    assert severities(snap, "cs_certificate_expiring") == {
        "fail-45-days-left": "warning",
        "fail-10-days-left": "warning",
        "fail-expired-3-days-ago": "critical",
        "fail-marked-not-valid": "critical",
        "fail-not-valid-no-expiry": "critical",
    }
    assert_messages_name(
        messages(snap, "cs_certificate_expiring"),
        {
            "fail-45-days-left": ["45 days", "60 days"],
            "fail-10-days-left": ["10 days", "60 days"],
            "fail-expired-3-days-ago": ["expired", "3 days"],
            "fail-marked-not-valid": ["not valid"],
        },
    )


@covers("cs_unhealthy")
def test_cs_unhealthy() -> None:
    down = [ServiceStatus("BROKER_SERVICE", "DOWN"), ServiceStatus("PCOIP_SG", "NOT_IN_USE")]
    snap = fleet_snapshot(
        connection_servers=[
            connection_server("pass-ok"),
            connection_server("fail-status-error", status="ERROR"),
            connection_server("fail-service-down", services=down),
            connection_server("fail-no-status-service-down", status=None, services=down),
            connection_server("unknown-no-status", status=None),
            connection_server("fail-restart-required", status="RESTART_REQUIRED"),
            connection_server("unknown-future-status", status="FUTURE_STATUS"),
            connection_server(
                "unknown-future-service", services=[ServiceStatus("BROKER_SERVICE", "ASLEEP")]
            ),
        ]
    )
    assert outcomes(snap, "cs_unhealthy") == {
        "pass": {"pass-ok"},
        "fail": {
            "fail-status-error",
            "fail-service-down",
            "fail-no-status-service-down",
            "fail-restart-required",
        },
        "unknown": {"unknown-no-status", "unknown-future-status", "unknown-future-service"},
    }
    assert severities(snap, "cs_unhealthy") == {
        "fail-status-error": "critical",
        "fail-service-down": "critical",
        "fail-no-status-service-down": "critical",
        "fail-restart-required": "warning",
    }
    assert_messages_name(
        messages(snap, "cs_unhealthy"),
        {"fail-status-error": ["ERROR"], "fail-service-down": ["BROKER_SERVICE", "DOWN"]},
    )


@covers("pod_connection_servers_down")
def test_pod_connection_servers_down() -> None:
    def servers(pod_id: str, *statuses: str | None) -> list[ConnectionServer]:
        return [
            connection_server(f"{pod_id}-cs{n}", pod=pod_id, status=status)
            for n, status in enumerate(statuses, 1)
        ]

    snap = fleet_snapshot(
        [vm("desk-1")],
        [machine(vm("desk-1"))],
        connection_servers=[
            *servers(POD, "OK"),
            *servers("fail-all-down", "ERROR", "NOT_RESPONDING"),
            *servers("fail-the-only-one-down", "NOT_RESPONDING"),
            *servers("pass-one-of-three-serves", "ERROR", "OK", "NOT_RESPONDING"),
            *servers("pass-restart-required-still-serves", "RESTART_REQUIRED", "ERROR"),
            *servers("unknown-one-unknown-rest-down", "UNKNOWN", "ERROR"),
            *servers("unknown-one-unreported-rest-down", None, "ERROR"),
        ],
        pods=[HorizonPod("unknown-no-servers-listed", "https://cs.example.test/rest")],
    )
    assert outcomes(snap, "pod_connection_servers_down") == {
        "pass": {POD, "pass-one-of-three-serves", "pass-restart-required-still-serves"},
        "fail": {"fail-all-down", "fail-the-only-one-down"},
        "unknown": {
            "unknown-one-unknown-rest-down",
            "unknown-one-unreported-rest-down",
            "unknown-no-servers-listed",
        },
    }
    assert severities(snap, "pod_connection_servers_down") == {
        "fail-all-down": "critical",
        "fail-the-only-one-down": "critical",
    }
    assert_messages_name(
        messages(snap, "pod_connection_servers_down"),
        {
            "fail-all-down": [
                "all 2",
                "fail-all-down-cs1 ERROR",
                "fail-all-down-cs2 NOT_RESPONDING",
            ]
        },
    )


@covers("pod_vcenter_unreachable")
def test_pod_vcenter_unreachable() -> None:
    def link(name: str, status: str | None, enabled: bool | None = True) -> HorizonVCenter:
        return HorizonVCenter(POD, f"id-{name}", name, None, "8.0.3", "1", enabled, status)

    links = [
        link("pass-ok", "OK"),
        link("fail-down", "DOWN"),
        link("fail-invalid-credentials", "INVALID_CREDENTIALS"),
        link("fail-cannot-login", "CANNOT_LOGIN"),
        link("fail-reconnecting", "RECONNECTING"),
        link("fail-not-yet-connected", "NOT_YET_CONNECTED"),
        link("na-disabled", "DOWN", enabled=False),
        link("pass-enabled-not-reported", "OK", enabled=None),
        link("unknown-horizon-says-unknown", "UNKNOWN"),
        link("unknown-not-reported", None),
        link("unknown-future-status", "ON_HOLIDAY"),
    ]
    snap = replace(fleet_snapshot([vm("desk-1")], [machine(vm("desk-1"))]), horizon_vcenters=links)
    assert outcomes(snap, "pod_vcenter_unreachable") == {
        "pass": {"pass-ok", "pass-enabled-not-reported"},
        "fail": {
            "fail-down",
            "fail-invalid-credentials",
            "fail-cannot-login",
            "fail-reconnecting",
            "fail-not-yet-connected",
        },
        "unknown": {
            "unknown-horizon-says-unknown",
            "unknown-not-reported",
            "unknown-future-status",
        },
        "n/a": {"na-disabled"},
    }
    assert severities(snap, "pod_vcenter_unreachable") == {
        "fail-down": "critical",
        "fail-invalid-credentials": "critical",
        "fail-cannot-login": "critical",
        "fail-reconnecting": "warning",
        "fail-not-yet-connected": "warning",
    }
    assert_messages_name(
        messages(snap, "pod_vcenter_unreachable"),
        {"fail-down": ["fail-down", "DOWN"], "fail-reconnecting": ["RECONNECTING"]},
    )


# ------------------------------------------------------------------ configuration and scope


def uptime_fleet() -> Snapshot:
    """Instant clones created (and booted) 12, 70 and 70 days ago."""
    vms = [
        vm("desk-up-12-days", boot_time=ago(days=12)),
        vm("desk-up-70-days", boot_time=ago(days=70)),
        vm("kiosk-1", boot_time=ago(days=70)),
    ]
    return fleet_snapshot(vms, [machine(v, create_time=v.boot_time) for v in vms])


def test_a_threshold_from_the_config_changes_the_outcome() -> None:
    snap = uptime_fleet()
    assert "desk-up-12-days" in outcomes(snap, "vm_uptime_long")["pass"]
    lower = configured("[checks.vm_uptime_long]\nwarning_days = 10\n")
    assert "desk-up-12-days" in outcomes(snap, "vm_uptime_long", lower)["fail"]
    assert severities(snap, "vm_uptime_long", lower)["desk-up-12-days"] == "warning"
    assert_messages_name(
        messages(snap, "vm_uptime_long", lower), {"desk-up-12-days": ["12 days", "10 days"]}
    )


def test_exclude_leaves_matching_subjects_out_of_one_check() -> None:
    settings = configured('[checks.vm_uptime_long]\nexclude = ["kiosk-*"]\n')
    report = build_report(uptime_fleet(), settings)
    counts = {c.id: c.counts for c in report.checks}
    assert counts["vm_uptime_long"].excluded == 1
    assert (counts["vm_uptime_long"].passed, counts["vm_uptime_long"].failed) == (1, 1)
    assert counts["vm_suspended"].excluded == 0
    uptime_findings = {f.subject_name for f in report.findings if f.check == "vm_uptime_long"}
    assert uptime_findings == {"desk-up-70-days"}
    # Other checks still judge it.
    assert "kiosk-1" in outcomes(uptime_fleet(), "vm_suspended", settings)["pass"]


def test_a_disabled_check_gives_no_findings() -> None:
    settings = configured("[checks.vm_uptime_long]\nenabled = false\n")
    report = build_report(uptime_fleet(), settings)
    assert not [f for f in report.findings if f.check == "vm_uptime_long"]
    summary = next(c for c in report.checks if c.id == "vm_uptime_long")
    assert not summary.enabled
    assert (summary.counts.passed, summary.counts.failed, summary.counts.unknown) == (0, 0, 0)
    assert outcomes(uptime_fleet(), "vm_uptime_long", settings) == {}
    assert [f for f in build_report(uptime_fleet()).findings if f.check == "vm_uptime_long"]


def test_a_configured_severity_overrides_the_checks_own() -> None:
    snap = uptime_fleet()
    assert set(severities(snap, "vm_uptime_long").values()) == {"critical"}
    demoted = configured('[checks.vm_uptime_long]\nseverity = "info"\n')
    assert severities(snap, "vm_uptime_long", demoted) == {
        "desk-up-70-days": "info",
        "kiosk-1": "info",
    }
    findings = build_report(snap, demoted).findings
    assert {f.severity for f in findings if f.check == "vm_uptime_long"} == {"info"}


def test_scope_exclude_by_folder_removes_desktops_entirely() -> None:
    snap = horizon_fleet(
        vm("desk-1", folder="Desktops"),
        vm("lab-1", folder="Lab"),
        vm("lab-2", folder="Lab/Team"),
    )
    settings = configured('[scope.exclude]\nfolders = ["Lab*"]\n')
    assert [d.name for d in FleetView(snap, settings.scope).desktops] == ["desk-1"]
    assert outcomes(snap, "vm_tools_outdated", settings) == {"pass": {"desk-1"}}
    report = build_report(snap, settings)
    assert [v.name for v in report.vms] == ["desk-1"]
    assert next(c for c in report.checks if c.id == "vm_tools_outdated").counts.excluded == 0


def test_scope_include_by_pool_keeps_only_that_pools_desktops() -> None:
    vms1, machines1 = desktops(vm("p1-desk-1"), vm("p1-desk-2"), pool_id="pool-1")
    vms2, machines2 = desktops(vm("p2-desk-1"), pool_id="pool-2")
    snap = fleet_snapshot(vms1 + vms2, machines1 + machines2, [pool("pool-1"), pool("pool-2")])
    settings = configured('[scope.include]\npools = ["pool-1"]\n')
    assert outcomes(snap, "vm_tools_outdated", settings) == {"pass": {"p1-desk-1", "p1-desk-2"}}
    assert outcomes(snap, "pool_image_old", settings) == {"pass": {"pool-1"}}
    assert outcomes(snap, "vm_tools_outdated") == {"pass": {"p1-desk-1", "p1-desk-2", "p2-desk-1"}}


DESKTOP_CHECKS = [spec.id for spec in CHECKS if spec.subject == "desktop"]


def test_templates_are_never_desktops() -> None:
    snap = fleet_snapshot([vm("desk-1"), vm("gold-template", template=True)])
    for check_id in DESKTOP_CHECKS:
        assert set().union(*outcomes(snap, check_id).values()) == {"desk-1"}, check_id
    # Nor when Horizon lists a machine on a template.
    template = vm("gold-template", template=True)
    joined = horizon_fleet(vm("desk-1"), template)
    assert [d.name for d in FleetView(joined).desktops] == ["desk-1"]


def test_a_vcenter_only_snapshot_judges_every_vm_that_is_not_a_template() -> None:
    snap = fleet_snapshot(
        [
            vm("fail-tools-old", tools_version_status="guestToolsTooOld"),
            vm("pass-tools-current"),
            vm("na-off", power_state="poweredOff"),
            vm("template", template=True),
        ]
    )
    assert not snap.machines and not snap.pools
    assert not any(s.kind == "horizon" for s in snap.sources)
    assert outcomes(snap, "vm_tools_outdated") == {
        "pass": {"pass-tools-current"},
        "fail": {"fail-tools-old"},
        "n/a": {"na-off"},
    }
    assert outcomes(snap, "machine_problem_state") == {
        "n/a": {"fail-tools-old", "pass-tools-current", "na-off"}
    }
