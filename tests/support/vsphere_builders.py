"""Builders for the vSphere health records: datastores, clusters, alarms, host load and sensors.

Each gives a healthy record unless a test overrides a field; names say what a subject must
give (``fail-full``, ``na-server-datastore``), as in ``fleet_builders``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from fleetreport.snapshot.model import (
    Cluster,
    Datastore,
    Host,
    HostSensor,
    Machine,
    Snapshot,
    TriggeredAlarm,
    VirtualMachine,
)
from support.fleet_builders import NOW, desktops, fleet_snapshot, host
from support.snapshots import VC_UUID

GIB = 1024**3
DESKTOP_DATASTORE = "datastore-desktops"
"""Moref of the datastore every built desktop lives on (so that alarms are known as read)."""
DESKTOP_DATASTORE_NAME = "pass-desktop-datastore"
"""Its name: a healthy datastore, passing every check."""


def datastore(name: str, moref: str | None = None, **overrides: Any) -> Datastore:
    """An accessible 1 TiB VMFS datastore, half free, in datacenter DC."""
    values: dict[str, Any] = dict(
        vcenter=VC_UUID,
        moref=moref or f"datastore-{name}",
        name=name,
        datacenter="DC",
        type="VMFS",
        capacity_bytes=1024 * GIB,
        free_bytes=512 * GIB,
        accessible=True,
        maintenance_mode="normal",
    )
    values.update(overrides)
    return Datastore(**values)


def free_percent(percent: float) -> dict[str, int]:
    """Capacity and free space of a 1,000 GiB datastore with ``percent`` free."""
    return {"capacity_bytes": 1000 * GIB, "free_bytes": int(percent * 10 * GIB)}


def cluster(name: str, moref: str | None = None, **overrides: Any) -> Cluster:
    """Cluster ``name`` in DC with HA and admission control on."""
    values: dict[str, Any] = dict(
        vcenter=VC_UUID,
        moref=moref or f"domain-{name}",
        name=name,
        datacenter="DC",
        ha_enabled=True,
        ha_admission_control=True,
        drs_enabled=True,
        drs_behavior="fullyAutomated",
    )
    values.update(overrides)
    return Cluster(**values)


def loaded_host(
    name: str,
    cluster_name: str,
    memory: tuple[int | None, int | None] = (64 * 1024, 512 * 1024),
    cpu: tuple[int | None, int | None] = (10_000, 64_000),
    **overrides: Any,
) -> Host:
    """A connected host of ``cluster_name`` with ``memory`` (used, capacity MiB) and ``cpu``
    (used, capacity MHz), its sensors reported green."""
    values: dict[str, Any] = dict(
        cluster=cluster_name,
        memory_usage_mb=memory[0],
        memory_capacity_mb=memory[1],
        cpu_usage_mhz=cpu[0],
        cpu_capacity_mhz=cpu[1],
        sensors_reported=True,
    )
    values.update(overrides)
    return host(name, **values)


def sensor(name: str, health: str, kind: str = "fan") -> HostSensor:
    """A host sensor that is not green."""
    return HostSensor(name=name, kind=kind, health=health, summary=f"{name} is {health}")


def alarm(
    entity: str,
    status: str,
    name: str | None = "Alarm",
    entity_type: str = "HostSystem",
    **overrides: Any,
) -> TriggeredAlarm:
    """An alarm triggered on ``entity`` (a moref) with ``status``."""
    values: dict[str, Any] = dict(
        vcenter=VC_UUID,
        entity_type=entity_type,
        entity=entity,
        alarm=f"alarm-{(name or 'unnamed').lower().replace(' ', '-')}",
        name=name,
        status=status,
        time=NOW,
        acknowledged=False,
    )
    values.update(overrides)
    return TriggeredAlarm(**values)


def on_desktop_datastore(vm: VirtualMachine) -> VirtualMachine:
    """The VM with its files on the desktops' datastore (when it names no datastore itself)."""
    return vm if vm.datastores else replace(vm, datastores=[DESKTOP_DATASTORE])


def vsphere_fleet(
    vms: Iterable[VirtualMachine] = (),
    datastores: Iterable[Datastore] = (),
    *,
    horizon: bool = True,
    others: Iterable[VirtualMachine] = (),
    extra_machines: Iterable[Machine] = (),
    desktop_datastore: bool = True,
    **overrides: Any,
) -> Snapshot:
    """Each VM a desktop (a Horizon machine of pool-1, or by its Windows client guest OS when
    ``horizon`` is false), on the desktops' datastore unless it names others (that datastore is
    in the snapshot when a desktop uses it); ``others`` are VMs that are not desktops (servers,
    images), ``extra_machines`` Horizon machines beside them. Without ``desktop_datastore`` the
    snapshot holds no datastore: a collection that read none, and so no alarm either."""
    desktop_vms = [on_desktop_datastore(v) for v in vms]
    used = any(DESKTOP_DATASTORE in v.datastores for v in desktop_vms)
    stores = [datastore(DESKTOP_DATASTORE_NAME, DESKTOP_DATASTORE)] if used else []
    stores = [*stores, *datastores] if desktop_datastore else []
    if not horizon:
        return fleet_snapshot([*desktop_vms, *others], datastores=stores, **overrides)
    vm_list, machines = desktops(*desktop_vms)
    return fleet_snapshot(
        [*vm_list, *others], [*machines, *extra_machines], datastores=stores, **overrides
    )
