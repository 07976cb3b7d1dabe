"""Join Horizon machines to vCenter VMs, and golden images to their snapshots.

The exact key is ``(vCenter instance UUID, vm_moid)`` (machines v5 and later). Older
servers give no moid: the VM is then found by its path, DNS name or name, and each machine
says how it was joined. Both directions of a failed join are reported: a machine with no VM
(``join == "none"``) and a VM in a pool's folder that no machine claims (``unmatched_vms``).
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import datetime
from functools import cached_property

from fleetreport.snapshot.model import (
    Datacenter,
    DesktopPool,
    Machine,
    UnmatchedVm,
    VirtualMachine,
)
from fleetreport.snapshot.roles import golden_image_keys, vm_role

log = logging.getLogger(__name__)


class VmIndex:
    """Look-ups of VMs by moref, path, DNS name and name, per vCenter.

    Paths are indexed in both forms Horizon writes: ``/DC/vm/...`` and, where the datacenter
    sits in folders, ``/Region/DC/vm/...`` (``Datacenter.path``). The tables are built on first
    use: a collection without Horizon machines or pools never looks a VM up.
    """

    def __init__(self, vms: Sequence[VirtualMachine], datacenters: Sequence[Datacenter] = ()):
        self._vms = vms
        self.datacenter_paths = datacenter_paths(datacenters)

    @cached_property
    def by_moref(self) -> dict[tuple[str, str], VirtualMachine]:
        """VMs by (vCenter, moref)."""
        return {(vm.vcenter, vm.moref): vm for vm in self._vms}

    @cached_property
    def by_path(self) -> dict[str, list[VirtualMachine]]:
        """VMs (not templates) by inventory path, both forms."""
        found: dict[str, list[VirtualMachine]] = defaultdict(list)
        for vm in self._desktop_candidates:
            for path in vm_paths(vm, self.datacenter_paths):
                found[path].append(vm)
        return found

    @cached_property
    def by_dns(self) -> dict[str, list[VirtualMachine]]:
        """VMs (not templates) by guest host name, lower case."""
        found: dict[str, list[VirtualMachine]] = defaultdict(list)
        for vm in self._desktop_candidates:
            if vm.guest_hostname:
                found[vm.guest_hostname.lower()].append(vm)
        return found

    @cached_property
    def by_name(self) -> dict[str, list[VirtualMachine]]:
        """VMs (not templates) by name, lower case."""
        found: dict[str, list[VirtualMachine]] = defaultdict(list)
        for vm in self._desktop_candidates:
            found[vm.name.lower()].append(vm)
        return found

    @cached_property
    def _desktop_candidates(self) -> list[VirtualMachine]:
        return [vm for vm in self._vms if not vm.template]

    def unique(
        self, table: dict[str, list[VirtualMachine]], key: str | None, vcenter: str | None
    ) -> VirtualMachine | None:
        """The one VM under ``key`` (in ``vcenter`` when known); None if none or several."""
        if not key:
            return None
        found = [vm for vm in table.get(key, ()) if vcenter is None or vm.vcenter == vcenter]
        return found[0] if len(found) == 1 else None


DatacenterPaths = dict[tuple[str, str], str]
"""``(vCenter UUID, datacenter name)`` -> inventory path with the folders above it."""


def datacenter_paths(datacenters: Iterable[Datacenter]) -> DatacenterPaths:
    """Each datacenter's full path, where it is known."""
    return {(dc.vcenter, dc.name): dc.path for dc in datacenters if dc.path}


def vm_path(vm: VirtualMachine, datacenter_path: str | None = None) -> str:
    """The VM's inventory path as Horizon writes it: ``/DC/vm/Folder/Sub/name`` (or with
    ``datacenter_path``, ``/Region/DC/vm/...``)."""
    return f"{_vm_folder_of(vm, datacenter_path)}/{vm.name}"


def vm_paths(vm: VirtualMachine, paths: DatacenterPaths) -> list[str]:
    """Both forms of the VM's path: below the bare datacenter name, and below its full path."""
    full = paths.get((vm.vcenter, vm.datacenter or ""))
    forms = [vm_path(vm)]
    if full and full != f"/{vm.datacenter}":
        forms.append(vm_path(vm, full))
    return forms


