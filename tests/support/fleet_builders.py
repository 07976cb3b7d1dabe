"""Builders for small Horizon + vCenter fleets: a healthy default, overridden per test.

Every builder gives a record that passes every check; a test changes only what it is about.
Names in tests say what a desktop must give (``fail-tools-old``, ``pass-current``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from fleetreport.snapshot.model import (
    ConnectionServer,
    DesktopPool,
    DesktopUsage,
    HorizonUsage,
    HorizonVCenter,
    Host,
    Machine,
    PoolDayUsage,
    PoolUsage,
    ServiceStatus,
    Session,
    Snapshot,
    Source,
    UserDesktopUsage,
    VCenterUsage,
    VirtualMachine,
)
from support.snapshots import VC_UUID, make_snapshot, make_vm

NOW = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)
"""Collection time of built snapshots: every age is measured from it."""
POD = "hzcs01.example.test"
HZ_VCENTER_ID = "hz-vc-1"
IMAGE_VM = "vm-900"
IMAGE_SNAPSHOT = "snapshot-901"


def ago(**delta: float) -> datetime:
    """A time before NOW: ``ago(days=3)``."""
    return NOW - timedelta(**delta)


def vm(name: str, moref: str | None = None, **overrides: Any) -> VirtualMachine:
    """A healthy powered-on desktop VM named ``name``, booted a day before NOW."""
    values: dict[str, Any] = {"name": name, "boot_time": ago(days=1)}
    values.update(overrides)
    return make_vm(moref or f"vm-{name}", **values)


def pool(pool_id: str = "pool-1", **overrides: Any) -> DesktopPool:
    """A healthy instant-clone pool whose image is 10 days old."""
    values: dict[str, Any] = dict(
        pod=POD,
        id=pool_id,
        kind="desktop_pool",
        name=pool_id,
        display_name=None,
        type="AUTOMATED",
        source="INSTANT_CLONE",
        enabled=True,
        provisioning_enabled=True,
        user_assignment="FLOATING",
        power_policy="TAKE_NO_POWER_ACTION",
        naming_pattern=f"{pool_id}-{{n}}",
        min_machines=None,
        max_machines=None,
        spare_machines=None,
        vm_folder_path=f"/DC/vm/{pool_id}",
        parent_vm_id=IMAGE_VM,
        parent_vm_path="/DC/vm/Gold/win11",
        base_snapshot_id=IMAGE_SNAPSHOT,
        base_snapshot_path="/2026-11-patch",
        image_state="READY",
        pending_image_state=None,
        pending_image_error=None,
        pending_snapshot_id=None,
        last_provisioning_error=None,
        last_provisioning_error_time=None,
        vcenter_id=HZ_VCENTER_ID,
        vcenter=VC_UUID,
        golden_image_created=ago(days=10),
        machine_count=None,
    )
    values.update(overrides)
    return DesktopPool(**values)


def machine(
    desktop: VirtualMachine | None,
    pool_id: str | None = "pool-1",
    name: str | None = None,
    **overrides: Any,
) -> Machine:
    """A healthy AVAILABLE machine on the pool's image, joined to ``desktop`` (None: no VM)."""
    label = name or (desktop.name if desktop else "machine")
    values: dict[str, Any] = dict(
        pod=POD,
        id=f"m-{label}",
        kind="machine",
        name=label,
        dns_name=f"{label}.example.test",
        pool_id=pool_id,
        state="AVAILABLE",
        agent_version="2512.0.0",
        agent_build="100",
        operating_system="WINDOWS_11",
        user_names=[],
        power_state="POWERED_ON",
        operation_state=None,
        base_vm_id=IMAGE_VM,
        base_snapshot_id=IMAGE_SNAPSHOT,
        pending_base_vm_id=None,
        pending_base_snapshot_id=None,
        create_time=ago(days=5),
        missing_in_vcenter=False,
        in_maintenance_mode=False,
        vcenter_id=HZ_VCENTER_ID,
        vm_moid=desktop.moref if desktop else None,
        vm_path=None,
        host_name=None,
        vm_vcenter=desktop.vcenter if desktop else None,
        vm_moref=desktop.moref if desktop else None,
        join="vm_moid" if desktop else "none",
    )
    values.update(overrides)
    return Machine(**values)


