"""An ambiguous key never joins: a machine whose path, DNS name, name or moid fits two VMs is
left unjoined by that key (and reported so), while a key that fits one VM still joins.

The estate is a Horizon 8 pod over two vCenters, laid out as real ones are:
- vCenter East, datacenter ``DC01`` at the root: pool ``ic-w11`` (instant clones, one folder,
  with the ClonePrep internal VMs beside them and the golden image in ``Gold``) and pool
  ``fc-w10`` (dedicated full clones). Two full clones are still being customised and report
  the golden image's host name (before sysprep); an administrator cloned ``fc-w10-002`` into
  ``Archive`` before rebuilding it (one name in two folders).
- vCenter West, the recovery site, also with ``DC01`` at the root: Site Recovery Manager
  placeholders of the protected full clones, same names and folder, powered off, no guest.
  Each vCenter numbers its own morefs, so ``vm-1001`` exists in both.
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import UTC, datetime
from typing import Any

import pytest
from support.fleet_builders import POD, machine, pool, vm

from fleetreport.collect.horizon.collector import HorizonInventory
from fleetreport.collect.join import VmIndex, join_machines
from fleetreport.collect.run import _assemble, _Gathered
from fleetreport.collect.vcenter.inventory import VCenterInventory
from fleetreport.snapshot.model import (
    Datacenter,
    HorizonPod,
    HorizonVCenter,
    Machine,
    Snapshot,
    VCenter,
    VirtualMachine,
)

EAST = "11111111-aaaa-4000-8000-000000000001"
WEST = "22222222-bbbb-4000-8000-000000000002"
HZ_EAST, HZ_WEST = "hz-vc-east", "hz-vc-west"
DOMAIN = "corp.example.test"
FINISHED = datetime(2026, 11, 27, 6, 0, tzinfo=UTC)

DATACENTERS = [
    Datacenter(EAST, "datacenter-3", "DC01", "/DC01"),
    Datacenter(WEST, "datacenter-3", "DC01", "/DC01"),
]


def east(name: str, moref: str, folder: str, **overrides: Any) -> VirtualMachine:
    """A VM of vCenter East, powered on with its own host name unless overridden."""
    values: dict[str, Any] = dict(
        vcenter=EAST, datacenter="DC01", folder=folder, guest_hostname=f"{name}.{DOMAIN}"
    )
    values.update(overrides)
    return vm(name, moref, **values)


def placeholder(name: str, moref: str) -> VirtualMachine:
    """An SRM placeholder in vCenter West: the protected VM's name and folder, no guest."""
    return vm(
        name,
        moref,
        vcenter=WEST,
        datacenter="DC01",
        folder="VDI/FC-W10",
        power_state="poweredOff",
        guest_hostname=None,
        boot_time=None,
    )


GOLD_W10_HOST = f"W10-GOLD.{DOMAIN}"
VMS = [
    # Pool ic-w11: instant clones in one folder, Horizon's internal VMs in theirs.
    east("W11-GOLD", "vm-900", "Gold", power_state="poweredOff", guest_hostname=None),
    east("cp-template-5f1c", "vm-901", "ClonePrepInternalTemplateFolder", template=True),
    east("cp-replica-5f1c", "vm-902", "ClonePrepReplicaVmFolder", power_state="poweredOff"),
    east("cp-parent-5f1c-esx01", "vm-903", "ClonePrepParentVmFolder", guest_hostname=None),
    *(east(f"ic-w11-00{n}", f"vm-100{n + 4}", "VDI/IC-W11") for n in range(1, 5)),
    # Pool fc-w10: dedicated full clones; 004 and 005 not yet through sysprep.
    east("fc-w10-001", "vm-1001", "VDI/FC-W10"),
    east("fc-w10-002", "vm-1002", "VDI/FC-W10"),
    east("fc-w10-003", "vm-1003", "VDI/FC-W10", power_state="poweredOff", guest_hostname=None),
    east("fc-w10-005", "vm-1015", "VDI/FC-W10", guest_hostname=GOLD_W10_HOST),
    east("fc-w10-004", "vm-1014", "VDI/FC-W10", guest_hostname=GOLD_W10_HOST),
    # A copy taken before a rebuild: the same name in another folder, powered off.
    east("fc-w10-002", "vm-1020", "Archive", power_state="poweredOff", guest_hostname=None),
    # vCenter West: SRM placeholders of the protected full clones.
    placeholder("fc-w10-001", "vm-1001"),
    placeholder("fc-w10-002", "vm-1002"),
    placeholder("fc-w10-003", "vm-1003"),
]
MOREF = {(v.vcenter, v.folder, v.name): v.moref for v in VMS}


def horizon_machine(name: str, pool_id: str, **overrides: Any) -> Machine:
    """The machine as a Horizon 2111 server lists it: path, DNS name, no moid, not joined."""
    values: dict[str, Any] = dict(
        dns_name=f"{name}.{DOMAIN}",
        vm_path=f"/DC01/vm/{'VDI/IC-W11' if pool_id == 'ic-w11' else 'VDI/FC-W10'}/{name}",
        vm_moid=None,
        vcenter_id=HZ_EAST,
        vm_vcenter=None,
        vm_moref=None,
        join="none",
    )
    values.update(overrides)
    return machine(None, pool_id, name=name, **values)


