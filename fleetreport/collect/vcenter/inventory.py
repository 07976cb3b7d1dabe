"""Turn PropertyCollector records into snapshot records: names resolved, paths built."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pyVmomi import vim

from fleetreport.collect.vcenter.health_records import (
    alarm_states,
    read_alarm_names,
    sensor_alerts,
    triggered_alarms,
)
from fleetreport.collect.vcenter.property_reader import retrieve_inventory
from fleetreport.collect.vcenter.session import VCenterSession
from fleetreport.collect.vcenter.soap_stream import (
    MoRef,
    RawObject,
    as_bool,
    as_list,
    parse_soap_time,
)
from fleetreport.snapshot.model import (
    Cluster,
    Datacenter,
    Datastore,
    Host,
    TriggeredAlarm,
    VCenter,
    VCenterUsage,
    VirtualMachine,
    VmSnapshot,
)

log = logging.getLogger(__name__)

VM_PROPERTIES = (
    "name",
    "parent",
    "parentVApp",
    "resourcePool",
    "config.instanceUuid",
    "config.createDate",
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
    "guest.guestId",
    "guest.guestFullName",
    "guest.hostName",
    "guest.ipAddress",
    "customValue",
    "snapshot",
    "datastore",
    "runtime.consolidationNeeded",
    "summary.quickStats.balloonedMemory",
    "summary.quickStats.swappedMemory",
    "triggeredAlarmState",
)
HOST_PROPERTIES = (
    "name",
    "parent",
    "summary.config.product.version",
    "summary.config.product.build",
    "runtime.connectionState",
    "runtime.inMaintenanceMode",
    "runtime.powerState",
    "runtime.healthSystemRuntime",
    "summary.quickStats.overallCpuUsage",
    "summary.quickStats.overallMemoryUsage",
    "summary.hardware.cpuMhz",
    "summary.hardware.numCpuCores",
    "summary.hardware.memorySize",
    "triggeredAlarmState",
)
DATASTORE_PROPERTIES = (
    "name",
    "parent",
    "summary.type",
    "summary.capacity",
    "summary.freeSpace",
    "summary.accessible",
    "summary.maintenanceMode",
    "triggeredAlarmState",
)
PROPERTIES_BY_TYPE: Mapping[type, Sequence[str]] = {
    vim.VirtualMachine: VM_PROPERTIES,
    vim.HostSystem: HOST_PROPERTIES,
    vim.ComputeResource: ("name", "parent"),
    vim.Datacenter: ("name", "parent", "vmFolder"),
    vim.Folder: ("name", "parent"),
    vim.ResourcePool: ("name",),
    vim.Datastore: DATASTORE_PROPERTIES,
}
"""The view of ResourcePool also holds VirtualApps (a ResourcePool subtype), and a vApp's
VMs are reached through it, so vApp members and vApp names come in the same retrieval. The
view of Folder holds the datastore folders (and datastore clusters), which place a datastore
in its datacenter."""

CLUSTER_PROPERTIES: Mapping[type, Sequence[str]] = {
    vim.ClusterComputeResource: (
        "configurationEx",
        "summary.numHosts",
        "summary.numEffectiveHosts",
        "summary.totalCpu",
        "summary.effectiveCpu",
        "summary.totalMemory",
        "summary.effectiveMemory",
        "triggeredAlarmState",
    )
}
"""Clusters come through the ComputeResource view; their own spec adds what only a cluster
has. ``configurationEx`` is read whole: it is declared as ComputeResourceConfigInfo, so vCenter
rejects a path into ClusterConfigInfoEx (``configurationEx.dasConfig.enabled``) with
InvalidProperty, even in a ClusterComputeResource spec. The whole value also carries the
cluster's rules, groups and per-VM overrides: one object per cluster, read in the same call."""

MIB = 1 << 20
"""Bytes in a MiB: ``memorySize`` and ``totalMemory`` are bytes, the snapshot keeps MiB."""

_UNREADABLE = frozenset({"NoPermission", "NotAuthenticated", "SecurityError"})
"""Faults that hide a property without saying it is unset."""