def session(on: Machine, **overrides: Any) -> Session:
    """A connected desktop session on machine ``on``."""
    values: dict[str, Any] = dict(
        pod=on.pod,
        id=f"s-{on.name}-{overrides.get('user_name', 'user')}",
        user_name="EXAMPLE\\user",
        machine_id=on.id,
        pool_id=on.pool_id,
        farm_id=None,
        session_type="DESKTOP",
        state="CONNECTED",
        protocol="BLAST",
        start_time=ago(hours=2),
        disconnected_time=None,
        idle_duration_minutes=0,
    )
    values.update(overrides)
    return Session(**values)


def connection_server(name: str, **overrides: Any) -> ConnectionServer:
    """A healthy Connection Server whose certificate has a year left."""
    values: dict[str, Any] = dict(
        pod=POD,
        id=f"cs-{name}",
        name=name,
        status="OK",
        version="8.17.0",
        build="24988612",
        certificate_valid=True,
        certificate_valid_from=ago(days=30),
        certificate_valid_to=NOW + timedelta(days=365),
        services=[ServiceStatus("BROKER_SERVICE", "UP"), ServiceStatus("PCOIP_SG", "NOT_IN_USE")],
    )
    values.update(overrides)
    return ConnectionServer(**values)


def host(name: str, moref: str | None = None, **overrides: Any) -> Host:
    """A connected ESXi 8.0.3 host in cluster C1."""
    values: dict[str, Any] = dict(
        vcenter=VC_UUID,
        moref=moref or f"host-{name}",
        name=name,
        datacenter="DC",
        cluster="C1",
        version="8.0.3",
        build="24022510",
        connection_state="connected",
        in_maintenance_mode=False,
        power_state="poweredOn",
    )
    values.update(overrides)
    return Host(**values)


def horizon_source() -> Source:
    """A Horizon source that answered."""
    return Source(
        kind="horizon",
        url=f"https://{POD}/rest",
        status="ok",
        started_at=NOW,
        finished_at=NOW,
        tls_verified=True,
    )


def fleet_snapshot(
    vms: Iterable[VirtualMachine] = (),
    machines: Iterable[Machine] = (),
    pools: Iterable[DesktopPool] | None = None,
    sessions: Iterable[Session] = (),
    connection_servers: Iterable[ConnectionServer] = (),
    hosts: Iterable[Host] | None = None,
    **overrides: Any,
) -> Snapshot:
    """A snapshot at NOW with one vCenter and, when machines are given, one Horizon pod."""
    machine_list = list(machines)
    horizon = bool(machine_list) or bool(list(connection_servers or ()))
    values: dict[str, Any] = dict(
        collected_at=NOW,
        vms=list(vms),
        hosts=list(hosts) if hosts is not None else [host("esx1.example.test", "host-9")],
        machines=machine_list,
        pools=list(pools) if pools is not None else ([pool()] if machine_list else []),
        sessions=list(sessions),
        connection_servers=list(connection_servers),
        horizon_vcenters=[
            HorizonVCenter(POD, HZ_VCENTER_ID, "vc.example.test", VC_UUID, "8.0.3", "1", True, "OK")
        ]
        if horizon
        else [],
    )
    snapshot = make_snapshot(**values, **overrides)
    if horizon:
        snapshot = make_snapshot(
            **values, sources=[*snapshot.sources, horizon_source()], **overrides
        )
    return snapshot


def desktops(
    *vms: VirtualMachine, pool_id: str = "pool-1"
) -> tuple[list[VirtualMachine], list[Machine]]:
    """Each VM with a healthy machine of pool ``pool_id``."""
    return list(vms), [machine(v, pool_id) for v in vms]