def _vm_folder_of(vm: VirtualMachine, datacenter_path: str | None) -> str:
    base = datacenter_path or f"/{vm.datacenter}"
    return f"{base}/vm/{vm.folder}" if vm.folder else f"{base}/vm"


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
    pools: Iterable[DesktopPool],
    machines: Iterable[Machine],
    vms: Iterable[VirtualMachine],
    datacenters: Iterable[Datacenter] = (),
) -> list[UnmatchedVm]:
    """VMs sitting in a pool's folder that no machine is joined to.

    A pool's folder is found by moref (``vm_folder_id``, every version) or by path (either
    form). vApp members sit in no folder, and Horizon's or vSphere's own VMs (``vm_role``) are
    never stray. In a datacenter's root VM folder, which holds everything else too, only VMs
    whose names fit the pool's naming pattern count.
    """
    pools = list(pools)
    vms = list(vms)
    claimed = {(m.vm_vcenter, m.vm_moref) for m in machines if m.vm_moref}
    golden = golden_image_keys(pools)
    paths = datacenter_paths(datacenters)
    by_id: dict[tuple[str, str], DesktopPool] = {}
    by_path: dict[tuple[str, str], DesktopPool] = {}
    for pool in pools:
        if pool.vcenter and pool.vm_folder_id:
            by_id.setdefault((pool.vcenter, pool.vm_folder_id), pool)
        if pool.vcenter and pool.vm_folder_path:
            by_path.setdefault((pool.vcenter, pool.vm_folder_path.rstrip("/")), pool)
    if not by_id and not by_path:
        return []  # no pool names a folder: no VM can sit in one
    root_folders = {(vm.vcenter, vm.folder_moref) for vm in vms if vm.folder == ""}
    found = []
    for vm in vms:
        if (vm.vcenter, vm.moref) in claimed or vm.vapp or vm_role(vm, golden) is not None:
            continue
        owner = _pool_folder_of(vm, by_id, by_path, paths)
        if owner is None:
            continue
        at_root = vm.folder == "" or (vm.vcenter, vm.folder_moref) in root_folders
        if at_root and not _fits_naming(vm.name, owner):
            continue
        found.append(UnmatchedVm(vm.vcenter, vm.moref, vm.name, owner.id))
    return found


def _pool_folder_of(
    vm: VirtualMachine,
    by_id: dict[tuple[str, str], DesktopPool],
    by_path: dict[tuple[str, str], DesktopPool],
    paths: DatacenterPaths,
) -> DesktopPool | None:
    if vm.folder_moref and (vm.vcenter, vm.folder_moref) in by_id:
        return by_id[(vm.vcenter, vm.folder_moref)]
    if vm.folder is None:  # not below a datacenter's VM folder
        return None
    full = paths.get((vm.vcenter, vm.datacenter or ""))
    for folder in {_vm_folder_of(vm, None), _vm_folder_of(vm, full)}:
        pool = by_path.get((vm.vcenter, folder))
        if pool is not None:
            return pool
    return None


def _fits_naming(name: str, pool: DesktopPool) -> bool:
    """The name is one the pool's naming pattern makes; False without a pattern."""
    pattern = naming_regex(pool.naming_pattern) if pool.naming_pattern else None
    return pattern is not None and pattern.fullmatch(name) is not None


_NUMBER_TOKEN = re.compile(r"\{n(?::fixed=(\d+))?\}", re.IGNORECASE)


def naming_regex(pattern: str) -> re.Pattern[str]:
    """Names a Horizon naming pattern makes: ``{n}`` is a number, ``{n:fixed=3}`` three
    digits; a pattern without ``{n}`` gets the number appended (Horizon administration guide,
    "Using a Naming Pattern for Automated Desktop Pools")."""
    parts: list[str] = []
    position = 0
    for token in _NUMBER_TOKEN.finditer(pattern):
        parts.append(re.escape(pattern[position : token.start()]))
        parts.append(rf"\d{{{token.group(1)}}}" if token.group(1) else r"\d+")
        position = token.end()
    parts.append(re.escape(pattern[position:]))
    if position == 0:
        parts.append(r"\d+")
    return re.compile("".join(parts), re.IGNORECASE)