@dataclass(frozen=True)
class VCenterInventory:
    """What one vCenter holds, as snapshot records."""

    vcenter: VCenter
    datacenters: list[Datacenter]
    clusters: list[Cluster]
    hosts: list[Host]
    vms: list[VirtualMachine]
    datastores: list[Datastore] = field(default_factory=list)
    alarms: list[TriggeredAlarm] = field(default_factory=list)
    usage: list[VCenterUsage] = field(default_factory=list)
    """Performance history of its VMs and hosts (``--usage``), empty when not asked."""

    @property
    def object_count(self) -> int:
        """Objects read, for the source record and progress lines."""
        listed = (self.datacenters, self.clusters, self.hosts, self.vms, self.datastores)
        return sum(len(objects) for objects in listed)


def collect_vcenter(
    session: VCenterSession,
    *,
    page_size: int = 1000,
    on_page: Callable[[int], None] | None = None,
) -> VCenterInventory:
    """Read the whole inventory of one vCenter in a constant number of round trips.

    Calls go through the session's retry policy; if vCenter ends the session mid-way, it is
    logged in again once and the retrieval resumes (or starts over).
    """
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
    relogin = session.relogin if session.login is not None else None
    records = retrieve_inventory(
        session.content,
        PROPERTIES_BY_TYPE,
        page_size=page_size,
        count_round_trip=session.round_trips.increment,
        extra_objects=extra,
        subtype_paths=CLUSTER_PROPERTIES,
        on_page=on_page,
        run=session.call,
        relogin=relogin,
        source=session.endpoint.url,
    )
    states = alarm_states(records)
    names = read_alarm_names(
        session.content,
        sorted({state["alarm"].value for state in states}),
        page_size=page_size,
        count_round_trip=session.round_trips.increment,
        run=session.call,
        relogin=relogin,
        source=session.endpoint.url,
    )
    refused = any("triggeredAlarmState" in record.missing for record in records)
    vcenter = dataclasses.replace(vcenter, alarms_read=not refused)
    root = session.content.rootFolder
    builder = _InventoryBuilder(vcenter, records, root_folder=str(root._moId))
    return builder.build(triggered_alarms(vcenter.instance_uuid, states, names))


