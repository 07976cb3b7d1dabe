"""The report's records of vSphere infrastructure that carry figures the report derives.

Hosts and clusters get their CPU and memory in use as shares, datastores their free share and
what lives on them, alarms the name of their object. Nothing is judged here: the checks do that.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from fleetreport.health import report_records
from fleetreport.health.fleet import FleetView
from fleetreport.health.record_copy import copy_record
from fleetreport.ordering import natural_key
from fleetreport.snapshot.model import Cluster, Host, Snapshot
from fleetreport.snapshot.roles import VmRole

INTERNAL_ROLES = frozenset(
    {
        VmRole.INSTANT_CLONE_TEMPLATE,
        VmRole.INSTANT_CLONE_REPLICA,
        VmRole.INSTANT_CLONE_PARENT,
        VmRole.INSTANT_CLONE_INTERNAL,
        VmRole.LINKED_CLONE_REPLICA,
        VmRole.VSPHERE_CLUSTER_SERVICE,
    }
)
"""Roles of the VMs Horizon and vSphere create and manage themselves."""

ALARM_ORDER = {"red": 0, "yellow": 1, "gray": 2, "green": 3}
"""Alarm statuses worst first (vSphere ``ManagedEntityStatus``)."""


def share(part: int | None, whole: int | None) -> float | None:
    """``part / whole`` to three decimals; None without both, or when ``whole`` is not positive."""
    if part is None or whole is None or whole <= 0:
        return None
    return round(part / whole, 3)


def host_records(hosts: Iterable[Host]) -> list[report_records.Host]:
    """Hosts in the snapshot's order, with their CPU and memory in use as shares."""
    return [
        copy_record(
            report_records.Host,
            host,
            cpu_usage_share=share(host.cpu_usage_mhz, host.cpu_capacity_mhz),
            memory_usage_share=share(host.memory_usage_mb, host.memory_capacity_mb),
        )
        for host in hosts
    ]


def _summed(values: Iterable[int | None]) -> int | None:
    """The sum of the values reported; None when none was."""
    reported = [value for value in values if value is not None]
    return sum(reported) if reported else None


def cluster_records(
    clusters: Iterable[Cluster], hosts: Sequence[Host]
) -> list[report_records.Cluster]:
    """Clusters by name, with what their hosts use: the sum of the hosts that reported it
    (as the vSphere Client sums a cluster's hosts), against the cluster's total capacity."""
    members: dict[tuple[str, str | None, str], list[Host]] = {}
    for host in hosts:
        if host.cluster is not None:
            members.setdefault((host.vcenter, host.datacenter, host.cluster), []).append(host)
    rows = []
    for cluster in clusters:
        own = members.get((cluster.vcenter, cluster.datacenter, cluster.name), [])
        cpu = _summed(h.cpu_usage_mhz for h in own)
        memory = _summed(h.memory_usage_mb for h in own)
        rows.append(
            copy_record(
                report_records.Cluster,
                cluster,
                cpu_usage_mhz=cpu,
                memory_usage_mb=memory,
                cpu_usage_share=share(cpu, cluster.cpu_capacity_mhz),
                memory_usage_share=share(memory, cluster.memory_capacity_mb),
            )
        )
    return sorted(rows, key=lambda c: (natural_key(c.name), c.vcenter, c.moref))


def datastore_records(fleet: FleetView) -> list[report_records.Datastore]:
    """Every datastore by name, with its free share and the desktops (in scope), golden
    images and Horizon's or vSphere's own VMs that have files on it."""
    roles = fleet.population.roles
    rows = []
    for store in fleet.snapshot.datastores:
        key = (store.vcenter, store.moref)
        vm_roles = [roles.get((vm.vcenter, vm.moref)) for vm in fleet.vms_by_datastore.get(key, [])]
        rows.append(
            copy_record(
                report_records.Datastore,
                store,
                free_share=share(store.free_bytes, store.capacity_bytes),
                desktops=len(fleet.desktops_by_datastore.get(key, [])),
                golden_images=sum(1 for role in vm_roles if role is VmRole.GOLDEN_IMAGE),
                internal_vms=sum(1 for role in vm_roles if role in INTERNAL_ROLES),
            )
        )
    return sorted(rows, key=lambda d: (natural_key(d.name), d.vcenter, d.moref))


def alarm_records(snapshot: Snapshot) -> list[report_records.TriggeredAlarm]:
    """Triggered alarms worst first, then by alarm and object name, each with the name of the
    VM, host, cluster or datastore it is on."""
    names: dict[tuple[str, str], str] = {}
    for group in (snapshot.vms, snapshot.hosts, snapshot.clusters, snapshot.datastores):
        for item in group:
            names[(item.vcenter, item.moref)] = item.name
    rows = [
        copy_record(
            report_records.TriggeredAlarm,
            alarm,
            entity_name=names.get((alarm.vcenter, alarm.entity)),
        )
        for alarm in snapshot.alarms
    ]
    return sorted(
        rows,
        key=lambda a: (
            ALARM_ORDER.get(a.status, len(ALARM_ORDER)),
            natural_key(a.name or a.alarm),
            natural_key(a.entity_name or a.entity),
            a.vcenter,
            a.entity,
        ),
    )
