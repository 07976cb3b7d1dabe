"""What a VM is when it is not a desktop: Horizon's and vSphere's own VMs, and golden images.

Horizon and vSphere create VMs of their own next to the desktops. They are never desktops,
never "stray" VMs in a pool's folder, and never judged by desktop checks; the report lists
them as infrastructure, with what they are. The rules, with their sources:

- Instant clones (Horizon 7.x and 8): for each golden-image snapshot Horizon creates an
  internal template ``cp-template-<uuid>``, a replica ``cp-replica-<uuid>`` and, per ESXi
  host, a parent ``cp-parent-<uuid>``, in the folders ``ClonePrepInternalTemplateFolder``,
  ``ClonePrepReplicaVmFolder``, ``ClonePrepParentVmFolder`` and ``ClonePrepResyncVmFolder``
  (Horizon administration guide, "Instant-clone internal VMs": they belong to Horizon and
  must not be touched).
- Linked clones (View Composer, removed in Horizon 2012, still in old estates): a replica
  ``replica-<uuid>`` per image.
- vSphere Cluster Services (vSphere 7.0 U1 and later): ``vCLS-<...>`` VMs in a ``vCLS``
  folder, managed by vCenter; named ``vCLS (1)`` in 7.0 U1 and U2, ``vCLS-<uuid>`` later.
- Golden images: the parent VM of a desktop pool or RDS farm (``parent_vm_id``).
- Templates (``config.template``): inventory, never running desktops.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Iterable
from functools import lru_cache

from fleetreport.snapshot.model import DesktopPool, VirtualMachine

CLONE_PREP_FOLDERS = (
    "ClonePrepInternalTemplateFolder",
    "ClonePrepParentVmFolder",
    "ClonePrepReplicaVmFolder",
    "ClonePrepResyncVmFolder",
)
"""vCenter folders Horizon creates for instant-clone internal VMs."""

_INSTANT_CLONE_INTERNAL = re.compile(r"^cp-(template|replica|parent)-", re.IGNORECASE)
_LINKED_CLONE_REPLICA = re.compile(
    r"^replica-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE
)
_VCLS = re.compile(r"^vCLS(-|\s*\(\d+\)$)")
"""``vCLS-<uuid>`` (7.0 U3 and later) or ``vCLS (1)`` (7.0 U1 and U2)."""
_MAY_HAVE_A_ROLE = re.compile(r"(?i:cp-|replica-)|vCLS")
"""The start every name above shares: most VMs are desktops, ruled out with one match."""


class VmRole(enum.StrEnum):
    """Why a VM is not a desktop."""

    TEMPLATE = "template"
    GOLDEN_IMAGE = "golden_image"
    INSTANT_CLONE_TEMPLATE = "instant_clone_template"
    INSTANT_CLONE_REPLICA = "instant_clone_replica"
    INSTANT_CLONE_PARENT = "instant_clone_parent"
    INSTANT_CLONE_INTERNAL = "instant_clone_internal"
    LINKED_CLONE_REPLICA = "linked_clone_replica"
    VSPHERE_CLUSTER_SERVICE = "vsphere_cluster_service"

    @property
    def description(self) -> str:
        """What the report says the VM is."""
        return _DESCRIPTIONS[self]


_DESCRIPTIONS = {
    VmRole.TEMPLATE: "vSphere template",
    VmRole.GOLDEN_IMAGE: "golden image (parent VM of a pool or farm)",
    VmRole.INSTANT_CLONE_TEMPLATE: "Horizon instant-clone internal template (cp-template)",
    VmRole.INSTANT_CLONE_REPLICA: "Horizon instant-clone replica (cp-replica)",
    VmRole.INSTANT_CLONE_PARENT: "Horizon instant-clone parent, one per host (cp-parent)",
    VmRole.INSTANT_CLONE_INTERNAL: "Horizon instant-clone internal VM (ClonePrep folder)",
    VmRole.LINKED_CLONE_REPLICA: "Horizon linked-clone replica (View Composer)",
    VmRole.VSPHERE_CLUSTER_SERVICE: "vSphere Cluster Services VM (vCLS)",
}


def golden_image_keys(pools: Iterable[DesktopPool]) -> frozenset[tuple[str | None, str]]:
    """``(vCenter UUID or None, moref)`` of every pool's and farm's golden image."""
    return frozenset((pool.vcenter, pool.parent_vm_id) for pool in pools if pool.parent_vm_id)


def vm_role(
    vm: VirtualMachine, golden_images: frozenset[tuple[str | None, str]] = frozenset()
) -> VmRole | None:
    """The role of a VM that is not a desktop, or None for an ordinary VM."""
    if vm.template:
        return VmRole.TEMPLATE
    if (vm.vcenter, vm.moref) in golden_images or (None, vm.moref) in golden_images:
        return VmRole.GOLDEN_IMAGE
    by_name = role_by_name(vm.name)
    if by_name is not None:
        return by_name
    return _role_by_folder(vm.folder)


@lru_cache(maxsize=4096)
def _role_by_folder(folder: str | None) -> VmRole | None:
    """The role every VM in ``folder`` has. Kept per folder text: thousands of VMs share a few
    folders; bounded, as the text is the server's."""
    if in_clone_prep_folder(folder):
        return VmRole.INSTANT_CLONE_INTERNAL
    if _folder_parts(folder)[-1:] == ["vCLS"]:
        return VmRole.VSPHERE_CLUSTER_SERVICE
    return None


def role_by_name(name: str) -> VmRole | None:
    """The role of a VM named the way Horizon or vSphere name their own VMs, or None."""
    if not _MAY_HAVE_A_ROLE.match(name):
        return None
    internal = _INSTANT_CLONE_INTERNAL.match(name)
    if internal:
        return {
            "template": VmRole.INSTANT_CLONE_TEMPLATE,
            "replica": VmRole.INSTANT_CLONE_REPLICA,
            "parent": VmRole.INSTANT_CLONE_PARENT,
        }[internal.group(1).lower()]
    if _LINKED_CLONE_REPLICA.match(name):
        return VmRole.LINKED_CLONE_REPLICA
    if _VCLS.match(name):
        return VmRole.VSPHERE_CLUSTER_SERVICE
    return None


def in_clone_prep_folder(folder: str | None) -> bool:
    """True when a folder path lies in (or is) one of Horizon's ``ClonePrep*`` folders."""
    return any(part in CLONE_PREP_FOLDERS for part in _folder_parts(folder))


def _folder_parts(folder: str | None) -> list[str]:
    return [part for part in (folder or "").split("/") if part]