class _InventoryBuilder:
    """Resolves references (parents, hosts, pools) between records of one retrieval."""

    def __init__(
        self, vcenter: VCenter, records: Sequence[RawObject], root_folder: str | None = None
    ) -> None:
        self.vcenter = vcenter
        self.root_folder = root_folder
        """The root folder's moref: a container view lists what is below it, not itself."""
        self.by_moref = {record.obj.value: record for record in records}
        self.field_names: dict[str, str] = {}
        for record in records:
            if record.obj.type == "CustomFieldsManager":
                for definition in as_list(record.properties.get("field")):
                    self.field_names[str(definition.get("key"))] = str(definition.get("name"))
        self.vm_folders = {
            _moref(r.properties.get("vmFolder")) for r in records if r.obj.type == "Datacenter"
        }
        self._datacenter_below: dict[str | None, str | None] = {}
        self._cluster_of: dict[str, str | None] = {}
        self._folder_paths: dict[str | None, str | None] = {}
        self._host_placements: dict[Any, tuple[str | None, str | None]] = {}

    def build(self, alarms: Sequence[TriggeredAlarm] = ()) -> VCenterInventory:
        by_kind: dict[str, list[RawObject]] = {}
        for record in self.by_moref.values():
            by_kind.setdefault(record.obj.type, []).append(record)

        def of_kind(kind: str) -> list[RawObject]:
            return by_kind.get(kind, [])

        return VCenterInventory(
            vcenter=self.vcenter,
            datacenters=[
                Datacenter(
                    self.vcenter.instance_uuid, r.obj.value, _name(r), self._datacenter_path(r)
                )
                for r in of_kind("Datacenter")
            ],
            clusters=[self._cluster(r) for r in of_kind("ClusterComputeResource")],
            hosts=[self._host(r) for r in of_kind("HostSystem")],
            vms=[self._vm(r) for r in of_kind("VirtualMachine")],
            datastores=[self._datastore(r) for r in of_kind("Datastore")],
            alarms=list(alarms),
        )

    def _record(self, reference: Any) -> RawObject | None:
        return self.by_moref.get(_moref(reference)) if reference is not None else None

    def _parent(self, moref: str) -> RawObject | None:
        parent = self._parent_key(moref)
        return self.by_moref.get(parent) if parent is not None else None

    def _datacenter_name(self, moref: str) -> str | None:
        """The datacenter above ``moref``; worked out once per parent (10,000 VMs share a few
        folders)."""
        return self._datacenter_below_parent(self._parent_key(moref))

    def _datacenter_below_parent(self, parent: str | None) -> str | None:
        """The datacenter above the object whose parent is ``parent`` (a moref or None)."""
        if parent not in self._datacenter_below:
            self._datacenter_below[parent] = self._datacenter_above(parent)
        return self._datacenter_below[parent]

    def _parent_key(self, moref: str) -> str | None:
        """What ``_parent(moref)`` looks up: the parent's moref, None when there is none."""
        record = self.by_moref.get(moref)
        reference = record.properties.get("parent") if record else None
        return _moref(reference) if reference is not None else None

    def _datacenter_above(self, parent: str | None) -> str | None:
        ancestor = self.by_moref.get(parent) if parent is not None else None
        while ancestor is not None:
            if ancestor.obj.type == "Datacenter":
                return _text(ancestor, "name")
            ancestor = self._parent(ancestor.obj.value)
        return None

    def _datacenter_path(self, datacenter: RawObject) -> str | None:
        """``/Folder/Sub/DC``: the folders above the datacenter, below the root folder."""
        if "parent" not in datacenter.properties:
            return None
        names = [_name(datacenter)]
        parent = datacenter.properties["parent"]
        while parent is not None and _moref(parent) != self.root_folder:
            folder = self._record(parent)
            if folder is None or folder.obj.type != "Folder":
                return None  # a parent that was not read: the path is not known
            parent = folder.properties.get("parent")
            if parent is None:
                break  # the root folder itself (not in paths)
            names.append(_name(folder))
        return "/" + "/".join(reversed(names))

    def _cluster_of_host(self, host_moref: str) -> str | None:
        if host_moref not in self._cluster_of:
            self._cluster_of[host_moref] = self._cluster_above(host_moref)
        return self._cluster_of[host_moref]

    def _cluster_above(self, host_moref: str) -> str | None:
        parent = self._parent(host_moref)
        if parent is not None and parent.obj.type == "ClusterComputeResource":
            return _text(parent, "name")
        return None

    def _folder_path(self, parent: str | None) -> str | None:
        """The VM folder path below the parent ``parent``; worked out once per parent folder."""
        if parent not in self._folder_paths:
            self._folder_paths[parent] = self._path_of_folder(parent)
        return self._folder_paths[parent]

    def _path_of_folder(self, parent: str | None) -> str | None:
        names: list[str] = []
        folder = self.by_moref.get(parent) if parent is not None else None
        while folder is not None and folder.obj.type == "Folder":
            if folder.obj.value in self.vm_folders:
                return "/".join(reversed(names))
            names.append(_name(folder))
            folder = self._parent(folder.obj.value)
        return None  # not below a datacenter's VM folder (a vApp member, or unreadable)

    def _host_placement(self, reference: Any) -> tuple[str | None, str | None]:
        """(cluster name, host name) of a VM's ``runtime.host``; worked out once per host."""
        key = _moref(reference) if reference is not None else None
        placement = self._host_placements.get(key)
        if placement is None:
            record = self.by_moref.get(key) if key is not None else None
            placement = (
                (self._cluster_of_host(record.obj.value), _text(record, "name"))
                if record
                else (None, None)
            )
            self._host_placements[key] = placement
        return placement

    def _cluster(self, record: RawObject) -> Cluster:
        config = record.properties.get("configurationEx")
        das = _field(config, "dasConfig")
        drs = _field(config, "drsConfig")
        total_memory = _int(record, "summary.totalMemory")
        return Cluster(
            self.vcenter.instance_uuid,
            record.obj.value,
            _name(record),
            self._datacenter_name(record.obj.value),
            ha_enabled=_flag(das, "enabled"),
            ha_admission_control=_flag(das, "admissionControlEnabled"),
            drs_enabled=_flag(drs, "enabled"),
            drs_behavior=_word(drs, "defaultVmBehavior"),
            hosts=_int(record, "summary.numHosts"),
            effective_hosts=_int(record, "summary.numEffectiveHosts"),
            cpu_capacity_mhz=_int(record, "summary.totalCpu"),
            effective_cpu_mhz=_int(record, "summary.effectiveCpu"),
            memory_capacity_mb=total_memory // MIB if total_memory is not None else None,
            effective_memory_mb=_int(record, "summary.effectiveMemory"),
        )

    def _datastore(self, record: RawObject) -> Datastore:
        return Datastore(
            vcenter=self.vcenter.instance_uuid,
            moref=record.obj.value,
            name=_name(record),
            datacenter=self._datacenter_name(record.obj.value),
            type=_text(record, "summary.type"),
            capacity_bytes=_int(record, "summary.capacity"),
            free_bytes=_int(record, "summary.freeSpace"),
            accessible=_bool(record, "summary.accessible"),
            maintenance_mode=_text(record, "summary.maintenanceMode"),
        )

    def _host(self, record: RawObject) -> Host:
        props = record.properties
        health = props.get("runtime.healthSystemRuntime")
        mhz, cores = (
            _int(record, "summary.hardware.cpuMhz"),
            _int(record, "summary.hardware.numCpuCores"),
        )
        memory = _int(record, "summary.hardware.memorySize")
        return Host(
            vcenter=self.vcenter.instance_uuid,
            moref=record.obj.value,
            name=_name(record),
            datacenter=self._datacenter_name(record.obj.value),
            cluster=self._cluster_of_host(record.obj.value),
            version=_text(record, "summary.config.product.version"),
            build=_text(record, "summary.config.product.build"),
            connection_state=_text(record, "runtime.connectionState"),
            in_maintenance_mode=_bool(record, "runtime.inMaintenanceMode"),
            power_state=_text(record, "runtime.powerState"),
            cpu_usage_mhz=_int(record, "summary.quickStats.overallCpuUsage"),
            cpu_capacity_mhz=mhz * cores if mhz is not None and cores is not None else None,
            memory_usage_mb=_int(record, "summary.quickStats.overallMemoryUsage"),
            memory_capacity_mb=memory // MIB if memory is not None else None,
            sensors_reported=True if isinstance(health, dict) else None,
            sensor_alerts=sensor_alerts(health),
        )

    def _vm(self, record: RawObject) -> VirtualMachine:
        props = record.properties
        get = props.get
        by_moref = self.by_moref
        cluster, host = self._host_placement(get("runtime.host"))
        pool_record = self._record(get("resourcePool"))
        vapp = self._record(get("parentVApp"))
        parent_ref = get("parent")
        # The VM's own parent, as _parent_key(record.obj.value) reads it (the record is the one
        # by_moref holds under its moref: build() walks by_moref).
        parent_key = _moref(parent_ref) if parent_ref is not None else None
        parent = by_moref.get(parent_key) if parent_key is not None else None
        (
            name,
            instance_uuid,
            bios_uuid,
            power_state,
            connection_state,
            guest_id,
            guest_os_configured,
            guest_os_running,
            guest_hostname,
            ip_address,
            tools_status,
            tools_version_status,
            tools_running_status,
            tools_version,
            hardware_version,
            annotation,
            guest_id_running,
        ) = [
            value if value is None or type(value) is str else str(value)
            for value in map(get, _VM_TEXT_PATHS)
        ]
        num_cpu, memory_mb, ballooned, swapped = [
            int(value) if value is not None else None for value in map(get, _VM_INT_PATHS)
        ]
        return VirtualMachine(
            vcenter=self.vcenter.instance_uuid,
            moref=record.obj.value,
            name=name or record.obj.value,
            instance_uuid=instance_uuid,
            bios_uuid=bios_uuid,
            datacenter=self._datacenter_below_parent(parent_key),
            cluster=cluster,
            host=host,
            resource_pool=_text(pool_record, "name") if pool_record else None,
            folder=self._folder_path(parent_key),
            power_state=power_state,
            connection_state=connection_state,
            template=bool(get("config.template") or False),
            guest_id=guest_id,
            guest_os_configured=guest_os_configured,
            guest_os_running=guest_os_running,
            guest_hostname=guest_hostname,
            ip_address=ip_address,
            tools_status=tools_status,
            tools_version_status=tools_version_status,
            tools_running_status=tools_running_status,
            tools_version=tools_version,
            hardware_version=hardware_version,
            boot_time=_time(get("runtime.bootTime")),
            num_cpu=num_cpu,
            memory_mb=memory_mb,
            annotation=annotation or "",
            custom_attributes=self._custom_attributes(get("customValue")),
            snapshots=list(_flatten_snapshots(get("snapshot"))),
            folder_moref=parent.obj.value if parent and parent.obj.type == "Folder" else None,
            vapp=_name(vapp) if vapp is not None else None,
            config_unset=_config_unset(record),
            create_date=_time(get("config.createDate")),
            guest_id_running=guest_id_running,
            datastores=[
                ref.value
                for ref in as_list(get("datastore"))
                if isinstance(ref, MoRef) and ref.value
            ],
            consolidation_needed=_bool(record, "runtime.consolidationNeeded"),
            ballooned_memory_mb=ballooned,
            swapped_memory_mb=swapped,
        )

    def _custom_attributes(self, values: Any) -> dict[str, str]:
        attributes: dict[str, str] = {}
        names = self.field_names
        for value in as_list(values):
            key = str(value.get("key"))
            name = names.get(key)
            if name is None:
                name = f"field-{key}"
            attributes[name] = str(value.get("value") or "")
        return dict(sorted(attributes.items()))