def machines(**overrides: Any) -> list[Machine]:
    """Every machine of both pools (fc-w10-004/005 report the golden image's host name)."""
    listed = [horizon_machine(f"ic-w11-00{n}", "ic-w11", **overrides) for n in range(1, 5)]
    for n in range(1, 6):
        name = f"fc-w10-00{n}"
        dns = GOLD_W10_HOST if n >= 4 else f"{name}.{DOMAIN}"
        listed.append(horizon_machine(name, "fc-w10", **{"dns_name": dns, **overrides}))
    return listed


POOLS = [
    pool(
        "ic-w11",
        vcenter=EAST,
        vcenter_id=HZ_EAST,
        vm_folder_path="/DC01/vm/VDI/IC-W11",
        naming_pattern="ic-w11-{n:fixed=3}",
        parent_vm_id="vm-900",
    ),
    pool(
        "fc-w10",
        vcenter=EAST,
        vcenter_id=HZ_EAST,
        source="VIRTUAL_CENTER",
        user_assignment="DEDICATED",
        vm_folder_path="/DC01/vm/VDI/FC-W10",
        naming_pattern="fc-w10-{n:fixed=3}",
        parent_vm_id=None,
        base_snapshot_id=None,
    ),
]


def collect(listed: list[Machine], *, uuids_known: bool = True) -> Snapshot:
    """The snapshot a collection of both vCenters and the pod assembles; without
    ``uuids_known`` Horizon's vCenter records give no instance UUID (the VM's vCenter is
    then unknown and every vCenter is searched)."""
    inventories = [
        VCenterInventory(
            VCenter(uuid, f"vc-{site}.{DOMAIN}", f"https://vc-{site}/sdk", "8.0.3", "1", "VC", "8"),
            [dc for dc in DATACENTERS if dc.vcenter == uuid],
            [],
            [],
            [v for v in VMS if v.vcenter == uuid],
        )
        for uuid, site in ((EAST, "east"), (WEST, "west"))
    ]
    records = [
        HorizonVCenter(
            POD, hz_id, f"vc-{site}", uuid if uuids_known else None, "8.0.3", "1", True, "OK"
        )
        for hz_id, uuid, site in ((HZ_EAST, EAST, "east"), (HZ_WEST, WEST, "west"))
    ]
    pools = POOLS if uuids_known else [dataclasses.replace(p, vcenter=None) for p in POOLS]
    pod = HorizonInventory(HorizonPod(POD, f"https://{POD}/rest"), pools, listed, vcenters=records)
    return _assemble(_Gathered(vcenters=inventories, pods=[pod]), None, FINISHED)


def joins(snapshot: Snapshot) -> dict[str, tuple[str, str | None, str | None]]:
    """Each machine's join: how, and the (vCenter, folder) of the VM it was joined to."""
    where = {(v.vcenter, v.moref): (v.vcenter, v.folder) for v in snapshot.vms}
    out = {}
    for m in snapshot.machines:
        vcenter, folder = where.get((m.vm_vcenter or "", m.vm_moref or ""), (None, None))
        out[m.name] = (m.join, vcenter, folder)
    return out