# ------------------------------------------------------------------ usage evidence (issue 16)


def horizon_usage(
    days: int = 30,
    desktops: Iterable[DesktopUsage] = (),
    pools: Iterable[PoolUsage] = (),
    dedicated: Iterable[UserDesktopUsage] = (),
    **overrides: Any,
) -> HorizonUsage:
    """The pod's events read over the last ``days`` days up to NOW."""
    values: dict[str, Any] = dict(
        pod=POD,
        days=days,
        window_start=NOW - timedelta(days=days),
        window_end=NOW,
        status="ok",
        api_version="v2",
        events=10,
        pages=1,
        desktops=list(desktops),
        pools=list(pools),
        dedicated=list(dedicated),
    )
    values.update(overrides)
    return HorizonUsage(**values)


def logons_to(
    on: Machine, last: datetime, count: int = 1, user_id: str | None = None
) -> DesktopUsage:
    """``count`` logons to machine ``on``, the last at ``last``."""
    return DesktopUsage(on.pod, on.id, on.dns_name, on.pool_id, count, last, user_id)


def user_logon(on: Machine, user_id: str, last: datetime) -> UserDesktopUsage:
    """User ``user_id``'s newest logon to dedicated machine ``on``."""
    return UserDesktopUsage(on.pod, user_id, on.id, on.pool_id, last)


def pool_usage(
    pool_id: str = "pool-1",
    peak: int | None = 0,
    before_window: int = 0,
    peak_day: str = "2026-11-20",
    **overrides: Any,
) -> PoolUsage:
    """A pool's sessions in the window: one day with the peak."""
    days = [PoolDayUsage(peak_day, peak or 0, peak)]
    values: dict[str, Any] = dict(
        pod=POD,
        pool=pool_id,
        pool_id=pool_id,
        logons=peak or 0,
        peak_sessions=peak,
        days=days,
        sessions_before_window=before_window,
    )
    values.update(overrides)
    return PoolUsage(**values)


def vm_usage(
    desktop: VirtualMachine, active: int | None = 0, samples: int = 360, **overrides: Any
) -> VCenterUsage:
    """The VM's CPU over 30 days of two-hour samples, ``active`` of them above 5%."""
    values: dict[str, Any] = dict(
        vcenter=desktop.vcenter,
        moref=desktop.moref,
        entity_type="VirtualMachine",
        name=desktop.name,
        status="measured" if samples else "no_data",
        counter="cpu.usage.average",
        interval_seconds=7200,
        window_start=NOW - timedelta(days=30),
        window_end=NOW,
        samples=samples,
        cpu_mean_percent=1.0 if samples else None,
        cpu_p95_percent=2.0 if samples else None,
        cpu_active_samples=active if samples else None,
        activity_floor_percent=5.0 if samples else None,
    )
    values.update(overrides)
    return VCenterUsage(**values)


def host_power(on: Host, watts: float | None, **overrides: Any) -> VCenterUsage:
    """The host's power draw over 30 days: ``watts`` mean (None: not metered)."""
    values: dict[str, Any] = dict(
        vcenter=on.vcenter,
        moref=on.moref,
        entity_type="HostSystem",
        name=on.name,
        status="measured" if watts is not None else "not_collected",
        counter="power.power.average",
        interval_seconds=7200,
        window_start=NOW - timedelta(days=30),
        window_end=NOW,
        samples=360 if watts is not None else 0,
        power_mean_watts=watts,
        power_peak_watts=watts * 1.5 if watts is not None else None,
        note=None if watts is not None else "no power meter",
    )
    values.update(overrides)
    return VCenterUsage(**values)


def with_usage(snapshot: Snapshot, *, days: int = 30, error: str | None = None) -> Snapshot:
    """The snapshot with its vCenters' performance history asked for ``days`` days."""
    vcenters = [
        dataclasses.replace(vc, usage_days=days, usage_error=error) for vc in snapshot.vcenters
    ]
    return dataclasses.replace(snapshot, vcenters=vcenters)