_VM_TEXT_PATHS = (
    "name",
    "config.instanceUuid",
    "config.uuid",
    "runtime.powerState",
    "runtime.connectionState",
    "config.guestId",
    "config.guestFullName",
    "guest.guestFullName",
    "guest.hostName",
    "guest.ipAddress",
    "guest.toolsStatus",
    "guest.toolsVersionStatus2",
    "guest.toolsRunningStatus",
    "guest.toolsVersion",
    "config.version",
    "config.annotation",
    "guest.guestId",
)
"""The VM's text properties, read as ``_text`` reads one, in the order ``_vm`` unpacks them."""
_VM_INT_PATHS = (
    "config.hardware.numCPU",
    "config.hardware.memoryMB",
    "summary.quickStats.balloonedMemory",
    "summary.quickStats.swappedMemory",
)
"""The VM's integer properties, read as ``_int`` reads one, in the order ``_vm`` unpacks them."""
_VM_CONFIG_PATHS = frozenset(path for path in VM_PROPERTIES if path.startswith("config."))
"""The ``config.*`` paths asked for: any of them back means config is set."""


def _flatten_snapshots(info: Any) -> Iterator[VmSnapshot]:
    """Depth-first walk of ``VirtualMachineSnapshotInfo.rootSnapshotList``."""
    if not isinstance(info, dict):
        return
    stack = [(tree, 0, "") for tree in reversed(as_list(info.get("rootSnapshotList")))]
    while stack:
        tree, depth, parent_path = stack.pop()
        name = str(tree.get("name") or "")
        path = f"{parent_path}/{name}"
        created = tree.get("createTime")
        yield VmSnapshot(
            moref=_moref(tree.get("snapshot")),
            name=name,
            created=parse_soap_time(created) if isinstance(created, str) else _time(created),
            depth=depth,
            path=path,
            description=str(tree.get("description") or ""),
        )
        children = as_list(tree.get("childSnapshotList"))
        stack.extend((child, depth + 1, path) for child in reversed(children))


