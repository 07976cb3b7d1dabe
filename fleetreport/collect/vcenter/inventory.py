"""Turn PropertyCollector records into snapshot records: names resolved, paths built."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pyVmomi import vim

from fleetreport.collect.vcenter.property_reader import (
    ObjectRecord,
    moref_of,
    retrieve_inventory,
)
from fleetreport.collect.vcenter.session import VCenterSession
from fleetreport.snapshot.model import (
    Cluster,
    Datacenter,
    Host,
    VCenter,
    VirtualMachine,
    VmSnapshot,
)

log = logging.getLogger(__name__)

VM_PROPERTIES = (
    "name",
    "parent",
    "resourcePool",
    "config.instanceUuid",
    "config.uuid",
    "config.version",
    "config.template",
    "config.guestId",
    "config.guestFullName",
    "config.annotation",
    "config.hardware.numCPU",
    "config.hardware.memoryMB",
    "runtime.powerState",
    "runtime.connectionState",
    "runtime.bootTime",
    "runtime.host",
    "guest.toolsStatus",
    "guest.toolsVersionStatus2",
    "guest.toolsRunningStatus",
    "guest.toolsVersion",
    "guest.guestFullName",
    "guest.hostName",
    "guest.ipAddress",
    "customValue",
    "snapshot",
)
HOST_PROPERTIES = (
    "name",
    "parent",
    "summary.config.product.version",
    "summary.config.product.build",
    "runtime.connectionState",
    "runtime.inMaintenanceMode",
    "runtime.powerState",
)
PROPERTIES_BY_TYPE: Mapping[type, Sequence[str]] = {
    vim.VirtualMachine: VM_PROPERTIES,
    vim.HostSystem: HOST_PROPERTIES,
    vim.ComputeResource: ("name", "parent"),
    vim.Datacenter: ("name", "parent", "vmFolder"),
    vim.Folder: ("name", "parent"),
    vim.ResourcePool: ("name",),
}


@dataclass(frozen=True)
class VCenterInventory:
    """What one vCenter holds, as snapshot records."""

    vcenter: VCenter
    datacenters: list[Datacenter]
    clusters: list[Cluster]
    hosts: list[Host]
    vms: list[VirtualMachine]

    @property
    def object_count(self) -> int:
        """Objects read, for the source record and progress lines."""
        return len(self.datacenters) + len(self.clusters) + len(self.hosts) + len(self.vms)


def collect_vcenter(session: VCenterSession, *, page_size: int = 1000) -> VCenterInventory:
    """Read the whole inventory of one vCenter in a constant number of round trips."""
    about = session.content.about
    vcenter = VCenter(
        instance_uuid=str(about.instanceUuid),
        name=session.endpoint.host,
        url=session.endpoint.url,
        version=str(about.version),
        build=str(about.build),
        full_name=str(about.fullName),
        api_version=str(about.apiVersion),
    )
    fields_manager = session.content.customFieldsManager
    extra = [(fields_manager, vim.CustomFieldsManager, ("field",))] if fields_manager else []
    records = retrieve_inventory(
        session.content, PROPERTIES_BY_TYPE, page_size=page_size, extra_objects=extra
    )
    return _InventoryBuilder(vcenter, records).build()


class _InventoryBuilder:
    """Resolves references (parents, hosts, pools) between records of one retrieval."""

    def __init__(self, vcenter: VCenter, records: Sequence[ObjectRecord]) -> None:
        self.vcenter = vcenter
        self.by_moref = {record.moref: record for record in records}
        self.field_names: dict[int, str] = {}
        for record in records:
            if issubclass(record.kind, vim.CustomFieldsManager):
                for definition in record.properties.get("field") or ():
                    self.field_names[int(definition.key)] = str(definition.name)
        self.vm_folders = {
            moref_of(r.properties["vmFolder"])
            for r in records
            if issubclass(r.kind, vim.Datacenter) and r.properties.get("vmFolder") is not None
        }

    def build(self) -> VCenterInventory:
        of_kind = self._of_kind
        return VCenterInventory(
            vcenter=self.vcenter,
            datacenters=[
                Datacenter(self.vcenter.instance_uuid, r.moref, _text(r, "name") or r.moref)
                for r in of_kind(vim.Datacenter)
            ],
            clusters=[
                Cluster(
                    self.vcenter.instance_uuid,
                    r.moref,
                    _text(r, "name") or r.moref,
                    self._datacenter_name(r.moref),
                )
                for r in of_kind(vim.ClusterComputeResource)
            ],
            hosts=[self._host(r) for r in of_kind(vim.HostSystem)],
            vms=[self._vm(r) for r in of_kind(vim.VirtualMachine)],
        )

    def _of_kind(self, kind: type) -> Iterator[ObjectRecord]:
        return (r for r in self.by_moref.values() if issubclass(r.kind, kind))

    def _parent(self, moref: str) -> ObjectRecord | None:
        record = self.by_moref.get(moref)
        parent = record.properties.get("parent") if record else None
        return self.by_moref.get(moref_of(parent)) if parent is not None else None

    def _datacenter_name(self, moref: str) -> str | None:
        ancestor = self._parent(moref)
        while ancestor is not None:
            if issubclass(ancestor.kind, vim.Datacenter):
                return _text(ancestor, "name")
            ancestor = self._parent(ancestor.moref)
        return None

    def _cluster_of_host(self, host_moref: str) -> str | None:
        parent = self._parent(host_moref)
        if parent is not None and issubclass(parent.kind, vim.ClusterComputeResource):
            return _text(parent, "name")
        return None

    def _folder_path(self, vm: ObjectRecord) -> str | None:
        names: list[str] = []
        folder = self._parent(vm.moref)
        while folder is not None and issubclass(folder.kind, vim.Folder):
            if folder.moref in self.vm_folders:
                return "/".join(reversed(names))
            names.append(_text(folder, "name") or folder.moref)
            folder = self._parent(folder.moref)
        return None  # not below a datacenter's VM folder (a vApp member, or unreadable)

    def _host(self, record: ObjectRecord) -> Host:
        return Host(
            vcenter=self.vcenter.instance_uuid,
            moref=record.moref,
            name=_text(record, "name") or record.moref,
            datacenter=self._datacenter_name(record.moref),
            cluster=self._cluster_of_host(record.moref),
            version=_text(record, "summary.config.product.version"),
            build=_text(record, "summary.config.product.build"),
            connection_state=_text(record, "runtime.connectionState"),
            in_maintenance_mode=_bool(record, "runtime.inMaintenanceMode"),
            power_state=_text(record, "runtime.powerState"),
        )

    def _vm(self, record: ObjectRecord) -> VirtualMachine:
        props = record.properties
        host_ref = props.get("runtime.host")
        host_record = self.by_moref.get(moref_of(host_ref)) if host_ref is not None else None
        pool_ref = props.get("resourcePool")
        pool_record = self.by_moref.get(moref_of(pool_ref)) if pool_ref is not None else None
        return VirtualMachine(
            vcenter=self.vcenter.instance_uuid,
            moref=record.moref,
            name=_text(record, "name") or record.moref,
            instance_uuid=_text(record, "config.instanceUuid"),
            bios_uuid=_text(record, "config.uuid"),
            datacenter=self._datacenter_name(record.moref),
            cluster=self._cluster_of_host(host_record.moref) if host_record else None,
            host=_text(host_record, "name") if host_record else None,
            resource_pool=_text(pool_record, "name") if pool_record else None,
            folder=self._folder_path(record),
            power_state=_text(record, "runtime.powerState"),
            connection_state=_text(record, "runtime.connectionState"),
            template=bool(props.get("config.template") or False),
            guest_id=_text(record, "config.guestId"),
            guest_os_configured=_text(record, "config.guestFullName"),
            guest_os_running=_text(record, "guest.guestFullName"),
            guest_hostname=_text(record, "guest.hostName"),
            ip_address=_text(record, "guest.ipAddress"),
            tools_status=_text(record, "guest.toolsStatus"),
            tools_version_status=_text(record, "guest.toolsVersionStatus2"),
            tools_running_status=_text(record, "guest.toolsRunningStatus"),
            tools_version=_text(record, "guest.toolsVersion"),
            hardware_version=_text(record, "config.version"),
            boot_time=_time(props.get("runtime.bootTime")),
            num_cpu=_int(record, "config.hardware.numCPU"),
            memory_mb=_int(record, "config.hardware.memoryMB"),
            annotation=_text(record, "config.annotation") or "",
            custom_attributes=self._custom_attributes(props.get("customValue")),
            snapshots=list(_flatten_snapshots(props.get("snapshot"))),
        )

    def _custom_attributes(self, values: Any) -> dict[str, str]:
        attributes: dict[str, str] = {}
        for value in values or ():
            name = self.field_names.get(int(value.key), f"field-{value.key}")
            attributes[name] = str(getattr(value, "value", "") or "")
        return dict(sorted(attributes.items()))


def _flatten_snapshots(info: Any) -> Iterator[VmSnapshot]:
    """Depth-first walk of ``VirtualMachineSnapshotInfo.rootSnapshotList``."""
    if info is None:
        return
    stack = [(tree, 0, "") for tree in reversed(info.rootSnapshotList or ())]
    while stack:
        tree, depth, parent_path = stack.pop()
        name = str(tree.name)
        path = f"{parent_path}/{name}"
        yield VmSnapshot(
            moref=moref_of(tree.snapshot) if tree.snapshot is not None else "",
            name=name,
            created=_time(tree.createTime),
            depth=depth,
            path=path,
            description=str(tree.description or ""),
        )
        stack.extend((child, depth + 1, path) for child in reversed(tree.childSnapshotList or ()))


def _text(record: ObjectRecord | None, path: str) -> str | None:
    value = record.properties.get(path) if record else None
    if value is None:
        return None
    return str(value)


def _int(record: ObjectRecord, path: str) -> int | None:
    value = record.properties.get(path)
    return int(value) if value is not None else None


def _bool(record: ObjectRecord, path: str) -> bool | None:
    value = record.properties.get(path)
    return bool(value) if value is not None else None


def _time(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
