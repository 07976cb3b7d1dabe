"""The newest virtual hardware an ESXi host, or a cluster of them, can run; ESXi version order.

The table is Broadcom KB 315655 (formerly VMware KB 1003746, "ESXi/ESX hosts and compatible
virtual machine hardware versions"). ESXi reports its version as ``major.minor.update``
(``7.0.3`` is 7.0 Update 3), except 6.7, whose updates all say ``6.7.0``: 6.7 Update 2 (build
13006603 and later, Broadcom KB 316595 "Build numbers and versions of VMware ESXi") raised
the limit from vmx-14 to vmx-15, so a 6.7.0 host without a build can only be bounded.
Versions the table does not list (older than 5.0, newer than 8.0) are not guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from fleetreport.health.fleet import FleetView, build_number
from fleetreport.snapshot.model import Host, VirtualMachine

_VERSION = re.compile(r"^(\d+)\.(\d+)(?:\.(\d+))?")

HARDWARE_BY_ESXI: dict[tuple[int, int], tuple[tuple[int, int], ...]] = {
    (5, 0): ((0, 8),),
    (5, 1): ((0, 9),),
    (5, 5): ((0, 10),),
    (6, 0): ((0, 11),),
    (6, 5): ((0, 13),),
    (6, 7): ((0, 14),),
    (7, 0): ((0, 17), (1, 18), (2, 19)),
    (8, 0): ((0, 20), (2, 21)),
}
"""Per ESXi major.minor, (first update level, highest hardware version) in update order."""

ESXI_67_U2_BUILD = 13006603
"""The first ESXi 6.7 build (6.7 Update 2) that runs vmx-15."""
ESXI_67_U2_HARDWARE = 15
VTPM_HARDWARE = 14
"""The first hardware version that can have a virtual TPM 2.0 (vSphere 6.7; VMware, "vSphere
6.7 - Virtual Trusted Platform Modules": hardware version 14, EFI firmware, VM encryption)."""
CONNECTED = "connected"
"""vSphere's ``HostSystemConnectionState`` of a host vCenter manages."""


@dataclass(frozen=True)
class HardwareLimit:
    """The newest hardware version a host or cluster can run: known, or within a range."""

    lowest: int
    """It can run at least this version."""
    highest: int
    """It can run at most this version (equal to ``lowest`` when the table is sure)."""
    bounded_by: Host
    """The host that sets the limit (the oldest of a cluster)."""


def esxi_version_key(version: str | None) -> tuple[int, int, int] | None:
    """``7.0.3`` -> (7, 0, 3); None when the text is not an ESXi version."""
    match = _VERSION.match((version or "").strip())
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2)), int(match.group(3) or 0)


def host_hardware_limit(host: Host) -> HardwareLimit | None:
    """The newest hardware version ``host`` runs, per KB 315655; None when the table cannot tell."""
    key = esxi_version_key(host.version)
    if key is None or key[:2] not in HARDWARE_BY_ESXI:
        return None
    levels = HARDWARE_BY_ESXI[key[:2]]
    highest = max(hardware for update, hardware in levels if update <= key[2])
    if key[:2] == (6, 7):
        build = build_number(host.build)
        if build is None:
            return HardwareLimit(highest, ESXI_67_U2_HARDWARE, host)
        if build >= ESXI_67_U2_BUILD:
            highest = ESXI_67_U2_HARDWARE
    return HardwareLimit(highest, highest, host)


def cluster_hardware_limit(hosts: list[Host]) -> HardwareLimit | None:
    """The limit of a set of hosts a VM must run on: that of its oldest connected host."""
    limits = [
        limit
        for host in hosts
        if host.connection_state == CONNECTED and (limit := host_hardware_limit(host)) is not None
    ]
    if not limits:
        return None
    oldest = min(
        limits,
        key=lambda limit: (limit.lowest, limit.highest, esxi_version_key(limit.bounded_by.version)),
    )
    return HardwareLimit(
        min(limit.lowest for limit in limits),
        min(limit.highest for limit in limits),
        oldest.bounded_by,
    )


ClusterKey = tuple[str, str | None, str]
"""``(vCenter instance UUID, datacenter, cluster)``."""


def hosts_of_cluster(fleet: FleetView, host: Host) -> list[Host]:
    """``host`` and the other hosts of its cluster (itself alone when standalone)."""
    if host.cluster is None:
        return [host]
    return fleet.hosts_by_cluster.get((host.vcenter, host.datacenter, host.cluster), [host])


def vm_hardware_limit(
    fleet: FleetView, vm: VirtualMachine, host: Host | None
) -> HardwareLimit | None:
    """The newest hardware ``vm`` could run where it is: its cluster's limit, or its
    standalone host's; None when no host version there is known."""
    if vm.cluster is not None:
        key = (vm.vcenter, vm.datacenter, vm.cluster)
        limits = fleet.hardware_limits  # each cluster's limit, worked out once per fleet
        if key not in limits:
            limits[key] = cluster_hardware_limit(fleet.hosts_by_cluster.get(key, []))
        return limits[key]
    return host_hardware_limit(host) if host is not None else None