def _config_unset(record: RawObject) -> bool:
    """No ``config.*`` property came back, and none was hidden by a permission fault."""
    if not _VM_CONFIG_PATHS.isdisjoint(record.properties):
        return False
    if any(path.startswith("config.") for path in record.properties):
        return False
    return not any(
        path.startswith("config.") and fault in _UNREADABLE
        for path, fault in record.missing.items()
    )


def _moref(reference: Any) -> str:
    return reference.value if isinstance(reference, MoRef) else ""


def _name(record: RawObject) -> str:
    return _text(record, "name") or record.obj.value


def _text(record: RawObject | None, path: str) -> str | None:
    value = record.properties.get(path) if record else None
    if value is None or type(value) is str:
        return value
    return str(value)


def _int(record: RawObject, path: str) -> int | None:
    value = record.properties.get(path)
    return int(value) if value is not None else None


def _bool(record: RawObject, path: str) -> bool | None:
    value = record.properties.get(path)
    return bool(value) if value is not None else None


def _field(value: Any, name: str) -> Any:
    return value.get(name) if isinstance(value, dict) else None


def _flag(value: Any, name: str) -> bool | None:
    """A boolean field of a complex value (untyped inside it: ``true`` as text)."""
    return as_bool(_field(value, name))


def _word(value: Any, name: str) -> str | None:
    word = _field(value, name)
    return str(word) if word is not None and not isinstance(word, dict | list) else None


def _time(value: Any) -> datetime | None:
    if not isinstance(value, datetime):
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)