def unjoined_warning(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The collection's warning lines counting machines with no VM."""
    return [r.getMessage() for r in caplog.records if "have no VM" in r.getMessage()]


# ------------------------------------------------------------------------------ paths
def test_unique_paths_join_and_the_vcenter_rules_out_recovery_placeholders(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    snapshot = collect(machines())
    got = joins(snapshot)
    for n in range(1, 5):
        assert got[f"ic-w11-00{n}"] == ("path", EAST, "VDI/IC-W11")
    for n in range(1, 6):  # fc-w10-001..003 have placeholders in West; 002 a copy in Archive
        assert got[f"fc-w10-00{n}"] == ("path", EAST, "VDI/FC-W10")
    assert snapshot.unmatched_vms == []
    assert unjoined_warning(caplog) == []


def test_a_path_in_two_vcenters_never_joins(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    snapshot = collect(machines(), uuids_known=False)
    got = joins(snapshot)
    # The path and the name fit the VM and its placeholder: the unique DNS name decides.
    assert got["fc-w10-001"] == ("dns_name", EAST, "VDI/FC-W10")
    assert got["fc-w10-002"] == ("dns_name", EAST, "VDI/FC-W10")
    # Powered off, no guest host name: path and name fit two VMs, so no VM at all.
    assert got["fc-w10-003"] == ("none", None, None)
    # Without a placeholder the path fits one VM and joins.
    assert got["ic-w11-001"] == ("path", EAST, "VDI/IC-W11")
    assert got["fc-w10-004"] == ("path", EAST, "VDI/FC-W10")
    assert unjoined_warning(caplog) == ["1 Horizon machine(s) have no VM in the collected vCenters"]


# ------------------------------------------------------------------------------ DNS names
def test_clones_sharing_a_host_name_before_sysprep_are_not_joined_by_it() -> None:
    # A server without paths: 004 and 005 report the same host name, their names differ.
    snapshot = collect(machines(vm_path=None))
    got = joins(snapshot)
    assert got["fc-w10-004"] == got["fc-w10-005"] == ("name", EAST, "VDI/FC-W10")
    by_name = {m.name: m.vm_moref for m in snapshot.machines}
    assert (by_name["fc-w10-004"], by_name["fc-w10-005"]) == ("vm-1014", "vm-1015")
    # A host name that fits one VM joins by it.
    assert got["ic-w11-002"] == ("dns_name", EAST, "VDI/IC-W11")


def test_a_shared_host_name_with_no_other_key_leaves_the_machine_unjoined(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    # The agent reports the golden image's host name; the Horizon name is not the VM's yet.
    customising = [
        horizon_machine(f"w10-gold-{n}", "fc-w10", vm_path=None, dns_name=GOLD_W10_HOST)
        for n in (1, 2)
    ]
    snapshot = collect(customising)
    assert [(m.join, m.vm_moref) for m in snapshot.machines] == [("none", None)] * 2
    assert unjoined_warning(caplog) == ["2 Horizon machine(s) have no VM in the collected vCenters"]
    stray = {u.moref for u in snapshot.unmatched_vms if u.vcenter == EAST}
    assert {"vm-1014", "vm-1015"} <= stray  # neither clone is claimed by a guess


# ------------------------------------------------------------------------------ names
def test_one_name_in_two_folders_never_joins(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING)
    # A server without paths; the machine is powered off, so its DNS name fits no guest.
    listed = machines(vm_path=None)
    listed = [
        dataclasses.replace(m, dns_name=None) if m.name == "fc-w10-002" else m for m in listed
    ]
    snapshot = collect(listed)
    got = joins(snapshot)
    assert got["fc-w10-002"] == ("none", None, None)
    assert unjoined_warning(caplog) == ["1 Horizon machine(s) have no VM in the collected vCenters"]
    # Its desktop in the pool's folder is reported as claimed by no machine; the copy is not.
    assert [(u.moref, u.pool_id) for u in snapshot.unmatched_vms] == [("vm-1002", "fc-w10")]


def test_one_name_in_two_vcenters_joins_only_where_horizon_says() -> None:
    powered_off = machines(vm_path=None, dns_name=None)
    known = joins(collect(powered_off))
    unknown = joins(collect(powered_off, uuids_known=False))
    for n in (1, 2, 3):  # 002 also has its Archive copy, in East itself
        name = f"fc-w10-00{n}"
        assert unknown[name] == ("none", None, None), name
        assert known[name] == (("none", None, None) if n == 2 else ("name", EAST, "VDI/FC-W10"))
    assert unknown["ic-w11-003"] == known["ic-w11-003"] == ("name", EAST, "VDI/IC-W11")


def test_a_template_sharing_a_name_is_no_candidate() -> None:
    # cp-template-5f1c is a template; a VM of the same name elsewhere is still unique.
    twin = east("cp-template-5f1c", "vm-1030", "VDI/IC-W11")
    index = VmIndex([*VMS, twin], DATACENTERS)
    found = horizon_machine("cp-template-5f1c", "ic-w11", vm_path=None, dns_name=None)
    (joined,) = join_machines([found], index, {(POD, HZ_EAST): EAST})
    assert (joined.join, joined.vm_moref) == ("name", "vm-1030")


# ------------------------------------------------------------------------------ moids
def test_the_moid_wins_over_ambiguous_paths_and_names() -> None:
    # Horizon 2306+ gives vm_moid; vm-1002 is fc-w10-002 in East and its placeholder in West.
    listed = [
        dataclasses.replace(m, vm_moid=MOREF[(EAST, "VDI/FC-W10", m.name)], dns_name=None)
        for m in machines()
        if m.pool_id == "fc-w10"
    ]
    got = joins(collect(listed))
    for n in range(1, 6):
        assert got[f"fc-w10-00{n}"] == ("vm_moid", EAST, "VDI/FC-W10")


def test_a_moid_in_two_vcenters_never_joins_when_the_vcenter_is_unknown() -> None:
    listed = [
        dataclasses.replace(m, vm_moid=MOREF[(EAST, "VDI/FC-W10", m.name)])
        for m in machines()
        if m.pool_id == "fc-w10"
    ]
    got = joins(collect(listed, uuids_known=False))
    for n in (1, 2, 3):  # vm-1001..1003 are numbered in both vCenters
        assert got[f"fc-w10-00{n}"] == ("none", None, None)
    for n in (4, 5):  # vm-1014, vm-1015 exist in East only
        assert got[f"fc-w10-00{n}"] == ("vm_moid", EAST, "VDI/FC-W10")
