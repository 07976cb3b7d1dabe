"""The VM mapping of PropertyCollector records: hosts and pools read once, every field as read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from support.snapshots import VC_UUID

from fleetreport.collect.vcenter.inventory import _InventoryBuilder
from fleetreport.collect.vcenter.soap_stream import MoRef, RawObject
from fleetreport.snapshot.model import VCenter

VCENTER = VCenter(VC_UUID, "vc01.example.test", "https://vc01/sdk", "8.0.3", "1", "VMware", "8.0")


def raw(kind: str, moref: str, missing: dict[str, str] | None = None, **props: Any) -> RawObject:
    """A record; ``__`` in a keyword stands for a dot in the property path."""
    return RawObject(
        MoRef(kind, moref), {k.replace("__", "."): v for k, v in props.items()}, missing or {}
    )


RECORDS = [
    raw("Folder", "group-d1", name="Datacenters"),
    raw(
        "Datacenter",
        "datacenter-2",
        name="DC",
        parent=MoRef("Folder", "group-d1"),
        vmFolder=MoRef("Folder", "group-v3"),
    ),
    raw("Folder", "group-v3", name="vm", parent=MoRef("Datacenter", "datacenter-2")),
    raw("Folder", "group-v4", name="VDI", parent=MoRef("Folder", "group-v3")),
    raw("ClusterComputeResource", "domain-c5", name="Gold", parent=MoRef("Folder", "group-h9")),
    raw("HostSystem", "host-6", name="esx-06", parent=MoRef("ClusterComputeResource", "domain-c5")),
    raw("HostSystem", "host-7", name="esx-07", parent=MoRef("Folder", "group-h9")),
    raw("ResourcePool", "resgroup-8", name="Resources"),
    raw("CustomFieldsManager", "CustomFieldsManager", field=[{"key": "101", "name": "Owner"}]),
    raw(
        "VirtualMachine",
        "vm-1",
        name="W11-001",
        parent=MoRef("Folder", "group-v4"),
        resourcePool=MoRef("ResourcePool", "resgroup-8"),
        runtime__host=MoRef("HostSystem", "host-6"),
        config__hardware__numCPU=2,
        config__hardware__memoryMB="4096",
        guest__toolsVersion=12352,
        runtime__consolidationNeeded=False,
        runtime__bootTime=datetime(2026, 11, 1, 8, 0, tzinfo=UTC),
        customValue=[{"key": "101", "value": "alice"}, {"key": "7", "value": None}],
        datastore=[MoRef("Datastore", "ds-1"), MoRef("Datastore", "")],
    ),
    raw("VirtualMachine", "vm-2", name="W11-002", runtime__host=MoRef("HostSystem", "host-6")),
    raw("VirtualMachine", "vm-3", runtime__host=MoRef("HostSystem", "host-7")),
    raw("VirtualMachine", "vm-4", name="gone", runtime__host=MoRef("HostSystem", "host-404")),
    raw("VirtualMachine", "vm-5", name="files", config__files__vmPathName="[ds1] f/f.vmx"),
]


def test_vms_take_their_host_cluster_pool_folder_and_fields_as_read() -> None:
    vms = {vm.moref: vm for vm in _InventoryBuilder(VCENTER, RECORDS, "group-d1").build().vms}
    first = vms["vm-1"]
    assert (first.cluster, first.host, first.resource_pool) == ("Gold", "esx-06", "Resources")
    assert (first.datacenter, first.folder, first.folder_moref) == ("DC", "VDI", "group-v4")
    assert (first.num_cpu, first.memory_mb, first.tools_version) == (2, 4096, "12352")
    assert first.consolidation_needed is False and first.config_unset is False
    assert first.boot_time == datetime(2026, 11, 1, 8, 0, tzinfo=UTC)
    assert first.custom_attributes == {"Owner": "alice", "field-7": ""}
    assert first.datastores == ["ds-1"]
    assert (vms["vm-2"].cluster, vms["vm-2"].host) == ("Gold", "esx-06")  # the same host again
    assert (vms["vm-3"].cluster, vms["vm-3"].host) == (None, "esx-07")  # a standalone host
    assert (vms["vm-3"].name, vms["vm-3"].config_unset) == ("vm-3", True)  # no name: its moref
    assert (vms["vm-4"].cluster, vms["vm-4"].host, vms["vm-4"].datacenter) == (None, None, None)
    assert vms["vm-5"].config_unset is False  # a config.* path that is not asked for still counts
    assert vms["vm-2"].custom_attributes == {} and vms["vm-2"].snapshots == []
