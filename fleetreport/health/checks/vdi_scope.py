"""Which clusters and datastores serve the desktops: the ones the vSphere checks judge.

A vCenter shared with servers holds clusters and datastores that are not the desktop fleet's
(server clusters, hosts' local boot datastores, backup targets): judging them would fill a
desktop report with another team's findings. By default a datastore is judged when it holds a
desktop, a golden image, one of Horizon's own VMs or a Connection Server or gateway VM, and a
cluster when a desktop or a Connection Server or gateway VM runs in it (the management cluster
the desktops are brokered from); each check has a flag to judge them all.
"""

from __future__ import annotations

from fleetreport.health.catalogue import Limits
from fleetreport.health.fleet import FleetView
from fleetreport.health.results import Outcome, not_applicable
from fleetreport.snapshot.model import Cluster, Datastore
from fleetreport.snapshot.roles import VmRole

VDI_ROLES = frozenset(
    {
        VmRole.GOLDEN_IMAGE,
        VmRole.INSTANT_CLONE_TEMPLATE,
        VmRole.INSTANT_CLONE_REPLICA,
        VmRole.INSTANT_CLONE_PARENT,
        VmRole.INSTANT_CLONE_INTERNAL,
        VmRole.LINKED_CLONE_REPLICA,
    }
)
"""VMs that are not desktops but that desktops need: images and Horizon's clone machinery."""

ALL_DATASTORES = "judge_all_datastores"
"""Threshold: judge every datastore, not only those holding desktops."""
ALL_CLUSTERS = "judge_all_clusters"
"""Threshold: judge every cluster, not only those running desktops."""

DATASTORE_SCOPE_RATIONALE = """Judged by default only on datastores holding a desktop, a golden
image, Horizon's instant-clone VMs or a Connection Server or gateway VM (a shared vCenter's
server and local boot datastores are another team's; vCheck-vSphere leaves out "local" ones by
default): judge_all_datastores = true judges every datastore."""
"""The sentence every datastore check's rationale ends with."""

CLUSTER_SCOPE_RATIONALE = """Judged by default only on clusters running desktops or the pods'
Connection Server and gateway VMs (a shared vCenter's other server clusters are another
team's): judge_all_clusters = true judges every cluster."""
"""The sentence every cluster check's rationale ends with."""


def vdi_datastore_contents(fleet: FleetView, store: Datastore) -> str | None:
    """What of the desktop fleet a datastore holds, in words, or None when nothing (worked out
    once per fleet and datastore: every datastore check asks)."""
    key = (store.vcenter, store.moref)
    known = fleet.datastore_contents
    if key not in known:
        known[key] = _datastore_contents(fleet, key)
    return known[key]


def _datastore_contents(fleet: FleetView, key: tuple[str, str]) -> str | None:
    desktops = len(fleet.desktops_by_datastore.get(key, []))
    roles = fleet.population.roles
    vms = fleet.vms_by_datastore.get(key, [])
    others = sum(1 for vm in vms if roles.get((vm.vcenter, vm.moref)) in VDI_ROLES)
    servers = sum(1 for vm in vms if (vm.vcenter, vm.moref) in fleet.horizon_server_vms)
    if not desktops and not others and not servers:
        return None
    parts = [f"{desktops} desktop{'s' if desktops != 1 else ''}"] if desktops else []
    if others:
        parts.append(f"{others} golden image or Horizon VM{'s' if others != 1 else ''}")
    if servers:
        parts.append(f"{servers} Connection Server or gateway VM{'s' if servers != 1 else ''}")
    return " and ".join(parts)


def outside_vdi_datastores(fleet: FleetView, store: Datastore, limits: Limits) -> Outcome | None:
    """Not applicable for a datastore holding nothing of the desktop fleet (unless the check
    judges all); None when the check applies."""
    if limits.flag(ALL_DATASTORES) or vdi_datastore_contents(fleet, store) is not None:
        return None
    return not_applicable("holds no desktop, golden image or Horizon VM")


def cluster_horizon_servers(fleet: FleetView, cluster: Cluster) -> int:
    """Connection Server and gateway VMs running in a cluster (the few server VMs looked up,
    not every VM of the snapshot scanned per cluster)."""
    where = (cluster.vcenter, cluster.datacenter, cluster.name)
    servers = (fleet.vm(vcenter, moref) for vcenter, moref in fleet.horizon_server_vms)
    return sum(
        1 for vm in servers if vm is not None and (vm.vcenter, vm.datacenter, vm.cluster) == where
    )


def cluster_desktop_count(fleet: FleetView, cluster: Cluster) -> int:
    """Desktops (in scope) running in a cluster."""
    key = (cluster.vcenter, cluster.datacenter, cluster.name)
    return len(fleet.desktops_by_cluster.get(key, []))


def outside_vdi_clusters(fleet: FleetView, cluster: Cluster, limits: Limits) -> Outcome | None:
    """Not applicable for a cluster running no desktop (unless the check judges all); None when
    the check applies."""
    if limits.flag(ALL_CLUSTERS) or cluster_desktop_count(fleet, cluster):
        return None
    if cluster_horizon_servers(fleet, cluster):
        return None
    return not_applicable("runs no desktop, Connection Server or gateway")
