"""Collection on estates shaped like real ones: nested datacenters, vApps, inaccessible VMs,
pool folders at a datacenter's root, pre-v10 folder ids, and full inventory paths."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from typing import Any

import pytest
from support.fleet_builders import machine, pool
from support.snapshots import VC_UUID, make_vm

from fleetreport.collect.horizon import records
from fleetreport.collect.join import VmIndex, join_machines, naming_regex, unmatched_vms
from fleetreport.collect.vcenter.inventory import _InventoryBuilder
from fleetreport.collect.vcenter.soap_stream import MoRef, RawObject
from fleetreport.snapshot.model import Datacenter, VCenter

VCENTER = VCenter(VC_UUID, "vc01.example.test", "https://vc01/sdk", "8.0.3", "1", "VMware", "8.0")


def raw(kind: str, moref: str, missing: dict[str, str] | None = None, **props: Any) -> RawObject:
    """A PropertyCollector record; ``parent="Folder:group-d1"`` style references."""
    properties = {
        key.replace("__", "."): MoRef(*value.split(":")) if key in _REFS else value
        for key, value in props.items()
        if value is not None
    }
    return RawObject(MoRef(kind, moref), properties, missing or {})


_REFS = {"parent", "parentVApp", "vmFolder", "resourcePool", "runtime__host"}

# rootFolder > Region-East > Tier1 > DC-East > vm > VDI > (vm-1); a vApp with vm-2; vm-3 unset
INVENTORY = [
    raw("Folder", "group-d1", name="Datacenters"),
    raw("Folder", "group-f1", name="Region-East", parent="Folder:group-d1"),
    raw("Folder", "group-f2", name="Tier1", parent="Folder:group-f1"),
    raw(
        "Datacenter",
        "datacenter-3",
        name="DC-East",
        parent="Folder:group-f2",
        vmFolder="Folder:group-v4",
    ),
    raw(
        "Datacenter",
        "datacenter-9",
        name="DC-Top",
        parent="Folder:group-d1",
        vmFolder="Folder:group-v9",
    ),
    raw("Folder", "group-v4", name="vm", parent="Datacenter:datacenter-3"),
    raw("Folder", "group-v9", name="vm", parent="Datacenter:datacenter-9"),
    raw("Folder", "group-v5", name="VDI", parent="Folder:group-v4"),
    raw("ResourcePool", "resgroup-7", name="Resources"),
    raw("VirtualApp", "resgroup-v8", name="Legacy-App"),
    raw(
        "VirtualMachine",
        "vm-1",
        name="W11-001",
        parent="Folder:group-v5",
        config__template=False,
        config__version="vmx-19",
        config__createDate=datetime(2026, 3, 1, 8, 0, tzinfo=UTC),
    ),
    raw(
        "VirtualMachine",
        "vm-2",
        name="app-db",
        parentVApp="VirtualApp:resgroup-v8",
        resourcePool="VirtualApp:resgroup-v8",
        config__template=False,
    ),
    raw(
        "VirtualMachine",
        "vm-3",
        name="[ds1] W11-003/W11-003.vmx",
        parent="Folder:group-v5",
        runtime__connectionState="inaccessible",
    ),
    raw(
        "VirtualMachine",
        "vm-4",
        name="hidden",
        parent="Folder:group-v9",
        missing={"config.template": "NoPermission", "config.version": "NoPermission"},
    ),
]


def test_inventory_builder_reads_paths_vapps_unset_config_and_create_date() -> None:
    inventory = _InventoryBuilder(VCENTER, INVENTORY).build()
    assert {(d.name, d.path) for d in inventory.datacenters} == {
        ("DC-East", "/Region-East/Tier1/DC-East"),
        ("DC-Top", "/DC-Top"),
    }
    vms = {vm.moref: vm for vm in inventory.vms}
    assert (vms["vm-1"].folder, vms["vm-1"].folder_moref, vms["vm-1"].vapp) == (
        "VDI",
        "group-v5",
        None,
    )
    assert vms["vm-1"].create_date == datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    assert vms["vm-1"].datacenter == "DC-East" and not vms["vm-1"].config_unset
    assert (vms["vm-2"].folder, vms["vm-2"].folder_moref, vms["vm-2"].vapp) == (
        None,
        None,
        "Legacy-App",
    )
    assert vms["vm-2"].resource_pool == "Legacy-App"
    assert vms["vm-3"].config_unset and vms["vm-3"].name == "[ds1] W11-003/W11-003.vmx"
    assert vms["vm-3"].create_date is None and vms["vm-3"].hardware_version is None
    assert not vms["vm-4"].config_unset  # hidden by a permission fault: not known to be unset
    assert {m for m, vm in vms.items() if vm.config_unset} == {"vm-3"}


def test_datacenter_path_below_a_root_folder_the_view_does_not_list() -> None:
    """A container view holds what is below the root folder, not the root folder itself."""
    listed = [r for r in INVENTORY if r.obj.value != "group-d1"]
    inventory = _InventoryBuilder(VCENTER, listed, root_folder="group-d1").build()
    assert {(d.name, d.path) for d in inventory.datacenters} == {
        ("DC-East", "/Region-East/Tier1/DC-East"),
        ("DC-Top", "/DC-Top"),
    }


def test_datacenter_path_unknown_when_a_parent_was_not_read() -> None:
    partial = [r for r in INVENTORY if r.obj.value != "group-f1"]
    inventory = _InventoryBuilder(VCENTER, partial).build()
    assert {(d.name, d.path) for d in inventory.datacenters} == {
        ("DC-East", None),
        ("DC-Top", "/DC-Top"),
    }


# ------------------------------------------------------------------ Horizon records
def test_pattern_pool_fields_from_a_2512_record() -> None:
    record = {
        "id": "p1",
        "naming_method": "PATTERN",
        "pattern_naming_settings": {
            "naming_pattern": "W11-{n:fixed=3}",
            "number_of_spare_machines": 2,
        },
        "provisioning_settings": {"vm_folder_id": "group-v5", "vm_folder_path": "/DC/vm/VDI"},
    }
    built = records.desktop_pool("pod", record, {})
    assert (built.naming_method, built.spare_machines, built.vm_folder_id) == (
        "PATTERN",
        2,
        "group-v5",
    )


def test_specified_names_pool_spares_and_pre_v5_naming_method() -> None:
    record = {  # desktop-pools v2-v4: no naming_method, no vm_folder_path
        "id": "p2",
        "specific_naming_settings": {
            "num_machines": 5,
            "num_unassigned_machines_kept_powered_on": 1,
        },
        "provisioning_settings": {"vm_folder_id": "group-v7"},
    }
    built = records.desktop_pool("pod", record, {})
    assert (built.naming_method, built.spare_machines) == ("SPECIFIED", 1)
    assert (built.vm_folder_id, built.vm_folder_path) == ("group-v7", None)
    manual = records.desktop_pool("pod", {"id": "p3", "type": "MANUAL"}, {})
    assert (manual.naming_method, manual.spare_machines, manual.vm_folder_id) == (None, None, None)


def test_farm_folder_id_and_naming() -> None:
    record = {
        "id": "f1",
        "automated_farm_settings": {
            "pattern_naming_settings": {"naming_pattern": "RDSH-{n}"},
            "provisioning_settings": {"vm_folder_id": "group-v30"},
        },
    }
    built = records.farm("pod", record, {})
    assert (built.naming_method, built.vm_folder_id, built.spare_machines) == (
        "PATTERN",
        "group-v30",
        None,
    )


def test_machine_last_maintenance_time_and_bad_types() -> None:
    good = records.machine(
        "pod", {"id": "m", "managed_machine_data": {"last_maintenance_time": 1_767_225_600_000}}
    )
    assert good.last_maintenance_time == datetime(2026, 1, 1, tzinfo=UTC)
    bad = records.machine(
        "pod", {"id": "m", "managed_machine_data": {"last_maintenance_time": "soon"}}
    )
    assert bad.last_maintenance_time is None


# --------------------------------------------------------------------- naming patterns
@pytest.mark.parametrize(
    ("pattern", "fits", "does_not_fit"),
    [
        ("W11-{n:fixed=3}", {"W11-001", "w11-042"}, {"W11-1", "W11-0001", "W11-abc", "XW11-001"}),
        ("IC-{n}-Fin", {"IC-1-Fin", "IC-120-Fin"}, {"IC--Fin", "IC-1-Fin2"}),
        ("lab-ws-", {"lab-ws-1", "lab-ws-17"}, {"lab-ws-", "lab-ws-x"}),
        ("a.b{n}", {"a.b1"}, {"axb1"}),
    ],
)
def test_naming_pattern_to_regex(pattern: str, fits: set[str], does_not_fit: set[str]) -> None:
    regex = naming_regex(pattern)
    assert {name for name in fits | does_not_fit if regex.fullmatch(name)} == fits


# ------------------------------------------------------------------------- stray VMs
DC = Datacenter(VC_UUID, "datacenter-3", "DC-East", "/Region-East/DC-East")


def stray_ids(pools: list[Any], machines: list[Any], vms: list[Any]) -> set[tuple[str, str]]:
    return {(u.moref, u.pool_id) for u in unmatched_vms(pools, machines, vms, [DC])}


def vm_in(folder: str | None, moref: str, name: str, folder_moref: str | None, **kw: Any) -> Any:
    return make_vm(
        moref, name=name, datacenter="DC-East", folder=folder, folder_moref=folder_moref, **kw
    )


def test_stray_vms_by_folder_id_before_desktop_pools_v10() -> None:
    claimed = vm_in("VDI/W11", "vm-1", "W11-001", "group-v5")
    stray = vm_in("VDI/W11", "vm-2", "W11-002", "group-v5")
    elsewhere = vm_in("Servers", "vm-3", "W11-003", "group-v6")
    p = pool("p1", vm_folder_path=None, vm_folder_id="group-v5", naming_pattern="W11-{n:fixed=3}")
    assert stray_ids([p], [machine(claimed, "p1")], [claimed, stray, elsewhere]) == {("vm-2", "p1")}


@pytest.mark.parametrize("path", ["/Region-East/DC-East/vm/VDI/W11", "/DC-East/vm/VDI/W11/"])
def test_stray_vms_by_either_path_form(path: str) -> None:
    stray = vm_in("VDI/W11", "vm-2", "W11-002", "group-v5")
    other = vm_in("VDI/W10", "vm-3", "W10-002", "group-v6")
    p = pool("p1", vm_folder_path=path, naming_pattern="W11-{n:fixed=3}")
    assert stray_ids([p], [], [stray, other]) == {("vm-2", "p1")}


def test_pool_at_the_datacenter_root_lists_only_names_of_its_pattern() -> None:
    vms = [
        vm_in("", "vm-1", "W11-001", "group-v4"),  # the pool's naming: stray
        vm_in("", "vm-2", "SQL01", "group-v4"),  # a server beside the pool: not the pool's
        vm_in("", "vm-3", "W11-7", "group-v4"),  # not {n:fixed=3}
        vm_in("", "vm-4", "cp-parent-1234", "group-v4"),  # Horizon's own
        vm_in("", "vm-5", "vCLS-abc", "group-v4"),  # vSphere's own
        vm_in("", "vm-6", "W11-099", "group-v4", template=True),  # a template
        vm_in("", "vm-7", "W11-900", "group-v4"),  # the golden image
        vm_in(None, "vm-8", "W11-002", None, vapp="Legacy-App"),  # a vApp member
    ]
    by_path = pool(
        "p1",
        vm_folder_path="/Region-East/DC-East/vm",
        naming_pattern="W11-{n:fixed=3}",
        parent_vm_id="vm-7",
    )
    assert stray_ids([by_path], [], vms) == {("vm-1", "p1")}
    by_id = dataclasses.replace(by_path, vm_folder_path=None, vm_folder_id="group-v4")
    assert stray_ids([by_id], [], vms) == {("vm-1", "p1")}
    specified = dataclasses.replace(by_id, naming_pattern=None, naming_method="SPECIFIED")
    assert stray_ids([specified], [], vms) == set()  # no pattern: nothing can be told at root


# ------------------------------------------------------------------------------ joins
def test_join_by_full_path_with_folders_above_the_datacenter() -> None:
    vm = vm_in("VDI/W11", "vm-2", "W11-002", "group-v5")
    twin = make_vm("vm-9", name="W11-002", datacenter="DC-West", folder="VDI/W11")
    index = VmIndex([vm, twin], [DC])
    wanted = {
        "/Region-East/DC-East/vm/VDI/W11/W11-002": "vm-2",
        "/DC-East/vm/VDI/W11/W11-002": "vm-2",
    }
    for path, moref in wanted.items():
        found = machine(
            None, "p1", name="desk", vm_path=path, vm_moid=None, dns_name=None, vm_moref=None
        )
        (joined,) = join_machines([found], index, {})
        assert (joined.join, joined.vm_moref) == ("path", moref)


def test_inaccessible_vm_is_joined_by_moid() -> None:
    lost = make_vm(
        "vm-3", name="[ds1] W11-003/W11-003.vmx", config_unset=True, connection_state="inaccessible"
    )
    horizon = machine(None, "p1", name="W11-003", vm_moid="vm-3", vm_moref=None)
    (joined,) = join_machines(
        [horizon], VmIndex([lost]), {("hzcs01.example.test", "hz-vc-1"): VC_UUID}
    )
    assert (joined.join, joined.vm_vcenter, joined.vm_moref) == ("vm_moid", VC_UUID, "vm-3")
