"""Builders for small Horizon + vCenter fleets: a healthy default, overridden per test.

Every builder gives a record that passes every check; a test changes only what it is about.
Names in tests say what a desktop must give (``fail-tools-old``, ``pass-current``).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from fleetreport.snapshot.model import (
    ConnectionServer,
    DesktopPool,
    HorizonVCenter,
    Host,
    Machine,
    ServiceStatus,
    Session,
    Snapshot,
    Source,
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
