"""A minimal snapshot and VM to build tests on: healthy unless a test overrides a field."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fleetreport.snapshot.model import Host, Snapshot, Source, VCenter, VirtualMachine, VmSnapshot

T0 = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
VC_UUID = "11111111-2222-3333-4444-555555555555"


def make_vm(moref: str = "vm-1", **overrides: Any) -> VirtualMachine:
    """A connected, powered-on, healthy desktop VM; override what a test is about."""
    values: dict[str, Any] = dict(
        vcenter=VC_UUID,
        moref=moref,
        name=f"desk-{moref}",
        instance_uuid=f"uuid-{moref}",
        bios_uuid=None,
        datacenter="DC",
        cluster="C1",
        host="esx1.example.test",
        resource_pool="Resources",
        folder="Desktops",
        power_state="poweredOn",
        connection_state="connected",
        template=False,
        guest_id="windows9_64Guest",
        guest_os_configured="Microsoft Windows 10 (64-bit)",
        guest_os_running="Microsoft Windows 10 (64-bit)",
        guest_id_running="windows9_64Guest",
        guest_hostname=None,
        ip_address=None,
        tools_status="toolsOk",
        tools_version_status="guestToolsCurrent",
        tools_running_status="guestToolsRunning",
        tools_version="12352",
        hardware_version="vmx-21",  # the newest ESXi 8.0.3 (the default host) runs
        boot_time=T0,
        num_cpu=2,
        memory_mb=4096,
        annotation="",
    )
    values.update(overrides)
    return VirtualMachine(**values)


def make_snapshot(**overrides: Any) -> Snapshot:
    """A one-vCenter snapshot with two VMs and a host."""
    values: dict[str, Any] = dict(
        schema_version=1,
        generator="fleetreport test",
        collected_at=T0,
        sources=[
            Source(
                kind="vcenter",
                url="https://vc.example.test/sdk",
                status="ok",
                started_at=T0,
                finished_at=T0,
                tls_verified=True,
                round_trips=12,
                objects=3,
                instance_uuid=VC_UUID,
                api_versions={"vim25": "8.0.3.0"},
            )
        ],
        vcenters=[
            VCenter(
                VC_UUID,
                "vc.example.test",
                "https://vc.example.test/sdk",
                "8.0.3",
                "1",
                "VMware vCenter Server 8.0.3",
                "8.0.3.0",
                alarms_read=True,
            )
        ],
        hosts=[
            Host(
                VC_UUID,
                "host-9",
                "esx1.example.test",
                "DC",
                "C1",
                "8.0.3",
                "24022510",
                "connected",
                False,
                "poweredOn",
            )
        ],
        vms=[
            make_vm("vm-10", snapshots=[VmSnapshot("snapshot-1", "base", T0, 0, "/base")]),
            make_vm("vm-9", custom_attributes={"Owner": "alice"}),
        ],
    )
    values.update(overrides)
    return Snapshot(**values)
