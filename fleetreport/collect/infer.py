"""Pools inferred from vCenter alone, when there is no Connection Server to ask.

Two rules the user chooses: every folder directly below a folder path is a pool
(``--infer-pools-from-folder Horizon``), or a regular expression over VM names whose
``pool`` group (or first group) names the pool (``--infer-pools-by-name '^(?P<pool>.+)-\\d+$'``).
Such pools and machines are marked ``inferred``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from fleetreport.errors import UsageError
from fleetreport.snapshot.model import DesktopPool, Machine, VirtualMachine

INFERRED = "inferred"


@dataclass(frozen=True)
class InferenceRule:
    """How to group VMs into pools."""

    folder: str | None = None
    """Folder path (below the datacenter's VM folder) whose subfolders are pools."""
    name_pattern: str | None = None
    """Regular expression over VM names; its ``pool`` group names the pool."""

    def compiled(self) -> re.Pattern[str] | None:
        """The name pattern, checked."""
        if self.name_pattern is None:
            return None
        try:
            pattern = re.compile(self.name_pattern)
        except re.error as error:
            raise UsageError(
                f"--infer-pools-by-name: invalid regular expression: {error}"
            ) from None
        if "pool" not in pattern.groupindex and pattern.groups < 1:
            raise UsageError(
                "--infer-pools-by-name needs a group that names the pool",
                hint="for example '^(?P<pool>[A-Z0-9]+-[A-Z0-9]+)-\\d+$'",
            )
        return pattern


def infer_pools(
    vms: Sequence[VirtualMachine], rule: InferenceRule
) -> tuple[list[DesktopPool], list[Machine]]:
    """Pools and machines from ``rule``; VMs that fit no pool are left alone."""
    pattern = rule.compiled()
    root = (rule.folder or "").strip("/")
    members: dict[tuple[str, str], list[VirtualMachine]] = {}
    for vm in vms:
        if vm.template:
            continue
        pool_name = _pool_of(vm, root if rule.folder is not None else None, pattern)
        if pool_name:
            members.setdefault((vm.vcenter, pool_name), []).append(vm)
    pools: list[DesktopPool] = []
    machines: list[Machine] = []
    for (vcenter, name), pool_vms in sorted(members.items()):
        pool_id = f"{INFERRED}:{vcenter}:{name}"
        pools.append(_pool(pool_id, name, vcenter, len(pool_vms)))
        machines += [_machine(pool_id, vm) for vm in pool_vms]
    return pools, machines


def _pool_of(vm: VirtualMachine, root: str | None, pattern: re.Pattern[str] | None) -> str | None:
    if root is not None and vm.folder:
        prefix = f"{root}/" if root else ""
        if vm.folder.startswith(prefix) and len(vm.folder) > len(prefix):
            return vm.folder[len(prefix) :].split("/")[0]
    if pattern is not None:
        match = pattern.search(vm.name)
        if match:
            return match.group("pool") if "pool" in pattern.groupindex else match.group(1)
    return None


def _pool(pool_id: str, name: str, vcenter: str, count: int) -> DesktopPool:
    return DesktopPool(
        pod=INFERRED,
        id=pool_id,
        kind=INFERRED,
        name=name,
        display_name=None,
        type=None,
        source=None,
        enabled=None,
        provisioning_enabled=None,
        user_assignment=None,
        power_policy=None,
        naming_pattern=None,
        min_machines=None,
        max_machines=None,
        spare_machines=None,
        vm_folder_path=None,
        parent_vm_id=None,
        parent_vm_path=None,
        base_snapshot_id=None,
        base_snapshot_path=None,
        image_state=None,
        pending_image_state=None,
        pending_image_error=None,
        pending_snapshot_id=None,
        last_provisioning_error=None,
        last_provisioning_error_time=None,
        vcenter_id=None,
        vcenter=vcenter,
        machine_count=count,
    )


def _machine(pool_id: str, vm: VirtualMachine) -> Machine:
    return Machine(
        pod=INFERRED,
        id=f"{vm.vcenter}:{vm.moref}",
        kind=INFERRED,
        name=vm.name,
        dns_name=vm.guest_hostname,
        pool_id=pool_id,
        state=None,
        agent_version=None,
        agent_build=None,
        operating_system=None,
        user_names=[],
        power_state=None,
        operation_state=None,
        base_vm_id=None,
        base_snapshot_id=None,
        pending_base_vm_id=None,
        pending_base_snapshot_id=None,
        create_time=None,
        missing_in_vcenter=None,
        in_maintenance_mode=None,
        vcenter_id=None,
        vm_moid=vm.moref,
        vm_path=None,
        host_name=vm.host,
        vm_vcenter=vm.vcenter,
        vm_moref=vm.moref,
        join=INFERRED,
    )
