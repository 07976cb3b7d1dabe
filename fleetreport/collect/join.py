"""Join Horizon machines to vCenter VMs, and golden images to their snapshots.

The exact key is ``(vCenter instance UUID, vm_moid)`` (machines v5 and later). Older
servers give no moid: the VM is then found by its path, DNS name or name, and each machine
says how it was joined. Both directions of a failed join are reported: a machine with no VM
(``join == "none"``) and a VM in a pool's folder that no machine claims (``unmatched_vms``).
"""

from __future__ import annotations

import dataclasses
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime

from fleetreport.snapshot.model import DesktopPool, Machine, UnmatchedVm, VirtualMachine

log = logging.getLogger(__name__)


class VmIndex:
    """Look-ups of VMs by moref, path, DNS name and name, per vCenter."""

    def __init__(self, vms: Sequence[VirtualMachine]) -> None:
        self.by_moref = {(vm.vcenter, vm.moref): vm for vm in vms}
        self.by_path: dict[str, list[VirtualMachine]] = defaultdict(list)
        self.by_dns: dict[str, list[VirtualMachine]] = defaultdict(list)
        self.by_name: dict[str, list[VirtualMachine]] = defaultdict(list)
        for vm in vms:
            if vm.template:
                continue
            self.by_path[vm_path(vm)].append(vm)
            if vm.guest_hostname:
                self.by_dns[vm.guest_hostname.lower()].append(vm)
            self.by_name[vm.name.lower()].append(vm)

    def unique(
        self, table: dict[str, list[VirtualMachine]], key: str | None, vcenter: str | None
    ) -> VirtualMachine | None:
        """The one VM under ``key`` (in ``vcenter`` when known); None if none or several."""
        if not key:
            return None
        found = [vm for vm in table.get(key, ()) if vcenter is None or vm.vcenter == vcenter]
        return found[0] if len(found) == 1 else None


def vm_path(vm: VirtualMachine) -> str:
    """The VM's inventory path as Horizon writes it: ``/DC/vm/Folder/Sub/name``."""
    folder = f"/{vm.folder}" if vm.folder else ""
    return f"/{vm.datacenter}/vm{folder}/{vm.name}"


def join_machines(
    machines: Iterable[Machine], index: VmIndex, vcenter_uuids: dict[tuple[str, str], str]
) -> list[Machine]:
    """Each machine with ``vm_vcenter``, ``vm_moref`` and ``join`` filled in."""
    joined = []
    for machine in machines:
        vcenter = vcenter_uuids.get((machine.pod, machine.vcenter_id or ""))
        vm, how = _find_vm(machine, index, vcenter)
        if vm is None:
            joined.append(dataclasses.replace(machine, join="none"))
        else:
            joined.append(
                dataclasses.replace(machine, vm_vcenter=vm.vcenter, vm_moref=vm.moref, join=how)
            )
    return joined


def _find_vm(
    machine: Machine, index: VmIndex, vcenter: str | None
) -> tuple[VirtualMachine | None, str]:
    if machine.vm_moid:
        if vcenter is not None:
            return index.by_moref.get((vcenter, machine.vm_moid)), "vm_moid"
        candidates = [vm for (_, moref), vm in index.by_moref.items() if moref == machine.vm_moid]
        return (candidates[0], "vm_moid") if len(candidates) == 1 else (None, "none")
    for table, key, how in (
        (index.by_path, machine.vm_path, "path"),
        (index.by_dns, (machine.dns_name or "").lower(), "dns_name"),
        (index.by_name, machine.name.lower(), "name"),
    ):
        vm = index.unique(table, key, vcenter)
        if vm is not None:
            return vm, how
    return None, "none"


def golden_image_times(pools: Iterable[DesktopPool], index: VmIndex) -> list[DesktopPool]:
    """Each pool with the creation time of its base snapshot, found in vCenter."""
    out = []
    for pool in pools:
        created = _snapshot_created(pool, index)
        out.append(dataclasses.replace(pool, golden_image_created=created))
    return out


def _snapshot_created(pool: DesktopPool, index: VmIndex) -> datetime | None:
    if not pool.base_snapshot_id or not pool.parent_vm_id:
        return None
    if pool.vcenter:
        parents = [index.by_moref.get((pool.vcenter, pool.parent_vm_id))]
    else:
        parents = [vm for (_, m), vm in index.by_moref.items() if m == pool.parent_vm_id]
    for parent in parents:
        for snapshot in parent.snapshots if parent else ():
            if snapshot.moref == pool.base_snapshot_id:
                return snapshot.created
    return None


def unmatched_vms(
    pools: Iterable[DesktopPool], machines: Iterable[Machine], vms: Iterable[VirtualMachine]
) -> list[UnmatchedVm]:
    """VMs sitting in a pool's folder that no machine is joined to."""
    claimed = {(m.vm_vcenter, m.vm_moref) for m in machines if m.vm_moref}
    folders = {
        (pool.vcenter, pool.vm_folder_path.rstrip("/")): pool
        for pool in pools
        if pool.vm_folder_path and pool.vcenter
    }
    found = []
    for vm in vms:
        if vm.template or (vm.vcenter, vm.moref) in claimed:
            continue
        folder = f"/{vm.datacenter}/vm/{vm.folder}" if vm.folder else f"/{vm.datacenter}/vm"
        pool = folders.get((vm.vcenter, folder))
        if pool is not None:
            found.append(UnmatchedVm(vm.vcenter, vm.moref, vm.name, pool.id))
    return found
